"""The work lists: inbox, section queue, overdue and due-soon lists, the progress board,
notifications and the calendar feed."""
from flask import Blueprint

bp = Blueprint("work", __name__)

from workflow.work import routes  # noqa: E402,F401
