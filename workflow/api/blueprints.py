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


REFUSALS = {
    403: "not the caller's to do: the role, the section, or the workflow's rule of who acts now",
    404: "no such object, or not visible to the caller",
    409: "the version sent is no longer the current one, or it is done already (a duplicate)",
    422: "the body breaks the schema, or a value the rules refuse (details: field → problem)",
}


def refusals(blueprint, *statuses):
    """Document the refusals an operation answers, each with the JSON error body."""
    from workflow.api.schemas import ErrorSchema

    def decorator(view):
        for status in statuses:
            view = blueprint.alt_response(status, schema=ErrorSchema, description=REFUSALS[status])(view)
        return view

    return decorator
