"""QR sign-in in a real browser (Debian's Chromium through Playwright, tests/live_server.py):
the office opens the projector page; on a phone-sized viewport an invitee opens the QR code's
address (taken from the projector's token endpoint), logs in, signs in with one tap, and the
projector's board shows them within its refresh period without being reloaded.

Playwright's sync API allows one instance per thread, and tests/test_browser.py keeps its
session-wide instance open in the main thread; this module drives its own Chromium from a
thread of its own (see ``in_own_thread``)."""
import re
import threading
from datetime import timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.conftest import PASSWORD
from tests.factories import make_setup
from tests.live_server import launch_chromium, live_server  # noqa: F401  (fixture)
from workflow import clock
from workflow.meetings import services

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 667}


@pytest.fixture
def meeting():
    """A published meeting starting in ten minutes (the real clock: the sign-in window is
    open), invitees 原立吉 and 王建华; committed so that the live server sees it."""
    clock.freeze(None)
    org, plan = make_setup()
    now = clock.now()
    meeting = services.create_meeting(plan, services.MeetingData(
        title="预算重点项目绩效评价工作培训会议", starts_at=now + timedelta(minutes=10),
        ends_at=now + timedelta(hours=2), place="应急管理局2603会议室"), org.office)
    services.add_invitees(meeting, org.office, [org.staff_a.id, org.staff_a2.id])
    services.publish(meeting, org.office)
    return meeting


def log_in(page, username):
    page.locator("#username").fill(username)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()


def in_own_thread(scenario, timeout=120):
    """Run ``scenario(browser)`` with a Chromium started in a new thread; its failures are
    raised here."""
    outcome = {}

    def run():
        try:
            with sync_playwright() as playwright:
                chromium = launch_chromium(playwright)
                try:
                    scenario(chromium)
                finally:
                    chromium.close()
        except BaseException as error:  # noqa: BLE001 - handed to the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=run, name="meetings-browser", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        pytest.fail(f"the browser scenario did not finish within {timeout} s")
    if "error" in outcome:
        raise outcome["error"]


def test_a_phone_signs_in_and_the_projector_shows_it(live_server, meeting, app):  # noqa: F811
    refresh_ms = app.config["MEETING_BOARD_REFRESH_SECONDS"] * 1000
    # The browser's thread has no application context: it gets plain values, not the ORM
    # object (whose attributes expire at every commit and would need the database to reload).
    shown = SimpleNamespace(id=meeting.id, title=meeting.title)
    in_own_thread(lambda browser: phone_and_projector(browser, live_server, shown, refresh_ms))


def phone_and_projector(browser, live_server, meeting, refresh_ms):  # noqa: F811
    office = browser.new_context(base_url=live_server.base_url, locale="zh-CN", viewport={"width": 1366, "height": 768})
    office.set_default_timeout(10_000)
    projector = office.new_page()
    projector.goto(f"/meetings/{meeting.id}/projector")
    log_in(projector, "office")
    projector.wait_for_url(re.compile(rf"/meetings/{meeting.id}/projector$"))
    expect(projector.locator("h1")).to_have_text(meeting.title)
    # The QR code is an image the browser could draw.
    expect(projector.get_by_test_id("qr")).to_be_visible()
    assert projector.get_by_test_id("qr").evaluate("img => img.complete && img.naturalWidth > 100")
    expect(projector.get_by_test_id("board-pending")).to_contain_text("原立吉")
    expect(projector.get_by_test_id("board-signed-in")).not_to_contain_text("原立吉")
    projector.evaluate("window.__notReloaded = true")

    # The address in the QR code, from the projector's token endpoint.
    token = projector.request.get(f"/meetings/{meeting.id}/signin/token.json").json()
    assert token["url"].startswith(live_server.base_url + f"/meetings/{meeting.id}/scan/")

    phone_context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    phone_context.set_default_timeout(10_000)
    phone = phone_context.new_page()
    phone.goto(token["url"])
    expect(phone.get_by_test_id("checkin-meeting")).to_have_text(meeting.title)
    phone.get_by_test_id("login-to-sign-in").click()
    log_in(phone, "staff_a")
    phone.wait_for_url(re.compile(rf"/meetings/{meeting.id}/checkin/"))
    button = phone.get_by_test_id("signin-button")
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # fits the phone's width
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    button.tap()
    expect(phone.get_by_test_id("signed-in")).to_contain_text("已签到")
    expect(phone.get_by_role("alert").first).to_contain_text("签到成功：原立吉")

    # The projector's board follows by itself within its refresh period (plus a margin).
    expect(projector.get_by_test_id("board-signed-in")).to_contain_text("原立吉", timeout=refresh_ms + 4000)
    expect(projector.get_by_test_id("board-pending")).not_to_contain_text("原立吉")
    expect(projector.get_by_test_id("count-signed-in")).to_have_text("1")
    assert projector.evaluate("window.__notReloaded === true")

    phone_context.close()
    office.close()
