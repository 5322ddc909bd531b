from flask import abort, render_template, request
from flask_login import current_user

from workflow import numbers
from workflow.documents.submission_summary import amount_text
from workflow.engine import board
from workflow.errors import NotFound
from workflow.monitoring import services as monitoring
from workflow.overview import bp, services
from workflow.permissions import roles
from workflow.roles import Role

# The 组长, the office and the finance bureau (which sees what was reported to it).
readers = roles(Role.OFFICE, Role.LEADER, Role.FINANCE)


def _plans_and_choice():
    # As on the progress board: ?plan= or the newest plan (a number beyond the database's
    # INTEGER reads as none: workflow/input_guard.py).
    try:
        return board.plans_and_choice(request.args.get("plan", type=int) or None)
    except NotFound:
        abort(404)


@bp.route("/")
@readers
def index():
    plans, plan = _plans_and_choice()
    view = services.overview(plan, current_user) if plan is not None else None
    return render_template("overview/index.html", plan=plan, plans=plans, view=view, percent_text=numbers.percent_text,
                           amount=amount_text)


@bp.route("/data.json")
@readers
def data():
    _plans, plan = _plans_and_choice()
    if plan is None:
        abort(404)
    body = services.as_json(services.overview(plan, current_user))
    body["monitoring_warnings"] = monitoring.as_json(monitoring.current_warnings(plan, current_user))
    return body
