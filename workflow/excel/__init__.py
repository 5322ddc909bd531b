"""Excel: the project import template and import, the 自评表 of one evaluation and the plan's
summary as .xlsx workbooks (openpyxl)."""
from flask import Blueprint

bp = Blueprint("excel", __name__)

from workflow.excel import routes  # noqa: E402,F401
