"""One evaluation: its page, its history and the workflow buttons."""
from flask import Blueprint

bp = Blueprint("evaluations", __name__)

from workflow.evaluations import routes  # noqa: E402,F401
