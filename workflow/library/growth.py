"""The library grows from the indicators used: an evaluation that reaches 已审批 adds its
indicators to its project's category's library (services.grow_from), in the approval's own
transaction. The engine only says that a transition happened (signals.evaluation_transitioned)."""
from workflow import signals
from workflow.library import services

GROWS_AT = "approved"


@signals.evaluation_transitioned.connect
def _grow_at_approval(evaluation, to_state=None, **_details):
    if to_state == GROWS_AT:
        services.grow_from(evaluation)
