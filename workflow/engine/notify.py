"""Notifications in the app (the bell), and each reader's language for them and for mail
(mail itself goes through the outbox: workflow/engine/outbox.py)."""
from flask import current_app, g, has_request_context, request
from flask_babel import force_locale
from sqlalchemy import func, select, update

from workflow import clock
from workflow.extensions import db
from workflow.models import Notification


def in_language_of(user):
    """The user's own language (their choice, else the application's default), whoever
    caused the message: a notification is stored, and mailed, as its reader reads."""
    languages = current_app.config["LANGUAGES"]
    chosen = user.locale if user.locale in languages else current_app.config["BABEL_DEFAULT_LOCALE"]
    return force_locale(chosen)


def text_for(user, text):
    """``text`` as ``user`` reads it. Pass a function that builds the message with ``_()``
    to have it built in each reader's language; a plain string is taken as it is."""
    if callable(text):
        with in_language_of(user):
            return str(text())
    return str(text)


def notify(users, text, link=""):
    """Add an in-app notification for each user (committed with the caller's transaction).
    ``text``: a string, or a function building it (then in each user's language)."""
    seen = set()
    for user in users:
        if user is None or user.id in seen or not user.active:
            continue
        seen.add(user.id)
        forget_unread(user.id)
        db.session.add(Notification(user_id=user.id, text=text_for(user, text), link=link or ""))


def unread_query(user_id):
    """The number of ``user_id``'s unread notifications, as a SELECT (or, with
    ``.scalar_subquery()``, a column of another query)."""
    return select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )


# Every page shows the count (the bell). The session loader reads it in the user's own query
# and remembers it here for this request only: the memo names the request object, so it is
# never read by another request (not even one sharing the app context, as in tests), and
# notify() / mark_all_read() drop it when they change the user's notifications.
_MEMO = "_unread_notifications"


def remember_unread(user_id, count):
    if has_request_context():
        setattr(g, _MEMO, (request._get_current_object(), user_id, count))


def forget_unread(user_id):
    memo = g.get(_MEMO) if has_request_context() else None
    if memo is not None and memo[1] == user_id:
        g.pop(_MEMO)


def unread_count(user):
    memo = g.get(_MEMO) if has_request_context() else None
    if memo is not None and memo[0] is request._get_current_object() and memo[1] == user.id:
        return memo[2]
    return db.session.scalar(unread_query(user.id))


def recent(user, limit=50):
    return db.session.scalars(
        select(Notification).where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    ).all()


def mark_all_read(user):
    forget_unread(user.id)
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
    )
    db.session.commit()
