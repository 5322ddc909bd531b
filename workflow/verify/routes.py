from flask import render_template, request
from flask_login import current_user

from workflow.errors import ServiceError, status_of
from workflow.permissions import logged_in
from workflow.verify import bp, services


@bp.route("/", methods=["GET", "POST"])
@logged_in
def index():
    """GET: the upload form. POST: the verdict on the uploaded PDF (or why it was refused,
    with its status), on the same page; the upload itself is not kept."""
    outcome, refusal = None, None
    if request.method == "POST":
        try:
            outcome = services.check(services.read_pdf(request.files.get("file")), current_user)
        except ServiceError as error:
            refusal = error
    page = render_template("verify/index.html", outcome=outcome, error=refusal.message if refusal else None,
                           max_mb=services.max_megabytes(), verdicts=services)
    return page, status_of(refusal) if refusal else 200
