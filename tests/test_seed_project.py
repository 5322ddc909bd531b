"""The seed's mine project (2019年度金属非金属矿山“专家会诊”隐患排查项目) typed into the
self-evaluation form by its section, as a person would: under the plan's 重点评价 framework
adjusted by the office (预算执行率 1 point, 资金使用合规性 7), the figures of the seed report
give 172.743 ÷ 206.632 = 83.60 %, 0.84 of 1 point for the execution rate, and 99.70 分 / 优 —
the seed's own result. Submitted, the consistency check points at the report's 206.4万元 (the
seed's text says 206.4 in one place and 206.632 in another) and at nothing else."""
import re
from decimal import Decimal

import pytest

from tests import factories
from tests.conftest import login, post
from workflow import demo_content, scoring
from workflow.engine import actions
from workflow.extensions import db as _db
from workflow.models import Evaluation
from workflow.review import checks
from workflow.selfeval import services as selfeval
from workflow.selfeval.framework import EXECUTION_RATE

BUDGET = "206.632"
EXECUTED = "172.743"
LEADER = "王建华"
TARGET = "对全市286个金属非金属矿山系统进行隐患排查，整治事故隐患，提升安全生产条件，遏制较大以上事故发生。"
ACHIEVEMENT = "实际排查在产金属非金属矿山253座，排查整治隐患3099条，年度未发生较大及以上事故。"

ORIGINAL_NAMES = {new: old for old, new in demo_content.MINE_NAMES.items()}
NAME_RE = re.compile(r'name="([^"]+)"')
VERSION_RE = re.compile(r'name="version" value="(\d+)"')


def page_text(response):
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def rendered_names(html):
    return set(NAME_RE.findall(html))


@pytest.fixture
def seed(app):
    """The office's adjusted plan and the mine project, opened for self-evaluation."""
    org, plan = factories.make_setup()
    demo_content.adjust_plan_framework(plan)
    project = factories.make_project(plan, "2019年度金属非金属矿山“专家会诊”隐患排查项目", org.section_a, org.office)
    factories.walk_to(project.evaluation, "self_evaluating", org)
    return org, plan, project.evaluation.id


def form_fields(evaluation):
    """The form fields of the seed's figures, named as the page names them. The 预算执行率 is
    computed from the budget block: the form has no field for it."""
    fields = {"leader_name": LEADER, "overall_target": TARGET, "overall_achievement": ACHIEVEMENT}
    for kind in ("total", "current_year"):
        for column in ("initial_budget", "annual_budget"):
            fields[f"funding-{kind}-{column}"] = BUDGET
        fields[f"funding-{kind}-executed"] = EXECUTED
    for ind in evaluation.indicators:
        p = f"ind-{ind.id}-"
        if ind.kind == EXECUTION_RATE:
            continue
        seed_name = ORIGINAL_NAMES.get(ind.name, ind.name)
        nature, unit, target, actual, band = demo_content.MINE_INDICATORS[seed_name]
        fields[p + "nature"] = nature
        fields[p + "unit"] = unit
        fields[p + "target"] = target
        fields[p + "actual"] = actual
        if seed_name in demo_content.MINE_NAMES:
            fields[p + "name"] = demo_content.MINE_NAMES[seed_name]
        if band is not None:
            fields[p + "band"], fields[p + "score"] = band
    for key, text in demo_content.MINE_TEXT.items():
        fields[f"text-{key}"] = text
    return fields


def enter_through_form(client, evaluation_id):
    """One save, as on the page: the first load has every field, the 定性 rows' bands and
    scores included. Every field posted is one the page renders."""
    url = f"/evaluations/{evaluation_id}/form"
    evaluation = _db.session.get(Evaluation, evaluation_id)
    fields = form_fields(evaluation)
    html = page_text(client.get(url))
    assert set(fields) <= rendered_names(html), set(fields) - rendered_names(html)
    fields["version"] = VERSION_RE.search(html).group(1)
    response = post(client, url, fields)
    assert response.status_code == 302, page_text(response)
    _db.session.expire_all()
    return _db.session.get(Evaluation, evaluation_id)


def test_the_adjusted_framework_is_the_seeds(seed):
    _org, plan, _evaluation_id = seed
    weights = {row.name: row.weight for row in plan.indicators}
    assert weights["预算执行率"] == Decimal("1") and weights["资金使用合规性"] == Decimal("7")
    assert sum(weights.values(), Decimal(0)) == Decimal("100")
    assert set(weights) == set(demo_content.MINE_INDICATORS) | {"预算执行率"}


def test_seed_figures_entered_through_the_form_score_99_70_excellent(client, seed):
    org, _plan, evaluation_id = seed
    login(client, org.staff_a2.username)  # 王建华, 非煤矿山安全监督管理科
    evaluation = enter_through_form(client, evaluation_id)

    rows = {row.kind: row for row in evaluation.funding_rows}
    assert rows["total"].annual_budget == Decimal(BUDGET) and rows["total"].executed == Decimal(EXECUTED)
    assert rows["current_year"].annual_budget == Decimal(BUDGET)
    rate = scoring.execution_rate(rows["total"].annual_budget, rows["total"].executed)
    assert (rate * 100).quantize(Decimal("0.01")) == Decimal("83.60")

    by_name = {ind.name or ind.level2: ind for ind in evaluation.indicators}
    execution = next(ind for ind in evaluation.indicators if ind.kind == EXECUTION_RATE)
    assert execution.weight == Decimal("1")
    assert execution.score == Decimal("0.84")
    assert by_name["预算编制科学性"].score == Decimal("2.86")
    assert by_name["单座矿山排查成本"].score == by_name["单座矿山排查成本"].weight  # 0.6828 ≤ 0.7217
    assert by_name["排查整治事故隐患数量"].actual == Decimal("3099")
    lost = sum((ind.weight - ind.score for ind in evaluation.indicators), Decimal(0))
    assert lost == Decimal("0.30")  # (3 − 2.86) + (1 − 0.84)

    assert evaluation.total_score == Decimal("99.70")
    assert format(evaluation.total_score, "f") == "99.70"
    assert evaluation.grade == "excellent"
    assert evaluation.project.leader_name == LEADER

    html = page_text(client.get(f"/evaluations/{evaluation_id}/form"))
    total = re.search(r'data-testid="total">(.*?)</div>', html, re.S).group(1)
    assert "99.70" in total
    assert re.search(r'data-testid="grade">\s*优\s*<', total)
    assert "83.60%" in html
    assert 'data-testid="problems"' not in html  # nothing left to fill in
    detail = page_text(client.get(f"/evaluations/{evaluation_id}"))
    assert re.search(r'data-testid="score">99\.70<', detail)


def test_form_and_demo_fill_agree_on_every_score(client, seed):
    """The demo's fill_mine_project (written straight to the rows) and the form give the same
    sheet: the same score on every indicator."""
    org, plan, evaluation_id = seed
    login(client, org.staff_a2.username)
    typed = enter_through_form(client, evaluation_id)
    other = factories.make_project(plan, "对照项目", org.section_a, org.office).evaluation
    factories.walk_to(other, "self_evaluating", org)
    demo_content.fill_mine_project(other)
    assert [(i.name, i.score) for i in typed.indicators] == [(i.name, i.score) for i in other.indicators]
    assert (other.total_score, other.grade) == (typed.total_score, typed.grade)


def test_seed_project_submits_and_the_check_flags_only_206_4(app, client, seed):
    org, _plan, evaluation_id = seed
    login(client, org.staff_a2.username)
    evaluation = enter_through_form(client, evaluation_id)
    assert selfeval.completeness_problems(evaluation) == []

    actions.perform(evaluation_id, "submit", org.staff_a2)
    _db.session.expire_all()
    evaluation = _db.session.get(Evaluation, evaluation_id)
    assert evaluation.state == "submitted"
    assert evaluation.total_score == Decimal("99.70")

    findings = checks.evaluation_findings(evaluation)
    assert [f.code for f in findings] == ["text_amount:206.4"]
    assert "206.4万元" in findings[0].message
    assert findings[0].kind == "accuracy" and not findings[0].explained
    messages = " ".join(f.message for f in findings)
    assert "172.743" not in messages and "206.632" not in messages
    # Both amounts are in the report's text, so it is the matching that lets them pass.
    texts = " ".join(s.text for s in evaluation.narrative)
    assert "172.743万元" in texts and "206.632万元" in texts

    # The reviewer sees the same on the review page.
    reviewer = app.test_client()
    login(reviewer, org.reviewer.username)
    html = page_text(reviewer.get(f"/evaluations/{evaluation_id}/review"))
    assert 'data-code="text_amount:206.4"' in html
    assert html.count("data-code=") == 1
