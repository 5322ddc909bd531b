"""Administration: who may reach it, users, sections, and bad input on every form.

Rules are tested in the services without HTTP; pages through the test client.
"""
import re
from html import unescape

import pytest
from flask import url_for
from sqlalchemy import func, select

from tests.conftest import PASSWORD, login, post
from tests.factories import make_section, make_user
from workflow import create_app
from workflow.admin import services
from workflow.errors import NotFound, ServiceError
from workflow.extensions import db as _db
from workflow.models import ApiToken, LoginFailure, Section, User, UserSession
from workflow.permissions import LOGGED_IN, PUBLIC, access_rule
from workflow.roles import Role

FORBIDDEN_TEXT = "您的账号没有访问此页面的权限"
NON_ADMIN_ROLES = [role for role in Role if role is not Role.ADMIN]
CJK = re.compile(r"[\u4e00-\u9fff]")
ERROR_BLOCK = re.compile(
    r'<div class="(?:invalid-feedback|text-danger small|alert alert-danger)"[^>]*>(.*?)</div>', re.S
)


# Helpers -------------------------------------------------------------------------------


def text(response):
    return response.get_data(as_text=True)


def count(model):
    return _db.session.scalar(select(func.count()).select_from(model))


def reload(model, pk):
    _db.session.expire_all()
    return _db.session.get(model, pk)


def snapshot():
    """Everything administration can change, read back from the database."""
    _db.session.expire_all()
    users = [
        (
            u.id, u.username, u.full_name, u.section_id, u.title, u.phone, u.email, u.active,
            u.password_hash, u.must_change_password,
            tuple(sorted(role.value for role in u.roles)),
        )
        for u in _db.session.scalars(select(User).order_by(User.id))
    ]
    sections = [
        (s.id, s.name, s.is_office, s.active, s.sort_order)
        for s in _db.session.scalars(select(Section).order_by(Section.id))
    ]
    # The sessions and tokens: a refused change ends nobody's session and revokes nothing.
    sessions = [(s.id, s.user_id) for s in _db.session.scalars(select(UserSession).order_by(UserSession.id))]
    tokens = [(t.id, t.revoked_at) for t in _db.session.scalars(select(ApiToken).order_by(ApiToken.id))]
    return users, sections, count(LoginFailure), sessions, tokens


def error_messages(response):
    return [unescape(m).strip() for m in ERROR_BLOCK.findall(text(response))]


def assert_chinese_error(response, expected):
    messages = error_messages(response)
    assert messages, "no error message shown"
    for message in messages:
        assert CJK.search(message), f"error message not in Chinese: {message!r}"
    assert any(expected in message for message in messages), (expected, messages)


def is_signed_in(client):
    response = client.get("/")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    return False


def make_role_user(role, section):
    return make_user(
        f"u_{role.value}",
        roles=[role],
        section=section if role is Role.SECTION_STAFF else None,
        full_name=f"用户{role.value}",
    )


@pytest.fixture
def admin(client):
    user = make_user("boss", roles=[Role.ADMIN], full_name="管理员甲")
    login(client, "boss")
    return user


@pytest.fixture
def office():
    return make_section("规划财务科", is_office=True)


def user_form(section=None, **changes):
    data = {
        "username": "newbie",
        "full_name": "新同事",
        "section_id": str(section.id) if section is not None else "",
        "title": "科员",
        "phone": "0871-6312 3456",
        "email": "newbie@example.cn",
        "roles": ["section_staff", "reviewer"],
        "active": "y",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# Access --------------------------------------------------------------------------------


def admin_urls(app, user_id, section_id):
    """(endpoint, url, methods) for every admin route, with real ids filled in."""
    known = {"user_id": user_id, "section_id": section_id}
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("admin."):
                continue
            unknown = set(rule.arguments) - set(known)
            assert not unknown, f"{rule.endpoint}: teach this test the argument(s) {unknown}"
            url = url_for(rule.endpoint, **{name: known[name] for name in rule.arguments})
            found.append((rule.endpoint, url, rule.methods & {"GET", "POST"}))
    return found


HOSTILE_POST = {
    "username": "intruder",
    "full_name": "入侵者",
    "password": "Intrude123",
    "roles": ["admin"],
    "active": "",
    "name": "入侵科",
    "sort_order": "1",
    "is_office": "y",
}


def test_admin_routes_are_enumerated(app):
    endpoints = {endpoint for endpoint, _, _ in admin_urls(app, 1, 1)}
    assert {
        "admin.users", "admin.new_user", "admin.edit_user", "admin.reset_password",
        "admin.toggle_active", "admin.sections", "admin.edit_section",
    } <= endpoints


def test_anonymous_is_sent_to_login_from_every_admin_route(app, client, section):
    target = make_user("target", roles=[Role.SECTION_STAFF], section=section)
    before = snapshot()
    for endpoint, url, methods in admin_urls(app, target.id, section.id):
        assert methods, endpoint
        if "GET" in methods:
            response = client.get(url)
            assert response.status_code == 302, endpoint
            assert response.headers["Location"].startswith("/auth/login?next="), endpoint
        if "POST" in methods:
            response = post(client, url, HOSTILE_POST)
            assert response.status_code == 302, endpoint
            assert response.headers["Location"].startswith("/auth/login"), endpoint
    assert snapshot() == before


@pytest.mark.parametrize("role", NON_ADMIN_ROLES, ids=[role.value for role in NON_ADMIN_ROLES])
def test_every_other_role_is_refused_on_every_admin_route(app, client, section, role):
    make_user("boss", roles=[Role.ADMIN])
    user = make_role_user(role, section)
    target = make_user("target", roles=[Role.SECTION_STAFF], section=section)
    login(client, user.username)
    before = snapshot()
    for endpoint, url, methods in admin_urls(app, target.id, section.id):
        if "GET" in methods:
            response = client.get(url)
            assert response.status_code == 403, (endpoint, "GET")
            assert FORBIDDEN_TEXT in text(response)
        if "POST" in methods:
            response = post(client, url, HOSTILE_POST)
            assert response.status_code == 403, (endpoint, "POST")
            assert FORBIDDEN_TEXT in text(response)
    assert snapshot() == before


def test_a_user_holding_several_roles_including_admin_is_allowed(client, section):
    make_user("multi", roles=[Role.OFFICE, Role.ADMIN, Role.REVIEWER])
    login(client, "multi")
    assert client.get("/admin/users").status_code == 200
    assert client.get("/admin/sections").status_code == 200


def test_admin_is_allowed_on_every_admin_route(app, client, section, admin):
    target = make_user("target", roles=[Role.SECTION_STAFF], section=section)
    for endpoint, url, methods in admin_urls(app, target.id, section.id):
        if "GET" in methods:
            response = client.get(url)
            assert response.status_code == 200, (endpoint, "GET")
        if "POST" in methods:
            # Empty forms: refused by validation (422, the page again) or a redirect, never 403 or 500.
            response = post(client, url, {})
            # 重置密码链接 needs nothing but the button: its answer is the page of the new link.
            expected = (200,) if endpoint == "admin.password_link" else (302, 422)
            assert response.status_code in expected, (endpoint, "POST", response.status_code)


def test_unknown_ids_are_404(client, admin):
    for url in ["/admin/users/9999", "/admin/sections/9999"]:
        response = client.get(url)
        assert response.status_code == 404
        assert "页面不存在" in text(response)
    for url in ["/admin/users/9999/password", "/admin/users/9999/active"]:
        assert post(client, url, {"password": "Temp12345"}).status_code == 404


def endpoints_without_rule(app):
    # "static" is Flask's own file route; enforce_access lets it through by name.
    return sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and access_rule(rule.endpoint, app) is None
    )


def test_every_endpoint_declares_an_access_rule(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert {"auth.login", "auth.logout", "main.dashboard", "admin.users"} <= endpoints
    assert endpoints_without_rule(app) == []
    for endpoint in endpoints - {"static"}:
        rule = access_rule(endpoint, app)
        assert rule in (PUBLIC, LOGGED_IN) or (isinstance(rule, frozenset) and rule and rule <= set(Role)), endpoint
    assert access_rule("auth.login", app) == PUBLIC
    assert access_rule("auth.logout", app) == LOGGED_IN
    assert access_rule("admin.users", app) == frozenset({Role.ADMIN})


@pytest.mark.commits  # a second app, with its own engine, reads what the test made
def test_a_route_without_a_rule_is_detected_and_refused(app, tmp_path):
    """Deny by default: a new view that forgets its mark is listed by the check above and
    answers 403 to everyone, signed in or not."""
    make_user("boss", roles=[Role.ADMIN])
    fresh = create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "INSTANCE_PATH": str(tmp_path)},
    )
    try:
        @fresh.route("/forgotten")
        def forgotten():
            return "secret"

        assert endpoints_without_rule(fresh) == ["forgotten"]
        client = fresh.test_client()
        response = client.get("/forgotten")
        assert response.status_code == 403
        assert "secret" not in text(response)
        login(client, "boss")
        assert client.get("/forgotten").status_code == 403
    finally:
        with fresh.app_context():
            _db.engine.dispose()


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
def test_navigation_shows_admin_links_only_to_admins(client, section, role):
    user = make_role_user(role, section)
    login(client, user.username)
    page = text(client.get("/"))
    assert 'href="/"' in page  # the dashboard link is there for everyone
    shown = ['href="/admin/users"' in page, "用户管理" in page, 'href="/admin/sections"' in page, "科室管理" in page]
    assert shown == [role is Role.ADMIN] * 4


def test_navigation_is_absent_for_anonymous(client):
    page = text(client.get("/auth/login"))
    assert "用户管理" not in page and "科室管理" not in page


# Users ---------------------------------------------------------------------------------


def test_create_user(app, client, admin, section):
    response = post(client, "/admin/users/new", {**user_form(section), "password": "Temp12345"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users"
    listing = client.get("/admin/users")
    assert "已创建用户“新同事”，首次登录时须修改密码。" in text(listing)
    assert "newbie" in text(listing)

    user = _db.session.scalar(select(User).where(User.username == "newbie"))
    assert user.full_name == "新同事"
    assert user.section_id == section.id
    assert user.roles == {Role.SECTION_STAFF, Role.REVIEWER}
    assert (user.title, user.phone, user.email) == ("科员", "0871-6312 3456", "newbie@example.cn")
    assert user.active is True
    assert user.must_change_password is True
    assert user.check_password("Temp12345")

    newcomer = app.test_client()
    assert post(newcomer, "/auth/login", {"username": "newbie", "password": "Temp12345"}).status_code == 302
    assert newcomer.get("/").headers["Location"] == "/auth/password"


def test_create_user_without_section_or_roles(client, admin):
    response = post(
        client, "/admin/users/new",
        {**user_form(None, username="finance1", roles=["finance"], phone="", email="", title=""), "password": "Temp12345"},
    )
    assert response.status_code == 302
    user = _db.session.scalar(select(User).where(User.username == "finance1"))
    assert user.section_id is None and user.roles == {Role.FINANCE}
    response = post(
        client, "/admin/users/new",
        {**user_form(None, username="noroles", roles=None), "password": "Temp12345"},
    )
    assert response.status_code == 302
    assert _db.session.scalar(select(User).where(User.username == "noroles")).roles == frozenset()


def test_edit_user_changes_roles_and_section(client, admin, section):
    other_section = make_section("执法监督科")
    user = make_user("zhangsan", roles=[Role.SECTION_STAFF], section=section, full_name="张三")
    page = client.get(f"/admin/users/{user.id}")
    assert page.status_code == 200
    checked = re.findall(r'<input[^>]*\bchecked\b[^>]*value="([a-z_]+)"', text(page))
    assert "section_staff" in checked and "reviewer" not in checked

    response = post(
        client, f"/admin/users/{user.id}",
        user_form(other_section, username="zhangsan", full_name="张三丰", roles=["reviewer", "leader"], title="副科长"),
    )
    assert response.status_code == 302
    assert "已保存用户“张三丰”。" in text(client.get("/admin/users"))
    user = reload(User, user.id)
    assert user.roles == {Role.REVIEWER, Role.LEADER}
    assert user.section_id == other_section.id
    assert (user.full_name, user.title) == ("张三丰", "副科长")
    assert user.active is True
    assert user.check_password(PASSWORD)  # editing does not touch the password


def test_edit_user_may_keep_an_inactive_section_but_not_move_into_one(client, admin, section):
    closed = make_section("已撤销科")
    user = make_user("zhangsan", roles=[Role.SECTION_STAFF], section=closed)
    closed.active = False
    _db.session.commit()
    other = make_user("lisi", roles=[Role.SECTION_STAFF], section=section)
    # Keeping the current (inactive) section is allowed …
    response = post(client, f"/admin/users/{user.id}", user_form(closed, username="zhangsan", full_name="张三"))
    assert response.status_code == 302
    assert reload(User, user.id).full_name == "张三"
    # … moving someone else into it is not.
    before = snapshot()
    response = post(client, f"/admin/users/{other.id}", user_form(closed, username="lisi"))
    assert response.status_code == 422
    assert_chinese_error(response, "不是有效的选择")
    assert snapshot() == before
    with pytest.raises(ServiceError, match="已停用，不能分配人员"):
        services.update_user(reload(User, other.id), services.UserData("lisi", "李四", closed.id, roles={"section_staff"}), admin)


def test_deactivate_and_activate_a_user(app, client, admin, section):
    user = make_user("zhangsan", roles=[Role.SECTION_STAFF], section=section, full_name="张三")
    theirs = app.test_client()
    login(theirs, "zhangsan")
    assert is_signed_in(theirs)

    response = post(client, f"/admin/users/{user.id}/active")
    assert response.status_code == 302
    assert "已停用“张三”。" in text(client.get("/admin/users"))
    assert reload(User, user.id).active is False
    assert not is_signed_in(theirs)
    refused = post(theirs, "/auth/login", {"username": "zhangsan", "password": PASSWORD})
    assert "该账号已停用，请联系管理员。" in text(refused)

    response = post(client, f"/admin/users/{user.id}/active")
    assert response.status_code == 302
    assert "已启用“张三”。" in text(client.get("/admin/users"))
    assert reload(User, user.id).active is True
    login(theirs, "zhangsan")
    assert is_signed_in(theirs)


def test_deactivating_through_the_edit_form_also_ends_sessions(app, client, admin, section):
    user = make_user("zhangsan", roles=[Role.REVIEWER], full_name="张三")
    theirs = app.test_client()
    login(theirs, "zhangsan")
    response = post(client, f"/admin/users/{user.id}", user_form(None, username="zhangsan", roles=["reviewer"], active=None))
    assert response.status_code == 302
    assert reload(User, user.id).active is False
    assert not is_signed_in(theirs)


def test_reset_password(app, client, admin, section):
    user = make_user("zhangsan", roles=[Role.REVIEWER], full_name="张三")
    theirs = app.test_client()
    login(theirs, "zhangsan")
    response = post(client, f"/admin/users/{user.id}/password", {"password": "Temp12345"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/users/{user.id}"
    assert "已为“张三”设置临时密码，对方下次登录须修改。" in text(client.get(response.headers["Location"]))

    assert not is_signed_in(theirs)  # the open session ended
    user = reload(User, user.id)
    assert user.must_change_password is True
    fresh = app.test_client()
    refused = post(fresh, "/auth/login", {"username": "zhangsan", "password": PASSWORD})
    assert "用户名或密码错误。" in text(refused)
    assert post(fresh, "/auth/login", {"username": "zhangsan", "password": "Temp12345"}).status_code == 302
    assert fresh.get("/").headers["Location"] == "/auth/password"


def test_duplicate_username_is_refused_whatever_the_case(client, admin, section):
    make_user("ZhangSan", roles=[Role.REVIEWER])
    other = make_user("lisi", roles=[Role.REVIEWER])
    before = snapshot()
    for name in ["zhangsan", "ZHANGSAN", "zhangSAN"]:
        response = post(client, "/admin/users/new", {**user_form(section, username=name), "password": "Temp12345"})
        assert response.status_code == 409
        assert_chinese_error(response, "已被使用")
    response = post(client, f"/admin/users/{other.id}", user_form(section, username="zhangsan"))
    assert response.status_code == 409
    assert_chinese_error(response, "登录名“zhangsan”已被使用。")
    assert snapshot() == before
    # Changing only the case of one's own name is not a clash.
    response = post(client, f"/admin/users/{other.id}", user_form(section, username="LiSi", roles=["reviewer"]))
    assert response.status_code == 302
    assert reload(User, other.id).username == "LiSi"


def test_section_staff_needs_a_section(client, admin, section):
    user = make_user("zhangsan", roles=[Role.SECTION_STAFF], section=section)
    before = snapshot()
    response = post(client, "/admin/users/new", {**user_form(None, roles=["section_staff"]), "password": "Temp12345"})
    assert response.status_code == 422
    assert_chinese_error(response, "科室经办人必须属于一个科室。")
    response = post(client, f"/admin/users/{user.id}", user_form(None, username="zhangsan", roles=["section_staff"]))
    assert response.status_code == 422
    assert_chinese_error(response, "科室经办人必须属于一个科室。")
    assert snapshot() == before


def test_admin_cannot_deactivate_themself_or_drop_their_own_admin_role(client, admin):
    make_user("boss2", roles=[Role.ADMIN])  # another admin exists: the refusal is about oneself
    before = snapshot()
    response = post(client, f"/admin/users/{admin.id}/active")
    assert response.status_code == 403
    assert "不能停用自己的账号。" in text(response)

    form = user_form(None, username="boss", full_name="管理员甲", roles=["admin"], active=None)
    response = post(client, f"/admin/users/{admin.id}", form)
    assert response.status_code == 403
    assert_chinese_error(response, "不能取消自己的管理员角色或停用自己的账号。")

    form = user_form(None, username="boss", full_name="管理员甲", roles=["office"])
    response = post(client, f"/admin/users/{admin.id}", form)
    assert response.status_code == 403
    assert_chinese_error(response, "不能取消自己的管理员角色或停用自己的账号。")
    assert snapshot() == before
    assert is_signed_in(client)
    assert client.get("/admin/users").status_code == 200


def test_admin_may_deactivate_another_admin(app, client, admin):
    other = make_user("boss2", roles=[Role.ADMIN])
    theirs = app.test_client()
    login(theirs, "boss2")
    assert post(client, f"/admin/users/{other.id}/active").status_code == 302
    assert reload(User, other.id).active is False
    assert not is_signed_in(theirs)


def test_the_last_active_admin_cannot_be_removed():
    only = make_user("boss", roles=[Role.ADMIN])
    make_user("retired_admin", roles=[Role.ADMIN], active=False)  # inactive admins do not count
    clerk = make_user("clerk", roles=[Role.OFFICE])
    before = snapshot()
    with pytest.raises(ServiceError, match="系统至少需要保留一名在用的管理员。"):
        services.set_active(only, False, clerk)
    with pytest.raises(ServiceError, match="系统至少需要保留一名在用的管理员。"):
        services.update_user(only, services.UserData("boss", "boss", roles={"office"}), clerk)
    with pytest.raises(ServiceError, match="系统至少需要保留一名在用的管理员。"):
        services.update_user(only, services.UserData("boss", "boss", roles={"admin"}, active=False), clerk)
    _db.session.rollback()
    assert snapshot() == before
    # With a second active admin, the first may go.
    second = make_user("boss2", roles=[Role.ADMIN])
    services.set_active(only, False, second)
    assert reload(User, only.id).active is False
    with pytest.raises(ServiceError, match="不能停用自己的账号"):
        services.set_active(reload(User, second.id), False, reload(User, second.id))


def test_user_services_validate_before_changing_anything(section):
    existing = make_user("zhangsan", roles=[Role.REVIEWER])
    before = snapshot()
    cases = [
        (services.UserData("  ", "名字"), "登录名不能为空。"),
        (services.UserData("ZHANGSAN", "名字"), "已被使用"),
        (services.UserData("new1", "   "), "姓名不能为空。"),
        (services.UserData("new1", "名字", section_id=9999), "所选科室不存在。"),
        (services.UserData("new1", "名字", roles={"superuser"}), "角色无效。"),
        (services.UserData("new1", "名字", roles={"section_staff"}), "科室经办人必须属于一个科室。"),
    ]
    for data, message in cases:
        with pytest.raises(ServiceError, match=message):
            services.create_user(data, "Temp12345")
    with pytest.raises(ServiceError, match="至少需要 8 个字符"):
        services.create_user(services.UserData("new1", "名字"), "Ab1")
    with pytest.raises(ServiceError, match="不能与登录名相同"):
        services.create_user(services.UserData("newbie2024", "名字"), "NewBie2024")
    wang = make_user("wang2024")
    before = snapshot()
    with pytest.raises(ServiceError, match="不能与登录名相同"):
        services.reset_password(wang, "WANG2024")
    with pytest.raises(ServiceError, match="至少需要 8 个字符"):
        services.reset_password(existing, "Ab1")
    _db.session.rollback()
    assert snapshot() == before
    with pytest.raises(NotFound):
        services.get_user(9999)
    with pytest.raises(NotFound):
        services.get_section(9999)


def test_user_list_filters(client, admin, section):
    other_section = make_section("执法监督科")
    make_user("zhangsan", full_name="张三", section=section)
    make_user("lisi", full_name="李四", section=other_section)
    page = text(client.get("/admin/users?q=张"))
    assert "zhangsan" in page and "lisi" not in page
    page = text(client.get(f"/admin/users?section={other_section.id}"))
    assert "lisi" in page and "zhangsan" not in page
    # Junk in the query string is ignored, not an error.
    assert client.get("/admin/users?section=abc&q=" + "x" * 500).status_code == 200


# Sections ------------------------------------------------------------------------------


def test_create_and_rename_a_section(client, admin):
    response = post(client, "/admin/sections", {"name": "  执法监督科 ", "sort_order": "3"})
    assert response.status_code == 302
    assert "已添加科室“执法监督科”。" in text(client.get("/admin/sections"))
    section = _db.session.scalar(select(Section).where(Section.name == "执法监督科"))
    assert (section.sort_order, section.is_office, section.active) == (3, False, True)

    response = post(client, f"/admin/sections/{section.id}", {"name": "执法监督局", "sort_order": "4", "active": "y"})
    assert response.status_code == 302
    assert "已保存科室“执法监督局”。" in text(client.get("/admin/sections"))
    section = reload(Section, section.id)
    assert (section.name, section.sort_order, section.active) == ("执法监督局", 4, True)


def test_duplicate_section_name_is_refused(client, admin):
    make_section("执法监督科")
    other = make_section("规划财务科")
    before = snapshot()
    for name in ["执法监督科", " 执法监督科 "]:
        response = post(client, "/admin/sections", {"name": name})
        assert response.status_code == 409
        assert_chinese_error(response, "科室“执法监督科”已存在。")
    response = post(client, f"/admin/sections/{other.id}", {"name": "执法监督科", "active": "y"})
    assert response.status_code == 409
    assert_chinese_error(response, "科室“执法监督科”已存在。")
    assert snapshot() == before


def test_only_one_office_section_at_a_time(client, admin, office):
    response = post(client, "/admin/sections", {"name": "执法监督科", "is_office": "y"})
    assert response.status_code == 302
    new = _db.session.scalar(select(Section).where(Section.name == "执法监督科"))
    assert new.is_office is True
    assert reload(Section, office.id).is_office is False

    response = post(client, f"/admin/sections/{office.id}", {"name": office.name, "is_office": "y", "active": "y"})
    assert response.status_code == 302
    assert reload(Section, office.id).is_office is True
    assert reload(Section, new.id).is_office is False
    assert _db.session.scalar(select(func.count()).select_from(Section).where(Section.is_office.is_(True))) == 1

    # Unticking it leaves no office section; that is allowed.
    response = post(client, f"/admin/sections/{office.id}", {"name": office.name, "active": "y"})
    assert response.status_code == 302
    assert _db.session.scalar(select(func.count()).select_from(Section).where(Section.is_office.is_(True))) == 0


def test_section_with_active_users_cannot_be_deactivated(client, admin, section):
    member = make_user("zhangsan", roles=[Role.SECTION_STAFF], section=section)
    make_user("retired", section=section, active=False)
    before = snapshot()
    response = post(client, f"/admin/sections/{section.id}", {"name": section.name})  # "active" unticked
    assert response.status_code == 422
    assert_chinese_error(response, f"科室“{section.name}”还有 1 名在用人员，请先调整他们的科室。")
    assert snapshot() == before

    # Once its only active member has moved, it may be closed.
    other = make_section("执法监督科")
    assert post(client, f"/admin/users/{member.id}", user_form(other, username="zhangsan", roles=["section_staff"])).status_code == 302
    response = post(client, f"/admin/sections/{section.id}", {"name": section.name})
    assert response.status_code == 302
    assert reload(Section, section.id).active is False
    # A closed section is not offered for new people.
    offered = re.findall(r'<option[^>]*value="(\d+)"', text(client.get("/admin/users/new")))
    assert str(section.id) not in offered and str(other.id) in offered


def test_empty_section_can_be_deactivated_and_reactivated(client, admin):
    section = make_section("临时科")
    assert post(client, f"/admin/sections/{section.id}", {"name": "临时科"}).status_code == 302
    assert reload(Section, section.id).active is False
    assert post(client, f"/admin/sections/{section.id}", {"name": "临时科", "active": "y"}).status_code == 302
    assert reload(Section, section.id).active is True


def test_section_services():
    office = services.create_section("规划财务科", is_office=True)
    second = services.create_section("执法监督科", is_office=True, sort_order=2)
    assert reload(Section, office.id).is_office is False and reload(Section, second.id).is_office is True
    before = snapshot()
    with pytest.raises(ServiceError, match="科室名称不能为空。"):
        services.create_section("   ")
    with pytest.raises(ServiceError, match="已存在"):
        services.create_section(" 执法监督科")
    with pytest.raises(ServiceError, match="已存在"):
        services.update_section(reload(Section, office.id), "执法监督科", False, True)
    make_user("zhangsan", section=reload(Section, second.id))
    before = snapshot()
    with pytest.raises(ServiceError, match="1 名在用人员"):
        services.update_section(reload(Section, second.id), "执法监督科", True, False)
    _db.session.rollback()
    assert snapshot() == before
    assert [s.name for s in services.list_sections()] == ["规划财务科", "执法监督科"]


# Bad input on every form ---------------------------------------------------------------

LONG_NAME = "a" * 65
LONG_CJK = "张" * 65

NEW_USER_CASES = [
    ("empty username", {"username": ""}, "此项为必填项。"),
    ("blank username", {"username": "   "}, "此项为必填项。"),
    ("long username", {"username": LONG_NAME}, "不能超过 64 个字符。"),
    ("username with spaces", {"username": "new bie"}, "登录名只能包含字母、数字、点、下划线和连字符。"),
    ("chinese username", {"username": "张三"}, "登录名只能包含字母、数字、点、下划线和连字符。"),
    ("empty full name", {"full_name": ""}, "此项为必填项。"),
    ("long full name", {"full_name": LONG_CJK}, "不能超过 64 个字符。"),
    ("section not a number", {"section_id": "abc"}, "选择无效"),
    ("unknown section", {"section_id": "9999"}, "不是有效的选择"),
    ("long title", {"title": "职" * 65}, "不能超过 64 个字符。"),
    ("phone with letters", {"phone": "0871-abc"}, "联系电话只能包含数字、空格和 + - ( )。"),
    ("long phone", {"phone": "1" * 33}, "不能超过 32 个字符。"),
    ("bad email", {"email": "not-an-email"}, "电子邮箱格式不正确。"),
    ("long email", {"email": "a" * 250 + "@example.cn"}, "不能超过 254 个字符。"),
    ("unknown role", {"roles": ["superuser"]}, "角色无效。"),
    ("unknown role among good ones", {"roles": ["reviewer", "root"]}, "角色无效。"),
    ("staff without section", {"section_id": "", "roles": ["section_staff"]}, "科室经办人必须属于一个科室。"),
    ("empty password", {"password": ""}, "此项为必填项。"),
    ("short password", {"password": "Ab1"}, "新密码至少需要 8 个字符。"),
    ("password without digit", {"password": "abcdefghij"}, "新密码需同时包含字母和数字。"),
    ("long password", {"password": "a1" * 65}, "不能超过 128 个字符。"),
    ("password equals username", {"username": "newbie2024", "password": "NewBie2024"}, "新密码不能与登录名相同。"),
]


@pytest.mark.parametrize("case,changes,message", NEW_USER_CASES, ids=[c[0] for c in NEW_USER_CASES])
def test_new_user_form_bad_input(client, admin, section, case, changes, message):
    data = {**user_form(section), "password": "Temp12345", **changes}
    before = snapshot()
    response = post(client, "/admin/users/new", data)
    assert response.status_code == 422
    assert_chinese_error(response, message)
    assert snapshot() == before


EDIT_USER_CASES = [case for case in NEW_USER_CASES if "password" not in case[1]]


@pytest.mark.parametrize("case,changes,message", EDIT_USER_CASES, ids=[c[0] for c in EDIT_USER_CASES])
def test_edit_user_form_bad_input(client, admin, section, case, changes, message):
    user = make_user("zhangsan", roles=[Role.SECTION_STAFF], section=section, full_name="张三", title="科员")
    data = {**user_form(section, username="zhangsan", full_name="张三丰"), **changes}
    before = snapshot()
    response = post(client, f"/admin/users/{user.id}", data)
    assert response.status_code == 422
    assert_chinese_error(response, message)
    assert snapshot() == before


RESET_CASES = [
    ("empty", "", "此项为必填项。"),
    ("short", "Ab1", "新密码至少需要 8 个字符。"),
    ("no digit", "abcdefghij", "新密码需同时包含字母和数字。"),
    ("too long", "a1" * 65, "不能超过 128 个字符。"),
    ("equals username", "ZhangSan01", "新密码不能与登录名相同。"),
]


@pytest.mark.parametrize("case,password,message", RESET_CASES, ids=[c[0] for c in RESET_CASES])
def test_reset_password_form_bad_input(client, admin, case, password, message):
    user = make_user("zhangsan01")
    before = snapshot()
    response = post(client, f"/admin/users/{user.id}/password", {"password": password})
    assert response.status_code == 422  # the user's page again, with the reason
    assert_chinese_error(response, message)
    assert snapshot() == before


def test_reset_password_form_without_the_field(client, admin):
    user = make_user("zhangsan01")
    before = snapshot()
    response = post(client, f"/admin/users/{user.id}/password", {})
    assert response.status_code == 422
    assert_chinese_error(response, "此项为必填项。")
    assert snapshot() == before


SECTION_CASES = [
    ("empty name", {"name": ""}, "此项为必填项。"),
    ("blank name", {"name": "   "}, "此项为必填项。"),
    ("long name", {"name": "科" * 200}, "不能超过 64 个字符。"),
    ("name of 65", {"name": "a" * 65}, "不能超过 64 个字符。"),
    ("sort order not a number", {"sort_order": "x"}, "不是有效的整数"),
    ("sort order decimal", {"sort_order": "1.5"}, "不是有效的整数"),
    ("sort order negative", {"sort_order": "-1"}, "排序应为 0 到 9999 之间的整数。"),
    ("sort order too big", {"sort_order": "10000"}, "排序应为 0 到 9999 之间的整数。"),
    ("sort order huge", {"sort_order": "9" * 40}, "排序应为 0 到 9999 之间的整数。"),
]


@pytest.mark.parametrize("case,changes,message", SECTION_CASES, ids=[c[0] for c in SECTION_CASES])
def test_new_section_form_bad_input(client, admin, case, changes, message):
    make_section("规划财务科")
    before = snapshot()
    response = post(client, "/admin/sections", {"name": "执法监督科", "sort_order": "1", **changes})
    assert response.status_code == 422
    assert_chinese_error(response, message)
    assert snapshot() == before


@pytest.mark.parametrize("case,changes,message", SECTION_CASES, ids=[c[0] for c in SECTION_CASES])
def test_edit_section_form_bad_input(client, admin, case, changes, message):
    section = make_section("规划财务科")
    before = snapshot()
    response = post(
        client, f"/admin/sections/{section.id}", {"name": "执法监督科", "sort_order": "1", "active": "y", **changes}
    )
    assert response.status_code == 422
    assert_chinese_error(response, message)
    assert snapshot() == before


LOGIN_CASES = [
    ("empty", {"username": "", "password": ""}, "此项为必填项。"),
    ("long username", {"username": LONG_NAME, "password": PASSWORD}, "不能超过 64 个字符。"),
    ("long password", {"username": "zhangsan", "password": "a1" * 65}, "不能超过 128 个字符。"),
    ("wrong password", {"username": "zhangsan", "password": "Wrong-pass1"}, "用户名或密码错误。"),
]


@pytest.mark.parametrize("case,data,message", LOGIN_CASES, ids=[c[0] for c in LOGIN_CASES])
def test_login_form_bad_input(client, case, data, message):
    make_user("zhangsan")
    before = snapshot()
    response = post(client, "/auth/login", data)
    assert response.status_code == 200
    assert_chinese_error(response, message)
    users, sections, failures, _sessions, _tokens = snapshot()
    # Only a wrong password is recorded (for throttling); nothing else changes.
    assert (users, sections) == before[:2]
    assert failures == before[2] + (1 if case == "wrong password" else 0)


CHANGE_PASSWORD_CASES = [
    ("empty", {"current_password": "", "new_password": "", "confirm": ""}, "此项为必填项。"),
    ("missing confirm", {"current_password": PASSWORD, "new_password": "NewPass123"}, "此项为必填项。"),
    ("long", {"current_password": "a1" * 65, "new_password": "NewPass123", "confirm": "NewPass123"}, "不能超过 128 个字符。"),
    ("mismatch", {"current_password": PASSWORD, "new_password": "NewPass123", "confirm": "x"}, "两次输入的新密码不一致。"),
    ("weak", {"current_password": PASSWORD, "new_password": "password", "confirm": "password"}, "新密码需同时包含字母和数字。"),
]


@pytest.mark.parametrize("case,data,message", CHANGE_PASSWORD_CASES, ids=[c[0] for c in CHANGE_PASSWORD_CASES])
def test_change_password_form_bad_input(client, case, data, message):
    make_user("zhangsan")
    login(client, "zhangsan")
    before = snapshot()
    response = post(client, "/auth/password", data)
    assert response.status_code == 200
    assert_chinese_error(response, message)
    assert snapshot() == before
