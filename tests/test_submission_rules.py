"""The rules around submission: only a complete self-evaluation is submitted; each submission
and the approval keep a fingerprinted snapshot; approval freezes the form until the working
group's 组长 returns it; reporting needs a submission batch and result application the finance
bureau's feedback; the review sees what changed between two submissions; the form page saves
drafts and refuses bad numbers without saving anything."""
import hashlib
import json
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.conftest import post, signed_in
from tests.factories import (
    fill_complete,
    include_in_submission,
    make_evaluation,
    make_group,
    make_setup,
    make_user,
)
from workflow.selfeval.outline import labels
from workflow import scoring
from workflow.engine import actions, tasks
from workflow.errors import ServiceError
from workflow.extensions import db
from workflow.models import AuditRecord, Evaluation, Notification, Snapshot, Task
from workflow.roles import Role
from workflow.selfeval import content, services
from workflow.selfeval.edits import EvaluationEdit as Edit, IndicatorEdit

HAN = re.compile(r"[\u4e00-\u9fff]")
QUANTITY = "计划任务完成数量"  # an indicator of the 单位自评 template, 20 points
SATISFACTION = "服务对象满意度"  # 10 points


# Helpers --------------------------------------------------------------------------------


def observed(evaluation_id):
    """Everything submitting, returning or approving may change, read from the database."""
    db.session.expire_all()
    evaluation = db.session.execute(
        select(Evaluation.state, Evaluation.version, Evaluation.submitted_by_id, Evaluation.submitted_at)
        .where(Evaluation.id == evaluation_id)
    ).one()
    task_rows = db.session.execute(
        select(Task.id, Task.state, Task.completed_at, Task.completed_by_id)
        .where(Task.evaluation_id == evaluation_id).order_by(Task.id)
    ).all()
    audit_rows = db.session.execute(
        select(AuditRecord.id, AuditRecord.action).where(AuditRecord.evaluation_id == evaluation_id)
        .order_by(AuditRecord.id)
    ).all()
    snapshot_rows = db.session.execute(
        select(Snapshot.id, Snapshot.kind, Snapshot.sha256).where(Snapshot.evaluation_id == evaluation_id)
        .order_by(Snapshot.id)
    ).all()
    notifications = db.session.scalar(select(func.count()).select_from(Notification))
    return {
        "evaluation": tuple(evaluation),
        "tasks": [tuple(r) for r in task_rows],
        "audit": [tuple(r) for r in audit_rows],
        "snapshots": [tuple(r) for r in snapshot_rows],
        "notifications": notifications,
    }


def stored(evaluation_id):
    """The evaluation's content as the database holds it (canonical form)."""
    db.session.expire_all()
    return content.serialize(db.session.get(Evaluation, evaluation_id))


def snapshots_of(evaluation):
    db.session.expire_all()
    return db.session.scalars(
        select(Snapshot).where(Snapshot.evaluation_id == evaluation.id).order_by(Snapshot.id)).all()


def indicator(evaluation, name):
    return next(ind for ind in evaluation.indicators if ind.name == name)


def field(evaluation, name, column):
    """The form's field name of one indicator's column (for the page's posts)."""
    return f"ind-{indicator(evaluation, name).id}-{column}"


def ind(evaluation, name, **values):
    """The change of one indicator, found by its name."""
    return IndicatorEdit(indicator(evaluation, name).id, **values)


def canonical_sha256(data):
    """SHA-256 of the data as canonical JSON (sorted keys, no spaces, UTF-8), computed here
    independently of the application."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def text(response):
    return response.get_data(as_text=True)


def flashes(response):
    return [re.sub(r"\s+", " ", m).strip() for m in re.findall(r'role="alert">(.*?)</div>', text(response), re.S)]


def page_version(client, evaluation_id):
    page = text(client.get(f"/evaluations/{evaluation_id}/form"))
    return re.search(r'name="version" value="(\d+)"', page).group(1)


@pytest.fixture
def world():
    org, plan = make_setup()
    evaluation = make_evaluation(plan, org, "self_evaluating")
    services.prepare(evaluation)
    return org, plan, evaluation


# Only a complete self-evaluation is submitted -------------------------------------------------

# One gap at a time in an otherwise complete form: the form data that opens it, the problems
# it leaves (the first is named in the refusal) and the form data that closes it again.
GAPS = {
    "overall target": (
        lambda e: Edit(overall_target=""),
        ["请填写年度总体目标。"],
        lambda e: Edit(overall_target="完成矿山隐患排查"),
    ),
    "achievement": (
        lambda e: Edit(overall_achievement="   "),
        ["请填写年度总体目标的实际完成情况。"],
        lambda e: Edit(overall_achievement="已完成"),
    ),
    "execution": (
        lambda e: Edit(funding={"total": {"executed": ""}}),
        ["请填写年度资金总额的全年预算数和全年执行数。", "“预算执行率”需要全年预算数和全年执行数才能计分。"],
        lambda e: Edit(funding={"total": {"executed": "172.743"}}),
    ),
    "parts do not add up": (
        lambda e: Edit(funding={"current_year": {"annual_budget": "200"}}),
        [re.compile(r"“全年预算数”各资金来源之和（200(\.0+)?）与年度资金总额（206\.6320*）不一致。")],
        lambda e: Edit(funding={"current_year": {"annual_budget": "206.632"}}),
    ),
    "nature": (
        lambda e: Edit(indicators=[ind(e, QUANTITY, nature="")]),
        [f"“{QUANTITY}”未选择指标性质。"],
        lambda e: Edit(indicators=[ind(e, QUANTITY, nature=">=")]),
    ),
    "actual value": (
        lambda e: Edit(indicators=[ind(e, QUANTITY, actual="")]),
        [f"“{QUANTITY}”请填写年度指标值和实际完成值。"],
        lambda e: Edit(indicators=[ind(e, QUANTITY, actual="100")]),
    ),
    "deviation of 30 %": (
        lambda e: Edit(indicators=[ind(e, QUANTITY, actual="70")]),
        [f"“{QUANTITY}”偏差较大，请填写偏差原因分析及改进措施。"],
        lambda e: Edit(indicators=[ind(e, QUANTITY, deviation_reason="部分矿山停产，未能检查；下年度提前安排。")]),
    ),
    "qualitative without a band": (
        lambda e: Edit(indicators=[ind(e, SATISFACTION, nature="定性", target="", actual="", band="", score="")]),
        [f"“{SATISFACTION}”请填写年度指标值和实际完成值。", f"“{SATISFACTION}”请选择评价档次并打分。"],
        lambda e: Edit(indicators=[ind(e, SATISFACTION, target="满意", actual="满意", band="achieved", score="9.5")]),
    ),
    "report section": (
        lambda e: Edit(narrative={"problems": ""}),
        ["请填写报告的“（二）存在的问题”部分。"],
        lambda e: Edit(narrative={"problems": "个别矿山整改不及时。"}),
    ),
}


def matches(expected, message):
    return expected.fullmatch(message) is not None if isinstance(expected, re.Pattern) else expected == message


@pytest.mark.parametrize("gap", list(GAPS))
def test_an_incomplete_evaluation_is_not_submitted(world, gap):
    org, _plan, evaluation = world
    opening, problems, closing = GAPS[gap]
    fill_complete(evaluation)
    assert services.completeness_problems(evaluation) == []
    services.save(evaluation.id, org.staff_a, opening(evaluation))  # a draft may have gaps
    evaluation = db.session.get(Evaluation, evaluation.id)
    found = [str(p) for p in services.completeness_problems(evaluation)]
    assert len(found) == len(problems) and all(matches(e, m) for e, m in zip(problems, found)), found
    submit = actions.TRANSITION_BY_TRIGGER["submit"]
    assert submit not in actions.available(evaluation, org.staff_a)  # no button to press
    before, content_before = observed(evaluation.id), stored(evaluation.id)

    with pytest.raises(ServiceError) as refused:
        actions.perform(evaluation.id, "submit", org.staff_a)
    assert refused.value.code == "refused"
    assert refused.value.message == f"自评尚未填写完整（{len(problems)} 项），例如：{found[0]}"
    assert HAN.search(refused.value.message)
    db.session.rollback()
    assert observed(evaluation.id) == before  # state, version, tasks, audit, snapshots
    assert stored(evaluation.id) == content_before
    assert before["evaluation"][0] == "self_evaluating" and before["snapshots"] == []

    services.save(evaluation.id, org.staff_a, closing(evaluation))
    evaluation = db.session.get(Evaluation, evaluation.id)
    assert services.completeness_problems(evaluation) == []
    actions.perform(evaluation.id, "submit", org.staff_a)
    assert evaluation.state == "submitted"
    assert [s.kind for s in snapshots_of(evaluation)] == ["submission"]


def test_an_empty_evaluation_lists_every_gap(world):
    org, _plan, evaluation = world
    problems = [str(p) for p in services.completeness_problems(evaluation)]
    assert "请填写年度总体目标。" in problems
    assert "请填写年度资金总额的全年预算数和全年执行数。" in problems
    assert f"“{QUANTITY}”请填写年度指标值和实际完成值。" in problems
    names = labels(evaluation.project.plan.report_sections)
    required = [names[s.key] for s in evaluation.project.plan.report_sections if s.required]
    assert all(f"请填写报告的“{title}”部分。" in problems for title in required)
    with pytest.raises(ServiceError, match=rf"^自评尚未填写完整（{len(problems)} 项），例如：请填写年度总体目标。$"):
        actions.perform(evaluation.id, "submit", org.staff_a)
    assert db.session.get(Evaluation, evaluation.id).state == "self_evaluating"


def test_an_indicator_marked_not_applicable_needs_no_values(world):
    org, _plan, evaluation = world
    fill_complete(evaluation)
    services.save(evaluation.id, org.staff_a, Edit(indicators=[
        ind(evaluation, QUANTITY, applicable=False, target="", actual="")]))
    evaluation = db.session.get(Evaluation, evaluation.id)
    assert services.completeness_problems(evaluation) == []
    actions.perform(evaluation.id, "submit", org.staff_a)
    assert evaluation.state == "submitted"


# Snapshots ----------------------------------------------------------------------------------------


def test_submit_and_resubmit_each_store_a_fingerprinted_snapshot(world):
    org, _plan, evaluation = world
    fill_complete(evaluation)
    expected_first = content.serialize(evaluation)
    actions.perform(evaluation.id, "submit", org.staff_a)
    (first,) = snapshots_of(evaluation)
    assert (first.kind, first.created_by_id) == ("submission", org.staff_a.id)
    assert first.data == expected_first  # read back from the database
    assert re.fullmatch(r"[0-9a-f]{64}", first.sha256)
    assert first.sha256 == content.fingerprint(first.data) == canonical_sha256(expected_first)
    assert {i["name"]: i["actual"] for i in first.data["indicators"]}[QUANTITY] == "100"
    first_id, first_data, first_sha = first.id, first.data, first.sha256

    actions.perform(evaluation.id, "return_for_revision", org.reviewer, comment="数量指标请核实。")
    services.save(evaluation.id, org.staff_a, Edit(indicators=[ind(evaluation, QUANTITY, actual="95")]))
    actions.perform(evaluation.id, "resubmit", org.staff_a2)
    first, second = snapshots_of(evaluation)
    assert (first.id, first.data, first.sha256) == (first_id, first_data, first_sha)  # kept as it was
    evaluation = db.session.get(Evaluation, evaluation.id)
    assert (second.kind, second.created_by_id) == ("submission", org.staff_a2.id)
    assert second.data == content.serialize(evaluation)
    assert second.sha256 == content.fingerprint(second.data) == canonical_sha256(second.data)
    assert second.sha256 != first.sha256
    assert {i["name"]: i["actual"] for i in second.data["indicators"]}[QUANTITY] == "95"


def test_withdrawing_and_submitting_again_keeps_both_submissions(world):
    org, _plan, evaluation = world
    fill_complete(evaluation)
    actions.perform(evaluation.id, "submit", org.staff_a)
    actions.perform(evaluation.id, "withdraw", org.staff_a)
    assert [s.kind for s in snapshots_of(evaluation)] == ["submission"]
    actions.perform(evaluation.id, "submit", org.staff_a)
    first, second = snapshots_of(evaluation)
    assert first.sha256 == second.sha256  # nothing changed in between


def test_changes_since_submission_lists_the_changed_fields_with_old_and_new_values(world):
    org, _plan, evaluation = world
    fill_complete(evaluation)
    actions.perform(evaluation.id, "submit", org.staff_a)
    assert services.changes_since_submission(evaluation) == []  # one submission: nothing to compare
    actions.perform(evaluation.id, "return_for_revision", org.reviewer, comment="数量指标请核实。")
    assert services.changes_since_submission(evaluation) == []

    saved = services.save(evaluation.id, org.staff_a, Edit(
        indicators=[ind(evaluation, QUANTITY, actual="95")], narrative={"problems": "个别矿山整改不及时。"}))
    expected = [
        {"field": f"{QUANTITY} · 实际完成值", "old": "100", "new": "95"},
        {"field": f"{QUANTITY} · 得分", "old": "20", "new": "19"},  # 95 ÷ 100 × 20
        {"field": "（二）存在的问题", "old": "（二）存在的问题：内容。", "new": "个别矿山整改不及时。"},
    ]
    assert saved == expected
    evaluation = db.session.get(Evaluation, evaluation.id)
    assert services.changes_since_submission(evaluation) == expected  # while revising
    edit = audit_actions(evaluation)[-1]
    assert edit.action == "edit" and edit.details == {"changed": [c["field"] for c in expected]}

    actions.perform(evaluation.id, "resubmit", org.staff_a)
    evaluation = db.session.get(Evaluation, evaluation.id)
    assert services.changes_since_submission(evaluation) == expected  # what the reviewer gets


def audit_actions(evaluation):
    db.session.expire_all()
    return db.session.scalars(
        select(AuditRecord).where(AuditRecord.evaluation_id == evaluation.id).order_by(AuditRecord.id)).all()


# Approval freezes; the group's 组长 returns ------------------------------------------------------


def test_approval_stores_a_snapshot_and_freezes_the_form(app):
    org, plan = make_setup()
    evaluation = make_evaluation(plan, org, "approved")
    submission, approval = snapshots_of(evaluation)
    assert (approval.kind, approval.created_by_id) == ("approval", org.leader.id)
    assert approval.sha256 == content.fingerprint(approval.data) == canonical_sha256(approval.data)
    assert approval.data == content.serialize(evaluation)
    assert approval.sha256 == submission.sha256  # approved what was submitted

    before, content_before = observed(evaluation.id), stored(evaluation.id)
    with pytest.raises(ServiceError) as refused:
        services.save(evaluation.id, org.staff_a, Edit(overall_target="审批后改动的目标",
                                                       indicators=[ind(evaluation, QUANTITY, actual="1")]))
    assert refused.value.code == "refused"
    assert refused.value.message == "该评价已审批定稿，如需修改须由组长退回。"
    db.session.rollback()
    assert observed(evaluation.id) == before
    assert stored(evaluation.id) == content_before

    # The page says so, offers no save button, and a forged post changes nothing.
    client = signed_in(app, org.staff_a)
    page = client.get(f"/evaluations/{evaluation.id}/form")
    assert page.status_code == 200
    assert "当前为只读视图。" in text(page) and 'data-testid="save"' not in text(page)
    response = post(client, f"/evaluations/{evaluation.id}/form", {
        "version": page_version(client, evaluation.id), "overall_target": "审批后改动的目标"})
    assert "该评价已审批定稿，如需修改须由组长退回。" in flashes(response)
    assert observed(evaluation.id) == before
    assert stored(evaluation.id) == content_before


def test_only_the_groups_leader_returns_an_approved_evaluation_then_the_section_revises():
    org, plan = make_setup(with_group=False)
    other_leader = make_user("other_leader", [Role.LEADER], None, full_name="另一位局领导")
    deputy_leader = make_user("deputy_leader", [Role.LEADER, Role.REVIEWER], org.office_section,
                              full_name="副组长乙")
    make_group(plan, org.leader, deputies=[org.reviewer, deputy_leader], members=[org.reviewer2])
    evaluation = make_evaluation(plan, org, "approved")
    approval = snapshots_of(evaluation)[-1]
    approval_id, approval_sha = approval.id, approval.sha256
    before = observed(evaluation.id)
    for actor, message in (
        (org.reviewer, "此时“退回修改”由组长办理。"),
        (deputy_leader, "只有评价工作小组组长可以执行“退回修改”。"),
        (other_leader, "您不是本方案评价工作小组的成员。"),
        (org.leader, "退回时必须填写意见。"),  # the 组长, but without a comment
    ):
        comment = "" if actor is org.leader else "请修改。"
        with pytest.raises(ServiceError) as refused:
            actions.perform(evaluation.id, "return_for_revision", actor, comment=comment)
        # Not theirs: refused (403); theirs without the comment: a value missing (422).
        code = "invalid" if actor is org.leader else "refused"
        assert (refused.value.code, refused.value.message) == (code, message), actor.username
        db.session.rollback()
    assert observed(evaluation.id) == before

    actions.perform(evaluation.id, "return_for_revision", org.leader, comment="资金执行数与决算不一致，请修改。")
    evaluation = db.session.get(Evaluation, evaluation.id)
    assert evaluation.state == "returned"
    returned = audit_actions(evaluation)[-1]
    assert (returned.action, returned.from_state, returned.to_state, returned.actor_id) == (
        "return_for_revision", "approved", "returned", org.leader.id)
    (task,) = db.session.scalars(select(Task).where(Task.evaluation_id == evaluation.id,
                                                    Task.completed_at.is_(None))).all()
    assert task in tasks.inbox(org.staff_a)

    # The section may edit again, and resubmit.
    services.save(evaluation.id, org.staff_a, Edit(funding={"total": {"executed": "172.7"},
                                                             "current_year": {"executed": "172.7"}}))
    evaluation = db.session.get(Evaluation, evaluation.id)
    assert content.funding(evaluation)["total"].executed == Decimal("172.7")
    actions.perform(evaluation.id, "resubmit", org.staff_a)
    kinds = [(s.id, s.kind, s.sha256) for s in snapshots_of(evaluation)]
    assert [k for _id, k, _sha in kinds] == ["submission", "approval", "submission"]
    assert (approval_id, "approval", approval_sha) in kinds  # the approved version stays on record
    assert kinds[-1][2] != approval_sha


# Reporting and result application -------------------------------------------------------------


def test_report_needs_a_submission_batch():
    org, plan = make_setup()
    evaluation = make_evaluation(plan, org, "approved")
    report = actions.TRANSITION_BY_TRIGGER["report"]
    assert report not in actions.available(evaluation, org.office)
    before = observed(evaluation.id)
    with pytest.raises(ServiceError) as refused:
        actions.perform(evaluation.id, "report", org.office)
    assert (refused.value.code, refused.value.message) == ("refused", "请在“报送财政局”页面将其编入报送批次。")
    db.session.rollback()
    assert observed(evaluation.id) == before

    include_in_submission(evaluation, org.office)
    assert report in actions.available(evaluation, org.office)
    actions.perform(evaluation.id, "report", org.office)
    assert evaluation.state == "reported"


@pytest.mark.parametrize("feedback", ["", "   \n"])
def test_apply_needs_the_finance_bureaus_feedback(feedback):
    org, plan = make_setup()
    evaluation = make_evaluation(plan, org, "reported")
    evaluation.finance_feedback = feedback
    db.session.commit()
    apply = actions.TRANSITION_BY_TRIGGER["apply"]
    assert apply not in actions.available(evaluation, org.office)
    before = observed(evaluation.id)
    with pytest.raises(ServiceError) as refused:
        actions.perform(evaluation.id, "apply", org.office)
    assert (refused.value.code, refused.value.message) == ("refused", "请先记录财政局的反馈意见。")
    db.session.rollback()
    assert observed(evaluation.id) == before

    evaluation.finance_feedback = "同意评价结论，纳入下年度预算安排。"
    db.session.commit()
    actions.perform(evaluation.id, "apply", org.office)
    assert evaluation.state == "applied"


# The form page ------------------------------------------------------------------------------------


def test_the_section_saves_a_draft_with_blanks(app, world):
    org, _plan, evaluation = world
    client = signed_in(app, org.staff_a)
    page = client.get(f"/evaluations/{evaluation.id}/form")
    assert page.status_code == 200
    assert 'data-testid="save"' in text(page) and 'data-testid="problems"' in text(page)
    response = post(client, f"/evaluations/{evaluation.id}/form", {
        "version": page_version(client, evaluation.id),
        "overall_target": "完成全市金属非金属矿山隐患排查",
        "funding-total-annual_budget": "206.632",
        "funding-total-executed": "",
        field(evaluation, QUANTITY, "unit"): "座",
        field(evaluation, QUANTITY, "target"): "286",
        field(evaluation, QUANTITY, "actual"): "",
        "text-overview": "",
    })
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/evaluations/{evaluation.id}/form")
    assert "已保存。" in flashes(client.get(response.headers["Location"]))
    db.session.expire_all()
    evaluation = db.session.get(Evaluation, evaluation.id)
    assert evaluation.project.overall_target == "完成全市金属非金属矿山隐患排查"
    total_row = content.funding(evaluation)["total"]
    assert (total_row.annual_budget, total_row.executed) == (Decimal("206.632"), None)
    quantity = indicator(evaluation, QUANTITY)
    assert (quantity.unit, quantity.target, quantity.actual, quantity.score) == ("座", Decimal("286"), None, None)
    assert (evaluation.total_score, evaluation.grade, evaluation.state) == (None, None, "self_evaluating")


@pytest.mark.parametrize("bad, message", [
    ("abc", f"“{QUANTITY} · 年度指标值”应为数字。"),
    ("-1", f"“{QUANTITY} · 年度指标值”不能为负数。"),
    ("1.23456", f"“{QUANTITY} · 年度指标值”最多保留 4 位小数。"),
])
def test_a_bad_number_is_refused_and_nothing_is_saved(app, world, bad, message):
    org, _plan, evaluation = world
    client = signed_in(app, org.staff_a)
    before, content_before = observed(evaluation.id), stored(evaluation.id)
    response = post(client, f"/evaluations/{evaluation.id}/form", {
        "version": page_version(client, evaluation.id),
        "overall_target": "不应保存的目标",  # a good value beside the bad one
        "funding-total-annual_budget": "300",
        field(evaluation, QUANTITY, "target"): bad,
    })
    assert response.status_code == 422
    # Listed in the page's error summary and shown at the field itself, which is marked.
    summary = text(response).split("data-error-summary")[1].split("</div>")[0]
    name = field(evaluation, QUANTITY, "target")
    assert message in summary and f'href="#{name}"' in summary
    assert f'aria-invalid="true" aria-describedby="{name}-error">' in text(response)
    assert f'id="{name}-error">{message}</div>' in text(response)
    assert f'value="{bad}"' in text(response)  # shown again for correction
    assert observed(evaluation.id) == before
    assert stored(evaluation.id) == content_before
    assert db.session.get(Evaluation, evaluation.id).project.overall_target == ""


def test_every_bad_value_is_listed_at_once(world):
    org, _plan, evaluation = world
    content_before = stored(evaluation.id)
    with pytest.raises(ServiceError) as refused:
        services.save(evaluation.id, org.staff_a, Edit(
            funding={"total": {"annual_budget": "abc"}}, indicators=[ind(evaluation, QUANTITY, actual="-5")],
            overall_target="不应保存"))
    assert refused.value.code == "invalid"
    assert refused.value.message == (
        "“年度资金总额 · 全年预算数”应为数字。；"
        f"“{QUANTITY} · 实际完成值”不能为负数。")
    db.session.rollback()
    assert stored(evaluation.id) == content_before


def test_an_edit_of_another_evaluations_indicator_or_an_unknown_section_changes_nothing(world):
    org, plan, evaluation = world
    other = make_evaluation(plan, org, "self_evaluating", name="另一个项目")
    foreign = other.indicators[0].id
    content_before = stored(evaluation.id)
    with pytest.raises(ServiceError) as refused:
        services.save(evaluation.id, org.staff_a, Edit(
            overall_target="不应保存", indicators=[IndicatorEdit(foreign, actual="1")],
            narrative={"no-such-section": "正文"}))
    assert refused.value.code == "invalid"
    assert refused.value.message == f"指标 {foreign} 不属于该评价。；报告提纲中没有“no-such-section”一节。"
    db.session.rollback()
    assert stored(evaluation.id) == content_before


def test_the_form_parser_and_the_api_schema_produce_the_same_edit(world):
    """One typed input for both doors: the page's field names and the API's JSON body read
    as the same EvaluationEdit, and names that are not the form's are left out."""
    from workflow.api.schemas import EvaluationSaveSchema
    from workflow.selfeval import edits

    _org, _plan, evaluation = world
    quantity = indicator(evaluation, QUANTITY).id
    from_page = edits.from_form({
        "version": "3", "csrf_token": "x", "overall_target": "目标",
        "funding-total-executed": "172.743", f"ind-{quantity}-applicable": "no",
        f"ind-{quantity}-target": "286", f"ind-{quantity}-band": "", "text-problems": "问题",
        "ind-abc-target": "1", f"ind-{quantity}-nonsense": "1", "funding-total": "1",
    })
    from_api = EvaluationSaveSchema().load({
        "version": 3, "overall_target": "目标", "funding": {"total": {"executed": "172.743"}},
        "indicators": [{"id": quantity, "applicable": False, "target": "286", "band": None}],
        "narrative": {"problems": "问题"},
    })
    assert isinstance(from_api, edits.EvaluationEdit)
    assert from_page == from_api == edits.EvaluationEdit(
        version=3, overall_target="目标", funding={"total": {"executed": "172.743"}},
        indicators=[edits.IndicatorEdit(quantity, applicable=False, target="286", band="")],
        narrative={"problems": "问题"})


def test_the_page_shows_the_servers_total_and_grade(app, world):
    org, _plan, evaluation = world
    client = signed_in(app, org.staff_a)
    form = {
        "version": page_version(client, evaluation.id),
        "overall_target": "完成全市金属非金属矿山隐患排查",
        "overall_achievement": "完成 253 座矿山的隐患排查",
        "funding-total-initial_budget": "206.632",
        "funding-total-annual_budget": "206.632",
        "funding-total-executed": "172.743",
    }
    for ind in evaluation.indicators:
        if ind.kind == "standard":
            form[f"ind-{ind.id}-nature"] = ">="
            form[f"ind-{ind.id}-target"] = "100"
            form[f"ind-{ind.id}-actual"] = "100"
    form[field(evaluation, QUANTITY, "target")] = "286"
    form[field(evaluation, QUANTITY, "actual")] = "253"
    form[field(evaluation, QUANTITY, "score")] = "20"  # a forged score: the server computes its own
    for section in evaluation.project.plan.report_sections:
        form[f"text-{section.key}"] = f"{section.title}：内容。"
    response = post(client, f"/evaluations/{evaluation.id}/form", form, follow_redirects=True)
    assert "已保存。" in flashes(response)

    # 172.743 ÷ 206.632 × 10 = 8.36; 253 ÷ 286 × 20 = 17.69; the other rows in full (70 points).
    execution = scoring.execution_rate_score(Decimal("206.632"), Decimal("172.743"))
    quantity = scoring.score_quantitative(scoring.POSITIVE, Decimal("286"), Decimal("253"), Decimal("20"))
    assert (execution, quantity) == (Decimal("8.36"), Decimal("17.69"))
    expected_total = execution + quantity + Decimal("70")
    assert expected_total == Decimal("96.05")
    page = text(response)
    assert re.search(r'data-testid="total">总分：<strong[^>]*>96\.05</strong>', page)
    assert re.search(r'<span class="badge text-bg-success"[^>]* data-testid="grade">优</span>', page)
    assert 'data-testid="problems"' not in page
    db.session.expire_all()
    evaluation = db.session.get(Evaluation, evaluation.id)
    assert (evaluation.total_score, evaluation.grade) == (expected_total, "excellent")
    assert indicator(evaluation, QUANTITY).score == quantity
    assert services.completeness_problems(evaluation) == []


def test_the_form_is_the_sections_own(app, world):
    org, _plan, evaluation = world
    content_before = stored(evaluation.id)
    for user in (org.staff_b, org.reviewer, org.office):
        with pytest.raises(ServiceError) as refused:
            services.save(evaluation.id, user, Edit(overall_target="别人改的"))
        assert refused.value.code == "refused" and HAN.search(refused.value.message)
        db.session.rollback()
    assert stored(evaluation.id) == content_before


def test_switching_an_indicator_to_qualitative_leaves_it_unscored_until_a_band_is_chosen(app, db):
    """A score belongs to the way it was given: after a switch to 定性 the old quantitative
    score is gone and the evaluation is incomplete until a band and score are entered."""
    from tests import factories
    from workflow.selfeval import services

    org, plan = factories.make_setup()
    evaluation = factories.make_evaluation(plan, org, "self_evaluating")
    factories.fill_complete(evaluation)
    indicator = next(i for i in evaluation.indicators if i.kind != "execution_rate")
    assert indicator.score is not None
    services.save(evaluation.id, org.staff_a, Edit(indicators=[
        IndicatorEdit(indicator.id, nature="qualitative", target="达成", actual="达成")]))
    db.session.expire_all()
    indicator = db.session.get(type(indicator), indicator.id)
    assert indicator.nature == "qualitative" and indicator.score is None and indicator.band is None
    reloaded = db.session.get(type(evaluation), evaluation.id)
    assert any(indicator.name in problem for problem in services.completeness_problems(reloaded))


def test_report_needs_the_batch_to_hold_the_latest_approval(app, db):
    from tests import factories
    from workflow.engine import actions
    from workflow.errors import ServiceError

    org, plan = factories.make_setup()
    evaluation = factories.make_evaluation(plan, org, "approved")
    factories.include_in_submission(evaluation, org.office)
    actions.perform(evaluation.id, "return_for_revision", org.leader, comment="请修改")
    factories.fill_complete(evaluation)
    actions.perform(evaluation.id, "resubmit", org.staff_a)
    actions.perform(evaluation.id, "pass_review", org.reviewer)
    actions.perform(evaluation.id, "approve", org.leader)
    try:
        actions.perform(evaluation.id, "report", org.office)
    except ServiceError as error:
        assert "最新审批" in error.message
    else:
        raise AssertionError("reported with an outdated approval snapshot")
    assert evaluation.state == "approved"
