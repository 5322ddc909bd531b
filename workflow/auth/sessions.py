"""Sessions that end: a record in the database for each signed-in browser.

The signed cookie carries, besides Flask-Login's user id, a random secret (``SESSION_KEY``);
``user_sessions`` keeps its SHA-256. The user loader (``auth.services.load_user``) reads the
user, the roles, the section, the unread count and this row in its one statement, so a
session is checked on every request at no extra cost: logout, a password change, an
administrator's reset and deactivation delete rows, and the cookies naming them stop working
on every worker and host at once — a copy taken before is refused.

A session also ends in the database after ``PERMANENT_SESSION_LIFETIME`` without a request,
as the cookie does. Its ``last_seen_at`` is written at most once a ``SEEN_RESOLUTION`` (one
write a minute per active browser, not one per request), so the database's idle clock is at
most that much behind.

Sessions are timed by the real clock, like the cookie's signature, not by
``workflow.clock``: that is the office's business calendar, which tests and the year's
scenario move by months while a browser stays signed in.
"""
import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import delete, update

from workflow.extensions import db
from workflow.models import UserSession
from workflow.read_only import WROTE

SESSION_KEY = "_session_secret"
SEEN_RESOLUTION = timedelta(minutes=1)


def now():
    return datetime.now(timezone.utc)


def digest(secret):
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def lifetime():
    return current_app.config["PERMANENT_SESSION_LIFETIME"]


def oldest_alive(moment=None):
    """A session last seen before this moment has expired."""
    return (moment or now()) - lifetime()


def open_session(user, address=""):
    """Add a session for ``user`` (not committed); returns the secret for the cookie, which
    is never stored. Expired sessions of anyone are purged on the way (an indexed range)."""
    moment = now()
    db.session.execute(delete(UserSession).where(UserSession.last_seen_at < oldest_alive(moment)))
    secret = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, secret_hash=digest(secret), created_at=moment,
                               last_seen_at=moment, address=(address or "")[:64]))
    return secret


def start(user, address=""):
    """A new session for ``user`` after a successful login; returns the cookie's secret."""
    secret = open_session(user, address)
    db.session.commit()
    return secret


def end(secret):
    """Logout: this browser's session ends for good."""
    if secret:
        db.session.execute(delete(UserSession).where(UserSession.secret_hash == digest(secret)))
        db.session.commit()


def end_all(user):
    """Every session of ``user`` ends (not committed: the caller's change commits it)."""
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))


def seen(session_id, last_seen_at):
    """Note that a session was used, when the last note is older than SEEN_RESOLUTION.

    Called from the user loader at the start of a request. The write is committed at once
    (so a page that only reads still records it), without expiring what the session has
    loaded (the user the loader just read). When the request's session already holds a
    change of its own, the note waits for a later request rather than commit that change
    early."""
    moment = now()
    if moment - last_seen_at < SEEN_RESOLUTION:
        return
    session = db.session()
    if session.new or session.dirty or session.deleted or session.connection().info.get(WROTE):
        return
    session.execute(update(UserSession).where(UserSession.id == session_id).values(last_seen_at=moment))
    keep, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = keep
