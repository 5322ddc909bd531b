"""THE workflow of an evaluation, as one table: its states, and the transitions between them
with who acts, their checks and their effects. The engine (workflow/engine/) runs it and
knows no feature; the rules and effects that reach into the features are in flow_rules.py.
register() installs it when the app is created. Change the workflow here (README: "Changing
the workflow")."""
from flask_babel import lazy_gettext as _l

from workflow import flow_rules as rules
from workflow.engine import definition, effects
from workflow.engine.definition import StateDef as S, TransitionDef as T
from workflow.roles import Role

OFFICE, STAFF, REVIEWER, LEADER = Role.OFFICE, Role.SECTION_STAFF, Role.REVIEWER, Role.LEADER

STATES = (
    S("preparing", _l("准备中"), "prepare", STAFF, _l("设定绩效目标"), section_task=True, section_edits=True),
    # 绩效目标审核, when the plan asks for it: the office approves or returns the targets; once
    # approved they are fixed (a change is a 目标调整 request, workflow/targets/).
    S("targets_submitted", _l("待审核目标"), "prepare", OFFICE, _l("审核绩效目标"), section_edits=True,
      used_when=rules.targets_approval),
    S("targets_approved", _l("目标已批复"), "prepare", OFFICE, _l("开始自评"), section_edits=True,
      used_when=rules.targets_approval),
    S("self_evaluating", _l("自评中"), "self_evaluate", STAFF, _l("填报并提交自评"), section_task=True,
      section_edits=True, actuals=True),
    S("submitted", _l("待复核"), "review", REVIEWER, _l("复核自评"), under_review=True,
      assignees=rules.committee_tasks),
    S("returned", _l("已退回"), "self_evaluate", STAFF, _l("按意见修改后重新提交"), section_task=True,
      section_edits=True, actuals=True, due_after_entering=True),
    S("reviewed", _l("待审批"), "review", LEADER, _l("审批复核结果"), under_review=True,
      used_when=rules.approval_required),
    S("approved", _l("已审批"), "report", OFFICE, _l("汇总报送财政局"), frozen=True),
    S("reported", _l("已报送"), "apply", OFFICE, _l("记录结果应用"), frozen=True, with_finance=True),
    S("applied", _l("已应用"), None, None, frozen=True, with_finance=True),
)

SUBMITTING = (effects.mark_submitted, effects.new_review_round, rules.snapshot_submission)
RETURNING = dict(comment_required=True, style="outline-danger")

TRANSITIONS = (
    T("open_self_evaluation", _l("开始自评"), ("preparing",), "self_evaluating", OFFICE, bulk=True,
      plan_option=rules.no_targets_approval),
    T("submit_targets", _l("提交绩效目标"), ("preparing",), "targets_submitted", STAFF,
      plan_option=rules.targets_approval, checks=(rules.targets_complete,)),
    T("approve_targets", _l("批复绩效目标"), ("targets_submitted",), "targets_approved", OFFICE, bulk=True,
      effects=(rules.fix_targets,), style="success"),
    T("return_targets", _l("退回绩效目标"), ("targets_submitted",), "preparing", OFFICE, **RETURNING),
    T("open_self_evaluation", _l("开始自评"), ("targets_approved",), "self_evaluating", OFFICE, bulk=True),
    T("submit", _l("提交复核"), ("self_evaluating",), "submitted", STAFF, checks=(rules.ready_to_submit,),
      effects=SUBMITTING),
    T("withdraw", _l("撤回"), ("submitted",), "self_evaluating", STAFF, checks=(rules.review_not_started,),
      submitter_only=True, style="outline-secondary"),
    # 复核: with a committee (会签) a pass is one opinion until the plan's rule is met; then
    # the 组长 approves, or, when the plan asks for no approval, the review is the approval.
    T("pass_review", _l("复核通过"), ("submitted",), "submitted", REVIEWER, when=rules.more_passes_needed,
      checks=(rules.first_opinion,), opinion=True, effects=(effects.record_pass,), style="success"),
    T("pass_review", _l("复核通过"), ("submitted",), "reviewed", REVIEWER, plan_option=rules.approval_required,
      checks=(rules.first_opinion,), effects=(effects.record_pass,), style="success"),
    T("pass_review", _l("复核通过"), ("submitted",), "approved", REVIEWER, plan_option=rules.no_approval,
      checks=(rules.first_opinion,), effects=(effects.record_pass, rules.freeze), style="success"),
    T("return_for_revision", _l("退回修改"), ("submitted",), "returned", REVIEWER, checks=(rules.first_opinion,),
      effects=(effects.record_return, effects.tell_submitter), **RETURNING),
    # From 已审批 too: approval freezes the evaluation, and only the leader's return reopens it.
    T("return_for_revision", _l("退回修改"), ("reviewed", "approved"), "returned", LEADER,
      effects=(effects.tell_submitter,), **RETURNING),
    T("return_to_review", _l("退回复核"), ("reviewed", "approved"), "submitted", LEADER,
      effects=(effects.new_review_round,), comment_required=True, style="outline-warning"),
    T("resubmit", _l("重新提交"), ("returned",), "submitted", STAFF, checks=(rules.ready_to_submit,),
      effects=SUBMITTING),
    T("approve", _l("审批通过"), ("reviewed",), "approved", LEADER, bulk=True, effects=(rules.freeze,),
      style="success"),
    T("report", _l("报送财政局"), ("approved",), "reported", OFFICE, checks=(rules.included_in_submission,)),
    T("recall_report", _l("撤回报送"), ("reported",), "approved", OFFICE, checks=(rules.bureau_not_acted,),
      effects=(rules.take_out_of_submission,), comment_required=True, style="outline-secondary"),
    T("apply", _l("完成结果应用"), ("reported",), "applied", OFFICE, checks=(rules.feedback_recorded,)),
)


def register():
    definition.register(STATES, TRANSITIONS, initial="preparing")
