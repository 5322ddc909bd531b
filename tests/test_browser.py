"""The app in a real browser: Debian's Chromium, driven by Playwright, against the test app
served over HTTP (tests/live_server.py). Sign-in, the dashboard in both languages, sign-out,
and the layout on a phone."""
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.factories import make_section, make_user
from tests.live_server import browser, live_server, page  # noqa: F401  (fixtures)
from workflow.roles import Role

pytestmark = pytest.mark.browser

CATALOGUE = Path(__file__).resolve().parent.parent / "workflow/translations/en/LC_MESSAGES/messages.po"
SECTION_NAME = "非煤矿山安全监督管理科"
FULL_NAME = "原立吉"


def english(msgid):
    """The English catalogue's translation of ``msgid`` (whatever wording the translator
    chose); the test fails when the entry is missing or still untranslated."""
    with CATALOGUE.open("rb") as handle:
        message = read_po(handle).get(msgid)
    assert message is not None and message.string, f"no English translation for {msgid!r}"
    return message.string


@pytest.fixture
def staff():
    """A section's staff member, committed so that the server's own sessions see it."""
    section = make_section(SECTION_NAME)
    return make_user("yuanliji", roles=[Role.SECTION_STAFF], section=section, full_name=FULL_NAME)


def sign_in(page, username, password=PASSWORD):
    page.goto("/auth/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(re.compile(r"/$"))


def test_sign_in_switch_to_english_and_sign_out(page, staff, live_server, db):
    page.goto("/auth/login")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page).to_have_title(re.compile("登录"))
    expect(page.locator("h1")).to_have_text("登录")

    page.locator("#username").fill("yuanliji")
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()

    # The dashboard, in Chinese, about this person.
    page.wait_for_url(live_server.url("/"))
    expect(page.locator("h1")).to_have_text("工作台")
    expect(page.get_by_test_id("welcome")).to_have_text(f"您好，{FULL_NAME}")
    expect(page.get_by_test_id("current-user")).to_have_text(FULL_NAME)
    expect(page.get_by_test_id("section")).to_have_text(SECTION_NAME)
    expect(page.get_by_test_id("roles")).to_contain_text("科室经办人")

    # English.
    page.get_by_test_id("lang-en").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url == live_server.url("/"), "the language switch should come back to the same page"
    expect(page.get_by_test_id("lang-zh_CN")).to_have_text("中文")
    expect(page.get_by_test_id("lang-en")).to_have_count(0)
    expect(page.locator("h1")).to_have_text("Dashboard")
    expect(page).to_have_title(re.compile("Dashboard"))
    welcome = english("您好，%(name)s") % {"name": FULL_NAME}
    expect(page.get_by_test_id("welcome")).to_have_text(welcome)
    expect(page.get_by_test_id("roles")).to_contain_text(english("科室经办人"))
    expect(page.get_by_test_id("roles")).not_to_contain_text("科室经办人")
    # Section names are data, not interface text: they stay as they are.
    expect(page.get_by_test_id("section")).to_have_text(SECTION_NAME)

    # The choice is kept on the account, so it follows the person to another computer.
    db.session.refresh(staff)
    assert staff.locale == "en"

    # Sign out: back on the login page, and the dashboard is closed again.
    page.get_by_test_id("logout").click()
    page.wait_for_url(re.compile(r"/auth/login$"))
    expect(page.locator("#username")).to_be_visible()
    expect(page.get_by_test_id("logout")).to_have_count(0)
    page.goto("/")
    page.wait_for_url(re.compile(r"/auth/login\?next=%2F$"))
    expect(page.locator("#password")).to_be_visible()


def _has_no_horizontal_overflow(page):
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"page wider than the screen: scrollWidth/clientWidth = {widths}"


def test_phone_layout(browser, live_server, staff):
    context = browser.new_context(
        base_url=live_server.base_url,
        locale="zh-CN",
        viewport={"width": 375, "height": 667},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto("/auth/login")
        assert page.evaluate("() => document.documentElement.clientWidth") == 375
        _has_no_horizontal_overflow(page)

        sign_in(page, "yuanliji")
        expect(page.get_by_test_id("welcome")).to_have_text(f"您好，{FULL_NAME}")
        _has_no_horizontal_overflow(page)

        # The menu is folded away behind the toggler.
        toggler = page.locator(".navbar-toggler")
        expect(toggler).to_be_visible()
        expect(page.get_by_test_id("logout")).to_be_hidden()
        expect(toggler).to_have_attribute("aria-expanded", "false")

        toggler.click()
        expect(page.locator("#main-nav")).to_have_class(re.compile(r"\bshow\b"))
        expect(toggler).to_have_attribute("aria-expanded", "true")
        expect(page.get_by_test_id("logout")).to_be_visible()
        expect(page.get_by_test_id("lang-en")).to_be_visible()
        expect(page.locator("#main-nav .nav-link", has_text="工作台")).to_be_visible()
        _has_no_horizontal_overflow(page)

        # And the opened menu works: signing out from it.
        page.get_by_test_id("logout").click()
        page.wait_for_url(re.compile(r"/auth/login$"))
    finally:
        context.close()


def test_the_english_navigation_fits_one_line_at_1366(browser, live_server):
    """The widest menu (a person with every role) in English on a 1366 px office screen: the
    links and the account's buttons stay on one line, below which the page starts."""
    section = make_section("规划财务科", is_office=True)
    make_user("everyone", roles=list(Role), section=section, full_name="闫洪涛", locale="en")
    context = browser.new_context(base_url=live_server.base_url, viewport={"width": 1366, "height": 768})
    try:
        page = context.new_page()
        failed = []
        page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
        sign_in(page, "everyone")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        # The tab shows the icon, and nothing the pages ask for is missing (no favicon 404).
        icon = page.evaluate("() => fetch(document.querySelector('link[rel=icon]').href).then(r => r.status)")
        assert icon == 200
        assert failed == [], failed
        middles = page.evaluate("""() => [...document.querySelectorAll(
            '#main-nav .nav-link, #main-nav .btn, .navbar-brand')]
            .filter(e => e.offsetParent !== null)
            .map(e => { const r = e.getBoundingClientRect(); return [e.textContent.trim(), (r.top + r.bottom) / 2]; })""")
        assert len(middles) >= 14, middles  # the brand, ten links, language, bell, account, sign-out
        lowest, highest = min(m for _t, m in middles), max(m for _t, m in middles)
        assert highest - lowest < 4, str(middles)
        height = page.evaluate("() => document.querySelector('.app-header').getBoundingClientRect().height")
        assert height < 70, height  # one line: 62 px (two would be over 90)
        # The account's pages are one click away, in the menu under the person's name.
        page.get_by_test_id("account-menu").click()
        page.get_by_role("link", name="Change password").click()
        page.wait_for_url(re.compile(r"/auth/password$"))
    finally:
        context.close()
