"""The indicator library (指标库) by kind of project: the 三级指标 a project of one category
usually carries, with the fields the indicator rules ask for (财预〔2021〕101号). One library per
plan, copied with the plan into the next year (workflow/plans/services.copy_plan)."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow import clock
from workflow.extensions import db
from workflow.models.frameworks import Amount
from workflow.models.types import UTCDateTime


class LibraryIndicator(db.Model):
    __tablename__ = "library_indicators"
    # One entry per category, level and name: what approvals add is deduplicated by it.
    __table_args__ = (UniqueConstraint("plan_id", "category", "level1", "level2", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(16))  # workflow/library/terms.CATEGORIES
    level1: Mapped[str] = mapped_column(String(32))
    level2: Mapped[str] = mapped_column(String(32), default="")
    name: Mapped[str] = mapped_column(String(100))  # 三级指标
    nature: Mapped[str] = mapped_column(String(16))  # >= <= = qualitative
    unit: Mapped[str] = mapped_column(String(16), default="")
    explanation: Mapped[str] = mapped_column(Text, default="")  # 指标解释
    basis: Mapped[str | None] = mapped_column(String(16))  # 目标值依据: terms.BASES
    target: Mapped[Decimal | None] = mapped_column(Amount)  # the usual target (quantitative)
    target_text: Mapped[str] = mapped_column(String(200), default="")  # … (qualitative)
    # 'office' (entered on the library page), 'approved' (grown from an approved evaluation).
    source: Mapped[str] = mapped_column(String(16), default="office")
    retired: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    plan = relationship("Plan")
