"""The `transitions` machine, built from the registered definition and shared by every
evaluation.

One class-level machine with ``model=None``: evaluations are never added to it (add_model per
row resets the stored state and leaks memory: transitions issues #146, #372, #434). An
event is fired for a given evaluation with ``MACHINE.events[trigger].trigger(evaluation)``;
the machine reads and writes ``evaluation.state``, the database column. Of the rows sharing a
trigger and a source, the machine takes the first whose conditions all hold: the plan's
options, the row's ``when`` and its checks.
"""
from transitions import Machine, MachineError

from workflow.engine import definition, rights

MACHINE = None


def _condition(check):
    """Adapt a check (returns a reason or None) to transitions' boolean form."""

    def condition(event_data):
        return check(event_data.model, event_data.kwargs["act"]) is None

    condition.__name__ = check.__name__
    return condition


def _plan_option(option):
    def condition(event_data):
        return bool(option(event_data.model.project.plan))

    condition.__name__ = option.__name__
    return condition


def _when(test):
    def condition(event_data):
        return bool(test(event_data.model, event_data.kwargs["act"]))

    condition.__name__ = test.__name__
    return condition


def _remember(row):
    """Tell the caller which row fired (its effects and whether it was an opinion)."""

    def before(event_data):
        event_data.kwargs["act"].row = row

    return before


def _may_act(row):
    """The rule of who may act (rights.py): the actor, or whoever they stand in for."""

    def condition(event_data):
        act = event_data.kwargs["act"]
        return rights.acting_identity(event_data.model, row.role, act.actor) is act.identity

    return condition


def _conditions(t):
    conditions = [_may_act(t)]
    if t.plan_option:
        conditions.append(_plan_option(t.plan_option))
    if t.when:
        conditions.append(_when(t.when))
    return conditions + [_condition(check) for check in t.checks]


def build_machine(machine_class=Machine, transitions=None, **options):
    """Build a machine from the definition (or the given rows: a plan's diagram)."""
    rows = definition.TRANSITIONS if transitions is None else transitions
    return machine_class(
        model=None,
        states=[state.name for state in definition.STATES],
        transitions=[
            {"trigger": t.trigger, "source": list(t.source), "dest": t.dest, "conditions": _conditions(t),
             "before": _remember(t)}
            for t in rows
        ],
        initial=definition.INITIAL_STATE,
        send_event=True,
        auto_transitions=False,
        **options,
    )


def rebuild():
    global MACHINE
    MACHINE = build_machine()


def fire(evaluation, trigger, act):
    """Move ``evaluation`` along ``trigger``; True when a row's conditions held. ``act.row`` is
    then the row that fired (an opinion's row leaves the state as it was)."""
    try:
        return bool(MACHINE.events[trigger].trigger(evaluation, act=act))
    except MachineError:
        return False
