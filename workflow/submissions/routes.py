from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workflow.admin import services as people
from workflow.evaluations.services import visible_or_abort
from workflow.errors import NotFound, ServiceError, status_of
from workflow.permissions import roles
from workflow.plans import services as plans
from workflow.refusals import refused
from workflow.roles import Role
from workflow.submissions import bp, services

office_only = roles(Role.OFFICE)


def _plan_from_args():
    plan_id = request.args.get("plan", type=int)
    try:
        return plans.get_plan(plan_id) if plan_id else plans.current_plan()
    except NotFound:
        abort(404)


@bp.route("/")
@roles(Role.OFFICE, Role.LEADER, Role.FINANCE)
def index():
    return _index_page(_plan_from_args())


def _index_page(plan):
    return render_template(
        "submissions/index.html", plan=plan, plans=plans.list_plans(),
        submissions=services.list_submissions(plan) if plan else [],
        ready=services.ready_to_report(plan) if plan and Role.OFFICE in current_user.roles else [],
    )


@bp.route("/compose", methods=["POST"])
@office_only
def compose():
    plan = _plan_from_args()
    if plan is None:
        abort(404)
    ids = [int(v) for v in request.form.getlist("evaluation_id") if v.isdigit()]
    try:
        submission, not_reported = services.compose(plan, ids, request.form.get("title"), request.form.get("note"),
                                                    current_user, request.remote_addr)
    except ServiceError as error:
        flash(error.message, "danger")
        return _index_page(plan), status_of(error)
    flash(_("已报送 %(n)d 个项目。", n=len(submission.items)), "success")
    for _id, reason in not_reported:
        flash(reason, "warning")
    return redirect(url_for("submissions.detail", submission_id=submission.id))


@bp.route("/<int:submission_id>")
@roles(Role.OFFICE, Role.LEADER, Role.FINANCE)
def detail(submission_id):
    try:
        submission = services.get_submission(submission_id)
    except NotFound:
        abort(404)
    form = {"document_number": submission.document_number, "signer": submission.signer}
    return _detail_page(submission, form)


def _detail_page(submission, form):
    rows = services.rows_of(submission)
    return render_template("submissions/detail.html", submission=submission, rows=rows, totals=services.totals(rows),
                           form=form, may_change_document=services.may_change_document(submission),
                           may_recall=services.may_recall(submission))


def _submission_or_404(submission_id):
    try:
        return services.get_submission(submission_id)
    except NotFound:
        abort(404)


@bp.route("/<int:submission_id>/summary.pdf")
@roles(Role.OFFICE, Role.LEADER, Role.FINANCE)
def summary_pdf(submission_id):
    """The covering report to the finance bureau with the summary table."""
    from workflow import files
    from workflow.documents.submission_summary import render_summary, summary_filename

    submission = _submission_or_404(submission_id)
    services.mark_received(submission, current_user)
    return files.pdf_download(summary_filename(submission), render_summary(submission))


@bp.route("/<int:submission_id>/summary.docx")
@roles(Role.OFFICE, Role.LEADER, Role.FINANCE)
def summary_docx(submission_id):
    """The covering report and summary table as an editable Word file, for the same readers."""
    from workflow import files
    from workflow.documents.submission_summary import summary_filename
    from workflow.documents.word.submission_summary import render_summary_docx

    submission = _submission_or_404(submission_id)
    return files.docx_download(summary_filename(submission), render_summary_docx(submission))


@bp.route("/<int:submission_id>/package.zip")
@roles(Role.OFFICE, Role.LEADER, Role.FINANCE)
def package_zip(submission_id):
    """The whole package (summary PDF and Excel, the frozen reports), streamed."""
    from workflow.submissions import package

    submission = _submission_or_404(submission_id)
    try:
        built = package.build(submission)
    except ServiceError as error:   # an old approval's report that cannot be signed now
        return refused(error, "submissions.detail", submission_id=submission.id)
    services.mark_received(submission, current_user)
    return package.streamed_response(built)


@bp.route("/<int:submission_id>/document", methods=["POST"])
@office_only
def set_document(submission_id):
    """The office sets the covering report's 发文字号 and 签发人."""
    submission = _submission_or_404(submission_id)
    try:
        services.set_document(submission, request.form.get("document_number"), request.form.get("signer"),
                              current_user)
    except ServiceError as error:
        flash(error.message, "danger")
        # Re-shown with what was typed: 409 when the state forbids it (fixed, number taken),
        # 422 when the input is wrong.
        form = {"document_number": request.form.get("document_number", ""), "signer": request.form.get("signer", "")}
        return _detail_page(submission, form), status_of(error)
    flash(_("已保存发文字号和签发人。"), "success")
    return redirect(url_for("submissions.detail", submission_id=submission.id))


@bp.route("/<int:submission_id>/recall", methods=["POST"])
@office_only
def recall(submission_id):
    """撤回报送: the whole batch back to 已审批, while the finance bureau has not acted."""
    submission = _submission_or_404(submission_id)
    plan_id = submission.plan_id
    try:
        title = services.recall(submission, request.form.get("comment"), current_user, request.remote_addr)
    except ServiceError as error:
        flash(error.message, "danger")
        form = {"document_number": submission.document_number, "signer": submission.signer}
        return _detail_page(submission, form), status_of(error)
    flash(_("已撤回报送“%(title)s”，其中的项目回到“已审批”。", title=title), "success")
    return redirect(url_for("submissions.index", plan=plan_id))


@bp.route("/plans/<int:plan_id>/result", methods=["POST"])
@office_only
def plan_result(plan_id):
    try:
        plan = plans.get_plan(plan_id)
    except NotFound:
        abort(404)
    try:
        services.record_plan_result(plan, request.form.get("result_summary"))
    except ServiceError as error:
        flash(error.message, "danger")
        return _index_page(plan), status_of(error)
    flash(_("已保存方案的结果应用情况。"), "success")
    return redirect(url_for("submissions.index", plan=plan_id))


@bp.route("/evaluations/<int:evaluation_id>/feedback", methods=["POST"])
@office_only
def feedback(evaluation_id):
    evaluation = visible_or_abort(evaluation_id, current_user)
    try:
        services.record_feedback(evaluation, request.form.get("finance_feedback"), current_user, request.remote_addr)
    except ServiceError as error:
        return refused(error, "evaluations.detail", evaluation_id=evaluation.id)
    flash(_("已记录财政局反馈。"), "success")
    return redirect(url_for("evaluations.detail", evaluation_id=evaluation.id))


@bp.route("/evaluations/<int:evaluation_id>/rectifications", methods=["POST"])
@office_only
def add_rectification(evaluation_id):
    evaluation = visible_or_abort(evaluation_id, current_user)
    try:
        due = date.fromisoformat(request.form.get("due_date", ""))
    except ValueError:
        due = None
    try:
        services.add_rectification(evaluation, request.form.get("problem"), request.form.get("measure"),
                                   request.form.get("section_id", type=int), due, current_user)
    except ServiceError as error:
        return refused(error, "evaluations.detail", evaluation_id=evaluation.id)
    flash(_("已登记整改事项，责任科室将收到待办。"), "success")
    return redirect(url_for("evaluations.detail", evaluation_id=evaluation.id))


@bp.route("/rectifications/<int:rectification_id>/close", methods=["POST"])
@roles(Role.OFFICE, Role.SECTION_STAFF)
def close_rectification(rectification_id):
    try:
        item = services.get_rectification(rectification_id)
    except NotFound:
        abort(404)
    # The owner section may differ from the project's (e.g. 规划财务科 for a budget problem);
    # evaluations.services.can_view lets it read the evaluation behind its item.
    visible_or_abort(item.evaluation_id, current_user)
    try:
        services.close_rectification(item, request.form.get("note"), current_user)
    except ServiceError as error:
        return refused(error, "evaluations.detail", evaluation_id=item.evaluation_id)
    flash(_("整改事项已办结。"), "success")
    return redirect(url_for("evaluations.detail", evaluation_id=item.evaluation_id))


def rectification_context(evaluation):
    """What the evaluation page shows of result application."""
    return {
        "rectifications": services.rectifications_of(evaluation),
        "may_close": services.may_close,
        "sections": people.active_sections(),
    }
