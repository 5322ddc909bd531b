"""The department-level evaluation (部门整体支出绩效自评): one per plan, created by the office,
filled in by the office's section on the 自评表 (duties, main tasks naming the plan's projects,
the whole budget, the department framework), through the one workflow to 已报送; left out of
the overview's and the summary's project counts. Services without HTTP; pages through the
test client. Its PDF is tested in test_department_report.py."""
import io
from contextlib import contextmanager
from decimal import Decimal
from urllib.parse import unquote

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests import factories
from tests.api_helpers import ApiClient, assert_error
from tests.conftest import post, signed_in
from workflow import scoring
from workflow.department import demo, services as department
from workflow.engine import actions
from workflow.errors import ServiceError
from workflow.extensions import db as _db
from workflow.models import DepartmentTask, Evaluation, Project, Snapshot, Task
from workflow.models.evaluations import DEPARTMENT_SCOPE
from workflow.overview import services as overview
from workflow.roles import Role
from workflow.selfeval import content, services
from workflow.selfeval.department import DEPARTMENT_NAME, TaskEdit
from workflow.selfeval.edits import EvaluationEdit
from workflow.selfeval.framework import EXECUTION_RATE
from workflow.submissions import services as submissions


@pytest.fixture
def setup(app):
    """An Org, a plan with its group, two projects of section A, and the office section's staff
    (who fill in the department's evaluation)."""
    org, plan = factories.make_setup()
    factories.make_project(plan, "矿山安全生产监管执法检查", org.section_a, org.office)
    factories.make_project(plan, "应急物资储备项目", org.section_a, org.office)
    filler = factories.make_user("gongjian", [Role.SECTION_STAFF, Role.REVIEWER], org.office_section,
                                 full_name="龚健")
    return org, plan, filler


@contextmanager
def as_user(app, user):
    """A browser of its own, signed in as ``user``."""
    yield signed_in(app, user)


def reload(evaluation_id):
    _db.session.commit()
    _db.session.expire_all()
    return _db.session.get(Evaluation, evaluation_id)


def count_department(plan):
    return _db.session.scalar(select(func.count()).select_from(Project)
                              .where(Project.plan_id == plan.id, Project.scope == DEPARTMENT_SCOPE))


# Creating it ---------------------------------------------------------------------------------


def test_the_office_creates_the_plans_department_evaluation_owned_by_its_section(setup):
    org, plan, _filler = setup
    project = department.create(plan, org.office)
    evaluation = reload(project.evaluation.id)
    assert evaluation.project.scope == DEPARTMENT_SCOPE and evaluation.project.is_department
    assert evaluation.project.name == DEPARTMENT_NAME
    assert evaluation.project.section_id == org.office_section.id == evaluation.section_id
    assert evaluation.state == "preparing"
    assert sorted(row.kind for row in evaluation.funding_rows) == ["basic", "project", "total"]
    assert [ind.level1 for ind in evaluation.indicators][:1] == ["投入"]
    assert {ind.level1 for ind in evaluation.indicators} == {"投入", "过程", "产出", "效益"}
    assert sum(ind.weight for ind in evaluation.indicators) == 100
    assert [ind.name for ind in evaluation.indicators if ind.kind == EXECUTION_RATE] == ["预算执行率"]
    # The engine's task for the section that fills it in, as for a project.
    task = _db.session.scalar(select(Task).where(Task.evaluation_id == evaluation.id))
    assert task.section_id == org.office_section.id and task.completed_at is None


def test_a_second_department_evaluation_is_refused_in_chinese_and_nothing_is_added(setup):
    org, plan, _filler = setup
    department.create(plan, org.office)
    with pytest.raises(ServiceError) as refused:
        department.create(plan, org.office)
    assert refused.value.code == "duplicate"
    assert "每个方案只能有一个" in refused.value.message
    assert count_department(plan) == 1


def test_the_database_itself_keeps_one_department_evaluation_per_plan(setup):
    org, plan, _filler = setup
    department.create(plan, org.office)
    _db.session.add(Project(plan_id=plan.id, name="另一个部门整体", section_id=org.office_section.id,
                            budget_year=plan.budget_year, scope=DEPARTMENT_SCOPE))
    with pytest.raises(IntegrityError):
        _db.session.flush()
    _db.session.rollback()
    # Another plan may have its own.
    other = factories.make_plan(run_year=2021, budget_year=2020)
    department.create(other, org.office)
    assert count_department(plan) == count_department(other) == 1


def test_only_the_office_creates_it(setup):
    org, plan, filler = setup
    for user in (org.staff_a, filler, org.leader):
        with pytest.raises(ServiceError) as refused:
            department.create(plan, user)
        assert refused.value.code == "forbidden"
    assert count_department(plan) == 0


# Filling it in ------------------------------------------------------------------------------


def opened(org, plan):
    project = department.create(plan, org.office)
    actions.perform(project.evaluation.id, "open_self_evaluation", org.office)
    return reload(project.evaluation.id)


def test_the_budget_tasks_and_indicators_are_saved_through_the_selfeval_service(setup):
    org, plan, filler = setup
    evaluation = opened(org, plan)
    mine = _db.session.scalar(select(Project).where(Project.name == "矿山安全生产监管执法检查"))
    edit = EvaluationEdit(
        funding={"total": {"annual_budget": "3000", "executed": "2700"},
                 "basic": {"annual_budget": "1900", "executed": "1800"},
                 "project": {"annual_budget": "1100", "executed": "900"}},
        tasks=[TaskEdit(id=None, name="非煤矿山安全生产监管", achievement="排查矿山253座。", project_ids=(mine.id,))],
    )
    services.save(evaluation.id, filler, edit)
    evaluation = reload(evaluation.id)
    [task] = evaluation.department_tasks
    assert task.name == "非煤矿山安全生产监管" and task.achievement == "排查矿山253座。"
    assert [p.name for p in task.projects] == ["矿山安全生产监管执法检查"]
    rate = next(ind for ind in evaluation.indicators if ind.kind == EXECUTION_RATE)
    # 预算执行率 from the total row, scored by scoring's rule as a project's is.
    assert rate.actual == Decimal("90.00")
    assert rate.score == scoring.execution_rate_score(Decimal(3000), Decimal(2700), rate.weight)
    data = content.serialize(evaluation)
    assert data["department"]["tasks"] == [{"name": "非煤矿山安全生产监管", "achievement": "排查矿山253座。",
                                            "projects": ["矿山安全生产监管执法检查"]}]
    assert list(data["funding"]) == ["total", "basic", "project"]


def test_a_project_evaluations_serialisation_has_no_department_part(setup):
    org, plan, _filler = setup
    evaluation = _db.session.scalar(select(Evaluation).join(Project).where(Project.name == "应急物资储备项目"))
    assert "department" not in content.serialize(evaluation)


@pytest.mark.parametrize("task, message", [
    (TaskEdit(id=None, name="任务", project_ids=(999999,)), "不属于本方案"),
    (TaskEdit(id=424242, name="任务"), "不属于该评价"),
    (TaskEdit(id=None, name="长" * 201), "不能超过"),
])
def test_bad_tasks_are_refused_in_chinese_and_nothing_is_saved(setup, task, message):
    org, plan, filler = setup
    evaluation = opened(org, plan)
    version = evaluation.version
    edit = EvaluationEdit(funding={"basic": {"annual_budget": "10"}}, tasks=[task])
    with pytest.raises(ServiceError) as refused:
        services.save(evaluation.id, filler, edit)
    assert message in refused.value.message and refused.value.code == "invalid"
    evaluation = reload(evaluation.id)
    assert evaluation.version == version and evaluation.department_tasks == []
    assert content.funding(evaluation)["basic"].annual_budget is None


def test_a_task_may_not_name_the_department_evaluation_itself(setup):
    org, plan, filler = setup
    evaluation = opened(org, plan)
    with pytest.raises(ServiceError):
        services.save(evaluation.id, filler, EvaluationEdit(
            tasks=[TaskEdit(id=None, name="任务", project_ids=(evaluation.project_id,))]))


def test_only_the_office_sections_staff_fills_it_in(setup):
    org, plan, _filler = setup
    evaluation = opened(org, plan)
    for user in (org.staff_a, org.office):
        with pytest.raises(ServiceError) as refused:
            services.save(evaluation.id, user, EvaluationEdit(tasks=[TaskEdit(id=None, name="任务")]))
        assert refused.value.code == "refused"
    assert reload(evaluation.id).department_tasks == []


def test_submission_asks_for_the_main_tasks_and_parts_that_add_up(setup):
    org, plan, filler = setup
    evaluation = opened(org, plan)
    demo.fill(evaluation)
    assert services.completeness_problems(evaluation) == []
    evaluation.department_tasks = []
    content.funding(evaluation)["basic"].executed += 1
    problems = services.completeness_problems(evaluation)
    assert "请至少填写一项年度主要任务。" in problems
    assert any("各组成部分之和" in p and "部门预算合计" in p for p in problems)
    _db.session.rollback()


# Through the workflow ------------------------------------------------------------------------


def walk_to_reported(org, plan, filler):
    evaluation = opened(org, plan)
    demo.fill(evaluation)
    actions.perform(evaluation.id, "submit", filler)
    actions.perform(evaluation.id, "pass_review", org.reviewer)
    actions.perform(evaluation.id, "approve", org.leader)
    factories.include_in_submission(reload(evaluation.id), org.office)
    actions.perform(evaluation.id, "report", org.office)
    return reload(evaluation.id)


def test_created_filled_submitted_reviewed_approved_and_reported(setup):
    org, plan, filler = setup
    evaluation = walk_to_reported(org, plan, filler)
    assert evaluation.state == "reported"
    assert evaluation.submitted_by_id == filler.id
    assert evaluation.total_score is not None and evaluation.grade in scoring.GRADES
    approval = _db.session.scalar(select(Snapshot).where(Snapshot.evaluation_id == evaluation.id,
                                                         Snapshot.kind == "approval"))
    # Frozen with its own report, its tasks in the approved data.
    assert approval.pdf and approval.pdf_sha256
    assert [t["name"] for t in approval.data["department"]["tasks"]] == [t[0] for t in demo.TASKS]
    # Frozen: the section may no longer edit.
    with pytest.raises(ServiceError):
        services.save(evaluation.id, filler, EvaluationEdit(tasks=[TaskEdit(id=None, name="再加一项")]))


def test_the_summary_and_overview_leave_it_out_of_the_projects(setup):
    org, plan, filler = setup
    evaluation = walk_to_reported(org, plan, filler)
    mine = factories.make_approved(plan, org, "危化品监测预警项目", org.section_a, "100", "80")
    factories.include_in_submission(mine, org.office)
    rows = [row for item in submissions.list_submissions(plan) for row in submissions.rows_of(item)]
    assert {row.department for row in rows} == {True, False}
    budget, executed, _rate = submissions.totals(rows)
    assert (budget, executed) == (Decimal(100), Decimal(80))
    result = overview.overview(plan)
    assert result.total == 3  # the three projects, not the department
    assert DEPARTMENT_NAME not in [p.name for p in result.projects]
    assert evaluation.state == "reported"


# Pages ---------------------------------------------------------------------------------------


def test_the_office_creates_it_on_the_plan_page_and_a_second_is_refused(app, setup):
    org, plan, _filler = setup
    with as_user(app, org.office) as client:
        page = client.get(f"/plans/{plan.id}")
        assert "创建部门整体自评" in page.get_data(as_text=True)
        response = post(client, f"/department/plans/{plan.id}")
        assert response.status_code == 302
        assert count_department(plan) == 1
        detail = client.get(response.headers["Location"])
        assert detail.status_code == 200
        assert 'data-testid="department-badge"' in detail.get_data(as_text=True)
        again = post(client, f"/department/plans/{plan.id}")
        assert again.status_code == 409
        assert "每个方案只能有一个" in again.get_data(as_text=True)
        page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
        assert 'data-testid="department-badge"' in page and "创建部门整体自评" not in page
    assert count_department(plan) == 1


def test_section_staff_may_not_create_it_and_an_unknown_plan_is_404(app, setup):
    org, plan, filler = setup
    with as_user(app, filler) as client:
        assert post(client, f"/department/plans/{plan.id}").status_code == 403
    with as_user(app, org.office) as client:
        assert post(client, "/department/plans/999999").status_code == 404
    assert count_department(plan) == 0


def test_the_form_is_the_departments_and_a_bad_project_is_refused_with_422(app, setup):
    org, plan, filler = setup
    evaluation = opened(org, plan)
    with as_user(app, filler) as client:
        page = client.get(f"/evaluations/{evaluation.id}/form").get_data(as_text=True)
        assert "部门整体支出绩效自评表" in page and "年度主要任务" in page
        assert "其中：基本支出" in page and "矿山安全生产监管执法检查" in page
        saved = post(client, f"/evaluations/{evaluation.id}/form", data={
            "version": evaluation.version, "task-new1-name": "非煤矿山安全生产监管",
            "task-new1-projects": ["abc"], "funding-basic-annual_budget": "10"})
        assert saved.status_code == 422
        assert "所选的项目不属于本方案" in saved.get_data(as_text=True)
        assert reload(evaluation.id).department_tasks == []
        mine = _db.session.scalar(select(Project).where(Project.name == "矿山安全生产监管执法检查"))
        saved = post(client, f"/evaluations/{evaluation.id}/form", data={
            "version": reload(evaluation.id).version, "task-new1-name": "非煤矿山安全生产监管",
            "task-new1-projects": [str(mine.id)], "task-new2-name": "",
            "task-new1-achievement": "排查253座。"})
        assert saved.status_code == 302
    evaluation = reload(evaluation.id)
    [task] = evaluation.department_tasks
    assert [p.id for p in task.projects] == [mine.id] and task.achievement == "排查253座。"
    # A blank name removes the task.
    with as_user(app, filler) as client:
        saved = post(client, f"/evaluations/{evaluation.id}/form", data={
            "version": evaluation.version, f"task-{task.id}-name": ""})
        assert saved.status_code == 302
    assert _db.session.scalar(select(func.count()).select_from(DepartmentTask)) == 0


def test_another_sections_staff_may_not_save_the_form(app, setup):
    org, plan, _filler = setup
    evaluation = opened(org, plan)
    with as_user(app, org.staff_a) as client:
        saved = post(client, f"/evaluations/{evaluation.id}/form", data={
            "version": evaluation.version, "task-new1-name": "任务"})
        assert saved.status_code == 403
    assert reload(evaluation.id).department_tasks == []


def test_the_department_project_keeps_its_name_and_section(app, setup):
    org, plan, _filler = setup
    project = department.create(plan, org.office)
    with as_user(app, org.office) as client:
        response = post(client, f"/plans/projects/{project.id}/edit",
                        data={"name": "改名", "section_id": org.section_a.id})
        assert response.status_code == 403
    project = _db.session.get(Project, project.id)
    assert project.name == DEPARTMENT_NAME and project.section_id == org.office_section.id


def test_the_reports_download_is_the_departments(app, setup):
    org, plan, filler = setup
    evaluation = walk_to_reported(org, plan, filler)
    with as_user(app, org.office) as client:
        pdf = client.get(f"/evaluations/{evaluation.id}/report.pdf")
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
        assert "承德市应急管理局2019年度部门整体支出绩效自评报告.pdf" in unquote(pdf.headers["Content-Disposition"])
        word = client.get(f"/evaluations/{evaluation.id}/report.docx")
        assert word.status_code == 200
        # The 自评表 and the plan's summary in Excel carry it too (its own budget rows).
        form = client.get(f"/excel/evaluations/{evaluation.id}/self-evaluation.xlsx")
        assert form.status_code == 200
        cells = [value for row in openpyxl.load_workbook(io.BytesIO(form.data)).active.iter_rows(values_only=True)
                 for value in row if value]
        assert "部门整体支出绩效自评表" in cells and "其中：基本支出" in cells and "项目支出" in cells
        summary = client.get(f"/excel/plans/{plan.id}/summary.xlsx")
        assert summary.status_code == 200
    # The plan's summary lists and sums the projects only.
    sheet = openpyxl.load_workbook(io.BytesIO(summary.data)).active
    names = [row[1] for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert DEPARTMENT_NAME not in names and "应急物资储备项目" in names
    assert any(name and "（2 个项目）" in str(name) for row in sheet.iter_rows(values_only=True) for name in row)


def test_the_reviewer_reviews_it_on_the_review_page_with_its_own_sections(app, setup):
    org, plan, filler = setup
    evaluation = opened(org, plan)
    demo.fill(evaluation)
    actions.perform(evaluation.id, "submit", filler)
    with as_user(app, org.reviewer) as client:
        queue = client.get("/evaluations/review").get_data(as_text=True)
        assert DEPARTMENT_NAME in queue
        page = client.get(f"/evaluations/{evaluation.id}/review")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "一、部门基本情况（一）部门职责" in text and "项目概况" not in text


# The JSON API ----------------------------------------------------------------------------------


def test_the_api_saves_its_budget_rows_and_main_tasks_and_refuses_a_foreign_project(app, setup):
    org, plan, filler = setup
    evaluation = opened(org, plan)
    api = ApiClient(app, filler)
    url = f"/api/v1/evaluations/{evaluation.id}"
    read = api.get(url).get_json()
    assert set(read["content"]["funding"]) == {"total", "basic", "project"}
    assert read["content"]["department"] == {"tasks": []}
    mine = _db.session.scalar(select(Project).where(Project.name == "矿山安全生产监管执法检查"))
    refused = api.patch(url, {"version": read["version"], "funding": {"basic": {"annual_budget": "10"}},
                              "tasks": [{"id": None, "name": "任务", "project_ids": [evaluation.project_id]}]})
    assert_error(refused, 422, "invalid")
    assert content.funding(reload(evaluation.id))["basic"].annual_budget is None
    saved = api.patch(url, {"version": read["version"], "funding": {"basic": {"annual_budget": "1872.3"}},
                            "tasks": [{"id": None, "name": "非煤矿山安全生产监管", "achievement": "排查253座。",
                                       "project_ids": [mine.id]}]})
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["content"]["funding"]["basic"]["annual_budget"] == "1872.3"
    assert saved.get_json()["content"]["department"]["tasks"] == [
        {"name": "非煤矿山安全生产监管", "achievement": "排查253座。", "projects": ["矿山安全生产监管执法检查"]}]
