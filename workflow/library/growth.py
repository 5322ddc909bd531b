"""The library grows from the indicators used: an evaluation that reaches 已审批 adds its
indicators to its project's category's library (services.grow_from), in the approval's own
transaction. The engine only says that a transition happened (signals.transition_done)."""
from workflow import signals
from workflow.library import services

GROWS_AT = "approved"


@signals.transition_done.connect
def _transition_done(evaluation, trigger=None, dest=None):
    if dest == GROWS_AT:
        services.grow_from(evaluation)
