"""No secret or password in any log record.

Every logger at DEBUG (SQLAlchemy's statements and result rows included) while people log in,
fail to log in, change a password, an administrator creates a user and resets a password, a
person sets a password through a one-time link, and
the office publishes a meeting whose invitation goes to a real SMTP server on loopback
(aiosmtpd) that requires a login. No record may hold a password, the mail password, the
SECRET_KEY or a session cookie's value."""
import logging
import re

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.conftest import PASSWORD, login, post
from tests.factories import make_setup
from tests.test_meetings import make_meeting
from tests.mail_server import Collector, deliver_outbox, free_port

MAIL_USER = "jxpj-mailer"
MAIL_PASSWORD = "Smtp-Secret-9876"
WRONG = "Wrong-Secret-1234"
INITIAL = "Initial-Pass-5678"
RESET = "Reset-Pass-2468"
CHANGED = "Changed-Pass-1357"
LINKED = "Linked-Pass-3579"  # set through a one-time link


@pytest.fixture
def smtp_with_login(app):
    """aiosmtpd requiring AUTH (over plain loopback: no TLS to set up in a test)."""
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == MAIL_USER.encode() and auth_data.password == MAIL_PASSWORD.encode()
        logins.append(ok)
        return AuthResult(success=ok)

    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port(), authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    keys = ("MAIL_ENABLED", "MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_USERNAME",
            "MAIL_PASSWORD")
    saved = {key: app.config[key] for key in keys}
    app.config.update(MAIL_ENABLED=True, MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_USE_TLS=False,
                      MAIL_USE_SSL=False, MAIL_USERNAME=MAIL_USER, MAIL_PASSWORD=MAIL_PASSWORD)
    try:
        yield collector, logins
    finally:
        app.config.update(saved)
        controller.stop()


@pytest.fixture
def every_logger_at_debug(caplog):
    """caplog's handler on the root at DEBUG, every known logger at DEBUG, and the handler
    also on any logger that does not propagate."""
    caplog.set_level(logging.DEBUG)
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger):
            caplog.set_level(logging.DEBUG, logger=name)
    detached = [logger for logger in logging.root.manager.loggerDict.values()
                if isinstance(logger, logging.Logger) and not logger.propagate]
    for logger in detached:
        logger.addHandler(caplog.handler)
    yield caplog
    for logger in detached:
        logger.removeHandler(caplog.handler)


def record_text(record):
    """Everything a handler could write: the message, its arguments, the traceback, extras."""
    parts = [record.getMessage(), repr(record.args), repr(record.__dict__)]
    if record.exc_info:
        parts.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(parts)


def session_value(app, client):
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None and cookie.value
    return cookie.value


@pytest.mark.commits  # every logger of a real request cycle, no test savepoints
def test_no_secret_in_any_log_record(app, smtp_with_login, every_logger_at_debug):
    collector, smtp_logins = smtp_with_login
    org, plan = make_setup()
    meeting = make_meeting(plan, org, publish=False)
    cookies = []

    anonymous = app.test_client()
    response = post(anonymous, "/auth/login", {"username": "staff_a", "password": WRONG})
    assert "用户名或密码错误" in response.get_data(as_text=True)

    admin = app.test_client()
    login(admin, "admin")
    cookies.append(session_value(app, admin))
    response = post(admin, "/admin/users/new", {"username": "newcomer", "full_name": "新人",
                                                "section_id": str(org.section_a.id), "roles": ["section_staff"],
                                                "active": "y", "password": INITIAL})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert post(admin, f"/admin/users/{org.staff_b.id}/password", {"password": RESET}).status_code == 302

    staff = app.test_client()
    login(staff, "staff_a")
    response = post(staff, "/auth/password", {"current_password": PASSWORD, "new_password": CHANGED,
                                              "confirm": CHANGED})
    assert response.status_code == 302, response.get_data(as_text=True)
    cookies.append(session_value(app, staff))
    newcomer = app.test_client()
    login(newcomer, "newcomer", INITIAL)
    cookies.append(session_value(app, newcomer))

    # 重置密码链接 for staff_b, who sets a password through it.
    page = post(admin, f"/admin/users/{org.staff_b.id}/password-link").get_data(as_text=True)
    from workflow.extensions import db
    from workflow.models import OutboxMessage

    mailed = db.session.query(OutboxMessage.body).filter_by(user_id=org.staff_b.id).scalar() or ""
    path = re.search(r"/auth/set-password/[A-Za-z0-9_\-]+", page + mailed).group(0)
    linked = app.test_client()
    response = post(linked, path, {"new_password": LINKED, "confirm": LINKED})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    cookies.append(session_value(app, linked))

    office = app.test_client()
    login(office, "office")
    cookies.append(session_value(app, office))
    response = post(office, f"/meetings/{meeting.id}/publish", follow_redirects=True)
    assert response.status_code == 200
    assert deliver_outbox().sent == 4  # three invitations and staff_b's link
    assert collector.sent(), "the invitation reached the SMTP server"
    assert smtp_logins and all(smtp_logins), "the app logged in to the SMTP server"

    records = every_logger_at_debug.records
    # The capture works: SQLAlchemy's statements at least are in it.
    assert any(r.name.startswith("sqlalchemy.engine") for r in records), {r.name for r in records}
    secrets = {"password": PASSWORD, "wrong password": WRONG, "initial password": INITIAL,
               "reset password": RESET, "changed password": CHANGED, "password set through a link": LINKED, "mail password": MAIL_PASSWORD,
               "SECRET_KEY": app.config["SECRET_KEY"]}
    secrets.update({f"session cookie {n}": value for n, value in enumerate(cookies)})
    leaks = [f"    {what} in a record of {record.name}: {record.getMessage()[:200]}"
             for record in records for what, secret in secrets.items() if secret in record_text(record)]
    assert not leaks, "secrets in the log:\n" + "\n".join(leaks)
