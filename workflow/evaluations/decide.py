"""A decision posted from a page (提交, 复核通过, 退回修改, 审批通过 …): the TransitionForm read and
fired through the engine (engine/actions.py, which checks who may act and what was typed).

The evaluation page and the review page both decide with it, so the two cannot differ in what
they accept or refuse."""
from flask_babel import gettext as _

from workflow.engine import actions
from workflow.engine.definition import TRANSITION_BY_TRIGGER, state_def
from workflow.errors import ServiceError
from workflow.evaluations.forms import TransitionForm
from workflow.forms import error_messages


def review_buttons(evaluation, user):
    """The review's decisions ``user`` may take now: the rows of whoever the state waits for (the
    reviewers while it is 待复核, the 组长 once reviewed), only while it is under review."""
    state = state_def(evaluation.state)
    if not state.under_review:
        return []
    return [row for row in actions.available(evaluation, user) if row.role == state.actor]


def perform_posted(evaluation, user, address=""):
    """Fire the transition the posted TransitionForm asks for and return the message that
    says what was done; ServiceError (nothing changed) when it is refused."""
    form = TransitionForm()
    if not form.validate_on_submit():
        # Whether the action is the person's at all is answered before what they typed.
        reason = actions.not_theirs(evaluation, form.trigger.data or "", user)
        if reason:
            raise ServiceError(reason, code="refused")
        raise ServiceError("；".join(error_messages(form.errors)), code="invalid")
    outcome = actions.perform(
        evaluation.id, form.trigger.data, user,
        comment=form.comment.data or "", expected_version=form.version.data, address=address,
    )
    return _("已执行“%(action)s”，当前状态：%(state)s。",
             action=TRANSITION_BY_TRIGGER[form.trigger.data].label, state=state_def(outcome.to_state).label)
