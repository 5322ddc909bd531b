from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workflow.admin.forms import ConfirmForm
from workflow.engine import actions, audit, opinions
from workflow.engine.definition import state_def, states_for_plan
from workflow.errors import ServiceError
from workflow.evaluations import bp, decide, services
from workflow.evaluations.services import visible_or_abort
from workflow.permissions import logged_in, roles
from workflow.refusals import refused
from workflow.results import views as results_views
from workflow.review import services as review
from workflow.roles import Role
from workflow.selfeval import services as selfeval
from workflow.submissions.routes import rectification_context
from workflow.targets.routes import page_context as targets_context


NO_RESULTS = {"rectifications": [], "may_close": None, "sections": []}
# The evaluation page lists the latest records of the history (every save is one); the whole
# record is one click away (?history=all).
HISTORY_SHOWN = 30


@bp.route("/<int:evaluation_id>")
@logged_in
def detail(evaluation_id):
    evaluation, task = visible_or_abort(evaluation_id, current_user, find=services.visible_with_open_task)
    may_edit = selfeval.can_edit(evaluation, current_user)
    whole_history = request.args.get("history") == "all"
    history, history_total = audit.timeline(evaluation, None if whole_history else HISTORY_SHOWN)
    return render_template(
        "evaluations/detail.html",
        evaluation=evaluation,
        project=evaluation.project,
        state=state_def(evaluation.state),
        states=states_for_plan(evaluation.project.plan),
        buttons=actions.available(evaluation, current_user),
        # A committee's opinions, round by round (one reviewer's pass is the history's line).
        opinions=opinions.of(evaluation) if evaluation.project.plan.review_rule != "one" else [],
        history=history,
        history_total=history_total,
        task=task,
        may_edit=may_edit,
        # Shown to whoever may still edit (the section's staff), nobody else: not computed for others.
        problems=selfeval.completeness_problems(evaluation) if may_edit else [],
        review_comments=review.comments_for(evaluation, current_user),
        **targets_context(evaluation, current_user),
        # Result application shows only once the evaluation is with the finance bureau.
        **(rectification_context(evaluation) if state_def(evaluation.state).with_finance else NO_RESULTS),
        **results_views.evaluation_context(evaluation, current_user),
    )


@bp.route("/<int:evaluation_id>/transition", methods=["POST"])
@logged_in
def transition(evaluation_id):
    evaluation = visible_or_abort(evaluation_id, current_user)
    try:
        message = decide.perform_posted(evaluation, current_user, address=request.remote_addr)
    except ServiceError as error:
        return refused(error, "evaluations.detail", evaluation_id=evaluation.id)
    flash(message, "success")
    # The id as routed: the committed evaluation is expired, and reading its id would load it again.
    return redirect(url_for("evaluations.detail", evaluation_id=evaluation_id))


@bp.route("/approvals", methods=["GET", "POST"])
@roles(Role.LEADER)
def approvals():
    """Bulk approval: the leader approves several reviewed evaluations at once."""
    if request.method == "POST":
        if ConfirmForm().validate_on_submit():
            ids = [int(v) for v in request.form.getlist("evaluation_id") if v.isdigit()]
            if not ids:
                flash(_("请至少选择一个项目。"), "warning")
            else:
                done, not_done = actions.perform_bulk(ids, "approve", current_user, request.remote_addr)
                if done:
                    flash(_("已审批通过 %(n)d 个项目。", n=len(done)), "success")
                for _id, reason in not_done:
                    flash(reason, "danger")
        return redirect(url_for("evaluations.approvals"))
    return render_template("evaluations/approvals.html", evaluations=services.approvable_by(current_user),
                           confirm=ConfirmForm())


def _report_name(evaluation, frozen):
    from workflow.documents.reports import download_name
    return download_name(evaluation, frozen)


@bp.route("/<int:evaluation_id>/report.pdf")
@logged_in
def report_pdf(evaluation_id):
    """The self-evaluation report: the frozen copy once approved, a draft before."""
    from workflow import files
    from workflow.documents.reports import report_for_download

    evaluation = visible_or_abort(evaluation_id, current_user)
    data, frozen = report_for_download(evaluation)
    return files.pdf_download(_report_name(evaluation, frozen), data)


@bp.route("/<int:evaluation_id>/report.docx")
@logged_in
def report_docx(evaluation_id):
    """The report as an editable Word file: once approved, built from the approval snapshot
    and marked as a copy of the frozen PDF; a draft before. The same readers as the PDF."""
    from workflow import files
    from workflow.documents.word.report import report_docx_for_download

    evaluation = visible_or_abort(evaluation_id, current_user)
    data, frozen = report_docx_for_download(evaluation)
    return files.docx_download(_report_name(evaluation, frozen), data)
