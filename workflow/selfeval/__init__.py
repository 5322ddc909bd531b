"""The self-evaluation form (项目支出绩效自评): targets, actual values, scores, the budget
block and the report's narrative, filled in by the project's section."""
from flask import Blueprint

bp = Blueprint("selfeval", __name__)

from workflow.selfeval import routes  # noqa: E402,F401
