"""One-time links to set one's own password (设置密码链接).

A new person, or one whose administrator issued 重置密码链接, gets an address carrying a
random token; only the token's SHA-256 is kept here, with its expiry. Setting the password
marks the row used, so the link works once (workflow/auth/links.py).
"""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.extensions import db
from workflow.models.types import UTCDateTime

WELCOME = "welcome"  # a person just created (import): their first password
RESET = "reset"      # an administrator's 重置密码链接 for an existing account


class PasswordLink(db.Model):
    __tablename__ = "password_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the link's token
    purpose: Mapped[str] = mapped_column(String(8), default=WELCOME)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when the password is set through the link, or when a newer link replaces it.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user = relationship("User", foreign_keys=[user_id])
