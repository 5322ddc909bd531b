"""Records that protect the system: failed login attempts."""
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from workflow import clock
from workflow.extensions import db
from workflow.models.types import UTCDateTime


class LoginFailure(db.Model):
    """One failed login. Throttling counts these rows, so every worker sees the same count."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
