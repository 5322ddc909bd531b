"""Approved targets in a real browser (tests/live_server.py): the section files its targets on
the 自评表 and submits them, the office approves them on the evaluation page; afterwards the
form shows the targets read-only and its script still scores the rows from them.

file_and_approve_targets() is the helper an end-to-end test calls to do the first part through
the pages."""
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.live_server import browser, live_server, page  # noqa: F401  (fixtures)
from tests.test_browser import sign_in
from workflow import scoring
from workflow.extensions import db as _db
from workflow.models import Evaluation
from workflow.selfeval.framework import EXECUTION_RATE
from workflow.targets import record

pytestmark = pytest.mark.browser


def file_and_approve_targets(staff_page, office_page, evaluation_id, goal, targets):
    """Through the pages: the section's staff (``staff_page``, signed in) writes the year's
    ``goal`` and each indicator's target on the 自评表, saves and submits them (提交绩效目标);
    the office (``office_page``, signed in) approves them (批复绩效目标). ``targets``: {三级指标
    as the form shows it: (指标性质 code ">=" "<=" "=" "qualitative", 度量单位, 年度指标值)};
    rows not named keep what they have. The pages are left on the evaluation page."""
    staff_page.goto(f"/evaluations/{evaluation_id}/form")
    staff_page.locator("#overall_target").fill(goal)
    for name, (nature, unit, target) in targets.items():
        row = staff_page.locator(f"tr[data-indicator='{name}']")
        row.locator("select[name$='-nature']").select_option(nature)
        row.locator("input[name$='-unit']").fill(unit)
        row.locator("input[name$='-target']").fill(target)
    staff_page.get_by_test_id("save").click()
    expect(staff_page.locator(".alert", has_text="已保存").first).to_be_visible()
    staff_page.goto(f"/evaluations/{evaluation_id}")
    staff_page.get_by_test_id("action-submit_targets").click()
    expect(staff_page.get_by_test_id("state")).to_have_text("待审核目标")
    office_page.goto(f"/evaluations/{evaluation_id}")
    office_page.get_by_test_id("action-approve_targets").click()
    expect(office_page.get_by_test_id("state")).to_have_text("目标已批复")


@pytest.fixture
def world(app):
    org, plan = factories.make_setup()
    plan.targets_approval = True
    _db.session.commit()
    evaluation = factories.make_project(plan, "应急物资储备项目", org.section_a, org.office).evaluation
    from workflow.selfeval import content

    content.ensure_content(evaluation)
    _db.session.commit()
    names = [ind.name for ind in evaluation.indicators if ind.kind != EXECUTION_RATE]
    return org, evaluation.id, names


def test_targets_filed_approved_then_read_only_and_still_scored(browser, live_server, world):  # noqa: F811
    org, evaluation_id, names = world
    contexts = [browser.new_context(base_url=live_server.base_url, locale="zh-CN") for _ in range(2)]
    staff_page, office_page = (context.new_page() for context in contexts)
    errors = []
    staff_page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        sign_in(staff_page, org.staff_a.username)
        sign_in(office_page, org.office.username)
        first, second = names[0], names[1]
        targets = {name: (">=", "", "100") for name in names}
        targets[first] = (">=", "座", "286")
        targets[second] = ("<=", "万元", "0.7217")
        file_and_approve_targets(staff_page, office_page, evaluation_id, "对全市286个矿山进行隐患排查。", targets)

        _db.session.expire_all()
        evaluation = _db.session.get(Evaluation, evaluation_id)
        kept = record.approved(evaluation)
        assert kept.data["overall_target"] == "对全市286个矿山进行隐患排查。"
        assert {v["name"]: v["target"] for v in kept.data["indicators"].values()}[first] == "286"

        office_page.goto(f"/plans/{evaluation.plan_id}")
        office_page.get_by_role("button", name="全部开始自评").click()
        staff_page.goto(f"/evaluations/{evaluation_id}/form")
        expect(staff_page.get_by_test_id("targets-fixed")).to_be_visible()
        row = staff_page.locator(f"tr[data-indicator='{first}']")
        expect(row.locator("input[name$='-target']")).to_have_count(0)
        expect(row.locator("select[name$='-nature']")).to_have_count(0)
        expect(row.get_by_test_id("fixed-target")).to_have_text("286")
        # The script scores from the read-only targets as the server's rules do.
        row.locator("input[name$='-actual']").fill("253")
        weight = Decimal(row.get_attribute("data-weight"))
        expect(row.locator("output[data-score]")).to_have_text(
            str(scoring.score_quantitative(">=", Decimal(286), Decimal(253), weight)))
        reverse = staff_page.locator(f"tr[data-indicator='{second}']")
        reverse.locator("input[name$='-actual']").fill("0.6828")
        expect(reverse.locator("output[data-score]")).to_have_text(
            str(scoring.score_quantitative("<=", Decimal("0.7217"), Decimal("0.6828"),
                                           Decimal(reverse.get_attribute("data-weight")))))
        assert errors == []
    finally:
        for context in contexts:
            context.close()
