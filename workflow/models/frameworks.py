"""A plan's indicator framework (copied from a template and adjusted by the office) and the
outline of its reports. Every evaluation of the plan starts from these."""
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.extensions import db

# Weights and scores: points with two decimals. Amounts: 万元 with four (to the yuan).
Points = Numeric(6, 2)
Amount = Numeric(18, 4)


class PlanIndicator(db.Model):
    __tablename__ = "plan_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    level1: Mapped[str] = mapped_column(String(32))
    level2: Mapped[str] = mapped_column(String(32), default="")
    name: Mapped[str] = mapped_column(String(100), default="")
    weight: Mapped[Decimal] = mapped_column(Points)
    # 'execution_rate' rows are scored from the budget block, not entered by hand.
    kind: Mapped[str] = mapped_column(String(16), default="standard")
    sort_order: Mapped[int] = mapped_column(default=0)

    plan = relationship("Plan", back_populates="indicators")


class PlanReportSection(db.Model):
    """One section of the report outline, written per evaluation: a part （一）项目概况 of a
    chapter 一、基本情况. Titles carry no numbers: chapter, part and item numbers are computed
    from the sections a report actually prints (workflow/selfeval/outline.py). Consecutive
    sections with the same ``chapter`` form one chapter; a section without ``title`` is the
    chapter's own text; a section without ``chapter`` (the preamble) precedes the chapters."""

    __tablename__ = "plan_report_sections"
    __table_args__ = (UniqueConstraint("plan_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(32))
    chapter: Mapped[str] = mapped_column(String(100), default="")
    title: Mapped[str] = mapped_column(String(100))
    hint: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(default=True)
    # The section that states the score ends with "（见附表）": the scoring table follows.
    cites_annex: Mapped[bool] = mapped_column(default=False)
    sort_order: Mapped[int] = mapped_column(default=0)

    plan = relationship("Plan", back_populates="report_sections")
