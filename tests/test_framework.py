"""The plan's indicator framework, the indicator library and project editing."""
from decimal import Decimal

import pytest

from tests import factories
from tests.conftest import login, post
from workflow.engine import board
from workflow.errors import ServiceError
from workflow.extensions import db
from workflow.models import AuditRecord, Indicator, Task
from workflow.plans import services as plans
from workflow.selfeval import framework


def weights(plan):
    return [row.weight for row in plan.indicators]


def test_a_new_plan_starts_from_the_self_evaluation_template_and_the_seed_outline(app):
    plan = factories.make_plan()
    assert plan.framework == "self"
    assert sum(weights(plan)) == Decimal(100)
    assert [row.level1 for row in plan.indicators][:2] == ["预算执行率", "产出指标"]
    assert plan.indicators[0].kind == framework.EXECUTION_RATE
    assert [s.key for s in plan.report_sections][:3] == ["preamble", "overview", "goals"]
    assert [(s.chapter, s.title) for s in plan.report_sections][1:3] == [("基本情况", "项目概况"), ("基本情况", "项目绩效目标")]


def test_switching_to_the_key_evaluation_template(app):
    plan = factories.make_plan()
    framework.reset_to_template(plan, "key")
    assert plan.framework == "key"
    assert {row.level1 for row in plan.indicators} == {"决策", "过程", "产出", "效益"}
    assert sum(weights(plan)) == Decimal(100)
    assert [row.kind for row in plan.indicators if row.name == "预算执行率"] == [framework.EXECUTION_RATE]
    with pytest.raises(ServiceError):
        framework.reset_to_template(plan, "nonsense")


@pytest.mark.parametrize("rows, message", [
    ([{"level1": "产出", "level2": "", "name": "a", "weight": "60"},
      {"level1": "效益", "level2": "", "name": "b", "weight": "30"}], "合计应为 100"),
    ([{"level1": "", "level2": "", "name": "a", "weight": "100"}], "一级指标不能为空"),
    ([{"level1": "产出", "level2": "", "name": "a", "weight": "abc"}], "分值应为数字"),
    ([{"level1": "产出", "level2": "", "name": "a", "weight": "-100"}], "大于 0"),
    ([{"level1": "产出", "level2": "", "name": "a", "weight": "99.999"},
      {"level1": "产出", "level2": "", "name": "b", "weight": "0.001"}], "最多两位小数"),
    ([], "至少需要一项指标"),
])
def test_adjusting_the_framework_refuses_bad_rows_and_changes_nothing(app, rows, message):
    plan = factories.make_plan()
    before = [(r.level1, r.name, r.weight) for r in plan.indicators]
    with pytest.raises(ServiceError) as refused:
        framework.update_indicators(plan, rows)
    assert message in refused.value.message
    db.session.rollback()
    db.session.expire_all()
    assert [(r.level1, r.name, r.weight) for r in plan.indicators] == before


def test_unstarted_evaluations_follow_the_framework_but_started_ones_keep_their_work(app):
    org, plan = factories.make_setup()
    untouched = factories.make_project(plan, "未填报项目", org.section_a, org.office).evaluation
    started = factories.make_project(plan, "已填报项目", org.section_b, org.office).evaluation
    row = next(i for i in started.indicators if i.kind != framework.EXECUTION_RATE)
    row.target = Decimal("10")
    db.session.commit()
    rows = [{"level1": "预算执行率", "level2": "", "name": "", "weight": "20"},
            {"level1": "产出指标", "level2": "数量指标", "name": "完成数量", "weight": "80"}]
    refreshed = framework.update_indicators(plan, rows)
    assert refreshed == 1
    db.session.expire_all()
    assert [(i.level1, i.weight) for i in untouched.indicators] == [("预算执行率", Decimal("20.00")),
                                                                     ("产出指标", Decimal("80.00"))]
    assert len(started.indicators) == 10 and any(i.target == Decimal("10") for i in started.indicators)


def test_the_framework_page_is_the_office_s(app, client):
    org, plan = factories.make_setup()
    login(client, org.staff_a.username, factories.PASSWORD)
    assert client.get(f"/plans/{plan.id}/framework").status_code == 403
    office = app.test_client()
    login(office, org.office.username, factories.PASSWORD)
    page = office.get(f"/plans/{plan.id}/framework").get_data(as_text=True)
    assert "预算执行率" in page and "改用模板" in page
    response = post(office, f"/plans/{plan.id}/framework", {
        "level1": ["产出", "效益"], "level2": ["", ""], "name": ["x", "y"], "weight": ["50", "40"]})
    assert "合计应为 100" in response.get_data(as_text=True)
    db.session.expire_all()
    assert sum(weights(plan)) == Decimal(100) and plan.indicators[0].level1 == "预算执行率"
    response = post(office, f"/plans/{plan.id}/framework", {"template": "key"})
    assert response.status_code == 302
    db.session.expire_all()
    assert plan.framework == "key"


def test_the_library_offers_indicators_used_before(app, client):
    org, plan = factories.make_setup()
    evaluation = factories.make_project(plan, "往年项目", org.section_a, org.office).evaluation
    row = next(i for i in evaluation.indicators if i.kind != framework.EXECUTION_RATE)
    row.name, row.unit, row.nature = "排查矿山数量", "座", ">="
    db.session.commit()
    names = [item["name"] for item in framework.library()]
    assert "排查矿山数量" in names
    assert [item["name"] for item in framework.library("矿山")] == ["排查矿山数量"]
    assert all(item["name"] != "预算执行率" for item in framework.library())  # scored from the budget
    login(client, org.staff_a.username, factories.PASSWORD)
    page = client.get("/plans/indicator-library?q=矿山").get_data(as_text=True)
    assert "排查矿山数量" in page and "座" in page
    form = client.get(f"/evaluations/{evaluation.id}/form").get_data(as_text=True)
    assert 'list="indicator-library"' in form and '<option value="排查矿山数量">' in form


def test_the_office_edits_a_project_and_its_section_task_moves(app):
    org, plan = factories.make_setup()
    project = factories.make_project(plan, "应急物资储备项目", org.section_a, org.office)
    plans.update_project(project, "应急物资储备（2019）项目", org.section_b.id, "王旭", "完成储备", org.office)
    db.session.expire_all()
    assert (project.name, project.section_id, project.leader_name, project.overall_target) == (
        "应急物资储备（2019）项目", org.section_b.id, "王旭", "完成储备")
    task = db.session.scalar(db.select(Task).where(Task.evaluation_id == project.evaluation.id,
                                                   Task.completed_at.is_(None)))
    assert task.section_id == org.section_b.id
    assert db.session.scalar(db.select(AuditRecord).where(AuditRecord.action == "project_edit")) is not None


def test_the_evaluation_keeps_copies_of_its_projects_plan_and_section(app):
    """The board counts from the evaluation's copies (models.Evaluation.plan_id, section_id):
    they are set at creation and follow a change of section, without making the section's open
    form outdated (the version and the time of the last edit stay)."""
    org, plan = factories.make_setup()
    project = factories.make_project(plan, "应急物资储备项目", org.section_a, org.office)
    evaluation = project.evaluation
    assert (evaluation.plan_id, evaluation.section_id) == (plan.id, org.section_a.id)
    version, updated_at = evaluation.version, evaluation.updated_at
    plans.update_project(project, project.name, org.section_b.id, "", "", org.office)
    db.session.expire_all()
    assert (evaluation.plan_id, evaluation.section_id) == (plan.id, org.section_b.id)
    assert (evaluation.version, evaluation.updated_at) == (version, updated_at)
    section_rows = board.board(plan)[0].items
    assert [(row.key, row.total) for row in section_rows] == [(org.section_b.id, 1)]


def test_project_edits_are_refused_when_they_break_a_rule(app):
    org, plan = factories.make_setup()
    project = factories.make_project(plan, "甲项目", org.section_a, org.office)
    factories.make_project(plan, "乙项目", org.section_a, org.office)
    for name, section_id, message in (("", org.section_a.id, "不能为空"), ("乙项目", org.section_a.id, "已有名为"),
                                      ("甲项目", None, "责任科室"), ("x" * 201, org.section_a.id, "过长")):
        with pytest.raises(ServiceError) as refused:
            plans.update_project(project, name, section_id, "", "", org.office)
        assert message in refused.value.message
        db.session.rollback()
    submitted = factories.make_evaluation(plan, org, "submitted", name="丙项目")
    with pytest.raises(ServiceError) as refused:
        plans.update_project(submitted.project, "丙项目", org.section_b.id, "", "", org.office)
    assert "提交后不能更换责任科室" in refused.value.message
    db.session.rollback()
    db.session.expire_all()
    assert project.name == "甲项目" and submitted.project.section_id == org.section_a.id
    assert db.session.get(Indicator, submitted.indicators[0].id) is not None
