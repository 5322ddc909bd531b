"""Tasks: what someone must do next, and by when. Inboxes, overdue lists, reminders and the
progress board all read this table."""
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow import clock
from workflow.extensions import db
from workflow.models.types import UTCDateTime


class Task(db.Model):
    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_open", "completed_at", "role", "section_id"),
        # The open tasks by due date, with what the progress board counts of them (migration
        # 0010): the board's overdue and due-soon sums read this small index alone.
        Index("ix_tasks_open_due", "due_date", "evaluation_id", "state",
              postgresql_where=text("completed_at IS NULL"), sqlite_where=text("completed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(32))  # the state that created it, or 'rectification'
    # Set for the follow-up of a problem found by the evaluation (问题整改).
    rectification_id: Mapped[int | None] = mapped_column(ForeignKey("rectifications.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(32))  # who must act
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id"))  # for section tasks
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    due_date: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    evaluation = relationship("Evaluation")
    section = relationship("Section")
    assignee = relationship("User", foreign_keys=[assignee_id])

    @property
    def is_open(self):
        return self.completed_at is None


class ReminderLog(db.Model):
    """One reminder sent for one task and threshold; the unique key makes `flask remind`
    idempotent even when two runs overlap."""

    __tablename__ = "reminder_logs"
    __table_args__ = (UniqueConstraint("task_id", "threshold"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    threshold: Mapped[str] = mapped_column(String(16))  # due_soon | overdue
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    task = relationship("Task")
