"""The library is carried to the next year with the plan: when plans.services.copy_plan makes
next year's plan (signals.plan_copied), it starts with this year's entries."""
from workflow import signals
from workflow.library import services


@signals.plan_copied.connect
def _carry_the_library(source, plan=None, **_details):
    services.copy_library(source, plan)
