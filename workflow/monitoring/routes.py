"""The monitoring pages: thin, the rules are in services.py and warnings.py."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workflow import numbers, scoring
from workflow.admin.forms import ConfirmForm
from workflow.engine import tasks
from workflow.errors import Forbidden, NotFound, ServiceError, status_of
from workflow.forms import flash_errors
from workflow.monitoring import bp, prefill, services, warnings
from workflow.monitoring.forms import LagPointsForm, MonitoringDateForm, report_edit
from workflow.permissions import roles
from workflow.refusals import field_problems, page_with_status, refused
from workflow.roles import Role
from workflow.plans.lookup import plan_or_404

office_only = roles(Role.OFFICE)
# Who reads reports: the office, the group, and the sections (their own, services decide).
readers = roles(Role.OFFICE, Role.LEADER, Role.REVIEWER, Role.SECTION_STAFF)


def _date_or_404(monitoring_date_id):
    try:
        return services.get_date(monitoring_date_id)
    except NotFound:
        abort(404)


@bp.app_context_processor
def _globals():
    # The board, the overview and the 自评表 show the feature's part through these (their
    # templates include monitoring/_*.html); the engine's board knows nothing of it.
    return {"monitoring_warnings": services.current_warnings, "monitoring_start": prefill.starting_point}


@bp.route("/plans/<int:plan_id>")
@readers
def plan_index(plan_id):
    plan = plan_or_404(plan_id)
    manage = Role.OFFICE in current_user.roles
    return render_template("monitoring/plan.html", plan=plan, today=tasks.today(), manage=manage,
                           date_form=MonitoringDateForm(formdata=None),
                           lag_form=LagPointsForm(formdata=None, monitoring_lag_points=plan.monitoring_lag_points),
                           confirm=ConfirmForm(), plain=numbers.plain)


@bp.route("/plans/<int:plan_id>/dates", methods=["POST"])
@office_only
def add_date(plan_id):
    plan = plan_or_404(plan_id)
    form = MonitoringDateForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return page_with_status(422, "monitoring.plan_index", plan_id=plan.id)
    try:
        services.add_date(plan, form.as_of.data, form.due_date.data)
    except ServiceError as error:
        return refused(error, "monitoring.plan_index", plan_id=plan.id)
    flash(_("已添加监控时点。"), "success")
    return redirect(url_for("monitoring.plan_index", plan_id=plan.id))


@bp.route("/plans/<int:plan_id>/settings", methods=["POST"])
@office_only
def settings(plan_id):
    plan = plan_or_404(plan_id)
    form = LagPointsForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return page_with_status(422, "monitoring.plan_index", plan_id=plan.id)
    try:
        services.set_lag_points(plan, form.monitoring_lag_points.data)
    except ServiceError as error:
        return refused(error, "monitoring.plan_index", plan_id=plan.id)
    flash(_("已保存预警线。"), "success")
    return redirect(url_for("monitoring.plan_index", plan_id=plan.id))


@bp.route("/dates/<int:monitoring_date_id>/edit", methods=["GET", "POST"])
@office_only
def edit_date(monitoring_date_id):
    monitoring_date = _date_or_404(monitoring_date_id)
    form = MonitoringDateForm(obj=monitoring_date)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.update_date(monitoring_date, form.as_of.data, form.due_date.data)
            except ServiceError as error:
                flash(error.message, "danger")
                status = status_of(error)
                monitoring_date = _date_or_404(monitoring_date_id)
            else:
                flash(_("已保存监控时点。"), "success")
                return redirect(url_for("monitoring.plan_index", plan_id=monitoring_date.plan_id))
        else:
            status = 422
    return render_template("monitoring/date_form.html", form=form, monitoring_date=monitoring_date), status


@bp.route("/dates/<int:monitoring_date_id>/remove", methods=["POST"])
@office_only
def remove_date(monitoring_date_id):
    monitoring_date = _date_or_404(monitoring_date_id)
    plan_id = monitoring_date.plan_id
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.remove_date(monitoring_date)
    except ServiceError as error:
        return refused(error, "monitoring.plan_index", plan_id=plan_id)
    flash(_("已删除监控时点。"), "success")
    return redirect(url_for("monitoring.plan_index", plan_id=plan_id))


@bp.route("/dates/<int:monitoring_date_id>")
@readers
def date_page(monitoring_date_id):
    monitoring_date = _date_or_404(monitoring_date_id)
    return render_template("monitoring/date.html", monitoring_date=monitoring_date, plan=monitoring_date.plan,
                           evaluations=services.evaluations_of(monitoring_date, current_user),
                           reports=services.reports_by_evaluation(monitoring_date), today=tasks.today())


@bp.route("/dates/<int:monitoring_date_id>/warnings")
@roles(Role.OFFICE, Role.LEADER, Role.REVIEWER)
def date_warnings(monitoring_date_id):
    monitoring_date = _date_or_404(monitoring_date_id)
    return render_template("monitoring/warnings.html", monitoring_date=monitoring_date, plan=monitoring_date.plan,
                           flagged=services.date_warnings(monitoring_date))


def _render_report(monitoring_date, evaluation, report, values=None, status=200, error=None):
    refusal = services.write_refusal(report, evaluation, current_user)
    indicators = services.monitored_indicators(evaluation)
    budget = services.annual_budget(evaluation)
    return render_template(
        "monitoring/report.html", monitoring_date=monitoring_date, plan=monitoring_date.plan, evaluation=evaluation,
        project=evaluation.project, report=report, indicators=indicators,
        rows={row.indicator_id: row for row in report.progress} if report else {},
        alerts=services.alerts(report, evaluation, budget) if report else [],
        editable=refusal is None, refusal=refusal, budget=budget, values=values or {},
        **field_problems(error),
        elapsed=warnings.elapsed_share(monitoring_date.as_of), natures=scoring.NATURE_LABELS,
        plain=numbers.plain, percent_text=numbers.percent_text,
        rate=(scoring.execution_rate(budget, report.executed)
              if report and budget is not None and report.executed is not None else None),
    ), status


@bp.route("/dates/<int:monitoring_date_id>/evaluations/<int:evaluation_id>", methods=["GET", "POST"])
@readers
def report(monitoring_date_id, evaluation_id):
    monitoring_date = _date_or_404(monitoring_date_id)
    try:
        evaluation, found = services.readable(monitoring_date, evaluation_id, current_user)
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)
    if request.method == "GET":
        return _render_report(monitoring_date, evaluation, found)
    # Whether the person may write is asked before what they typed.
    refusal = services.write_refusal(found, evaluation, current_user)
    if refusal:
        flash(refusal, "danger")
        return _render_report(monitoring_date, evaluation, found, status=403)
    submit = request.form.get("action") == "submit"
    try:
        services.save(monitoring_date, evaluation.id, current_user,
                      report_edit(request.form, services.monitored_indicators(evaluation)),
                      submit=submit, address=request.remote_addr)
    except ServiceError as error:
        if not error.fields:
            flash(error.message, "danger")
        monitoring_date = _date_or_404(monitoring_date_id)
        evaluation, found = services.readable(monitoring_date, evaluation_id, current_user)
        return _render_report(monitoring_date, evaluation, found, values=request.form, status=status_of(error),
                              error=error if error.fields else None)
    flash(_("已报送运行监控情况。") if submit else _("已保存草稿。"), "success")
    return redirect(url_for("monitoring.report", monitoring_date_id=monitoring_date.id, evaluation_id=evaluation.id))
