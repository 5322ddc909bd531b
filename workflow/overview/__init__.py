"""The overview (概览): the plan's progress, execution rates, grades and the projects' years as
charts, each with its numbers as a table, for the 组长, the office and the finance bureau."""
from flask import Blueprint

bp = Blueprint("overview", __name__)

from workflow.overview import routes  # noqa: E402,F401
