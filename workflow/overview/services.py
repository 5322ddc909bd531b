"""The overview's numbers, read with a few aggregate queries; the page, its JSON and the charts
of the 报送汇总表 PDF show them.

Whose numbers: the office and the 组长 see every evaluation of the plan; the finance bureau
only what has been reported to it (evaluations.services.sees_reported_only), as on the plan
page. Amounts are Decimals; rates are unrounded ratios (scoring.execution_rate) and scores the
server's stored totals. as_json() turns an overview into what the page's script draws."""
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select

from workflow import numbers, scoring
from workflow.engine.definition import STATE_BY_NAME, states_for_plan, states_where
from workflow.evaluations.services import sees_reported_only
from workflow.extensions import db
from workflow.models import Evaluation, FundingRow, Plan, Project, Section
from workflow.models.evaluations import DEPARTMENT_SCOPE

GRADE_ORDER = scoring.GRADES  # 优, 良, 中, 差


@dataclass
class SectionProgress:
    name: str
    counts: dict  # state name -> number of evaluations
    total: int


@dataclass
class Execution:
    name: str  # the section
    budget: Decimal
    executed: Decimal
    projects: int

    @property
    def rate(self):
        return scoring.execution_rate(self.budget, self.executed) if self.budget else None


@dataclass
class ProjectYears:
    name: str
    section: str
    # budget year -> (score or None, execution rate or None)
    years: dict = field(default_factory=dict)


@dataclass
class Overview:
    plan: Plan
    states: list  # the plan's StateDefs, in the workflow's order
    stages: list  # (stage name, number of evaluations waiting in it)
    sections: list  # SectionProgress, in the sections' order (科室管理)
    execution: list  # Execution per section with figures, in the same order
    grades: list  # (grade code, number), best first
    years: list  # the budget years shown, oldest first
    projects: list  # ProjectYears of the plan's projects, by name
    reported_only: bool = False

    @property
    def total(self):
        return sum(row.total for row in self.sections)

    @property
    def execution_total(self):
        budget = sum((row.budget for row in self.execution), Decimal(0))
        executed = sum((row.executed for row in self.execution), Decimal(0))
        return Execution("", budget, executed, sum(row.projects for row in self.execution))


def _scope(query, plan_ids, viewer):
    """The evaluations of ``plan_ids`` the viewer sees: the projects' only. The overview counts
    and sums projects; the department's evaluation (部门整体, whose budget holds the projects'
    money too) would count them twice."""
    query = query.where(Evaluation.plan_id.in_(plan_ids),
                        Evaluation.project_id.not_in(select(Project.id).where(Project.scope == DEPARTMENT_SCOPE)))
    if viewer is not None and sees_reported_only(viewer):
        query = query.where(Evaluation.state.in_(states_where("with_finance")))
    return query


def overview(plan, viewer=None):
    """The overview of ``plan`` as ``viewer`` may see it (None: everything)."""
    states = states_for_plan(plan)
    counts = db.session.execute(
        _scope(select(Section.sort_order, Section.id, Section.name, Evaluation.state, func.count())
               .select_from(Evaluation).join(Section, Section.id == Evaluation.section_id), [plan.id], viewer)
        .group_by(Section.sort_order, Section.id, Section.name, Evaluation.state)
    ).all()
    # Sections in the administrator's order (科室管理), as everywhere else.
    by_section = defaultdict(dict)
    for order, section_id, name, state, n in counts:
        by_section[(order, section_id, name)][state] = n
    sections = [SectionProgress(key[2], by_section[key], sum(by_section[key].values())) for key in sorted(by_section)]
    by_state = defaultdict(int)
    for row in sections:
        for state, n in row.counts.items():
            by_state[state] += n
    stage_of = {name: state.stage for name, state in STATE_BY_NAME.items()}
    stages = [(stage.name, sum(n for state, n in by_state.items() if stage_of.get(state) == stage.kind))
              for stage in plan.stages]
    finished = sum(n for state, n in by_state.items() if stage_of.get(state) is None)
    if finished:
        # States past the last stage (已应用) wait in none: a row of their own.
        labels = [str(STATE_BY_NAME[s].label) for s in by_state if stage_of.get(s) is None]
        stages.append(("、".join(labels), finished))

    funding = db.session.execute(
        _scope(select(Section.sort_order, Section.id, Section.name, func.count(), func.sum(FundingRow.annual_budget),
                      func.sum(FundingRow.executed))
               .select_from(Evaluation).join(FundingRow, (FundingRow.evaluation_id == Evaluation.id) & (FundingRow.kind == "total"))
               .join(Section, Section.id == Evaluation.section_id)
               .where(FundingRow.annual_budget.is_not(None), FundingRow.executed.is_not(None)), [plan.id], viewer)
        .group_by(Section.sort_order, Section.id, Section.name)
    ).all()
    execution = [Execution(name, Decimal(budget), Decimal(executed), n)
                 for _order, _id, name, n, budget, executed in sorted(funding)]

    graded = dict(db.session.execute(
        _scope(select(Evaluation.grade, func.count()), [plan.id], viewer)
        .where(Evaluation.grade.is_not(None)).group_by(Evaluation.grade)
    ).all())
    grades = [(code, graded.get(code, 0)) for code in GRADE_ORDER]

    years, projects = project_years(plan, viewer)
    return Overview(plan, states, stages, sections, execution, grades, years, projects,
                    reported_only=viewer is not None and sees_reported_only(viewer))


def project_years(plan, viewer=None):
    """Each project of ``plan`` with its score and execution rate in every plan that has a
    project of the same name (the plans of several years, matched by the project's name):
    (the budget years, oldest first; ProjectYears by name)."""
    names = select(Project.name).where(Project.plan_id == plan.id)
    rows = db.session.execute(
        _scope(select(Project.name, Section.name, Plan.budget_year, Plan.id, Evaluation.total_score,
                      FundingRow.annual_budget, FundingRow.executed)
               .select_from(Evaluation).join(Project, Project.id == Evaluation.project_id)
               .join(Plan, Plan.id == Project.plan_id)
               .join(Section, Section.id == Project.section_id)
               .outerjoin(FundingRow, (FundingRow.evaluation_id == Evaluation.id) & (FundingRow.kind == "total")),
               select(Plan.id), viewer)
        .where(Project.name.in_(names))
        .order_by(Project.name, Plan.budget_year, Plan.id)
    ).all()
    projects, years = {}, set()
    for name, section, year, plan_id, score, budget, executed in rows:
        entry = projects.get(name)
        if entry is None:
            entry = projects[name] = ProjectYears(name, section)
        if plan_id == plan.id:
            entry.section = section  # this year's section
        rate = scoring.execution_rate(budget, executed) if budget and executed is not None else None
        # Two plans of one budget year: the later plan's figures (rows come in plan order).
        entry.years[year] = (score, rate)
        years.add(year)
    return sorted(years), [projects[name] for name in sorted(projects)]


# What the page's script draws -----------------------------------------------------------------

def _number(value):
    return None if value is None else float(value)


def as_json(view):
    """The overview as plain JSON for static/js/overview.js (labels in the reader's language)."""
    from workflow.scoring import GRADE_LABELS

    total = view.execution_total
    return {
        "plan": {"id": view.plan.id, "title": view.plan.title},
        "reported_only": view.reported_only,
        "stages": {"labels": [name for name, _n in view.stages], "counts": [n for _name, n in view.stages]},
        "sections": {
            "names": [row.name for row in view.sections],
            "states": [{"name": state.name, "label": str(state.label),
                        "counts": [row.counts.get(state.name, 0) for row in view.sections]}
                       for state in view.states],
        },
        "execution": {
            "names": [row.name for row in view.execution],
            "budget": [_number(row.budget) for row in view.execution],
            "executed": [_number(row.executed) for row in view.execution],
            "rates": [_number(numbers.percent(row.rate)) for row in view.execution],
            "total_rate": _number(numbers.percent(total.rate)),
        },
        "grades": {"codes": [code for code, _n in view.grades],
                   "labels": [str(GRADE_LABELS[code]) for code, _n in view.grades],
                   "counts": [n for _code, n in view.grades]},
        "years": {
            "years": view.years,
            "projects": [{"name": p.name, "section": p.section,
                          "scores": [_number(p.years.get(y, (None, None))[0]) for y in view.years],
                          "rates": [_number(numbers.percent(p.years.get(y, (None, None))[1])) for y in view.years]}
                         for p in view.projects],
        },
    }
