"""The submission to the finance bureau (报送) and what follows: the bureau's feedback,
result application (结果应用) and rectification of the problems found (问题整改)."""
from flask import Blueprint

bp = Blueprint("submissions", __name__)

from workflow.submissions import routes  # noqa: E402,F401
