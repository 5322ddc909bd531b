"""The 自评表 and the review page in a real browser (Debian's Chromium through Playwright,
tests/live_server.py): the seed's sheet typed in and saved once, with no failed save, the
total the script shows before saving equal to the server's after; the script's arithmetic
against workflow/scoring.py on many random figures; a pass and a return from the review page."""
import json
import random
import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.test_browser import sign_in
from tests.live_server import browser, live_server, page  # noqa: F401  (fixtures)
from workflow import demo_content, numbers, scoring
from workflow.extensions import db as _db
from workflow.models import Evaluation
from workflow.selfeval import services
from workflow.selfeval.framework import EXECUTION_RATE

pytestmark = pytest.mark.browser

SCRIPT = Path(__file__).resolve().parent.parent / "workflow/static/js/selfeval.js"
ORIGINAL_NAMES = {new: old for old, new in demo_content.MINE_NAMES.items()}


def reload(evaluation_id):
    _db.session.commit()
    _db.session.expire_all()
    return _db.session.get(Evaluation, evaluation_id)


@pytest.fixture
def seed(app):
    """The seed's mine project under the adjusted framework, opened for self-evaluation."""
    org, plan = factories.make_setup()
    demo_content.adjust_plan_framework(plan)
    project = factories.make_project(plan, factories.SEED_MINE, org.section_a, org.office)
    factories.walk_to(project.evaluation, "self_evaluating", org)
    return org, project.evaluation.id


def watch(page):
    """The form's POSTs (status of each) and the console's errors (a CSP refusal among them)."""
    seen = {"posts": [], "errors": []}
    page.on("response", lambda r: r.request.method == "POST" and "/form" in r.url and seen["posts"].append(r.status))
    page.on("console", lambda m: m.type == "error" and seen["errors"].append(m.text))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    return seen


def test_the_seed_form_filled_and_submitted_in_one_pass(page, live_server, seed):
    org, evaluation_id = seed
    seen = watch(page)
    sign_in(page, org.staff_a2.username)
    page.goto(f"/evaluations/{evaluation_id}/form")
    total, grade = page.locator("[data-total]"), page.get_by_test_id("grade")
    expect(total).to_have_text("—")

    for kind in ("total", "current_year"):
        for column in ("initial_budget", "annual_budget"):
            page.locator(f"input[name='funding-{kind}-{column}']").fill(demo_content.MINE_BUDGET)
        page.locator(f"input[name='funding-{kind}-executed']").fill(demo_content.MINE_EXECUTED)
    # The rate follows the amounts as they are typed; the 预算执行率 row has no field.
    expect(page.get_by_test_id("rate-total")).to_have_text("83.60%")
    expect(page.get_by_test_id("execution-rate")).to_have_text("83.60%")
    rate_row = page.locator(f"tr[data-kind='{EXECUTION_RATE}']")
    expect(rate_row.locator("input")).to_have_count(0)
    expect(rate_row.locator("output[data-score]")).to_have_text("0.84")

    page.locator("#leader_name").fill(demo_content.MINE_LEADER)
    page.locator("#overall_target").fill(demo_content.MINE_TARGET)
    page.locator("#overall_achievement").fill(demo_content.MINE_ACHIEVEMENT)
    for row in page.get_by_test_id("indicators").locator("tbody tr").all():
        name = row.get_attribute("data-indicator")
        if row.get_attribute("data-kind") == EXECUTION_RATE:
            continue
        nature, unit, target, actual, band = demo_content.MINE_INDICATORS[ORIGINAL_NAMES.get(name, name)]
        if name in demo_content.MINE_NAMES:
            row.locator("input[name$='-name']").fill(demo_content.MINE_NAMES[name])
        box = row.locator("[data-qualitative]")
        expect(box).to_be_hidden()
        row.locator("select[name$='-nature']").select_option(nature)
        if unit:
            row.locator("input[name$='-unit']").fill(unit)
        row.locator("input[name$='-target']").fill(target)
        row.locator("input[name$='-actual']").fill(actual)
        if band is None:
            expect(box).to_be_hidden()
            expect(row.locator("output[data-score]")).not_to_have_text("—")
        else:
            # 定性: the band and score are there at once, no save needed to see them.
            expect(box).to_be_visible()
            row.locator("select[name$='-band']").select_option(band[0])
            row.locator("input[name$='-score']").fill(band[1])
    for key, text in demo_content.MINE_TEXT.items():
        page.locator(f"#text-{key}").fill(text)

    # Before saving: the script's total and grade.
    expect(total).to_have_text("99.70")
    expect(grade).to_have_text("优")
    shown = total.inner_text()

    # A score outside its band shows at once, and the total waits for it.
    score = page.locator("tr:has([data-qualitative]:not([hidden]))").first.locator("input[name$='-score']")
    kept = score.input_value()
    score.fill("0.5")
    expect(score).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(total).to_have_text("—")
    expect(grade).to_be_hidden()
    score.fill(kept)
    expect(total).to_have_text(shown)

    page.get_by_test_id("save").click()
    expect(page.locator(".alert-success")).to_contain_text("已保存")
    assert seen["posts"] == [302], seen["posts"]  # one save, and it was not refused
    expect(page.locator(".alert-danger")).to_have_count(0)
    expect(page.get_by_test_id("problems")).to_have_count(0)

    evaluation = reload(evaluation_id)
    assert format(evaluation.total_score, "f") == shown  # the server's total is the one shown
    assert evaluation.grade == "excellent"
    assert services.completeness_problems(evaluation) == []
    expect(total).to_have_text(shown)  # and the page after saving says the same
    expect(page.locator("input[name='funding-total-annual_budget']")).to_have_value("206.632")

    # Submitted from the evaluation page: nothing left to fill in.
    page.goto(f"/evaluations/{evaluation_id}")
    page.get_by_test_id("action-submit").click()
    expect(page.locator(".alert-success")).to_contain_text("当前状态：待复核")
    assert reload(evaluation_id).state == "submitted"
    assert seen["errors"] == [], seen["errors"]


# The script's arithmetic against the server's ---------------------------------------------------

HARNESS = """
(() => {
  const S = (function () { %s })();
  const P = (t) => S.parse(t, 4, false);
  return %s.map((c) => {
    if (c.k === "q") { const r = S.quantitative(c.n, P(c.t), P(c.a), P(c.w)); return r === null ? null : S.fixed2(r); }
    if (c.k === "l") { const r = S.qualitative(c.rules, c.b, S.parse(c.s, 2, false), P(c.w)); return r === null ? null : S.fixed2(r); }
    if (c.k === "e") {
      const rate = S.executionRate(P(c.b), P(c.x));
      return rate === null ? null : S.fixed2(S.score(S.mul(rate, P(c.w)), P(c.w))) + "|" + S.percentText(rate);
    }
    if (c.k === "d") { return S.deviationRequired(c.rules, P(c.t), P(c.a)); }
    if (c.k === "t") {
      let sum = S.parse("0", 0, false), weights = sum;
      c.rows.forEach(([w, s]) => { sum = S.add(sum, P(s)); weights = S.add(weights, P(w)); });
      const total = S.score(S.div(S.mul(sum, S.HUNDRED), weights), S.HUNDRED);
      return S.fixed2(total) + "|" + S.grade(c.rules, total);
    }
  });
})()
"""


def script_functions():
    """The script's source with its start-up replaced by its functions, to call them alone."""
    source = SCRIPT.read_text(encoding="utf-8")
    body = source[source.index('"use strict";'):source.index("  if (document.readyState")]
    return body + ("return {parse, quantitative, qualitative, executionRate, score, mul, div, add, fixed2,"
                   " percentText, deviationRequired, grade, HUNDRED};")


def figure(rng):
    return str(Decimal(rng.randint(0, 10**7)) / Decimal(10 ** rng.randint(0, 4)))


def test_the_script_scores_as_the_server_does(page):
    rng = random.Random(15)
    rules = services.page_rules()
    cases, expected = [], []
    for _ in range(1500):
        nature = rng.choice([scoring.POSITIVE, scoring.NEGATIVE, scoring.EQUAL])
        target, actual = figure(rng), figure(rng)
        weight = str(Decimal(rng.randint(1, 3000)) / 100)
        if rng.random() < 0.2:
            actual = target
        cases.append({"k": "q", "n": nature, "t": target, "a": actual, "w": weight})
        expected.append(format(scoring.score_quantitative(nature, Decimal(target), Decimal(actual), Decimal(weight)), "f"))
    for _ in range(800):
        budget, executed = figure(rng), figure(rng)
        weight = str(Decimal(rng.randint(1, 3000)) / 100)
        cases.append({"k": "e", "b": budget, "x": executed, "w": weight})
        result = scoring.execution_rate_score(Decimal(budget), Decimal(executed), Decimal(weight))
        expected.append(None if result is None else
                        f"{result}|{numbers.percent_text(scoring.execution_rate(Decimal(budget), Decimal(executed)))}")
    for _ in range(800):
        band = rng.choice(list(scoring.BANDS))
        weight = str(Decimal(rng.randint(1, 2000)) / 100)
        given = str(Decimal(rng.randint(0, int(Decimal(weight) * 100))) / 100)
        cases.append({"k": "l", "b": band, "s": given, "w": weight, "rules": rules})
        try:
            expected.append(format(scoring.score_qualitative(band, Decimal(given), Decimal(weight)), "f"))
        except scoring.ScoringError:
            expected.append(None)
    for _ in range(500):
        target, actual = figure(rng), figure(rng)
        cases.append({"k": "d", "t": target, "a": actual, "rules": rules})
        expected.append(scoring.deviation_reason_required(Decimal(target), Decimal(actual)))
    for _ in range(400):
        weights = [Decimal(rng.randint(1, 1200)) / 100 for _ in range(rng.randint(2, 8))]
        shares = [(w, (w * Decimal(rng.randint(0, 100)) / 100).quantize(Decimal("0.01"))) for w in weights]
        applicable = sum(weights, Decimal(0))
        items = [scoring.IndicatorScore(w, s) for w, s in shares]
        items.append(scoring.IndicatorScore(100 - applicable, None, applicable=False))
        cases.append({"k": "t", "rows": [[str(w), str(s)] for w, s in shares], "rules": rules})
        result = scoring.total(items)
        expected.append(f"{result}|{scoring.GRADE_LABELS[scoring.grade(result)]}")
    got = page.evaluate(HARNESS % (script_functions(), json.dumps(cases, ensure_ascii=False)))
    differ = [(case, want, have) for case, want, have in zip(cases, expected, got) if want != have]
    assert not differ, differ[:5]
    assert len(got) == len(cases)


# Deciding on the review page ----------------------------------------------------------------------


def test_a_pass_and_a_return_from_the_review_page(page, live_server, app):
    org, plan = factories.make_setup()
    passed = factories.make_evaluation(plan, org, "submitted", name="应急物资储备项目").id
    returned = factories.make_evaluation(plan, org, "submitted", name="安全生产宣传项目").id
    sign_in(page, org.reviewer.username)

    page.goto(f"/evaluations/{passed}/review")
    expect(page.get_by_text("请在项目页面办理")).to_have_count(0)
    decisions = page.get_by_test_id("decisions")
    decisions.locator("#comment").fill("核查无误，同意通过。")
    decisions.get_by_test_id("action-pass_review").click()
    page.wait_for_url(re.compile(rf"/evaluations/{passed}/review$"))
    expect(page.locator(".alert-success")).to_contain_text("已执行“复核通过”，当前状态：待审批")
    expect(page.get_by_test_id("decisions")).to_have_count(0)
    assert reload(passed).state == "reviewed"

    page.goto(f"/evaluations/{returned}/review")
    decisions = page.get_by_test_id("decisions")
    decisions.get_by_test_id("action-return_for_revision").click()  # no comment yet
    expect(page.locator(".alert-danger")).to_contain_text("退回时必须填写意见")
    assert reload(returned).state == "submitted"
    decisions = page.get_by_test_id("decisions")
    decisions.locator("#comment").fill("项目资金与报告不一致，请核实修改。")
    decisions.get_by_test_id("action-return_for_revision").click()
    page.wait_for_url(re.compile(rf"/evaluations/{returned}/review$"))
    expect(page.locator(".alert-success")).to_contain_text("当前状态：已退回")
    assert reload(returned).state == "returned"

    # The evaluation page's history shows the reviewer's comment, as a return from there would.
    page.goto(f"/evaluations/{returned}")
    expect(page.get_by_test_id("history")).to_contain_text("项目资金与报告不一致，请核实修改。")
