"""Plans: their stages, working group, copying to the next year and projects.

The rules are tested in workflow.plans.services without HTTP; the pages through the test
client, including bad input on every form and who may reach each page.
"""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from tests.conftest import post, signed_in
from tests.factories import make_section, make_user
from workflow import clock
from workflow.errors import ServiceError
from workflow.extensions import db as _db
from workflow.models import AuditRecord, Evaluation, Plan, PlanMember, Project, Stage, Task
from workflow.models.plans import STAGE_KINDS
from workflow.plans import services
from workflow.roles import Role

DEFAULT_NAMES = ["准备阶段", "自评阶段", "复核阶段", "报送财政局", "结果应用"]


# Helpers --------------------------------------------------------------------------------


def text(response):
    return response.get_data(as_text=True)


def fresh():
    """Forget what the test's session holds: the next read sees what requests committed."""
    _db.session.commit()
    _db.session.expire_all()


def count(model, *where):
    fresh()
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


def make_plan(run_year=2020, budget_year=2019, title=None, **fields):
    title = title or f"承德市应急管理局{run_year}年市级预算绩效部门重点评价工作方案"
    return services.create_plan(
        services.PlanData(title=title, budget_year=budget_year, run_year=run_year, **fields)
    )


@pytest.fixture
def office_section():
    return make_section("规划财务科", is_office=True)


@pytest.fixture
def business_section():
    return make_section("非煤矿山安全监督管理科")


@pytest.fixture
def office_user(office_section):
    return make_user("yanhongtao", roles=[Role.OFFICE, Role.REVIEWER], section=office_section, full_name="闫洪涛")


@pytest.fixture
def office(app, office_user):
    return signed_in(app, office_user)


@pytest.fixture
def plan(office_section):
    return make_plan(
        basis_documents=["《承德市市级部门预算项目绩效管理办法》（承财绩〔2020〕1号）"],
        principles="履行部门主体责任。", method="定性与定量相结合。", requirements="严把节点。",
    )


def plan_form(**overrides):
    data = {
        "title": "2021年评价方案",
        "budget_year": "2020",
        "run_year": "2021",
        "office_section_id": "",
        "basis_documents": "",
        "principles": "",
        "method": "",
        "requirements": "",
    }
    data.update(overrides)
    return data


def stage_form(plan, **changes):
    """The stages form as the page sends it; ``changes``: {kind: {field: value}}."""
    data = {}
    for index, stage in enumerate(plan.stages):
        row = {
            "kind": stage.kind,
            "name": stage.name,
            "start_date": stage.start_date.isoformat() if stage.start_date else "",
            "due_date": stage.due_date.isoformat() if stage.due_date else "",
        }
        row.update(changes.get(stage.kind, {}))
        for key, value in row.items():
            data[f"stages-{index}-{key}"] = value
    return data


def stage_snapshot(plan_id):
    fresh()
    return [
        (s.kind, s.name, s.start_date, s.due_date)
        for s in _db.session.scalars(select(Stage).where(Stage.plan_id == plan_id).order_by(Stage.sort_order))
    ]


def plan_snapshot(plan_id):
    fresh()
    plan = _db.session.get(Plan, plan_id)
    return (plan.title, plan.budget_year, plan.run_year, list(plan.basis_documents), plan.principles,
            plan.method, plan.requirements, plan.office_section_id)


def group_snapshot(plan_id):
    fresh()
    return sorted(
        (m.user_id, m.group_role)
        for m in _db.session.scalars(select(PlanMember).where(PlanMember.plan_id == plan_id))
    )


# Creating and editing ---------------------------------------------------------------------


def test_create_plan_gets_the_five_default_stages_with_the_seed_dates(office_section):
    plan = make_plan(run_year=2021, budget_year=2020)
    fresh()
    plan = _db.session.get(Plan, plan.id)
    assert [s.kind for s in plan.stages] == list(STAGE_KINDS)
    assert [s.name for s in plan.stages] == DEFAULT_NAMES
    prepare, self_evaluate = plan.stage("prepare"), plan.stage("self_evaluate")
    assert (prepare.start_date, prepare.due_date) == (date(2021, 6, 10), date(2021, 6, 30))
    assert (self_evaluate.start_date, self_evaluate.due_date) == (date(2021, 7, 2), date(2021, 7, 30))
    # Every stage is dated, in the run year, in order.
    starts = [s.start_date for s in plan.stages]
    assert starts == sorted(starts) and all(d.year == 2021 for d in starts)
    assert all(s.start_date <= s.due_date for s in plan.stages)
    assert plan.office_section_id == office_section.id


def test_create_plan_keeps_a_chosen_office_section(office_section, business_section):
    plan = make_plan(office_section_id=business_section.id)
    assert plan.office_section_id == business_section.id


def test_new_plan_page_creates_the_plan(office, office_section):
    page = office.get("/plans/new")
    assert page.status_code == 200
    assert "新建方案" in text(page)
    assert "要指定分行处，在该处输入“|”" in text(page)   # where the printed title breaks
    response = post(office, "/plans/new", plan_form(
        title="2021年市级预算绩效重点评价工作方案", basis_documents="文件甲\n\n  文件乙  \n",
    ), follow_redirects=True)
    assert response.status_code == 200
    assert "已创建评价方案" in text(response)
    fresh()
    plan = _db.session.scalar(select(Plan))
    assert plan.title == "2021年市级预算绩效重点评价工作方案"
    assert (plan.budget_year, plan.run_year) == (2020, 2021)
    assert plan.basis_documents == ["文件甲", "文件乙"]
    assert plan.office_section_id == office_section.id
    assert plan.stage("prepare").start_date == date(2021, 6, 10)
    assert "准备阶段" in text(response) and "2021-06-10" in text(response)


def test_update_plan_takes_basis_documents_from_lines(plan):
    services.update_plan(plan, services.PlanData(
        title=" 新的标题 ", budget_year=2019, run_year=2020,
        basis_documents=["  文件一 ", "", "文件二", "   "], principles="原则", method="方法",
    ))
    fresh()
    plan = _db.session.get(Plan, plan.id)
    assert plan.title == "新的标题"
    assert plan.basis_documents == ["文件一", "文件二"]
    assert (plan.principles, plan.method, plan.requirements) == ("原则", "方法", "")


def test_edit_plan_page_shows_and_saves_the_documents(office, plan):
    page = text(office.get(f"/plans/{plan.id}/edit"))
    assert "《承德市市级部门预算项目绩效管理办法》" in page
    response = post(office, f"/plans/{plan.id}/edit", plan_form(
        title=plan.title, budget_year="2019", run_year="2020",
        basis_documents="第一份文件\r\n第二份文件\r\n\r\n第三份文件", principles="新原则",
    ), follow_redirects=True)
    assert "已保存评价方案。" in text(response)
    fresh()
    plan = _db.session.get(Plan, plan.id)
    assert plan.basis_documents == ["第一份文件", "第二份文件", "第三份文件"]
    assert plan.principles == "新原则"
    for document in ("第一份文件", "第二份文件", "第三份文件"):
        assert document in text(response)


def test_update_plan_refuses_an_overlong_basis_document(plan):
    before = plan_snapshot(plan.id)
    with pytest.raises(ServiceError, match="不能超过 300 个字"):
        services.update_plan(plan, services.PlanData(title="x", budget_year=2019, run_year=2020,
                                                     basis_documents=["文" * 301]))
    _db.session.rollback()
    assert plan_snapshot(plan.id) == before


# Stages ---------------------------------------------------------------------------------


def stage_rows(plan, **changes):
    rows = {s.kind: (s.name, s.start_date, s.due_date) for s in plan.stages}
    rows.update(changes)
    return rows


def test_stage_starting_after_its_due_date_is_refused(plan):
    before = stage_snapshot(plan.id)
    with pytest.raises(ServiceError, match="“准备阶段”的开始日期晚于截止日期"):
        services.update_stages(plan, stage_rows(plan, prepare=("准备阶段", date(2020, 7, 1), date(2020, 6, 30))))
    _db.session.rollback()
    assert stage_snapshot(plan.id) == before


def test_stages_out_of_order_are_refused(plan):
    before = stage_snapshot(plan.id)
    with pytest.raises(ServiceError, match="阶段须按顺序排列"):
        services.update_stages(plan, stage_rows(plan, self_evaluate=("自评阶段", date(2020, 6, 1), date(2020, 6, 5))))
    _db.session.rollback()
    assert stage_snapshot(plan.id) == before


def test_stage_names_are_required(plan):
    before = stage_snapshot(plan.id)
    with pytest.raises(ServiceError, match="阶段名称不能为空"):
        services.update_stages(plan, stage_rows(plan, review=("   ", date(2020, 8, 3), date(2020, 8, 21))))
    _db.session.rollback()
    assert stage_snapshot(plan.id) == before


def test_valid_stage_edit_moves_open_task_due_dates(plan, business_section):
    project = services.add_project(plan, "应急物资储备项目", business_section.id)
    task = _db.session.scalar(select(Task).where(Task.evaluation_id == project.evaluation.id))
    assert task.due_date == date(2020, 6, 30)
    services.update_stages(plan, stage_rows(
        plan, prepare=("前期准备", date(2020, 6, 1), date(2020, 7, 1)),
        self_evaluate=("自评阶段", date(2020, 7, 2), date(2020, 8, 2)),
    ))
    fresh()
    assert _db.session.get(Task, task.id).due_date == date(2020, 7, 1)
    plan = _db.session.get(Plan, plan.id)
    assert plan.stage("prepare").name == "前期准备"
    assert plan.stage("self_evaluate").due_date == date(2020, 8, 2)


def test_stage_edit_leaves_completed_task_due_dates_alone(plan, business_section, office_user):
    from workflow.engine import actions

    project = services.add_project(plan, "应急物资储备项目", business_section.id)
    actions.perform(project.evaluation.id, "open_self_evaluation", office_user)
    done = _db.session.scalar(select(Task).where(Task.state == "preparing"))
    services.update_stages(plan, stage_rows(plan, prepare=("准备阶段", date(2020, 6, 1), date(2020, 6, 20)),
                                            self_evaluate=("自评阶段", date(2020, 7, 2), date(2020, 7, 20))))
    fresh()
    assert _db.session.get(Task, done.id).due_date == date(2020, 6, 30)
    open_task = _db.session.scalar(select(Task).where(Task.completed_at.is_(None)))
    assert (open_task.state, open_task.due_date) == ("self_evaluating", date(2020, 7, 20))


def test_stages_page_saves_and_moves_deadlines(office, plan, business_section):
    project = services.add_project(plan, "应急物资储备项目", business_section.id)
    page = office.get(f"/plans/{plan.id}/stages")
    assert page.status_code == 200 and "2020-06-10" in text(page)
    response = post(office, f"/plans/{plan.id}/stages", stage_form(plan, prepare={"due_date": "2020-07-01"},
                                                                   self_evaluate={"start_date": "2020-07-03"}),
                    follow_redirects=True)
    assert "已保存各阶段时间" in text(response)
    fresh()
    assert _db.session.get(Plan, plan.id).stage("prepare").due_date == date(2020, 7, 1)
    task = _db.session.scalar(select(Task).where(Task.evaluation_id == project.evaluation.id))
    assert task.due_date == date(2020, 7, 1)


@pytest.mark.parametrize("changes, message", [
    ({"prepare": {"start_date": "not-a-date"}}, "不是有效的日期值"),
    ({"review": {"due_date": "2020-13-45"}}, "不是有效的日期值"),
    ({"prepare": {"start_date": "2020-07-01"}}, "“准备阶段”的开始日期晚于截止日期"),
    ({"review": {"start_date": "2020-07-01", "due_date": "2020-07-05"}}, "阶段须按顺序排列"),
    ({"report": {"name": ""}}, "此项为必填项。"),
    ({"report": {"name": "阶" * 65}}, "不能超过 64 个字符。"),
    ({"apply": {"kind": "party"}}, "未知的阶段。"),
])
def test_bad_stage_input_is_refused_in_chinese(office, plan, changes, message):
    before = stage_snapshot(plan.id)
    response = post(office, f"/plans/{plan.id}/stages", stage_form(plan, **changes), follow_redirects=True)
    assert response.status_code == 422
    body = text(response)
    assert message in body
    assert "{'" not in body and "Not a valid" not in body  # no raw error structures or English
    assert stage_snapshot(plan.id) == before


# Working group ------------------------------------------------------------------------------


@pytest.fixture
def people(office_section, business_section):
    return {
        "leader": make_user("jianglixin", roles=[Role.LEADER], full_name="姜立新"),
        "deputy": make_user("quzhiqing", roles=[Role.REVIEWER], section=business_section, full_name="曲志清"),
        "member": make_user("renzhihua", roles=[Role.REVIEWER], section=office_section, full_name="任志华"),
    }


def test_working_group_is_saved(plan, people):
    services.set_group(plan, people["leader"].id, [people["deputy"].id], [people["member"].id])
    assert group_snapshot(plan.id) == sorted([
        (people["leader"].id, "leader"), (people["deputy"].id, "deputy"), (people["member"].id, "member"),
    ])
    fresh()
    plan = _db.session.get(Plan, plan.id)
    assert [u.full_name for u in services.group_of(plan, "leader")] == ["姜立新"]


def test_one_person_in_two_roles_is_refused(plan, people):
    services.set_group(plan, people["leader"].id, [people["deputy"].id], [])
    before = group_snapshot(plan.id)
    with pytest.raises(ServiceError, match="同一人在工作小组中只能担任一个职务"):
        services.set_group(plan, people["leader"].id, [people["deputy"].id], [people["deputy"].id])
    _db.session.rollback()
    with pytest.raises(ServiceError, match="同一人在工作小组中只能担任一个职务"):
        services.set_group(plan, people["leader"].id, [people["leader"].id], [])
    _db.session.rollback()
    assert group_snapshot(plan.id) == before


def test_group_page_saves_the_group(office, plan, people):
    page = text(office.get(f"/plans/{plan.id}/group"))
    assert "姜立新" in page and "评价工作小组" in page
    response = post(office, f"/plans/{plan.id}/group", {
        "leader_id": str(people["leader"].id),
        "deputy_ids": [str(people["deputy"].id)],
        "member_ids": [str(people["member"].id)],
    }, follow_redirects=True)
    assert "已保存评价工作小组。" in text(response)
    assert group_snapshot(plan.id) == sorted([
        (people["leader"].id, "leader"), (people["deputy"].id, "deputy"), (people["member"].id, "member"),
    ])


@pytest.mark.parametrize("form, message", [
    (lambda p: {"leader_id": str(p["leader"].id), "deputy_ids": [str(p["leader"].id)]}, "同一人在工作小组中只能担任一个职务"),
    (lambda p: {"leader_id": "", "deputy_ids": [str(p["member"].id)], "member_ids": [str(p["member"].id)]},
     "同一人在工作小组中只能担任一个职务"),
    (lambda p: {"leader_id": "99999"}, "不是有效的选择"),
    (lambda p: {"leader_id": "abc"}, "选择无效"),
    (lambda p: {"leader_id": "", "member_ids": ["99999"]}, "所选人员不存在。"),
    (lambda p: {"leader_id": "", "deputy_ids": ["abc"]}, "选择无效"),
])
def test_bad_group_input_is_refused_in_chinese(office, plan, people, form, message):
    services.set_group(plan, people["leader"].id, [], [people["member"].id])
    before = group_snapshot(plan.id)
    response = post(office, f"/plans/{plan.id}/group", form(people), follow_redirects=True)
    assert response.status_code == 422
    body = text(response)
    assert message in body
    assert "not a valid choice" not in body.lower()
    assert group_snapshot(plan.id) == before


# Copying to the next year -------------------------------------------------------------------


def test_copy_plan_to_next_year(plan, people, business_section):
    services.set_group(plan, people["leader"].id, [people["deputy"].id], [people["member"].id])
    services.update_stages(plan, stage_rows(plan, review=("集中复核", date(2020, 8, 3), date(2020, 8, 21))))
    services.add_project(plan, "应急物资储备项目", business_section.id)
    copy = services.copy_plan(plan)
    fresh()
    source, copy = _db.session.get(Plan, plan.id), _db.session.get(Plan, copy.id)
    assert copy.id != source.id
    assert copy.title == "承德市应急管理局2021年市级预算绩效部门重点评价工作方案"
    assert (copy.budget_year, copy.run_year) == (2020, 2021)
    assert copy.basis_documents == source.basis_documents
    assert (copy.principles, copy.method, copy.requirements) == (source.principles, source.method, source.requirements)
    assert copy.office_section_id == source.office_section_id
    assert [(m.user_id, m.group_role) for m in copy.members] == [(m.user_id, m.group_role) for m in source.members]
    assert [s.name for s in copy.stages] == [s.name for s in source.stages]
    assert "集中复核" in [s.name for s in copy.stages]
    for old, new in zip(source.stages, copy.stages):
        assert new.kind == old.kind
        assert new.start_date == old.start_date.replace(year=old.start_date.year + 1)
        assert new.due_date == old.due_date.replace(year=old.due_date.year + 1)
    assert count(Project, Project.plan_id == copy.id) == 0
    assert count(Project, Project.plan_id == source.id) == 1


def test_copy_shifts_both_years_in_the_title(office_section):
    source = make_plan(run_year=2020, budget_year=2019, title="2020年评价2019年度预算支出项目")
    copy = services.copy_plan(source)
    assert copy.title == "2021年评价2020年度预算支出项目"


def test_copying_twice_is_refused(plan):
    services.copy_plan(plan)
    with pytest.raises(ServiceError, match="2021 年的方案已存在"):
        services.copy_plan(plan)
    _db.session.rollback()
    assert count(Plan) == 2


def test_copy_keeps_29_february_in_the_year(office_section):
    source = make_plan(run_year=2020)
    services.update_stages(source, stage_rows(source, prepare=("准备阶段", date(2020, 2, 29), date(2020, 6, 30))))
    copy = services.copy_plan(source)
    assert copy.stage("prepare").start_date == date(2021, 2, 28)


def test_copy_page(office, plan):
    response = post(office, f"/plans/{plan.id}/copy", {"run_year": "2021"}, follow_redirects=True)
    assert "已复制为 2021 年的方案" in text(response)
    fresh()
    copy = _db.session.scalar(select(Plan).where(Plan.run_year == 2021))
    assert copy is not None and copy.stage("prepare").start_date == date(2021, 6, 10)
    again = post(office, f"/plans/{plan.id}/copy", {"run_year": "2021"}, follow_redirects=True)
    assert "2021 年的方案已存在。" in text(again)
    assert count(Plan) == 2


@pytest.mark.parametrize("run_year, message", [
    ("abc", "不是有效的整数"),
    ("1800", "年度应在 2000 到 2100 之间。"),
    ("", "此项为必填项。"),
])
def test_bad_copy_input_is_refused_in_chinese(office, plan, run_year, message):
    response = post(office, f"/plans/{plan.id}/copy", {"run_year": run_year}, follow_redirects=True)
    assert response.status_code == 422
    assert message in text(response)
    assert count(Plan) == 1


# Projects -------------------------------------------------------------------------------


def test_add_project_starts_in_preparing_with_a_section_task(plan, business_section, office_user):
    project = services.add_project(plan, "  应急物资储备项目 ", business_section.id, office_user)
    fresh()
    project = _db.session.get(Project, project.id)
    assert project.name == "应急物资储备项目"
    assert project.budget_year == plan.budget_year
    assert project.evaluation.state == "preparing"
    task = _db.session.scalar(select(Task).where(Task.evaluation_id == project.evaluation.id))
    assert (task.state, task.role, task.section_id) == ("preparing", Role.SECTION_STAFF.value, business_section.id)
    assert task.completed_at is None and task.due_date == date(2020, 6, 30)
    record = _db.session.scalar(select(AuditRecord).where(AuditRecord.evaluation_id == project.evaluation.id))
    assert (record.action, record.to_state, record.actor_id) == ("create", "preparing", office_user.id)


def test_duplicate_project_name_in_a_plan_is_refused(plan, business_section, office_section):
    services.add_project(plan, "应急物资储备项目", business_section.id)
    with pytest.raises(ServiceError, match="本方案中已有名为“应急物资储备项目”的项目"):
        services.add_project(plan, "应急物资储备项目", office_section.id)
    _db.session.rollback()
    assert count(Project) == 1
    # Another plan may have a project of the same name.
    other = make_plan(run_year=2021, budget_year=2020)
    services.add_project(other, "应急物资储备项目", business_section.id)
    assert count(Project) == 2


def test_project_for_an_inactive_section_is_refused(plan):
    closed = make_section("已撤销科室")
    closed.active = False
    _db.session.commit()
    with pytest.raises(ServiceError, match="请选择在用的责任科室"):
        services.add_project(plan, "应急物资储备项目", closed.id)
    _db.session.rollback()
    with pytest.raises(ServiceError, match="请选择在用的责任科室"):
        services.add_project(plan, "应急物资储备项目", 99999)
    _db.session.rollback()
    assert count(Project) == 0 and count(Evaluation) == 0 and count(Task) == 0


def test_add_project_page(office, plan, business_section):
    response = post(office, f"/plans/{plan.id}/projects",
                    {"name": "应急物资储备项目", "section_id": str(business_section.id)}, follow_redirects=True)
    assert "已添加项目“应急物资储备项目”。" in text(response)
    assert "准备中" in text(response)
    fresh()
    project = _db.session.scalar(select(Project))
    assert project.section_id == business_section.id and project.evaluation.state == "preparing"


@pytest.mark.parametrize("name, section, message", [
    ("", "business", "此项为必填项。"),
    ("项" * 201, "business", "不能超过 200 个字符。"),
    ("新项目", "", "此项为必填项。"),
    ("新项目", "99999", "不是有效的选择"),
    ("新项目", "abc", "选择无效"),
    ("新项目", "inactive", "不是有效的选择"),
    ("已有项目", "business", "本方案中已有名为“已有项目”的项目。"),
])
def test_bad_project_input_is_refused_in_chinese(office, plan, business_section, name, section, message):
    services.add_project(plan, "已有项目", business_section.id)
    closed = make_section("已撤销科室")
    closed.active = False
    _db.session.commit()
    section_id = {"business": str(business_section.id), "inactive": str(closed.id)}.get(section, section)
    response = post(office, f"/plans/{plan.id}/projects", {"name": name, "section_id": section_id},
                    follow_redirects=True)
    assert response.status_code == (409 if name == "已有项目" else 422)  # a name taken: a conflict
    assert message in text(response)
    assert "{'" not in text(response)
    assert count(Project) == 1


def test_open_self_evaluation_for_all_preparing_projects(office, plan, business_section, office_section):
    services.add_project(plan, "项目甲", business_section.id)
    services.add_project(plan, "项目乙", office_section.id)
    response = post(office, f"/plans/{plan.id}/open-self-evaluation", {}, follow_redirects=True)
    assert "已为 2 个项目开始自评。" in text(response)
    fresh()
    assert sorted(e.state for e in _db.session.scalars(select(Evaluation))) == ["self_evaluating"] * 2
    again = post(office, f"/plans/{plan.id}/open-self-evaluation", {}, follow_redirects=True)
    assert "已为 0 个项目开始自评。" in text(again)


# Bad input on the plan form -----------------------------------------------------------------

BAD_PLAN_INPUT = [
    ({"title": ""}, "此项为必填项。"),
    ({"title": "   "}, "此项为必填项。"),
    ({"budget_year": "abc"}, "不是有效的整数"),
    ({"run_year": "abc"}, "不是有效的整数"),
    ({"budget_year": "1800"}, "年度应在 2000 到 2100 之间。"),
    ({"run_year": "1800"}, "年度应在 2000 到 2100 之间。"),
    ({"budget_year": "2021", "run_year": "2020"}, "评价年度不能早于被评价的预算年度。"),
    ({"title": "方" * 201}, "不能超过 200 个字符。"),
    ({"office_section_id": "99999"}, "不是有效的选择"),
    ({"office_section_id": "abc"}, "选择无效"),
    ({"basis_documents": "文" * 301}, "每条依据文件不能超过 300 个字。"),
]


@pytest.mark.parametrize("changes, message", BAD_PLAN_INPUT)
def test_bad_new_plan_input_is_refused_in_chinese(office, office_section, changes, message):
    response = post(office, "/plans/new", plan_form(**changes))
    assert response.status_code == 422
    body = text(response)
    assert message in body
    assert "Not a valid" not in body and "Invalid Choice" not in body
    assert count(Plan) == 0 and count(Stage) == 0


@pytest.mark.parametrize("changes, message", BAD_PLAN_INPUT)
def test_bad_edit_plan_input_is_refused_in_chinese(office, plan, changes, message):
    before = plan_snapshot(plan.id)
    form = plan_form(title=plan.title, budget_year="2019", run_year="2020", basis_documents="新文件")
    form.update(changes)
    response = post(office, f"/plans/{plan.id}/edit", form)
    assert response.status_code == 422
    assert message in text(response)
    assert plan_snapshot(plan.id) == before


def test_plan_form_without_optional_fields_does_not_fail(office, plan):
    """A hand-made POST that leaves out the text areas edits only what it sends."""
    response = post(office, f"/plans/{plan.id}/edit",
                    {"title": "只改标题", "budget_year": "2019", "run_year": "2020"})
    assert response.status_code == 302
    fresh()
    edited = _db.session.get(Plan, plan.id)
    assert edited.title == "只改标题"


def test_unknown_plan_is_404(office):
    assert office.get("/plans/424242").status_code == 404
    assert office.get("/plans/424242/edit").status_code == 404
    assert post(office, "/plans/424242/copy", {"run_year": "2021"}).status_code == 404


# Who may do what ------------------------------------------------------------------------------

OFFICE_PAGES = [
    ("get", "/plans/new"),
    ("post", "/plans/new"),
    ("get", "/plans/{id}/edit"),
    ("post", "/plans/{id}/edit"),
    ("get", "/plans/{id}/stages"),
    ("post", "/plans/{id}/stages"),
    ("get", "/plans/{id}/group"),
    ("post", "/plans/{id}/group"),
    ("post", "/plans/{id}/copy"),
    ("post", "/plans/{id}/projects"),
    ("post", "/plans/{id}/open-self-evaluation"),
]


def _request(client, method, url, plan, business_section):
    url = url.format(id=plan.id)
    if method == "get":
        return client.get(url)
    data = {
        "/plans/new": plan_form(),
        f"/plans/{plan.id}/edit": plan_form(title="改掉的标题", budget_year="2019", run_year="2020"),
        f"/plans/{plan.id}/stages": stage_form(plan, prepare={"name": "改掉的阶段"}),
        f"/plans/{plan.id}/group": {"leader_id": ""},
        f"/plans/{plan.id}/copy": {"run_year": "2021"},
        f"/plans/{plan.id}/projects": {"name": "偷加的项目", "section_id": str(business_section.id)},
        f"/plans/{plan.id}/open-self-evaluation": {},
    }[url]
    return post(client, url, data)


def _everything(plan_id):
    fresh()
    return (plan_snapshot(plan_id), stage_snapshot(plan_id), group_snapshot(plan_id), count(Plan),
            count(Project), sorted(_db.session.scalars(select(Evaluation.state))))


@pytest.mark.parametrize("role", [Role.LEADER, Role.REVIEWER, Role.SECTION_STAFF, Role.FINANCE, Role.ADMIN])
def test_only_the_office_manages_plans(app, plan, business_section, people, role):
    services.add_project(plan, "已有项目", business_section.id)
    services.set_group(plan, people["leader"].id, [], [])
    user = make_user("someone", roles=[role], section=business_section, full_name="某人")
    client = signed_in(app, user)
    before = _everything(plan.id)
    for method, url in OFFICE_PAGES:
        response = _request(client, method, url, plan, business_section)
        assert response.status_code == 403, (role, method, url)
    assert _everything(plan.id) == before


def test_anonymous_visitors_are_sent_to_login(app, plan, business_section):
    client = app.test_client()
    before = _everything(plan.id)
    for method, url in OFFICE_PAGES + [("get", "/plans/"), ("get", "/plans/{id}")]:
        response = _request(client, method, url, plan, business_section)
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/auth/login"), (method, url)
    assert _everything(plan.id) == before


def test_office_reaches_every_management_page(office, plan, business_section):
    for method, url in OFFICE_PAGES:
        response = _request(office, method, url, plan, business_section)
        assert response.status_code in (200, 302), (method, url)


@pytest.mark.parametrize("role", [Role.LEADER, Role.REVIEWER, Role.SECTION_STAFF, Role.FINANCE])
def test_other_roles_read_plans_without_management_links(app, plan, business_section, role):
    user = make_user("reader", roles=[role], section=business_section)
    client = signed_in(app, user)
    index = client.get("/plans/")
    assert index.status_code == 200 and plan.title in text(index)
    assert "新建方案" not in text(index)
    detail = client.get(f"/plans/{plan.id}")
    assert detail.status_code == 200
    body = text(detail)
    assert "准备阶段" in body and "《承德市市级部门预算项目绩效管理办法》" in body
    assert "编辑方案" not in body and "添加项目" not in body and f"/plans/{plan.id}/copy" not in body


def test_plan_detail_shows_the_current_stage_on_a_frozen_clock(office, plan):
    clock.freeze(datetime(2020, 7, 10, 2, 0, tzinfo=timezone.utc))
    body = text(office.get(f"/plans/{plan.id}"))
    current = body.split('data-testid="stage-self_evaluate"')[1].split("</li>")[0]
    assert "进行中" in current
    before = body.split('data-testid="stage-prepare"')[1].split("</li>")[0]
    assert "进行中" not in before


def test_editing_a_group_that_keeps_members(app, db):
    """Changing (组长 L, 副组长 R) to (组长 L, 副组长 R and D) keeps L and R without a clash."""
    from tests.factories import make_user
    from workflow.plans import services
    from workflow.roles import Role

    leader = make_user("grp_leader", roles=[Role.LEADER])
    deputy = make_user("grp_deputy", roles=[Role.REVIEWER])
    other = make_user("grp_other", roles=[Role.REVIEWER])
    plan = services.create_plan(services.PlanData(title="方案", budget_year=2019, run_year=2020))
    services.set_group(plan, leader.id, [deputy.id], [])
    services.set_group(plan, leader.id, [deputy.id, other.id], [])
    db.session.expire_all()
    assert [(m.user_id, m.group_role) for m in plan.members] == [
        (leader.id, "leader"), (deputy.id, "deputy"), (other.id, "deputy")]


def test_a_title_break_for_the_documents_is_not_shown_on_screens(app):
    """"|" in a plan's title is the writer's line break for the printed title only."""
    from tests.factories import make_setup

    org, plan = make_setup()
    plan.title = "承德市应急管理局2020年市级预算绩效部门重点评价|工作方案"
    _db.session.commit()
    assert plan.organisation == "承德市应急管理局"
    for path in (f"/plans/{plan.id}", "/plans/", "/"):
        page = signed_in(app, org.office).get(path).get_data(as_text=True)
        assert "承德市应急管理局2020年市级预算绩效部门重点评价工作方案" in page, path
        assert "重点评价|工作方案" not in page, path
