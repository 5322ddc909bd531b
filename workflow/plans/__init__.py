"""Evaluation plans (评价工作方案): timeline, working group, projects."""
from flask import Blueprint

bp = Blueprint("plans", __name__)

from workflow.plans import routes  # noqa: E402,F401
