"""Authentication rules: password checks, throttling, the session of each request."""
import secrets
from datetime import timedelta
from functools import lru_cache

from flask import current_app
from flask import session as flask_session
from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash

from workflow import clock
from workflow.auth import directory, sessions
from workflow.errors import ServiceError
from workflow.extensions import db
from workflow.models import LoginFailure, User, UserSession
from workflow.models.people import hash_password


class LoginThrottled(ServiceError):
    code = "throttled"


def load_user(user_id):
    """Flask-Login's loader: the user of this request's session, when the session is alive.

    The cookie names the user and carries the session's secret; the row of that secret in
    user_sessions must exist for that user and have been seen within the lifetime
    (workflow/auth/sessions.py). Logout, a password change, a reset and deactivation delete
    the rows, so a cookie kept from before is refused."""
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        return None
    secret = flask_session.get(sessions.SESSION_KEY)
    if not isinstance(secret, str) or not secret:
        return None
    # The session, the roles, the section and the unread count in the same query: every
    # request reads the roles (access checks, navigation), every page shows the count (the
    # bell), and the dashboard and a section's pages name the user's section. The session is
    # found by the unique index on its secret's hash.
    from workflow.engine import notify

    row = db.session.execute(
        select(User, notify.unread_query(User.id).scalar_subquery(), UserSession.id, UserSession.last_seen_at)
        .join(UserSession, UserSession.user_id == User.id)
        .options(joinedload(User.role_rows), joinedload(User.section))
        .where(User.id == pk, UserSession.secret_hash == sessions.digest(secret),
               UserSession.last_seen_at >= sessions.oldest_alive())
    ).unique().first()
    if row is None:
        return None
    user, unread, session_id, last_seen_at = row
    if not user.active:
        return None
    notify.remember_unread(user.id, unread)
    sessions.seen(session_id, last_seen_at)
    return user


def _recent_failures(column, value, since):
    return db.session.scalar(
        select(func.count()).select_from(LoginFailure).where(column == value, LoginFailure.at >= since)
    )


def check_throttle(username, address):
    """Refuse before looking at the password when an account or an address has failed too
    often within the window; the count lives in the database, shared by all workers."""
    config = current_app.config
    window = timedelta(minutes=config["LOGIN_WINDOW_MINUTES"])
    since = clock.now() - window
    too_many_for_account = (
        _recent_failures(LoginFailure.username, username, since)
        >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    )
    too_many_from_address = (
        _recent_failures(LoginFailure.address, address, since)
        >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    )
    if too_many_for_account or too_many_from_address:
        raise LoginThrottled(
            _("登录失败次数过多，请 %(minutes)d 分钟后再试。", minutes=config["LOGIN_WINDOW_MINUTES"])
        )


def _record_failure(username, address):
    now = clock.now()
    db.session.add(LoginFailure(username=username, address=address, at=now))
    # Keep the table small: nothing older than a day is ever counted.
    db.session.execute(delete(LoginFailure).where(LoginFailure.at < now - timedelta(days=1)))
    db.session.commit()


@lru_cache(maxsize=1)
def _dummy_hash():
    # Hashed as real passwords are, so that checking it costs the same time.
    return hash_password(secrets.token_hex(16))


def _local_user(username, password, key, address):
    """The user whose own password (kept in the app) this is."""
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    if user is None:
        # Spend the same time as a real check, so response times do not reveal which
        # login names exist.
        check_password_hash(_dummy_hash(), password or "")
        _record_failure(key, address)
        raise ServiceError(_("用户名或密码错误。"))
    if not user.check_password(password or ""):
        _record_failure(key, address)
        raise ServiceError(_("用户名或密码错误。"))
    return user


def authenticate(username, password, address):
    """Return the user for a correct login, or raise ServiceError with the reason."""
    username = (username or "").strip()
    # Failures are recorded in 64-character columns; a longer name (possible outside the
    # login form, e.g. through the API) is counted under its first 64 characters.
    # Login names are unique regardless of case, so they are matched (and throttled)
    # regardless of case too: 'Admin' cannot dodge the limit of 'admin'.
    key = username[:64].lower()
    address = (address or "unknown")[:64]
    check_throttle(key, address)
    if directory.handles(username):
        # Directory sign-in (LDAP_URL set; workflow/auth/directory.py): the directory checks
        # the password, the app's own password is not used. Local accounts go on below.
        try:
            user = directory.sign_in(username, password)
        except directory.BadCredentials:
            _record_failure(key, address)
            raise ServiceError(_("用户名或密码错误。")) from None
    else:
        user = _local_user(username, password, key, address)
    if not user.active:
        raise ServiceError(_("该账号已停用，请联系管理员。"))
    db.session.execute(delete(LoginFailure).where(LoginFailure.username == key))
    user.last_login_at = clock.now()
    db.session.commit()
    return user


def validate_new_password(user, password):
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise ServiceError(_("新密码至少需要 %(n)d 个字符。", n=minimum))
    if len(password) > 128:
        raise ServiceError(_("新密码不能超过 128 个字符。"))
    if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
        raise ServiceError(_("新密码需同时包含字母和数字。"))
    if user is not None and password.lower() == user.username.lower():
        raise ServiceError(_("新密码不能与登录名相同。"))


def change_password(user, current_password, new_password, address=""):
    """Change the user's own password. Every session of theirs ends; the browser that made the
    change gets a new one, whose secret is returned for its cookie."""
    if directory.handles(user.username):
        raise ServiceError(_("您的密码由单位目录（域账号）管理，请在单位目录中修改。"))
    if not user.check_password(current_password or ""):
        raise ServiceError(_("当前密码不正确。"))
    if current_password == new_password:
        raise ServiceError(_("新密码不能与当前密码相同。"))
    validate_new_password(user, new_password)
    user.set_password(new_password)
    user.must_change_password = False
    sessions.end_all(user)
    secret = sessions.open_session(user, address)
    db.session.commit()
    return secret
