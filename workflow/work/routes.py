from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workflow.admin.forms import ConfirmForm
from workflow.engine import audit, board, calendar, notify, outbox, tasks
from workflow.engine.definition import state_def
from workflow.errors import NotFound, ServiceError, status_of
from workflow.pagination import page_number
from workflow.permissions import logged_in, public, roles
from workflow.refusals import form_status, refused
from workflow.redirects import back
from workflow.roles import Role
from workflow.work import bp
from workflow.work import deputies
from workflow.work.forms import DeputyForm, ReassignForm


def _task_list(template, title, query, **extra):
    """One page of a task list: a large plan's office has hundreds of tasks."""
    return _render_tasks(template, title, tasks.page(query, _page_number()), **extra)


def _page_number():
    return page_number(request.args.get("page"))


def _render_tasks(template, title, page, **extra):
    # What the rows repeat (three links, a label and a note each) is looked up once per page,
    # not once per row: url_for and the translations are not free.
    return render_template(
        template, title=title, tasks=page.items, page=page, urgency=tasks.urgency,
        today=tasks.today(), labels=tasks.labels_of(page.items),
        evaluation_url=_id_url("evaluations.detail", "evaluation_id"),
        claim_url=_id_url("work.claim", "task_id"), reassign_url=_id_url("work.reassign", "task_id"),
        overdue_note=_("逾期 %(n)d 天"), remaining_note=_("剩余 %(n)d 天"), **extra,
    )


# A number no route's fixed text holds: where it stands in a path built with it, the id goes.
_MARKER = "2147483647"


def _id_url(endpoint, argument):
    """url_for(endpoint, argument=id) as a function of the id, the path built once: the same
    path as url_for's for every id (routing, SCRIPT_NAME) at the cost of a string join."""
    head, _marker, tail = url_for(endpoint, **{argument: int(_MARKER)}).rpartition(_MARKER)
    return lambda value: f"{head}{value}{tail}"


@bp.route("/inbox")
@logged_in
def inbox():
    return _render_tasks("work/tasks.html", _("我的待办"), tasks.inbox_page(current_user, _page_number()), tab="inbox")


@bp.route("/overdue")
@logged_in
def overdue():
    return _task_list("work/tasks.html", _("已逾期"), tasks.overdue_query_for(current_user), tab="overdue")


@bp.route("/due-soon")
@logged_in
def due_soon():
    return _task_list("work/tasks.html", _("即将到期"), tasks.due_soon_query_for(current_user), tab="due_soon")


@bp.route("/section")
@roles(Role.SECTION_STAFF, Role.OFFICE)
def section_queue():
    """A section's queue: one's own section, or any section for the office."""
    section_id = request.args.get("section", type=int)
    if Role.OFFICE not in current_user.roles or section_id is None:
        section_id = current_user.section_id
    if section_id is None:
        abort(404)
    return _task_list(
        "work/tasks.html", _("科室待办"), tasks.section_queue_query(section_id), tab="section",
        reassign_form=ReassignForm(),
    )


@bp.route("/tasks/<int:task_id>/claim", methods=["POST"])
@logged_in
def claim(task_id):
    try:
        task = tasks.get_task(task_id)
        if ConfirmForm().validate_on_submit():
            tasks.claim(task, current_user)
            flash(_("已领取待办。"), "success")
    except NotFound:
        abort(404)
    except ServiceError as error:
        return refused(error, "work.inbox")
    return back("work.inbox")


@bp.route("/tasks/<int:task_id>/reassign", methods=["GET", "POST"])
@logged_in
def reassign(task_id):
    try:
        task = tasks.get_task(task_id)
    except NotFound:
        abort(404)
    if not task.is_open:  # a done task is nobody's to hand over (the office included)
        abort(404)
    if not (tasks.may_act(task, current_user) or Role.OFFICE in current_user.roles):
        abort(403)
    form = ReassignForm()
    form.colleague_id.choices = [(u.id, u.full_name) for u in tasks.eligible_colleagues(task) if u.id != task.assignee_id]
    refusal = None
    if form.validate_on_submit():
        try:
            colleague = tasks.reassign(task, current_user, form.colleague_id.data)
        except ServiceError as error:
            flash(error.message, "danger")
            refusal = error
        else:
            flash(_("已转交给%(name)s。", name=colleague.full_name), "success")
            return redirect(url_for("work.inbox"))
    return render_template("work/reassign.html", task=task, form=form, state_def=state_def), form_status(refusal)


@bp.route("/board")
@roles(Role.OFFICE, Role.LEADER, Role.REVIEWER)
def progress_board():
    plan_id = request.args.get("plan", type=int)
    try:
        all_plans, plan = board.plans_and_choice(plan_id or None)
    except NotFound:
        abort(404)
    if plan is None:
        return render_template("work/board.html", plan=None)
    refusal = None
    try:
        filters = board.filters_from(request.args.get("q"), request.args.get("urgent"))
    except ServiceError as error:
        refusal, filters = error, board.Filters()
    # ?all=1: every section on one page, for printing the whole board.
    show_all = request.args.get("all") == "1"
    page, stage_rows, totals = board.board(
        plan, 1 if show_all else _page_number(), filters,
        size=board.ALL_SECTIONS if show_all else board.SECTIONS_PER_PAGE)
    return render_template(
        "work/board.html", plan=plan, page=page, section_rows=page.items, stage_rows=stage_rows, totals=totals,
        states=board.columns(plan), plans=all_plans, filters=filters, refusal=refusal, show_all=show_all,
        name_filter_max=board.NAME_FILTER_MAX,
    ), status_of(refusal) if refusal else 200


@bp.route("/notifications", methods=["GET", "POST"])
@logged_in
def notifications():
    if request.method == "POST":
        if ConfirmForm().validate_on_submit():
            notify.mark_all_read(current_user)
        return redirect(url_for("work.notifications"))
    return render_template("work/notifications.html", items=notify.recent(current_user), confirm=ConfirmForm())


@bp.route("/calendar", methods=["GET", "POST"])
@logged_in
def calendar_settings():
    if request.method == "POST" and ConfirmForm().validate_on_submit():
        calendar.renew_token(current_user)
        flash(_("已生成新的订阅地址，旧地址已失效。"), "success")
        return redirect(url_for("work.calendar_settings"))
    token = calendar.ensure_token(current_user)
    return render_template(
        "work/calendar.html", feed_url=url_for("work.calendar_feed", token=token, _external=True), confirm=ConfirmForm()
    )


@bp.route("/calendar/<token>.ics")
@public
def calendar_feed(token):
    """Public by URL: calendar programs cannot log in, so the secret token is the key."""
    user = calendar.user_for_token(token)
    if user is None:
        abort(404)
    return Response(calendar.feed(user), mimetype="text/calendar")


@bp.route("/audit.csv")
@roles(Role.OFFICE)
def audit_export():
    plan_id = request.args.get("plan", type=int)
    body = audit.export_csv(plan_id)
    return Response(
        body.encode("utf-8"), mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=audit-log.csv"},
    )


@bp.route("/deputies", methods=["GET", "POST"])
@logged_in
def deputies_page():
    """Name a deputy for a period (everyone for themself; the office for anyone) and see the
    delegations one gives or holds."""
    form = _deputy_form()
    refusal = None
    if form.validate_on_submit():
        try:
            deputies.name_deputy(current_user, form.principal_id.data, form.deputy_id.data, form.starts_on.data,
                                 form.ends_on.data, form.reason.data)
        except ServiceError as error:
            flash(error.message, "danger")
            refusal = error
        else:
            flash(_("已指定代理人。"), "success")
            return redirect(url_for("work.deputies_page"))
    return _deputies(form, form_status(refusal))


def _deputy_form():
    form = DeputyForm()
    people = deputies.candidates()
    choices = [(u.id, f"{u.full_name}（{u.section.name if u.section else '—'}）") for u in people]
    form.deputy_id.choices = choices
    if deputies.may_manage_for_others(current_user):
        form.principal_id.choices = choices
    else:
        form.principal_id.choices = [(current_user.id, current_user.full_name)]
    if request.method == "GET":
        form.principal_id.data = current_user.id
    return form


def _deputies(form, status):
    return render_template("work/deputies.html", form=form, tab="deputies", delegations=deputies.listed_for(current_user),
                           in_force=deputies.in_force, cancel_form=ConfirmForm(), today=tasks.today(),
                           others=deputies.may_manage_for_others(current_user)), status


@bp.route("/deputies/<int:delegation_id>/cancel", methods=["POST"])
@logged_in
def cancel_deputy(delegation_id):
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        deputies.cancel(current_user, delegation_id)
    except NotFound:
        abort(404)
    except ServiceError as error:
        flash(error.message, "danger")
        return _deputies(_deputy_form(), status_of(error))
    flash(_("已取消代理。"), "success")
    return redirect(url_for("work.deputies_page"))


@bp.route("/outbox")
@roles(Role.OFFICE)
def outbox_page():
    """The mail that has not gone out: given up, waiting for a retry, or not yet sent."""
    return _outbox_page()


def _outbox_page():
    return render_template("work/outbox.html", tab="outbox", page=outbox.unsent_page(_page_number()),
                           counts=outbox.counts(), mail_enabled=current_app.config["MAIL_ENABLED"],
                           is_claimed=outbox.is_claimed, confirm=ConfirmForm())


@bp.route("/outbox/<int:message_id>/retry", methods=["POST"])
@roles(Role.OFFICE)
def retry_mail(message_id):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        message = outbox.retry(message_id, current_user, request.remote_addr)
    except NotFound:
        abort(404)
    except ServiceError as error:
        flash(error.message, "warning")  # already sent, or a sender has it in hand
        return _outbox_page(), status_of(error)
    flash(_("发给 %(name)s 的邮件将在下一次发送时重试。", name=message.to_name or message.to_address), "success")
    return redirect(url_for("work.outbox_page"), code=303)


@bp.route("/outbox/retry-failed", methods=["POST"])
@roles(Role.OFFICE)
def retry_failed_mail():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    count = outbox.retry_failed(current_user, request.remote_addr)
    flash(_("%(n)d 封发送失败的邮件将在下一次发送时重试。", n=count), "success")
    return redirect(url_for("work.outbox_page"), code=303)
