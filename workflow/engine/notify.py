"""Notifications: in the app (the bell) and by email over SMTP."""
import smtplib
from email.message import EmailMessage
from email.utils import formataddr

from flask import current_app
from sqlalchemy import func, select, update

from workflow import clock
from workflow.extensions import db
from workflow.models import Notification


def notify(users, text, link=""):
    """Add an in-app notification for each user (committed with the caller's transaction)."""
    seen = set()
    for user in users:
        if user is None or user.id in seen or not user.active:
            continue
        seen.add(user.id)
        db.session.add(Notification(user_id=user.id, text=str(text), link=link or ""))


def unread_count(user):
    return db.session.scalar(
        select(func.count()).select_from(Notification).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    )


def recent(user, limit=50):
    return db.session.scalars(
        select(Notification).where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    ).all()


def mark_all_read(user):
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
    )
    db.session.commit()


def send_mail(recipients, subject, body):
    """Send one plain-text message per recipient with an address; returns how many went.

    Mail is off unless MAIL_ENABLED is set, so a trial install never tries to reach a
    server that is not there. Failures are logged, never raised: a reminder that cannot be
    mailed is still in the app.
    """
    config = current_app.config
    if not config["MAIL_ENABLED"]:
        return 0
    addressed = [(user.full_name, user.email) for user in recipients if user is not None and user.email]
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
            for name, address in addressed:
                message = EmailMessage()
                message["From"] = config["MAIL_DEFAULT_SENDER"]
                message["To"] = formataddr((name, address))
                message["Subject"] = subject
                message.set_content(body)
                smtp.send_message(message)
                sent += 1
    except (OSError, smtplib.SMTPException) as error:
        current_app.logger.warning("Mail to %d recipients failed after %d: %s", len(addressed), sent, error)
    return sent
