"""The overview in a real browser (Debian's Chromium through Playwright): static/js/overview.js
reads the page's JSON and ECharts draws every chart (svg elements inside each chart's
container), with no console error and no Content-Security-Policy complaint, in Chinese and in
English. The browser runs in a thread of its own (tests/test_meetings_browser.py
in_own_thread): the approvals that build the data sign their reports, which runs an event
loop in the test's thread. The screenshots of the README (docs/screenshots/overview-*.png) are taken here."""
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.factories import make_approved, make_evaluation, make_plan, make_section, make_setup
from tests.live_server import live_server  # noqa: F401  (fixture)
from tests.test_meetings_browser import in_own_thread

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs/screenshots"
CHARTS = ("stages", "sections", "execution", "grades", "years")


@pytest.fixture
def world():
    """Three budget years of one bureau: 2017 and 2018 approved, 2019 under way in every
    state, four sections."""
    org, plan = make_setup()
    section_c = make_section("应急救援指挥科")
    figures = {
        "应急物资储备项目": (org.section_a, [("50", "41"), ("60", "55.2"), ("206.632", "172.743")]),
        "安全生产宣传教育项目": (org.section_a, [("30", "29.1"), ("32", "24"), ("35", "33.6")]),
        "危险化学品重大危险源监测预警项目": (org.section_b, [("80", "60"), ("85.6", "83.12"), ("90", "88.2")]),
    }
    for run_year, index in ((2018, 0), (2019, 1)):
        earlier = make_plan(run_year=run_year, budget_year=run_year - 1)
        for name, (section, years) in figures.items():
            make_approved(earlier, org, name, section, *years[index])
    for name, (section, years) in figures.items():
        make_approved(plan, org, name, section, *years[2])
    make_evaluation(plan, org, "reported", name="应急演练项目", section=org.section_b)
    make_evaluation(plan, org, "submitted", name="森林防火项目", section=org.section_b)
    make_evaluation(plan, org, "self_evaluating", name="救援队伍建设项目", section=section_c)
    make_evaluation(plan, org, "preparing", name="应急广播项目", section=section_c)
    return org, plan


def sign_in(page, username):
    page.goto("/auth/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(re.compile(r"/$"))


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_charts_are_drawn(live_server, world, language):  # noqa: F811
    in_own_thread(lambda browser: _charts_are_drawn(browser, live_server, language))


def _charts_are_drawn(browser, live_server, language):  # noqa: F811
    context = browser.new_context(base_url=live_server.base_url, locale="zh-CN", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        problems = []
        page.on("console", lambda message: problems.append(message.text) if message.type in ("error", "warning") else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        sign_in(page, "leader")
        if language == "en":
            page.get_by_test_id("lang-en").click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
        page.locator("#main-nav .nav-link", has_text="概览" if language == "zh_CN" else "Overview").click()
        page.wait_for_url(re.compile(r"/overview/$"))
        for chart in CHARTS:
            container = page.locator(f'[data-chart="{chart}"]')
            expect(container).to_have_attribute("data-drawn", "true")
            assert container.locator("svg").count() >= 1, chart
            # Drawn, not an empty frame: bars, lines and labels.
            assert container.locator("svg path").count() > 3, chart
            assert container.locator("svg text").count() > 0, chart
        expect(page.get_by_test_id("table-execution")).to_contain_text("85.40%")  # 206.343 of 241.632
        # The axis labels follow the language of the page.
        label = "优" if language == "zh_CN" else "Excellent"
        expect(page.locator('[data-chart="grades"] svg text', has_text=label)).to_have_count(1)
        assert not problems, problems
        # The README's pictures: the top of the page in Chinese, the execution rates and the
        # grades in English.
        if language == "en":
            page.evaluate("() => window.scrollTo(0, document.getElementById('chart-execution-title')"
                          ".getBoundingClientRect().top + window.scrollY - 16)")
        page.screenshot(path=str(SCREENSHOTS / f"overview-{language.split('_')[0]}.png"))
    finally:
        context.close()


def test_the_finance_bureau_sees_the_reported_projects(live_server, world):  # noqa: F811
    in_own_thread(lambda browser: _finance_bureau(browser, live_server))


def _finance_bureau(browser, live_server):  # noqa: F811
    context = browser.new_context(base_url=live_server.base_url, locale="zh-CN")
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        problems = []
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        sign_in(page, "finance")
        page.goto("/overview/")
        expect(page.get_by_test_id("reported-only")).to_be_visible()
        for chart in CHARTS:
            expect(page.locator(f'[data-chart="{chart}"]')).to_have_attribute("data-drawn", "true")
        expect(page.get_by_test_id("table-sections")).to_contain_text("1")
        expect(page.get_by_test_id("table-years")).to_contain_text("应急演练项目")
        expect(page.get_by_test_id("table-years")).not_to_contain_text("应急广播项目")
        assert not problems, problems
    finally:
        context.close()
