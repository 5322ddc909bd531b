"""Signing in and out, throttling, passwords, sessions, CSRF and security headers.

Rules are tested in the services without HTTP; pages through the test client.
"""
import os
import re
import stat
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import quote, urljoin, urlsplit

import pytest
from flask import session as flask_session
from flask import url_for
from itsdangerous.timed import TimestampSigner
from sqlalchemy import func, select
from werkzeug.routing import BuildError

import config
from tests.conftest import PASSWORD, csrf_token, login, post, session_cookie
from tests.factories import make_section, make_user
from workflow import clock, create_app
from workflow.auth import services as auth_services
from workflow.auth import sessions as auth_sessions
from workflow.errors import ServiceError
from workflow.extensions import db as _db
from workflow.models import LoginFailure, User, UserSession
from workflow.roles import Role
from workflow.web import PASSWORD_CHANGE_ALLOWED

WRONG_PASSWORD_MESSAGE = "用户名或密码错误。"
INACTIVE_MESSAGE = "该账号已停用，请联系管理员。"
CSRF_MESSAGE = "请求已失效"
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)


# Helpers -------------------------------------------------------------------------------


def text(response):
    return response.get_data(as_text=True)


def attempt(client, username, password=PASSWORD, next_url=None):
    url = "/auth/login" + (f"?next={next_url}" if next_url is not None else "")
    return post(client, url, {"username": username, "password": password})


def client_from(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def reload_user(user_id):
    _db.session.expire_all()
    return _db.session.get(User, user_id)


def failures(**where):
    _db.session.expire_all()
    statement = select(func.count()).select_from(LoginFailure)
    for column, value in where.items():
        statement = statement.where(getattr(LoginFailure, column) == value)
    return _db.session.scalar(statement)


def is_signed_in(client):
    """The dashboard answers 200 when signed in and redirects to the login page otherwise."""
    response = client.get("/")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    return False


def session_rows(user):
    """The secret hashes of the user's sessions in the database."""
    _db.session.expire_all()
    return set(_db.session.scalars(select(UserSession.secret_hash).where(UserSession.user_id == user.id)))


def throttle_message(app):
    return f"登录失败次数过多，请 {app.config['LOGIN_WINDOW_MINUTES']} 分钟后再试。"



def cookie_attribute(header, attribute):
    for part in header.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == attribute.lower():
            return value or True
    return None


# Login ---------------------------------------------------------------------------------


def test_login_success_goes_to_dashboard_and_records_the_time(client):
    user = make_user("zhangsan", roles=[Role.OFFICE], full_name="张三")
    clock.freeze(T0)
    response = attempt(client, "zhangsan")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert "您好，张三" in text(page)
    assert reload_user(user.id).last_login_at == T0


def test_login_page_renders_for_anonymous_and_dashboard_requires_login(client):
    page = client.get("/auth/login")
    assert page.status_code == 200
    assert "登录名" in text(page) and "密码" in text(page)
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_wrong_password_and_unknown_user_get_the_same_generic_message(client):
    make_user("zhangsan")
    wrong = attempt(client, "zhangsan", "Wrong-pass1")
    unknown = attempt(client, "nobody", "Wrong-pass1")
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert WRONG_PASSWORD_MESSAGE in text(response)
        # Nothing tells an attacker whether the account exists.
        assert "不存在" not in text(response)
    assert not is_signed_in(client)
    assert failures(username="zhangsan") == 1
    assert failures(username="nobody") == 1


def test_inactive_account_is_refused_with_its_message(client):
    user = make_user("retired", active=False)
    response = attempt(client, "retired")
    assert response.status_code == 200
    assert INACTIVE_MESSAGE in text(response)
    assert not is_signed_in(client)
    assert reload_user(user.id).last_login_at is None


def test_inactive_account_with_wrong_password_gets_the_generic_message(client):
    make_user("retired", active=False)
    response = attempt(client, "retired", "Wrong-pass1")
    assert WRONG_PASSWORD_MESSAGE in text(response)
    assert INACTIVE_MESSAGE not in text(response)


def test_authenticate_service_rules():
    user = make_user("zhangsan")
    make_user("retired", active=False)
    assert auth_services.authenticate("  zhangsan ", PASSWORD, "10.0.0.1").id == user.id
    with pytest.raises(ServiceError, match=WRONG_PASSWORD_MESSAGE):
        auth_services.authenticate("zhangsan", "nope", "10.0.0.1")
    with pytest.raises(ServiceError, match=WRONG_PASSWORD_MESSAGE):
        auth_services.authenticate("zhangsan", None, "10.0.0.1")
    with pytest.raises(ServiceError, match=WRONG_PASSWORD_MESSAGE):
        auth_services.authenticate("ghost", PASSWORD, "10.0.0.1")
    with pytest.raises(ServiceError, match=INACTIVE_MESSAGE):
        auth_services.authenticate("retired", PASSWORD, "10.0.0.1")
    assert failures(username="zhangsan") == 2
    assert failures(username="ghost") == 1


def test_authenticate_service_survives_an_overlong_username_and_address():
    """The form caps the login name at 64 characters, but the service is also the API's entry
    point: an overlong name must be refused like any wrong login, not crash on the
    64-character columns of the failure record (PostgreSQL enforces them)."""
    long_name = "x" * 300
    with pytest.raises(ServiceError, match=WRONG_PASSWORD_MESSAGE):
        auth_services.authenticate(long_name, "whatever1", "1" * 300)
    assert failures() == 1


@pytest.mark.parametrize("target", ["/auth/password", "/admin/users?q=%E5%BC%A0"])
def test_next_is_followed_for_local_paths(client, target):
    make_user("boss", roles=[Role.ADMIN])
    response = attempt(client, "boss", next_url=quote(target, safe=""))
    assert response.status_code == 302
    assert response.headers["Location"] == target


@pytest.mark.parametrize(
    "target",
    [
        "http://evil.example/phish",
        "https://evil.example",
        "//evil.example/x",
        "/\\evil.example/x",  # browsers read "/\" as "//": a protocol-relative URL
        "\\\\evil.example",
        "/\t/evil.example",  # browsers drop tabs and newlines from URLs
        "javascript:alert(1)",
        "evil.example/x",
    ],
)
def test_next_to_another_site_is_ignored(client, target):
    make_user("boss", roles=[Role.ADMIN])
    response = attempt(client, "boss", next_url=quote(target, safe=""))
    assert response.status_code == 302
    location = response.headers["Location"]
    # Read the Location the lenient way a browser does: "\\" as "/", tabs and newlines dropped.
    as_browser = re.sub(r"[\t\r\n]", "", location).replace("\\", "/")
    resolved = urlsplit(urljoin("http://localhost/auth/login", as_browser))
    assert resolved.scheme == "http" and resolved.netloc == "localhost", location
    assert is_signed_in(client)


def test_login_page_when_already_signed_in_goes_to_the_dashboard(client):
    make_user("zhangsan")
    login(client, "zhangsan")
    response = client.get("/auth/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_gives_a_fresh_session(client, app):
    """No session fixation: the cookie issued before login is not the one used after."""
    make_user("zhangsan")
    before = session_cookie(app, client.get("/auth/login"))
    after = session_cookie(app, attempt(client, "zhangsan"))
    assert before.split(";")[0] != after.split(";")[0]


# Throttling ----------------------------------------------------------------------------


def test_account_is_throttled_after_too_many_failures(app, client):
    victim = make_user("victim")
    make_user("bystander")
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        response = attempt(client, "victim", "Wrong-pass1")
        assert WRONG_PASSWORD_MESSAGE in text(response)
    assert failures(username="victim") == limit

    refused = attempt(client, "victim")  # the correct password
    assert refused.status_code == 200
    assert throttle_message(app) in text(refused)
    assert not is_signed_in(client)
    assert reload_user(victim.id).last_login_at is None

    # The account is locked for everyone, whatever address the attempt comes from …
    elsewhere = client_from(app, "10.9.9.9")
    assert throttle_message(app) in text(attempt(elsewhere, "victim"))
    # … but another account from another address is not affected.
    other = client_from(app, "10.1.2.3")
    assert attempt(other, "bystander").status_code == 302
    assert is_signed_in(other)


def test_address_is_throttled_across_usernames(app):
    make_user("zhangsan")
    limit = app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    assert limit > app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    attacker = client_from(app, "203.0.113.7")
    for n in range(limit):
        # A different name each time, so no single account reaches its own limit.
        assert WRONG_PASSWORD_MESSAGE in text(attempt(attacker, f"guess{n}", "Wrong-pass1"))
    assert failures(address="203.0.113.7") == limit

    # A correct login from that address is now refused too …
    refused = attempt(attacker, "zhangsan")
    assert throttle_message(app) in text(refused)
    assert not is_signed_in(attacker)
    # … while the same account from another address signs in.
    office = client_from(app, "10.0.0.8")
    assert attempt(office, "zhangsan").status_code == 302
    assert is_signed_in(office)


def test_throttle_ends_when_the_window_has_passed(app, client):
    make_user("zhangsan")
    window = timedelta(minutes=app.config["LOGIN_WINDOW_MINUTES"])
    clock.freeze(T0)
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        attempt(client, "zhangsan", "Wrong-pass1")
    clock.freeze(T0 + window - timedelta(minutes=1))
    assert throttle_message(app) in text(attempt(client, "zhangsan"))
    clock.freeze(T0 + window + timedelta(seconds=1))
    response = attempt(client, "zhangsan")
    assert response.status_code == 302
    assert is_signed_in(client)


def test_success_clears_the_accounts_failures(app, client):
    make_user("zhangsan")
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit - 1):
        attempt(client, "zhangsan", "Wrong-pass1")
    assert failures(username="zhangsan") == limit - 1
    login(client, "zhangsan")
    assert failures(username="zhangsan") == 0
    post(client, "/auth/logout")
    # Had the earlier failures been kept, these would reach the limit.
    for _ in range(limit - 1):
        attempt(client, "zhangsan", "Wrong-pass1")
    assert attempt(client, "zhangsan").status_code == 302


@pytest.mark.commits  # a second app, with its own engine, reads what the test made
def test_throttle_is_counted_in_the_database_and_shared_by_app_instances(app, client, tmp_path):
    make_user("zhangsan")
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        attempt(client, "zhangsan", "Wrong-pass1")
    rows = _db.session.scalars(select(LoginFailure).where(LoginFailure.username == "zhangsan")).all()
    assert len(rows) == app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    assert {row.address for row in rows} == {"127.0.0.1"}

    # A second worker: another application object on the same database, another client.
    other_app = create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "INSTANCE_PATH": str(tmp_path)},
    )
    try:
        other_client = other_app.test_client()
        other_client.environ_base["REMOTE_ADDR"] = "10.20.30.40"
        response = attempt(other_client, "zhangsan")
        assert throttle_message(app) in text(response)
        assert not is_signed_in(other_client)
    finally:
        with other_app.app_context():
            _db.engine.dispose()


def test_check_throttle_counts_rows_in_the_database(app):
    """Service level: rows written by anyone (another worker) count; old rows do not."""
    clock.freeze(T0)
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    window = timedelta(minutes=app.config["LOGIN_WINDOW_MINUTES"])
    _db.session.add_all(
        [LoginFailure(username="zhangsan", address="10.0.0.1", at=T0 - window - timedelta(minutes=1))]
        + [LoginFailure(username="zhangsan", address=f"10.0.0.{n}", at=T0 - timedelta(minutes=1)) for n in range(limit - 1)]
    )
    _db.session.commit()
    auth_services.check_throttle("zhangsan", "10.9.9.9")  # limit - 1 recent: still allowed
    _db.session.add(LoginFailure(username="zhangsan", address="10.0.0.99", at=T0))
    _db.session.commit()
    with pytest.raises(auth_services.LoginThrottled, match="登录失败次数过多"):
        auth_services.check_throttle("zhangsan", "10.9.9.9")
    auth_services.check_throttle("lisi", "10.9.9.9")  # another account, another address


def test_old_failures_are_purged():
    clock.freeze(T0)
    _db.session.add(LoginFailure(username="old", address="10.0.0.1", at=T0 - timedelta(days=2)))
    _db.session.commit()
    with pytest.raises(ServiceError):
        auth_services.authenticate("someone", "Wrong-pass1", "10.0.0.2")
    assert failures(username="old") == 0
    assert failures(username="someone") == 1


# Logout --------------------------------------------------------------------------------


def test_logout_is_post_only_and_needs_csrf(client):
    make_user("zhangsan")
    login(client, "zhangsan")
    response = client.get("/auth/logout")
    assert response.status_code == 405
    assert "请求方式不允许" in text(response)
    assert is_signed_in(client)

    forged = client.post("/auth/logout")
    assert forged.status_code == 400
    assert CSRF_MESSAGE in text(forged)
    assert is_signed_in(client)

    forged = client.post("/auth/logout", data={"csrf_token": "not-the-token"})
    assert forged.status_code == 400
    assert is_signed_in(client)

    response = post(client, "/auth/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    assert "您已安全退出" in text(client.get("/auth/login"))
    dashboard = client.get("/")
    assert dashboard.status_code == 302
    assert dashboard.headers["Location"].startswith("/auth/login")


# Changing one's password ---------------------------------------------------------------


BAD_PASSWORD_CHANGES = [
    ("wrong current", {"current_password": "Wrong-pass1", "new_password": "NewPass123", "confirm": "NewPass123"}, "当前密码不正确。"),
    ("mismatch", {"current_password": PASSWORD, "new_password": "NewPass123", "confirm": "NewPass124"}, "两次输入的新密码不一致。"),
    ("too short", {"current_password": PASSWORD, "new_password": "Ab1", "confirm": "Ab1"}, "新密码至少需要 8 个字符。"),
    ("no digit", {"current_password": PASSWORD, "new_password": "abcdefghij", "confirm": "abcdefghij"}, "新密码需同时包含字母和数字。"),
    ("no letter", {"current_password": PASSWORD, "new_password": "1234567890", "confirm": "1234567890"}, "新密码需同时包含字母和数字。"),
    ("equals username", {"current_password": PASSWORD, "new_password": "LiMing2024", "confirm": "LiMing2024"}, "新密码不能与登录名相同。"),
    ("same as current", {"current_password": PASSWORD, "new_password": PASSWORD, "confirm": PASSWORD}, "新密码不能与当前密码相同。"),
    ("empty", {"current_password": "", "new_password": "", "confirm": ""}, "此项为必填项。"),
    ("too long", {"current_password": PASSWORD, "new_password": "a1" * 65, "confirm": "a1" * 65}, "不能超过 128 个字符。"),
]


@pytest.mark.parametrize("case,data,message", BAD_PASSWORD_CHANGES, ids=[c[0] for c in BAD_PASSWORD_CHANGES])
def test_change_password_refused(client, case, data, message):
    user = make_user("liming2024")
    login(client, "liming2024")
    before = (user.password_hash, user.must_change_password, session_rows(user))
    response = post(client, "/auth/password", data)
    assert response.status_code == 200
    assert message in text(response)
    after = reload_user(user.id)
    assert (after.password_hash, after.must_change_password, session_rows(user)) == before
    assert is_signed_in(client)


def test_validate_new_password_service():
    user = make_user("liming2024")
    for password, message in [
        ("Ab1", "至少需要 8 个字符"),
        ("a1" * 65, "不能超过 128 个字符"),
        ("abcdefghij", "同时包含字母和数字"),
        ("12345678", "同时包含字母和数字"),
        ("LIMING2024", "不能与登录名相同"),
    ]:
        with pytest.raises(ServiceError, match=message):
            auth_services.validate_new_password(user, password)
    auth_services.validate_new_password(user, "Good1pass")
    auth_services.validate_new_password(None, "LIMING2024")


def test_change_password_service():
    user = make_user("liming2024", must_change_password=True)
    first, second = auth_sessions.start(user), auth_sessions.start(user)
    with pytest.raises(ServiceError, match="当前密码不正确"):
        auth_services.change_password(user, "Wrong-pass1", "NewPass123")
    assert user.check_password(PASSWORD) and session_rows(user) == {auth_sessions.digest(first),
                                                                    auth_sessions.digest(second)}
    secret = auth_services.change_password(user, PASSWORD, "NewPass123")
    user = reload_user(user.id)
    assert user.check_password("NewPass123")
    assert not user.check_password(PASSWORD)
    assert user.must_change_password is False
    # Both sessions ended; one new session for the browser that made the change.
    assert session_rows(user) == {auth_sessions.digest(secret)}


def test_change_password_keeps_this_session_and_ends_the_others(app, client):
    user = make_user("liming2024", full_name="李明")
    other_device = app.test_client()
    login(other_device, "liming2024")
    assert is_signed_in(other_device)
    login(client, "liming2024")

    response = post(
        client, "/auth/password", {"current_password": PASSWORD, "new_password": "NewPass123", "confirm": "NewPass123"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert "密码已修改。" in text(page)
    assert "您好，李明" in text(page)

    assert not is_signed_in(other_device)
    assert reload_user(user.id).check_password("NewPass123")
    # The old password is gone, the new one works.
    fresh = app.test_client()
    assert WRONG_PASSWORD_MESSAGE in text(attempt(fresh, "liming2024", PASSWORD))
    assert attempt(fresh, "liming2024", "NewPass123").status_code == 302


def test_the_loader_needs_a_live_session_of_that_user(app):
    """load_user reads the session's secret from the cookie's session: the user is loaded only
    with a secret whose row exists, belongs to that user and is alive, and only when active."""
    user, other = make_user("zhangsan"), make_user("lisi")
    secret = auth_sessions.start(user)
    with app.test_request_context():
        assert auth_services.load_user(str(user.id)) is None  # no secret in the session
        flask_session[auth_sessions.SESSION_KEY] = secret
        assert auth_services.load_user(str(user.id)).id == user.id
        assert auth_services.load_user(str(other.id)) is None  # someone else's secret
        assert auth_services.load_user("abc") is None
        assert auth_services.load_user("999") is None
        flask_session[auth_sessions.SESSION_KEY] = secret + "x"
        assert auth_services.load_user(str(user.id)) is None
        flask_session[auth_sessions.SESSION_KEY] = secret
        user.active = False
        _db.session.commit()
        assert auth_services.load_user(str(user.id)) is None


# Sessions and configuration ------------------------------------------------------------


def test_session_cookie_is_permanent_with_the_configured_lifetime(app, client):
    make_user("zhangsan")
    response = attempt(client, "zhangsan")
    header = session_cookie(app, response)
    expires = cookie_attribute(header, "Expires")
    assert expires, header
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"]
    expected = datetime.now(timezone.utc) + lifetime
    assert abs((parsedate_to_datetime(expires) - expected).total_seconds()) < 120
    max_age = cookie_attribute(header, "Max-Age")
    if max_age:
        assert abs(int(max_age) - lifetime.total_seconds()) < 120
    assert cookie_attribute(header, "HttpOnly")
    assert str(cookie_attribute(header, "SameSite")).lower() == "lax"


def test_session_expires_after_the_lifetime_of_inactivity(app, client, monkeypatch):
    """The signed cookie carries its signing time; the server refuses it once it is older
    than PERMANENT_SESSION_LIFETIME, and each request renews it (inactivity timeout)."""
    make_user("zhangsan")
    start = int(datetime.now(timezone.utc).timestamp())
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: start)
    login(client, "zhangsan")
    lifetime = int(app.config["PERMANENT_SESSION_LIFETIME"].total_seconds())

    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: start + lifetime - 60)
    assert is_signed_in(client)  # still inside the lifetime; the cookie is renewed
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: start + 2 * lifetime - 120)
    assert is_signed_in(client)  # counted from the last request, not from login
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: start + 3 * lifetime)
    assert not is_signed_in(client)


def test_production_config_is_strict():
    assert config.ProductionConfig.SESSION_COOKIE_SECURE is True
    assert config.ProductionConfig.REMEMBER_COOKIE_SECURE is True
    assert config.ProductionConfig.SESSION_COOKIE_HTTPONLY is True
    assert config.ProductionConfig.REMEMBER_COOKIE_HTTPONLY is True
    assert config.ProductionConfig.SESSION_COOKIE_SAMESITE == "Lax"
    assert config.get_config("production") is config.ProductionConfig


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", None)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", {"INSTANCE_PATH": str(tmp_path)})
    # It must not quietly fall back to a generated key either.
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.commits  # a production app, with its own engine, signs in a user the test made
def test_production_app_sets_secure_cookies(app, monkeypatch, tmp_path):
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", "a-production-secret-for-the-test")
    make_user("zhangsan")
    prod = create_app(
        "production",
        {"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]},
    )
    try:
        assert prod.secret_key == "a-production-secret-for-the-test"
        assert not prod.testing
        client = prod.test_client()
        page = client.get("/auth/login", base_url="https://localhost")
        token = re.search(r'name="csrf-token" content="([^"]+)"', text(page)).group(1)
        response = client.post(
            "/auth/login",
            data={"username": "zhangsan", "password": PASSWORD, "csrf_token": token},
            base_url="https://localhost",
            headers={"Referer": "https://localhost/auth/login"},
        )
        assert response.status_code == 302, text(response)
        header = session_cookie(prod, response)
        assert cookie_attribute(header, "Secure")
        assert cookie_attribute(header, "HttpOnly")
        assert str(cookie_attribute(header, "SameSite")).lower() == "lax"
    finally:
        with prod.app_context():
            _db.engine.dispose()


def test_embedded_secret_key_is_generated_once_and_reused(tmp_path):
    instance = tmp_path / "instance"
    first = config.embedded_secret_key(instance)
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    path = instance / "secret_key"
    assert path.read_text().strip() == first
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert config.embedded_secret_key(instance) == first
    assert config.embedded_secret_key(tmp_path / "elsewhere") != first


def test_development_app_uses_the_key_kept_under_the_instance_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(config.DevelopmentConfig, "SECRET_KEY", None)
    dev = create_app("development", {"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    key = (tmp_path / "secret_key").read_text().strip()
    assert dev.secret_key == key
    monkeypatch.setattr(config.DevelopmentConfig, "SECRET_KEY", None)
    again = create_app("development", {"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert again.secret_key == key


# CSRF ----------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "forged-token", ""])
def test_forged_login_post_is_refused(app, client, token):
    user = make_user("zhangsan")
    client.get("/auth/login")  # a session exists, with its own token
    data = {"username": "zhangsan", "password": PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    response = client.post("/auth/login", data=data)
    assert response.status_code == 400
    assert CSRF_MESSAGE in text(response)
    assert "表单的安全校验未通过" in text(response)
    assert not is_signed_in(client)
    assert reload_user(user.id).last_login_at is None
    assert failures() == 0


def test_token_of_another_session_is_refused(app, client):
    make_user("zhangsan")
    attacker = app.test_client()
    stolen = csrf_token(attacker)
    client.get("/auth/login")
    response = client.post("/auth/login", data={"username": "zhangsan", "password": PASSWORD, "csrf_token": stolen})
    assert response.status_code == 400
    assert not is_signed_in(client)


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_forged_admin_post_is_refused(client, token):
    admin = make_user("boss", roles=[Role.ADMIN])
    section = make_section()
    login(client, "boss")
    data = {
        "username": "newcomer",
        "full_name": "新人",
        "section_id": str(section.id),
        "roles": ["reviewer"],
        "active": "y",
        "password": "Temp12345",
    }
    if token is not None:
        data["csrf_token"] = token
    users_before = _db.session.scalar(select(func.count()).select_from(User))
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 400
    assert CSRF_MESSAGE in text(response)
    assert _db.session.scalar(select(func.count()).select_from(User)) == users_before

    other = make_user("target")
    response = client.post(f"/admin/users/{other.id}/active", data={} if token is None else {"csrf_token": token})
    assert response.status_code == 400
    assert reload_user(other.id).active is True
    response = client.post(f"/admin/users/{other.id}/password", data={"password": "Temp12345"})
    assert response.status_code == 400
    assert reload_user(other.id).check_password(PASSWORD)
    assert reload_user(admin.id).active is True


# Forced password change ----------------------------------------------------------------


def _reachable_urls(app, methods):
    """One URL for every endpoint answering one of ``methods`` (any id will do: the forced
    change is decided before the view looks the object up)."""
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint == "static" or rule.endpoint in PASSWORD_CHANGE_ALLOWED:
                continue
            if rule.rule.startswith("/api/"):
                continue  # the API ignores the session (bearer tokens only): tests/test_api_tokens.py
            for method in methods:
                if method not in rule.methods:
                    continue
                try:
                    url = url_for(rule.endpoint, **{name: 1 for name in rule.arguments})
                except BuildError:
                    url = url_for(rule.endpoint, **{name: "x" for name in rule.arguments})
                urls.append((method, rule.endpoint, url))
    return urls


def test_user_whose_password_was_reset_must_change_it_before_anything_else(app, client):
    section = make_section()
    make_user("boss", roles=[Role.ADMIN])
    # Every role, so that no page refuses with 403 before the forced change is checked.
    user = make_user("liming2024", roles=list(Role), section=section, full_name="李明")
    admin = app.test_client()
    login(admin, "boss")
    response = post(admin, f"/admin/users/{user.id}/password", {"password": "Temp12345"})
    assert response.status_code == 302
    assert reload_user(user.id).must_change_password is True

    response = attempt(client, "liming2024", "Temp12345")
    assert response.status_code == 302
    urls = _reachable_urls(app, ("GET", "POST"))
    endpoints = {endpoint for _, endpoint, _ in urls}
    assert {"main.dashboard", "admin.users", "admin.new_user", "admin.sections", "admin.edit_user"} <= endpoints
    sections_before = _db.session.scalar(select(func.count()).select_from(type(section)))
    for method, endpoint, url in urls:
        if method == "GET":
            response = client.get(url)
        else:
            response = post(client, url, {"name": "新科室", "password": "Other1234"})
        assert response.status_code == 302, (method, endpoint, response.status_code)
        assert response.headers["Location"] == "/auth/password", (method, endpoint)
    assert client.get("/no-such-page").headers.get("Location") == "/auth/password"
    page = client.get("/auth/password")
    assert page.status_code == 200
    assert "管理员为您设置了新密码，请先修改密码。" in text(page)
    # The redirected POSTs changed nothing.
    assert _db.session.scalar(select(func.count()).select_from(type(section))) == sections_before
    assert reload_user(user.id).check_password("Temp12345")

    response = post(
        client, "/auth/password", {"current_password": "Temp12345", "new_password": "Mine12345", "confirm": "Mine12345"}
    )
    assert response.status_code == 302
    assert reload_user(user.id).must_change_password is False
    assert client.get("/").status_code == 200
    assert client.get("/admin/users").status_code == 200


def test_must_change_password_user_may_still_log_out(client):
    make_user("zhangsan", must_change_password=True)
    login(client, "zhangsan")
    assert client.get("/").headers["Location"] == "/auth/password"
    response = post(client, "/auth/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    assert client.get("/").headers["Location"].startswith("/auth/login")


# Security headers ----------------------------------------------------------------------


def _csp_directives(response):
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_security_headers_on_every_kind_of_page(client):
    make_user("boss", roles=[Role.ADMIN])
    responses = [client.get("/auth/login"), client.get("/no-such-page")]
    login(client, "boss")
    responses += [client.get("/"), client.get("/admin/users"), client.get("/auth/password"), client.get("/auth/logout")]
    assert [r.status_code for r in responses] == [200, 404, 200, 200, 200, 405]
    for response in responses:
        headers = response.headers
        policy = headers["Content-Security-Policy"]
        assert "unsafe-inline" not in policy
        assert "unsafe-eval" not in policy
        directives = _csp_directives(response)
        assert directives["default-src"] == ["'self'"]
        assert directives["script-src"] == ["'self'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Cache-Control"] == "no-store"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def test_auth_and_admin_pages_need_no_inline_code(client):
    """The policy forbids inline scripts and styles; these pages must not depend on any."""
    make_user("boss", roles=[Role.ADMIN])
    section = make_section()
    other = make_user("zhangsan", section=section)
    pages = [client.get("/auth/login")]
    login(client, "boss")
    for url in ["/auth/password", "/admin/users", "/admin/users/new", f"/admin/users/{other.id}",
                "/admin/sections", f"/admin/sections/{section.id}"]:
        pages.append(client.get(url))
    for page in pages:
        assert page.status_code == 200
        html = text(page)
        assert not INLINE_SCRIPT.search(html)
        assert not INLINE_STYLE.search(html)
        assert not INLINE_HANDLER.search(html)


# Bad input on the auth forms -----------------------------------------------------------


BAD_LOGINS = [
    ("empty", {"username": "", "password": ""}, "此项为必填项。"),
    ("blank username", {"username": "   ", "password": PASSWORD}, "此项为必填项。"),
    ("long username", {"username": "a" * 65, "password": PASSWORD}, "不能超过 64 个字符。"),
    ("long password", {"username": "zhangsan", "password": "a1" * 65}, "不能超过 128 个字符。"),
    ("missing fields", {}, "此项为必填项。"),
]


@pytest.mark.parametrize("case,data,message", BAD_LOGINS, ids=[c[0] for c in BAD_LOGINS])
def test_login_form_bad_input(client, case, data, message):
    make_user("zhangsan")
    response = post(client, "/auth/login", data)
    assert response.status_code == 200
    assert message in text(response)
    assert not is_signed_in(client)
    assert failures() == 0
