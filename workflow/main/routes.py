from flask import Response, abort, current_app, render_template, request, send_from_directory
from flask_login import current_user

from workflow.engine import diagram
from workflow.engine.definition import STATE_BY_NAME, state_def
from workflow.engine.tasks import urgency
from workflow.errors import ServiceError
from workflow.extensions import db
from workflow.i18n import select_locale
from workflow.main import bp, services
from workflow.models import Plan
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


@bp.route("/favicon.ico")
@public
def favicon():
    # Browsers, feed readers and bookmarks ask for /favicon.ico whatever the page links; the
    # pages themselves link the SVG. Kept a day in the browser; "private" like every answer
    # of a route (the shared-cache rule of web._security_headers), though nothing here is.
    response = send_from_directory(current_app.static_folder, "favicon.ico",
                                   mimetype="image/vnd.microsoft.icon", max_age=86400)
    response.cache_control.public = False
    response.cache_control.private = True
    return response


@bp.route("/help/workflow")
@logged_in
def workflow_help():
    plan = _plan_or_none()
    states, transitions = diagram.plan_rows(plan)
    return render_template("main/workflow_help.html", states=states, transitions=transitions, plan=plan)


def _plan_or_none():
    """The plan named by ?plan= (its options shape the workflow), or None: the whole one."""
    plan_id = request.args.get("plan", type=int)
    if plan_id is None:
        return None
    plan = db.session.get(Plan, plan_id) if 0 < plan_id < 2**31 else None
    if plan is None:
        abort(404)
    return plan


@bp.route("/help/workflow.svg")
@logged_in
def workflow_diagram():
    state = request.args.get("state")
    if state is not None and state not in STATE_BY_NAME:
        abort(404)
    return Response(diagram.svg(state, select_locale(), _plan_or_none()), mimetype="image/svg+xml",
                    headers={"Cache-Control": "private, max-age=3600"})
