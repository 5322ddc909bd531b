"""Deputies (代理): a person stands in for another for a period, e.g. while the 组长 travels."""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow import clock
from workflow.extensions import db
from workflow.models.types import UTCDateTime


class Delegation(db.Model):
    __tablename__ = "delegations"
    __table_args__ = (
        CheckConstraint("principal_id <> deputy_id", name="not_oneself"),
        CheckConstraint("starts_on <= ends_on", name="period_in_order"),
        Index("ix_delegations_deputy_period", "deputy_id", "starts_on", "ends_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    principal_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Both days included, in the office's calendar: it ends by itself after ends_on.
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # Ended early by its owner or the office (None: runs to ends_on).
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    principal = relationship("User", foreign_keys=[principal_id])
    deputy = relationship("User", foreign_keys=[deputy_id])
