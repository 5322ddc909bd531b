"""Accessibility in a real browser (GB/T 37668-2019, which follows WCAG 2.1 AA): axe-core's
rules run inside Chromium over the busy pages, in Chinese and English, on a desktop and a
phone screen; the 自评表 walked with the keyboard alone (Tab, Enter, Space), an error reached
and fixed; and Chromium's print preview (its PDF) of the board and the attendance page,
read back with pdftotext.

axe-core is vendored under tests/vendor/axe-core (scripts/vendor_axe.sh) and injected from
that file into each page: nothing is fetched while the tests run. One live server and one
browser serve the whole module; each test builds its own data (the tables are emptied after
every test)."""
import re
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.conftest import PASSWORD
from tests.live_server import browser, live_server  # noqa: F401  (fixtures)
from workflow import clock, demo_content
from workflow.extensions import db
from workflow.meetings import services as meetings

pytestmark = [pytest.mark.browser, pytest.mark.any_database]

AXE = Path(__file__).resolve().parent / "vendor/axe-core/axe.min.js"
# WCAG 2.0 and 2.1, levels A and AA: what GB/T 37668-2019 asks of a government site.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1366, "height": 768}


@pytest.fixture
def site(app):
    """A plan with the seed's mine project open for self-evaluation in section A, a second
    project submitted for review, and a published meeting with invitees (one signed in)."""
    clock.freeze(None)
    org, plan = factories.make_setup()
    demo_content.adjust_plan_framework(plan)
    mine = factories.make_project(plan, factories.SEED_MINE, org.section_a, org.office)
    factories.walk_to(mine.evaluation, "self_evaluating", org)
    other = factories.make_evaluation(plan, org, name="应急物资储备项目", section=org.section_b)
    factories.walk_to(other, "submitted", org)
    now = clock.now()
    meeting = meetings.create_meeting(plan, meetings.MeetingData(
        title="预算重点项目绩效评价工作培训会议", starts_at=now + timedelta(minutes=10),
        ends_at=now + timedelta(hours=2), place="应急管理局2603会议室"), org.office)
    meetings.add_invitees(meeting, org.office, [org.staff_a.id, org.staff_a2.id, org.staff_b.id])
    meetings.publish(meeting, org.office)
    db.session.commit()
    return {"org": org, "plan": plan.id, "evaluation": mine.evaluation.id, "other": other.id,
            "meeting": meeting.id}


def new_page(browser, live_server, locale="zh-CN", viewport=DESKTOP):
    phone = viewport == PHONE
    # bypass_csp: the pages' policy allows no inline script, and Playwright injects axe-core as
    # one; the policy itself is tests/test_security_headers.py's.
    context = browser.new_context(base_url=live_server.base_url, locale=locale, viewport=viewport, bypass_csp=True,
                                  is_mobile=phone, has_touch=phone, device_scale_factor=2 if phone else 1)
    context.set_default_timeout(15_000)
    return context.new_page()


def sign_in(page, username):
    page.goto("/auth/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/$"))


def choose_language(page, locale):
    """The app speaks the language chosen in its bar (kept on the account), not the browser's."""
    if locale == "en":
        toggler = page.locator(".navbar-toggler")
        if toggler.is_visible():  # a phone: the bar's buttons are folded into its menu
            toggler.click()
            expect(page.get_by_test_id("lang-en")).to_be_visible()
        page.get_by_test_id("lang-en").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")


def axe_problems(page):
    """axe-core's critical and serious violations on the page as it is: "rule: node" lines."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    problems = []
    for violation in result["violations"]:
        if violation["impact"] in ("critical", "serious"):
            for node in violation["nodes"]:
                summary = " ".join(node.get("failureSummary", "").split())
                problems.append(f"{violation['id']} ({violation['impact']}): {node['target']} {summary[:220]}")
    return problems


def busy_pages(site):
    """(who, path) of the pages checked: everything a person meets in a working day."""
    org, plan, evaluation, meeting = site["org"], site["plan"], site["evaluation"], site["meeting"]
    return [
        (None, "/auth/login"),
        (org.staff_a, "/"),
        (org.staff_a, "/work/inbox"),
        (org.staff_a, f"/evaluations/{evaluation}/form"),
        (org.staff_a, f"/evaluations/{evaluation}"),
        (org.staff_a, "/work/notifications"),
        (org.staff_a, f"/meetings/{meeting}"),
        (org.office, "/work/board"),
        (org.office, f"/plans/{plan}"),
        (org.office, "/plans/"),
        (org.office, f"/meetings/{meeting}"),
        (org.office, f"/meetings/{meeting}/attendance"),
        (org.office, "/meetings/new"),
        (org.office, "/overview/"),
        (org.reviewer, "/evaluations/review"),
        (org.reviewer, f"/evaluations/{site['other']}/review"),
    ]


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_no_serious_violation_on_the_busy_pages(browser, live_server, site, locale, viewport):
    pages, problems = {}, {}
    try:
        for who, path in busy_pages(site):
            user = who.username if who else None
            if user not in pages:
                page = pages[user] = new_page(browser, live_server, locale, viewport)
                if user:
                    sign_in(page, user)
                else:
                    page.goto("/auth/login")
                choose_language(page, locale)
            page = pages[user]
            response = page.goto(path)
            assert response.status == 200, path
            expect(page.locator("html")).to_have_attribute("lang", "en" if locale == "en" else "zh-CN")
            found = axe_problems(page)
            if found:
                problems[f"{user} {path}"] = found
    finally:
        for page in pages.values():
            page.context.close()
    assert not problems, "\n".join(f"{where}:\n  " + "\n  ".join(found) for where, found in problems.items())


def focused(page):
    """What has the keyboard focus: its tag, id, name, test id and text."""
    return page.evaluate("""() => { const e = document.activeElement; return {
        tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute('name') || '',
        testid: e.getAttribute('data-testid') || '', text: (e.textContent || '').trim().slice(0, 40)}; }""")


def tab_to(page, matches, limit=400):
    """Press Tab until the focused element ``matches`` (a predicate on focused()); fail when
    it is not reached in ``limit`` presses."""
    for _press in range(limit):
        page.keyboard.press("Tab")
        if matches(focused(page)):
            return
    pytest.fail(f"not reached with {limit} Tabs; focus is on {focused(page)}")


def test_the_login_and_the_self_evaluation_with_the_keyboard_alone(browser, live_server, site):
    """Tab moves (Shift+Tab once, back to the skip link), Enter and Space act; characters are
    typed into the focused field only."""
    org, evaluation_id = site["org"], site["evaluation"]
    page = new_page(browser, live_server)
    try:
        page.goto("/auth/login")
        # The first Tab reaches the skip link, which shows itself on the screen.
        page.keyboard.press("Tab")
        assert focused(page)["text"] == "跳到正文"
        box = page.locator(".skip-link").bounding_box()
        assert box and box["y"] >= 0, "the focused skip link stays off the screen"
        # In the dark bar the focus ring is the light-yellow line (7.6:1 on the bar's blue).
        page.keyboard.press("Tab")
        ring = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
            return [document.activeElement.closest('.app-header') !== null, s.outlineStyle, s.outlineColor, s.outlineWidth]; }""")
        assert ring == [True, "solid", "rgb(255, 213, 79)", "3px"], ring
        page.keyboard.press("Shift+Tab")
        assert focused(page)["text"] == "跳到正文"
        page.keyboard.press("Enter")  # to the content: the next Tab is the login form's
        tab_to(page, lambda f: f["id"] == "username", limit=3)
        page.keyboard.type(org.staff_a.username)
        page.keyboard.press("Tab")
        assert focused(page)["id"] == "password"
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/(#main)?$"))  # the skip link's #main follows the redirect

        page.goto(f"/evaluations/{evaluation_id}/form")
        amount = "funding-total-initial_budget"
        tab_to(page, lambda f: f["name"] == amount)
        page.keyboard.type("12O.5")  # a letter O for a zero
        tab_to(page, lambda f: f["name"] == "overall_achievement")
        page.keyboard.type(demo_content.MINE_ACHIEVEMENT)
        tab_to(page, lambda f: f["testid"] == "save")
        page.keyboard.press("Space")
        page.wait_for_load_state()

        # Refused: the summary has the focus, announced; the field itself is marked and
        # described by its message; nothing was saved.
        summary = page.get_by_test_id("error-summary")
        expect(summary).to_be_focused()
        expect(summary).to_have_attribute("role", "alert")
        expect(page.locator("[data-form-errors]")).not_to_be_empty()
        field = page.locator(f"input[name='{amount}']")
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_class(re.compile(r"\bis-invalid\b"))
        message = page.locator(f"#{field.get_attribute('aria-describedby')}")
        expect(message).to_contain_text("应为数字")
        expect(field).to_have_accessible_description(re.compile("应为数字"))
        expect(field).to_have_accessible_name(re.compile("全年预算数|年初预算数"))
        expect(field).to_have_value("12O.5")  # what was typed is kept
        assert axe_problems(page) == []

        # From the summary's link to the field (Tab, Enter), fixed, saved with Enter.
        page.keyboard.press("Tab")
        assert focused(page)["tag"] == "a"
        page.keyboard.press("Enter")
        expect(field).to_be_focused()  # the refused value selected: typing replaces it
        page.keyboard.type("120.5")
        page.keyboard.press("Enter")  # Enter in a text field submits its form
        page.wait_for_load_state()
        expect(page.get_by_test_id("error-summary")).to_have_count(0)
        expect(page.locator(".alert-success")).to_contain_text("已保存")
        expect(page.locator(f"input[name='{amount}']")).to_have_value("120.5")
        expect(page.locator("#overall_achievement")).to_have_value(demo_content.MINE_ACHIEVEMENT)
    finally:
        page.context.close()


def pdf_text(page, tmp_path, name):
    """The page as Chromium prints it (A4, the print style sheet), read back by pdftotext."""
    page.emulate_media(media="print")
    path = tmp_path / f"{name}.pdf"
    page.pdf(path=str(path), format="A4", print_background=True)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_the_board_and_the_attendance_page_print_without_the_navigation(app, browser, live_server, site, tmp_path):
    org = site["org"]
    page = new_page(browser, live_server)
    try:
        sign_in(page, org.office.username)
        printed = {}
        for name, path in (("board", "/work/board"), ("attendance", f"/meetings/{site['meeting']}/attendance")):
            page.goto(path)
            # The print time is written again as printing starts (static/js/page.js).
            page.locator("[data-print-date]").evaluate("element => { element.textContent = '—'; }")
            page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
            expect(page.locator("[data-print-date]")).to_have_text(re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d$"))
            printed[name] = pdf_text(page, tmp_path, name)
        zone = ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])
        for name, text in printed.items():
            # The title and the time of printing head the page, in the app's time zone
            # (whatever the computer's: Chromium here runs in UTC).
            when = re.search(r"打印时间：\s*(\d{4}-\d\d-\d\d \d\d:\d\d)", text)
            assert when, name
            moment = datetime.strptime(when.group(1), "%Y-%m-%d %H:%M").replace(tzinfo=zone)
            assert abs(moment - datetime.now(zone)) < timedelta(minutes=3), (name, when.group(1))
            assert "绩效评价工作台" in text.split("打印时间")[0], name
            # No bar, no footer, no buttons.
            for navigation in ("我的待办", "验真", "退出", "English", "预算绩效重点评价", "跳到正文"):
                assert navigation not in text, (name, navigation)
        assert "进度看板" in printed["board"]
        # The board's rows and its plan (the picker is not printed; its plan's title is).
        assert factories.SECTION_A in printed["board"] and "合计" in printed["board"]
        assert "切换" not in printed["board"]
        # Nor its filter and page links: a line says which sections the sheet lists.
        for control in ("只看逾期或即将到期", "筛选", "全部显示"):
            assert control not in printed["board"], control
        assert re.search(r"第 1 / 1 页，共 \d+ 个科室", printed["board"])
        assert "签到情况" in printed["attendance"] and "预算重点项目绩效评价工作培训会议" in printed["attendance"]
        for button in ("为名单中的人员手工签到", "投屏签到", "导出签到表"):
            assert button not in printed["attendance"], button
    finally:
        page.context.close()
