"""`flask demo` loads the seed's 2020 plan: its stages, working group, basis documents and
projects walked through the workflow into several states; running it again adds nothing."""
from datetime import date

import pytest
from sqlalchemy import func, select

from workflow.extensions import db as _db
from workflow.models import (
    AuditRecord,
    Evaluation,
    Notification,
    Plan,
    PlanMember,
    Project,
    Snapshot,
    Stage,
    Task,
)
from workflow.selfeval import content, services

PLAN_TITLE = "承德市应急管理局2020年市级预算绩效部门重点评价工作方案"

BASIS_DOCUMENTS = [
    "《承德市财政局关于批复2019年市本级部门收支预算的通知》（承财预〔2019〕13号）",
    "《承德市市级部门预算项目绩效管理办法》（承财绩〔2020〕1号）",
    "《承德市市级部门预算绩效重点评价管理办法》（承财绩〔2020〕2号）",
    "《承德市财政局关于印发2020年市级预算绩效部门重点评价的计划通知》（承财评价〔2020〕6号）",
]


@pytest.fixture
def run_demo(app):
    def run():
        result = app.test_cli_runner().invoke(args=["demo"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        _db.session.commit()
        _db.session.expire_all()
        return result

    return run


def counts():
    return {
        model.__tablename__: _db.session.scalar(select(func.count()).select_from(model))
        for model in (Plan, Stage, PlanMember, Project, Evaluation, Task, AuditRecord, Notification, Snapshot)
    }


def the_plan():
    plans = _db.session.scalars(select(Plan)).all()
    assert len(plans) == 1
    return plans[0]


def test_demo_creates_the_seed_plan(run_demo):
    run_demo()
    plan = the_plan()
    assert plan.title == PLAN_TITLE
    assert (plan.budget_year, plan.run_year) == (2019, 2020)
    assert plan.office_section is not None and plan.office_section.name == "规划财务科"
    assert plan.basis_documents == BASIS_DOCUMENTS
    assert "谁使用资金、谁负责绩效评价" in plan.principles
    assert "项目责任科室自评" in plan.method


def test_demo_plan_has_the_seed_stages(run_demo):
    run_demo()
    stages = {s.kind: s for s in the_plan().stages}
    assert [s.name for s in the_plan().stages] == ["准备阶段", "自评阶段", "复核阶段", "报送财政局", "结果应用"]
    assert (stages["prepare"].start_date, stages["prepare"].due_date) == (date(2020, 6, 10), date(2020, 6, 30))
    assert (stages["self_evaluate"].start_date, stages["self_evaluate"].due_date) == (date(2020, 7, 2), date(2020, 7, 30))
    ordered = the_plan().stages
    assert all(a.due_date < b.start_date for a, b in zip(ordered, ordered[1:]))


def test_demo_plan_has_the_seed_working_group(run_demo):
    run_demo()
    plan = the_plan()
    group = {role: [m.user.full_name for m in plan.members if m.group_role == role]
             for role in ("leader", "deputy", "member")}
    assert group == {
        "leader": ["姜立新"],
        "deputy": ["闫洪涛", "曲志清"],
        "member": ["任志华", "王建华", "李东阳", "张玉坤", "王旭", "龚健"],
    }


def test_demo_projects_are_in_several_states(run_demo):
    run_demo()
    plan = the_plan()
    projects = _db.session.scalars(select(Project).where(Project.plan_id == plan.id)).all()
    states = {p.name: p.evaluation.state for p in projects}
    assert len(set(states.values())) >= 5, states
    assert states["2019年度金属非金属矿山“专家会诊”隐患排查项目"] == "submitted"
    assert states["应急物资储备项目"] == "returned"
    assert states["森林草原防灭火宣传培训项目"] == "preparing"
    # Each project has its section, one open task where someone must act, and a history.
    for project in projects:
        assert project.section is not None and project.budget_year == 2019
        open_tasks = _db.session.scalars(select(Task).where(
            Task.evaluation_id == project.evaluation.id, Task.completed_at.is_(None))).all()
        assert len(open_tasks) == 1, project.name
        assert open_tasks[0].state == project.evaluation.state
        history = _db.session.scalars(select(AuditRecord).where(
            AuditRecord.evaluation_id == project.evaluation.id).order_by(AuditRecord.id)).all()
        assert history[0].action == "create"
        assert history[-1].to_state == project.evaluation.state
    returned = next(p for p in projects if p.name == "应急物资储备项目")
    comment = _db.session.scalar(select(AuditRecord.comment).where(
        AuditRecord.evaluation_id == returned.evaluation.id, AuditRecord.action == "return_for_revision"))
    assert comment == "实际储备数量与计划数不一致，请补充说明原因。"


def test_demo_projects_were_submitted_complete_with_their_snapshots(run_demo):
    """Every submission and approval in the demo's history kept its snapshot, fingerprinted;
    what waits for review or approval is complete (it could not have been submitted else)."""
    run_demo()
    snapshot_of = {"submit": "submission", "resubmit": "submission", "approve": "approval",
                   "approve_targets": "targets"}
    snapshotted = 0
    for project in _db.session.scalars(select(Project)):
        evaluation = project.evaluation
        actions = _db.session.scalars(select(AuditRecord.action).where(
            AuditRecord.evaluation_id == evaluation.id).order_by(AuditRecord.id)).all()
        snapshots = _db.session.scalars(
            select(Snapshot).where(Snapshot.evaluation_id == evaluation.id).order_by(Snapshot.id)).all()
        assert [s.kind for s in snapshots] == [snapshot_of[a] for a in actions if a in snapshot_of], project.name
        for snapshot in snapshots:
            assert snapshot.sha256 == content.fingerprint(snapshot.data)
            assert snapshot.data["project"]["name"] == project.name
        if evaluation.state in ("submitted", "reviewed", "approved"):
            assert services.completeness_problems(evaluation) == [], project.name
        snapshotted += bool(snapshots)
    assert snapshotted >= 3


def test_running_demo_twice_adds_nothing(run_demo):
    run_demo()
    before = counts()
    # Six projects and the department's own evaluation (部门整体).
    assert before[Plan.__tablename__] == 1 and before[Project.__tablename__] == 7
    assert before[Task.__tablename__] > 6 and before[AuditRecord.__tablename__] > 6
    states = sorted(_db.session.scalars(select(Evaluation.state)))
    result = run_demo()
    assert counts() == before
    assert sorted(_db.session.scalars(select(Evaluation.state))) == states
    assert "已存在" in result.output


def test_demo_has_the_departments_evaluation_waiting_for_review(run_demo):
    """承德市应急管理局's 2019 部门整体 evaluation, filled in by 规划财务科 with main tasks naming the
    seed plan's projects, submitted."""
    run_demo()
    project = _db.session.scalar(select(Project).where(Project.scope == "department"))
    assert project.section.name == "规划财务科" and project.budget_year == 2019
    evaluation = project.evaluation
    assert evaluation.state == "submitted" and evaluation.submitted_by.username == "gongjian"
    served = {p.name for task in evaluation.department_tasks for p in task.projects}
    assert "2019年度金属非金属矿山“专家会诊”隐患排查项目" in served and len(served) == 6
    assert services.completeness_problems(evaluation) == []
