"""The shape of a workflow definition, and the one definition the app runs.

The engine knows no feature: what the states and transitions are, with their conditions and
effects, is declared above the features in workflow/flow.py and handed to register() when the
app is created. Everything here reads the registered tables: the `transitions` machine
(machine.py), who may act (rights.py), the buttons (actions.py), the tasks and their due dates
(tasks.py), the diagram and the progress board.
"""
from dataclasses import dataclass

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
    # A function (evaluation) -> user ids or None: when it gives ids, each of them gets a task of
    # their own (a committee, 会签); None: one task for every holder of the actor role.
    assignees: object = None
    # A function (plan) -> bool: whether the plan's options use this state at all (the
    # diagram and the board leave out a state no transition of the plan reaches).
    used_when: object = None


@dataclass(frozen=True)
class TransitionDef:
    """One row of the table. Several rows may share a trigger (one button): the first whose
    ``when`` holds decides where the evaluation goes."""

    trigger: str
    label: object
    source: tuple
    dest: str
    role: Role  # who acts: someone who may take this role's task of the evaluation (rights.py)
    checks: tuple = ()  # functions (evaluation, act) -> None or a refusal message
    when: object = None  # a function (evaluation, act) -> bool choosing among the rows of a trigger
    effects: tuple = ()  # functions (evaluation, act) run after the state has changed
    comment_required: bool = False
    submitter_only: bool = False
    # An opinion that leaves the state as it is (one reviewer of several): only the actor's own
    # task is completed, and no new task is made.
    opinion: bool = False
    bulk: bool = False  # offered as a bulk action on lists
    style: str = "primary"  # button colour
    plan_option: object = None  # a function (plan) -> bool: the row exists for this plan


# The registered definition: filled in place by register() (modules import these names once).
STATES = []
TRANSITIONS = []
STATE_BY_NAME = {}
TRANSITION_BY_TRIGGER = {}  # the first row of each trigger: its label and role
INITIAL_STATE = "preparing"


def register(states, transitions, initial):
    """Install a definition (workflow/flow.py's, at app creation); the machine is rebuilt."""
    global INITIAL_STATE
    names = {state.name for state in states}
    for transition in transitions:
        unknown = (set(transition.source) | {transition.dest}) - names
        if unknown:
            raise ValueError(f"transition {transition.trigger} names unknown states {sorted(unknown)}")
    STATES[:] = states
    TRANSITIONS[:] = transitions
    STATE_BY_NAME.clear()
    STATE_BY_NAME.update({state.name: state for state in states})
    TRANSITION_BY_TRIGGER.clear()
    for transition in transitions:
        TRANSITION_BY_TRIGGER.setdefault(transition.trigger, transition)
    INITIAL_STATE = initial
    from workflow.engine import machine

    machine.rebuild()


def state_def(name):
    return STATE_BY_NAME[name]


def states_where(flag):
    """The names of the states with ``flag`` set, e.g. states_where("section_edits")."""
    return tuple(state.name for state in STATES if getattr(state, flag))


def transitions_from(state):
    return [t for t in TRANSITIONS if state in t.source]


def rows_for_plan(plan):
    """The transitions the plan's options keep, between the states it uses (the diagram and
    the help page of a plan)."""
    used = {state.name for state in states_for_plan(plan)}
    return [t for t in TRANSITIONS if (t.plan_option is None or t.plan_option(plan))
            and t.dest in used and set(t.source) & used]


def states_for_plan(plan):
    return [s for s in STATES if s.used_when is None or s.used_when(plan)]
