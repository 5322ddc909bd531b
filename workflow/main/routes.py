from flask import Response, abort, render_template, request
from flask_login import current_user

from workflow.engine import diagram
from workflow.engine.definition import STATE_BY_NAME, STATES, TRANSITIONS, state_def
from workflow.engine.tasks import urgency
from workflow.errors import ServiceError
from workflow.i18n import select_locale
from workflow.main import bp, services
from workflow.permissions import logged_in, public
from workflow.redirects import back


@bp.route("/")
@logged_in
def dashboard():
    return render_template(
        "main/dashboard.html", user=current_user, state_def=state_def, urgency=urgency,
        **services.dashboard(current_user),
    )


@bp.route("/language/<code>", methods=["POST"])
@public
def set_language(code):
    try:
        services.set_language(current_user, code)
    except ServiceError:
        abort(404)
    return back("main.dashboard")


@bp.route("/healthz")
@public
def healthz():
    return {"status": "ok"}


@bp.route("/help/workflow")
@logged_in
def workflow_help():
    return render_template("main/workflow_help.html", states=STATES, transitions=TRANSITIONS)


@bp.route("/help/workflow.svg")
@logged_in
def workflow_diagram():
    state = request.args.get("state")
    if state is not None and state not in STATE_BY_NAME:
        abort(404)
    return Response(diagram.svg(state, select_locale()), mimetype="image/svg+xml",
                    headers={"Cache-Control": "private, max-age=3600"})
