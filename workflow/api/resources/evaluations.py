"""Evaluations: read, save the self-evaluation, fire any transition the workflow allows.

Exactly as the pages: the evaluation must be visible to the caller (evaluations.services),
saving goes through selfeval.services.save (the section rule, the validation, the version),
transitions through engine.actions.perform (roles, section, group, conditions, version)."""
from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from workflow.api import guards, present
from workflow.api.blueprints import ID, api_blueprint, refusals
from workflow.api.schemas import (
    EvaluationSaveSchema,
    EvaluationSchema,
    FeedbackInput,
    HistorySchema,
    TransitionInput,
    TransitionOutcome,
    TransitionSchema,
)
from workflow.engine import actions, audit
from workflow.evaluations.services import get_visible
from workflow.permissions import logged_in, roles
from workflow.roles import Role
from workflow.selfeval import services as selfeval
from workflow.submissions import services as submissions

bp = api_blueprint("evaluations", "自评、复核与审批（评价的读取、保存和流转）")


@bp.route(f"/evaluations/<{ID}:evaluation_id>")
@refusals(bp, 403, 404)
@bp.response(200, EvaluationSchema)
@logged_in
def get_evaluation(evaluation_id):
    """The evaluation with its content, its version and what the caller may do now."""
    return present.evaluation(get_visible(evaluation_id, current_user), current_user)


def _may_edit(evaluation_id):
    guards.refuse_unless(selfeval.edit_refusal(get_visible(evaluation_id, current_user), current_user))


def _may_act(evaluation_id):
    evaluation = get_visible(evaluation_id, current_user)
    if not actions.available(evaluation, current_user):
        guards.refuse_unless(_("您当前不能对该评价执行任何操作。"))


@bp.route(f"/evaluations/<{ID}:evaluation_id>", methods=["PATCH"])
@refusals(bp, 403, 404, 409, 422)
@guards.rule_before_body(_may_edit)
@bp.arguments(EvaluationSaveSchema)
@bp.response(200, EvaluationSchema)
@logged_in
def save_evaluation(edit, evaluation_id):
    """Save the self-evaluation (a draft: blanks are kept, wrong values refuse the whole save).

    Only the keys sent change. ``version`` must be the one last read: a stale version is
    answered 409 and nothing is saved."""
    evaluation = get_visible(evaluation_id, current_user)
    selfeval.prepare(evaluation)
    selfeval.save(evaluation.id, current_user, edit, address=request.remote_addr)
    return present.evaluation(get_visible(evaluation_id, current_user), current_user)


@bp.route(f"/evaluations/<{ID}:evaluation_id>/transitions")
@refusals(bp, 403, 404)
@bp.response(200, TransitionSchema(many=True))
@logged_in
def list_transitions(evaluation_id):
    """The transitions the caller may fire now."""
    evaluation = get_visible(evaluation_id, current_user)
    return [present.transition(t) for t in actions.available(evaluation, current_user)]


@bp.route(f"/evaluations/<{ID}:evaluation_id>/transitions", methods=["POST"])
@refusals(bp, 403, 404, 409, 422)
@guards.rule_before_body(_may_act)
@bp.arguments(TransitionInput)
@bp.response(200, TransitionOutcome)
@logged_in
def fire_transition(data, evaluation_id):
    """Fire a transition (submit, withdraw, pass_review, return_for_revision, resubmit,
    approve, open_self_evaluation, apply; report goes through a submission)."""
    evaluation = get_visible(evaluation_id, current_user)
    outcome = actions.perform(evaluation.id, data["trigger"], current_user, comment=data["comment"],
                              expected_version=data["version"], address=request.remote_addr)
    return {"evaluation": present.evaluation(outcome.evaluation, current_user),
            "from_state": outcome.from_state, "to_state": outcome.to_state}


@bp.route(f"/evaluations/<{ID}:evaluation_id>/history")
@refusals(bp, 403, 404)
@bp.response(200, HistorySchema(many=True))
@logged_in
def get_history(evaluation_id):
    """The evaluation's audit trail, oldest first."""
    evaluation = get_visible(evaluation_id, current_user)
    return [present.history(r) for r in audit.history(evaluation)]


@bp.route(f"/evaluations/<{ID}:evaluation_id>/feedback", methods=["PUT"])
@refusals(bp, 403, 404, 409, 422)
@bp.arguments(FeedbackInput)
@bp.response(200, EvaluationSchema)
@roles(Role.OFFICE)
def put_feedback(data, evaluation_id):
    """The office records the finance bureau's feedback (needed before 完成结果应用)."""
    evaluation = get_visible(evaluation_id, current_user)
    submissions.record_feedback(evaluation, data["feedback"], current_user, request.remote_addr)
    return present.evaluation(get_visible(evaluation_id, current_user), current_user)


