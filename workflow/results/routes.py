"""The plan's results with their 预算安排建议 and the office's settings; linking a project to
last year's. Thin: the rules are in advice.py and links.py."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workflow import scoring
from workflow.errors import NotFound, ServiceError
from workflow.forms import flash_errors
from workflow.permissions import roles
from workflow.plans import services as plans
from workflow.refusals import page_with_status, refused
from workflow.results import advice, bp, links
from workflow.results.forms import AdviceSettingsForm
from workflow.roles import Role
from workflow.plans.lookup import plan_or_404


@bp.route("/<int:plan_id>/results")
@roles(Role.OFFICE, Role.LEADER, Role.REVIEWER)
def plan_results(plan_id):
    """The plan's results list (score, grade, 预算安排建议) and last year's."""
    plan = plan_or_404(plan_id)
    projects = plans.projects_of(plan)
    form = AdviceSettingsForm(formdata=None, data={**{k: str(v) for k, v in advice.mapping(plan).items()},
                                                   "score_text_decimals": plan.score_text_decimals})
    earlier, last_year = links.previous_results(plan)
    return render_template("results/plan.html", plan=plan, projects=projects,
                           advice=advice.advice_of_many([p.evaluation for p in projects], plan),
                           form=form, grades=scoring.GRADES, earlier=earlier, last_year=last_year,
                           last=links.last_results(projects))


@bp.route("/<int:plan_id>/results/settings", methods=["POST"])
@roles(Role.OFFICE)
def settings(plan_id):
    plan = plan_or_404(plan_id)
    form = AdviceSettingsForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return page_with_status(422, "results.plan_results", plan_id=plan.id)
    try:
        advice.set_settings(plan, {grade: getattr(form, grade).data for grade in scoring.GRADES},
                            form.score_text_decimals.data, current_user)
    except ServiceError as error:
        return refused(error, "results.plan_results", plan_id=plan.id)
    flash(_("已保存预算安排建议。"), "success")
    return redirect(url_for("results.plan_results", plan_id=plan.id))


@bp.route("/projects/<int:project_id>/previous", methods=["POST"])
@roles(Role.OFFICE)
def choose_previous(project_id):
    """The office links a project to last year's (or to none)."""
    try:
        project = plans.get_project(project_id)
    except NotFound:
        abort(404)
    endpoint = "evaluations.detail"   # (CSRF: checked for every POST by CSRFProtect)
    raw = (request.form.get("previous_project_id") or "").strip()
    if raw and not raw.isdigit():
        flash(_("请选择上一年度方案中的项目。"), "danger")
        return page_with_status(422, endpoint, evaluation_id=project.evaluation.id)
    try:
        links.choose_previous(project, int(raw) if raw else None, current_user)
    except ServiceError as error:
        return refused(error, endpoint, evaluation_id=project.evaluation.id)
    flash(_("已关联上年项目。") if raw else _("已取消关联上年项目。"), "success")
    return redirect(url_for(endpoint, evaluation_id=project.evaluation.id))
