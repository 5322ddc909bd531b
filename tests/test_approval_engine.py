"""The approval engine's rules through the services: committee review (会签) by quorum or by
all, a return ending the round, deputies (代理) acting for someone, the leader's return to the
reviewers, the office's recall of a 报送, a plan without the 组长's approval, and the engine
as a floor under the features. Runs on SQLite and PostgreSQL."""
import ast
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import login, post, signed_in
from tests.factories import fill_complete, make_evaluation, make_group, make_setup, make_user, prepare_step
from tests.test_concurrency import race
from workflow import clock
from workflow.engine import actions, audit, opinions, tasks
from workflow.errors import Forbidden, ServiceError
from workflow.extensions import db
from workflow.models import AuditRecord, Delegation, ReviewOpinion, Submission, Task
from workflow.roles import Role
from workflow.submissions import services as submissions
from workflow.work import deputies

ROOT = Path(__file__).resolve().parent.parent


def committee(rule="quorum", quorum=2):
    """The standard org and plan with a group of three reviewers: 任志华, 李东阳 and 张敏."""
    org, plan = make_setup(with_group=False)
    third = make_user("reviewer3", [Role.REVIEWER], org.section_b, full_name="张敏")
    make_group(plan, org.leader, deputies=[org.reviewer], members=[org.reviewer2, third])
    plan.review_rule, plan.review_quorum = rule, quorum
    db.session.commit()
    org.extra["reviewer3"] = third
    return org, plan


def open_tasks(evaluation):
    return db.session.scalars(select(Task).where(Task.evaluation_id == evaluation.id, Task.completed_at.is_(None))
                              .order_by(Task.id)).all()


def opinions_of(evaluation):
    return [(o.round, o.reviewer_id, o.verdict) for o in opinions.of(evaluation)]


# Committee review ------------------------------------------------------------------------


def test_two_of_three_pass_only_on_the_second_distinct_pass():
    org, plan = committee("quorum", 2)
    third = org.extra["reviewer3"]
    evaluation = make_evaluation(plan, org, "submitted")
    review_tasks = open_tasks(evaluation)
    assert sorted(t.assignee_id for t in review_tasks) == sorted([org.reviewer.id, org.reviewer2.id, third.id])
    assert all(t in tasks.inbox(u) for t, u in zip(review_tasks, [db.session.get(type(org.reviewer), t.assignee_id)
                                                                  for t in review_tasks]))
    assert not set(review_tasks) & set(tasks.inbox(org.outsider))

    outcome = actions.perform(evaluation.id, "pass_review", org.reviewer)
    assert outcome.to_state == "submitted" and outcome.row.opinion
    assert sorted(t.assignee_id for t in open_tasks(evaluation)) == sorted([org.reviewer2.id, third.id])
    # Nobody counts twice: the first reviewer has no task and no button left.
    assert "pass_review" not in [t.trigger for t in actions.available(evaluation, org.reviewer)]
    with pytest.raises(ServiceError) as again:
        actions.perform(evaluation.id, "pass_review", org.reviewer)
    assert again.value.code == "refused"
    assert opinions.passes(evaluation) == 1

    actions.perform(evaluation.id, "pass_review", org.reviewer2)
    assert evaluation.state == "reviewed"
    assert [t.state for t in open_tasks(evaluation)] == ["reviewed"]  # 张敏's task closed with the round
    assert opinions_of(evaluation) == [(1, org.reviewer.id, "pass"), (1, org.reviewer2.id, "pass")]
    history = [(e.action, e.from_state, e.to_state) for e in audit.history(evaluation)][-2:]
    assert history == [("pass_review", "submitted", "submitted"), ("pass_review", "submitted", "reviewed")]


def test_all_of_them_means_every_reviewer_of_the_group():
    org, plan = committee("all")
    evaluation = make_evaluation(plan, org, "submitted")
    assert opinions.needed(evaluation) == 3
    for reviewer in (org.reviewer, org.reviewer2):
        actions.perform(evaluation.id, "pass_review", reviewer)
        assert evaluation.state == "submitted"
    actions.perform(evaluation.id, "pass_review", org.extra["reviewer3"])
    assert evaluation.state == "reviewed"


def test_a_return_ends_the_round_and_the_next_round_starts_afresh():
    org, plan = committee("quorum", 2)
    evaluation = make_evaluation(plan, org, "submitted")
    actions.perform(evaluation.id, "pass_review", org.reviewer)
    actions.perform(evaluation.id, "return_for_revision", org.reviewer2, comment="绩效目标值偏低。")
    assert evaluation.state == "returned"
    assert [t.state for t in open_tasks(evaluation)] == ["returned"]
    assert opinions_of(evaluation) == [(1, org.reviewer.id, "pass"), (1, org.reviewer2.id, "return")]

    prepare_step(evaluation, "resubmit", {})
    actions.perform(evaluation.id, "resubmit", org.staff_a)
    assert evaluation.review_round == 2
    assert len(open_tasks(evaluation)) == 3
    actions.perform(evaluation.id, "pass_review", org.reviewer)  # round 1's pass does not count
    assert evaluation.state == "submitted"
    actions.perform(evaluation.id, "pass_review", org.extra["reviewer3"])
    assert evaluation.state == "reviewed"


def test_nobody_reviews_their_own_submission_in_a_committee():
    """A reviewer who also works in the project's section submits: the committee is the
    others, and the quorum of all counts them only."""
    org, plan = committee("all")
    both = org.reviewer2
    both.role_rows.append(type(both.role_rows[0])(role=Role.SECTION_STAFF.value))
    both.section_id = org.section_a.id
    db.session.commit()
    evaluation = make_evaluation(plan, org, "self_evaluating")
    fill_complete(evaluation)
    actions.perform(evaluation.id, "submit", both)
    assert sorted(t.assignee_id for t in open_tasks(evaluation)) == sorted([org.reviewer.id, org.extra["reviewer3"].id])
    with pytest.raises(ServiceError, match="不能复核或审批自己提交的自评"):
        actions.perform(evaluation.id, "pass_review", both)
    actions.perform(evaluation.id, "pass_review", org.reviewer)
    actions.perform(evaluation.id, "pass_review", org.extra["reviewer3"])
    assert evaluation.state == "reviewed"


@pytest.mark.commits  # threads race on committed rows
def test_two_reviewers_passing_at_once_are_both_counted_once(app):
    """Two committee members press 复核通过 at the same moment over two real connections: both
    opinions count, exactly once each, and the quorum of two is met."""
    org, plan = committee("quorum", 2)
    evaluation = make_evaluation(plan, org, "submitted")
    evaluation_id = evaluation.id
    db.session.commit()

    results = race(app, evaluation_id, [(org.reviewer.id, "pass_review", ""), (org.reviewer2.id, "pass_review", "")])

    assert [r[0] for r in results] == ["done", "done"], results
    db.session.expire_all()
    with db.engine.connect() as connection:
        rows = connection.execute(select(ReviewOpinion.reviewer_id, ReviewOpinion.verdict)
                                  .where(ReviewOpinion.evaluation_id == evaluation_id)).all()
        state = connection.execute(select(type(evaluation).state).where(type(evaluation).id == evaluation_id)).scalar()
    assert sorted(rows) == sorted([(org.reviewer.id, "pass"), (org.reviewer2.id, "pass")])
    assert state == "reviewed"


def test_a_plan_without_the_leaders_approval_is_approved_by_the_review():
    org, plan = make_setup()
    plan.approval_required = False
    db.session.commit()
    evaluation = make_evaluation(plan, org, "submitted")
    actions.perform(evaluation.id, "pass_review", org.reviewer)
    assert evaluation.state == "approved"
    assert [t.state for t in open_tasks(evaluation)] == ["approved"]
    from workflow.engine import definition, diagram

    assert "reviewed" not in [s.name for s in definition.states_for_plan(plan)]
    assert "审批通过" not in diagram.dot_source(None, *diagram.plan_rows(plan)).source


def test_the_board_of_a_plan_without_approval_has_no_column_for_it(app):
    org, plan = make_setup()
    evaluation = make_evaluation(plan, org, "submitted")
    with_approval = signed_in(app, org.office).get(f"/work/board?plan={plan.id}").get_data(as_text=True)
    assert 'data-state="reviewed"' in with_approval and "待审批" in with_approval
    plan.approval_required = False
    db.session.commit()
    actions.perform(evaluation.id, "pass_review", org.reviewer)
    page = signed_in(app, org.office).get(f"/work/board?plan={plan.id}").get_data(as_text=True)
    assert 'data-state="reviewed"' not in page and "待审批" not in page
    assert '<td data-state="approved">1</td>' in page
    # The header, each row and the totals have the same columns.
    header = page.split('data-testid="section-board"')[1].split("</thead>")[0]
    row = page.split('<tr data-section="非煤矿山安全监督管理科"')[1].split("</tr>")[0]
    footer = page.split("<tfoot>")[1].split("</tfoot>")[0]
    assert len(re.findall(r"<th[ >]", header)) - 3 == row.count("data-state=") == footer.count('class="text-center"')


# Deputies --------------------------------------------------------------------------------


def delegate(org, principal, deputy, days=3, by=None):
    today = tasks.today()
    return deputies.name_deputy(by or principal, principal.id, deputy.id, today, today + timedelta(days=days), "出差")


def test_the_deputy_acts_in_the_leaders_place_recorded_as_acting_for():
    org, plan = make_setup()
    evaluation = make_evaluation(plan, org, "reviewed")
    (approval,) = open_tasks(evaluation)
    assert approval not in tasks.inbox(org.office)
    delegate(org, org.leader, org.office)  # 闫洪涛 stands in for 姜立新
    assert approval in tasks.inbox(org.office)
    assert org.office.id in {u.id for u in tasks.users_to_act(approval)}

    actions.perform(evaluation.id, "approve", org.office)
    assert evaluation.state == "approved"
    record = db.session.scalars(select(AuditRecord).where(AuditRecord.action == "approve")).one()
    assert (record.actor_id, record.on_behalf_of_id) == (org.office.id, org.leader.id)
    entries, _total = audit.timeline(evaluation)
    assert entries[-1].actor_name == "闫洪涛 代 姜立新"


def test_a_deputy_never_approves_their_own_submission():
    org, plan = make_setup()
    evaluation = make_evaluation(plan, org, "reviewed")  # submitted by 原立吉 (staff_a)
    delegate(org, org.leader, org.staff_a)
    assert "approve" not in [t.trigger for t in actions.available(evaluation, org.staff_a)]
    with pytest.raises(ServiceError, match="不能复核或审批自己提交的自评"):
        actions.perform(evaluation.id, "approve", org.staff_a)
    assert evaluation.state == "reviewed"
    assert not [t for t in tasks.inbox(org.staff_a) if t.state == "reviewed"]


def test_a_delegation_ends_by_itself_and_can_be_cancelled():
    org, plan = make_setup()
    evaluation = make_evaluation(plan, org, "reviewed")
    delegation = delegate(org, org.leader, org.office, days=1)
    assert actions.refusal(evaluation, "approve", org.office) is None
    clock.freeze(clock.now() + timedelta(days=3))
    try:
        db.session.expire_all()
        assert actions.refusal(evaluation, "approve", org.office) is not None
        assert not [t for t in tasks.inbox(org.office) if t.state == "reviewed"]
    finally:
        clock.freeze(None)
    deputies.cancel(org.leader, delegation.id)
    assert delegation.cancelled_at is not None
    assert actions.refusal(evaluation, "approve", org.office) is not None


@pytest.mark.parametrize("case,message", [
    ("oneself", "不能指定自己为代理人"), ("past", "代理期限已过"), ("backwards", "结束日期不能早于开始日期"),
    ("for_another", "只能为自己指定代理人"), ("overlap", "已有代理人"),
])
def test_naming_a_deputy_is_checked(case, message):
    org, _plan = make_setup()
    today = tasks.today()
    args = {"oneself": (org.leader, org.leader, org.leader, today, today),
            "past": (org.leader, org.leader, org.office, today - timedelta(days=9), today - timedelta(days=2)),
            "backwards": (org.leader, org.leader, org.office, today, today - timedelta(days=1)),
            "for_another": (org.reviewer, org.leader, org.office, today, today),
            "overlap": (org.leader, org.leader, org.reviewer, today, today + timedelta(days=1))}[case]
    if case == "overlap":
        delegate(org, org.leader, org.office)
    before = db.session.query(Delegation).count()
    actor, principal, deputy, start, end = args
    with pytest.raises((ServiceError, Forbidden), match=message):
        deputies.name_deputy(actor, principal.id, deputy.id, start, end)
    db.session.rollback()
    assert db.session.query(Delegation).count() == before


def test_the_deputies_page_names_and_cancels(client):
    org, _plan = make_setup()
    login(client, org.leader.username)
    page = client.get("/work/deputies")
    assert page.status_code == 200 and "代理人" in page.get_data(as_text=True)
    today = tasks.today()
    bad = post(client, "/work/deputies", {"principal_id": org.leader.id, "deputy_id": org.leader.id,
                                          "starts_on": today.isoformat(), "ends_on": today.isoformat()})
    assert bad.status_code == 422 and "不能指定自己为代理人" in bad.get_data(as_text=True)
    done = post(client, "/work/deputies", {"principal_id": org.leader.id, "deputy_id": org.office.id,
                                           "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=2)).isoformat(),
                                           "reason": "赴省厅培训"})
    assert done.status_code == 302
    (delegation,) = db.session.scalars(select(Delegation)).all()
    assert (delegation.principal_id, delegation.deputy_id, delegation.reason) == (org.leader.id, org.office.id, "赴省厅培训")
    # Somebody else's delegation is not the reviewer's to cancel.
    other = app_client = client.application.test_client()
    login(app_client, org.reviewer.username)
    refused = post(other, f"/work/deputies/{delegation.id}/cancel")
    assert refused.status_code == 403
    db.session.expire_all()
    assert db.session.get(Delegation, delegation.id).cancelled_at is None
    assert post(client, f"/work/deputies/{delegation.id}/cancel").status_code == 302
    db.session.expire_all()
    assert db.session.get(Delegation, delegation.id).cancelled_at is not None


# Send back to a chosen step --------------------------------------------------------------


def test_the_leader_returns_to_the_reviewers():
    org, plan = make_setup()
    evaluation = make_evaluation(plan, org, "reviewed")
    with pytest.raises(ServiceError, match="退回时必须填写意见"):
        actions.perform(evaluation.id, "return_to_review", org.leader, comment=" ")
    with pytest.raises(ServiceError):
        actions.perform(evaluation.id, "return_to_review", org.reviewer, comment="再复核")
    actions.perform(evaluation.id, "return_to_review", org.leader, comment="请复核预算执行率。")
    assert evaluation.state == "submitted" and evaluation.review_round == 2
    (review,) = open_tasks(evaluation)
    assert review.state == "submitted" and review in tasks.inbox(org.reviewer)
    record = audit.history(evaluation)[-1]
    assert (record.action, record.from_state, record.to_state, record.comment) == (
        "return_to_review", "reviewed", "submitted", "请复核预算执行率。")


def test_the_office_recalls_a_submission_the_bureau_has_not_acted_on():
    org, plan = make_setup()
    evaluation = make_evaluation(plan, org, "approved")
    submission, refused = submissions.compose(plan, [evaluation.id], "2020年度绩效自评报送", "", org.office)
    assert not refused and evaluation.state == "reported"
    submission_id = submission.id
    with pytest.raises(ServiceError, match="必须填写原因"):
        submissions.recall(submission, "", org.office)
    submissions.recall(submission, "附件有误，重新报送。", org.office)
    assert evaluation.state == "approved"
    assert db.session.get(Submission, submission_id) is None
    assert [t.state for t in open_tasks(evaluation)] == ["approved"]
    assert audit.history(evaluation)[-1].action == "recall_report"

    again, _refused = submissions.compose(plan, [evaluation.id], "2020年度绩效自评报送（更正）", "", org.office)
    submissions.mark_received(again, org.finance)
    with pytest.raises(ServiceError, match="不能撤回"):
        submissions.recall(again, "再改", org.office)
    with pytest.raises(ServiceError, match="财政局已下载"):
        actions.perform(evaluation.id, "recall_report", org.office, comment="再改")
    assert evaluation.state == "reported"


# The engine as a floor -------------------------------------------------------------------

# export_guard: how a CSV or workbook cell of people's text is written (no feature either);
# signals: the namespace the engine says "a transition happened" in, for features to listen.
FLOOR = {"clock", "engine", "errors", "export_guard", "extensions", "models", "pagination", "roles", "signals"}


def test_the_engine_imports_no_feature_package():
    """Not at the top of a file, not inside a function: workflow/engine/ stands on the models
    and the app's plumbing only; the flow above it names the features."""
    for path in sorted((ROOT / "workflow" / "engine").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("workflow"):
                names = [node.module] + ([f"workflow.{a.name}" for a in node.names] if node.module == "workflow" else [])
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names if a.name.startswith("workflow")]
            for name in names:
                parts = name.split(".")
                if len(parts) > 1:
                    assert parts[1] in FLOOR, f"{path.name} imports {name}"


def test_no_feature_imports_the_flow():
    """The flow is registered at app creation; a feature reading it directly would close the
    import circle again."""
    for path in sorted((ROOT / "workflow").rglob("*.py")):
        if path.name in ("flow.py", "__init__.py") and path.parent.name == "workflow":
            continue
        text = path.read_text(encoding="utf-8")
        assert "from workflow import flow\n" not in text and "workflow.flow " not in text, path


# The seed's year with a committee and a deputy --------------------------------------------


def test_the_seed_year_with_a_two_of_three_committee_and_the_leader_away():
    """The seed's mine project from 准备中 to 已应用: its group's three reviewers (曲志清, 任志华,
    李东阳) review 2 of 3 — a first round ended by a return, a second passed by two — and the
    组长 姜立新 is away: 闫洪涛 approves in his place. Then the 报送, the bureau's download and
    feedback, and the result application."""
    from tests.factories import make_seed_mine, make_seed_plan

    org, _plan = make_setup(with_group=False)
    plan = make_seed_plan(org)
    plan.review_rule, plan.review_quorum = "quorum", 2
    db.session.commit()
    qu = db.session.scalars(select(type(org.leader)).where(type(org.leader).username == "quzhiqing")).one()
    evaluation = make_seed_mine(org, plan)
    actions.perform(evaluation.id, "open_self_evaluation", org.office)
    actions.perform(evaluation.id, "submit", org.staff_a)
    assert sorted(t.assignee_id for t in open_tasks(evaluation)) == sorted([qu.id, org.reviewer.id, org.reviewer2.id])

    actions.perform(evaluation.id, "return_for_revision", qu, comment="请补充未检查矿山的说明。")
    assert evaluation.state == "returned"
    actions.perform(evaluation.id, "resubmit", org.staff_a)
    actions.perform(evaluation.id, "pass_review", org.reviewer)
    assert evaluation.state == "submitted"
    actions.perform(evaluation.id, "pass_review", org.reviewer2)
    assert evaluation.state == "reviewed"

    delegate(org, org.leader, org.office, days=5)
    actions.perform(evaluation.id, "approve", org.office)
    assert evaluation.state == "approved"
    submission, refused = submissions.compose(plan, [evaluation.id], "2019年度项目支出绩效自评报送", "", org.office)
    assert not refused and evaluation.state == "reported"
    submissions.mark_received(submission, org.finance)
    submissions.record_feedback(evaluation, "同意评价结论。", org.office)
    actions.perform(evaluation.id, "apply", org.office)
    assert evaluation.state == "applied"

    assert opinions_of(evaluation) == [(1, qu.id, "return"), (2, org.reviewer.id, "pass"),
                                       (2, org.reviewer2.id, "pass")]
    entries, _total = audit.timeline(evaluation)
    approval = next(e for e in entries if e.action == "approve")
    assert approval.actor_name == "闫洪涛 代 姜立新"
    assert [e.action for e in entries if e.from_state != e.to_state][-3:] == ["approve", "report", "apply"]
    from workflow.selfeval.services import last_snapshot

    assert last_snapshot(evaluation, "approval").pdf.startswith(b"%PDF")
