"""目标调整: a request by a project's section to change approved 绩效目标, and the office's
decision. What was approved itself is kept as a snapshot of kind 'targets' (models.Snapshot,
workflow/targets/services.py): the latest one is the approved record."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow import clock
from workflow.extensions import db
from workflow.models.types import UTCDateTime

CHANGE_STATUSES = ("pending", "approved", "refused")


class TargetChange(db.Model):
    __tablename__ = "target_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    # [{"indicator_id": id or None (the 年度总体目标), "name": label,
    #   "old": {nature, unit, target, target_text} or {"overall_target"}, "new": the same}]
    items: Mapped[list] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_comment: Mapped[str] = mapped_column(Text, default="")

    evaluation = relationship("Evaluation")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
