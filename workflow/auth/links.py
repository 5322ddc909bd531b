"""One-time links to set one's own password (设置密码链接).

A person the administrator creates (the people import) or resets (重置密码链接) does not get
a password typed by somebody else: they get an address ``/auth/set-password/<token>`` whose
token is 32 random bytes. Only its SHA-256 is stored (``password_links``), with an expiry of
PASSWORD_LINK_DAYS days; setting the password through it marks it used, so it works once, and
a newer link for the same person ends the older ones.

The link is mailed through the outbox when the person has an address and mail is on;
otherwise the administrator is shown it (with its QR code) to hand over. Either way the
administrator's page is the only place the token ever appears: it is not kept.

With directory sign-in (workflow/auth/directory.py), a login the directory handles has its
password there: it gets no link, and a link made before the directory was set up is refused.
"""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import select, update

from workflow import clock
from workflow.auth import directory, sessions
from workflow.auth.services import validate_new_password
from workflow.engine import outbox
from workflow.errors import ServiceError
from workflow.extensions import db
from workflow.models import PasswordLink, User
from workflow.models.password_links import RESET, WELCOME

MAX_TOKEN_LENGTH = 100


class LinkRefused(ServiceError):
    """A link that is unknown, expired or already used."""


@dataclass
class IssuedLink:
    """What the administrator's page shows of one link just made."""

    user: User
    url: str
    expires_at: object
    mailed: bool  # queued in the outbox to the person's address


def digest(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def lifetime():
    return timedelta(days=max(int(current_app.config["PASSWORD_LINK_DAYS"]), 1))


def absolute_url(token):
    """The address the person opens: PUBLIC_URL (or MEETING_PUBLIC_URL) when set, else the
    address of the current request."""
    config = current_app.config
    base = (config.get("PUBLIC_URL") or config.get("MEETING_PUBLIC_URL") or "").rstrip("/")
    if base:
        return base + url_for("auth.set_password", token=token)
    return url_for("auth.set_password", token=token, _external=True)


def _end_open_links(user, now):
    db.session.execute(
        update(PasswordLink).where(PasswordLink.user_id == user.id, PasswordLink.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False)
    )


def issue(user, actor, purpose=WELCOME):
    """A new link for ``user`` (not committed: the caller's change commits it); earlier links of
    theirs that were not used end. Mailed when the person has an address (and mail is on).
    Returns an IssuedLink, the only place the token's URL exists."""
    now = clock.now()
    _end_open_links(user, now)
    token = secrets.token_urlsafe(32)
    link = PasswordLink(user_id=user.id, token_hash=digest(token), purpose=purpose, created_at=now,
                        expires_at=now + lifetime(), created_by_id=actor.id if actor is not None else None)
    db.session.add(link)
    url = absolute_url(token)
    days = lifetime().days
    mailed = bool(user.email) and outbox.enqueue(
        [user],
        lambda: _("【绩效评价】设置登录密码"),
        lambda: _("%(name)s：\n\n管理员已为您开通绩效评价工作台账号，登录名：%(username)s。\n"
                  "请在 %(days)d 天内打开以下链接设置您自己的登录密码（链接只能使用一次）：\n\n%(url)s\n",
                  name=user.full_name, username=user.username, days=days, url=url),
    ) > 0
    return IssuedLink(user=user, url=url, expires_at=link.expires_at, mailed=mailed)


def refuse_directory_account(user):
    if directory.handles(user.username):
        raise LinkRefused(_("该账号的密码由单位目录（域账号）管理，不需要设置密码链接，请在单位目录中修改密码。"),
                          code="conflict")


def issue_reset(user, actor):
    """重置密码链接 for an existing account. As for a reset with a typed password, every session
    of the account ends; the password in use keeps working until the link sets a new one."""
    refuse_directory_account(user)
    issued = issue(user, actor, purpose=RESET)
    sessions.end_all(user)
    db.session.commit()
    return issued


def find(token, now=None):
    """The usable link of ``token``; LinkRefused (with the reason people read) otherwise."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise LinkRefused(_("链接无效，请向管理员索取新的设置密码链接。"), code="not_found")
    link = db.session.scalar(select(PasswordLink).where(PasswordLink.token_hash == digest(token)))
    if link is None:
        raise LinkRefused(_("链接无效，请向管理员索取新的设置密码链接。"), code="not_found")
    if link.used_at is not None:
        raise LinkRefused(_("此链接已使用过或已被新的链接取代，请直接登录，或向管理员索取新的链接。"), code="conflict")
    if (now or clock.now()) >= link.expires_at:
        raise LinkRefused(_("此链接已过期，请向管理员索取新的设置密码链接。"), code="conflict")
    if not link.user.active:
        raise LinkRefused(_("该账号已停用，请联系管理员。"), code="refused")
    refuse_directory_account(link.user)
    return link


def set_password(token, password, confirm, address=""):
    """Set the password through the link, with the app's password rules; the link ends.
    Returns (user, the secret of a new session for this browser)."""
    link = find(token)
    user = link.user
    if password != confirm:
        raise ServiceError(_("两次输入的新密码不一致。"))
    validate_new_password(user, password)
    now = clock.now()
    used = db.session.execute(
        update(PasswordLink).where(PasswordLink.id == link.id, PasswordLink.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False)
    ).rowcount
    if not used:  # the same link used at the same moment in another browser
        db.session.rollback()
        raise LinkRefused(_("此链接已使用过或已被新的链接取代，请直接登录，或向管理员索取新的链接。"), code="conflict")
    user.set_password(password)
    user.must_change_password = False
    user.last_login_at = now
    sessions.end_all(user)
    secret = sessions.open_session(user, address)
    db.session.commit()
    return user, secret
