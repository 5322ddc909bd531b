"""Signed-in sessions, one row per browser that logged in.

The cookie holds a random secret; the row holds only its SHA-256. Every request's user lookup
joins this table, so deleting a row ends that session on every worker and host at once, and a
copy of the cookie is worth nothing afterwards.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from workflow.extensions import db
from workflow.models.types import UTCDateTime


class UserSession(db.Model):
    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the cookie's secret
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Written at most once a minute (workflow/auth/sessions.py); indexed for the purge of
    # expired rows.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    address: Mapped[str] = mapped_column(String(64), default="")
