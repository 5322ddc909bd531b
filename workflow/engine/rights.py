"""Who may act on an evaluation now: one rule, written once, in SQL.

The rule is about a *slot*: a task of some role (for one section, or for everyone), perhaps
claimed by someone, of an evaluation someone submitted, in a plan that may have a working
group. A user may act in it when

- it is claimed by them, or nobody has claimed it and they hold its role (of its section, for
  a section's task);
- it is not a review or approval of what they submitted;
- review and approval of a plan with a working group (评价工作小组) are its members', approval
  its 组长's.

The inbox applies it to the rows of the tasks table; the buttons and refusals to the
evaluation's open tasks of the role that acts, or, when the state has none of that role (the
leader returning an approved evaluation), to the task that role would have; reassignment to
every colleague in turn; review comments to the open review task. A deputy (代理人) may act
wherever the person they stand in for may (delegations.py), never on their own submission.
"""
from typing import NamedTuple

from flask import g, has_request_context
from flask_babel import gettext as _
from sqlalchemy import Integer, String, and_, case, false, func, literal, null, or_, select

from workflow.engine import definition, delegations
from workflow.extensions import db
from workflow.models import Evaluation, PlanMember, Task, User, UserRole
from workflow.roles import Role

# Review and approval belong to the plan's working group when it has one.
GROUP_TASK_ROLES = (Role.REVIEWER.value, Role.LEADER.value)


class Slot(NamedTuple):
    """The columns (or values) the rule reads of a task."""

    role: object
    section_id: object
    assignee_id: object
    submitted_by_id: object
    plan_id: object


# A row of the tasks table, joined to its evaluation; and the same as if nobody had claimed it.
TASK = Slot(Task.role, Task.section_id, Task.assignee_id, Evaluation.submitted_by_id, Evaluation.plan_id)
TASK_UNCLAIMED = TASK._replace(assignee_id=null())


def _value(value, type_):
    return null() if value is None else literal(value, type_)


def would_be_task(evaluation, role):
    """The slot of a task of ``role`` on ``evaluation`` that the state has not made."""
    section = evaluation.project.section_id if role == Role.SECTION_STAFF else None
    return Slot(literal(role.value, String), _value(section, Integer), null(),
                _value(evaluation.submitted_by_id, Integer), literal(evaluation.plan_id, Integer))


def rule(slot, me, my_roles, my_section, acting=None):
    """SQL: user ``me`` (an id, a bound parameter or a column) holding ``my_roles`` in
    ``my_section`` may act in ``slot``. ``acting``: the deputy acting in ``me``'s place, whose
    own submission is refused as well."""
    unclaimed_for_role = and_(
        slot.assignee_id.is_(None),
        slot.role.in_(my_roles),
        or_(slot.section_id.is_(None), slot.section_id == my_section),
    )
    submitters = [me] if acting is None else [me, acting]
    own_submission = and_(slot.role.in_(GROUP_TASK_ROLES), func.coalesce(slot.submitted_by_id, 0).in_(submitters))
    return and_(or_(slot.assignee_id == me, unclaimed_for_role), ~own_submission, _group_allows(slot, me))


def _group_allows(slot, me):
    """Not a group task, or its plan has no working group, or ``me`` is in the group (as 组长
    for the leader's task). The subqueries are not correlated with the task: the database
    reads the few plan ids once, not once per task."""
    # correlate_except: ``me`` may be the users table's column of the query around (_any_user()).
    plans_with_group = select(PlanMember.plan_id).correlate_except(PlanMember)
    my_plans = plans_with_group.where(PlanMember.user_id == me)
    led_plans = my_plans.where(PlanMember.group_role == "leader")
    return or_(
        slot.role.not_in(GROUP_TASK_ROLES),
        slot.plan_id.not_in(plans_with_group),
        and_(slot.role != Role.LEADER.value, slot.plan_id.in_(my_plans)),
        slot.plan_id.in_(led_plans),
    )


def params_of(user):
    """rule()'s values for ``user``."""
    return {"me": user.id, "my_roles": [role.value for role in user.roles], "my_section": user.section_id}


def identities(user):
    """Whose place ``user`` may act in: their own first, then each person whose deputy they
    are today."""
    return [user, *delegations.principals_of(user)]


def actionable_by(user):
    """SQL condition on a task joined to its evaluation: ``user`` may act on it, in their own
    place or a principal's."""
    conditions = [
        rule(TASK, **params_of(identity), acting=None if identity is user else user.id)
        for identity in identities(user) if identity.roles
    ]
    if not conditions:
        return false()
    return and_(Task.completed_at.is_(None), or_(*conditions))


def _open_tasks(evaluation, role):
    return (select(Task.id).join(Evaluation, Task.evaluation_id == Evaluation.id)
            .where(Task.evaluation_id == evaluation.id, Task.completed_at.is_(None),
                   Task.rectification_id.is_(None), Task.role == role.value))


def _may_act_as(evaluation, role, identity, actor):
    acting = None if identity is actor else actor.id
    params = params_of(identity)
    open_tasks = _open_tasks(evaluation, role)
    in_a_task = open_tasks.where(rule(TASK, **params, acting=acting)).exists()
    in_the_would_be_task = and_(~open_tasks.exists(), rule(would_be_task(evaluation, role), **params, acting=acting))
    return bool(db.session.scalar(select(case((or_(in_a_task, in_the_would_be_task), True), else_=False))))


def acting_identity(evaluation, role, actor):
    """The person in whose place ``actor`` may act on ``evaluation`` in ``role`` now (the actor
    themself first), or None. Asked for every button of a page: kept for the request, and
    forgotten when an action changes what it depends on (forget()). Outside a request (the
    services, the command line) nothing is kept."""
    cache = g.setdefault("rights", {}) if has_request_context() else {}
    key = (evaluation.id, role, actor.id)
    if key not in cache:
        cache[key] = next((identity for identity in identities(actor) if identity.roles
                           and _may_act_as(evaluation, role, identity, actor)), None)
    return cache[key]


def forget():
    if has_request_context():
        g.pop("rights", None)


def _any_user():
    """rule()'s values as the users table's columns: the rule asked of every user at once."""
    return {"me": User.id, "my_roles": select(UserRole.role).where(UserRole.user_id == User.id).correlate_except(UserRole),
            "my_section": User.section_id}


def _active_users_where(condition):
    return db.session.scalars(select(User).where(User.active.is_(True), condition).order_by(User.full_name)).all()


def colleagues_for(task):
    """Active users who may act on ``task`` were nobody to have claimed it: whom it may be
    handed to."""
    return _active_users_where(
        select(Task.id).join(Evaluation, Task.evaluation_id == Evaluation.id)
        .where(Task.id == task.id, rule(TASK_UNCLAIMED, **_any_user())).exists())


def people_for(evaluation, role):
    """Active users who may act in a new, unclaimed task of ``role`` on ``evaluation``
    (a committee's members)."""
    return _active_users_where(rule(would_be_task(evaluation, role), **_any_user()))


def holds_role(actor, role):
    """Whether ``actor`` or someone they stand in for holds ``role`` at all (before asking the
    database whether they may act in it)."""
    return any(role in identity.roles for identity in identities(actor))


def why_not(evaluation, row, actor):
    """Words for a refusal of the rule (which has decided already): the likeliest reason of
    the few the rule has."""
    role = row.role
    if not holds_role(actor, role):
        if any(t.trigger == row.trigger and holds_role(actor, t.role) for t in definition.TRANSITIONS):
            return _("此时“%(action)s”由%(role)s办理。", action=row.label, role=role.label)
        return _("您没有执行“%(action)s”的权限。", action=row.label)
    if role.value in GROUP_TASK_ROLES and evaluation.submitted_by_id == actor.id:
        return _("不能复核或审批自己提交的自评。")
    if role == Role.SECTION_STAFF and actor.section_id != evaluation.project.section_id:
        return _("只有项目责任科室的经办人可以执行此操作。")
    members = {m.user_id: m.group_role for m in evaluation.project.plan.members}
    if role.value in GROUP_TASK_ROLES and members:
        if actor.id not in members:
            return _("您不是本方案评价工作小组的成员。")
        if role == Role.LEADER and members[actor.id] != "leader":
            return _("只有评价工作小组组长可以执行“%(action)s”。", action=row.label)
    return _("这项待办已由他人领取或办理，您不能执行“%(action)s”。", action=row.label)
