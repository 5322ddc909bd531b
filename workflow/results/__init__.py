"""Results into the next budget (结果应用于预算): each grade's 预算安排建议, held back while
rectifications are open, shown on the evaluation, the plan's results, the package to the
finance bureau and the next year's plan, whose projects link to last year's."""
from flask import Blueprint

bp = Blueprint("results", __name__)

from workflow.results import routes  # noqa: E402,F401
