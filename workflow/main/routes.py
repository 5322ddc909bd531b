from urllib.parse import urlsplit

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from workflow.errors import ServiceError
from workflow.main import bp, services
from workflow.permissions import logged_in, public


@bp.route("/")
@logged_in
def dashboard():
    return render_template("main/dashboard.html", user=current_user)


@bp.route("/language/<code>", methods=["POST"])
@public
def set_language(code):
    try:
        services.set_language(current_user, code)
    except ServiceError:
        abort(404)
    target = request.referrer or ""
    parts = urlsplit(target)
    # Go back to the page the switch was pressed on, but never to another site.
    if parts.netloc and parts.netloc != request.host:
        target = ""
    return redirect(target or url_for("main.dashboard"))


@bp.route("/healthz")
@public
def healthz():
    return {"status": "ok"}
