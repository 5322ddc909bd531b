"""Personal API tokens: creation (the token is returned once), the owner's list, revocation,
and finding the user behind a bearer token.

A token is ``jxpj_`` followed by 43 URL-safe random characters (256 bits); the prefix makes a
leaked token recognisable to secret scanners and in logs. Only its SHA-256 is stored: a
random token of that length needs no slow hash, and a database leak reveals no usable token.
"""
import hashlib
import hmac
import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from workflow import clock
from workflow.errors import NotFound, ServiceError
from workflow.extensions import db
from workflow.models import ApiToken, User

PREFIX = "jxpj_"
NAME_LIMIT = 64
MAX_ACTIVE_PER_USER = 20
# last_used_at is written at most this often per token: one write per request would turn every
# API read into a database write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def digest(raw):
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def list_for(user):
    return db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.revoked_at.is_not(None),
                                                                      ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()


def create(user, name):
    """A new token for ``user``; returns (row, the token itself, which is never stored)."""
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("请填写令牌名称。"))
    if len(name) > NAME_LIMIT:
        raise ServiceError(_("令牌名称不能超过 %(n)d 个字符。", n=NAME_LIMIT))
    active = [t for t in list_for(user) if t.active]
    if len(active) >= MAX_ACTIVE_PER_USER:
        raise ServiceError(_("有效令牌已达 %(n)d 个，请先撤销不用的令牌。", n=MAX_ACTIVE_PER_USER))
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=digest(raw), hint=raw[: len(PREFIX) + 4])
    db.session.add(token)
    db.session.commit()
    return token, raw


def revoke(user, token_id):
    """Revoke one of ``user``'s own tokens (another user's token is 'not found')."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(_("令牌不存在。"))
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        db.session.commit()
    return token


def revoke_all(user):
    """Revoke every active token of ``user`` (deactivation; not committed: the caller's
    change commits it). Revoked stays revoked: nothing ever clears revoked_at."""
    db.session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )


def user_for(raw):
    """The active user a bearer token stands for, or None (unknown, revoked, inactive user)."""
    if not raw or not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    wanted = digest(raw)
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == wanted))
    if token is None or token.revoked_at is not None or not hmac.compare_digest(token.token_hash, wanted):
        return None
    user = db.session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        db.session.commit()
    return user
