"""Each reviewer's opinion in a round of committee review (会签)."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow import clock
from workflow.extensions import db
from workflow.models.types import UTCDateTime


class ReviewOpinion(db.Model):
    __tablename__ = "review_opinions"
    # Nobody counts twice in a round: the database refuses a second opinion of one reviewer.
    __table_args__ = (UniqueConstraint("evaluation_id", "round", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    round: Mapped[int]  # the evaluation's review_round when it was given
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # whose opinion it is
    acting_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # their deputy, who gave it
    verdict: Mapped[str] = mapped_column(String(8))  # pass | return
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    reviewer = relationship("User", foreign_keys=[reviewer_id])
    acting = relationship("User", foreign_keys=[acting_id])
