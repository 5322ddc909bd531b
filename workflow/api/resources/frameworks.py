"""A plan's indicator framework (指标体系) and the indicator library (指标库), as on the
framework and library pages: the office changes the framework, the evaluations not yet
filled follow it."""
from workflow.api import guards, present
from workflow.api.blueprints import ID, api_blueprint, refusals
from workflow.api.plan_schemas import FrameworkInput, FrameworkSchema, LibraryItemSchema, LibraryQuery, TemplateInput
from workflow.permissions import roles
from workflow.plans import services as plans
from workflow.roles import Role
from workflow.selfeval import framework

bp = api_blueprint("frameworks", "指标体系与指标库")
office_only = roles(Role.OFFICE)

OFFICE_ONLY = "只有办公室可以执行"
NO_PLAN = "评价方案不存在"


def _plan_exists(plan_id, **_kwargs):
    plans.get_plan(plan_id)


def _framework(plan, refreshed=None):
    return present.framework(plan, framework.TEMPLATES, framework.level1_totals(plan), refreshed)


@bp.route(f"/plans/<{ID}:plan_id>/framework")
@bp.response(200, FrameworkSchema)
@refusals(bp, {403: OFFICE_ONLY, 404: NO_PLAN})
@office_only
def get_framework(plan_id):
    """The plan's indicators (一级、二级、三级指标 and 分值) with the totals per 一级指标."""
    plan = plans.get_plan(plan_id)
    framework.ensure_plan_framework(plan)
    return _framework(plan)


@bp.route(f"/plans/<{ID}:plan_id>/framework", methods=["PUT"])
@guards.rule_before_body(_plan_exists)
@bp.arguments(FrameworkInput)
@bp.response(200, FrameworkSchema)
@refusals(bp, {403: OFFICE_ONLY, 404: NO_PLAN, 422: "数值不符合要求；分值之和不是 100"})
@office_only
def put_framework(data, plan_id):
    """Replace the indicators (in the order sent; the weights must add up to 100)."""
    plan = plans.get_plan(plan_id)
    refreshed = framework.update_indicators(plan, data["indicators"])
    return _framework(plan, refreshed)


@bp.route(f"/plans/<{ID}:plan_id>/framework/reset", methods=["POST"])
@guards.rule_before_body(_plan_exists)
@bp.arguments(TemplateInput)
@bp.response(200, FrameworkSchema)
@refusals(bp, {403: OFFICE_ONLY, 404: NO_PLAN, 422: "未知的指标模板"})
@office_only
def reset_framework(data, plan_id):
    """Replace the indicators by a fresh copy of a template."""
    plan = plans.get_plan(plan_id)
    refreshed = framework.reset_to_template(plan, data["template"])
    return _framework(plan, refreshed)


@bp.route("/indicator-library")
@bp.arguments(LibraryQuery, location="query", as_kwargs=True)
@bp.response(200, LibraryItemSchema(many=True))
@refusals(bp, {403: "办公室、科室、复核人与组长可以查阅"})
@roles(Role.OFFICE, Role.SECTION_STAFF, Role.REVIEWER, Role.LEADER)
def indicator_library(q=""):
    """三级指标 used before, with their levels and units (at most 200), optionally those
    whose name contains ``q``."""
    return framework.library(q.strip(), limit=200)
