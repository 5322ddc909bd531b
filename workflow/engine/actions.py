"""Firing transitions: the checks, the state change, tasks, audit and notifications, in one
transaction. Pages (and later the API) call only this module to move an evaluation."""
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from workflow import clock
from workflow.engine import audit, notify, tasks
from workflow.engine.definition import TRANSITION_BY_TRIGGER, TRANSITIONS, state_def
from workflow.engine.machine import fire
from workflow.errors import NotFound, ServiceError
from workflow.extensions import db
from workflow.models import Evaluation
from workflow.roles import Role

CONCURRENT_CHANGE = "concurrent_change"


def _leaves_state(evaluation, transition):
    return evaluation.state in transition.source


def _held_role(actor, transition):
    return bool(actor.roles & transition.roles)


def refusal(evaluation, transition, actor, comment=None):
    """Why ``actor`` may not fire ``transition`` on ``evaluation`` now, or None.

    ``comment=None`` asks whether the button may be shown (the comment comes later)."""
    if not _leaves_state(evaluation, transition):
        return _("当前状态（%(state)s）下不能执行“%(action)s”。",
                 state=state_def(evaluation.state).label, action=transition.label)
    if not _held_role(actor, transition):
        return _("您没有执行“%(action)s”的权限。", action=transition.label)
    project = evaluation.project
    if transition.own_section and actor.section_id != project.section_id:
        return _("只有项目责任科室的经办人可以执行此操作。")
    if transition.submitter_only and evaluation.submitted_by_id != actor.id:
        return _("只有提交人可以撤回。")
    if transition.not_submitter and evaluation.submitted_by_id == actor.id:
        return _("不能复核或审批自己提交的自评。")
    group_reason = _group_refusal(evaluation, transition, actor)
    if group_reason:
        return group_reason
    for check in transition.conditions:
        reason = check(evaluation, actor)
        if reason:
            return reason
    if comment is not None and transition.comment_required and not comment.strip():
        return _("退回时必须填写意见。")
    return None


def _group_refusal(evaluation, transition, actor):
    """Review and approval belong to the plan's working group, when it has one."""
    if not transition.roles <= {Role.REVIEWER, Role.LEADER}:
        return None
    # The plan's group as loaded once per request (the page asks this for every button).
    members = {m.user_id: m.group_role for m in evaluation.project.plan.members}
    if not members:
        return None
    if actor.id not in members:
        return _("您不是本方案评价工作小组的成员。")
    if transition.roles == {Role.LEADER} and members[actor.id] != "leader":
        return _("只有评价工作小组组长可以审批。")
    return None


def available(evaluation, actor):
    """The transitions ``actor`` may fire now: the buttons to show.

    The transitions from other states or for other roles are passed over before refusal(),
    which would word (and translate) a reason nobody reads."""
    return [t for t in TRANSITIONS
            if _leaves_state(evaluation, t) and _held_role(actor, t) and refusal(evaluation, t, actor) is None]


@dataclass
class Outcome:
    evaluation: Evaluation
    from_state: str
    to_state: str


def get_evaluation(evaluation_id):
    evaluation = db.session.get(Evaluation, evaluation_id)
    if evaluation is None:
        raise NotFound(_("评价不存在。"))
    return evaluation


def perform(evaluation_id, trigger, actor, comment="", expected_version=None, address="", commit=True):
    """Fire ``trigger``; raise ServiceError (and change nothing) when refused or when
    someone else changed the evaluation first.

    ``commit=False`` leaves the commit to the caller, whose other writes must stand or fall
    with the transition (a submission batch and the 报送 of its evaluations); a refusal then
    still changes nothing, while a concurrent change rolls the caller's whole transaction back."""
    transition = TRANSITION_BY_TRIGGER.get(trigger)
    if transition is None:
        raise ServiceError(_("未知的操作。"))
    evaluation = get_evaluation(evaluation_id)
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise ServiceError(_("意见不能超过 2000 个字。"))
    if expected_version is not None and evaluation.version != expected_version:
        raise ServiceError(_("该评价已被他人处理，页面内容已过期。请刷新后重试。"), code=CONCURRENT_CHANGE)
    reason = refusal(evaluation, transition, actor, comment)
    if reason:
        raise ServiceError(reason, code="refused")
    from_state = evaluation.state
    if not fire(evaluation, trigger, actor):  # the machine checks the same definition again
        raise ServiceError(_("操作未能执行，请刷新后重试。"), code="refused")
    # The versioned UPDATE of the evaluation is flushed by the first query below (autoflush),
    # not only at commit: a concurrent change shows up anywhere from here on.
    try:
        if transition.trigger in ("submit", "resubmit"):
            evaluation.submitted_by_id = actor.id
            evaluation.submitted_at = clock.now()
        for effect in transition.effects:
            effect(evaluation, actor)
        tasks.complete_open_tasks(evaluation, actor)
        new_task = tasks.create_task(evaluation)
        audit.record(evaluation, actor, trigger, from_state, evaluation.state, comment, address)
        _notify_next(evaluation, new_task, transition, actor, comment)
        if commit:
            db.session.commit()
        else:
            db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise ServiceError(_("该评价已被他人处理，请刷新后重试。"), code=CONCURRENT_CHANGE) from None
    except ServiceError:
        db.session.rollback()   # an effect that cannot be done (the report cannot be signed): nothing stays
        raise
    return Outcome(evaluation, from_state, evaluation.state)


def _notify_next(evaluation, new_task, transition, actor, comment):
    link = tasks.evaluation_link(evaluation.id)
    project = evaluation.project.name
    if new_task is not None:
        db.session.flush()
        task_label = state_def(evaluation.state).task_label

        def text():   # built in each reader's language
            message = _("“%(project)s”：%(action)s（%(by)s）。待办：%(task)s",
                        project=project, action=transition.label, by=actor.full_name, task=task_label)
            return message + _("。意见：%(comment)s", comment=comment) if comment else message

        notify.notify([u for u in tasks.users_to_act(new_task) if u.id != actor.id], text, link)
    if transition.trigger == "return_for_revision" and evaluation.submitted_by is not None:
        notify.notify([evaluation.submitted_by],
                      lambda: _("“%(project)s”被退回：%(comment)s", project=project, comment=comment), link)


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
