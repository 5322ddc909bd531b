"""Directory sign-in against a real OpenLDAP server (Debian's slapd, tests/ldap_server.py).

The rules in the service (``auth_services.authenticate``), without HTTP; the login and
password pages through the test client. The directory's passwords differ from the app's
(PASSWORD), so a test that signs in proves which one was checked.
"""
import socket

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, post
from tests.factories import make_section, make_user
from tests.ldap_server import PASSWORDS, directory, free_port, slapd_server  # noqa: F401  (fixtures)
from workflow.auth import directory as directory_module
from workflow.auth import services as auth_services
from workflow.auth import sessions as auth_sessions
from workflow.errors import ServiceError
from workflow.extensions import db
from workflow.models import LoginFailure, User, UserSession
from workflow.roles import Role

WRONG = "用户名或密码错误。"
INACTIVE = "该账号已停用，请联系管理员。"
DOWN = "暂时无法连接单位目录服务器，请稍后再试或联系管理员。"
NOT_OPENED = "您的目录账号尚未在本系统开通，请联系管理员。"
NO_GROUP = "您在单位目录中不属于本系统的任何用户组，请联系管理员。"
ADDRESS = "192.0.2.15"
STAFF_SECTION = "非煤矿山安全监督管理科"
OFFICE_SECTION = "规划财务科"


def sign_in(login, password):
    return auth_services.authenticate(login, password, ADDRESS)


def refusal(login, password):
    with pytest.raises(ServiceError) as caught:
        sign_in(login, password)
    db.session.rollback()
    return caught.value.message


def failures(login):
    return db.session.scalar(select(func.count()).select_from(LoginFailure).where(LoginFailure.username == login))


def reload(user):
    db.session.expire_all()
    return db.session.get(User, user.id)


@pytest.fixture
def staff():
    section = make_section(STAFF_SECTION)
    return make_user("yuanliji", roles=[Role.SECTION_STAFF], section=section, full_name="原立吉")


@pytest.fixture
def admin():
    return make_user("admin", roles=[Role.ADMIN], full_name="系统管理员")


# Signing in -------------------------------------------------------------------------------


def test_directory_password_signs_in_and_the_app_password_does_not(directory, staff):
    user = sign_in("yuanliji", PASSWORDS["yuanliji"])
    assert user.id == staff.id
    assert user.last_login_at is not None
    # The app's own password (set when the account was made) is not a way in any more.
    assert refusal("yuanliji", PASSWORD) == WRONG


def test_the_login_name_is_matched_regardless_of_case(directory, staff):
    assert sign_in("  YuanLiJi ", PASSWORDS["yuanliji"]).id == staff.id


def test_without_group_mapping_roles_and_section_stay_the_apps(directory):
    office = make_section(OFFICE_SECTION, is_office=True)
    user = make_user("yuanliji", roles=[Role.REVIEWER, Role.OFFICE], section=office, must_change_password=True)
    sign_in("yuanliji", PASSWORDS["yuanliji"])
    user = reload(user)
    assert user.roles == {Role.REVIEWER, Role.OFFICE}
    assert user.section.name == OFFICE_SECTION
    # The directory keeps the password: no forced change of the app's one.
    assert user.must_change_password is False


def test_a_wrong_directory_password_is_refused_and_counted(directory, staff):
    assert refusal("yuanliji", "Wrong-password-1") == WRONG
    assert failures("yuanliji") == 1


def test_an_empty_password_is_never_an_anonymous_bind(directory, staff):
    assert refusal("yuanliji", "") == WRONG


def test_an_unknown_login_is_refused_as_a_wrong_password(directory):
    assert refusal("nobody", "Whatever-1") == WRONG
    assert failures("nobody") == 1


def test_a_filter_in_the_login_name_finds_nobody(directory, staff):
    assert refusal("yuan*", PASSWORDS["yuanliji"]) == WRONG
    assert refusal("*)(uid=*", PASSWORDS["yuanliji"]) == WRONG


def test_the_throttle_holds_for_directory_logins(directory, staff, app):
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        refusal("yuanliji", "Wrong-password-1")
    assert "登录失败次数过多" in refusal("yuanliji", PASSWORDS["yuanliji"])


def test_a_directory_user_not_in_the_app_is_refused_without_role_mapping(directory):
    assert refusal("wangshixue", PASSWORDS["wangshixue"]) == NOT_OPENED
    assert db.session.scalar(select(User).where(User.username == "wangshixue")) is None
    assert failures("wangshixue") == 0  # the password was right


def test_a_deactivated_user_is_refused_whatever_the_directory_says(directory, staff):
    staff.active = False
    db.session.commit()
    assert refusal("yuanliji", PASSWORDS["yuanliji"]) == INACTIVE
    # Group mapping changes nothing for them either.
    directory(LDAP_GROUP_ROLES="jxpj-office=office")
    assert refusal("yuanliji", PASSWORDS["yuanliji"]) == INACTIVE
    assert reload(staff).roles == {Role.SECTION_STAFF}


# Local accounts -----------------------------------------------------------------------------


def test_a_local_account_keeps_the_apps_password_and_skips_the_directory(directory, admin):
    assert sign_in("admin", PASSWORD).id == admin.id
    # The directory has an 'admin' of its own: its password is not this account's.
    assert refusal("admin", PASSWORDS["admin"]) == WRONG


def test_without_the_local_list_the_administrator_signs_in_through_the_directory(directory, admin):
    directory(LDAP_LOCAL_USERS="")
    assert refusal("admin", PASSWORD) == WRONG
    assert sign_in("admin", PASSWORDS["admin"]).id == admin.id


def test_a_directory_user_may_not_change_the_apps_password(directory, staff):
    with pytest.raises(ServiceError, match="单位目录"):
        auth_services.change_password(staff, PASSWORD, "Another-pass-2")


# Group mapping ------------------------------------------------------------------------------


def test_roles_and_sections_follow_the_groups_at_each_sign_in(directory):
    office = make_section(OFFICE_SECTION, is_office=True)
    staff_section = make_section(STAFF_SECTION)
    user = make_user("yuanliji", roles=[Role.REVIEWER, Role.OFFICE], section=office)
    directory(LDAP_GROUP_ROLES="jxpj-staff=section_staff, jxpj-office=office, jxpj-office=reviewer",
              LDAP_GROUP_SECTIONS=f"feimei-ke={STAFF_SECTION}")
    sign_in("yuanliji", PASSWORDS["yuanliji"])
    user = reload(user)
    assert user.roles == {Role.SECTION_STAFF}
    assert user.section_id == staff_section.id


def test_a_directory_user_is_created_when_the_groups_give_a_role(directory):
    office = make_section(OFFICE_SECTION, is_office=True)
    directory(LDAP_GROUP_ROLES="jxpj-office=office,jxpj-office=reviewer",
              LDAP_GROUP_SECTIONS=f"jxpj-office={OFFICE_SECTION}")
    user = sign_in("yanhongtao", PASSWORDS["yanhongtao"])
    user = reload(user)
    assert user.username == "yanhongtao"
    assert user.full_name == "闫洪涛"
    assert user.title == "科长"
    assert user.email == "yanhongtao@dir.example.cn"
    assert user.roles == {Role.OFFICE, Role.REVIEWER}
    assert user.section_id == office.id
    assert user.must_change_password is False
    # The app's password of a directory-made account matches nothing.
    assert not user.check_password("")
    # The next sign-in finds the same account.
    assert sign_in("yanhongtao", PASSWORDS["yanhongtao"]).id == user.id


def test_a_directory_user_whose_groups_give_no_role_is_refused(directory, staff):
    # wangshixue is only in jxpj-staff, which this mapping does not name.
    directory(LDAP_GROUP_ROLES="jxpj-office=office")
    assert refusal("wangshixue", PASSWORDS["wangshixue"]) == NO_GROUP
    assert db.session.scalar(select(User).where(User.username == "wangshixue")) is None


def test_someone_taken_out_of_every_group_loses_roles_and_sessions(directory, staff):
    auth_sessions.start(staff, ADDRESS)
    directory(LDAP_GROUP_ROLES="jxpj-office=office")  # yuanliji is in no mapped group
    assert refusal("yuanliji", PASSWORDS["yuanliji"]) == NO_GROUP
    staff = reload(staff)
    assert staff.roles == frozenset()
    assert db.session.scalar(select(func.count()).select_from(UserSession)
                             .where(UserSession.user_id == staff.id)) == 0


def test_a_section_staff_role_without_a_mapped_section_is_refused(directory):
    directory(LDAP_GROUP_ROLES="jxpj-staff=section_staff")
    message = refusal("wangshixue", PASSWORDS["wangshixue"])
    assert "没有对应的科室" in message
    assert db.session.scalar(select(User).where(User.username == "wangshixue")) is None


def test_a_mapped_section_missing_from_the_app_is_a_clear_refusal(directory, staff):
    directory(LDAP_GROUP_SECTIONS="feimei-ke=不存在的科")
    assert "不存在的科" in refusal("yuanliji", PASSWORDS["yuanliji"])
    assert reload(staff).section.name == STAFF_SECTION


def test_bad_mappings_stop_the_start_up(app):
    config = dict(app.config, LDAP_URL="ldap://127.0.0.1:1", LDAP_BASE_DN="dc=x", LDAP_GROUP_ROLES="g=boss")
    with pytest.raises(RuntimeError, match="unknown role"):
        directory_module.check_settings(config)
    with pytest.raises(RuntimeError, match="group=value"):
        directory_module.check_settings(dict(config, LDAP_GROUP_ROLES="office"))
    with pytest.raises(RuntimeError, match="LDAP_BASE_DN"):
        directory_module.check_settings(dict(config, LDAP_GROUP_ROLES="", LDAP_BASE_DN=""))
    directory_module.check_settings(dict(config, LDAP_GROUP_ROLES="g=office"))


# The directory down -------------------------------------------------------------------------


def test_the_directory_down_is_a_clear_message_and_no_failure_counted(directory, staff, admin):
    directory(LDAP_URL=f"ldap://127.0.0.1:{free_port()}")  # nothing listens there
    assert refusal("yuanliji", PASSWORDS["yuanliji"]) == DOWN
    # No fall-back to the app's password while the directory is away.
    assert refusal("yuanliji", PASSWORD) == DOWN
    assert failures("yuanliji") == 0
    # The local administrator still signs in.
    assert sign_in("admin", PASSWORD).id == admin.id


def test_a_directory_that_does_not_answer_times_out_with_the_same_message(directory, staff):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)  # connections are queued, never answered
        directory(LDAP_URL=f"ldap://127.0.0.1:{silent.getsockname()[1]}", LDAP_TIMEOUT_SECONDS=1)
        assert refusal("yuanliji", PASSWORDS["yuanliji"]) == DOWN


def test_a_refused_search_account_is_the_directory_down(directory, staff):
    directory(LDAP_BIND_PASSWORD="not-the-search-password")
    assert refusal("yuanliji", PASSWORDS["yuanliji"]) == DOWN


# TLS ------------------------------------------------------------------------------------


def test_starttls_and_ldaps_sign_in_with_the_servers_certificate_verified(directory, staff):
    server = directory.server
    directory(LDAP_START_TLS=True, LDAP_CA_CERT_FILE=str(server.certificate))
    assert sign_in("yuanliji", PASSWORDS["yuanliji"]).id == staff.id
    directory(LDAP_URL=server.tls_url, LDAP_START_TLS=False)
    assert sign_in("yuanliji", PASSWORDS["yuanliji"]).id == staff.id


def test_a_certificate_no_trusted_ca_signed_is_refused(directory, staff):
    server = directory.server
    # The system's CAs did not sign the test server's certificate: no password goes out.
    directory(LDAP_URL=server.tls_url, LDAP_CA_CERT_FILE=None)
    assert refusal("yuanliji", PASSWORDS["yuanliji"]) == DOWN
    directory(LDAP_URL=server.url, LDAP_START_TLS=True)
    assert refusal("yuanliji", PASSWORDS["yuanliji"]) == DOWN


# Pages ------------------------------------------------------------------------------------


def test_the_login_page_signs_a_directory_user_in(directory, staff, client):
    response = post(client, "/auth/login", {"username": "yuanliji", "password": PASSWORDS["yuanliji"]})
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    assert "原立吉" in page.get_data(as_text=True)


def test_the_login_page_shows_the_directory_down_message(directory, staff, client):
    directory(LDAP_URL=f"ldap://127.0.0.1:{free_port()}")
    response = post(client, "/auth/login", {"username": "yuanliji", "password": PASSWORDS["yuanliji"]})
    assert response.status_code == 200
    assert DOWN in response.get_data(as_text=True)


def test_the_pages_say_where_the_password_lives(directory, staff, admin, client, app):
    assert "已接入单位目录" in client.get("/auth/login").get_data(as_text=True)
    post(client, "/auth/login", {"username": "yuanliji", "password": PASSWORDS["yuanliji"]})
    # The directory keeps this person's password: no 修改密码 in their menu, and the page refuses.
    assert 'href="/auth/password"' not in client.get("/").get_data(as_text=True)
    refused = post(client, "/auth/password", {"current_password": PASSWORD, "new_password": "Another-pass-2",
                                              "confirm": "Another-pass-2"})
    assert "请在单位目录中修改" in refused.get_data(as_text=True)
    local = app.test_client()
    post(local, "/auth/login", {"username": "admin", "password": PASSWORD})
    assert 'href="/auth/password"' in local.get("/").get_data(as_text=True)


def test_an_old_must_change_flag_never_sends_a_directory_user_to_a_page_that_refuses_them(directory, staff,
                                                                                          client):
    """A session from before the directory was set up may carry the administrator's "change
    your password": the directory keeps that password, so the pages open as usual."""
    post(client, "/auth/login", {"username": "yuanliji", "password": PASSWORDS["yuanliji"]})
    reload(staff).must_change_password = True
    db.session.commit()
    page = client.get("/")
    assert page.status_code == 200, page.headers.get("Location")
    assert "请先修改密码" not in page.get_data(as_text=True)


def test_without_the_directory_the_login_page_has_no_hint(client):
    assert "已接入单位目录" not in client.get("/auth/login").get_data(as_text=True)
