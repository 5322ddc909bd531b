"""Mid-year monitoring in a real browser (tests/live_server.py): the office adds the date on
the plan's monitoring page, the section files the seed's report through the pages — refused
first without the reason and correction, then submitted — and the board shows the warning.

``add_monitoring_date`` and ``file_monitoring_report`` are the steps of the pages, for other
browser tests (the end-to-end year) to call."""
import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.live_server import browser, live_server  # noqa: F401  (fixtures)
from tests.test_browser import sign_in
from tests.test_monitoring import CORRECTION, MINES, REASON, seed_mine
from workflow.extensions import db as _db
from workflow.models.monitoring import MonitoringReport

pytestmark = pytest.mark.browser


def add_monitoring_date(page, plan_id, as_of, due_date):
    """As the office: the plan page › 运行监控 › 添加监控时点 (dates as 'YYYY-MM-DD')."""
    page.goto(f"/plans/{plan_id}")
    page.get_by_test_id("monitoring-link").click()
    form = page.get_by_test_id("add-date")
    form.locator("#as_of").fill(as_of)
    form.locator("#due_date").fill(due_date)
    form.get_by_role("button", name="添加").click()
    expect(page.locator(f'tr[data-as-of="{as_of}"]')).to_be_visible()


def file_monitoring_report(page, plan_id, as_of, project, executed, progress=None, execution_reason="",
                           execution_correction="", submit=True):
    """As the project's section: the plan page › 运行监控 › the date › the project, then the
    report typed in and 报送 (or 保存草稿). ``progress`` maps an indicator's name to (value so
    far, expected year-end value — for a 定性 one True/False: 预计能/不能完成 —, reason,
    correction); every other indicator is filed on track (its target so far and expected, a
    定性 one 按计划推进 and expected met). Returns the page's answer to the POST (its status)."""
    progress = progress or {}
    page.goto(f"/plans/{plan_id}")
    page.get_by_test_id("monitoring-link").click()
    page.get_by_role("link", name=as_of, exact=True).click()
    page.locator(f'tr[data-project="{project}"]').get_by_role("link", name=project).click()
    page.locator("#executed").fill(executed)
    page.locator("#execution_reason").fill(execution_reason)
    page.locator("#execution_correction").fill(execution_correction)
    rows = page.get_by_test_id("progress").locator("tbody tr[data-indicator]")
    for i in range(rows.count()):
        row = rows.nth(i)
        name = row.get_attribute("data-indicator")
        qualitative = row.locator('select[name$="-met"]').count() > 0
        if name in progress:
            value, expected, reason, correction = progress[name]
        elif qualitative:
            value, expected, reason, correction = "按计划推进", True, "", ""
        else:
            target = row.locator("td").nth(2).inner_text().strip()
            value, expected, reason, correction = target, target, "", ""
        row.locator('[name$="-value"]').fill(str(value))
        if qualitative:
            row.locator('select[name$="-met"]').select_option("yes" if expected else "no")
        else:
            row.locator('[name$="-expected"]').fill(str(expected))
        row.locator('[name$="-reason"]').fill(reason)
        row.locator('[name$="-correction"]').fill(correction)
    button = "报送" if submit else "保存草稿"
    with page.expect_response(lambda r: r.request.method == "POST" and "/monitoring/dates/" in r.url) as answer:
        page.get_by_role("button", name=button, exact=True).click()
    return answer.value


@pytest.fixture
def seed(app):
    org, plan = factories.make_setup()
    evaluation = seed_mine(org, plan)
    return org, plan, evaluation


def desk(browser, live_server, user):
    """A browser of its own for ``user``, signed in."""
    context = browser.new_context(base_url=live_server.base_url, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, user.username)
    return page


def test_the_seeds_report_filed_through_the_pages(browser, live_server, seed):
    org, plan, evaluation = seed
    office = desk(browser, live_server, org.office)
    add_monitoring_date(office, plan.id, "2019-06-30", "2019-07-10")
    page = desk(browser, live_server, org.staff_a)
    lagging = {MINES: ("120", "253", "", "")}
    answer = file_monitoring_report(page, plan.id, "2019-06-30", evaluation.project.name, "61.99", lagging)
    assert answer.status == 422
    expect(page.get_by_role("alert").first).to_contain_text("请填写偏差原因和纠偏措施")
    # The error summary has the focus; its link puts the focus in the refused field, which is
    # marked (templates/_errors.html, static/js/page.js).
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link").first.click()
    expect(page.locator("textarea[aria-invalid='true']").first).to_be_focused()
    _db.session.expire_all()
    assert _db.session.query(MonitoringReport).count() == 0
    answer = file_monitoring_report(page, plan.id, "2019-06-30", evaluation.project.name, "61.99",
                                    {MINES: ("120", "253", REASON, CORRECTION)}, REASON, CORRECTION)
    assert answer.status == 302
    expect(page.get_by_test_id("report-state")).to_have_text("已报送")
    expect(page.get_by_test_id("alerts")).to_contain_text("落后于序时进度")
    office.goto(f"/work/board?plan={plan.id}")
    board = office.get_by_test_id("monitoring-board")
    expect(board.locator(f'tr[data-project="{evaluation.project.name}"]')).to_contain_text(re.compile("253"))
