"""Review (复核) by the evaluation group: consistency checks, comments, the review queue."""
from flask import Blueprint

bp = Blueprint("review", __name__)

from workflow.review import routes  # noqa: E402,F401
