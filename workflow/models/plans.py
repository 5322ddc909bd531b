"""The evaluation plan (评价工作方案): its working group and its timeline of stages."""
import re
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow import clock
from workflow.extensions import db
from workflow.models.types import UTCDateTime

# The stage kinds of a plan, in order. Each evaluation state waits in one of them (see
# workflow/engine/definition.py), which gives its tasks their due date.
STAGE_KINDS = ("prepare", "self_evaluate", "review", "report", "apply")

GROUP_ROLES = ("leader", "deputy", "member")


class Plan(db.Model):
    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    budget_year: Mapped[int]  # the year whose budget is evaluated (2019 in the seed)
    run_year: Mapped[int]  # the year the evaluation runs (2020 in the seed)
    basis_documents: Mapped[list] = mapped_column(JSON, default=list)
    principles: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(Text, default="")
    requirements: Mapped[str] = mapped_column(Text, default="")
    office_section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id"))
    # Which template the framework was copied from: 'self' (单位自评) or 'key' (重点评价).
    framework: Mapped[str] = mapped_column(String(16), default="self")
    result_summary: Mapped[str] = mapped_column(Text, default="")  # 结果应用 of the whole plan
    # A returned evaluation's task falls due this many working days after the return.
    return_working_days: Mapped[int] = mapped_column(default=5)
    # How the working group reviews (workflow/flow.py reads these): 'one' reviewer, any
    # ``review_quorum`` of the group ('quorum', 会签), or 'all' of them; and whether the 组长's
    # approval follows the review (without it a passed review is approved).
    review_rule: Mapped[str] = mapped_column(String(8), default="one", server_default="one")
    review_quorum: Mapped[int] = mapped_column(default=2, server_default="2")
    approval_required: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Results into the next budget (workflow/results/): the office's 预算安排建议 per grade
    # ({grade code: text}; NULL or a missing grade: the default of workflow/results/advice.py),
    # the decimals a score is written with in the reports' text (the seed prints "99.7分"), and
    # the plan this one was copied from (plans.services.copy_plan), whose results it shows.
    budget_advice: Mapped[dict | None] = mapped_column(JSON)
    score_text_decimals: Mapped[int] = mapped_column(default=1, server_default="1")
    previous_plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"))
    # 运行监控: execution lagging the share of the year elapsed by more than this many
    # percentage points is a warning (workflow/monitoring/warnings.py).
    monitoring_lag_points: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("15"),
                                                           server_default="15")
    # 绩效目标须经办公室审核: in 准备阶段 each section submits its projects' targets and the
    # office approves them before self-evaluation opens (workflow/flow.py, workflow/targets/).
    targets_approval: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    office_section = relationship("Section")
    previous_plan = relationship("Plan", remote_side="Plan.id")
    stages: Mapped[list["Stage"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="Stage.sort_order"
    )
    members: Mapped[list["PlanMember"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanMember.sort_order"
    )
    indicators = relationship(
        "PlanIndicator", back_populates="plan", cascade="all, delete-orphan", order_by="PlanIndicator.sort_order"
    )
    report_sections = relationship(
        "PlanReportSection", back_populates="plan", cascade="all, delete-orphan",
        order_by="PlanReportSection.sort_order",
    )

    @property
    def organisation(self):
        """The organisation the title begins with (承德市应急管理局 in "承德市应急管理局2020年……
        方案"), or ''. The documents' 署名 and organisation line and the 自评表's 主管部门."""
        # Without the writer's title break ("|", workflow/documents/titles.py).
        match = re.match(r"\s*([^\d\s].*?)\s*(?:19|20)\d{2}\s*年", (self.title or "").replace("|", ""))
        return match.group(1) if match else ""

    def stage(self, kind):
        return next((stage for stage in self.stages if stage.kind == kind), None)

    def current_stage(self, today):
        """The stage whose window holds ``today``; between stages, the next one to come."""
        dated = [s for s in self.stages if s.start_date and s.due_date]
        for stage in dated:
            if stage.start_date <= today <= stage.due_date:
                return stage
        upcoming = [s for s in dated if s.start_date > today]
        return min(upcoming, key=lambda s: s.start_date) if upcoming else None


# Plans newest first: the order of every list of plans; the first is the current plan (the one
# the dashboard and the review queue follow).
NEWEST_FIRST = (Plan.run_year.desc(), Plan.id.desc())


class Stage(db.Model):
    __tablename__ = "stages"
    __table_args__ = (
        UniqueConstraint("plan_id", "kind"),
        CheckConstraint("start_date IS NULL OR due_date IS NULL OR start_date <= due_date", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(64))
    start_date: Mapped[date | None]
    due_date: Mapped[date | None]
    sort_order: Mapped[int] = mapped_column(default=0)

    plan: Mapped[Plan] = relationship(back_populates="stages")


class PlanMember(db.Model):
    """A member of the plan's working group (评价工作小组): 组长, 副组长 or 成员."""

    __tablename__ = "plan_members"
    __table_args__ = (UniqueConstraint("plan_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    group_role: Mapped[str] = mapped_column(String(16))
    sort_order: Mapped[int] = mapped_column(default=0)

    plan: Mapped[Plan] = relationship(back_populates="members")
    user = relationship("User")
