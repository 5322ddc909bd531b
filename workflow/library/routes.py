"""The library's pages: thin, the rules are services'."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workflow import scoring
from workflow.admin.forms import ConfirmForm
from workflow.errors import NotFound, ServiceError, status_of
from workflow.evaluations.services import visible_or_abort
from workflow.forms import flash_errors
from workflow.library import bp, services
from workflow.library.forms import EntryForm
from workflow.library.terms import BASES, CATEGORIES
from workflow.permissions import logged_in, roles
from workflow.refusals import form_status, page_with_status, refused
from workflow.roles import Role
from workflow.plans.lookup import plan_or_404

office_only = roles(Role.OFFICE)


def _entry_or_404(entry_id):
    try:
        return services.get_entry(entry_id)
    except NotFound:
        abort(404)


def _data(form):
    return services.EntryData(**{key: form[key].data or "" for key in (*services.FIELDS, "target")})


@bp.route("/plans/<int:plan_id>")
@roles(Role.OFFICE, Role.LEADER, Role.REVIEWER, Role.SECTION_STAFF)
def index(plan_id):
    """The plan's library by 项目类别; the office adds, edits and retires entries."""
    plan = plan_or_404(plan_id)
    category = request.args.get("category") or ""
    if category and category not in CATEGORIES:
        category = ""
    rows = services.entries(plan, category or None)
    form = EntryForm(category=category or None)
    return render_template(
        "library/index.html", plan=plan, rows=rows, category=category, categories=CATEGORIES,
        bases=BASES, natures=scoring.NATURE_LABELS, counts=services.counts(plan), form=form, confirm=ConfirmForm(),
        outside=services.outside_framework(plan, rows), may_manage=Role.OFFICE in current_user.roles,
    )


@bp.route("/plans/<int:plan_id>/entries", methods=["POST"])
@office_only
def add(plan_id):
    plan = plan_or_404(plan_id)
    form = EntryForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return page_with_status(422, "library.index", plan_id=plan.id)
    try:
        entry = services.add_entry(plan, _data(form))
    except ServiceError as error:
        return refused(error, "library.index", plan_id=plan.id)
    flash(_("已将“%(name)s”加入指标库。", name=entry.name), "success")
    return redirect(url_for("library.index", plan_id=plan.id, category=entry.category))


@bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@office_only
def edit(entry_id):
    refusal = None
    entry = _entry_or_404(entry_id)
    form = EntryForm(obj=entry)
    if request.method == "GET":
        form.target.data = entry.target_text if entry.nature == scoring.QUALITATIVE else (
            "" if entry.target is None else format(entry.target.normalize(), "f"))
    if form.validate_on_submit():
        try:
            services.update_entry(entry, _data(form))
        except ServiceError as error:
            flash(error.message, "danger")
            refusal = error
        else:
            flash(_("已保存指标“%(name)s”。", name=entry.name), "success")
            return redirect(url_for("library.index", plan_id=entry.plan_id, category=entry.category))
    elif request.method == "POST":
        flash_errors(form)
    return render_template("library/edit.html", form=form, entry=entry), form_status(refusal)


@bp.route("/entries/<int:entry_id>/retire", methods=["POST"])
@office_only
def retire(entry_id):
    """停用 (or, with retired=no, 恢复) an entry: kept, no longer offered to projects."""
    entry = _entry_or_404(entry_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("页面已过期，请刷新后重试。"), "danger")
        return page_with_status(400, "library.index", plan_id=entry.plan_id)
    retired = request.form.get("retired", "yes") != "no"
    services.set_retired(entry, retired)
    flash(_("已停用指标“%(name)s”。", name=entry.name) if retired else _("已恢复指标“%(name)s”。", name=entry.name),
          "success")
    return redirect(url_for("library.index", plan_id=entry.plan_id, category=entry.category))


@bp.route("/evaluations/<int:evaluation_id>/add", methods=["POST"])
@logged_in
def add_to_evaluation(evaluation_id):
    """从指标库添加: the section adds its project's category's entries to its 自评表."""
    evaluation = visible_or_abort(evaluation_id, current_user)
    if not ConfirmForm().validate_on_submit():
        return _form_page(evaluation, _("页面已过期，请刷新后重试。"), 400)
    ids = [int(value) for value in request.form.getlist("entry") if value.isdigit()]
    try:
        added, left_out = services.add_to_evaluation(evaluation, ids, current_user)
    except ServiceError as error:
        return _form_page(evaluation, error.message, status_of(error))
    flash(_("已从指标库添加 %(n)d 项指标。", n=added), "success")
    if left_out:
        flash(_("%(n)d 项指标已在自评表中或不在本方案的指标体系内，未添加。", n=left_out), "info")
    return redirect(url_for("selfeval.form", evaluation_id=evaluation.id))


def _form_page(evaluation, message, status):
    """The 自评表 with ``message`` (its view also takes POSTs: rendered here, not re-run)."""
    from workflow.selfeval.routes import _render

    flash(message, "danger")
    body, _status = _render(visible_or_abort(evaluation.id, current_user))
    return body, status
