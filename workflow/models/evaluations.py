"""Projects and their evaluations. The evaluation carries the workflow state; its content
(indicators, scores, narrative) is added by the self-evaluation feature."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, UniqueConstraint, text, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow import clock
from workflow.extensions import db
from workflow.models.types import UTCDateTime


# What a Project row stands for: a project's expenditure (项目支出), or the department's whole
# expenditure (部门整体支出, workflow/department/), of which a plan has at most one.
PROJECT_SCOPE = "project"
DEPARTMENT_SCOPE = "department"


class Project(db.Model):
    __tablename__ = "projects"
    __table_args__ = (
        UniqueConstraint("plan_id", "name"),
        Index("uq_projects_one_department_per_plan", "plan_id", unique=True,
              sqlite_where=text("scope = 'department'"), postgresql_where=text("scope = 'department'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id"), index=True)
    budget_year: Mapped[int]
    leader_name: Mapped[str] = mapped_column(String(64), default="")  # 项目负责人
    overall_target: Mapped[str] = mapped_column(Text, default="")  # 年度总体目标（预期目标）
    # The same project in the previous year's plan (workflow/results/links.py says how it is
    # found), whose result and 预算安排建议 this one's pages show.
    previous_project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"))
    # 项目类别 (workflow/library/terms.CATEGORIES), or None: its indicators come from the library.
    category: Mapped[str | None] = mapped_column(String(16))
    scope: Mapped[str] = mapped_column(String(16), default=PROJECT_SCOPE, server_default=PROJECT_SCOPE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    plan = relationship("Plan")
    section = relationship("Section")
    previous_project = relationship("Project", remote_side="Project.id")
    evaluation: Mapped["Evaluation"] = relationship(
        back_populates="project", uselist=False, cascade="all, delete-orphan"
    )

    @property
    def is_department(self):
        return self.scope == DEPARTMENT_SCOPE


class Evaluation(db.Model):
    __tablename__ = "evaluations"
    __table_args__ = (Index("ix_evaluations_plan_section_state", "plan_id", "section_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), unique=True)
    # Copies of the project's plan and section, so that the progress board and the other
    # per-plan counts read one index (plan, section, state) instead of joining every project of
    # the plan. A project's plan never changes; its section changes only in
    # plans.services.update_project, which updates this copy. No foreign key: migration 0009
    # says why.
    plan_id: Mapped[int | None] = mapped_column()
    section_id: Mapped[int | None] = mapped_column()
    # The workflow state; the one machine in workflow/engine reads and writes it.
    state: Mapped[str] = mapped_column(String(32), default="preparing", index=True)
    # Optimistic lock: every UPDATE checks and bumps it, so of two concurrent actions on
    # one evaluation exactly one succeeds.
    version: Mapped[int] = mapped_column(default=1)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Counts the times it entered review: the opinions of a committee belong to one round.
    review_round: Mapped[int] = mapped_column(default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)
    overall_achievement: Mapped[str] = mapped_column(Text, default="")  # 年度总体目标实际完成情况
    # The server's score and grade, recomputed on every save of the form.
    total_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    grade: Mapped[str | None] = mapped_column(String(16))
    finance_feedback: Mapped[str] = mapped_column(Text, default="")  # 财政局反馈（结果应用）
    # What the review queue shows of the consistency checks (workflow/review/checks.py):
    # open and all findings, stored by refresh_findings on every write that can change them so
    # that the queue never reads an evaluation's content. NULL: not known yet (rows from
    # before revision 0008); the queue computes and stores it on first view. The review page
    # itself always computes the findings live.
    findings_open: Mapped[int | None] = mapped_column()
    findings_total: Mapped[int | None] = mapped_column()

    project: Mapped[Project] = relationship(back_populates="evaluation")
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    funding_rows = relationship("FundingRow", cascade="all, delete-orphan", order_by="FundingRow.id")
    indicators = relationship("Indicator", cascade="all, delete-orphan", order_by="Indicator.sort_order")
    narrative = relationship("NarrativeSection", cascade="all, delete-orphan")
    department_tasks = relationship("DepartmentTask", cascade="all, delete-orphan",
                                    order_by="DepartmentTask.sort_order")

    __mapper_args__ = {"version_id_col": version}


def derived_update():
    """An UPDATE of evaluations for data derived from elsewhere (the findings counts, the copy
    of the project's section), to be given its WHERE and values: plain SQL, so it neither
    bumps the optimistic-lock version nor touches updated_at. No one edited the evaluation: a
    form open on it must not look outdated."""
    table = Evaluation.__table__
    return update(table).values(updated_at=table.c.updated_at)
