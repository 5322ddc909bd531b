"""Evidence (佐证材料): files attached to an evaluation or to one of its indicators. The bytes
live in the database, are checked by their content on the way in and are served only to
people who may see the evaluation."""
from flask import Blueprint

bp = Blueprint("evidence", __name__)

from workflow.evidence import routes  # noqa: E402,F401
