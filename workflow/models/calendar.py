"""The days the office does not work besides China's public holidays (a local holiday, a
closure), which deadlines skip like the holidays (workflow/engine/workdays.py)."""
from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from workflow import clock
from workflow.extensions import db
from workflow.models.types import UTCDateTime


class OfficeDayOff(db.Model):
    __tablename__ = "office_days_off"

    day: Mapped[date] = mapped_column(primary_key=True)
    note: Mapped[str] = mapped_column(String(100), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
