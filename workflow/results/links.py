"""Projects across years: which project of the previous year's plan a project continues, and
what that one's result and 预算安排建议 were.

The previous plan of a plan is the one it was copied from (plans.services.copy_plan sets
Plan.previous_plan_id); a plan made from scratch has none, unless one plan of the budget year
before exists, which is then its previous plan.

A new project (signals.project_created: added by hand, imported, or by the API) is linked
(Project.previous_project_id) to the project of the previous plan that has the same section
and the same name, or the same name once the year in it moves on with the budget year
("2019年度…项目" then "2020年度…项目"); when there is not exactly one such project, it stays
unlinked. The office may choose the previous project, or none, on the evaluation page.
"""
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workflow import signals
from workflow.errors import ServiceError
from workflow.extensions import db
from workflow.models import Plan, Project
from workflow.results import advice
from workflow.roles import Role


@dataclass
class LastResult:
    """The previous year's project with its result (Advice; None if it has none yet)."""

    project: Project
    advice: advice.Advice | None


def previous_plan(plan):
    if plan.previous_plan_id is not None:
        return plan.previous_plan
    candidates = db.session.scalars(select(Plan).where(
        Plan.budget_year == plan.budget_year - 1, Plan.id != plan.id).limit(2)).all()
    return candidates[0] if len(candidates) == 1 else None


def _shifted(name, source, target):
    return name.replace(str(source.budget_year), str(target.budget_year))


def matching_project(project, earlier):
    """The project of ``earlier`` that ``project`` continues by the rule above, or None."""
    candidates = db.session.scalars(select(Project).where(
        Project.plan_id == earlier.id, Project.section_id == project.section_id)).all()
    same = [p for p in candidates if project.name in (p.name, _shifted(p.name, earlier, project.plan))]
    return same[0] if len(same) == 1 else None


@signals.project_created.connect
def link_new_project(project):
    """Link a new project to last year's (flushed, not committed: the creator commits)."""
    earlier = previous_plan(project.plan)
    if earlier is None or project.previous_project_id is not None:
        return
    match = matching_project(project, earlier)
    if match is not None:
        project.previous_project_id = match.id


def choices(project):
    """The projects of the previous plan the office may choose from (by section, then name)."""
    earlier = previous_plan(project.plan)
    if earlier is None:
        return []
    return db.session.scalars(select(Project).where(Project.plan_id == earlier.id)
                              .options(selectinload(Project.section))
                              .order_by(Project.section_id, Project.name)).all()


def choose_previous(project, previous_id, actor):
    """The office links ``project`` to the previous plan's project ``previous_id`` (None: to
    none)."""
    if Role.OFFICE not in actor.roles:
        raise ServiceError(_("只有办公室可以关联上年项目。"), code="forbidden")
    if previous_id is not None and previous_id not in {p.id for p in choices(project)}:
        raise ServiceError(_("请选择上一年度方案中的项目。"))
    project.previous_project_id = previous_id
    db.session.commit()
    return project


def last_results(projects):
    """{project id: LastResult} for those of ``projects`` linked to a previous project, in a
    fixed number of queries."""
    ids = {p.previous_project_id for p in projects if p.previous_project_id is not None}
    if not ids:
        return {}
    earlier = {p.id: p for p in db.session.scalars(
        select(Project).where(Project.id.in_(ids)).options(selectinload(Project.evaluation),
                                                           selectinload(Project.plan)))}
    counts = advice.open_rectification_counts([p.evaluation.id for p in earlier.values()])
    return {p.id: LastResult(earlier[p.previous_project_id],
                             advice.advice_of(earlier[p.previous_project_id].evaluation,
                                              earlier[p.previous_project_id].plan,
                                              counts.get(earlier[p.previous_project_id].evaluation.id, 0)))
            for p in projects if p.previous_project_id in earlier}


def previous_results(plan):
    """The previous plan and its projects' results, for the next plan's page: (plan or None,
    [LastResult], best grade first, then by section and name)."""
    earlier = previous_plan(plan)
    if earlier is None:
        return None, []
    projects = db.session.scalars(select(Project).where(Project.plan_id == earlier.id)
                                  .options(selectinload(Project.evaluation), selectinload(Project.section))
                                  .order_by(Project.section_id, Project.name)).all()
    by_evaluation = advice.advice_of_many([p.evaluation for p in projects], earlier)
    return earlier, [LastResult(p, by_evaluation[p.evaluation.id]) for p in projects]
