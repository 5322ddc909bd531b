"""Plans (评价方案), their stages and projects: readable by the same roles as the plan pages."""
from flask_login import current_user

from workflow.api import present
from workflow.api.blueprints import ID, api_blueprint, refusals
from workflow.api.schemas import PlanDetailSchema, PlanSchema, ProjectQuery, ProjectSchema, StageSchema
from workflow.permissions import roles
from workflow.plans import services
from workflow.roles import Role

bp = api_blueprint("plans", "评价方案、阶段与项目")
# The roles of the pages plans.index and plans.detail.
plan_readers = roles(Role.OFFICE, Role.LEADER, Role.REVIEWER, Role.SECTION_STAFF, Role.FINANCE)


@bp.route("/plans")
@bp.response(200, PlanSchema(many=True))
@plan_readers
def list_plans():
    """All plans, newest first."""
    return [present.plan(p) for p in services.list_plans()]


@bp.route(f"/plans/<{ID}:plan_id>")
@refusals(bp, 403, 404)
@bp.response(200, PlanDetailSchema)
@plan_readers
def get_plan(plan_id):
    """One plan with its stages and working group."""
    return present.plan_detail(services.get_plan(plan_id))


@bp.route(f"/plans/<{ID}:plan_id>/stages")
@refusals(bp, 403, 404)
@bp.response(200, StageSchema(many=True))
@plan_readers
def list_stages(plan_id):
    """The plan's stages with their dates."""
    return [present.stage(s) for s in services.get_plan(plan_id).stages]


@bp.route(f"/plans/<{ID}:plan_id>/projects")
@refusals(bp, 403, 404)
@bp.arguments(ProjectQuery, location="query", as_kwargs=True)
@bp.response(200, ProjectSchema(many=True))
@plan_readers
def list_projects(plan_id, section=None):
    """The plan's projects with their evaluation's state, optionally of one section."""
    plan = services.get_plan(plan_id)
    return [present.project(p) for p in services.projects_of(plan, section, viewer=current_user)]


@bp.route(f"/projects/<{ID}:project_id>")
@refusals(bp, 403, 404)
@bp.response(200, ProjectSchema)
@plan_readers
def get_project(project_id):
    """One project (as listed on its plan's page)."""
    return present.project(services.get_project(project_id, viewer=current_user))
