"""In Chromium: the seed's organisation imported from one workbook (the template downloaded
from the page, filled, uploaded), and a new person setting their password from the link."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.conftest import PASSWORD
from tests.factories import make_user
from tests.live_server import browser, live_server, page  # noqa: F401  (fixtures)
from tests.people_workbook import fill, seed_rows
from tests.test_browser import sign_in
from workflow.extensions import db
from workflow.models import Section, User
from workflow.roles import Role

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Yuan2020mima"


def test_the_seed_organisation_from_one_workbook_and_a_password_from_the_link(page, browser, live_server,
                                                                            tmp_path):
    make_user("admin", roles=[Role.ADMIN], full_name="系统管理员")
    sign_in(page, "admin", PASSWORD)
    page.goto("/admin/users")
    page.get_by_test_id("import-people").click()
    expect(page.locator("h1")).to_have_text("从 Excel 导入人员和科室")

    with page.expect_download() as download:
        page.get_by_test_id("template-link").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    filled = tmp_path / "承德市应急管理局人员.xlsx"
    filled.write_bytes(fill(template.read_bytes(), seed_rows()))

    page.locator("#file").set_input_files(str(filled))
    page.get_by_role("button", name="上传并导入").click()
    expect(page.locator("h1")).to_have_text("已导入 13 人")
    expect(page.get_by_test_id("import-summary")).to_contain_text("新建科室 7 个")
    cards = page.get_by_test_id("link-card")
    expect(cards).to_have_count(13)
    expect(cards.locator("svg")).to_have_count(13)  # a QR code each, to scan at the training
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(User)) == 14
    assert db.session.scalar(select(func.count()).select_from(Section)) == 7

    card = page.locator('[data-testid="link-card"][data-username="yuanliji"]')
    expect(card).to_contain_text("原立吉")
    url = card.get_by_test_id("link-url").input_value()
    assert url.startswith(live_server.url("/auth/set-password/"))

    # 原立吉 opens the link on a phone of their own.
    phone = browser.new_context(base_url=live_server.base_url, locale="zh-CN",
                                viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True)
    phone.set_default_timeout(10_000)
    try:
        mine = phone.new_page()
        mine.goto(url)
        expect(mine.get_by_test_id("link-user")).to_contain_text("yuanliji")
        mine.locator("#new_password").fill(NEW_PASSWORD)
        mine.locator("#confirm").fill(NEW_PASSWORD)
        mine.get_by_role("button", name="设置密码并登录").click()
        mine.wait_for_url(re.compile(r"/$"))
        expect(mine.get_by_test_id("welcome")).to_have_text("您好，原立吉")
        expect(mine.get_by_test_id("section")).to_have_text("非煤矿山安全监督管理科")

        # The link is spent; the password is theirs.
        mine.goto(url)
        expect(mine.get_by_test_id("link-refused")).to_contain_text("已使用过")
        mine.locator(".navbar-toggler").click()  # the phone's menu is folded away
        # Bootstrap's collapse animates open: a click while it is still "collapsing" can miss.
        expect(mine.locator("#main-nav")).to_have_class(re.compile(r"\bshow\b"))
        mine.get_by_test_id("logout").click()
        mine.wait_for_url(re.compile(r"/auth/login$"))
        sign_in(mine, "yuanliji", NEW_PASSWORD)
        expect(mine.get_by_test_id("welcome")).to_have_text("您好，原立吉")
    finally:
        phone.close()
