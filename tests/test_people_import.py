"""People and sections from Excel (workflow/admin/people_excel.py) and the one-time links to
set one's password (workflow/auth/links.py): the services without HTTP, then the pages."""
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.conftest import PASSWORD, csrf_token, login, post, signed_in
from tests.factories import make_section, make_user
from tests.people_workbook import fill, seed_rows, seed_workbook
from workflow import clock, demo
from workflow.admin import people_excel
from workflow.auth import links
from workflow.excel.importer import ImportRefused
from workflow.extensions import db
from workflow.models import OutboxMessage, PasswordLink, Section, User, UserSession
from workflow.roles import Role

NEW_PASSWORD = "Ziji2020mima"


@pytest.fixture
def admin(app):
    """The administrator the command line made on an empty database."""
    return make_user("admin", roles=[Role.ADMIN], full_name="系统管理员")


@pytest.fixture
def request_context(app):
    with app.test_request_context("/admin/people/import", base_url="http://jxpj.example.cn"):
        yield


def import_rows(rows, actor):
    return people_excel.import_people(io.BytesIO(seed_workbook(rows)), actor)


def counts():
    return (db.session.scalar(select(func.count()).select_from(User)),
            db.session.scalar(select(func.count()).select_from(Section)),
            db.session.scalar(select(func.count()).select_from(PasswordLink)))


def token_of(url):
    return url.rsplit("/", 1)[1]


# The workbook ---------------------------------------------------------------------------


def test_the_template_has_the_columns_and_explains_them(app, request_context):
    workbook = load_workbook(io.BytesIO(people_excel.template_workbook()))
    sheet = workbook[people_excel.SHEET_NAME]
    headers = [sheet.cell(row=people_excel.HEADER_ROW, column=c).value for c in range(1, 8)]
    assert headers == ["姓名", "登录名", "科室", "职务", "电话", "邮箱", "角色"]
    assert sheet.cell(row=people_excel.FIRST_DATA_ROW, column=5).number_format == "@"  # phones stay text
    notes = " ".join(str(c.value) for row in workbook["说明"].iter_rows() for c in row if c.value)
    for role in ("管理员", "评价办公室", "组长", "复核人", "科室经办人", "财政局"):
        assert role in notes
    assert "7 天内有效" in notes


def test_role_names_long_short_and_separators():
    names = people_excel.role_names()
    assert names["复核人（副组长/成员）"] is Role.REVIEWER
    assert names["复核人"] is Role.REVIEWER
    assert names["财政局"] is Role.FINANCE
    assert names["section_staff"] is Role.SECTION_STAFF
    assert people_excel.roles_text({Role.REVIEWER, Role.OFFICE}) == "评价办公室、复核人"


# The import: the seed's organisation ---------------------------------------------------------


def test_the_seed_organisation_from_one_workbook(app, admin, request_context):
    result = import_rows(None, admin)
    assert len(result.people) == 13 and len(result.links) == 13
    users, sections, link_rows = counts()
    assert (users, sections, link_rows) == (14, 7, 13)  # with the administrator: the seed's 14 people
    assert {s.name for s in result.new_sections} == {name for name, _office in demo.SECTIONS} - {"办公室"}
    office = db.session.scalar(select(Section).where(Section.is_office.is_(True)))
    assert office.name == demo.OFFICE_SECTION and result.office is office
    for username, full_name, section, title, roles, _part in demo.PEOPLE[1:]:
        user = db.session.scalar(select(User).where(User.username == username))
        assert (user.full_name, user.section.name if user.section else None, user.title) == (full_name, section, title)
        assert user.roles == frozenset(roles), username
        assert not user.check_password(demo.DEMO_PASSWORD) and not user.must_change_password
    # Mail is off in the tests: every link is for the administrator to hand over.
    assert not any(link.mailed for link in result.links)
    assert all(link.url.startswith("http://jxpj.example.cn/auth/set-password/") for link in result.links)


def test_rows_with_an_existing_office_keep_it(app, admin, request_context):
    make_section("规划财务科", is_office=False)
    office = make_section("另一个办公室", is_office=True)
    result = import_rows(None, admin)
    assert result.office is None
    assert db.session.scalar(select(Section).where(Section.is_office.is_(True))).id == office.id
    assert len(result.new_sections) == 6  # 规划财务科 existed


# The import: all or nothing ------------------------------------------------------------------


def test_every_bad_row_is_reported_and_nothing_is_imported(app, admin, request_context):
    make_section("已撤销的科", is_office=False).active = False
    db.session.commit()
    rows = seed_rows()
    first = people_excel.FIRST_DATA_ROW
    rows[1] = ("", "bad login!", "", "", "电话", "not-an-email", "组长、总指挥")
    rows[3] = (rows[3][0], "Jianglixin", *rows[3][2:])  # the login of row 3, in other letters
    rows[5] = (rows[5][0], "admin", *rows[5][2:])  # the administrator's login
    rows[7] = ("新人", "xinren", "", "科员", "", "", "科室经办人")  # staff without a section
    rows[9] = ("旧人", "jiuren", "已撤销的科", "", "", "", "科室经办人")
    rows[11] = ("空角色", "kongjuese", "办公室", "", "", "", "")
    before = counts()
    with pytest.raises(ImportRefused) as refused:
        import_rows(rows, admin)
    assert counts() == before  # not one person, not one section, not one link
    messages = [str(p) for p in refused.value.problems]
    row = {index: first + index for index in range(len(rows))}
    expected = [
        f"第 {row[1]} 行：“姓名”不能为空。",
        f"第 {row[1]} 行：“登录名”只能包含字母、数字、点、下划线和连字符。",
        f"第 {row[1]} 行：“电话”只能包含数字、空格和 + - ( )。",
        f"第 {row[1]} 行：“邮箱”格式不正确：not-an-email",
        f"第 {row[3]} 行：登录名“Jianglixin”与第 {row[0]} 行重复。",
        f"第 {row[5]} 行：登录名“admin”已被使用。",
        f"第 {row[7]} 行：科室经办人必须填写“科室”。",
        f"第 {row[9]} 行：科室“已撤销的科”已停用，不能分配人员。",
        f"第 {row[11]} 行：“角色”不能为空。",
    ]
    for message in expected:
        assert message in messages, (message, messages)
    assert any(m.startswith(f"第 {row[1]} 行：“角色”中有无法识别的角色：总指挥") for m in messages)
    assert len(messages) == len(expected) + 1


def test_files_that_are_not_the_template_are_refused(app, admin, request_context):
    with pytest.raises(ImportRefused, match="不是有效的 Excel"):
        people_excel.import_people(io.BytesIO(b"PK\x03\x04 not really"), admin)
    with pytest.raises(ImportRefused, match="没有人员数据"):
        import_rows([], admin)
    workbook = load_workbook(io.BytesIO(seed_workbook()))
    workbook[people_excel.SHEET_NAME].cell(row=people_excel.HEADER_ROW, column=2).value = "账号"
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ImportRefused, match="表头与导入模板不一致"):
        people_excel.import_people(io.BytesIO(buffer.getvalue()), admin)
    assert counts() == (1, 0, 0)


def test_the_export_reads_back_as_the_same_rows(app, admin, request_context):
    import_rows(None, admin)
    workbook = load_workbook(io.BytesIO(people_excel.export_workbook()))
    sheet = workbook[people_excel.SHEET_NAME]
    rows = [tuple(sheet.cell(row=r, column=c).value or "" for c in range(1, 8))
            for r in range(people_excel.FIRST_DATA_ROW, sheet.max_row + 1)]
    assert sorted(rows) == sorted([("系统管理员", "admin", "", "", "", admin.email, "管理员"), *seed_rows()])
    sections = {row[0].value: row[1].value for row in workbook["科室"].iter_rows(min_row=2)}
    assert len(sections) == 7 and sections[demo.OFFICE_SECTION] == "是"
    # Read back by the import, the exported people are all refused as existing: nothing changes.
    with pytest.raises(ImportRefused) as refused:
        people_excel.import_people(io.BytesIO(people_excel.export_workbook()), admin)
    assert len(refused.value.problems) == 14


# The links ------------------------------------------------------------------------------


def test_only_the_hash_is_kept_and_the_link_works_once(app, admin, request_context):
    [issued] = import_rows(seed_rows()[9:10], admin).links  # 原立吉
    token = token_of(issued.url)
    row = db.session.scalar(select(PasswordLink))
    assert row.token_hash == links.digest(token) and token not in row.token_hash
    assert row.expires_at - row.created_at == timedelta(days=7)
    user, secret = links.set_password(token, NEW_PASSWORD, NEW_PASSWORD, "127.0.0.1")
    assert user.username == "yuanliji" and user.check_password(NEW_PASSWORD)
    assert db.session.scalar(select(UserSession.secret_hash)) == links.digest(secret)
    with pytest.raises(links.LinkRefused, match="已使用过") as again:
        links.set_password(token, "Another2020", "Another2020")
    assert again.value.code == "conflict"
    assert user.check_password(NEW_PASSWORD)


def test_the_link_expires(app, admin, request_context):
    [issued] = import_rows(seed_rows()[9:10], admin).links
    token = token_of(issued.url)
    clock.freeze(clock.now() + timedelta(days=7, seconds=1))
    try:
        with pytest.raises(links.LinkRefused, match="已过期"):
            links.set_password(token, NEW_PASSWORD, NEW_PASSWORD)
    finally:
        clock.freeze(None)
    links.find(token)  # within the seven days it still works


def test_password_rules_and_a_refusal_keeps_the_link(app, admin, request_context):
    [issued] = import_rows(seed_rows()[9:10], admin).links
    token = token_of(issued.url)
    for password, confirm, reason in (("short1", "short1", "至少需要"), ("onlyletters", "onlyletters", "字母和数字"),
                                      (NEW_PASSWORD, "Other2020x", "不一致")):
        with pytest.raises(links.ServiceError, match=reason):
            links.set_password(token, password, confirm)
    links.find(token)  # still usable
    with pytest.raises(links.LinkRefused, match="链接无效"):
        links.find("x" * 43)
    with pytest.raises(links.LinkRefused, match="链接无效"):
        links.find("x" * 500)


def test_a_new_link_ends_the_older_one_and_the_sessions(app, admin, request_context):
    staff = make_user("yuanliji", roles=[Role.SECTION_STAFF], section=make_section(), full_name="原立吉")
    first = links.issue(staff, admin)
    db.session.commit()
    browser = signed_in(app, staff)
    second = links.issue_reset(staff, admin)
    with pytest.raises(links.LinkRefused, match="已被新的链接取代"):
        links.find(token_of(first.url))
    assert links.find(token_of(second.url)).purpose == "reset"
    assert db.session.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == staff.id)) == 0
    assert browser.get("/").status_code == 302  # signed out
    assert staff.check_password(PASSWORD)  # the password in use works until the link sets another


def test_a_person_with_an_address_gets_the_link_by_mail(app, admin, request_context, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_ENABLED", True)
    rows = seed_rows()[9:11]
    rows[0] = (*rows[0][:5], "yuanliji@yjj.example.cn", rows[0][6])
    result = import_rows(rows, admin)
    mailed, shown = result.links
    assert mailed.mailed and not shown.mailed
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert message.to_address == "yuanliji@yjj.example.cn" and mailed.url in message.body
    assert "yuanliji" in message.body and "7 天内" in message.body


# Pages ----------------------------------------------------------------------------------


def upload(client, data, name="人员.xlsx"):
    return client.post("/admin/people/import", data={"csrf_token": csrf_token(client), "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_the_import_page_refuses_a_bad_file_with_every_problem(app, admin):
    client = signed_in(app, admin)
    assert client.get("/admin/people/import").status_code == 200
    rows = seed_rows()
    rows[2] = ("", *rows[2][1:])
    response = upload(client, seed_workbook(rows))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "没有创建任何人员或科室" in page and f"第 {people_excel.FIRST_DATA_ROW + 2} 行：“姓名”不能为空。" in page
    assert counts() == (1, 0, 0)
    response = client.post("/admin/people/import", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 422 and "请选择要上传的 Excel 文件" in response.get_data(as_text=True)


def test_the_set_password_page_signs_the_person_in(app, admin):
    client = signed_in(app, admin)
    response = upload(client, seed_workbook(seed_rows()[9:10]))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<svg" in page and "原立吉" in page  # the QR code to hand over
    url = re.search(r'value="(http://localhost/auth/set-password/[^"]+)"', page).group(1)
    path = url.removeprefix("http://localhost")

    phone = app.test_client()
    response = phone.get(path)
    assert response.status_code == 200 and "yuanliji" in response.get_data(as_text=True)
    response = post(phone, path, {"new_password": "short", "confirm": "short"})
    assert response.status_code == 422 and "至少需要" in response.get_data(as_text=True)
    response = post(phone, path, {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "您好，原立吉" in phone.get("/").get_data(as_text=True)

    again = app.test_client().get(path)
    assert again.status_code == 409 and "已使用过" in again.get_data(as_text=True)
    assert app.test_client().get("/auth/set-password/nothing-like-it").status_code == 404
    login(app.test_client(), "yuanliji", NEW_PASSWORD)


def test_names_on_the_links_page_are_text(app, admin):
    rows = seed_rows()[9:10]
    rows[0] = ('<script>alert("x")</script>', *rows[0][1:])
    page = upload(signed_in(app, admin), seed_workbook(rows)).get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page


def test_the_reset_link_button(app, admin):
    staff = make_user("wangxu", roles=[Role.SECTION_STAFF], section=make_section(), full_name="王旭")
    other = signed_in(app, staff)
    client = signed_in(app, admin)
    response = post(client, f"/admin/users/{staff.id}/password-link")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "重置密码链接：王旭" in page and "/auth/set-password/" in page
    assert other.get("/").status_code == 302  # the sessions of the account ended
    staff.active = False
    db.session.commit()
    assert post(client, f"/admin/users/{staff.id}/password-link").status_code == 409


def test_the_export_and_template_downloads(app, admin):
    client = signed_in(app, admin)
    for url in ("/admin/people/template.xlsx", "/admin/people/export.xlsx"):
        response = client.get(url)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store"
        assert "attachment" in response.headers["Content-Disposition"]
        load_workbook(io.BytesIO(response.data))


def test_onboarding_the_seed_organisation_takes_at_most_five_page_loads(app, admin):
    """The administrator, signed in: the import page, the template, the upload, whose answer
    is the page of the links to hand over. 26 loads before (a form per person)."""
    client = signed_in(app, admin)
    loads = []

    def load(response):
        loads.append(response.status_code)
        return response

    token = csrf_token(client)  # (the login page's, already loaded when signing in)
    import_page = load(client.get("/admin/people/import")).get_data(as_text=True)
    assert 'href="/admin/people/template.xlsx"' in import_page
    template = load(client.get("/admin/people/template.xlsx")).data
    links_page = load(client.post("/admin/people/import",
                                  data={"csrf_token": token, "file": (io.BytesIO(fill(template, seed_rows())), "seed.xlsx")},
                                  content_type="multipart/form-data")).get_data(as_text=True)
    assert loads == [200, 200, 200] and len(loads) <= 5
    assert links_page.count('data-testid="link-card"') == 13
    assert counts()[:2] == (14, 7)


def test_a_deactivated_account_cannot_use_its_link(app, admin, request_context):
    [issued] = import_rows(seed_rows()[9:10], admin).links
    user = db.session.scalar(select(User).where(User.username == "yuanliji"))
    user.active = False
    db.session.commit()
    with pytest.raises(links.LinkRefused, match="已停用") as refused:
        links.set_password(token_of(issued.url), NEW_PASSWORD, NEW_PASSWORD)
    assert refused.value.code == "refused"


def test_a_reset_link_clears_the_forced_change(app, admin, request_context):
    staff = make_user("wangxu", roles=[Role.SECTION_STAFF], section=make_section(), full_name="王旭",
                      must_change_password=True)
    issued = links.issue_reset(staff, admin)
    user, _secret = links.set_password(token_of(issued.url), NEW_PASSWORD, NEW_PASSWORD)
    assert user.check_password(NEW_PASSWORD) and not user.must_change_password
    assert db.session.scalar(select(PasswordLink.used_at)) is not None


def test_the_same_link_used_twice_at_once_sets_one_password(app, admin, request_context, monkeypatch):
    """The second browser found the link unused, but the first one ended it meanwhile: the
    conditional update says who won."""
    [issued] = import_rows(seed_rows()[9:10], admin).links
    token = token_of(issued.url)
    found = links.find(token)
    monkeypatch.setattr(links, "find", lambda _token: found)  # both read the link before either wrote
    links.set_password(token, NEW_PASSWORD, NEW_PASSWORD)
    with pytest.raises(links.LinkRefused, match="已使用过"):
        links.set_password(token, "Second2020x", "Second2020x")
    user = db.session.scalar(select(User).where(User.username == "yuanliji"))
    assert user.check_password(NEW_PASSWORD)


def test_with_directory_sign_in_its_logins_get_no_link(app, admin, request_context, monkeypatch):
    """A login the directory handles has its password there (workflow/auth/directory.py)."""
    monkeypatch.setitem(app.config, "LDAP_URL", "ldap://127.0.0.1:1")
    monkeypatch.setitem(app.config, "LDAP_LOCAL_USERS", "admin,caizhengju")
    result = import_rows(None, admin)
    assert [link.user.username for link in result.links] == ["caizhengju"]  # a local account
    assert len(result.in_directory) == 12
    staff = db.session.scalar(select(User).where(User.username == "yuanliji"))
    with pytest.raises(links.LinkRefused, match="单位目录"):
        links.issue_reset(staff, admin)
    monkeypatch.setitem(app.config, "LDAP_URL", "")
    issued = links.issue_reset(staff, admin)  # made before the directory was set up
    monkeypatch.setitem(app.config, "LDAP_URL", "ldap://127.0.0.1:1")
    with pytest.raises(links.LinkRefused, match="单位目录"):
        links.find(token_of(issued.url))


def test_the_reset_link_of_a_directory_account_is_refused(app, admin, monkeypatch):
    staff = make_user("wangxu", roles=[Role.SECTION_STAFF], section=make_section(), full_name="王旭")
    client = signed_in(app, admin)
    monkeypatch.setitem(app.config, "LDAP_URL", "ldap://127.0.0.1:1")
    monkeypatch.setitem(app.config, "LDAP_LOCAL_USERS", "admin")
    assert 'data-testid="password-link"' not in client.get(f"/admin/users/{staff.id}").get_data(as_text=True)
    response = post(client, f"/admin/users/{staff.id}/password-link")
    assert response.status_code == 409 and "单位目录" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PasswordLink)) == 0


def test_a_formula_without_its_result_is_a_bad_row(app, admin, request_context):
    """openpyxl writes formulas without results, as other programs do: not read as empty."""
    rows = seed_rows()[9:11]
    rows[1] = ("=A3", *rows[1][1:])
    with pytest.raises(ImportRefused) as refused:
        import_rows(rows, admin)
    [problem] = refused.value.problems
    assert str(problem) == f"第 {people_excel.FIRST_DATA_ROW + 1} 行：有公式没有计算结果，请在 Excel 中打开并保存后再上传，或直接填写数值。"
    assert counts() == (1, 0, 0)
