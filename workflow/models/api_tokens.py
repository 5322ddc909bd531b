"""Personal API tokens: a user's credentials for the JSON API (``Authorization: Bearer``).

Only the SHA-256 of a token is stored; the token itself is shown once, when it is created.
A revoked token stays as a row (with its name and times) so the owner sees what existed.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow import clock
from workflow.extensions import db
from workflow.models.types import UTCDateTime


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the token
    hint: Mapped[str] = mapped_column(String(16))  # its first characters, to recognise it in the list
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")

    @property
    def active(self):
        return self.revoked_at is None
