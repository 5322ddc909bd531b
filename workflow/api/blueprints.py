"""The API's blueprints (one per resource, each an OpenAPI tag) and what they share."""
from flask_smorest import Blueprint

from workflow.api import errors

PREFIX = "/api/v1"
# A path id: 32-bit, so that a huge number is 'not found' rather than a database error.
ID = "int(max=2147483647)"


def api_blueprint(name, description):
    blueprint = Blueprint(f"api_{name}", __name__, url_prefix=PREFIX, description=description)
    errors.register(blueprint)
    return blueprint
