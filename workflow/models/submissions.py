"""What goes to the finance bureau (报送) and what comes back (结果应用, 问题整改)."""
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow import clock
from workflow.extensions import db
from workflow.models.types import UTCDateTime


class Submission(db.Model):
    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # 发文字号 (承应急〔2020〕12号) and 签发人 of the covering report, a 上行文; set by the office
    # until the finance bureau first downloads the submission (received_at), then fixed.
    document_number: Mapped[str] = mapped_column(String(40), default="", server_default="")
    signer: Mapped[str] = mapped_column(String(32), default="", server_default="")
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    plan = relationship("Plan")
    created_by = relationship("User")
    items: Mapped[list["SubmissionItem"]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="SubmissionItem.id"
    )


class SubmissionItem(db.Model):
    __tablename__ = "submission_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"), unique=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id"))

    submission: Mapped[Submission] = relationship(back_populates="items")
    evaluation = relationship("Evaluation")
    snapshot = relationship("Snapshot")


class Rectification(db.Model):
    """A problem an evaluation found (问题整改), owned by a section until it is closed."""

    __tablename__ = "rectifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    problem: Mapped[str] = mapped_column(Text)
    measure: Mapped[str] = mapped_column(Text, default="")
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id"))
    due_date: Mapped[date]
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closing_note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    evaluation = relationship("Evaluation")
    section = relationship("Section")
