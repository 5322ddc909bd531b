"""Directory sign-in in a real browser: a person of the directory (Debian's slapd, started by
tests/ldap_server.py) signs in on the login page with their directory password."""
import re

import pytest
from playwright.sync_api import expect

from tests.factories import make_section
from tests.ldap_server import PASSWORDS, directory, slapd_server  # noqa: F401  (fixtures)
from tests.live_server import browser, live_server, page  # noqa: F401  (fixtures)
from workflow.roles import Role

pytestmark = pytest.mark.browser

SECTION_NAME = "非煤矿山安全监督管理科"


def test_a_directory_user_signs_in_on_the_login_page(page, directory, live_server, db):
    # Not yet in the app: the groups give the role and the section, the first sign-in makes
    # the account.
    make_section(SECTION_NAME)
    directory(LDAP_GROUP_ROLES="jxpj-staff=section_staff", LDAP_GROUP_SECTIONS=f"feimei-ke={SECTION_NAME}")

    page.goto("/auth/login")
    expect(page.get_by_test_id("directory-hint")).to_be_visible()
    page.locator("#username").fill("yuanliji")
    page.locator("#password").fill("Not-the-password-1")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.locator(".alert-danger")).to_contain_text("用户名或密码错误")

    page.locator("#username").fill("yuanliji")
    page.locator("#password").fill(PASSWORDS["yuanliji"])
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator("h1")).to_have_text("工作台")
    expect(page.get_by_test_id("current-user")).to_have_text("原立吉")
    expect(page.get_by_test_id("section")).to_have_text(SECTION_NAME)
    expect(page.get_by_test_id("roles")).to_contain_text(str(Role.SECTION_STAFF.label))
    # The password is the directory's: the account menu offers no 修改密码.
    page.get_by_test_id("account-menu").click()
    expect(page.get_by_role("link", name="流程说明")).to_be_visible()
    expect(page.get_by_role("link", name="修改密码")).to_have_count(0)
