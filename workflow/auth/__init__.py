"""Signing in and out, changing one's password."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from workflow.auth import routes  # noqa: E402,F401
