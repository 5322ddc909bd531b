"""Meetings (培训会 …): notice, registration, QR sign-in on the phone, attendance."""
from flask import Blueprint

bp = Blueprint("meetings", __name__)

from workflow.meetings import calendar_events, routes  # noqa: E402,F401
