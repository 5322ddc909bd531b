"""The API's blueprints (one per resource, each an OpenAPI tag) and what they share."""
from datetime import date

from flask_smorest import Blueprint
from werkzeug.routing import BaseConverter, ValidationError

from workflow.api import errors
from workflow.api.schemas import ErrorSchema

PREFIX = "/api/v1"
# A path id: 32-bit, so that a huge number is 'not found' rather than a database error.
ID = "int(max=2147483647)"
# A path date (YYYY-MM-DD); anything else is 'not found'.
DATE = "isodate"


class DateConverter(BaseConverter):
    regex = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"

    def to_python(self, value):
        try:
            return date.fromisoformat(value)
        except ValueError:  # 2020-02-30
            raise ValidationError() from None

    def to_url(self, value):
        return value.isoformat() if isinstance(value, date) else str(value)


def date_parameter(_converter):
    return {"type": "string", "format": "date"}


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


def refusals(blueprint, *answers):
    """Document the refusals an operation can give, each with the one error shape: statuses
    (described by REFUSALS) or a {status: when} of the operation's own words."""
    own = answers[0] if answers and isinstance(answers[0], dict) else {status: REFUSALS[status] for status in answers}

    def decorator(view):
        for status, description in sorted(own.items()):
            view = blueprint.alt_response(status, schema=ErrorSchema, description=description)(view)
        return view

    return decorator


def binary(blueprint, *content_types, description="the file"):
    """Document a download: the success answer is the file's bytes in one of ``content_types``."""
    content = {ct: {"schema": {"type": "string", "format": "binary"}} for ct in content_types}
    return blueprint.doc(responses={"200": {"description": description, "content": content}})
