"""The review's consistency checks (项目数量的完整性、项目资金的准确性), each on a tiny
evaluation of its own: execution above budget, parts not adding up, a stated execution rate
that differs from the computed one, amounts in the narrative, planned against actual
quantities; explanations; the plan-wide list of projects not yet submitted; and that no
finding ever blocks a decision."""
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.conftest import login, post
from workflow.engine import actions
from workflow.errors import ServiceError
from workflow.extensions import db as _db
from workflow.models import Evaluation, FindingNote, NarrativeSection
from workflow.review import checks
from workflow.selfeval import content
from workflow.selfeval.framework import EXECUTION_RATE

D = Decimal


@pytest.fixture
def world(app):
    org, plan = factories.make_setup()
    return org, plan


@pytest.fixture
def evaluation(world):
    """An empty evaluation of the plan (the 单位自评 framework) in 自评中."""
    org, plan = world
    project = factories.make_project(plan, "应急物资储备项目", org.section_a, org.office)
    return factories.walk_to(project.evaluation, "self_evaluating", org)


def reload(evaluation):
    _db.session.commit()
    _db.session.expire_all()
    return _db.session.get(Evaluation, evaluation.id)


def set_funding(evaluation, kind, annual_budget=None, executed=None, initial_budget=None):
    row = content.funding(evaluation)[kind]
    row.annual_budget = None if annual_budget is None else D(annual_budget)
    row.executed = None if executed is None else D(executed)
    row.initial_budget = None if initial_budget is None else D(initial_budget)


def write(evaluation, key, text):
    sections = {s.key: s for s in evaluation.narrative}
    if key in sections:
        sections[key].text = text
    else:
        evaluation.narrative.append(NarrativeSection(key=key, text=text))


def indicator(evaluation, level2=None, kind=None):
    return next(i for i in evaluation.indicators
                if (level2 is None or i.level2 == level2) and (kind is None or i.kind == kind))


def findings(evaluation):
    return checks.evaluation_findings(reload(evaluation))


def codes(evaluation):
    return [f.code for f in findings(evaluation)]


def test_an_empty_evaluation_has_no_findings(evaluation):
    assert codes(evaluation) == []


# 全年执行数 within 全年预算数, per row --------------------------------------------------------


@pytest.mark.parametrize("kind", ["total", "current_year", "carry_over", "other"])
def test_execution_above_budget_is_flagged_on_its_own_row(evaluation, kind):
    set_funding(evaluation, kind, "100", "120")
    result = findings(evaluation)
    assert [f.code for f in result] == [f"over_budget:{kind}"]
    assert result[0].kind == "accuracy"
    message = result[0].message
    assert str(content.FUNDING_LABELS[kind]) in message
    assert "120 万元" in message and "100 万元" in message  # written as entered, not 120.0000


def test_execution_equal_to_or_below_budget_is_not_flagged(evaluation):
    set_funding(evaluation, "total", "100", "99.9999")
    set_funding(evaluation, "current_year", "100", "99.9999")
    set_funding(evaluation, "other", "0", "0")
    assert codes(evaluation) == []


def test_each_row_over_budget_gets_its_own_finding(evaluation):
    set_funding(evaluation, "total", "100", "110")
    set_funding(evaluation, "current_year", "60", "70")
    set_funding(evaluation, "carry_over", "40", "40")
    assert sorted(codes(evaluation)) == ["over_budget:current_year", "over_budget:total"]


# The parts add up to the total, per column ------------------------------------------------


def test_parts_not_adding_up_are_flagged_per_column(evaluation):
    set_funding(evaluation, "total", annual_budget="100", executed="80", initial_budget="90")
    set_funding(evaluation, "current_year", annual_budget="60", executed="50", initial_budget="60")
    set_funding(evaluation, "carry_over", annual_budget="30", executed="30", initial_budget="30")
    result = findings(evaluation)
    # 全年预算数: 60 + 30 = 90 ≠ 100; 全年执行数: 80 = 80; 年初预算数: 90 = 90.
    assert [f.code for f in result] == ["parts:annual_budget"]
    assert "全年预算数" in result[0].message
    assert "90 万元" in result[0].message and "100 万元" in result[0].message


def test_every_column_that_does_not_add_up_is_flagged(evaluation):
    set_funding(evaluation, "total", annual_budget="100", executed="80", initial_budget="100")
    set_funding(evaluation, "current_year", annual_budget="50", executed="40", initial_budget="70")
    set_funding(evaluation, "other", annual_budget="40", executed="40", initial_budget="20")
    assert sorted(codes(evaluation)) == ["parts:annual_budget", "parts:initial_budget"]


def test_parts_that_add_up_exactly_are_not_flagged(evaluation):
    set_funding(evaluation, "total", "206.632", "172.743")
    set_funding(evaluation, "current_year", "200.0001", "170")
    set_funding(evaluation, "carry_over", "6.6319", "2.743")
    assert codes(evaluation) == []


def test_a_total_without_parts_is_not_a_parts_finding(evaluation):
    set_funding(evaluation, "total", "100", "80")
    assert codes(evaluation) == []


# The stated execution rate ----------------------------------------------------------------


@pytest.mark.parametrize("stated,flagged", [
    ("80", False), ("80.00", False), ("80.01", False), ("79.99", False),  # within 0.01 points
    ("80.02", True), ("79.98", True), ("83.6", True), ("100", True),
])
def test_stated_execution_rate_against_the_computed_one(evaluation, stated, flagged):
    set_funding(evaluation, "total", "150", "120")  # 80.00 %
    indicator(evaluation, kind=EXECUTION_RATE).actual = D(stated)
    result = findings(evaluation)
    assert ([f.code for f in result] == ["execution_rate"]) is flagged
    if flagged:
        assert f"{D(stated).normalize():f}%" in result[0].message and "80.00%" in result[0].message


def test_stated_rate_of_the_seed_rounds_to_two_places(evaluation):
    set_funding(evaluation, "total", "206.632", "172.743")  # 83.5997… %
    rate = indicator(evaluation, kind=EXECUTION_RATE)
    rate.actual = D("83.60")
    assert codes(evaluation) == []
    rate.actual = D("83.62")
    assert codes(evaluation) == ["execution_rate"]


def test_no_rate_finding_without_budget_figures(evaluation):
    indicator(evaluation, kind=EXECUTION_RATE).actual = D("50")
    assert codes(evaluation) == []


# Amounts in the narrative -----------------------------------------------------------------


def text_findings(evaluation, text, key="overview"):
    set_funding(evaluation, "total", "206.632", "172.743")
    set_funding(evaluation, "current_year", "206.632", "172.743")
    write(evaluation, key, text)
    return [f for f in findings(evaluation) if f.code.startswith("text_amount:")]


@pytest.mark.parametrize("text", [
    "支出排查服务费172.743万元。",
    "剩余资金206.632万元。",
    "投入约172.7万元。",  # rounded to the precision the text uses
    "投入172.74万元。",
    "投入约173万元。",
    "剩余资金206.6万元。",
    "支出1727430元。",  # 元 converted to 万元
    "支出1,727,430元。",  # thousands separators
    "支出 1,727,430.00 元。",
    "资金2,066,320元。",
    "共172.743万，全部到位。",  # 万 alone
    "培训2万人次，发放3万册。",  # counts of people and books, not money
])
def test_amounts_in_the_text_that_match_a_structured_amount(evaluation, text):
    assert text_findings(evaluation, text) == []


@pytest.mark.parametrize("text,code,written", [
    ("剩余资金206.4万元。", "text_amount:206.4", "206.4万元"),
    ("支出172.75万元。", "text_amount:172.75", "172.75万元"),
    ("支出172.7431万元。", "text_amount:172.7431", "172.7431万元"),  # more precise than known
    ("支出1,234,567元。", "text_amount:123.4567", "1,234,567元"),
    ("支出1727431元。", "text_amount:172.7431", "1727431元"),
    ("资金 500 万元。", "text_amount:500", "500 万元"),  # a plain code, not 5E+2
])
def test_amounts_in_the_text_that_match_nothing(evaluation, text, code, written):
    result = text_findings(evaluation, text)
    assert [f.code for f in result] == [code]
    assert f"“{written}”" in result[0].message


def test_the_same_wrong_amount_is_reported_once(evaluation):
    result = text_findings(evaluation, "剩余资金206.4万元，另有206.40万元。")
    assert [f.code for f in result] == ["text_amount:206.4"]


def test_amounts_are_read_from_every_text(evaluation):
    evaluation.project.overall_target = "使用资金100万元。"
    evaluation.overall_achievement = "实际使用90万元。"
    result = text_findings(evaluation, "结论：206.4万元。", key="conclusion")
    assert sorted(f.code for f in result) == ["text_amount:100", "text_amount:206.4", "text_amount:90"]


def test_amounts_stated_by_an_indicator_in_yuan_or_wan_count_as_structured(evaluation):
    cost = indicator(evaluation, level2="成本指标")
    cost.unit, cost.target, cost.actual = "元", D("7217"), D("6828")  # per mine
    assert text_findings(evaluation, "每座矿山排查成本0.6828万元。") == []
    assert text_findings(evaluation, "每座矿山排查成本约0.7万元。") == []  # 0.6828 written short
    assert [f.code for f in text_findings(evaluation, "每座矿山排查成本0.8万元。")] == ["text_amount:0.8"]


def test_numbers_without_a_money_unit_are_not_amounts(evaluation):
    assert text_findings(evaluation, "2019年排查矿山253座，整治隐患3099条，执行率83.6%。") == []


# Planned against actual quantities --------------------------------------------------------


def test_quantity_below_plan_without_a_reason_is_flagged(evaluation):
    quantity = indicator(evaluation, level2="数量指标")
    quantity.name, quantity.unit, quantity.target, quantity.actual = "排查矿山数量", "座", D("286"), D("253")
    result = findings(evaluation)
    assert [f.code for f in result] == [f"quantity:{quantity.id}"]
    assert result[0].kind == "completeness"
    assert "排查矿山数量" in result[0].message and "计划 286座" in result[0].message and "实际 253座" in result[0].message


def test_quantity_with_a_reason_is_not_flagged(evaluation):
    quantity = indicator(evaluation, level2="数量指标")
    quantity.target, quantity.actual = D("286"), D("253")
    quantity.deviation_reason = "部分矿山停产，实际排查253座。"
    assert codes(evaluation) == []


def test_quantity_as_planned_or_not_applicable_is_not_flagged(evaluation):
    quantity = indicator(evaluation, level2="数量指标")
    quantity.target, quantity.actual = D("286"), D("286.0")
    assert codes(evaluation) == []
    quantity.actual, quantity.applicable = D("253"), False
    assert codes(evaluation) == []


def test_other_indicators_are_not_quantity_findings(evaluation):
    quality = indicator(evaluation, level2="质量指标")
    quality.target, quality.actual = D("100"), D("90")
    assert codes(evaluation) == []


def test_the_key_frameworks_output_quantity_is_checked_too(world):
    from workflow import demo_content

    org, plan = world
    demo_content.adjust_plan_framework(plan)
    evaluation = factories.make_project(plan, "矿山隐患排查", org.section_a, org.office).evaluation
    quantity = indicator(evaluation, level2="产出数量")
    quantity.target, quantity.actual = D("100"), D("88.46")
    assert codes(evaluation) == [f"quantity:{quantity.id}"]


# Explanations -----------------------------------------------------------------------------


def submitted_with_findings(world, name="应急物资储备项目"):
    """A submitted evaluation with two findings: 206.4万元 in the text and a quantity."""
    org, plan = world
    evaluation = factories.make_project(plan, name, org.section_a, org.office).evaluation
    factories.walk_to(evaluation, "self_evaluating", org)
    factories.fill_complete(evaluation)
    write(evaluation, "overview", "利用剩余资金206.4万元开展排查。")
    indicator(evaluation, level2="数量指标").actual = D("90")
    _db.session.commit()
    actions.perform(evaluation.id, "submit", org.staff_a)
    return reload(evaluation)


def test_explaining_a_finding_keeps_it_listed_and_marked(world):
    org, _plan = world
    evaluation = submitted_with_findings(world)
    quantity_code = f"quantity:{indicator(evaluation, level2='数量指标').id}"
    assert sorted(codes(evaluation)) == sorted(["text_amount:206.4", quantity_code])

    checks.explain(evaluation, "text_amount:206.4", "  报告中为计划数，实际以206.632万元为准。 ", org.reviewer)
    result = {f.code: f for f in findings(evaluation)}
    assert set(result) == {"text_amount:206.4", quantity_code}
    assert result["text_amount:206.4"].explained is True
    assert result["text_amount:206.4"].note == "报告中为计划数，实际以206.632万元为准。"
    assert result[quantity_code].explained is False
    note = _db.session.scalar(select(FindingNote))
    assert (note.evaluation_id, note.code, note.author_id) == (evaluation.id, "text_amount:206.4", org.reviewer.id)

    # Explained again: the note is replaced, not duplicated.
    checks.explain(reload(evaluation), "text_amount:206.4", "以资金来源为准。", org.reviewer2)
    assert _db.session.scalar(select(func.count()).select_from(FindingNote)) == 1
    note = _db.session.scalar(select(FindingNote))
    assert (note.note, note.author_id) == ("以资金来源为准。", org.reviewer2.id)


@pytest.mark.parametrize("code,note,message", [
    ("text_amount:206.4", "", "请填写说明。"),
    ("text_amount:206.4", "   ", "请填写说明。"),
    ("text_amount:206.4", "说" * 2001, "说明不能超过 2000 个字。"),
    ("text_amount:999", "说明", "该核查结果已不存在，请刷新页面。"),
    ("over_budget:total", "说明", "该核查结果已不存在，请刷新页面。"),
])
def test_explanations_refused(world, code, note, message):
    org, _plan = world
    evaluation = submitted_with_findings(world)
    with pytest.raises(ServiceError) as refused:
        checks.explain(evaluation, code, note, org.reviewer)
    assert refused.value.message == message
    assert _db.session.scalar(select(func.count()).select_from(FindingNote)) == 0


def test_a_note_of_exactly_2000_characters_is_accepted(world):
    org, _plan = world
    evaluation = submitted_with_findings(world)
    checks.explain(evaluation, "text_amount:206.4", "说" * 2000, org.reviewer)
    assert [f.explained for f in findings(evaluation) if f.code == "text_amount:206.4"] == [True]


def test_only_who_may_comment_may_explain(world):
    """The submitter (even holding the reviewer role), a reviewer outside the working group,
    and anyone once the review is over may not mark findings as explained."""
    org, plan = world
    evaluation = submitted_with_findings(world)
    for who in (org.staff_a, org.outsider, org.office):
        with pytest.raises(ServiceError) as refused:
            checks.explain(reload(evaluation), "text_amount:206.4", "说明", who)
        assert refused.value.message == "当前不能对该评价提出复核意见。"
    assert _db.session.scalar(select(func.count()).select_from(FindingNote)) == 0


def test_explaining_through_the_review_page(app, world):
    org, _plan = world
    evaluation = submitted_with_findings(world)
    client = app.test_client()
    login(client, org.reviewer.username)
    page = post(client, f"/evaluations/{evaluation.id}/review",
                {"action": "explain", "code": "text_amount:206.4", "note": "报告中为计划数。"}, follow_redirects=True)
    html = page.get_data(as_text=True)
    assert "已记录说明。" in html
    assert "已说明：报告中为计划数。" in html
    refused = post(client, f"/evaluations/{evaluation.id}/review",
                   {"action": "explain", "code": "text_amount:206.4", "note": ""}, follow_redirects=True)
    assert "请填写说明。" in refused.get_data(as_text=True)
    assert _db.session.scalar(select(FindingNote.note)) == "报告中为计划数。"


# The plan's completeness: projects not yet submitted ---------------------------------------


def test_plan_findings_list_projects_not_yet_submitted(world):
    org, plan = world
    states = {"甲项目": "preparing", "乙项目": "self_evaluating", "丙项目": "returned", "丁项目": "submitted",
              "戊项目": "reviewed", "己项目": "approved"}
    projects = {}
    for name, state in states.items():
        project = factories.make_project(plan, name, org.section_b if name == "乙项目" else org.section_a, org.office)
        factories.walk_to(project.evaluation, state, org)
        projects[name] = project
    other_plan = factories.make_plan(title="另一方案", run_year=2021, budget_year=2020)
    factories.make_project(other_plan, "别的方案的项目", org.section_a, org.office)

    result = checks.plan_findings(plan)
    listed = sorted(result, key=lambda f: f.code)
    expected = sorted(("甲项目", "乙项目", "丙项目"), key=lambda n: f"not_submitted:{projects[n].id}")
    assert [f.code for f in listed] == [f"not_submitted:{projects[n].id}" for n in expected]
    assert all(f.kind == "completeness" for f in result)
    messages = " ".join(f.message for f in result)
    assert "“乙项目”（危险化学品安全监督管理科）尚未提交自评。" in messages
    assert "丁项目" not in messages and "别的方案的项目" not in messages


def test_plan_findings_empty_when_everything_is_submitted(world):
    org, plan = world
    factories.make_evaluation(plan, org, "submitted")
    assert checks.plan_findings(plan) == []


def test_the_queue_page_shows_the_plans_missing_projects(app, world):
    org, plan = world
    factories.make_evaluation(plan, org, "self_evaluating", name="未提交的项目")
    client = app.test_client()
    login(client, org.reviewer.username)
    html = client.get("/evaluations/review").get_data(as_text=True)
    assert "“未提交的项目”（非煤矿山安全监督管理科）尚未提交自评。" in html


# A check never blocks -----------------------------------------------------------------------


def test_findings_never_block_review_or_approval(world):
    org, _plan = world
    evaluation = submitted_with_findings(world)
    set_funding(evaluation, "total", "206.632", "210")  # executed above budget
    set_funding(evaluation, "current_year", "206.632", "210")
    indicator(evaluation, kind=EXECUTION_RATE).actual = D("50")
    before = codes(evaluation)
    assert {"over_budget:total", "execution_rate", "text_amount:206.4"} <= set(before)
    assert not any(f.explained for f in findings(evaluation))

    actions.perform(evaluation.id, "pass_review", org.reviewer)
    actions.perform(evaluation.id, "approve", org.leader)
    evaluation = reload(evaluation)
    assert evaluation.state == "approved"
    assert codes(evaluation) == before  # still listed, for the record
