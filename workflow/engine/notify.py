"""Notifications: in the app (the bell) and by email over SMTP."""
import smtplib
from email.message import EmailMessage
from email.utils import formataddr

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


def send_mail(recipients, subject, body):
    """Send one plain-text message per recipient with an address; returns how many went.
    ``subject`` and ``body``: strings, or functions building them in each reader's language.

    Mail is off unless MAIL_ENABLED is set, so a trial install never tries to reach a
    server that is not there. Failures are logged, never raised: a reminder that cannot be
    mailed is still in the app.
    """
    config = current_app.config
    if not config["MAIL_ENABLED"]:
        return 0
    addressed = [user for user in recipients if user is not None and user.email]
    if not addressed:
        return 0
    sent = 0
    try:
        connection_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
        with connection_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            for user in addressed:
                message = EmailMessage()
                message["From"] = config["MAIL_DEFAULT_SENDER"]
                message["To"] = formataddr((user.full_name, user.email))
                message["Subject"] = text_for(user, subject)
                message.set_content(text_for(user, body))
                smtp.send_message(message)
                sent += 1
    except (OSError, smtplib.SMTPException) as error:
        current_app.logger.warning("Mail to %d recipients failed after %d: %s", len(addressed), sent, error)
    return sent
