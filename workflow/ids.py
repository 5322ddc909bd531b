"""Numbers from the address bar and from forms never reach the database out of its range.

Every id column is an INTEGER (32 bits on PostgreSQL; SQLite refuses Python ints above 64
bits). A number beyond that, typed into an address (``/plans/99999999999999999999``) or a
query string (``?section=99999999999999999999``), used to fail inside the database with a 500.
Here, in one place:

* ``<int:…>`` in every route matches only 0 … 2147483647, so a larger id finds no route: 404,
  like any id that does not exist;
* ``request.args.get(name, type=int)`` and ``request.form.get(name, type=int)`` treat a number
  outside the INTEGER range like any other non-number: the default is returned.
"""
from flask import Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

MIN_INTEGER = -(2**31)
MAX_INTEGER = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    """Werkzeug's ``int`` converter bounded to the database's INTEGER by default."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_INTEGER, signed=False):  # noqa: A002 - Werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class BoundedParameters(ImmutableMultiDict):
    """Query and form parameters whose ``get(..., type=int)`` stays within INTEGER."""

    def get(self, key, default=None, type=None):  # noqa: A002 - MultiDict's names
        value = super().get(key, default=default, type=type)
        if type is int and isinstance(value, int) and value is not default and not MIN_INTEGER <= value <= MAX_INTEGER:
            return default
        return value


class BoundedRequest(Request):
    parameter_storage_class = BoundedParameters


def init_app(app):
    """Call before any route is registered: rules pick their converters when added."""
    app.url_map.converters["int"] = DatabaseIdConverter
    app.request_class = BoundedRequest
