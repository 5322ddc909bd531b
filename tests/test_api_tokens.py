"""Personal API tokens: shown once, stored hashed, revocable, last use recorded; the API takes
only bearer tokens (a session cookie alone is refused, so it needs no CSRF token)."""
import hashlib
import re
from datetime import timedelta

from sqlalchemy import select

from tests.api_helpers import ApiClient, assert_error, token_for
from tests.conftest import csrf_token, post, signed_in
from tests.factories import make_org
from workflow import clock
from workflow.extensions import db
from workflow.models import ApiToken

TOKEN = re.compile(r"jxpj_[A-Za-z0-9_-]{43}")


def test_a_token_is_shown_once_stored_hashed_used_and_revoked(app):
    org = make_org()
    browser = signed_in(app, org.staff_a)
    page = post(browser, "/account/tokens/", {"name": "预算系统对接"})
    assert page.status_code == 200
    shown = TOKEN.findall(page.get_data(as_text=True))
    assert len(shown) == 1
    raw = shown[0]

    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == org.staff_a.id))
    assert row.name == "预算系统对接"
    assert row.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in (row.token_hash, row.hint) and raw.startswith(row.hint)
    assert row.last_used_at is None

    again = browser.get("/account/tokens/").get_data(as_text=True)
    assert raw not in again and "预算系统对接" in again and row.hint in again

    api = ApiClient(app, raw=raw)
    response = api.get("/api/v1/tasks")
    assert response.status_code == 200, response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).last_used_at is not None

    revoked = post(browser, f"/account/tokens/{row.id}/revoke", follow_redirects=True)
    assert "已撤销" in revoked.get_data(as_text=True)
    assert_error(api.get("/api/v1/tasks"), 401, "unauthorized")


def test_last_use_is_recorded_at_most_once_a_minute(app):
    org = make_org()
    api = ApiClient(app, org.office)
    first = clock.now().replace(microsecond=0)
    clock.freeze(first)
    assert api.get("/api/v1/plans").status_code == 200
    clock.freeze(first + timedelta(seconds=30))
    assert api.get("/api/v1/plans").status_code == 200
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken)).last_used_at == first
    clock.freeze(first + timedelta(minutes=2))
    assert api.get("/api/v1/plans").status_code == 200
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken)).last_used_at == first + timedelta(minutes=2)


def test_the_api_refuses_a_session_cookie_alone(app):
    org = make_org()
    browser = signed_in(app, org.office)
    assert browser.get("/work/inbox").status_code == 200  # the session works for pages
    assert_error(browser.get("/api/v1/tasks"), 401, "unauthorized")
    # A state-changing call with only the cookie (and even the page's CSRF token) does nothing.
    response = browser.post("/api/v1/submissions", json={"plan_id": 1, "evaluation_ids": [1], "title": "x"},
                            headers={"X-CSRFToken": csrf_token(browser)})
    assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_bad_tokens_are_refused_as_json(app):
    org = make_org()
    raw = token_for(org.staff_a)
    client = app.test_client()
    for header in ("", "Bearer", "Bearer jxpj_wrong", "Basic " + raw, "Bearer " + raw + "x", "Bearer " + "a" * 5000):
        response = client.get("/api/v1/tasks", headers={"Authorization": header} if header else {})
        assert_error(response, 401, "unauthorized")
    assert client.get("/api/v1/tasks", headers={"Authorization": "bearer " + raw}).status_code == 200


def test_a_deactivated_users_token_stops_working(app):
    org = make_org()
    api = ApiClient(app, org.staff_a)
    assert api.get("/api/v1/tasks").status_code == 200
    org.staff_a.active = False
    db.session.commit()
    assert_error(api.get("/api/v1/tasks"), 401, "unauthorized")


def test_a_user_who_must_change_the_password_is_told_so(app):
    org = make_org()
    api = ApiClient(app, org.staff_a)
    org.staff_a.must_change_password = True
    db.session.commit()
    assert_error(api.get("/api/v1/tasks"), 403, "password_change_required")


def test_nobody_revokes_someone_elses_token_and_names_are_checked(app):
    org = make_org()
    raw = token_for(org.staff_a)
    token = db.session.scalar(select(ApiToken))
    intruder = signed_in(app, org.staff_b)
    page = post(intruder, f"/account/tokens/{token.id}/revoke", follow_redirects=True)
    assert "令牌不存在" in page.get_data(as_text=True)
    assert ApiClient(app, raw=raw).get("/api/v1/tasks").status_code == 200

    for name in ("", "x" * 65):
        page = post(intruder, "/account/tokens/", {"name": name}, follow_redirects=True)
        assert not TOKEN.search(page.get_data(as_text=True))
    assert db.session.query(ApiToken).count() == 1
    # The list shows only one's own tokens.
    assert token.hint not in intruder.get("/account/tokens/").get_data(as_text=True)


def test_the_token_page_needs_a_login_and_csrf(app, client):
    org = make_org()
    assert client.get("/account/tokens/").status_code == 302
    browser = signed_in(app, org.office)
    response = browser.post("/account/tokens/", data={"name": "无令牌"})
    assert response.status_code == 400
    assert db.session.query(ApiToken).count() == 0
