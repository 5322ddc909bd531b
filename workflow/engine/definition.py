"""THE definition of the evaluation workflow, as data.

Everything else reads these tables: the `transitions` machine (machine.py), the permission
checks and buttons (actions.py), the tasks and their due dates (tasks.py), the diagram and
the progress board. Change the workflow here and nowhere else.
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from workflow.engine import conditions, effects
from workflow.roles import Role


@dataclass(frozen=True)
class StateDef:
    name: str
    label: object
    stage: str | None  # the plan stage this state waits in: its tasks fall due at its end
    actor: Role | None  # who must act next: entering the state creates a task for them
    task_label: object = None
    section_task: bool = False  # the task goes to the project's own section
    # What the state means for the evaluation's data and who sees it:
    section_edits: bool = False  # the section may change the self-evaluation form
    actuals: bool = False  # ... including actual values (自评阶段 has opened)
    under_review: bool = False  # in the evaluation group's hands
    frozen: bool = False  # approved: the data is fixed until the leader returns it
    with_finance: bool = False  # reported to the finance bureau, which may read it
    # Its task falls due the plan's return period (working days) after the state is entered,
    # not at its stage's end, which may have passed: a return is not the section's delay.
    due_after_entering: bool = False


@dataclass(frozen=True)
class TransitionDef:
    trigger: str
    label: object
    source: tuple
    dest: str
    roles: frozenset
    conditions: tuple = ()  # functions (evaluation, actor) -> None or a refusal message
    comment_required: bool = False
    own_section: bool = False  # only staff of the project's section may fire it
    not_submitter: bool = False  # nobody reviews or approves what they submitted
    submitter_only: bool = False
    bulk: bool = False  # offered as a bulk action on lists
    effects: tuple = ()  # functions (evaluation, actor) run after the state has changed
    style: str = "primary"  # button colour


STATES = (
    StateDef("preparing", _l("准备中"), "prepare", Role.SECTION_STAFF, _l("设定绩效目标"), section_task=True,
             section_edits=True),
    StateDef("self_evaluating", _l("自评中"), "self_evaluate", Role.SECTION_STAFF, _l("填报并提交自评"),
             section_task=True, section_edits=True, actuals=True),
    StateDef("submitted", _l("待复核"), "review", Role.REVIEWER, _l("复核自评"), under_review=True),
    StateDef("returned", _l("已退回"), "self_evaluate", Role.SECTION_STAFF, _l("按意见修改后重新提交"),
             section_task=True, section_edits=True, actuals=True, due_after_entering=True),
    StateDef("reviewed", _l("待审批"), "review", Role.LEADER, _l("审批复核结果"), under_review=True),
    StateDef("approved", _l("已审批"), "report", Role.OFFICE, _l("汇总报送财政局"), frozen=True),
    StateDef("reported", _l("已报送"), "apply", Role.OFFICE, _l("记录结果应用"), frozen=True, with_finance=True),
    StateDef("applied", _l("已应用"), None, None, frozen=True, with_finance=True),
)

INITIAL_STATE = "preparing"

TRANSITIONS = (
    TransitionDef("open_self_evaluation", _l("开始自评"), ("preparing",), "self_evaluating",
                  frozenset({Role.OFFICE}), bulk=True),
    TransitionDef("submit", _l("提交复核"), ("self_evaluating",), "submitted",
                  frozenset({Role.SECTION_STAFF}), conditions=(conditions.ready_to_submit,), own_section=True,
                  effects=(effects.snapshot_submission,)),
    TransitionDef("withdraw", _l("撤回"), ("submitted",), "self_evaluating",
                  frozenset({Role.SECTION_STAFF}), conditions=(conditions.review_not_started,),
                  submitter_only=True, style="outline-secondary"),
    TransitionDef("pass_review", _l("复核通过"), ("submitted",), "reviewed",
                  frozenset({Role.REVIEWER}), not_submitter=True, style="success"),
    # From 已审批 too: approval freezes the evaluation, and only the leader's return reopens it.
    TransitionDef("return_for_revision", _l("退回修改"), ("submitted", "reviewed", "approved"), "returned",
                  frozenset({Role.REVIEWER, Role.LEADER}), comment_required=True, not_submitter=True,
                  conditions=(conditions.right_person_returns,), style="outline-danger"),
    TransitionDef("resubmit", _l("重新提交"), ("returned",), "submitted",
                  frozenset({Role.SECTION_STAFF}), conditions=(conditions.ready_to_submit,), own_section=True,
                  effects=(effects.snapshot_submission,)),
    TransitionDef("approve", _l("审批通过"), ("reviewed",), "approved",
                  frozenset({Role.LEADER}), not_submitter=True, bulk=True, style="success",
                  effects=(effects.freeze,)),
    TransitionDef("report", _l("报送财政局"), ("approved",), "reported", frozenset({Role.OFFICE}),
                  conditions=(conditions.included_in_submission,)),
    TransitionDef("apply", _l("完成结果应用"), ("reported",), "applied", frozenset({Role.OFFICE}),
                  conditions=(conditions.feedback_recorded,)),
)

STATE_BY_NAME = {state.name: state for state in STATES}
TRANSITION_BY_TRIGGER = {transition.trigger: transition for transition in TRANSITIONS}


def state_def(name):
    return STATE_BY_NAME[name]


def states_where(flag):
    """The names of the states with ``flag`` set, e.g. states_where("section_edits")."""
    return tuple(state.name for state in STATES if getattr(state, flag))


def transitions_from(state):
    return [t for t in TRANSITIONS if state in t.source]
