"""Approved targets (绩效目标审核 and 目标调整): the record kept when the office approves a
project's 绩效目标 (record.py), and the section's requests to change them afterwards with the
office's decision (services.py, routes.py). The approval itself is a transition of the one
workflow table (workflow/flow.py: submit_targets, approve_targets, return_targets)."""
from flask import Blueprint

bp = Blueprint("targets", __name__)

from workflow.targets import routes  # noqa: E402,F401
