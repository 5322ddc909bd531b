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


def refusals(blueprint, answers):
    """Document the refusals an operation can give ({status: when}), each with the one error
    shape; placed with the view's other flask-smorest decorators."""
    def decorator(view):
        for status, description in sorted(answers.items()):
            view = blueprint.alt_response(status, schema=ErrorSchema, description=description)(view)
        return view

    return decorator
