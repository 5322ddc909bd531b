"""What the plan and evaluation pages show of the results feature (their routes add these to
the page's values: one line each)."""
from workflow.evaluations.services import sees_reported_only
from workflow.results import advice, links
from workflow.roles import Role


def plan_context(plan, projects, viewer):
    """Last year's result of each linked project, and the previous plan's results (not for the
    finance bureau, which reads only what was reported to it)."""
    if sees_reported_only(viewer):
        return {"last_results": {}, "previous_plan": None, "previous_results": []}
    earlier, rows = links.previous_results(plan)
    return {"last_results": links.last_results(projects), "previous_plan": earlier, "previous_results": rows}


def evaluation_context(evaluation, viewer):
    project = evaluation.project
    office = Role.OFFICE in viewer.roles
    return {
        "budget_advice": advice.advice_of(evaluation),
        "last_result": None if sees_reported_only(viewer) else links.last_results([project]).get(project.id),
        "previous_choices": links.choices(project) if office else [],
    }
