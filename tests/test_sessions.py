"""Sessions that end (issue #14): each signed-in browser has a row in user_sessions, checked
on every request. A copy of a cookie taken before logout, a password change, an
administrator's reset or deactivation is refused afterwards — on every worker, since the
check is in the database — and so is a session idle for longer than its lifetime. A
deactivated account's API tokens stay revoked when it is reactivated."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from tests.api_helpers import ApiClient, assert_error, token_for
from tests.conftest import PASSWORD, login, post
from tests.factories import make_section, make_user
from workflow.admin import services as admin
from workflow.auth import sessions
from workflow.extensions import db
from workflow.models import ApiToken, User, UserSession
from workflow.roles import Role

PAGE = "/work/inbox"


def cookie_of(app, client):
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None and cookie.value
    return cookie.value


def browser_with(app, value):
    """Another browser holding a copy of a session cookie (an attacker, or a second tab)."""
    other = app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], value)
    return other


def anonymous_answer(app):
    response = app.test_client().get(PAGE)
    return response.status_code, response.headers.get("Location")


def assert_refused(app, client):
    """The page answers as it does to someone who never signed in: to the login page."""
    response = client.get(PAGE)
    assert (response.status_code, response.headers.get("Location")) == anonymous_answer(app)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def assert_open(client):
    response = client.get(PAGE)
    assert response.status_code == 200, response.headers.get("Location")


def session_count(user=None):
    db.session.expire_all()
    query = select(func.count()).select_from(UserSession)
    if user is not None:
        query = query.where(UserSession.user_id == user.id)
    return db.session.scalar(query)


def staff(username="zhangsan"):
    return make_user(username, roles=[Role.SECTION_STAFF], section=make_section(), full_name="张三")


def admin_browser(app):
    make_user("admin", roles=[Role.ADMIN], full_name="管理员甲")
    browser = app.test_client()
    login(browser, "admin")
    return browser


def test_a_cookie_copied_before_logout_is_refused_after_it(app):
    user = staff()
    browser = app.test_client()
    login(browser, "zhangsan")
    copy = browser_with(app, cookie_of(app, browser))
    assert_open(copy)  # the copy works while the session lives
    assert session_count(user) == 1

    assert post(browser, "/auth/logout").status_code == 302
    assert session_count(user) == 0
    assert_refused(app, browser)
    assert_refused(app, copy)
    # Using the copy again does not bring the session back.
    assert_refused(app, copy)


def test_logout_ends_only_that_browsers_session(app):
    staff()
    office, home = app.test_client(), app.test_client()
    login(office, "zhangsan")
    login(home, "zhangsan")
    post(office, "/auth/logout")
    assert_refused(app, office)
    assert_open(home)


def test_a_password_change_ends_every_other_session_and_the_old_cookie_of_this_one(app):
    user = staff()
    browser, other_device = app.test_client(), app.test_client()
    login(browser, "zhangsan")
    login(other_device, "zhangsan")
    before_change = browser_with(app, cookie_of(app, browser))
    assert session_count(user) == 2

    response = post(browser, "/auth/password",
                    {"current_password": PASSWORD, "new_password": "NewPass123", "confirm": "NewPass123"})
    assert response.status_code == 302
    assert_open(browser)  # this browser goes on, in a new session
    assert session_count(user) == 1
    assert_refused(app, other_device)
    assert_refused(app, before_change)  # a copy of this browser's cookie from before the change


def test_an_administrators_reset_ends_every_session(app):
    user = staff()
    browser = app.test_client()
    login(browser, "zhangsan")
    copy = browser_with(app, cookie_of(app, browser))
    response = post(admin_browser(app), f"/admin/users/{user.id}/password", {"password": "Temp12345"})
    assert response.status_code == 302
    assert session_count(user) == 0
    assert_refused(app, browser)
    assert_refused(app, copy)


def test_deactivation_ends_every_session_for_good(app):
    user = staff()
    browser = app.test_client()
    login(browser, "zhangsan")
    copy = browser_with(app, cookie_of(app, browser))
    office = admin_browser(app)
    assert post(office, f"/admin/users/{user.id}/active").status_code == 302  # deactivate
    assert_refused(app, browser)
    assert_refused(app, copy)
    assert post(office, f"/admin/users/{user.id}/active").status_code == 302  # reactivate
    db.session.expire_all()
    assert db.session.get(User, user.id).active is True
    # Reactivation brings no session back: the person signs in again.
    assert_refused(app, browser)
    assert_refused(app, copy)
    login(browser, "zhangsan")
    assert_open(browser)


def test_a_token_stays_dead_after_reactivation(app):
    user = staff()
    raw = token_for(user)
    api = ApiClient(app, raw=raw)
    assert api.get("/api/v1/tasks").status_code == 200
    office = admin_browser(app)

    assert post(office, f"/admin/users/{user.id}/active").status_code == 302  # deactivate
    assert_error(api.get("/api/v1/tasks"), 401, "unauthorized")
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken.revoked_at)) is not None
    assert post(office, f"/admin/users/{user.id}/active").status_code == 302  # reactivate
    assert_error(api.get("/api/v1/tasks"), 401, "unauthorized")
    # A new token made after reactivation works; the old one stays revoked.
    fresh = ApiClient(app, raw=token_for(db.session.get(User, user.id)))
    assert fresh.get("/api/v1/tasks").status_code == 200
    assert_error(api.get("/api/v1/tasks"), 401, "unauthorized")


def test_deactivation_through_the_edit_form_revokes_the_tokens_too(app):
    user = staff()
    raw = token_for(user)
    acting = make_user("admin", roles=[Role.ADMIN], full_name="管理员甲")
    data = admin.UserData(user.username, user.full_name, user.section_id, roles={Role.SECTION_STAFF}, active=False)
    admin.update_user(user, data, acting)
    data.active = True
    admin.update_user(db.session.get(User, user.id), data, acting)
    assert_error(ApiClient(app, raw=raw).get("/api/v1/tasks"), 401, "unauthorized")


@pytest.mark.commits  # the database's clock, which stands still inside one transaction
def test_a_session_idle_past_its_lifetime_is_refused_by_the_database(app):
    user = staff()
    browser = app.test_client()
    login(browser, "zhangsan")
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"]

    def last_seen(ago):
        db.session.execute(update(UserSession).where(UserSession.user_id == user.id)
                           .values(last_seen_at=sessions.now() - ago))
        db.session.commit()

    # Idle for almost the lifetime: still signed in, and the request notes the visit.
    last_seen(lifetime - timedelta(minutes=2))
    assert_open(browser)
    db.session.expire_all()
    noted = db.session.scalar(select(UserSession.last_seen_at))
    assert sessions.now() - noted < timedelta(minutes=1)
    # Idle for longer than the lifetime: the cookie (still within its own signed lifetime
    # here) no longer opens anything.
    last_seen(lifetime + timedelta(minutes=1))
    assert_refused(app, browser)
    # The next login purges the expired row.
    assert session_count(user) == 1
    login(app.test_client(), "zhangsan")
    assert session_count(user) == 1
    assert_refused(app, browser)


@pytest.mark.commits  # the database's clock, which stands still inside one transaction
def test_last_seen_is_written_at_most_once_a_minute(app):
    user = staff()
    browser = app.test_client()
    login(browser, "zhangsan")
    db.session.expire_all()
    first = db.session.scalar(select(UserSession.last_seen_at).where(UserSession.user_id == user.id))
    for _ in range(3):
        assert_open(browser)
    db.session.expire_all()
    assert db.session.scalar(select(UserSession.last_seen_at)) == first
    earlier = sessions.now() - sessions.SEEN_RESOLUTION - timedelta(seconds=5)
    db.session.execute(update(UserSession).values(last_seen_at=earlier))
    db.session.commit()
    assert_open(browser)
    db.session.expire_all()
    assert db.session.scalar(select(UserSession.last_seen_at)) > earlier


def test_the_database_keeps_only_a_hash_of_the_cookies_secret(app):
    staff()
    browser = app.test_client()
    login(browser, "zhangsan")
    with browser.session_transaction() as cookie_session:
        secret = cookie_session[sessions.SESSION_KEY]
    db.session.expire_all()
    row = db.session.scalar(select(UserSession))
    assert row.secret_hash == sessions.digest(secret) and secret not in row.secret_hash
