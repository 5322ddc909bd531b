"""The outbox: mail is queued in the transaction of what caused it and delivered later by the
sender (workflow/engine/mailer.py), so a notice is never lost to a mail server that is down
and no page waits for SMTP.

Claiming a message is a lease: the sender writes its name and an expiry on the row in a short
transaction of its own, delivers, then marks the row sent or records the failure. On
PostgreSQL the candidate is read with ``FOR UPDATE SKIP LOCKED``, so senders on several hosts
pass over each other's rows instead of waiting for them; on SQLite (no row locks) the claim is
an ``UPDATE … WHERE`` the row is still free, and the row count says who won. A claim that is
never finished (a sender that died) runs out after MAIL_CLAIM_SECONDS and the message is
taken again: delivery is at least once (README, “Mail”)."""
from datetime import timedelta
from email.utils import make_msgid

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, or_, select, update

from workflow import clock
from workflow.engine import audit, notify
from workflow.errors import NotFound, ServiceError
from workflow.extensions import db
from workflow.models import OutboxMessage, User, UserRole
from workflow.models.outbox import FAILED, PENDING, SENT
from workflow.pagination import paginate
from workflow.roles import Role

ACTION_RETRY = "mail_retry"


# Queueing --------------------------------------------------------------------------------


def enqueue(recipients, subject, body):
    """Queue one plain-text message per recipient with an address, in the caller's
    transaction (committed with what caused it); returns how many were queued.
    ``subject`` and ``body``: strings, or functions building them in each reader's language.

    Nothing is queued unless MAIL_ENABLED is set: a trial install, or the demo, has no mail
    server, and the in-app notification tells people anyway. A queue filled while mail is
    off would flood everybody with stale notices on the day it is switched on."""
    config = current_app.config
    if not config["MAIL_ENABLED"]:
        return 0
    now = clock.now()
    domain = config["MAIL_DEFAULT_SENDER"].rpartition("@")[2] or "localhost"
    seen = set()
    for user in recipients:
        if user is None or not user.email or user.id in seen:
            continue
        seen.add(user.id)
        db.session.add(OutboxMessage(
            user_id=user.id, to_address=user.email, to_name=user.full_name or "",
            subject=notify.text_for(user, subject), body=notify.text_for(user, body),
            message_id=make_msgid(domain=domain), status=PENDING, attempts=0,
            created_at=now, next_attempt_at=now, last_error="",
        ))
    return len(seen)


# The sender's side -----------------------------------------------------------------------


def _free(now):
    return or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now)


def _due(now):
    return and_(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now, _free(now))


def claim_next(sender, now):
    """Claim the next due message for ``sender`` (its lease committed); None when none is due."""
    lease = now + timedelta(seconds=current_app.config["MAIL_CLAIM_SECONDS"])
    while True:
        candidate = db.session.scalar(
            select(OutboxMessage.id).where(_due(now))
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(1)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite has no row locks
        )
        if candidate is None:
            db.session.commit()
            return None
        won = db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == candidate, _due(now))
            .values(claimed_by=sender, claimed_until=lease)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        if won:
            return db.session.get(OutboxMessage, candidate)
        # Another sender claimed it between our read and our update (SQLite): the next one.


def backoff(attempts):
    """The wait after the ``attempts``-th failed attempt: the first delay, doubling, capped."""
    config = current_app.config
    first, longest = config["MAIL_RETRY_FIRST_SECONDS"], config["MAIL_RETRY_MAX_SECONDS"]
    return timedelta(seconds=min(longest, first * 2 ** min(attempts - 1, 30)))


def mark_sent(message, now):
    """The SMTP server accepted it: sent, the claim released."""
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message.id, OutboxMessage.status == PENDING)
        .values(status=SENT, sent_at=now, last_attempt_at=now, attempts=OutboxMessage.attempts + 1,
                claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def record_failure(message, error, now, permanent=False):
    """An attempt failed: count it with its error, and either wait (back-off) or give up
    (a permanent refusal, or MAIL_MAX_ATTEMPTS reached). Returns True when given up."""
    attempts = message.attempts + 1
    give_up = permanent or attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]
    values = dict(attempts=attempts, last_attempt_at=now, last_error=(error or "")[:500],
                  claimed_by=None, claimed_until=None)
    if give_up:
        values["status"] = FAILED
    else:
        values["next_attempt_at"] = now + backoff(attempts)
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message.id, OutboxMessage.status == PENDING)
        .values(**values).execution_options(synchronize_session=False)
    )
    db.session.commit()
    return give_up


def outbox_link():
    if has_request_context():
        return url_for("work.outbox_page")
    return "/work/outbox"


def tell_office(count):
    """The office hears (under the bell) that ``count`` messages were given up."""
    office = db.session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.OFFICE.value, User.active.is_(True))
    ).all()
    notify.notify(office, lambda: _("%(n)d 封邮件未能发送，请在“邮件发送”中查看并重试。", n=count), outbox_link())
    db.session.commit()


# What the office sees and does -------------------------------------------------------------


def unsent_page(number):
    """One page of the messages not (yet) sent: the given-up ones first, newest first."""
    query = (select(OutboxMessage).where(OutboxMessage.status != SENT)
             .order_by(case((OutboxMessage.status == FAILED, 0), else_=1), OutboxMessage.id.desc()))
    return paginate(query, number)


def counts():
    """{status: number of messages}, every status present."""
    rows = db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
    return {PENDING: 0, SENT: 0, FAILED: 0, **dict(rows)}


def is_claimed(message, now=None):
    return message.claimed_until is not None and message.claimed_until > (now or clock.now())


def _retry_values(now):
    # A fresh schedule: the attempts start again from one (the last error stays to be read).
    return dict(status=PENDING, attempts=0, next_attempt_at=now, claimed_by=None, claimed_until=None)


def retry(message_id, actor, address=""):
    """Send one failed or waiting message at the sender's next pass, with a fresh schedule."""
    now = clock.now()
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound(_("该邮件不存在。"))
    done = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status != SENT, _free(now))
        .values(**_retry_values(now)).execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        db.session.rollback()
        db.session.refresh(message)
        if message.status == SENT:
            raise ServiceError(_("该邮件已发送，无需重试。"), code="conflict")
        raise ServiceError(_("该邮件正在发送，请稍后刷新页面查看结果。"), code="conflict")
    audit.record(None, actor, ACTION_RETRY, address=address,
                 details={"outbox_id": message_id, "to": message.to_address, "subject": message.subject})
    db.session.commit()
    return message


def retry_failed(actor, address=""):
    """Every given-up message goes back into the queue; returns how many."""
    now = clock.now()
    count = db.session.execute(
        update(OutboxMessage).where(OutboxMessage.status == FAILED)
        .values(**_retry_values(now)).execution_options(synchronize_session=False)
    ).rowcount
    if count:
        audit.record(None, actor, ACTION_RETRY, address=address, details={"messages": count})
    db.session.commit()
    return count
