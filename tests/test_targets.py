"""Approved targets (绩效目标审核 and 目标调整): the section files its targets, the office
approves or returns them through the engine (tasks, due dates, audit); approved targets are
fixed (shown read-only in the 自评表, a forged POST refused); a change is a request the
office approves or refuses, and until approved nothing changes. Services without HTTP; the
pages through the test client."""
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.conftest import post, signed_in
from workflow.engine import actions, tasks, workdays
from workflow.errors import ServiceError
from workflow.extensions import db as _db
from workflow.models import AuditRecord, Evaluation, Notification, Snapshot, TargetChange, Task
from workflow.plans import services as plans
from workflow.selfeval import services as selfeval
from workflow.selfeval.edits import EvaluationEdit, IndicatorEdit
from workflow.selfeval.framework import EXECUTION_RATE
from workflow.targets import record
from workflow.targets import services as targets

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def world(app):
    """An Org and a plan whose targets the office approves, with one project in 准备中."""
    org, plan = factories.make_setup()
    plan.targets_approval = True
    _db.session.commit()
    project = factories.make_project(plan, "应急物资储备项目", org.section_a, org.office)
    return org, plan, project.evaluation


def reload(evaluation_id):
    _db.session.commit()
    _db.session.expire_all()
    return _db.session.get(Evaluation, evaluation_id)


def first_indicator(evaluation):
    return next(ind for ind in evaluation.indicators if ind.kind != EXECUTION_RATE)


def open_tasks(evaluation):
    return _db.session.scalars(select(Task).where(Task.evaluation_id == evaluation.id,
                                                  Task.completed_at.is_(None))).all()


def last_audit(evaluation):
    return _db.session.scalars(select(AuditRecord).where(AuditRecord.evaluation_id == evaluation.id)
                               .order_by(AuditRecord.id.desc()).limit(1)).one()


def approved_evaluation(world, state="targets_approved"):
    org, plan, evaluation = world
    factories.walk_to(evaluation, state, org)
    return reload(evaluation.id)


# The approval through the engine ------------------------------------------------------------


def test_targets_are_submitted_returned_and_approved_with_tasks_and_audit(world):
    org, plan, evaluation = world
    # Without its targets the section cannot submit them; self-evaluation cannot open yet.
    reason = actions.refusal(evaluation, "submit_targets", org.staff_a)
    assert reason and "绩效目标尚未填写完整" in reason
    with pytest.raises(ServiceError, match="当前状态"):
        actions.perform(evaluation.id, "open_self_evaluation", org.office)
    assert "submit_targets" not in [t.trigger for t in actions.available(evaluation, org.office)]

    factories.fill_targets(evaluation)
    with pytest.raises(ServiceError):
        actions.perform(evaluation.id, "submit_targets", org.staff_b)   # another section's
    actions.perform(evaluation.id, "submit_targets", org.staff_a)
    evaluation = reload(evaluation.id)
    assert evaluation.state == "targets_submitted"
    (task,) = open_tasks(evaluation)
    assert (task.state, task.role, task.section_id) == ("targets_submitted", "office", None)
    assert task.due_date == workdays.on_or_after(plan.stage("prepare").due_date)
    assert tasks.label(task) == "审核绩效目标"
    assert task in tasks.inbox(org.office)
    assert (last_audit(evaluation).action, last_audit(evaluation).actor_id) == ("submit_targets", org.staff_a.id)
    # The office was told (a new task's notification).
    assert _db.session.scalar(select(func.count()).select_from(Notification)
                              .where(Notification.user_id == org.office.id)) >= 1

    with pytest.raises(ServiceError, match="退回时必须填写意见"):
        actions.perform(evaluation.id, "return_targets", org.office)
    actions.perform(evaluation.id, "return_targets", org.office, comment="请细化数量指标。")
    evaluation = reload(evaluation.id)
    assert evaluation.state == "preparing"
    (task,) = open_tasks(evaluation)
    assert (task.role, task.section_id) == ("section_staff", org.section_a.id)
    assert (last_audit(evaluation).action, last_audit(evaluation).comment) == ("return_targets", "请细化数量指标。")
    assert record.approved(evaluation) is None

    actions.perform(evaluation.id, "submit_targets", org.staff_a)
    actions.perform(evaluation.id, "approve_targets", org.office)
    evaluation = reload(evaluation.id)
    assert evaluation.state == "targets_approved"
    kept = record.approved(evaluation)
    ind = first_indicator(evaluation)
    assert kept.data["indicators"][str(ind.id)] == {"name": ind.name, "nature": ">=", "unit": "", "target": "100",
                                                    "target_text": ""}
    assert kept.data["overall_target"] == "完成年度目标"
    assert last_audit(evaluation).action == "approve_targets"

    actions.perform(evaluation.id, "open_self_evaluation", org.office)
    assert reload(evaluation.id).state == "self_evaluating"


def test_a_plan_without_targets_approval_opens_self_evaluation_from_preparing(app):
    org, plan = factories.make_setup()
    evaluation = factories.make_project(plan, "应急物资储备项目", org.section_a, org.office).evaluation
    factories.fill_targets(evaluation)
    assert "不能执行" in actions.refusal(evaluation, "submit_targets", org.staff_a)
    actions.perform(evaluation.id, "open_self_evaluation", org.office)
    evaluation = reload(evaluation.id)
    assert evaluation.state == "self_evaluating"
    assert not record.fixed(evaluation)


def test_bulk_opening_takes_the_projects_whose_targets_are_approved(world):
    org, plan, evaluation = world
    factories.walk_to(evaluation, "targets_approved", org)
    waiting = factories.make_project(plan, "危险化学品监测预警项目", org.section_b, org.office).evaluation
    done, refused = plans.open_self_evaluation(plan, org.office)
    assert (done, refused) == ([evaluation.id], [])
    assert reload(evaluation.id).state == "self_evaluating"
    assert reload(waiting.id).state == "preparing"


def test_the_plan_option_is_fixed_once_targets_were_submitted(world):
    org, plan, evaluation = world
    data = plans.PlanData(title=plan.title, budget_year=plan.budget_year, run_year=plan.run_year,
                          targets_approval=False)
    factories.walk_to(evaluation, "targets_submitted", org)
    with pytest.raises(ServiceError, match="不能再更改绩效目标审核要求") as refused:
        plans.update_plan(plan, data)
    assert refused.value.code == "conflict"
    _db.session.expire_all()
    assert _db.session.get(type(plan), plan.id).targets_approval is True


# Fixed after approval -----------------------------------------------------------------------


def test_a_direct_edit_of_approved_targets_is_refused_and_changes_nothing(world):
    org, _plan, evaluation = world
    evaluation = approved_evaluation(world, "self_evaluating")
    ind = first_indicator(evaluation)
    version = evaluation.version
    for change in (IndicatorEdit(ind.id, target="90"), IndicatorEdit(ind.id, nature="<="),
                   IndicatorEdit(ind.id, unit="座")):
        with pytest.raises(ServiceError, match="绩效目标已提交审核或已批复") as refused:
            selfeval.save(evaluation.id, org.staff_a, EvaluationEdit(indicators=[change]))
        assert refused.value.code == "refused"
    with pytest.raises(ServiceError, match="年度总体目标"):
        selfeval.save(evaluation.id, org.staff_a, EvaluationEdit(overall_target="另一个目标"))
    evaluation = reload(evaluation.id)
    ind = first_indicator(evaluation)
    assert (ind.nature, ind.target, ind.unit, evaluation.version) == (">=", Decimal(100), "", version)
    assert evaluation.project.overall_target == "完成年度目标"
    # The same values (a client sending the whole sheet) and the actual values are fine.
    selfeval.save(evaluation.id, org.staff_a, EvaluationEdit(
        overall_target="完成年度目标", indicators=[IndicatorEdit(ind.id, nature=">=", target="100.00", actual="80")]))
    ind = first_indicator(reload(evaluation.id))
    assert (ind.target, ind.actual) == (Decimal(100), Decimal(80))


def test_targets_under_approval_are_fixed_too_and_free_again_after_a_return(world):
    org, _plan, evaluation = world
    factories.walk_to(evaluation, "targets_submitted", org)
    ind = first_indicator(reload(evaluation.id))
    with pytest.raises(ServiceError, match="绩效目标已提交审核"):
        selfeval.save(evaluation.id, org.staff_a, EvaluationEdit(indicators=[IndicatorEdit(ind.id, target="90")]))
    actions.perform(evaluation.id, "return_targets", org.office, comment="请调整。")
    selfeval.save(evaluation.id, org.staff_a, EvaluationEdit(indicators=[IndicatorEdit(ind.id, target="90")]))
    assert first_indicator(reload(evaluation.id)).target == Decimal(90)


# 目标调整 ------------------------------------------------------------------------------------


def test_a_request_changes_nothing_until_the_office_approves_it(world):
    org, _plan, evaluation = world
    evaluation = approved_evaluation(world, "self_evaluating")
    ind = first_indicator(evaluation)
    kept = record.approved(evaluation)
    change = targets.request_change(evaluation.id, org.staff_a, [targets.IndicatorTarget(ind.id, target="95", unit="%")],
                                    reason="部分矿山停产，无法按计划排查。")
    evaluation = reload(evaluation.id)
    assert first_indicator(evaluation).target == Decimal(100)
    assert record.approved(evaluation).id == kept.id
    assert change.status == "pending"
    assert change.items == [{"indicator_id": ind.id, "name": ind.name,
                             "old": {"nature": ">=", "unit": "", "target": "100", "target_text": ""},
                             "new": {"nature": ">=", "unit": "%", "target": "95", "target_text": ""}}]
    assert (last_audit(evaluation).action, last_audit(evaluation).comment) == \
        ("target_change_request", "部分矿山停产，无法按计划排查。")
    assert _db.session.scalar(select(Notification.text).where(Notification.user_id == org.office.id)
                              .order_by(Notification.id.desc()).limit(1)).endswith("申请调整绩效目标，待办公室审核。")
    assert [c.id for c in targets.pending_queue()] == [change.id]
    # One request at a time; the direct edit stays refused while it waits.
    with pytest.raises(ServiceError, match="已有待审核") as second:
        targets.request_change(evaluation.id, org.staff_a, [targets.IndicatorTarget(ind.id, target="90")], reason="再调")
    assert second.value.code == "conflict"
    with pytest.raises(ServiceError, match="绩效目标已提交审核或已批复"):
        selfeval.save(evaluation.id, org.staff_a, EvaluationEdit(indicators=[IndicatorEdit(ind.id, target="95")]))

    # Only the office decides.
    with pytest.raises(ServiceError, match="只有评价办公室"):
        targets.decide(change.id, org.leader, True)
    version = reload(evaluation.id).version
    targets.decide(change.id, org.office, True, "同意。")
    evaluation = reload(evaluation.id)
    ind = first_indicator(evaluation)
    assert (ind.target, ind.unit) == (Decimal(95), "%")
    assert evaluation.version > version
    latest = record.approved(evaluation)
    assert latest.id != kept.id and latest.data["indicators"][str(ind.id)]["target"] == "95"
    assert latest.sha256 != kept.sha256
    decided = _db.session.get(TargetChange, change.id)
    assert (decided.status, decided.decided_by_id, decided.decision_comment) == ("approved", org.office.id, "同意。")
    assert last_audit(evaluation).action == "target_change_approved"
    assert _db.session.scalar(select(Notification.text).where(Notification.user_id == org.staff_a.id)
                              .order_by(Notification.id.desc()).limit(1)).endswith("同意调整绩效目标。")
    with pytest.raises(ServiceError, match="已处理"):
        targets.decide(change.id, org.office, False, "不同意")
    assert targets.pending_queue() == []


def test_a_refused_request_changes_nothing(world):
    org, _plan, evaluation = world
    evaluation = approved_evaluation(world)
    ind = first_indicator(evaluation)
    change = targets.request_change(evaluation.id, org.staff_a, [targets.IndicatorTarget(ind.id, nature="qualitative",
                                                                                         target="基本完成")],
                                    overall_target="完成主要目标", reason="任务调整。")
    assert [item["indicator_id"] for item in change.items] == [None, ind.id]
    with pytest.raises(ServiceError, match="不同意调整时必须填写意见"):
        targets.decide(change.id, org.office, False, "")
    targets.decide(change.id, org.office, False, "理由不充分。")
    evaluation = reload(evaluation.id)
    ind = first_indicator(evaluation)
    assert (ind.nature, ind.target, ind.target_text) == (">=", Decimal(100), "")
    assert evaluation.project.overall_target == "完成年度目标"
    assert _db.session.scalars(select(Snapshot.kind).where(Snapshot.evaluation_id == evaluation.id)).all() == ["targets"]
    assert last_audit(evaluation).action == "target_change_refused"
    assert _db.session.get(TargetChange, change.id).status == "refused"


@pytest.mark.parametrize("who, asked, reason, message, code", [
    ("staff_a", "first", "", "请填写调整原因", "invalid"),
    ("staff_a", "unknown", "原因", "不属于该项目", "invalid"),
    ("staff_a", "rate", "原因", "不属于该项目或不能调整", "invalid"),
    ("staff_a", "same", "原因", "没有需要调整的内容", "invalid"),
    ("staff_a", "letters", "原因", "应为不小于 0", "invalid"),
    ("staff_b", "first", "原因", "只有项目责任科室的经办人", "refused"),
    ("office", "first", "原因", "只有项目责任科室的经办人", "refused"),
])
def test_bad_requests_are_refused_in_chinese_and_store_nothing(world, who, asked, reason, message, code):
    org, _plan, evaluation = world
    evaluation = approved_evaluation(world)
    ind = first_indicator(evaluation)
    rate = next(i for i in evaluation.indicators if i.kind == EXECUTION_RATE)
    rows = {"first": [targets.IndicatorTarget(ind.id, target="90")],
            "unknown": [targets.IndicatorTarget(ind.id + 10000, target="90")],
            "rate": [targets.IndicatorTarget(rate.id, target="90")],
            "same": [targets.IndicatorTarget(ind.id, target="100.0")],
            "letters": [targets.IndicatorTarget(ind.id, target="九十")]}[asked]
    audits = _db.session.scalar(select(func.count()).select_from(AuditRecord))
    with pytest.raises(ServiceError) as refused:
        targets.request_change(evaluation.id, getattr(org, who), rows, reason=reason)
    assert message in refused.value.message and HAN.search(refused.value.message)
    assert refused.value.code == code
    assert _db.session.scalar(select(func.count()).select_from(TargetChange)) == 0
    assert _db.session.scalar(select(func.count()).select_from(AuditRecord)) == audits
    assert first_indicator(reload(evaluation.id)).target == Decimal(100)


def test_no_request_before_approval_or_once_under_review(world):
    org, _plan, evaluation = world
    assert "尚未批复" in targets.request_refusal(evaluation, org.staff_a)
    factories.walk_to(evaluation, "submitted", org)
    assert "已提交复核" in targets.request_refusal(reload(evaluation.id), org.staff_a)


def test_an_approval_waits_while_the_evaluation_is_under_review(world):
    org, _plan, evaluation = world
    evaluation = approved_evaluation(world, "self_evaluating")
    ind = first_indicator(evaluation)
    change = targets.request_change(evaluation.id, org.staff_a, [targets.IndicatorTarget(ind.id, target="95")],
                                    reason="原因")
    factories.fill_complete(evaluation)
    actions.perform(evaluation.id, "submit", org.staff_a)
    with pytest.raises(ServiceError, match="可不同意该申请") as refused:
        targets.decide(change.id, org.office, True)
    assert refused.value.code == "conflict"
    assert first_indicator(reload(evaluation.id)).target == Decimal(100)
    targets.decide(change.id, org.office, False, "已提交复核。")


def test_the_report_tells_the_history_of_target_changes(world):
    from workflow.documents.reports import report_data

    org, plan, evaluation = world
    evaluation = approved_evaluation(world, "self_evaluating")
    assert report_data(evaluation)["target_changes"] == []
    assert report_data(evaluation)["targets_approved"] is True
    ind = first_indicator(evaluation)
    change = targets.request_change(evaluation.id, org.staff_a, [targets.IndicatorTarget(ind.id, target="95")],
                                    reason="部分矿山停产。")
    assert report_data(evaluation)["target_changes"] == []   # not decided yet
    targets.decide(change.id, org.office, True, "同意。")
    (row,) = report_data(reload(evaluation.id))["target_changes"]
    assert (row["name"], row["old"], row["new"], row["reason"]) == (ind.name, "≥ 100", "≥ 95", "部分矿山停产。")
    assert row["requested"].startswith("原立吉 ") and row["decision"] == "同意（同意。）"


def test_the_demo_approves_the_seed_projects_targets_and_leaves_one_request_waiting(app):
    from workflow import demo
    from workflow.models import Project

    demo.load_demo()
    mine = _db.session.scalar(select(Project).where(Project.name == factories.SEED_MINE))
    assert mine.plan.targets_approval
    kept = record.approved(mine.evaluation)
    assert kept is not None and kept.data["overall_target"].startswith("对全市286个金属非金属矿山")
    (waiting,) = targets.pending_queue()
    assert waiting.evaluation.project.name == "危险化学品企业安全生产执法检查项目"
    assert waiting.items[0]["new"]["target"] == "95"


# Pages -------------------------------------------------------------------------------------


def test_the_form_shows_approved_targets_read_only(app, world):
    org, _plan, evaluation = world
    evaluation = approved_evaluation(world, "self_evaluating")
    ind = first_indicator(evaluation)
    client = signed_in(app, org.staff_a)
    page = client.get(f"/evaluations/{evaluation.id}/form")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-testid="targets-fixed"' in html
    for field in ("nature", "unit", "target"):
        assert f'name="ind-{ind.id}-{field}"' not in html
    assert f'name="ind-{ind.id}-actual"' in html     # the actual values are the section's to type
    assert 'name="overall_target"' not in html and 'data-testid="approved-goal">完成年度目标<' in html
    assert re.search(rf'data-nature="&gt;=" data-target="100" data-fixed>', html)
    assert 'data-testid="fixed-target">100<' in html and "正向（≥）" in html


def test_a_forged_post_of_a_target_is_refused_and_changes_nothing(app, world):
    org, _plan, evaluation = world
    evaluation = approved_evaluation(world, "self_evaluating")
    ind = first_indicator(evaluation)
    client = signed_in(app, org.staff_a)
    response = post(client, f"/evaluations/{evaluation.id}/form",
                    {"version": evaluation.version, f"ind-{ind.id}-target": "1", f"ind-{ind.id}-actual": "100"})
    assert response.status_code == 403
    assert "绩效目标已提交审核或已批复" in response.get_data(as_text=True)
    ind = first_indicator(reload(evaluation.id))
    assert (ind.target, ind.actual) == (Decimal(100), None)


def test_request_and_decision_through_the_pages(app, world):
    org, _plan, evaluation = world
    evaluation = approved_evaluation(world, "self_evaluating")
    ind = first_indicator(evaluation)
    url = f"/targets/evaluations/{evaluation.id}/change"
    staff = signed_in(app, org.staff_a)
    assert 'data-testid="request-change"' in staff.get(f"/evaluations/{evaluation.id}").get_data(as_text=True)
    page = staff.get(url)
    assert page.status_code == 200 and f'name="ind-{ind.id}-target"' in page.get_data(as_text=True)

    missing = post(staff, url, {f"ind-{ind.id}-target": "95", "reason": ""})
    assert missing.status_code == 422 and "请填写调整原因" in missing.get_data(as_text=True)
    unknown = post(staff, url, {f"ind-{ind.id + 999}-target": "95", "reason": "原因"})
    assert unknown.status_code == 422 and "不属于该项目" in unknown.get_data(as_text=True)
    other = signed_in(app, org.staff_b)   # another section's staff does not see the evaluation at all
    assert other.get(url).status_code == 403
    forged = post(other, url, {f"ind-{ind.id}-target": "95", "reason": "原因"})
    assert forged.status_code == 403 and "无权访问" in forged.get_data(as_text=True)
    assert post(signed_in(app, org.office), url, {"reason": "原因"}).status_code == 403   # not section staff
    assert staff.post(url, data={f"ind-{ind.id}-target": "95", "reason": "原因"}).status_code == 400   # no CSRF token
    assert _db.session.scalar(select(func.count()).select_from(TargetChange)) == 0

    sent = post(staff, url, {f"ind-{ind.id}-target": "95", f"ind-{ind.id}-unit": "%", "reason": "部分矿山停产。"})
    assert sent.status_code == 302
    (change,) = _db.session.scalars(select(TargetChange)).all()
    shown = staff.get(f"/evaluations/{evaluation.id}").get_data(as_text=True)
    assert 'data-change-status="pending"' in shown and "部分矿山停产。" in shown and "≥ 95%" in shown
    assert 'data-testid="request-change"' not in shown       # one request at a time
    assert 'data-testid="decide-change"' not in shown        # the section does not decide

    office = signed_in(app, org.office)
    queue = office.get("/targets/changes")
    assert queue.status_code == 200 and "应急物资储备项目" in queue.get_data(as_text=True)
    assert staff.get("/targets/changes").status_code == 403
    assert post(staff, f"/targets/changes/{change.id}/decide", {"decision": "approve"}).status_code == 403
    bad = post(office, f"/targets/changes/{change.id}/decide", {"decision": "maybe"})
    assert bad.status_code == 422 and "请选择同意或不同意" in bad.get_data(as_text=True)
    refused = post(office, f"/targets/changes/{change.id}/decide", {"decision": "refuse", "comment": ""})
    assert refused.status_code == 422 and "不同意调整时必须填写意见" in refused.get_data(as_text=True)
    assert post(office, "/targets/changes/99999/decide", {"decision": "approve"}).status_code == 404
    assert first_indicator(reload(evaluation.id)).target == Decimal(100)

    done = post(office, f"/targets/changes/{change.id}/decide", {"decision": "approve", "comment": "同意。",
                                                                  "back": "evaluation"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/evaluations/{evaluation.id}")
    ind = first_indicator(reload(evaluation.id))
    assert (ind.target, ind.unit) == (Decimal(95), "%")
    shown = staff.get(f"/evaluations/{evaluation.id}").get_data(as_text=True)
    assert 'data-change-status="approved"' in shown and "审核意见：同意。" in shown
    form = staff.get(f"/evaluations/{evaluation.id}/form").get_data(as_text=True)
    assert 'data-testid="fixed-target">95<' in form


def test_the_plan_form_sets_the_option(app):
    org, plan = factories.make_setup()
    office = signed_in(app, org.office)
    page = office.get(f"/plans/{plan.id}/edit").get_data(as_text=True)
    assert 'name="targets_approval"' in page and "绩效目标须经办公室审核" in page
    response = post(office, f"/plans/{plan.id}/edit", {
        "title": plan.title, "budget_year": plan.budget_year, "run_year": plan.run_year,
        "targets_approval": "yes"})
    assert response.status_code == 302, response.get_data(as_text=True)
    _db.session.expire_all()
    assert _db.session.get(type(plan), plan.id).targets_approval is True


@pytest.mark.documents
def test_the_pdf_and_word_reports_print_the_target_changes(world):
    """The rendered report (WeasyPrint, and the .docx) carries the 目标调整情况 table."""
    import io

    from docx import Document

    from tests.pdf_checks import squeeze, text_of
    from workflow.documents.reports import render_report, report_data
    from workflow.documents.word.report import build_report

    org, _plan, evaluation = world
    evaluation = approved_evaluation(world, "self_evaluating")
    ind = first_indicator(evaluation)
    change = targets.request_change(evaluation.id, org.staff_a, [targets.IndicatorTarget(ind.id, target="95")],
                                    reason="部分矿山停产。")
    targets.decide(change.id, org.office, True, "同意。")
    evaluation = reload(evaluation.id)
    text = squeeze(text_of(render_report(evaluation, draft=True)))
    assert "本项目年度内绩效目标调整情况如下" in text
    assert "部分矿山停产。" in text and "≥95" in text and "同意（同意。）" in text
    document = Document(io.BytesIO(build_report(report_data(evaluation, draft=True))))
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert {"调整后目标", "≥ 95", "部分矿山停产。"} <= cells


def test_the_demo_pages_show_the_targets_workflow(app):
    """On the demo (a plan with targets approval): the board, the overview, the plan's workflow
    help and diagram, the office's queue and every project's page answer, and the waiting
    request is on its project's page with the office's buttons."""
    from workflow import demo
    from workflow.models import Plan, Project, User

    demo.load_demo()
    plan = _db.session.scalar(select(Plan))
    office = signed_in(app, _db.session.scalar(select(User).where(User.username == "yanhongtao")), "demo2020")
    for path in ("/work/board", "/overview/", f"/plans/{plan.id}", f"/help/workflow?plan={plan.id}",
                 f"/help/workflow.svg?plan={plan.id}&state=targets_approved", "/targets/changes"):
        response = office.get(path, follow_redirects=True)
        assert response.status_code == 200, path
    board = office.get("/work/board").get_data(as_text=True)
    assert "待审核目标" in board and "目标已批复" in board
    for project in _db.session.scalars(select(Project)):
        page = office.get(f"/evaluations/{project.evaluation.id}")
        assert page.status_code == 200, project.name
        if project.name == "危险化学品企业安全生产执法检查项目":
            html = page.get_data(as_text=True)
            assert 'data-change-status="pending"' in html and 'data-testid="decide-change"' in html


def test_the_office_approves_several_projects_targets_from_its_queue(app, world):
    org, plan, evaluation = world
    other = factories.make_project(plan, "危险化学品监测预警项目", org.section_b, org.office).evaluation
    factories.walk_to(evaluation, "targets_submitted", org)
    factories.walk_to(other, "targets_submitted", org)
    office = signed_in(app, org.office)
    queue = office.get("/targets/changes").get_data(as_text=True)
    assert 'data-testid="submitted-targets"' in queue and "危险化学品监测预警项目" in queue
    assert post(office, "/targets/approve", {}).status_code == 422
    assert post(signed_in(app, org.staff_a), "/targets/approve", {"evaluation_id": evaluation.id}).status_code == 403
    response = post(office, "/targets/approve", {"evaluation_id": [evaluation.id, other.id]})
    assert response.status_code == 302
    assert {reload(evaluation.id).state, reload(other.id).state} == {"targets_approved"}
    assert record.approved(reload(other.id)) is not None


def test_next_years_plan_keeps_the_targets_approval(world):
    _org, plan, _evaluation = world
    assert plans.copy_plan(plan).targets_approval is True


def test_the_api_refuses_a_change_of_approved_targets(app, world):
    from tests.api_helpers import ApiClient, assert_error

    org, _plan, evaluation = world
    evaluation = approved_evaluation(world, "self_evaluating")
    ind = first_indicator(evaluation)
    api = ApiClient(app, org.staff_a)
    error = assert_error(api.patch(f"/api/v1/evaluations/{evaluation.id}",
                                   {"version": evaluation.version, "indicators": [{"id": ind.id, "target": "1"}]}),
                         403, "refused")
    assert "绩效目标已提交审核或已批复" in error["message"]
    assert first_indicator(reload(evaluation.id)).target == Decimal(100)
    saved = api.patch(f"/api/v1/evaluations/{evaluation.id}",
                      {"version": evaluation.version, "indicators": [{"id": ind.id, "actual": "90"}]})
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert first_indicator(reload(evaluation.id)).actual == Decimal(90)


def test_the_evaluation_page_says_what_the_targets_still_need(app, world):
    org, _plan, evaluation = world
    staff = signed_in(app, org.staff_a)
    html = staff.get(f"/evaluations/{evaluation.id}").get_data(as_text=True)
    assert 'data-testid="target-problems"' in html and "请填写年度总体目标。" in html
    assert 'data-testid="action-submit_targets"' not in html
    factories.fill_targets(evaluation)
    html = staff.get(f"/evaluations/{evaluation.id}").get_data(as_text=True)
    assert 'data-testid="target-problems"' not in html and 'data-testid="action-submit_targets"' in html
    # The office sees its decision once they are submitted.
    actions.perform(evaluation.id, "submit_targets", org.staff_a)
    office = signed_in(app, org.office).get(f"/evaluations/{evaluation.id}").get_data(as_text=True)
    assert 'data-testid="action-approve_targets"' in office and 'data-testid="action-return_targets"' in office


def test_the_request_page_posted_whole_asks_only_for_what_was_changed(app):
    """The seed's mine project (qualitative and quantitative rows): the request page posted as
    rendered, with one target changed, asks for that one change only."""
    from html import unescape

    from workflow import demo_content

    org, plan = factories.make_setup()
    plan.targets_approval = True
    _db.session.commit()
    evaluation = factories.make_seed_mine(org, plan)   # filled as the seed's report has it
    actions.perform(evaluation.id, "submit_targets", org.staff_a)
    actions.perform(evaluation.id, "approve_targets", org.office)
    staff = signed_in(app, org.staff_a)
    url = f"/targets/evaluations/{evaluation.id}/change"
    html = staff.get(url).get_data(as_text=True)
    fields = {name: unescape(value) for name, value in re.findall(r'<input[^>]* name="(ind-[^"]+)" [^>]*value="([^"]*)"', html)}
    for select_name, body in re.findall(r'<select[^>]* name="(ind-[^"]+)"[^>]*>(.*?)</select>', html, re.S):
        fields[select_name] = unescape(re.search(r'<option value="([^"]*)" selected>', body).group(1))
    fields["overall_target"] = demo_content.MINE_TARGET
    mines = next(ind for ind in reload(evaluation.id).indicators if ind.name == "排查整治事故隐患数量")
    assert fields[f"ind-{mines.id}-target"] == "3000" and fields[f"ind-{mines.id}-nature"] == ">="
    fields[f"ind-{mines.id}-target"] = "2800"
    response = post(staff, url, {**fields, "reason": "部分矿山停产。"})
    assert response.status_code == 302, response.get_data(as_text=True)
    (change,) = _db.session.scalars(select(TargetChange)).all()
    assert [(item["name"], item["old"]["target"], item["new"]["target"]) for item in change.items] == \
        [("排查整治事故隐患数量", "3000", "2800")]
