"""The department-level evaluation (部门整体支出绩效自评): the office creates the plan's one
department evaluation; it is filled in on the 自评表 (workflow/selfeval/, which knows its
content from selfeval/department.py) and runs through the one workflow as a project's does."""
from flask import Blueprint

bp = Blueprint("department", __name__)

from workflow.department import routes  # noqa: E402,F401
