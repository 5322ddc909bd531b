"""Personal API tokens: each user creates, lists and revokes their own."""
from flask import Blueprint

bp = Blueprint("tokens", __name__)

from workflow.tokens import routes  # noqa: E402,F401
