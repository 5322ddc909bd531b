"""The progress board: counts per section and per stage, with red / yellow / green marks.
Everything is read from evaluations and their open tasks with a few aggregate queries.

A city's plan has a thousand sections: the board shows them a page at a time (worst first,
then by name), optionally only those whose name contains a text or only those with overdue
or due-soon tasks; the stages' rows and the totals are the whole plan's on every page."""
from dataclasses import dataclass, field
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import Date, bindparam, case, func, select
from sqlalchemy.orm import joinedload, load_only

from workflow.engine import tasks, workdays
from workflow.engine.definition import STATES, states_for_plan
from workflow.errors import NotFound, ServiceError
from workflow.extensions import db
from workflow.models import Evaluation, Plan, Section, Task
from workflow.models.plans import NEWEST_FIRST
from workflow.pagination import Pages

# Sections a page; the print of the whole board (all=1) shows every section on one.
SECTIONS_PER_PAGE = 25
ALL_SECTIONS = 100000
# The longest text the section filter takes (a section's name is far shorter).
NAME_FILTER_MAX = 50


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


@dataclass
class Filters:
    """Which sections the board lists: those whose name contains ``name`` (all if empty),
    only those with overdue or due-soon tasks (``urgent``)."""
    name: str = ""
    urgent: bool = False

    @property
    def active(self):
        return bool(self.name or self.urgent)


def filters_from(name, urgent):
    """The board's filters from its query arguments: ``q`` (a part of a section's name) and
    ``urgent`` ("1": only sections with overdue or due-soon tasks). A ServiceError for a
    value they cannot take."""
    name = (name or "").strip()
    if len(name) > NAME_FILTER_MAX:
        raise ServiceError(_("科室名称最多 %(n)d 个字。", n=NAME_FILTER_MAX), fields={"q": True})
    if urgent not in (None, "", "0", "1"):
        raise ServiceError(_("“只看逾期或即将到期”的取值无效。"), fields={"urgent": True})
    return Filters(name, urgent == "1")


def plans_and_choice(plan_id=None):
    """The plans the board's picker offers (newest first) and the one to show: ``plan_id``'s,
    or the newest; with every plan's stages, in one query. Only the plans' titles and years
    and the options that decide the board's columns (columns()): not their long texts (basis
    documents, principles, requirements, the framework)."""
    plans = db.session.scalars(
        select(Plan).options(load_only(Plan.title, Plan.budget_year, Plan.run_year, Plan.targets_approval,
                                       Plan.approval_required), joinedload(Plan.stages))
        .order_by(*NEWEST_FIRST)
    ).unique().all()
    if plan_id is None:
        return plans, (plans[0] if plans else None)
    plan = next((p for p in plans if p.id == plan_id), None)
    if plan is None:
        raise NotFound(_("评价方案不存在。"))
    return plans, plan


# The board's statements are built once per process, with the plan, the day and the end of
# the due-soon window as bound parameters (plan_id, on, soon): a city's board is a query of
# several parts, whose building and cache key cost as much as the database's work.
def _bound_dates():
    return bindparam("plan_id"), bindparam("on", type_=Date), bindparam("soon", type_=Date)


@cache
def _sections():
    """A row per section with evaluations in the plan: its name, its evaluations' count in
    each state (the columns in the workflow's order) and in all, its open tasks overdue and
    due soon, its rank (0 red, 1 yellow, 2 green), and — window sums over every section, before
    any filter — the plan's totals per state and in all. The evaluations are found by their own
    copy of their project's plan and section, and the open tasks by their due date (each from
    an index; no join with the plan's projects)."""
    plan_id, on, soon = _bound_dates()
    names = state_names()
    counts = (
        select(Evaluation.section_id, func.count().label("evaluations"),
               *[func.count().filter(Evaluation.state == name).label(name) for name in names])
        .where(Evaluation.plan_id == plan_id).group_by(Evaluation.section_id).subquery("counts")
    )
    sums = tasks.urgency_sums(on, soon)
    # Only open tasks due by the end of the due-soon window: those due later (or undated) are
    # neither overdue nor due soon.
    urgent = (
        select(Evaluation.section_id, sums["overdue"].label("overdue"), sums["due_soon"].label("due_soon"))
        .join(Task, Task.evaluation_id == Evaluation.id)
        .where(Evaluation.plan_id == plan_id, Task.completed_at.is_(None), Task.due_date <= soon)
        .group_by(Evaluation.section_id).subquery("urgent")
    )
    overdue, due_soon = func.coalesce(urgent.c.overdue, 0), func.coalesce(urgent.c.due_soon, 0)
    return (
        select(counts.c.section_id, Section.name, counts.c.evaluations, *[counts.c[name] for name in names],
               overdue.label("overdue"), due_soon.label("due_soon"),
               case((overdue > 0, 0), (due_soon > 0, 1), else_=2).label("rank"),
               func.sum(counts.c.evaluations).over().label("all_evaluations"),
               *[func.sum(counts.c[name]).over().label(f"all_{name}") for name in names])
        .join(Section, Section.id == counts.c.section_id)
        .outerjoin(urgent, urgent.c.section_id == counts.c.section_id)
        .subquery("sections")
    )


@cache
def _section_pages(by_name, urgent_only):
    """The pages of the section rows, worst first and then by name: those whose name is like
    the bound ``name_pattern`` (``by_name``), only the red and yellow ones (``urgent_only``)."""
    sections = _sections()
    conditions = []
    if by_name:
        conditions.append(sections.c.name.like(bindparam("name_pattern"), escape="/"))
    if urgent_only:
        conditions.append(sections.c.rank < 2)
    query = (select(sections).where(*conditions)
             .order_by(sections.c.rank, sections.c.name, sections.c.section_id))
    return Pages(query, whole_rows=True)


@cache
def _totals_statement():
    """The plan's totals per state and in all, read on their own: when no section is listed."""
    sections = _sections()
    return select(func.sum(sections.c.evaluations).label("all_evaluations"),
                  *[func.sum(sections.c[name]).label(f"all_{name}") for name in state_names()])


@cache
def _urgency_statement():
    """(task state, overdue, due soon) of the plan's open tasks."""
    plan_id, on, soon = _bound_dates()
    sums = tasks.urgency_sums(on, soon)
    return (
        select(Task.state, sums["overdue"], sums["due_soon"])
        .join(Evaluation, Evaluation.id == Task.evaluation_id)
        .where(Evaluation.plan_id == plan_id, Task.completed_at.is_(None), Task.due_date <= soon)
        .group_by(Task.state)
    )


def _name_pattern(text):
    """A LIKE pattern for names that contain ``text`` as it is (its % and _ not wildcards)."""
    for character in ("/", "%", "_"):
        text = text.replace(character, "/" + character)
    return f"%{text}%"


def _section_row(row):
    return Row(row.section_id, row.name, counts={name: n for name in state_names() if (n := row._mapping[name])},
               total=row.evaluations, overdue=row.overdue, due_soon=row.due_soon)


def _totals(page_rows, params):
    """The plan's totals per state: the window sums on any row of the page, or (no section
    listed: none matches the filter) the same sums read on their own."""
    names = state_names()
    values = (page_rows[0] if page_rows else db.session.execute(_totals_statement(), params).one())._mapping
    counts = {name: values[f"all_{name}"] or 0 for name in names}
    return Row("total", "", counts={name: n for name, n in counts.items() if n}, total=values["all_evaluations"] or 0)


def columns(plan):
    """The board's state columns: the states the plan's options use (no 待审批 where the
    group's passed review is the approval)."""
    return states_for_plan(plan)


def board(plan, number=1, filters=None, size=SECTIONS_PER_PAGE, on=None):
    """Page ``number`` of the plan's section rows (a pagination.Page of Row, worst first, then
    by name; past the end, the last page) that match ``filters``, the stages' rows and the
    totals row (both over the whole plan, whatever the page and the filters)."""
    filters = filters or Filters()
    on = on or tasks.today()
    params = {"plan_id": plan.id, "on": on, "soon": workdays.due_soon_until(on)}
    if filters.name:
        params["name_pattern"] = _name_pattern(filters.name)
    page = _section_pages(bool(filters.name), filters.urgent).page(number, size, params)
    totals = _totals(page.items, params)
    page.items = [_section_row(row) for row in page.items]

    urgency_by_state = {state: (overdue or 0, due_soon or 0)
                        for state, overdue, due_soon in db.session.execute(_urgency_statement(), params)}
    stage_rows = []
    for stage in plan.stages:
        row = Row(stage.kind, stage.name)
        for state in STATES:
            if state.stage == stage.kind:
                row.counts[state.name] = totals.counts.get(state.name, 0)
                row.total += row.counts[state.name]
                o, s = urgency_by_state.get(state.name, (0, 0))
                row.overdue += o
                row.due_soon += s
        row.stage = stage
        stage_rows.append(row)
    return page, stage_rows, totals
