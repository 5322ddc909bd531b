from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workflow.admin.forms import ConfirmForm
from workflow.department import bp, services
from workflow.errors import NotFound, ServiceError
from workflow.forms import flash_errors
from workflow.permissions import roles
from workflow.plans.services import get_plan
from workflow.refusals import page_with_status, refused
from workflow.roles import Role


@bp.route("/plans/<int:plan_id>", methods=["POST"])
@roles(Role.OFFICE)
def create(plan_id):
    """The office creates the plan's 部门整体支出绩效自评."""
    try:
        plan = get_plan(plan_id)
    except NotFound:
        abort(404)
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return page_with_status(422, "plans.detail", plan_id=plan.id)
    try:
        project = services.create(plan, current_user)
    except ServiceError as error:
        return refused(error, "plans.detail", plan_id=plan.id)
    flash(_("已创建部门整体支出绩效自评，由%(section)s填报。", section=project.section.name), "success")
    return redirect(url_for("evaluations.detail", evaluation_id=project.evaluation.id))
