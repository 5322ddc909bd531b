"""Mid-year monitoring (绩效运行监控, "双监控"): the plan's monitoring dates, the sections'
reports of execution and indicator progress, the warnings, and the prefill of the 自评."""
from flask import Blueprint

bp = Blueprint("monitoring", __name__)

from workflow.monitoring import carry, prefill, routes  # noqa: E402,F401
