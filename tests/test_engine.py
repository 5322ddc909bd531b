"""The workflow engine through its services: who may fire what (the whole transition × role
table), the conditions, tasks and deadlines, bulk actions, the audit log and the board."""
import csv
import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from tests.factories import (
    SECTION_A,
    fill_complete,
    make_evaluation,
    make_group,
    make_plan,
    make_project,
    make_section,
    make_setup,
    make_user,
    prepare_step,
    walk_to,
)
from workflow import clock
from workflow.engine import actions, audit, board, machine, tasks
from workflow.engine.definition import STATES, TRANSITION_BY_TRIGGER, TRANSITIONS, state_def
from workflow.errors import Forbidden, NotFound, ServiceError
from workflow.extensions import db
from workflow.models import AuditRecord, Evaluation, Notification, Snapshot, Task
from workflow.plans import services as plans
from workflow.roles import Role

HAN = re.compile(r"[\u4e00-\u9fff]")
UTC = timezone.utc

# The workflow as the bureau agreed it. The definition must say the same (first test); each
# (trigger, source) × role below is then tried for real.
# (trigger, source state): (destination, roles that may fire it there)
EXPECTED = {
    ("open_self_evaluation", "preparing"): ("self_evaluating", {Role.OFFICE}),
    # 绩效目标审核, on a plan that asks for it (TARGET_TRIGGERS' plan).
    ("submit_targets", "preparing"): ("targets_submitted", {Role.SECTION_STAFF}),
    ("approve_targets", "targets_submitted"): ("targets_approved", {Role.OFFICE}),
    ("return_targets", "targets_submitted"): ("preparing", {Role.OFFICE}),
    ("open_self_evaluation", "targets_approved"): ("self_evaluating", {Role.OFFICE}),
    ("return_to_review", "reviewed"): ("submitted", {Role.LEADER}),
    ("return_to_review", "approved"): ("submitted", {Role.LEADER}),
    ("recall_report", "reported"): ("approved", {Role.OFFICE}),
    ("submit", "self_evaluating"): ("submitted", {Role.SECTION_STAFF}),
    ("withdraw", "submitted"): ("self_evaluating", {Role.SECTION_STAFF}),
    ("pass_review", "submitted"): ("reviewed", {Role.REVIEWER}),
    ("return_for_revision", "submitted"): ("returned", {Role.REVIEWER}),
    ("return_for_revision", "reviewed"): ("returned", {Role.LEADER}),
    ("return_for_revision", "approved"): ("returned", {Role.LEADER}),  # reopens the frozen one
    ("resubmit", "returned"): ("submitted", {Role.SECTION_STAFF}),
    ("approve", "reviewed"): ("approved", {Role.LEADER}),
    ("report", "approved"): ("reported", {Role.OFFICE}),
    ("apply", "reported"): ("applied", {Role.OFFICE}),
}
# The rows a plan's options or a committee choose instead (trigger, source, dest, why).
OTHER_ROWS = {
    ("pass_review", "submitted", "submitted", "more_passes_needed"),  # one opinion of a committee
    ("pass_review", "submitted", "approved", "no_approval"),  # a plan without the 组长's approval
}
# What a transition keeps of the evaluation's data (its effects): the kind of snapshot.
SNAPSHOT_OF = {"submit": "submission", "resubmit": "submission", "approve": "approval",
               "approve_targets": "targets"}
# The rows of a plan whose targets the office approves, and the states only such a plan uses.
TARGET_TRIGGERS = {("submit_targets", "preparing"), ("approve_targets", "targets_submitted"),
                   ("return_targets", "targets_submitted"), ("open_self_evaluation", "targets_approved")}
TARGET_STATES = {"targets_submitted", "targets_approved"}
# Who must act in each state, and the stage whose end is the deadline.
EXPECTED_TASKS = {
    "preparing": (Role.SECTION_STAFF, True, "prepare"),
    "targets_submitted": (Role.OFFICE, False, "prepare"),
    "targets_approved": (Role.OFFICE, False, "prepare"),
    "self_evaluating": (Role.SECTION_STAFF, True, "self_evaluate"),
    "submitted": (Role.REVIEWER, False, "review"),
    "returned": (Role.SECTION_STAFF, True, "self_evaluate"),
    "reviewed": (Role.LEADER, False, "review"),
    "approved": (Role.OFFICE, False, "report"),
    "reported": (Role.OFFICE, False, "apply"),
    "applied": None,
}


def snapshot(evaluation_id):
    """Everything a transition may change, read from the database (autoflush on: anything
    left pending in the session shows up here too)."""
    evaluation = db.session.execute(
        select(Evaluation.state, Evaluation.version, Evaluation.submitted_by_id, Evaluation.submitted_at)
        .where(Evaluation.id == evaluation_id)
    ).one()
    task_rows = db.session.execute(
        select(Task.id, Task.state, Task.role, Task.section_id, Task.assignee_id, Task.due_date,
               Task.completed_at, Task.completed_by_id)
        .where(Task.evaluation_id == evaluation_id).order_by(Task.id)
    ).all()
    audit_count = db.session.scalar(
        select(func.count()).select_from(AuditRecord).where(AuditRecord.evaluation_id == evaluation_id)
    )
    notifications = db.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.link == tasks.evaluation_link(evaluation_id))
    )
    snapshots = db.session.execute(
        select(Snapshot.id, Snapshot.kind, Snapshot.sha256).where(Snapshot.evaluation_id == evaluation_id)
        .order_by(Snapshot.id)
    ).all()
    return tuple(evaluation), [tuple(row) for row in task_rows], audit_count, notifications, \
        [tuple(row) for row in snapshots]


def snapshot_kinds(evaluation_id):
    return list(db.session.scalars(
        select(Snapshot.kind).where(Snapshot.evaluation_id == evaluation_id).order_by(Snapshot.id)))


def assert_session_clean():
    assert not (db.session.new or db.session.dirty or db.session.deleted)


def open_tasks_of(evaluation):
    return db.session.scalars(
        select(Task).where(Task.evaluation_id == evaluation.id, Task.completed_at.is_(None))
    ).all()


def triggers(transitions):
    return [t.trigger for t in transitions]


# The definition ---------------------------------------------------------------------------


def test_definition_is_the_agreed_workflow():
    """The first row of each trigger and source is the seed plan's way; the others are named."""
    defined, others = {}, set()
    for t in TRANSITIONS:
        for source in t.source:
            if (t.trigger, source) in defined:
                chooser = t.when or t.plan_option
                others.add((t.trigger, source, t.dest, chooser.__name__))
            else:
                defined[(t.trigger, source)] = (t.dest, {t.role})
                if t.when:  # an opinion row chosen first: the next row is the seed's
                    others.add((t.trigger, source, t.dest, t.when.__name__))
                    del defined[(t.trigger, source)]
    assert defined == EXPECTED
    assert others == OTHER_ROWS
    assert [s.name for s in STATES] == list(EXPECTED_TASKS)
    for state in STATES:
        expected = EXPECTED_TASKS[state.name]
        if expected is None:
            assert state.actor is None and state.stage is None
        else:
            assert (state.actor, state.section_task, state.stage) == expected
    # Every state but the last can be left, and every state can be reached.
    sources = {s for t in TRANSITIONS for s in t.source}
    assert sources == {s.name for s in STATES} - {"applied"}
    # (准备中 only again when the office returns the targets.)
    assert {t.dest for t in TRANSITIONS} == {s.name for s in STATES}
    assert [t.trigger for t in TRANSITIONS if t.dest == "preparing"] == ["return_targets"]


MATRIX = [(trigger, source, role) for (trigger, source) in EXPECTED for role in Role]


@pytest.mark.parametrize(
    "trigger,source,role", MATRIX, ids=[f"{t}-{s}-{r.value}" for t, s, r in MATRIX]
)
def test_transition_by_role(trigger, source, role):
    """Each role tries each transition from each of its source states. Everyone satisfies
    every other rule (same section, in the working group, the leader is its 组长, the staff
    member is the submitter, the form is complete, the evaluation is in a submission batch,
    the finance bureau's feedback is recorded), so the role alone decides."""
    section = make_section(SECTION_A, commit=False)
    holders = {r: make_user(f"only_{r.value}", [r], section, full_name=f"{r.value}甲", commit=False) for r in Role}
    db.session.commit()
    plan = make_plan(targets_approval=(trigger, source) in TARGET_TRIGGERS)
    make_group(plan, holders[Role.LEADER], members=[holders[Role.REVIEWER]])
    project = make_project(plan, "应急物资储备项目", section, holders[Role.OFFICE])
    actors = {
        "office": holders[Role.OFFICE], "staff": holders[Role.SECTION_STAFF],
        "reviewer": holders[Role.REVIEWER], "leader": holders[Role.LEADER],
    }
    evaluation = walk_to(project.evaluation, source, actors)
    prepare_step(evaluation, trigger, actors)
    transition = actions.rows_here(evaluation, trigger)[0]
    actor = holders[role]
    dest, allowed = EXPECTED[(trigger, source)]
    before = snapshot(evaluation.id)

    reason = actions.refusal(evaluation, trigger, actor)
    shown = trigger in triggers(actions.available(evaluation, actor))
    if role in allowed:
        assert reason is None
        assert shown
        outcome = actions.perform(evaluation.id, trigger, actor, comment="请补充说明。")
        assert (outcome.from_state, outcome.to_state) == (source, dest)
        after = snapshot(evaluation.id)
        assert after[0][0] == dest and after[0][1] == before[0][1] + 1
        assert after[2] == before[2] + 1
        last = db.session.scalars(select(AuditRecord).order_by(AuditRecord.id.desc()).limit(1)).one()
        assert (last.action, last.from_state, last.to_state, last.actor_id) == (trigger, source, dest, actor.id)
        added = [kind for _id, kind, _sha in after[4][len(before[4]):]]
        assert added == ([SNAPSHOT_OF[trigger]] if trigger in SNAPSHOT_OF else [])
    else:
        assert reason is not None and HAN.search(reason)
        assert not shown
        if all(t.role != role for t in TRANSITIONS if t.trigger == trigger):
            assert reason == f"您没有执行“{transition.label}”的权限。"
        with pytest.raises(ServiceError) as refused:
            actions.perform(evaluation.id, trigger, actor, comment="请补充说明。")
        assert refused.value.code == "refused"
        assert refused.value.message == reason
        assert_session_clean()
        assert snapshot(evaluation.id) == before


@pytest.mark.parametrize("state", [s.name for s in STATES])
def test_transitions_from_other_states_are_refused(state):
    """A transition whose source is not the current state is refused for everyone, with the
    state named in the message, and changes nothing."""
    org, plan = make_setup()
    plan.targets_approval = state in TARGET_STATES
    evaluation = make_evaluation(plan, org, state)
    everyone = [org.office, org.leader, org.reviewer, org.staff_a, org.admin]
    before = snapshot(evaluation.id)
    for transition in TRANSITIONS:
        if any(state in t.source for t in TRANSITIONS if t.trigger == transition.trigger):
            continue
        for actor in everyone:
            reason = actions.refusal(evaluation, transition, actor)
            assert reason == f"当前状态（{state_def(state).label}）下不能执行“{transition.label}”。"
            with pytest.raises(ServiceError):
                actions.perform(evaluation.id, transition.trigger, actor, comment="意见")
    assert snapshot(evaluation.id) == before


def test_unknown_trigger_and_missing_evaluation_are_refused():
    org, plan = make_setup()
    evaluation = make_evaluation(plan, org, "preparing")
    with pytest.raises(ServiceError, match="未知的操作"):
        actions.perform(evaluation.id, "delete_everything", org.office)
    with pytest.raises(NotFound, match="评价不存在"):
        actions.perform(evaluation.id + 1000, "open_self_evaluation", org.office)
    with pytest.raises(ServiceError, match="2000"):
        actions.perform(evaluation.id, "open_self_evaluation", org.office, comment="长" * 2001)
    assert evaluation.state == "preparing"


# Conditions -------------------------------------------------------------------------------


def test_only_staff_of_the_projects_section_submit():
    org, plan = make_setup()
    evaluation = fill_complete(make_evaluation(plan, org, "self_evaluating"))
    before = snapshot(evaluation.id)
    with pytest.raises(ServiceError, match="只有项目责任科室的经办人可以执行此操作。"):
        actions.perform(evaluation.id, "submit", org.staff_b)
    assert snapshot(evaluation.id) == before
    actions.perform(evaluation.id, "submit", org.staff_a2)  # a colleague of the same section
    assert evaluation.state == "submitted"
    assert evaluation.submitted_by_id == org.staff_a2.id


def test_only_the_submitter_withdraws():
    org, plan = make_setup()
    evaluation = make_evaluation(plan, org, "submitted")  # submitted by staff_a
    withdraw = TRANSITION_BY_TRIGGER["withdraw"]
    assert actions.refusal(evaluation, withdraw, org.staff_a2) == "只有提交人可以撤回。"
    with pytest.raises(ServiceError, match="只有提交人可以撤回。"):
        actions.perform(evaluation.id, "withdraw", org.staff_a2)
    actions.perform(evaluation.id, "withdraw", org.staff_a)
    assert evaluation.state == "self_evaluating"


def test_withdraw_is_refused_once_a_reviewer_claimed_the_review():
    org, plan = make_setup()
    evaluation = make_evaluation(plan, org, "submitted")
    withdraw = TRANSITION_BY_TRIGGER["withdraw"]
    assert actions.refusal(evaluation, withdraw, org.staff_a) is None
    (review_task,) = open_tasks_of(evaluation)
    tasks.claim(review_task, org.reviewer)
    assert actions.refusal(evaluation, withdraw, org.staff_a) == "复核已经开始，不能撤回。"
    before = snapshot(evaluation.id)
    with pytest.raises(ServiceError, match="复核已经开始，不能撤回。"):
        actions.perform(evaluation.id, "withdraw", org.staff_a)
    assert snapshot(evaluation.id) == before
    assert triggers(actions.available(evaluation, org.staff_a)) == []


@pytest.mark.parametrize("comment", ["", "   ", "\n\t"])
def test_return_needs_a_comment(comment):
    org, plan = make_setup()
    evaluation = make_evaluation(plan, org, "submitted")
    back = TRANSITION_BY_TRIGGER["return_for_revision"]
    assert actions.refusal(evaluation, back, org.reviewer) is None  # the button is shown
    before = snapshot(evaluation.id)
    with pytest.raises(ServiceError, match="退回时必须填写意见。") as refused:
        actions.perform(evaluation.id, "return_for_revision", org.reviewer, comment=comment)
    assert refused.value.code == "invalid"  # a value missing (422), not a right refused
    assert snapshot(evaluation.id) == before
    actions.perform(evaluation.id, "return_for_revision", org.reviewer, comment="  缺少佐证材料。 ")
    assert evaluation.state == "returned"
    record = audit.history(evaluation)[-1]
    assert record.comment == "缺少佐证材料。"


def test_only_the_leader_returns_a_reviewed_evaluation():
    org, plan = make_setup()
    evaluation = make_evaluation(plan, org, "reviewed")
    before = snapshot(evaluation.id)
    with pytest.raises(ServiceError, match="此时“退回修改”由组长办理。"):
        actions.perform(evaluation.id, "return_for_revision", org.reviewer2, comment="再看看")
    assert snapshot(evaluation.id) == before
    actions.perform(evaluation.id, "return_for_revision", org.leader, comment="目标值偏低，请修改。")
    assert evaluation.state == "returned"


def test_only_the_groups_leader_returns_an_approved_evaluation():
    """Approval freezes the evaluation; the working group's 组长 alone reopens it (with a
    comment). A reviewer, a 副组长 who holds the leader role and a leader outside the group
    are turned away, and nothing changes."""
    org, plan = make_setup(with_group=False)
    deputy_leader = make_user("deputy_leader", [Role.LEADER, Role.REVIEWER], org.office_section, full_name="副组长乙")
    other_leader = make_user("other_leader", [Role.LEADER], None, full_name="另一位局领导")
    make_group(plan, org.leader, deputies=[org.reviewer, deputy_leader], members=[org.reviewer2])
    evaluation = make_evaluation(plan, org, "approved")
    back = TRANSITION_BY_TRIGGER["return_for_revision"]
    assert "return_for_revision" in triggers(actions.available(evaluation, org.leader))
    before = snapshot(evaluation.id)
    for actor, message in (
        (org.reviewer, "此时“退回修改”由组长办理。"),
        (org.reviewer2, "此时“退回修改”由组长办理。"),
        (deputy_leader, "只有评价工作小组组长可以执行“退回修改”。"),
        (other_leader, "您不是本方案评价工作小组的成员。"),
        (org.office, "您没有执行“退回修改”的权限。"),
    ):
        assert actions.refusal(evaluation, back, actor) == message, actor.username
        assert back not in actions.available(evaluation, actor)
        with pytest.raises(ServiceError) as refused:
            actions.perform(evaluation.id, "return_for_revision", actor, comment="请修改")
        assert refused.value.message == message
    with pytest.raises(ServiceError, match="退回时必须填写意见。"):
        actions.perform(evaluation.id, "return_for_revision", org.leader, comment="  ")
    assert_session_clean()
    assert snapshot(evaluation.id) == before

    actions.perform(evaluation.id, "return_for_revision", org.leader, comment="审批后发现佐证不足，请补充。")
    assert evaluation.state == "returned"
    (task,) = open_tasks_of(evaluation)
    assert (task.state, task.role, task.section_id) == ("returned", Role.SECTION_STAFF.value, org.section_a.id)
    assert snapshot_kinds(evaluation.id) == ["submission", "approval"]  # the frozen version is kept
    assert [t.trigger for t in actions.available(evaluation, org.staff_a)] == ["resubmit"]


def test_a_reviewed_evaluation_is_returned_by_the_groups_leader_only():
    org, plan = make_setup(with_group=False)
    deputy_leader = make_user("deputy_leader", [Role.LEADER, Role.REVIEWER], org.office_section, full_name="副组长乙")
    make_group(plan, org.leader, deputies=[org.reviewer, deputy_leader], members=[org.reviewer2])
    evaluation = make_evaluation(plan, org, "reviewed")
    before = snapshot(evaluation.id)
    with pytest.raises(ServiceError, match="只有评价工作小组组长可以执行“退回修改”。"):
        actions.perform(evaluation.id, "return_for_revision", deputy_leader, comment="再看看")
    assert snapshot(evaluation.id) == before
    actions.perform(evaluation.id, "return_for_revision", org.leader, comment="再看看")
    assert evaluation.state == "returned"


def test_without_a_working_group_any_leader_returns_an_approved_evaluation():
    org, plan = make_setup(with_group=False)
    other_leader = make_user("other_leader", [Role.LEADER], None, full_name="另一位局领导")
    evaluation = make_evaluation(plan, org, "approved")
    with pytest.raises(ServiceError, match="此时“退回修改”由组长办理。"):
        actions.perform(evaluation.id, "return_for_revision", org.reviewer, comment="退回")
    actions.perform(evaluation.id, "return_for_revision", other_leader, comment="退回")
    assert evaluation.state == "returned"


@pytest.mark.parametrize("state", ["reported", "applied"])
def test_nobody_returns_a_reported_evaluation(state):
    org, plan = make_setup()
    evaluation = make_evaluation(plan, org, state)
    before = snapshot(evaluation.id)
    for actor in (org.leader, org.reviewer, org.office):
        with pytest.raises(ServiceError, match="下不能执行“退回修改”"):
            actions.perform(evaluation.id, "return_for_revision", actor, comment="退回")
    assert snapshot(evaluation.id) == before


def test_reviewers_return_submitted_evaluations_not_the_leader():
    org, plan = make_setup()
    evaluation = make_evaluation(plan, org, "submitted")
    with pytest.raises(ServiceError, match="此时“退回修改”由复核人（副组长/成员）办理。"):
        actions.perform(evaluation.id, "return_for_revision", org.leader, comment="退回")
    actions.perform(evaluation.id, "return_for_revision", org.reviewer2, comment="退回")
    assert evaluation.state == "returned"


def test_review_belongs_to_the_working_group():
    org, plan = make_setup()
    evaluation = make_evaluation(plan, org, "submitted")
    before = snapshot(evaluation.id)
    with pytest.raises(ServiceError, match="您不是本方案评价工作小组的成员。"):
        actions.perform(evaluation.id, "pass_review", org.outsider)
    with pytest.raises(ServiceError, match="您不是本方案评价工作小组的成员。"):
        actions.perform(evaluation.id, "return_for_revision", org.outsider, comment="退回")
    assert snapshot(evaluation.id) == before
    actions.perform(evaluation.id, "pass_review", org.reviewer2)  # a 成员 of the group
    assert evaluation.state == "reviewed"


def test_without_a_working_group_any_reviewer_reviews():
    org, plan = make_setup(with_group=False)
    evaluation = make_evaluation(plan, org, "submitted")
    actions.perform(evaluation.id, "pass_review", org.outsider)
    actions.perform(evaluation.id, "approve", org.leader)
    assert evaluation.state == "approved"


def test_only_the_groups_leader_approves():
    org, plan = make_setup(with_group=False)
    deputy_leader = make_user("deputy_leader", [Role.LEADER, Role.REVIEWER], org.office_section, full_name="副组长乙")
    other_leader = make_user("other_leader", [Role.LEADER], None, full_name="另一位局领导")
    make_group(plan, org.leader, deputies=[org.reviewer, deputy_leader], members=[org.reviewer2])
    evaluation = make_evaluation(plan, org, "reviewed")
    before = snapshot(evaluation.id)
    with pytest.raises(ServiceError, match="只有评价工作小组组长可以执行“审批通过”。"):
        actions.perform(evaluation.id, "approve", deputy_leader)
    with pytest.raises(ServiceError, match="您不是本方案评价工作小组的成员。"):
        actions.perform(evaluation.id, "approve", other_leader)
    assert snapshot(evaluation.id) == before
    actions.perform(evaluation.id, "approve", org.leader)
    assert evaluation.state == "approved"


def test_tasks_of_review_and_approval_go_to_the_working_group_only():
    """Inboxes, claims and notifications follow the same rule as the buttons: a reviewer
    outside the plan's working group is not asked to review, and a 组长-role holder who is
    not the group's 组长 is not asked to approve."""
    org, plan = make_setup()
    other_leader = make_user("other_leader", [Role.LEADER], None, full_name="另一位局领导")
    evaluation = make_evaluation(plan, org, "submitted")
    (review,) = open_tasks_of(evaluation)
    assert review in tasks.inbox(org.reviewer) and review in tasks.inbox(org.reviewer2)
    assert review not in tasks.inbox(org.outsider)
    assert {u.id for u in tasks.users_to_act(review)} == {org.reviewer.id, org.reviewer2.id}
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.user_id == org.outsider.id)) == 0
    with pytest.raises(Forbidden):
        tasks.claim(review, org.outsider)
    assert review.assignee_id is None
    with pytest.raises(ServiceError):
        tasks.reassign(review, org.reviewer, org.outsider.id)

    actions.perform(evaluation.id, "pass_review", org.reviewer)
    (approval,) = open_tasks_of(evaluation)
    assert approval in tasks.inbox(org.leader)
    assert approval not in tasks.inbox(other_leader)
    assert [u.id for u in tasks.users_to_act(approval)] == [org.leader.id]


def test_each_plan_has_its_own_working_group():
    """Two plans side by side: one with the standard group, one without any group, one
    whose group is the outsider and another 组长. Each task follows its own plan."""
    org, plan = make_setup()
    other_leader = make_user("other_leader", [Role.LEADER], None, full_name="另一位局领导")
    open_plan = make_plan(title="没有工作小组的方案")
    outsiders_plan = make_plan(title="另一工作小组的方案")
    make_group(outsiders_plan, other_leader, members=[org.outsider])
    in_plan = make_evaluation(plan, org, "submitted", name="项目甲")
    in_open = make_evaluation(open_plan, org, "submitted", name="项目乙")
    in_outsiders = make_evaluation(outsiders_plan, org, "submitted", name="项目丙")
    review = {e.id: open_tasks_of(e)[0] for e in (in_plan, in_open, in_outsiders)}

    def reviews_of(user):
        return {t.evaluation_id for t in tasks.inbox(user)}

    assert reviews_of(org.reviewer) == {in_plan.id, in_open.id}
    assert reviews_of(org.outsider) == {in_open.id, in_outsiders.id}
    assert {u.id for u in tasks.users_to_act(review[in_outsiders.id])} == {org.outsider.id}
    assert {u.id for u in tasks.users_to_act(review[in_open.id])} == {
        org.reviewer.id, org.reviewer2.id, org.outsider.id}

    actions.perform(in_plan.id, "pass_review", org.reviewer)
    actions.perform(in_open.id, "pass_review", org.reviewer)
    actions.perform(in_outsiders.id, "pass_review", org.outsider)
    assert reviews_of(org.leader) == {in_plan.id, in_open.id}
    assert reviews_of(other_leader) == {in_open.id, in_outsiders.id}
    assert tasks.may_act(open_tasks_of(in_outsiders)[0], other_leader)
    assert not tasks.may_act(open_tasks_of(in_outsiders)[0], org.leader)


# Nobody reviews or approves their own submission --------------------------------------------


def test_a_user_with_every_role_cannot_review_or_approve_what_they_submitted():
    org, plan = make_setup(with_group=False)
    everything = make_user("everything", [Role.SECTION_STAFF, Role.REVIEWER, Role.LEADER], org.section_a,
                           full_name="全能者")
    make_group(plan, everything, deputies=[org.reviewer])
    evaluation = fill_complete(make_evaluation(plan, org, "self_evaluating"))
    actions.perform(evaluation.id, "submit", everything)
    (review,) = open_tasks_of(evaluation)

    assert triggers(actions.available(evaluation, everything)) == ["withdraw"]
    for trigger in ("pass_review", "return_for_revision"):
        assert actions.refusal(evaluation, TRANSITION_BY_TRIGGER[trigger], everything) == \
            "不能复核或审批自己提交的自评。"
        with pytest.raises(ServiceError, match="不能复核或审批自己提交的自评。"):
            actions.perform(evaluation.id, trigger, everything, comment="自己退回")
    assert review not in tasks.inbox(everything)
    assert review in tasks.inbox(org.reviewer)
    with pytest.raises(Forbidden):
        tasks.claim(review, everything)

    actions.perform(evaluation.id, "pass_review", org.reviewer)
    (approval,) = open_tasks_of(evaluation)
    assert triggers(actions.available(evaluation, everything)) == []
    with pytest.raises(ServiceError, match="不能复核或审批自己提交的自评。"):
        actions.perform(evaluation.id, "approve", everything)
    assert evaluation.state == "reviewed"
    assert approval not in tasks.inbox(everything)
    assert everything not in tasks.users_to_act(approval)


# Buttons ----------------------------------------------------------------------------------


BUTTONS = {
    "preparing": {"office": ["open_self_evaluation"], "staff_a": [], "leader": [], "admin": []},
    "self_evaluating": {"staff_a": ["submit"], "staff_a2": ["submit"], "staff_b": [], "office": [],
                        "reviewer": []},
    "submitted": {"staff_a": ["withdraw"], "staff_a2": [], "reviewer": ["pass_review", "return_for_revision"],
                  "reviewer2": ["pass_review", "return_for_revision"], "outsider": [], "leader": [],
                  "office": []},
    "returned": {"staff_a": ["resubmit"], "staff_a2": ["resubmit"], "staff_b": [], "reviewer": []},
    "reviewed": {"leader": ["return_for_revision", "return_to_review", "approve"], "reviewer": [], "staff_a": [], "office": []},
    "approved": {"office": ["report"], "leader": ["return_for_revision", "return_to_review"], "reviewer": [], "staff_a": [],
                 "finance": []},
    "reported": {"office": ["apply"], "finance": [], "admin": []},
    "applied": {"office": [], "leader": [], "reviewer": [], "staff_a": [], "admin": [], "finance": []},
}


# The buttons a condition on the evaluation's data holds back until it is met: an incomplete
# form (submit), no submission batch (report), no feedback from the finance bureau (apply).
HELD_BACK = {"self_evaluating": "submit", "approved": "report", "reported": "apply"}
# ... and the one a condition allows only until then: a 报送 is recalled before the bureau answers.
UNTIL_MET = {"reported": {"office": ["recall_report"]}}


@pytest.mark.parametrize("state", list(BUTTONS))
def test_buttons_are_exactly_the_permitted_transitions(state):
    org, plan = make_setup()
    evaluation = make_evaluation(plan, org, state)
    actors = {"office": org.office, "staff": org.staff_a, "reviewer": org.reviewer, "leader": org.leader}

    def check(buttons):
        for who, expected in buttons.items():
            actor = getattr(org, who)
            assert triggers(actions.available(evaluation, actor)) == expected, who
            for transition in TRANSITIONS:
                assert (actions.refusal(evaluation, transition, actor) is None) == (transition.trigger in expected)

    if state in HELD_BACK:
        held = HELD_BACK[state]
        check({who: UNTIL_MET.get(state, {}).get(who, []) + [t for t in expected if t != held]
               for who, expected in BUTTONS[state].items()})
    for transition in TRANSITIONS:
        if state in transition.source:
            prepare_step(evaluation, transition.trigger, actors)
    check(BUTTONS[state])


# The machine ------------------------------------------------------------------------------


def test_one_shared_machine_moves_the_state_column_only():
    org, plan = make_setup()
    shared = machine.MACHINE
    assert shared.models == []
    assert set(shared.events) == {t.trigger for t in TRANSITIONS}
    assert set(shared.states) == {s.name for s in STATES}
    projects = [make_project(plan, f"项目{i}", org.section_a, org.office) for i in range(12)]
    for project in projects:
        actions.perform(project.evaluation.id, "open_self_evaluation", org.office)
    for project in projects[:6]:
        fill_complete(project.evaluation)
        actions.perform(project.evaluation.id, "submit", org.staff_a)
    assert machine.MACHINE is shared
    assert shared.models == []
    db.session.expire_all()
    states = db.session.execute(select(Evaluation.id, Evaluation.state).order_by(Evaluation.id)).all()
    assert [s for _id, s in states] == ["submitted"] * 6 + ["self_evaluating"] * 6
    # Each row keeps its own state: the machine remembers none of them.
    evaluation = projects[0].evaluation
    assert not hasattr(evaluation, "trigger") and not hasattr(evaluation, "is_submitted")
    assert machine.fire(evaluation, "submit", actions.Act(org.staff_a, org.staff_a)) is False  # not from 已提交
    assert machine.fire(projects[7].evaluation, "submit", actions.Act(org.staff_a, org.staff_a)) is False  # the form is empty
    assert projects[7].evaluation.state == "self_evaluating"
    fill_complete(projects[7].evaluation)
    assert machine.fire(projects[7].evaluation, "submit", actions.Act(org.staff_a, org.staff_a)) is True
    assert projects[7].evaluation.state == "submitted"
    db.session.rollback()
    assert projects[7].evaluation.state == "self_evaluating"
    assert shared.models == []


def test_machine_checks_the_definitions_conditions_itself():
    """fire() alone (without actions.refusal) still obeys the definition's conditions."""
    org, plan = make_setup()
    evaluation = make_evaluation(plan, org, "reviewed")
    assert machine.fire(evaluation, "return_for_revision", actions.Act(org.reviewer, org.reviewer)) is False
    assert evaluation.state == "reviewed"
    assert machine.fire(evaluation, "return_for_revision", actions.Act(org.leader, org.leader)) is True
    assert evaluation.state == "returned"
    db.session.rollback()


# Tasks ------------------------------------------------------------------------------------


PATH = [
    ("open_self_evaluation", "office"), ("submit", "staff_a"),
    ("return_for_revision", "reviewer"), ("resubmit", "staff_a2"), ("pass_review", "reviewer2"),
    ("approve", "leader"), ("report", "office"), ("apply", "office"),
]


def test_each_state_has_one_open_task_for_whoever_acts_next_due_at_its_stages_end_or_after_a_return():
    org, plan = make_setup()
    start = datetime(2020, 6, 15, 1, 0, tzinfo=UTC)
    clock.freeze(start)
    evaluation = make_evaluation(plan, org, "preparing")

    def check_open_task():
        expected = EXPECTED_TASKS[evaluation.state]
        open_ = open_tasks_of(evaluation)
        if expected is None:
            assert open_ == []
            return None
        role, section_task, stage = expected
        (task,) = open_
        assert task.state == evaluation.state
        assert task.role == role.value
        assert task.section_id == (org.section_a.id if section_task else None)
        if evaluation.state == "returned":
            # Due the plan's return period after the return, in working days: returned on
            # Thursday 6/18, the 端午 holiday 6/25–6/27 skipped and Sunday 6/28 worked in its
            # place (调休), the 5th working day is 6/28, not the stage's end.
            assert plan.return_working_days == 5
            assert task.due_date == datetime(2020, 6, 28).date()
        else:
            assert task.due_date == plan.stage(stage).due_date
        assert task.assignee_id is None
        return task

    task = check_open_task()
    assert task.due_date == datetime(2020, 6, 30).date()
    for step, (trigger, who) in enumerate(PATH, start=1):
        moment = start + timedelta(days=step)
        clock.freeze(moment)
        actor = getattr(org, who)
        prepare_step(evaluation, trigger, {"office": org.office})
        actions.perform(evaluation.id, trigger, actor, comment="意见")
        db.session.refresh(task)
        assert task.completed_at == moment
        assert task.completed_by_id == actor.id
        task = check_open_task()
    assert evaluation.state == "applied"
    total = db.session.scalar(select(func.count()).select_from(Task).where(Task.evaluation_id == evaluation.id))
    assert total == len(PATH)  # one per state entered (the first from add_project), none for 已应用


def test_changing_stage_dates_moves_open_tasks_only():
    org, plan = make_setup()
    submitted = make_evaluation(plan, org, "submitted", name="项目甲")
    preparing = make_evaluation(plan, org, "preparing", name="项目乙")
    (done_task,) = db.session.scalars(
        select(Task).where(Task.evaluation_id == submitted.id, Task.state == "preparing")
    ).all()
    old_done_due = done_task.due_date
    rows = {s.kind: (s.name, s.start_date, s.due_date) for s in plan.stages}
    new_review_due = datetime(2020, 8, 28).date()
    new_prepare_due = datetime(2020, 7, 1).date()
    rows["review"] = (rows["review"][0], rows["review"][1], new_review_due)
    rows["prepare"] = (rows["prepare"][0], rows["prepare"][1], new_prepare_due)
    plans.update_stages(plan, rows)
    db.session.expire_all()
    (review_task,) = open_tasks_of(submitted)
    (prepare_task,) = open_tasks_of(preparing)
    assert review_task.due_date == new_review_due
    assert prepare_task.due_date == new_prepare_due
    assert db.session.get(Task, done_task.id).due_date == old_done_due  # completed: history stays
    # The next task takes the new dates too.
    actions.perform(submitted.id, "pass_review", org.reviewer)
    (approval,) = open_tasks_of(submitted)
    assert approval.due_date == new_review_due


def test_claim_a_task():
    org, plan = make_setup()
    clock.freeze(datetime(2020, 8, 5, 2, 0, tzinfo=UTC))
    evaluation = make_evaluation(plan, org, "submitted")
    (review,) = open_tasks_of(evaluation)
    with pytest.raises(Forbidden, match="您不能领取这项待办。"):
        tasks.claim(review, org.staff_b)
    tasks.claim(review, org.reviewer)
    db.session.expire_all()
    review = db.session.get(Task, review.id)
    assert review.assignee_id == org.reviewer.id
    assert review.claimed_at == clock.now()
    assert review in tasks.inbox(org.reviewer)
    assert review not in tasks.inbox(org.reviewer2)  # a colleague sees someone is on it
    with pytest.raises(ServiceError, match="这项待办已由您领取。"):
        tasks.claim(review, org.reviewer)
    with pytest.raises(Forbidden):
        tasks.claim(review, org.reviewer2)
    assert db.session.get(Task, review.id).assignee_id == org.reviewer.id


def test_reassign_a_section_task_to_a_colleague_of_the_same_section():
    org, plan = make_setup()
    evaluation = make_evaluation(plan, org, "self_evaluating")
    (task,) = open_tasks_of(evaluation)
    assert {u.id for u in tasks.eligible_colleagues(task)} == {org.staff_a.id, org.staff_a2.id}
    with pytest.raises(ServiceError, match="只能转交给同一科室、具有相应角色的在用人员。"):
        tasks.reassign(task, org.staff_a, org.staff_b.id)
    with pytest.raises(ServiceError):
        tasks.reassign(task, org.staff_a, org.reviewer.id)  # right section? no; right role? no
    assert db.session.get(Task, task.id).assignee_id is None
    with pytest.raises(Forbidden, match="您不能转交这项待办。"):
        tasks.reassign(task, org.staff_b, org.staff_a2.id)

    colleague = tasks.reassign(task, org.staff_a, org.staff_a2.id)
    assert colleague.id == org.staff_a2.id
    db.session.expire_all()
    task = db.session.get(Task, task.id)
    assert task.assignee_id == org.staff_a2.id
    assert task in tasks.inbox(org.staff_a2) and task not in tasks.inbox(org.staff_a)
    note = db.session.scalars(select(Notification).where(
        Notification.user_id == org.staff_a2.id, Notification.text.contains("转交"))).all()
    assert len(note) == 1 and "原立吉" in note[0].text and "应急物资储备项目" in note[0].text
    # The office may hand it on as well, e.g. back to the first colleague.
    tasks.reassign(task, org.office, org.staff_a.id)
    assert db.session.get(Task, task.id).assignee_id == org.staff_a.id


# Overdue and due soon ---------------------------------------------------------------------


def test_overdue_and_due_soon_on_a_frozen_clock(app):
    org, plan = make_setup()
    late_a = make_evaluation(plan, org, "self_evaluating", name="项目甲")  # due 7-30
    late_b = make_evaluation(plan, org, "self_evaluating", name="项目乙", section=org.section_b)
    soon = make_evaluation(plan, org, "submitted", name="项目丙")  # review due 8-21
    later = make_evaluation(plan, org, "approved", name="项目丁")  # report due 8-31
    done = make_evaluation(plan, org, "applied", name="项目戊")  # no open task
    # 2020-08-18 17:00 UTC is already 08-19 in Beijing: the office's calendar day counts.
    clock.freeze(datetime(2020, 8, 18, 17, 0, tzinfo=UTC))
    assert tasks.today() == datetime(2020, 8, 19).date()
    assert app.config["DUE_SOON_DAYS"] == 3

    (t_late_a,), (t_late_b,) = open_tasks_of(late_a), open_tasks_of(late_b)
    (t_soon,), (t_later,) = open_tasks_of(soon), open_tasks_of(later)
    assert open_tasks_of(done) == []
    assert [t.id for t in tasks.overdue()] == [t_late_a.id, t_late_b.id]
    assert [t.id for t in tasks.due_soon()] == [t_soon.id]
    assert [tasks.urgency(t) for t in (t_late_a, t_soon, t_later)] == ["red", "yellow", "green"]

    # Each person sees their own.
    assert tasks.overdue(org.staff_a) == [t_late_a]
    assert tasks.overdue(org.staff_b) == [t_late_b]
    assert tasks.overdue(org.reviewer) == [] and tasks.due_soon(org.staff_a) == []
    assert tasks.due_soon(org.reviewer) == [t_soon]
    assert tasks.due_soon(org.outsider) == []
    assert tasks.overdue(org.office) == [] and tasks.due_soon(org.office) == []
    assert tasks.due_soon(org.office, days=12) == [t_later]

    # Completing a task takes it off the lists.
    fill_complete(late_a)
    actions.perform(late_a.id, "submit", org.staff_a)
    assert tasks.overdue(org.staff_a) == []
    assert tasks.urgency(db.session.get(Task, t_late_a.id)) == "green"


@pytest.mark.parametrize("offset,expected", [(-1, "red"), (0, "yellow"), (3, "yellow"), (4, "green")])
def test_urgency_edges(offset, expected):
    org, plan = make_setup()
    evaluation = make_evaluation(plan, org, "submitted")
    (task,) = open_tasks_of(evaluation)
    on = task.due_date - timedelta(days=offset)
    assert tasks.urgency(task, on=on) == expected
    assert (task in tasks.overdue(on=on)) == (expected == "red")
    assert (task in tasks.due_soon(on=on)) == (expected == "yellow")


# Bulk -------------------------------------------------------------------------------------


def test_bulk_open_self_evaluation_over_all_projects():
    org, plan = make_setup()
    names = ["项目甲", "项目乙", "项目丙", "项目丁"]
    evaluations = [make_evaluation(plan, org, "preparing", name=n, section=s)
                   for n, s in zip(names, [org.section_a, org.section_a, org.section_b, org.section_b])]
    already = make_evaluation(plan, org, "self_evaluating", name="项目戊")
    ids = [project.evaluation.id for project in plans.projects_of(plan)]
    done, refused = actions.perform_bulk(ids, "open_self_evaluation", org.office, address="10.0.0.1")
    assert sorted(done) == sorted(e.id for e in evaluations)
    assert refused == [(already.id, "当前状态（自评中）下不能执行“开始自评”。")]
    db.session.expire_all()
    assert {db.session.get(Evaluation, i).state for i in ids} == {"self_evaluating"}
    # Each section's staff now has the task.
    assert len(tasks.inbox(org.staff_a)) == 3 and len(tasks.inbox(org.staff_b)) == 2
    records = db.session.scalars(select(AuditRecord).where(
        AuditRecord.action == "open_self_evaluation", AuditRecord.address == "10.0.0.1")).all()
    assert sorted(r.evaluation_id for r in records) == sorted(done)


def test_bulk_approve_goes_on_past_a_refusal():
    org, plan = make_setup()
    reviewed = [make_evaluation(plan, org, "reviewed", name=f"项目{i}") for i in range(3)]
    not_yet = make_evaluation(plan, org, "submitted", name="未复核项目")
    ids = [reviewed[0].id, not_yet.id, reviewed[1].id, 999999, reviewed[2].id]
    before = snapshot(not_yet.id)
    done, refused = actions.perform_bulk(ids, "approve", org.leader)
    assert done == [reviewed[0].id, reviewed[1].id, reviewed[2].id]
    assert refused == [(not_yet.id, "当前状态（待复核）下不能执行“审批通过”。"), (999999, "评价不存在。")]
    assert snapshot(not_yet.id) == before
    db.session.expire_all()
    assert [db.session.get(Evaluation, e.id).state for e in reviewed] == ["approved"] * 3


def test_bulk_by_someone_without_the_right_refuses_everything():
    org, plan = make_setup()
    reviewed = [make_evaluation(plan, org, "reviewed", name=f"项目{i}") for i in range(2)]
    done, refused = actions.perform_bulk([e.id for e in reviewed], "approve", org.reviewer)
    assert done == []
    assert [reason for _id, reason in refused] == ["您没有执行“审批通过”的权限。"] * 2
    assert {e.state for e in reviewed} == {"reviewed"}


# Audit ------------------------------------------------------------------------------------


def test_a_full_run_is_audited_in_order_and_exported_with_chinese_labels():
    org, plan = make_setup()
    start = datetime(2020, 6, 12, 1, 0, tzinfo=UTC)
    clock.freeze(start)
    project = make_project(plan, "应急物资储备项目", org.section_a, org.office)
    evaluation = project.evaluation
    other_plan = make_plan(run_year=2021, budget_year=2020)
    make_project(other_plan, "另一方案的项目", org.section_a, org.office)
    steps = [
        ("open_self_evaluation", org.office, ""),
        ("submit", org.staff_a, ""),
        ("return_for_revision", org.reviewer, "=HYPERLINK(\"x\") 实际数与计划数不一致"),
        ("resubmit", org.staff_a, "已补充说明"),
        ("pass_review", org.reviewer2, "数据完整"),
        ("approve", org.leader, ""),
        ("report", org.office, ""),
        ("apply", org.office, "纳入下年度预算安排"),
    ]
    for minute, (trigger, actor, comment) in enumerate(steps, start=1):
        clock.freeze(start + timedelta(minutes=minute))
        prepare_step(evaluation, trigger, {"office": org.office})
        actions.perform(evaluation.id, trigger, actor, comment=comment, address="192.0.2.7")

    expected = [("create", None, "preparing", org.office.id, "")] + [
        (trigger, source, EXPECTED[(trigger, source)][0], actor.id, comment)
        for (trigger, actor, comment), source in zip(steps, [
            "preparing", "self_evaluating", "submitted", "returned", "submitted", "reviewed", "approved",
            "reported"])
    ]
    history = audit.history(evaluation)
    assert [(r.action, r.from_state, r.to_state, r.actor_id, r.comment) for r in history] == expected
    assert [r.at for r in history] == [start + timedelta(minutes=m) for m in range(len(steps) + 1)]
    assert {r.address for r in history[1:]} == {"192.0.2.7"}

    text = audit.export_csv(plan.id)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    # In the office's zone (Asia/Shanghai, UTC+8), labelled: 14:37 there is 06:37 UTC.
    assert rows[0] == ["时间（北京时间）", "项目", "操作人", "操作", "原状态", "新状态", "意见", "地址"]
    body = rows[1:]
    assert [row[0] for row in body] == [
        (start + timedelta(minutes=m, hours=8)).strftime("%Y-%m-%d %H:%M:%S") for m in range(len(steps) + 1)]
    assert {row[1] for row in body} == {"应急物资储备项目"}  # the other plan is left out
    assert [row[2:7] for row in body] == [
        ["闫洪涛", "创建项目", "", "准备中", ""],
        ["闫洪涛", "开始自评", "准备中", "自评中", ""],
        ["原立吉", "提交复核", "自评中", "待复核", ""],
        ["任志华", "退回修改", "待复核", "已退回", "'=HYPERLINK(\"x\") 实际数与计划数不一致"],
        ["原立吉", "重新提交", "已退回", "待复核", "已补充说明"],
        ["李东阳", "复核通过", "待复核", "待审批", "数据完整"],
        ["姜立新", "审批通过", "待审批", "已审批", ""],
        ["闫洪涛", "报送财政局", "已审批", "已报送", ""],
        ["闫洪涛", "完成结果应用", "已报送", "已应用", "纳入下年度预算安排"],
    ]
    everything = list(csv.reader(io.StringIO(audit.export_csv()[1:])))
    assert len(everything) == len(rows) + 1 and "另一方案的项目" in {row[1] for row in everything}


def test_audit_records_cannot_be_changed_or_deleted_through_the_orm():
    org, plan = make_setup()
    evaluation = make_evaluation(plan, org, "submitted")
    record = audit.history(evaluation)[-1]
    record_id, comment = record.id, record.comment
    record.comment = "篡改"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    record = db.session.get(AuditRecord, record_id)
    db.session.delete(record)
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(AuditRecord, record_id).comment == comment
    assert len(audit.history(evaluation)) == 3


# The board --------------------------------------------------------------------------------


def test_board_counts_per_section_and_state_and_marks_red_for_overdue():
    org, plan = make_setup()
    make_evaluation(plan, org, "self_evaluating", name="甲一")  # due 7-30: overdue on 8-19
    make_evaluation(plan, org, "approved", name="甲二")  # office task due 8-31
    make_evaluation(plan, org, "submitted", name="乙一", section=org.section_b)  # due 8-21: soon
    make_evaluation(plan, org, "reviewed", name="乙二", section=org.section_b)
    section_c = make_section("应急指挥中心")
    staff_c = make_user("staff_c", [Role.SECTION_STAFF], section_c, full_name="张玉坤")
    project = make_project(plan, "丙一", section_c, org.office)
    walk_to(project.evaluation, "applied", {"office": org.office, "staff": staff_c, "reviewer": org.reviewer,
                                            "leader": org.leader})
    other_plan = make_plan(title="另一方案（同年）")
    make_evaluation(other_plan, org, "self_evaluating", name="另一方案的项目")  # overdue, not counted
    clock.freeze(datetime(2020, 8, 19, 2, 0, tzinfo=UTC))

    page, stage_rows, totals = board.board(plan)
    section_rows = page.items
    assert [(r.label, r.mark) for r in section_rows] == [
        ("非煤矿山安全监督管理科", "red"), ("危险化学品安全监督管理科", "yellow"), ("应急指挥中心", "green")]
    a, b, c = section_rows
    assert (a.counts, a.total, a.overdue, a.due_soon) == ({"self_evaluating": 1, "approved": 1}, 2, 1, 0)
    assert (b.counts, b.total, b.overdue, b.due_soon) == ({"submitted": 1, "reviewed": 1}, 2, 0, 2)
    assert (c.counts, c.total, c.done, c.overdue) == ({"applied": 1}, 1, 1, 0)
    assert totals.total == 5
    by_kind = {row.key: row for row in stage_rows}
    assert [row.key for row in stage_rows] == ["prepare", "self_evaluate", "review", "report", "apply"]
    assert by_kind["self_evaluate"].counts == {"self_evaluating": 1, "returned": 0}
    assert by_kind["self_evaluate"].mark == "red"
    assert by_kind["review"].counts == {"submitted": 1, "reviewed": 1}
    assert by_kind["review"].mark == "yellow"
    assert by_kind["prepare"].total == 0 and by_kind["prepare"].mark == "green"
    assert by_kind["report"].counts == {"approved": 1} and by_kind["report"].mark == "green"

    # A week later the review tasks are late as well.
    section_rows = board.board(plan, on=datetime(2020, 8, 25).date())[0].items
    marks = {r.label: (r.mark, r.overdue) for r in section_rows}
    assert marks["危险化学品安全监督管理科"] == ("red", 2)
    assert marks["应急指挥中心"] == ("green", 0)
