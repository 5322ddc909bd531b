"""The plan a URL names, for the routes of every feature: the plan, or a 404 page."""
from flask import abort

from workflow.errors import NotFound
from workflow.plans import services


def plan_or_404(plan_id):
    try:
        return services.get_plan(plan_id)
    except NotFound:
        abort(404)
