"""验真: any signed-in user (the finance bureau's too) uploads a PDF and learns whether it is
a report this system froze at approval, for which evaluation, and whether its signature is
intact. Nothing about the upload is kept."""
from flask import Blueprint

bp = Blueprint("verify", __name__)

from workflow.verify import routes  # noqa: E402,F401
