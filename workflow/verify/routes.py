from flask import render_template, request
from flask_login import current_user

from workflow.errors import ServiceError
from workflow.permissions import logged_in
from workflow.verify import bp, services


@bp.route("/", methods=["GET", "POST"])
@logged_in
def index():
    """GET: the upload form. POST: the verdict on the uploaded PDF (or why it was refused:
    400), on the same page; the upload itself is not kept."""
    outcome, error = None, None
    if request.method == "POST":
        try:
            outcome = services.check(services.read_pdf(request.files.get("file")), current_user)
        except ServiceError as refused:
            error = refused.message
    page = render_template("verify/index.html", outcome=outcome, error=error,
                           max_mb=services.max_megabytes(), verdicts=services)
    return page, 400 if error else 200
