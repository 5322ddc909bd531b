from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workflow.engine.definition import state_def, states_where
from workflow.errors import ServiceError, status_of
from workflow.evaluations import decide
from workflow.evaluations.services import visible_or_abort
from workflow.pagination import page_number
from workflow.permissions import roles
from workflow.refusals import field_problems
from workflow.review import bp, checks, services
from workflow.roles import Role
from workflow.selfeval import services as selfeval

reviewers = roles(Role.REVIEWER, Role.LEADER, Role.OFFICE)
# A large plan has hundreds of unsubmitted projects: the queue names the first ones.
PLAN_FINDINGS_SHOWN = 50


@bp.route("/review")
@reviewers
def queue():
    page = services.queue_page(page_number(request.args.get("page")))
    plan_title, plan_findings, unsubmitted = checks.current_plan_findings(PLAN_FINDINGS_SHOWN)
    return render_template(
        "review/queue.html", rows=page.items, page=page, states=states_where("under_review"), state_def=state_def,
        plan_title=plan_title, plan_findings=plan_findings, unsubmitted=unsubmitted,
    )


@bp.route("/<int:evaluation_id>/review", methods=["GET", "POST"])
@reviewers
def review(evaluation_id):
    evaluation = visible_or_abort(evaluation_id, current_user)
    if request.method == "POST":
        try:
            if request.form.get("action") == "decide":
                # The evaluation page's decision, taken where the reviewer reads.
                flash(decide.perform_posted(evaluation, current_user, address=request.remote_addr), "success")
            elif request.form.get("action") == "explain":
                checks.explain(evaluation, request.form.get("code", ""), request.form.get("note", ""), current_user)
                flash(_("已记录说明。"), "success")
            else:
                services.add_comment(evaluation, current_user, request.form.get("target", "general"), request.form.get("text", ""))
                flash(_("已添加复核意见。"), "success")
        except ServiceError as error:
            if not error.fields:
                flash(error.message, "danger")
            # A refused note is its finding's: the field "note-<code>" on the page.
            code = request.form.get("code", "")
            field = (lambda _note: f"note-{code}") if request.form.get("action") == "explain" else None
            return _review_page(evaluation, error, field), status_of(error)
        return redirect(url_for("review.review", evaluation_id=evaluation.id))
    return _review_page(evaluation)


def _review_page(evaluation, error=None, form_field=None):
    return render_template(
        "review/review.html", evaluation=evaluation, project=evaluation.project,
        findings=checks.evaluation_findings(evaluation), comments=services.comments(evaluation),
        targets=services.comment_targets(evaluation), may_comment=services.may_comment(evaluation, current_user),
        changes=selfeval.changes_since_submission(evaluation), state=state_def(evaluation.state),
        decisions=decide.review_buttons(evaluation, current_user),
        values=request.form if error is not None else {}, **field_problems(error if error and error.fields else None,
                                                                           form_field),
    )
