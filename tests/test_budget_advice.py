"""Results into the next budget (workflow/results/): each grade's 预算安排建议 from the plan's
settings, held back while rectifications are open; the 2021 plan copied from the seed's 2020
one shows the mine project's 优 and 优先保障 and links the new year's project to it; the
finance bureau sees the advice in the package; the office edits the settings."""
from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests import factories
from tests.conftest import post, signed_in
from tests.pdf_checks import prepared_fonts  # noqa: F401  (fixture)
from workflow.engine import actions
from workflow.errors import ServiceError
from workflow.excel.submission import submission_workbook
from workflow.extensions import db
from workflow.documents import submission_summary
from workflow.models import Plan, Project
from workflow.plans import services as plans
from workflow.results import advice, links
from workflow.submissions import services as submissions

NEXT_MINE = factories.SEED_MINE.replace("2019", "2020")


@pytest.fixture
def seed(app):
    """The seed's 2020 plan with the mine project approved (99.7, 优)."""
    org = factories.make_org()
    plan = factories.make_seed_plan(org)
    evaluation = factories.make_seed_mine(org, plan)
    factories.approve(org, evaluation)
    assert evaluation.state == "approved" and evaluation.grade == "excellent"
    return org, plan, evaluation


def reported(org, plan, evaluation):
    submission, refused = submissions.compose(plan, [evaluation.id], "2019年度第一批", "", org.office)
    assert not refused and evaluation.state == "reported"
    return submission


def rectify(org, evaluation):
    clock_day = date.today()
    return submissions.add_rectification(evaluation, "预算编制不准确，出现资金剩余", "按实际需求编制预算",
                                         org.section_a.id, clock_day.replace(year=clock_day.year + 1), org.office)


# The rule ----------------------------------------------------------------------------------


def test_each_grade_has_the_default_advice(app):
    plan = factories.make_plan()
    assert {k: str(v) for k, v in advice.mapping(plan).items()} == {
        "excellent": "优先保障", "good": "保持", "fair": "压减", "poor": "暂停或取消"}
    assert plan.score_text_decimals == 1


def test_advice_comes_with_the_fixed_result_only(app):
    org, plan = factories.make_setup()
    evaluation = factories.make_evaluation(plan, org, "self_evaluating")
    factories.fill_complete(evaluation)
    assert evaluation.grade is not None and advice.advice_of(evaluation) is None   # not approved yet
    actions.perform(evaluation.id, "submit", org.staff_a)
    assert advice.advice_of(evaluation) is None
    actions.perform(evaluation.id, "pass_review", org.reviewer)
    actions.perform(evaluation.id, "approve", org.leader)
    result = advice.advice_of(evaluation)
    assert result.grade == evaluation.grade and result.text == str(advice.mapping(plan)[evaluation.grade])
    assert not result.held and result.reason == ""


def test_the_seed_mine_project_gets_priority(seed):
    _org, _plan, evaluation = seed
    result = advice.advice_of(evaluation)
    assert (result.grade_label, result.text, str(result.score)) == ("优", "优先保障", "99.70")


def test_an_open_rectification_holds_the_advice_back(seed):
    org, plan, evaluation = seed
    reported(org, plan, evaluation)
    item = rectify(org, evaluation)
    result = advice.advice_of(evaluation)
    assert result.held and result.text == "整改完成前暂缓"
    assert "1 项问题整改未办结" in result.reason and "优先保障" in result.reason
    submissions.close_rectification(item, "已按实际需求调整预算", org.office)
    result = advice.advice_of(evaluation)
    assert not result.held and result.text == "优先保障"


def test_the_office_settings_apply_and_are_checked(seed):
    org, plan, evaluation = seed
    advice.set_settings(plan, {"excellent": "优先安排并适当增加", "good": "保持", "fair": "压减", "poor": "取消"}, 2,
                        org.office)
    assert advice.advice_of(evaluation).text == "优先安排并适当增加" and plan.score_text_decimals == 2
    for values, decimals in (({"excellent": " ", "good": "保持", "fair": "压减", "poor": "取消"}, 1),
                             ({"excellent": "优" * 33, "good": "保持", "fair": "压减", "poor": "取消"}, 1),
                             ({"excellent": "a\nb", "good": "保持", "fair": "压减", "poor": "取消"}, 1),
                             ({"excellent": "x", "good": "保持", "fair": "压减", "poor": "取消"}, 3)):
        with pytest.raises(ServiceError):
            advice.set_settings(plan, values, decimals, org.office)
    with pytest.raises(ServiceError) as refused:
        advice.set_settings(plan, {"excellent": "x", "good": "x", "fair": "x", "poor": "x"}, 1, org.leader)
    assert refused.value.code == "forbidden"
    db.session.expire_all()
    assert plan.budget_advice["excellent"] == "优先安排并适当增加" and plan.score_text_decimals == 2


# Into the next year's plan -------------------------------------------------------------------


def test_advice_for_2021_from_2020s_grades(seed):
    org, plan, evaluation = seed
    plan.score_text_decimals = 2
    plan.budget_advice = {"poor": "取消"}
    next_plan = plans.copy_plan(plan)
    assert (next_plan.run_year, next_plan.budget_year, next_plan.previous_plan_id) == (2021, 2020, plan.id)
    assert next_plan.score_text_decimals == 2 and next_plan.budget_advice == {"poor": "取消"}
    earlier, rows = links.previous_results(next_plan)
    assert earlier.id == plan.id
    [row] = rows
    assert row.project.name == factories.SEED_MINE
    assert (row.advice.grade_label, row.advice.text) == ("优", "优先保障")
    # The new year's project of the same section, its name a year on, is linked to it.
    project = factories.make_project(next_plan, NEXT_MINE, org.section_a, org.office)
    assert project.previous_project_id == evaluation.project_id
    last = links.last_results([project])[project.id]
    assert (last.project.id, last.advice.text, str(last.advice.score)) == (evaluation.project_id, "优先保障", "99.70")
    # Another section's project of that name, or another name, is not.
    other = factories.make_project(next_plan, "应急物资储备项目", org.section_a, org.office)
    assert other.previous_project_id is None


def test_a_project_is_linked_only_within_its_section(seed):
    org, plan, _evaluation = seed
    earlier = factories.make_project(plan, "安全生产执法检查", org.section_a, org.office)
    next_plan = plans.copy_plan(plan)
    assert factories.make_project(next_plan, "安全生产执法检查", org.section_b, org.office).previous_project_id is None
    other_plan = plans.copy_plan(plan, run_year=2022)   # a plan copied from it too: linked by its own rule
    assert factories.make_project(other_plan, "安全生产执法检查", org.section_a, org.office).previous_project_id \
        == earlier.id


def test_the_next_plans_pages_show_last_years_result(app, seed):
    org, plan, evaluation = seed
    next_plan = plans.copy_plan(plan)
    page = signed_in(app, org.office).get(f"/plans/{next_plan.id}").get_data(as_text=True)
    assert 'data-testid="previous-results"' in page and factories.SEED_MINE.split("“")[0] in page
    assert "优先保障" in page and "99.70" in page
    project = factories.make_project(next_plan, NEXT_MINE, org.section_a, org.office)
    office = signed_in(app, org.office)
    page = office.get(f"/plans/{next_plan.id}").get_data(as_text=True)
    assert 'data-testid="last-result">99.70 优 · 优先保障' in page
    evaluation_page = office.get(f"/evaluations/{project.evaluation.id}").get_data(as_text=True)
    assert 'data-testid="last-result"' in evaluation_page and "优先保障" in evaluation_page
    results_page = office.get(f"/plans/{next_plan.id}/results")
    assert results_page.status_code == 200 and "99.70 优 · 优先保障" in results_page.get_data(as_text=True)


def test_the_office_chooses_last_years_project(app, seed):
    org, plan, evaluation = seed
    next_plan = plans.copy_plan(plan)
    project = factories.make_project(next_plan, "矿山隐患排查（续）", org.section_a, org.office)
    assert project.previous_project_id is None
    office = signed_in(app, org.office)
    url = f"/plans/projects/{project.id}/previous"
    assert post(office, url, {"previous_project_id": "abc"}).status_code == 422
    stranger = factories.make_project(next_plan, "另一个项目", org.section_b, org.office)
    response = post(office, url, {"previous_project_id": str(stranger.id)})   # not of the previous plan
    assert response.status_code == 422 and "请选择上一年度方案中的项目" in response.get_data(as_text=True)
    assert post(signed_in(app, org.leader), url, {"previous_project_id": str(evaluation.project_id)}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Project, project.id).previous_project_id is None
    response = post(office, url, {"previous_project_id": str(evaluation.project_id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Project, project.id).previous_project_id == evaluation.project_id
    assert post(office, url, {"previous_project_id": ""}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Project, project.id).previous_project_id is None


# The finance bureau's package ----------------------------------------------------------------


def test_the_finance_bureau_sees_the_advice(app, seed):
    org, plan, evaluation = seed
    submission = reported(org, plan, evaluation)
    page = signed_in(app, org.finance).get(f"/submissions/{submission.id}")
    assert page.status_code == 200 and 'data-testid="advice">优先保障<' in page.get_data(as_text=True)
    rows = submissions.rows_of(submission)
    data = submission_summary.summary_data(submission, rows)
    assert [row["advice"] for row in data["rows"]] == ["优先保障"]
    sheet = load_workbook(BytesIO(submission_workbook(submission, rows, submissions.totals(rows)))).active
    assert sheet.cell(3, 9).value == "预算安排建议" and sheet.cell(4, 9).value == "优先保障"
    # A rectification registered after the report holds it back in what the bureau reads.
    rectify(org, evaluation)
    page = signed_in(app, org.finance).get(f"/submissions/{submission.id}").get_data(as_text=True)
    assert 'data-testid="advice">整改完成前暂缓<' in page
    assert [row["advice"] for row in submission_summary.summary_data(submission)["rows"]] == ["整改完成前暂缓"]


# The office's settings page ------------------------------------------------------------------


def test_the_office_edits_the_mapping(app, seed):
    org, plan, _evaluation = seed
    office = signed_in(app, org.office)
    url = f"/plans/{plan.id}/results/settings"
    good = {"excellent": "优先保障", "good": "保持", "fair": "适当压减", "poor": "暂停", "score_text_decimals": "1"}
    response = post(office, url, {**good, "fair": ""})
    assert response.status_code == 422 and "此项为必填项" in response.get_data(as_text=True)
    response = post(office, url, {**good, "score_text_decimals": "7"})
    assert response.status_code == 422 and "报告中得分的小数位数应在 0 到 2 之间" in response.get_data(as_text=True)
    response = post(office, url, {**good, "poor": "暂停\n取消"})
    assert response.status_code == 422 and "不能换行" in response.get_data(as_text=True)
    assert post(signed_in(app, org.leader), url, good).status_code == 403
    assert post(signed_in(app, org.staff_a), url, good).status_code == 403
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).budget_advice is None
    assert post(office, url, good).status_code == 302
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).budget_advice["fair"] == "适当压减"
    page = office.get(f"/plans/{plan.id}/results").get_data(as_text=True)
    assert 'value="适当压减"' in page and "优先保障" in page


def test_the_package_the_bureau_downloads_carries_the_advice(app, seed, prepared_fonts):  # noqa: F811
    import zipfile

    from tests.pdf_checks import squeeze, text_of

    org, plan, evaluation = seed
    submission = reported(org, plan, evaluation)
    response = signed_in(app, org.finance).get(f"/submissions/{submission.id}/package.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(BytesIO(response.data))
    [xlsx] = [n for n in archive.namelist() if n.endswith(".xlsx")]
    sheet = load_workbook(BytesIO(archive.read(xlsx))).active
    assert sheet.cell(4, 9).value == "优先保障"
    [summary] = [n for n in archive.namelist() if n.endswith(".pdf") and "/" not in n]
    text = squeeze(text_of(archive.read(summary)))
    assert squeeze("预算安排建议") in text and "优先保障" in text


def test_the_demo_keeps_the_seeds_settings_and_gives_its_approved_project_advice(app):
    from sqlalchemy import select

    from workflow import demo
    from workflow.review import checks

    demo.load_demo()
    plan = db.session.scalar(select(Plan).where(Plan.title == demo.PLAN_TITLE))
    assert plan.score_text_decimals == 1 and plan.budget_advice["excellent"] == "优先保障"
    by_name = {p.name: p.evaluation for p in plans.projects_of(plan)}
    approved = by_name["危险化学品重大危险源监测预警项目"]
    assert approved.state == "approved" and advice.advice_of(approved).text == str(advice.mapping(plan)[approved.grade])
    mine = by_name[factories.SEED_MINE]
    assert advice.advice_of(mine) is None   # 待复核: no fixed result yet
    assert not [f for f in checks.evaluation_findings(mine) if f.code.startswith(("text_score", "text_grade",
                                                                                  "text_rate", "text_count"))]
