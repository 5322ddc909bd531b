"""Mid-year monitoring (绩效运行监控, "双监控"): the plan's monitoring dates, and each section's
report per evaluation at a date: the cumulative execution and each indicator's progress with
its expected year-end value, and the reason and correction where it lags."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from workflow import clock
from workflow.extensions import db
from workflow.models.frameworks import Amount
from workflow.models.types import UTCDateTime

REPORT_STATES = ("draft", "submitted")


class MonitoringDate(db.Model):
    """A date of the budget year at which the sections report (e.g. 6/30), with the due
    date of their reports."""

    __tablename__ = "monitoring_dates"
    __table_args__ = (
        UniqueConstraint("plan_id", "as_of"),
        CheckConstraint("due_date >= as_of", name="due_after_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    as_of: Mapped[date]
    due_date: Mapped[date]

    plan = relationship("Plan", backref=backref("monitoring_dates", order_by="MonitoringDate.as_of",
                                                cascade="all, delete-orphan", passive_deletes=True))


class MonitoringReport(db.Model):
    """One evaluation's report at one monitoring date: a draft until its section submits it."""

    __tablename__ = "monitoring_reports"
    __table_args__ = (UniqueConstraint("monitoring_date_id", "evaluation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    monitoring_date_id: Mapped[int] = mapped_column(ForeignKey("monitoring_dates.id", ondelete="CASCADE"),
                                                    index=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="draft")
    executed: Mapped[Decimal | None] = mapped_column(Amount)  # 累计执行数（万元）
    execution_reason: Mapped[str] = mapped_column(Text, default="")  # 偏差原因
    execution_correction: Mapped[str] = mapped_column(Text, default="")  # 纠偏措施
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)
    # Optimistic lock: of two people saving one report at once, one succeeds.
    version: Mapped[int] = mapped_column(default=1)

    monitoring_date: Mapped[MonitoringDate] = relationship()
    evaluation = relationship("Evaluation")
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    progress: Mapped[list["IndicatorProgress"]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="IndicatorProgress.id")

    __mapper_args__ = {"version_id_col": version}

    @property
    def submitted(self):
        return self.state == "submitted"


class IndicatorProgress(db.Model):
    """An indicator's progress at the monitoring date: the value so far and the expected
    year-end value (numbers), or for a 定性 indicator the text so far and whether the target
    is expected to be met."""

    __tablename__ = "indicator_progress"
    __table_args__ = (UniqueConstraint("report_id", "indicator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("monitoring_reports.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"), index=True)
    value: Mapped[Decimal | None] = mapped_column(Amount)  # 截至监控日完成值
    value_text: Mapped[str] = mapped_column(String(200), default="")
    expected: Mapped[Decimal | None] = mapped_column(Amount)  # 预计全年完成值
    expected_met: Mapped[bool | None] = mapped_column()  # 定性: 预计能否完成
    reason: Mapped[str] = mapped_column(Text, default="")  # 偏差原因
    correction: Mapped[str] = mapped_column(Text, default="")  # 纠偏措施

    report: Mapped[MonitoringReport] = relationship(back_populates="progress")
    indicator = relationship("Indicator")
