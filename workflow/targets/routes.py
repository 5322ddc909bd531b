from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workflow import scoring
from workflow.admin.forms import ConfirmForm
from workflow.engine import actions
from workflow.engine.definition import INITIAL_STATE
from workflow.errors import ServiceError, status_of
from workflow.evaluations.services import awaiting, visible_or_abort
from workflow.forms import error_messages
from workflow.permissions import roles
from workflow.refusals import field_problems, refused
from workflow.roles import Role
from workflow.selfeval import services as selfeval
from workflow.targets import bp, record, services
from workflow.targets.forms import ChangeRequestForm, DecisionForm

INDICATOR_KEYS = ("nature", "unit", "target")


def page_context(evaluation, user):
    """What the evaluation page shows of the targets: the approved record, the history of
    目标调整 and, for whoever may, the way to ask for or decide one. Nothing to read on a plan
    without targets approval (it has neither approved targets nor requests)."""
    if not evaluation.project.plan.targets_approval:
        return {"target_problems": [], "target_changes": [], "targets_approved": False, "may_request_target_change": False,
                "may_decide_target_change": False, "decision_form": None}
    changes = services.changes_of(evaluation)
    preparing = evaluation.state == INITIAL_STATE and selfeval.can_edit(evaluation, user)
    return {
        # What the section must still write before 提交绩效目标 (the button shows once complete).
        "target_problems": record.target_problems(evaluation) if preparing else [],
        "target_changes": [(change, services.rows(change), services.status_label(change)) for change in changes],
        "targets_approved": record.approved(evaluation) is not None,
        "may_request_target_change": services.request_refusal(evaluation, user) is None,
        "may_decide_target_change": Role.OFFICE in user.roles,
        "decision_form": DecisionForm() if Role.OFFICE in user.roles else None,
    }


def _asked(form):
    """The new targets posted as ``ind-<id>-nature|unit|target``: [IndicatorTarget]."""
    asked = {}
    for name in form:
        parts = name.split("-", 2)
        if len(parts) != 3 or parts[0] != "ind" or parts[2] not in INDICATOR_KEYS:
            continue
        try:
            indicator_id = int(parts[1])
        except ValueError:
            continue
        row = asked.setdefault(indicator_id, services.IndicatorTarget(indicator_id))
        setattr(row, parts[2], form.get(name))
    return list(asked.values())


def _render_request(evaluation, form, refusal=None, status=200, error=None):
    return render_template(
        "targets/request.html", evaluation=evaluation, project=evaluation.project, form=form, refusal=refusal,
        indicators=[ind for ind in evaluation.indicators if record.settable(ind)],
        values=request.form if request.method == "POST" else {}, natures=scoring.NATURE_LABELS,
        value_text=record.value_text, values_of=record.values_of, **field_problems(error),
    ), status


@bp.route("/evaluations/<int:evaluation_id>/change", methods=["GET", "POST"])
@roles(Role.SECTION_STAFF)
def request_change(evaluation_id):
    """The section asks to change its approved targets (目标调整)."""
    evaluation = visible_or_abort(evaluation_id, current_user)
    form = ChangeRequestForm()
    refusal = services.request_refusal(evaluation, current_user)
    if request.method == "GET":
        return _render_request(evaluation, form, refusal, 403 if refusal and services.refusal_code(
            evaluation, current_user) == "refused" else 200)
    if not form.validate_on_submit():
        flash("；".join(error_messages(form.errors)), "danger")
        return _render_request(evaluation, form, refusal, 422)
    try:
        services.request_change(evaluation.id, current_user, indicators=_asked(request.form),
                                overall_target=request.form.get("overall_target"), reason=form.reason.data,
                                address=request.remote_addr)
    except ServiceError as error:
        if not error.fields:
            flash(error.message, "danger")
        return _render_request(evaluation, form, services.request_refusal(evaluation, current_user),
                               status_of(error), error=error if error.fields else None)
    flash(_("目标调整申请已提交，待办公室审核；审核同意前绩效目标不变。"), "success")
    return redirect(url_for("evaluations.detail", evaluation_id=evaluation.id))


@bp.route("/changes")
@roles(Role.OFFICE)
def queue():
    """The office's queue: the projects whose targets wait for approval (批复, one by one on
    their page or several at once here) and the 目标调整 requests."""
    return render_template("targets/queue.html", pending=services.pending_queue(),
                           decided=services.recently_decided(), rows=services.rows,
                           status_label=services.status_label, decision_form=DecisionForm(),
                           submitted=awaiting(record.SUBMITTED_STATE), confirm=ConfirmForm())


@bp.route("/approve", methods=["POST"])
@roles(Role.OFFICE)
def approve_many():
    """批复绩效目标 of several projects at once, each through the engine on its own."""
    if not ConfirmForm().validate_on_submit():
        return refused(ServiceError(_("请刷新页面后重试。")), "targets.queue")
    ids = [int(v) for v in request.form.getlist("evaluation_id") if v.isdigit()]
    if not ids:
        return refused(ServiceError(_("请至少选择一个项目。")), "targets.queue")
    done, not_done = actions.perform_bulk(ids, "approve_targets", current_user, request.remote_addr)
    if done:
        flash(_("已批复 %(n)d 个项目的绩效目标。", n=len(done)), "success")
    for _id, reason in not_done:
        flash(reason, "danger")
    return redirect(url_for("targets.queue"))


@bp.route("/changes/<int:change_id>/decide", methods=["POST"])
@roles(Role.OFFICE)
def decide(change_id):
    form = DecisionForm()
    back = request.form.get("back") == "evaluation"
    try:
        change = services.get_change(change_id)
    except ServiceError as error:
        return refused(error, "targets.queue")
    evaluation = visible_or_abort(change.evaluation_id, current_user)
    target = ("evaluations.detail", {"evaluation_id": evaluation.id}) if back else ("targets.queue", {})
    if not form.validate_on_submit():
        return refused(ServiceError("；".join(error_messages(form.errors))), target[0], **target[1])
    try:
        services.decide(change.id, current_user, form.decision.data == "approve", form.comment.data or "",
                        address=request.remote_addr)
    except ServiceError as error:
        return refused(error, target[0], **target[1])
    flash(_("已同意调整绩效目标。") if form.decision.data == "approve" else _("已不同意调整绩效目标。"), "success")
    return redirect(url_for(target[0], **target[1]))
