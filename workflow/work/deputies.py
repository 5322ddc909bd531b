"""Naming a deputy (代理人) for a period: the rules. A person names their own deputy (the 组长
before a journey); the office may do it for anyone. Who may then act is the engine's rule
(workflow/engine/rights.py); a delegation ends by itself after its last day."""
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from workflow import clock
from workflow.engine import audit, delegations, notify, tasks
from workflow.errors import Forbidden, NotFound, ServiceError
from workflow.extensions import db
from workflow.models import Delegation, User
from workflow.roles import Role

LONGEST = timedelta(days=366)
REASON_LIMIT = 200


def may_manage_for_others(user):
    return Role.OFFICE in user.roles or Role.ADMIN in user.roles


def candidates():
    """Who may be named: active people with a role."""
    return [u for u in db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.full_name)) if u.roles]


def listed_for(user):
    """The delegations ``user`` sees: their own and those they stand in for; the office sees
    all that have not ended."""
    query = select(Delegation).order_by(Delegation.starts_on.desc(), Delegation.id.desc())
    if not may_manage_for_others(user):
        query = query.where((Delegation.principal_id == user.id) | (Delegation.deputy_id == user.id))
    else:
        query = query.where(Delegation.ends_on >= tasks.today() - timedelta(days=90))
    return db.session.scalars(query).all()


def name_deputy(actor, principal_id, deputy_id, starts_on, ends_on, reason=""):
    principal = db.session.get(User, principal_id) if principal_id else None
    deputy = db.session.get(User, deputy_id) if deputy_id else None
    if principal is None or deputy is None or not principal.active or not deputy.active:
        raise ServiceError(_("请选择在用的人员。"))
    if principal.id != actor.id and not may_manage_for_others(actor):
        raise Forbidden(_("只能为自己指定代理人。"))
    if principal.id == deputy.id:
        raise ServiceError(_("不能指定自己为代理人。"))
    if starts_on is None or ends_on is None:
        raise ServiceError(_("请填写代理的起止日期。"))
    if ends_on < starts_on:
        raise ServiceError(_("结束日期不能早于开始日期。"))
    if ends_on < tasks.today():
        raise ServiceError(_("代理期限已过。"))
    if ends_on - starts_on > LONGEST:
        raise ServiceError(_("代理期限不能超过一年。"))
    reason = (reason or "").strip()
    if len(reason) > REASON_LIMIT:
        raise ServiceError(_("事由不能超过 200 个字。"))
    overlapping = db.session.scalar(select(Delegation.id).where(
        Delegation.principal_id == principal.id, Delegation.cancelled_at.is_(None),
        Delegation.starts_on <= ends_on, Delegation.ends_on >= starts_on))
    if overlapping is not None:
        raise ServiceError(_("该人员在这段时间已有代理人，请先取消原有代理。"))
    delegation = Delegation(principal_id=principal.id, deputy_id=deputy.id, starts_on=starts_on, ends_on=ends_on,
                            reason=reason, created_by_id=actor.id)
    db.session.add(delegation)
    audit.record(None, actor, "name_deputy", details={
        "principal": principal.full_name, "deputy": deputy.full_name,
        "from": starts_on.isoformat(), "to": ends_on.isoformat()})
    notify.notify([deputy], lambda: _("%(name)s 在 %(start)s 至 %(end)s 期间由您代理，其待办将同时出现在您的待办中。",
                                      name=principal.full_name, start=starts_on.isoformat(), end=ends_on.isoformat()),
                  "/work/deputies")
    db.session.commit()
    delegations.forget()
    return delegation


def cancel(actor, delegation_id):
    delegation = db.session.get(Delegation, delegation_id)
    if delegation is None:
        raise NotFound(_("代理记录不存在。"))
    if actor.id not in (delegation.principal_id, delegation.deputy_id) and not may_manage_for_others(actor):
        raise Forbidden(_("您不能取消这项代理。"))
    if delegation.cancelled_at is not None or delegation.ends_on < tasks.today():
        raise ServiceError(_("这项代理已经结束。"))
    delegation.cancelled_at = clock.now()
    audit.record(None, actor, "cancel_deputy", details={
        "principal": delegation.principal.full_name, "deputy": delegation.deputy.full_name})
    db.session.commit()
    delegations.forget()


def in_force(delegation):
    today = tasks.today()
    return delegation.cancelled_at is None and delegation.starts_on <= today <= delegation.ends_on
