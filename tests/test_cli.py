"""The command-line tasks: ``flask demo`` and ``flask create-admin``."""
import re

import pytest
from sqlalchemy import func, select, text

from tests.conftest import PASSWORD, login, post
from tests.factories import make_section, make_user
from workflow import demo as demo_data
from workflow.auth import sessions as auth_sessions
from workflow.models import Section, User, UserSession
from workflow.roles import Role

LEADER, REVIEWER, STAFF = Role.LEADER, Role.REVIEWER, Role.SECTION_STAFF

# The seed's working group (评价工作小组) and the trainees who fill in the self-evaluations.
WORKING_GROUP = {
    "姜立新": LEADER,
    "闫洪涛": REVIEWER,
    "曲志清": REVIEWER,
    "任志华": REVIEWER,
    "王建华": REVIEWER,
    "李东阳": REVIEWER,
    "张玉坤": REVIEWER,
    "王旭": REVIEWER,
    "龚健": REVIEWER,
}
SECTION_STAFF = ("原立吉", "王士学", "朱丽丽")


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def run(runner, *args):
    return runner.invoke(args=list(args), catch_exceptions=False)


def dump(db):
    """Every row of every table, read straight from the database (hashes included)."""
    db.session.expire_all()
    snapshot = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(text(f'SELECT * FROM "{table.name}"')).mappings().all()
        snapshot[table.name] = sorted((tuple(sorted(row.items())) for row in rows), key=repr)
    db.session.commit()
    return snapshot


def users_by_name(db):
    return {user.full_name: user for user in db.session.scalars(select(User))}


# demo -----------------------------------------------------------------------------------


def test_demo_loads_the_seed_organisation(runner, db):
    result = run(runner, "demo")
    assert result.exit_code == 0, result.output

    sections = {section.name: section for section in db.session.scalars(select(Section))}
    assert {name for name, _ in demo_data.SECTIONS} == set(sections)
    assert "规划财务科" in sections
    assert [name for name, section in sections.items() if section.is_office] == ["规划财务科"]

    users = users_by_name(db)
    for name, role in WORKING_GROUP.items():
        assert name in users, f"{name} is missing"
        assert role in users[name].roles, f"{name} should be {role.value}, has {users[name].roles}"
    assert users["姜立新"].roles == {LEADER}
    assert [name for name, user in users.items() if LEADER in user.roles] == ["姜立新"]
    for name in SECTION_STAFF:
        assert users[name].roles == {STAFF}, name
        assert users[name].section is not None and not users[name].section.is_office
    # The evaluation office sits in 规划财务科.
    office_people = {name for name, user in users.items() if Role.OFFICE in user.roles}
    assert office_people and all(users[name].section.name == "规划财务科" for name in office_people)
    # Everyone who fills in a section's self-evaluation belongs to a section.
    assert all(user.section is not None for user in users.values() if STAFF in user.roles)

    finance = [user for user in users.values() if Role.FINANCE in user.roles]
    assert len(finance) == 1 and finance[0].roles == {Role.FINANCE}
    admins = [user for user in users.values() if Role.ADMIN in user.roles]
    assert len(admins) == 1 and admins[0].active

    # The output lists every login and the password to use.
    assert demo_data.DEMO_PASSWORD in result.output
    for user in users.values():
        assert user.username in result.output
        assert user.full_name in result.output
    assert "（已存在）" not in result.output
    assert len(users) == len(demo_data.PEOPLE)


def test_demo_twice_changes_nothing(runner, db):
    # --if-empty on an empty database loads everything.
    first = run(runner, "demo", "--if-empty")
    assert first.exit_code == 0, first.output
    before = dump(db)
    assert len(before["users"]) == len(demo_data.PEOPLE)
    assert len(before["sections"]) == len(demo_data.SECTIONS)

    second = run(runner, "demo")
    assert second.exit_code == 0, second.output
    assert dump(db) == before
    # The second run says that the accounts were already there.
    for username, *_ in demo_data.PEOPLE:
        line = next(line for line in second.output.splitlines() if line.split()[:1] == [username])
        assert "（已存在）" in line, line

    third = run(runner, "demo", "--if-empty")
    assert third.exit_code == 0, third.output
    assert "跳过" in third.output
    assert dump(db) == before


def test_demo_keeps_a_changed_password(runner, db, client):
    run(runner, "demo")
    user = db.session.scalar(select(User).where(User.username == "yuanliji"))
    user.set_password("Changed123")
    db.session.commit()
    run(runner, "demo")
    login(client, "yuanliji", "Changed123")


def test_demo_if_empty_does_nothing_when_users_exist(runner, db):
    make_user("someone", roles=[Role.ADMIN], full_name="某人")
    before = dump(db)

    result = run(runner, "demo", "--if-empty")
    assert result.exit_code == 0, result.output
    assert "跳过" in result.output
    assert dump(db) == before
    assert db.session.scalar(select(func.count()).select_from(Section)) == 0


def test_every_demo_user_can_log_in_with_the_demo_password(runner, app):
    run(runner, "demo")
    for username, full_name, *_ in demo_data.PEOPLE:
        # A fresh application context per person: the test's own context would otherwise
        # hand every request the previous person's cached current_user and CSRF token.
        with app.app_context():
            client = app.test_client()
            login(client, username, demo_data.DEMO_PASSWORD)
            page = client.get("/")
            assert page.status_code == 200, username
            assert f"您好，{full_name}" in page.get_data(as_text=True), username
            admin_page = client.get("/admin/users").status_code
            assert admin_page == (200 if username == "admin" else 403), username

    # The demo password opens only the demo accounts.
    with app.app_context():
        client = app.test_client()
        response = post(client, "/auth/login", {"username": "nobody", "password": demo_data.DEMO_PASSWORD})
        assert response.status_code == 200
        assert "用户名或密码错误" in response.get_data(as_text=True)


# create-admin ---------------------------------------------------------------------------


def test_create_admin_creates_an_administrator_who_can_log_in(runner, db, client):
    result = run(runner, "create-admin", "--username", "root", "--name", "根管理员", "--password", "Str0ngPass")
    assert result.exit_code == 0, result.output
    assert "已创建管理员 root" in result.output

    user = db.session.scalar(select(User).where(User.username == "root"))
    assert user is not None
    assert user.full_name == "根管理员"
    assert user.roles == {Role.ADMIN}
    assert user.active
    assert not user.must_change_password  # the password was chosen at the console
    assert user.password_hash != "Str0ngPass"

    login(client, "root", "Str0ngPass")
    page = client.get("/", follow_redirects=True)
    assert "您好，根管理员" in page.get_data(as_text=True)
    assert client.get("/admin/users").status_code == 200


def test_create_admin_asks_in_one_language_and_again_after_a_mismatch(runner, db):
    """Asked at the console: every prompt and answer in Chinese, none of click's English."""
    typed = "root\n根管理员\nStr0ngPass\nStr0ngPasss\nStr0ngPass\nStr0ngPass\n"
    result = runner.invoke(args=["create-admin"], input=typed, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for prompt in ("登录名: ", "姓名: ", "密码: ", "再次输入密码: "):
        assert prompt in result.output
    assert result.output.count("再次输入密码: ") == 2
    assert "两次输入的密码不一致，请重新输入。" in result.output
    assert not re.search(r"[A-Za-z]{3,}", result.output.replace("root", "")), result.output
    assert "Str0ngPass" not in result.output  # hidden
    user = db.session.scalar(select(User).where(User.username == "root"))
    assert user.check_password("Str0ngPass")


@pytest.mark.parametrize(
    "password, message",
    [
        ("abc1", "新密码至少需要 8 个字符"),
        ("onlyletters", "新密码需同时包含字母和数字"),
        ("1234567890", "新密码需同时包含字母和数字"),
    ],
)
def test_create_admin_refuses_a_weak_password(runner, db, password, message):
    result = runner.invoke(
        args=["create-admin", "--username", "root", "--name", "根管理员", "--password", password]
    )
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_create_admin_refuses_the_username_as_password(runner, db):
    user = make_user("admin2024", roles=[STAFF], section=make_section(), full_name="张三")
    before = dump(db)
    result = runner.invoke(
        args=["create-admin", "--username", "admin2024", "--name", "张三", "--password", "admin2024"]
    )
    assert result.exit_code != 0
    assert "新密码不能与登录名相同" in result.output
    assert dump(db) == before
    db.session.refresh(user)
    assert Role.ADMIN not in user.roles


def test_create_admin_for_an_existing_user_grants_admin(runner, db, client):
    section = make_section()
    user = make_user("zhangsan", roles=[STAFF], section=section, full_name="张三")
    auth_sessions.start(user)

    result = run(runner, "create-admin", "--username", "zhangsan", "--name", "张三", "--password", "NewPassw0rd")
    assert result.exit_code == 0, result.output
    assert "已授予 zhangsan 管理员角色" in result.output

    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.username == "zhangsan"))
    assert user.roles == {Role.ADMIN, STAFF}  # the old roles are kept
    assert user.section_id == section.id
    # Older sessions end.
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 1

    refused = post(client, "/auth/login", {"username": "zhangsan", "password": PASSWORD})
    assert refused.status_code == 200
    assert "用户名或密码错误" in refused.get_data(as_text=True)
    login(client, "zhangsan", "NewPassw0rd")
    assert client.get("/admin/users").status_code == 200


def test_create_admin_reactivates_a_deactivated_account(runner, db, client):
    make_user("former", roles=[], full_name="前任", active=False)
    result = run(runner, "create-admin", "--username", "former", "--name", "前任", "--password", "Back4Good")
    assert result.exit_code == 0, result.output
    login(client, "former", "Back4Good")
    assert client.get("/admin/users").status_code == 200


def test_create_admin_for_an_existing_login_ignores_case_and_clears_forced_change(app, db):
    from tests.factories import make_user
    from workflow.models import User
    from workflow.roles import Role

    user = make_user("zhangsan", roles=[Role.SECTION_STAFF], must_change_password=True)
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--username", "ZhangSan", "--name", "张三", "--password", "NewPassw0rd"]
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert Role.ADMIN in user.roles and Role.SECTION_STAFF in user.roles
    assert user.must_change_password is False
    assert user.full_name == "张三"
    assert user.check_password("NewPassw0rd")


# import-people --------------------------------------------------------------------------


def test_import_people_prints_the_links(runner, db, tmp_path):
    from tests.people_workbook import seed_workbook

    make_user("admin", roles=[Role.ADMIN], full_name="系统管理员")
    workbook = tmp_path / "人员.xlsx"
    with runner.app.app_context():
        workbook.write_bytes(seed_workbook())
    result = runner.invoke(args=["import-people", str(workbook)])
    assert result.exit_code == 1 and "--url" in result.output
    result = run(runner, "import-people", str(workbook), "--url", "https://jxpj.example.cn/")
    assert result.exit_code == 0, result.output
    assert "已导入 13 人，新建科室 7 个。" in result.output
    assert "“规划财务科”已设为评价工作小组办公室所在科室。" in result.output
    assert len(re.findall(r"https://jxpj\.example\.cn/auth/set-password/\S+", result.output)) == 13
    assert db.session.scalar(select(func.count()).select_from(User)) == 14
    again = runner.invoke(args=["import-people", str(workbook), "--url", "https://jxpj.example.cn"])
    assert again.exit_code == 1 and "登录名“jianglixin”已被使用。" in again.output
    assert "文件未导入" in again.output
