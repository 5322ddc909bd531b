"""Deputies (代理): whose place a user may take today. The rule of who may act (rights.py)
lets a deputy act wherever the person they stand in for may; a delegation ends by itself
after its last day (or when cancelled)."""
from flask import g, has_request_context
from sqlalchemy import select

from workflow.extensions import db
from workflow.models import Delegation, User


def active_on(on):
    """SQL: delegations in force on the office's day ``on``."""
    return (Delegation.cancelled_at.is_(None), Delegation.starts_on <= on, Delegation.ends_on >= on)


def principals_of(user):
    """The active people ``user`` stands in for today (asked on every page: kept for the
    request)."""
    from workflow.engine.tasks import today

    cache = g.setdefault("principals", {}) if has_request_context() else {}
    key = (user.id, today())
    if key not in cache:
        cache[key] = db.session.scalars(
            select(User).join(Delegation, Delegation.principal_id == User.id)
            .where(Delegation.deputy_id == user.id, User.active.is_(True), *active_on(key[1]))
            .order_by(User.id)
        ).all()
    return cache[key]


def deputies_of(users):
    """Who stands in today for any of ``users`` (they are told of the users' tasks too), in
    one query however many people a task concerns."""
    from workflow.engine.tasks import today

    ids = [user.id for user in users]
    if not ids:
        return []
    return db.session.scalars(
        select(User).join(Delegation, Delegation.deputy_id == User.id)
        .where(Delegation.principal_id.in_(ids), User.active.is_(True), *active_on(today()))
        .order_by(User.id)
    ).unique().all()


def forget():
    if has_request_context():
        g.pop("principals", None)
