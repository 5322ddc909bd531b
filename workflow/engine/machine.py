"""The `transitions` machine, built once from the definition and shared by every evaluation.

One class-level machine with ``model=None``: evaluations are never added to it (add_model per
row resets the stored state and leaks memory: transitions issues #146, #372, #434). An
event is fired for a given evaluation with ``MACHINE.events[trigger].trigger(evaluation)``;
the machine reads and writes ``evaluation.state``, the database column.
"""
from transitions import Machine, MachineError

from workflow.engine.definition import INITIAL_STATE, STATES, TRANSITIONS


def _condition(check):
    """Adapt a definition condition (returns a reason or None) to transitions' boolean form."""

    def condition(event_data):
        return check(event_data.model, event_data.kwargs["actor"]) is None

    condition.__name__ = check.__name__
    return condition


def build_machine(machine_class=Machine, **options):
    """Build a machine from the definition; the diagram uses the same function."""
    return machine_class(
        model=None,
        states=[state.name for state in STATES],
        transitions=[
            {
                "trigger": t.trigger,
                "source": list(t.source),
                "dest": t.dest,
                "conditions": [_condition(check) for check in t.conditions],
            }
            for t in TRANSITIONS
        ],
        initial=INITIAL_STATE,
        send_event=True,
        auto_transitions=False,
        **options,
    )


MACHINE = build_machine()


def fire(evaluation, trigger, actor):
    """Move ``evaluation`` along ``trigger``; True when it moved."""
    try:
        return bool(MACHINE.events[trigger].trigger(evaluation, actor=actor))
    except MachineError:
        return False
