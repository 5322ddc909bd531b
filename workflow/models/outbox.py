"""The outbox: every e-mail the application sends, written in the transaction of what caused
it and delivered later by `flask --app wsgi send-mail` (workflow/engine/mailer.py)."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workflow import clock
from workflow.extensions import db
from workflow.models.types import UTCDateTime

PENDING = "pending"  # waiting for its (next) attempt
SENT = "sent"        # the SMTP server accepted it
FAILED = "failed"    # given up: refused for good, or too many attempts; the office may retry


class OutboxMessage(db.Model):
    """One message to one recipient, already in the reader's language."""

    __tablename__ = "outbox"
    # The sender's question, every minute: which pending messages are due?
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The address and name as they were when the message was written.
    to_address: Mapped[str] = mapped_column(String(254))
    to_name: Mapped[str] = mapped_column(String(64), default="")
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    # Made when queued, so that a message sent twice (a sender that crashed after the server
    # accepted it) carries the same Message-ID both times.
    message_id: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(8), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    # A sender's lease: who is delivering it, and until when the claim holds (a sender that
    # died leaves a claim that simply runs out).
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
