"""Reporting to the finance bureau (报送) and what follows: a submission composed from approved
evaluations and their frozen approval snapshots, the summary table and its totals, who may see
what, the bureau's feedback, result application, and rectification items (问题整改) tracked as
section tasks until closed."""
import re
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.conftest import post, signed_in
from workflow import clock
from workflow.engine import actions, tasks
from workflow.errors import ServiceError
from workflow.extensions import db as _db
from workflow.models import AuditRecord, Evaluation, Rectification, Submission, SubmissionItem, Task
from workflow.roles import Role
from workflow.selfeval import content
from workflow.selfeval.services import last_snapshot
from workflow.submissions import services

D = Decimal
TODAY = date(2020, 9, 1)  # in 结果应用, the office's calendar day


@pytest.fixture(autouse=True)
def _frozen_clock():
    clock.freeze(datetime(2020, 9, 1, 2, 0, tzinfo=timezone.utc))  # 10:00 in Beijing
    yield
    clock.freeze(None)


@pytest.fixture
def world(app):
    return factories.make_setup()


@pytest.fixture
def two(world):
    org, plan = world
    first = factories.make_approved(plan, org, "应急物资储备项目", org.section_a, "100", "80")
    second = factories.make_approved(plan, org, "矿山隐患排查项目", org.section_b, "206.632", "172.743")
    return org, plan, first, second


def html(response, status=200):
    assert response.status_code == status, response.status_code
    return response.get_data(as_text=True)


def reload(model, id_):
    _db.session.commit()
    _db.session.expire_all()
    return _db.session.get(model, id_)


def count(model):
    return _db.session.scalar(select(func.count()).select_from(model))


def reported(world, name="应急物资储备项目", section=None):
    """A reported evaluation (composed through the service)."""
    org, plan = world
    evaluation = factories.make_approved(plan, org, name, section or org.section_a, "100", "80")
    services.compose(plan, [evaluation.id], "第一批", "", org.office)
    return reload(Evaluation, evaluation.id)


# Composing a submission ----------------------------------------------------------------------


def check_submission(submission, first, second):
    assert [item.evaluation_id for item in submission.items] == [first.id, second.id]
    for item in submission.items:
        evaluation = reload(Evaluation, item.evaluation_id)
        assert evaluation.state == "reported"
        snapshot = last_snapshot(evaluation, "approval")
        assert item.snapshot_id == snapshot.id and snapshot.kind == "approval"
        assert snapshot.sha256 == content.fingerprint(snapshot.data)


def test_compose_through_the_service(two):
    org, plan, first, second = two
    submission, refused = services.compose(plan, [first.id, second.id], " 2019年度评价结果报送 ", "请审阅。", org.office)
    assert refused == []
    submission = reload(Submission, submission.id)
    assert (submission.title, submission.note, submission.plan_id, submission.created_by_id) == (
        "2019年度评价结果报送", "请审阅。", plan.id, org.office.id)
    check_submission(submission, first, second)
    assert services.ready_to_report(plan) == []
    assert [r.action for r in _db.session.scalars(
        select(AuditRecord).where(AuditRecord.evaluation_id == first.id).order_by(AuditRecord.id))][-1] == "report"


def test_compose_through_the_page(app, two):
    org, plan, first, second = two
    office = signed_in(app, org.office)
    page = html(office.get(f"/submissions/?plan={plan.id}"))
    assert f'action="/submissions/compose?plan={plan.id}"' in page
    assert re.findall(r'name="evaluation_id" value="(\d+)" checked', page) == [str(first.id), str(second.id)]

    response = post(office, f"/submissions/compose?plan={plan.id}",
                    {"title": "2019年度评价结果报送", "note": "", "evaluation_id": [str(first.id), str(second.id)]})
    assert response.status_code == 302
    submission = _db.session.scalar(select(Submission))
    assert response.headers["Location"].endswith(f"/submissions/{submission.id}")
    check_submission(submission, first, second)
    page = html(office.get(response.headers["Location"]))
    assert "已报送 2 个项目。" in page
    assert "没有已审批待报送的项目。" in html(office.get(f"/submissions/?plan={plan.id}"))


def test_summary_rows_come_from_the_frozen_snapshots(app, two):
    org, plan, first, second = two
    # The live rows drift after approval (say a later correction in the database): the
    # submission still reports what was approved.
    content.funding(first)["total"].executed = D("1")
    first.total_score = D("50")
    _db.session.commit()
    submission, _refused = services.compose(plan, [first.id, second.id], "报送", "", org.office)

    rows = services.rows_of(reload(Submission, submission.id))
    assert [(r.project, r.section) for r in rows] == [("应急物资储备项目", factories.SECTION_A),
                                                      ("矿山隐患排查项目", factories.SECTION_B)]
    a, b = rows
    assert (a.budget, a.executed, a.rate) == (D("100"), D("80"), D("0.8"))
    assert (a.score, a.grade, str(a.grade_label)) == (D("98"), "excellent", "优")  # 100 − (10 − 8)
    assert (b.budget, b.executed) == (D("206.632"), D("172.743"))
    assert b.rate.quantize(D("0.0001")) == D("0.8360")
    assert (b.score, str(b.grade_label)) == (D("98.36"), "优")

    budget, executed, rate = services.totals(rows)
    assert (budget, executed) == (D("306.632"), D("252.743"))
    assert rate == D("252.743") / D("306.632")

    page = html(signed_in(app, org.office).get(f"/submissions/{submission.id}"))
    table = page[page.index('data-testid="summary"'):]
    assert "80.00%" in table and "83.60%" in table and "82.43%" in table
    assert ">98<" in table and ">98.36<" in table and ">优<" in table
    assert ">306.632<" in table and ">252.743<" in table
    assert ">50<" not in table  # the drifted score is not what was reported


@pytest.mark.parametrize("state", ["reviewed", "submitted", "self_evaluating"])
def test_an_unapproved_evaluation_is_refused_and_nothing_is_created(world, state):
    org, plan = world
    good = factories.make_approved(plan, org, "已审批项目", org.section_a, "100", "80")
    bad = factories.make_evaluation(plan, org, state, name="未审批项目", section=org.section_b)
    with pytest.raises(ServiceError) as refused:
        services.compose(plan, [good.id, bad.id], "报送", "", org.office)
    assert refused.value.message == "所选项目中有未审批或已报送的项目，请刷新后重试。"
    assert count(Submission) == 0 and count(SubmissionItem) == 0
    assert reload(Evaluation, good.id).state == "approved"
    assert reload(Evaluation, bad.id).state == state


def test_an_already_submitted_evaluation_is_refused(world):
    org, plan = world
    evaluation = reported(world)
    another = factories.make_approved(plan, org, "第二个项目", org.section_b, "50", "50")
    with pytest.raises(ServiceError) as refused:
        services.compose(plan, [another.id, evaluation.id], "第二批", "", org.office)
    assert refused.value.message == "所选项目中有未审批或已报送的项目，请刷新后重试。"
    assert count(Submission) == 1 and count(SubmissionItem) == 1
    assert reload(Evaluation, another.id).state == "approved"


def test_an_evaluation_of_another_plan_is_refused(world):
    org, plan = world
    other_plan = factories.make_plan(title="另一方案", run_year=2021, budget_year=2020)
    elsewhere = factories.make_approved(other_plan, org, "他方案项目", org.section_a, "100", "80")
    with pytest.raises(ServiceError):
        services.compose(plan, [elsewhere.id], "报送", "", org.office)
    assert count(Submission) == 0


@pytest.mark.parametrize("ids,title,message", [
    ([], "报送", "请至少选择一个已审批的项目。"),
    (None, "  ", "请填写报送批次名称。"),
    (None, "批" * 201, "报送批次名称或说明过长。"),
])
def test_compose_refusals(world, ids, title, message):
    org, plan = world
    evaluation = factories.make_approved(plan, org, "已审批项目", org.section_a, "100", "80")
    with pytest.raises(ServiceError) as refused:
        services.compose(plan, [evaluation.id] if ids is None else ids, title, "", org.office)
    assert refused.value.message == message
    assert count(Submission) == 0 and reload(Evaluation, evaluation.id).state == "approved"


def test_compose_page_refusal_creates_nothing(app, world):
    org, plan = world
    evaluation = factories.make_evaluation(plan, org, "reviewed")
    page = html(post(signed_in(app, org.office), f"/submissions/compose?plan={plan.id}",
                     {"title": "报送", "evaluation_id": str(evaluation.id)}, follow_redirects=True), 409)
    assert "所选项目中有未审批或已报送的项目，请刷新后重试。" in page
    assert count(Submission) == 0


# Who sees what -----------------------------------------------------------------------------------


def test_finance_reads_submissions_and_reported_evaluations_only(app, two):
    org, plan, first, second = two
    submission, _refused = services.compose(plan, [first.id], "第一批", "", org.office)
    finance = signed_in(app, org.finance)

    index = html(finance.get(f"/submissions/?plan={plan.id}"))
    assert "第一批" in index
    assert "/submissions/compose" not in index and 'name="evaluation_id"' not in index
    assert 'name="result_summary"' not in index
    detail = html(finance.get(f"/submissions/{submission.id}"))
    main = detail[detail.index("<main"):detail.index("</main>")]
    assert "应急物资储备项目" in main and "<form" not in main  # read-only
    evaluation_page = html(finance.get(f"/evaluations/{first.id}"))
    assert 'data-testid="results"' in evaluation_page
    assert 'name="finance_feedback"' not in evaluation_page and 'name="problem"' not in evaluation_page

    assert finance.get(f"/evaluations/{second.id}").status_code == 403  # approved, not reported
    response = post(finance, f"/submissions/compose?plan={plan.id}", {"title": "x", "evaluation_id": str(second.id)})
    assert response.status_code == 403
    assert reload(Evaluation, second.id).state == "approved"
    assert post(finance, f"/submissions/evaluations/{first.id}/feedback",
                {"finance_feedback": "同意。"}).status_code == 403
    assert post(finance, f"/submissions/plans/{plan.id}/result", {"result_summary": "x"}).status_code == 403


def test_leader_views_section_staff_do_not(app, two):
    org, plan, first, _second = two
    submission, _refused = services.compose(plan, [first.id], "第一批", "", org.office)
    leader = signed_in(app, org.leader)
    index = html(leader.get(f"/submissions/?plan={plan.id}"))
    assert "第一批" in index and "/submissions/compose" not in index
    assert "应急物资储备项目" in html(leader.get(f"/submissions/{submission.id}"))
    staff = signed_in(app, org.staff_a)
    assert staff.get(f"/submissions/?plan={plan.id}").status_code == 403
    assert staff.get(f"/submissions/{submission.id}").status_code == 403
    assert app.test_client().get("/submissions/").status_code == 302  # anonymous: to the login page


def test_plan_result_summary_page(app, world):
    org, plan = world
    office = signed_in(app, org.office)
    page = html(post(office, f"/submissions/plans/{plan.id}/result",
                     {"result_summary": "  评价结果作为2021年预算安排的重要依据。 "}, follow_redirects=True))
    assert "已保存方案的结果应用情况。" in page
    assert reload(type(plan), plan.id).result_summary == "评价结果作为2021年预算安排的重要依据。"
    page = html(post(office, f"/submissions/plans/{plan.id}/result", {"result_summary": "长" * 10001},
                     follow_redirects=True), 422)
    assert "结果应用说明不能超过 10000 个字。" in page
    assert reload(type(plan), plan.id).result_summary == "评价结果作为2021年预算安排的重要依据。"
    # The leader and the bureau read it; they get no form.
    for who in (org.leader, org.finance):
        page = html(signed_in(app, who).get(f"/submissions/?plan={plan.id}"))
        assert "评价结果作为2021年预算安排的重要依据。" in page and 'name="result_summary"' not in page
    assert post(signed_in(app, org.leader), f"/submissions/plans/{plan.id}/result",
                {"result_summary": "x"}).status_code == 403
    assert post(office, "/submissions/plans/999999/result", {"result_summary": "x"}).status_code == 404


# The finance bureau's feedback and result application -----------------------------------------


def test_feedback_only_for_reported_evaluations(world):
    org, plan = world
    evaluation = factories.make_approved(plan, org, "已审批项目", org.section_a, "100", "80")
    with pytest.raises(ServiceError) as refused:
        services.record_feedback(evaluation, "同意。", org.office)
    assert refused.value.message == "只有已报送的评价才能记录财政局反馈。"
    assert reload(Evaluation, evaluation.id).finance_feedback in (None, "")
    with pytest.raises(ServiceError) as refused:
        actions.perform(evaluation.id, "apply", org.office)


@pytest.mark.parametrize("text,message", [
    ("", "请填写财政局的反馈意见。"),
    ("   ", "请填写财政局的反馈意见。"),
    ("反" * 5001, "反馈意见不能超过 5000 个字。"),
])
def test_feedback_refusals(world, text, message):
    evaluation = reported(world)
    org, _plan = world
    with pytest.raises(ServiceError) as refused:
        services.record_feedback(evaluation, text, org.office)
    assert refused.value.message == message
    assert count(AuditRecord) == _db.session.scalar(
        select(func.count()).select_from(AuditRecord).where(AuditRecord.action != "feedback"))


def test_feedback_is_recorded_then_result_application_may_finish(world):
    org, _plan = world
    evaluation = reported(world)
    with pytest.raises(ServiceError) as refused:
        actions.perform(evaluation.id, "apply", org.office)
    assert refused.value.message == "请先记录财政局的反馈意见。"

    services.record_feedback(evaluation, "  同意评价结论，请加强预算编制。 ", org.office, "10.0.0.1")
    evaluation = reload(Evaluation, evaluation.id)
    assert evaluation.finance_feedback == "同意评价结论，请加强预算编制。"
    record = _db.session.scalars(select(AuditRecord).where(AuditRecord.action == "feedback")).one()
    assert (record.evaluation_id, record.actor_id, record.comment) == (
        evaluation.id, org.office.id, "同意评价结论，请加强预算编制。")
    assert record.from_state == record.to_state == "reported"

    actions.perform(evaluation.id, "apply", org.office)
    evaluation = reload(Evaluation, evaluation.id)
    assert evaluation.state == "applied"
    services.record_feedback(evaluation, "补充反馈。", org.office)  # still possible once applied
    assert reload(Evaluation, evaluation.id).finance_feedback == "补充反馈。"


def test_feedback_through_the_evaluation_page(app, world):
    org, _plan = world
    evaluation = reported(world)
    office = signed_in(app, org.office)
    page = html(office.get(f"/evaluations/{evaluation.id}"))
    assert 'name="finance_feedback"' in page
    page = html(post(office, f"/submissions/evaluations/{evaluation.id}/feedback",
                     {"finance_feedback": "同意。"}, follow_redirects=True))
    assert "已记录财政局反馈。" in page
    assert re.search(r'data-testid="feedback">同意。<', page)


# Rectification (问题整改) --------------------------------------------------------------------------


def test_rectification_becomes_a_task_of_the_chosen_section(world):
    org, _plan = world
    evaluation = reported(world)
    item = services.add_rectification(evaluation, " 预算编制不准确，出现资金剩余。 ", "细化预算测算。",
                                      org.section_b.id, date(2020, 10, 31), org.office)
    item = reload(Rectification, item.id)
    assert (item.problem, item.measure, item.section_id, item.due_date, item.closed_at) == (
        "预算编制不准确，出现资金剩余。", "细化预算测算。", org.section_b.id, date(2020, 10, 31), None)
    task = _db.session.scalars(select(Task).where(Task.rectification_id == item.id)).one()
    assert (task.state, task.role, task.section_id, task.due_date, task.completed_at) == (
        tasks.RECTIFICATION, Role.SECTION_STAFF.value, org.section_b.id, date(2020, 10, 31), None)
    assert task.evaluation_id == evaluation.id

    inbox = tasks.inbox(org.staff_b)
    assert [t.id for t in inbox] == [task.id]
    assert str(tasks.label(inbox[0])) == "问题整改"
    assert task.id not in [t.id for t in tasks.inbox(org.staff_a)]  # another section
    assert task.id not in [t.id for t in tasks.inbox(org.office)]
    # The workflow's own task (记录结果应用, the office's) runs beside it.
    assert tasks.open_task(reload(Evaluation, evaluation.id)).state == "reported"
    assert _db.session.scalars(select(AuditRecord).where(AuditRecord.action == "rectification")).one()


def test_rectification_task_shows_in_the_inbox_page(app, world):
    org, _plan = world
    evaluation = reported(world)
    services.add_rectification(evaluation, "预算编制不准确。", "", org.section_a.id, TODAY, org.office)
    page = html(signed_in(app, org.staff_a).get("/work/inbox"))
    assert "问题整改" in page and "应急物资储备项目" in page


@pytest.mark.parametrize("problem,section,due,message", [
    ("问题", "b", date(2020, 8, 31), "整改期限不能早于今天。"),
    ("问题", "b", None, "请填写整改期限。"),
    ("", "b", date(2020, 10, 31), "请填写存在的问题。"),
    ("   ", "b", date(2020, 10, 31), "请填写存在的问题。"),
    ("问" * 2001, "b", date(2020, 10, 31), "问题或整改措施不能超过 2000 个字。"),
    ("问题", "inactive", date(2020, 10, 31), "请选择在用的责任科室。"),
    ("问题", None, date(2020, 10, 31), "请选择在用的责任科室。"),
    ("问题", "missing", date(2020, 10, 31), "请选择在用的责任科室。"),
])
def test_rectification_refusals(world, problem, section, due, message):
    org, _plan = world
    evaluation = reported(world)
    inactive = factories.make_section("已撤销科室")
    inactive.active = False
    _db.session.commit()
    section_id = {"b": org.section_b.id, "inactive": inactive.id, None: None, "missing": 999999}[section]
    with pytest.raises(ServiceError) as refused:
        services.add_rectification(evaluation, problem, "", section_id, due, org.office)
    assert refused.value.message == message
    assert count(Rectification) == 0
    assert _db.session.scalar(select(func.count()).select_from(Task).where(Task.state == tasks.RECTIFICATION)) == 0


def test_rectification_due_today_is_accepted(world):
    org, _plan = world
    evaluation = reported(world)
    services.add_rectification(evaluation, "问题", "", org.section_a.id, TODAY, org.office)
    assert count(Rectification) == 1


def test_rectification_only_after_reporting(world):
    org, plan = world
    evaluation = factories.make_approved(plan, org, "已审批项目", org.section_a, "100", "80")
    with pytest.raises(ServiceError) as refused:
        services.add_rectification(evaluation, "问题", "", org.section_a.id, date(2020, 10, 31), org.office)
    assert refused.value.message == "问题整改在报送财政局之后登记。"
    assert count(Rectification) == 0


def test_the_owner_section_closes_a_rectification(world):
    org, _plan = world
    evaluation = reported(world)
    item = services.add_rectification(evaluation, "预算编制不准确。", "", org.section_b.id, date(2020, 10, 31),
                                      org.office)
    assert services.may_close(item, org.staff_b) and not services.may_close(item, org.staff_a)
    with pytest.raises(ServiceError) as refused:
        services.close_rectification(item, "已整改。", org.staff_a)  # the project's section, not the owner
    assert refused.value.message == "只有责任科室或办公室可以办结整改事项。"
    with pytest.raises(ServiceError) as refused:
        services.close_rectification(reload(Rectification, item.id), " ", org.staff_b)
    assert refused.value.message == "请填写整改情况。"
    assert reload(Rectification, item.id).closed_at is None

    services.close_rectification(reload(Rectification, item.id), " 已修订预算测算办法。 ", org.staff_b)
    item = reload(Rectification, item.id)
    assert item.closed_at is not None and item.closing_note == "已修订预算测算办法。"
    task = _db.session.scalars(select(Task).where(Task.rectification_id == item.id)).one()
    assert task.completed_at is not None and task.completed_by_id == org.staff_b.id
    assert tasks.inbox(org.staff_b) == []
    assert reload(Evaluation, evaluation.id).state == "reported"  # the workflow is untouched
    assert _db.session.scalars(select(AuditRecord).where(AuditRecord.action == "rectification_closed")).one()
    with pytest.raises(ServiceError):  # closed once is closed
        services.close_rectification(item, "再次办结。", org.staff_b)


def test_the_office_may_close_any_rectification(world):
    org, _plan = world
    evaluation = reported(world)
    item = services.add_rectification(evaluation, "问题", "", org.section_b.id, date(2020, 10, 31), org.office)
    services.close_rectification(item, "办公室核实已整改。", org.office)
    assert reload(Rectification, item.id).closed_at is not None


def test_rectifications_through_the_pages(app, world):
    org, _plan = world
    evaluation = reported(world)
    office = signed_in(app, org.office)
    page = html(office.get(f"/evaluations/{evaluation.id}"))
    assert 'name="problem"' in page and 'name="due_date"' in page

    url = f"/submissions/evaluations/{evaluation.id}/rectifications"
    page = html(post(office, url, {"problem": "预算不准确。", "measure": "细化测算。", "section_id": str(org.section_a.id),
                                   "due_date": "2020-08-01"}, follow_redirects=True), 422)
    assert "整改期限不能早于今天。" in page and count(Rectification) == 0
    page = html(post(office, url, {"problem": "预算不准确。", "measure": "细化测算。", "section_id": str(org.section_a.id),
                                   "due_date": "not a date"}, follow_redirects=True), 422)
    assert "请填写整改期限。" in page and count(Rectification) == 0
    page = html(post(office, url, {"problem": "预算不准确。", "measure": "细化测算。", "section_id": str(org.section_a.id),
                                   "due_date": "2020-10-31"}, follow_redirects=True))
    assert "已登记整改事项，责任科室将收到待办。" in page
    item = _db.session.scalar(select(Rectification))
    assert (item.section_id, item.due_date) == (org.section_a.id, date(2020, 10, 31))
    assert post(signed_in(app, org.staff_a), url, {"problem": "x", "section_id": str(org.section_a.id),
                                                   "due_date": "2020-10-31"}).status_code == 403

    staff_a = signed_in(app, org.staff_a)
    page = html(staff_a.get(f"/evaluations/{evaluation.id}"))
    assert f'action="/submissions/rectifications/{item.id}/close"' in page
    close = f"/submissions/rectifications/{item.id}/close"
    page = html(post(staff_a, close, {"note": "已修订测算办法。"}, follow_redirects=True))
    assert "整改事项已办结。" in page and "已办结：已修订测算办法。" in page
    item = reload(Rectification, item.id)
    assert item.closing_note == "已修订测算办法。"
    assert _db.session.scalars(select(Task).where(Task.rectification_id == item.id)).one().completed_at is not None


def test_closing_through_the_page_by_the_owner_and_by_another_section(app, world):
    """The item belongs to section B while the project is section A's: section B's staff close
    it (though the evaluation itself is section A's); staff of a section that owns neither
    are refused, and nothing changes."""
    org, _plan = world
    evaluation = reported(world)
    item = services.add_rectification(evaluation, "问题", "", org.section_b.id, date(2020, 10, 31), org.office)
    close = f"/submissions/rectifications/{item.id}/close"

    staff_a = signed_in(app, org.staff_a)  # may see the evaluation, does not own the item
    page = html(post(staff_a, close, {"note": "已整改。"}, follow_redirects=True), 403)
    assert "只有责任科室或办公室可以办结整改事项。" in page
    assert reload(Rectification, item.id).closed_at is None
    third = factories.make_section("第三科室")
    outsider = factories.make_user("staff_c", [Role.SECTION_STAFF], third)
    assert post(signed_in(app, outsider), close, {"note": "已整改。"}).status_code == 403
    assert post(signed_in(app, org.finance), close, {"note": "已整改。"}).status_code == 403
    assert reload(Rectification, item.id).closed_at is None

    staff_b = signed_in(app, org.staff_b)
    response = post(staff_b, close, {"note": "已整改。"})
    assert response.status_code == 302
    # the owner section may read the evaluation behind its item, so it lands there
    assert response.headers["Location"].endswith(f"/evaluations/{item.evaluation_id}")
    item = reload(Rectification, item.id)
    assert item.closing_note == "已整改。"
    assert tasks.inbox(org.staff_b) == []
    assert post(staff_b, "/submissions/rectifications/999999/close", {"note": "x"}).status_code == 404


def test_a_section_charged_with_a_rectification_may_read_the_evaluation(app, db):
    """Staff of the section that owns a rectification on another section's project can open
    the evaluation their inbox task links to; staff of an uninvolved section cannot."""
    from datetime import timedelta

    from tests import factories
    from workflow.engine import tasks
    from workflow.evaluations.services import can_view
    from workflow.submissions import services

    org, plan = factories.make_setup()
    evaluation = factories.make_evaluation(plan, org, "reported")
    assert not can_view(evaluation, org.staff_b)
    services.add_rectification(evaluation, "预算不准确", "加强预算编制", org.section_b.id,
                               tasks.today() + timedelta(days=30), org.office)
    assert can_view(evaluation, org.staff_b)
    outsider = factories.make_user("outsider_rect", roles=["section_staff"],
                                   section=factories.make_section("无关科室"))
    assert not can_view(evaluation, outsider)
