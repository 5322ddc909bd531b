"""The office's own days off (休息日), which every deadline skips like a public holiday."""
from flask_login import current_user

from workflow.api import present
from workflow.api.blueprints import DATE, api_blueprint, refusals
from workflow.api.plan_schemas import DayOffInput, DayOffSchema
from workflow.engine import tasks
from workflow.permissions import roles
from workflow.plans import days_off
from workflow.roles import Role

bp = api_blueprint("days_off", "办公室休息日")
office_only = roles(Role.OFFICE)
OFFICE_ONLY = "只有办公室可以执行"


@bp.route("/days-off")
@bp.response(200, DayOffSchema(many=True))
@refusals(bp, {403: OFFICE_ONLY})
@office_only
def list_days_off():
    """The days off from a month ago on, as the page lists them."""
    return [present.day_off(d) for d in days_off.listed(tasks.today())]


@bp.route("/days-off", methods=["POST"])
@bp.arguments(DayOffInput)
@bp.response(201, DayOffSchema)
@refusals(bp, {403: OFFICE_ONLY, 409: "该日已登记为休息日", 422: "数值不符合要求；该日本就不是工作日"})
@office_only
def add_day_off(data):
    """Add a day off; the open tasks' due dates move."""
    days_off.add(data["day"], data["note"], current_user)
    return {"day": data["day"], "note": data["note"].strip()}


@bp.route(f"/days-off/<{DATE}:day>", methods=["DELETE"])
@bp.response(204)
@refusals(bp, {403: OFFICE_ONLY, 404: "没有该休息日"})
@office_only
def remove_day_off(day):
    """Remove a day off; the open tasks' due dates move back."""
    days_off.remove(day)
