"""The progress board: counts per section and per stage, with red / yellow / green marks.
Everything is read from evaluations and their open tasks with a few aggregate queries."""
from dataclasses import dataclass, field
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import Date, bindparam, func, literal, null, select, union_all
from sqlalchemy.orm import joinedload, load_only

from workflow.engine import tasks, workdays
from workflow.engine.definition import STATES, states_for_plan
from workflow.errors import NotFound
from workflow.extensions import db
from workflow.models import Evaluation, Plan, Section, Task
from workflow.models.plans import NEWEST_FIRST

MARK_ORDER = {"green": 0, "yellow": 1, "red": 2}


def state_names():
    """The registered states' names, in the workflow's order: the board's columns."""
    return tuple(state.name for state in STATES)


@dataclass
class Row:
    key: object
    label: str
    counts: dict = field(default_factory=dict)
    total: int = 0
    overdue: int = 0
    due_soon: int = 0

    @property
    def mark(self):
        if self.overdue:
            return "red"
        if self.due_soon:
            return "yellow"
        return "green"

    @property
    def done(self):
        return self.counts.get("applied", 0)

    def cells(self, columns):
        """(state name, count) of ``columns`` (the plan's states, in the workflow's order)."""
        return [(state.name, self.counts.get(state.name, 0)) for state in columns]


def plans_and_choice(plan_id=None):
    """The plans the board's picker offers (newest first) and the one to show: ``plan_id``'s,
    or the newest; with every plan's stages, in one query. Only the plans' titles and years:
    not their long texts (basis documents, principles, requirements, the framework)."""
    plans = db.session.scalars(
        select(Plan).options(load_only(Plan.title, Plan.budget_year, Plan.run_year), joinedload(Plan.stages))
        .order_by(*NEWEST_FIRST)
    ).unique().all()
    if plan_id is None:
        return plans, (plans[0] if plans else None)
    plan = next((p for p in plans if p.id == plan_id), None)
    if plan is None:
        raise NotFound(_("评价方案不存在。"))
    return plans, plan


@cache
def _counts_statement():
    """The board's numbers in one statement (UNION ALL: one round trip to the database), built
    once per process with bound parameters (plan_id, on, soon), about two rows per section:

    - kind 0, per section: its name and its evaluations' count in each state (the columns in
      the workflow's order);
    - kind 1, per section and task state: its open tasks overdue and due soon (summed per
      section for the marks and per state for the stages' rows).

    The evaluations are found by their own copy of their project's plan and section, and the
    open tasks by their due date (each from an index; no join with the plan's projects)."""
    plan_id, on, soon = bindparam("plan_id"), bindparam("on", type_=Date), bindparam("soon", type_=Date)
    no_counts = [literal(0) for _name in state_names()]
    sums = tasks.urgency_sums(on, soon)
    urgency = (sums["overdue"], sums["due_soon"])
    # Counted per section first (in the index's order), then named: joining the sections'
    # names to 100 rows instead of 2,000.
    per_section = (
        select(Evaluation.section_id,
               *[func.count().filter(Evaluation.state == name).label(name) for name in state_names()])
        .where(Evaluation.plan_id == plan_id).group_by(Evaluation.section_id).subquery()
    )
    counts = (
        select(literal(0), per_section.c.section_id, Section.name, *[per_section.c[name] for name in state_names()],
               null(), literal(0), literal(0))
        .join(Section, Section.id == per_section.c.section_id)
    )
    # Only open tasks due by the end of the due-soon window: those due later (or undated) are
    # neither overdue nor due soon.
    urgencies = (
        select(literal(1), Evaluation.section_id, null(), *no_counts, Task.state, *urgency)
        .join(Task, Task.evaluation_id == Evaluation.id)
        .where(Evaluation.plan_id == plan_id, Task.completed_at.is_(None), Task.due_date <= soon)
        .group_by(Evaluation.section_id, Task.state)
    )
    return union_all(counts, urgencies)


def columns(plan):
    """The board's state columns: the states the plan's options use (no 待审批 where the
    group's passed review is the approval)."""
    return states_for_plan(plan)


def board(plan, on=None):
    on = on or tasks.today()
    soon = workdays.due_soon_until(on)
    rows = db.session.execute(_counts_statement(), {"plan_id": plan.id, "on": on, "soon": soon}).all()
    sections, urgencies, urgency_by_state = {}, [], {}
    for kind, section_id, name, *numbers in rows:
        *counts, task_state, n_overdue, n_soon = numbers
        if kind == 0:
            sections[section_id] = Row(section_id, name, counts={state: n for state, n in zip(state_names(), counts) if n},
                                       total=sum(counts))
        else:
            urgencies.append((section_id, task_state, n_overdue or 0, n_soon or 0))
    for section_id, task_state, n_overdue, n_soon in urgencies:
        row = sections[section_id]  # its evaluations were counted in the same statement
        row.overdue += n_overdue
        row.due_soon += n_soon
        o, s = urgency_by_state.get(task_state, (0, 0))
        urgency_by_state[task_state] = (o + n_overdue, s + n_soon)
    section_rows = sorted(sections.values(), key=lambda r: (-MARK_ORDER[r.mark], r.label))

    stage_rows = []
    by_state = {}
    for row in section_rows:
        for state, n in row.counts.items():
            by_state[state] = by_state.get(state, 0) + n
    for stage in plan.stages:
        row = Row(stage.kind, stage.name)
        for state in STATES:
            if state.stage == stage.kind:
                row.counts[state.name] = by_state.get(state.name, 0)
                row.total += row.counts[state.name]
                o, s = urgency_by_state.get(state.name, (0, 0))
                row.overdue += o
                row.due_soon += s
        row.stage = stage
        stage_rows.append(row)
    totals = Row("total", "", counts=by_state, total=sum(by_state.values()))
    return section_rows, stage_rows, totals
