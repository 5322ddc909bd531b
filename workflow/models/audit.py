"""The append-only audit log of evaluations.

The ORM refuses to change or delete a record (below); the database refuses it too, to plain
SQL as well: triggers of revision 0016, lifted only by a restore (workflow/maintenance/audit_guard.py)."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow import clock
from workflow.extensions import db
from workflow.models.types import UTCDateTime


class AuditRecord(db.Model):
    __tablename__ = "audit_records"
    # An evaluation's history, read in order on its page.
    __table_args__ = (Index("ix_audit_records_history", "evaluation_id", "at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int | None] = mapped_column(ForeignKey("evaluations.id", ondelete="SET NULL"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The person the actor stood in for, as their deputy (代理): "闫洪涛 代 姜立新".
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    details: Mapped[dict | None] = mapped_column(JSON)

    actor = relationship("User", foreign_keys=[actor_id])
    on_behalf_of = relationship("User", foreign_keys=[on_behalf_of_id])
    evaluation = relationship("Evaluation")


@event.listens_for(AuditRecord, "before_update")
@event.listens_for(AuditRecord, "before_delete")
def _append_only(mapper, connection, target):
    # Before the statement is sent: a clear Python error at the line that tried it.
    raise RuntimeError("audit records are append-only")
