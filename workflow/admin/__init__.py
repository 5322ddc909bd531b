"""Administration: users, their roles and sections (科室)."""
from flask import Blueprint

bp = Blueprint("admin", __name__)

from workflow.admin import routes  # noqa: E402,F401
