"""Firing transitions: the checks, the state change, tasks, audit and notifications, in one
transaction. Pages and the API call only this module to move an evaluation."""
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from workflow import signals
from workflow.engine import audit, notify, rights, tasks
from workflow.engine.definition import TRANSITION_BY_TRIGGER, TRANSITIONS, state_def  # noqa: F401 (re-exported)
from workflow.engine.machine import fire
from workflow.errors import NotFound, ServiceError
from workflow.extensions import db
from workflow.models import Evaluation
from workflow.models.evaluations import derived_update

CONCURRENT_CHANGE = "concurrent_change"
COMMENT_LIMIT = 2000


@dataclass
class Act:
    """One action as the rules see it: who acts, in whose place (a deputy's principal, or
    themself), with what comment; ``row`` is the row of the table that fired."""

    actor: object
    identity: object
    comment: str = ""
    from_state: str = ""
    row: object = None
    notices: list = field(default_factory=list)  # (users, text) the effects want sent

    @property
    def acting_for(self):
        return None if self.identity is self.actor else self.identity


def rows_here(evaluation, trigger):
    """The rows of ``trigger`` leaving the evaluation's state that its plan's options keep."""
    plan = evaluation.project.plan
    return [t for t in TRANSITIONS if t.trigger == trigger and evaluation.state in t.source
            and (t.plan_option is None or t.plan_option(plan))]


def _identity_or_reason(evaluation, row, actor):
    identity = rights.acting_identity(evaluation, row.role, actor)
    if identity is not None:
        return identity, None
    return None, rights.why_not(evaluation, row, actor)


def refusal(evaluation, trigger, actor):
    """Why ``actor`` may not fire ``trigger`` (a name, or a row of the table) on
    ``evaluation`` now, or None: whether the button may be shown."""
    return decide(evaluation, trigger, actor)[1]


def not_theirs(evaluation, trigger, actor):
    """Why ``trigger`` is not ``actor``'s to fire on ``evaluation`` now (the state, the one
    rule of who acts), or None; unlike refusal() it leaves the checks of the content out: what
    a route asks before it reads what was typed."""
    trigger = getattr(trigger, "trigger", trigger)
    rows = rows_here(evaluation, trigger)
    if not rows:
        return refusal(evaluation, trigger, actor)
    return _identity_or_reason(evaluation, rows[0], actor)[1]


def decide(evaluation, trigger, actor):
    """(identity, reason): in whose place ``actor`` may fire ``trigger`` now, or why not
    (what they type is perform's to check, after this)."""
    trigger = getattr(trigger, "trigger", trigger)
    rows = rows_here(evaluation, trigger)
    if not rows:
        label = next((t.label for t in TRANSITIONS if t.trigger == trigger), trigger)
        return None, _("当前状态（%(state)s）下不能执行“%(action)s”。",
                       state=state_def(evaluation.state).label, action=label)
    row = rows[0]
    identity, reason = _identity_or_reason(evaluation, row, actor)
    if reason:
        return None, reason
    if row.submitter_only and evaluation.submitted_by_id != actor.id:
        return None, _("只有提交人可以撤回。")
    act = Act(actor, identity)
    for check in row.checks:
        reason = check(evaluation, act)
        if reason:
            return None, reason
    return identity, None


def available(evaluation, actor):
    """The first row of each trigger ``actor`` may fire now: the buttons to show."""
    shown, buttons = set(), []
    for t in TRANSITIONS:
        if t.trigger in shown or evaluation.state not in t.source:
            continue
        shown.add(t.trigger)
        rows = rows_here(evaluation, t.trigger)
        if rows and rights.holds_role(actor, rows[0].role) and refusal(evaluation, t.trigger, actor) is None:
            buttons.append(rows[0])
    return buttons


@dataclass
class Outcome:
    evaluation: Evaluation
    from_state: str
    to_state: str
    row: object = None


def get_evaluation(evaluation_id):
    evaluation = db.session.get(Evaluation, evaluation_id)
    if evaluation is None:
        raise NotFound(_("评价不存在。"))
    return evaluation


def _lock(evaluation):
    """Take the evaluation's row for this transaction and read it afresh: two committee members
    giving their opinions at once are counted one after the other (an UPDATE that changes
    nothing: a row lock on PostgreSQL, the write lock on SQLite)."""
    db.session.execute(derived_update().where(Evaluation.id == evaluation.id))
    db.session.refresh(evaluation)
    rights.forget()


def perform(evaluation_id, trigger, actor, comment="", expected_version=None, address="", commit=True):
    """Fire ``trigger``; raise ServiceError (and change nothing) when refused or when
    someone else changed the evaluation first.

    ``commit=False`` leaves the commit to the caller, whose other writes must stand or fall
    with the transition (a submission batch and the 报送 of its evaluations); a refusal then
    still changes nothing, while a concurrent change rolls the caller's whole transaction back."""
    rows = [t for t in TRANSITIONS if t.trigger == trigger]
    if not rows:
        raise ServiceError(_("未知的操作。"))
    evaluation = get_evaluation(evaluation_id)
    if not any(rights.holds_role(actor, t.role) for t in rows):
        # Who may never fire it hears so first, before a stale page or a long comment.
        raise ServiceError(refusal(evaluation, trigger, actor), code="refused")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_LIMIT:
        raise ServiceError(_("意见不能超过 2000 个字。"))
    seen_version = evaluation.version  # as the caller loaded it
    try:
        _lock(evaluation)
        if evaluation.version != seen_version:
            raise ServiceError(_("该评价已被他人处理，请刷新后重试。"), code=CONCURRENT_CHANGE)
        if expected_version is not None and evaluation.version != expected_version:
            raise ServiceError(_("该评价已被他人处理，页面内容已过期。请刷新后重试。"), code=CONCURRENT_CHANGE)
        identity, reason = decide(evaluation, trigger, actor)
        if reason:
            raise ServiceError(reason, code="refused")
        if rows_here(evaluation, trigger)[0].comment_required and not comment:
            raise ServiceError(_("退回时必须填写意见。"))  # a value missing, not a right (422)
        act = Act(actor, identity, comment, from_state=evaluation.state)
        if not fire(evaluation, trigger, act):  # the machine checks the same definition again
            raise ServiceError(_("操作未能执行，请刷新后重试。"), code="refused")
        # The versioned UPDATE of the evaluation is flushed by the first query below (autoflush),
        # not only at commit: a concurrent change shows up anywhere from here on.
        for effect in act.row.effects:
            effect(evaluation, act)
        new_tasks = _move_tasks(evaluation, act)
        audit.record(evaluation, actor, trigger, act.from_state, evaluation.state, comment, address,
                     on_behalf_of=act.acting_for)
        _notify(evaluation, new_tasks, act)
        signals.evaluation_transitioned.send(evaluation, trigger=trigger, from_state=act.from_state,
                                             to_state=evaluation.state, actor=actor)
        if commit:
            db.session.commit()
        else:
            db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise ServiceError(_("该评价已被他人处理，请刷新后重试。"), code=CONCURRENT_CHANGE) from None
    except ServiceError:
        db.session.rollback()   # refused, or an effect that cannot be done: nothing stays
        raise
    finally:
        rights.forget()
    return Outcome(evaluation, act.from_state, evaluation.state, act.row)


def _move_tasks(evaluation, act):
    """An opinion completes the giver's own task; a move completes every open task and makes
    the new state's."""
    if act.row.opinion:
        tasks.complete_open_tasks(evaluation, act.actor, assignee=act.identity)
        return []
    tasks.complete_open_tasks(evaluation, act.actor)
    return tasks.create_tasks(evaluation)


def _notify(evaluation, new_tasks, act):
    link = tasks.evaluation_link(evaluation.id)
    project = evaluation.project.name
    label, by, comment = act.row.label, act.actor.full_name, act.comment
    if new_tasks:
        db.session.flush()
        task_label = state_def(evaluation.state).task_label

        def text():   # built in each reader's language
            message = _("“%(project)s”：%(action)s（%(by)s）。待办：%(task)s",
                        project=project, action=label, by=by, task=task_label)
            return message + _("。意见：%(comment)s", comment=comment) if comment else message

        people = {user.id: user for task in new_tasks for user in tasks.users_to_act(task)}
        notify.notify([u for u in people.values() if u.id != act.actor.id], text, link)
    for users, text in act.notices:
        notify.notify(users, text, link)


def perform_bulk(evaluation_ids, trigger, actor, address=""):
    """Fire one trigger on many evaluations, each in its own transaction: one refusal does
    not hold up the others. Returns (done, [(evaluation_id, reason)])."""
    done, refused = [], []
    for evaluation_id in evaluation_ids:
        try:
            perform(evaluation_id, trigger, actor, address=address)
        except ServiceError as error:
            db.session.rollback()
            refused.append((evaluation_id, error.message))
        else:
            done.append(evaluation_id)
    return done, refused
