"""What the database cannot hold never reaches it from a request: numbers beyond INTEGER and
the NUL character.

Every id column is an INTEGER (32 bits on PostgreSQL; SQLite refuses Python ints above 64
bits). A number beyond that, typed into an address (``/plans/99999999999999999999``) or a
query string (``?section=99999999999999999999``), used to fail inside the database with a 500.
Here, in one place:

* ``<int:…>`` in every route matches only 0 … 2147483647, so a larger id finds no route: 404,
  like any id that does not exist;
* ``request.args.get(name, type=int)`` and ``request.form.get(name, type=int)`` treat a number
  outside the INTEGER range like any other non-number: the default is returned.

PostgreSQL refuses NUL (U+0000) in any text ("text fields cannot contain NUL bytes"), so a
NUL in a form field, a query parameter or the address (``/admin/users?q=%00``, a login name,
a report section) failed with a 500 there, while SQLite stored it. No browser lets anyone type
one; a request carrying one is refused before any view runs, with a Chinese 400 page, and
nothing is changed. (The JSON API refuses it field by field in its schemas: workflow/api.)
"""
from flask import Request, render_template, request
from flask_babel import gettext as _
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


def _holds_nul(values):
    return any("\x00" in key or (isinstance(value, str) and "\x00" in value) for key, value in values)


def refuse_nul():
    """before_request: a page request carrying NUL anywhere is answered 400, changing nothing."""
    from workflow.api.auth import is_api_request

    if is_api_request():
        return None
    if (_holds_nul(request.args.items(multi=True)) or _holds_nul((request.view_args or {}).items())
            or "\x00" in request.path or _holds_nul(request.form.items(multi=True))):
        text = _("提交的内容含有空字符（U+0000），无法保存。请删除后重试。")
        return render_template("errors/error.html", code=400, title=_("请求有误"), text=text), 400
    return None


def init_app(app):
    """Call before any route is registered (rules pick their converters when added) and before
    the extensions (this check runs before any other request hook)."""
    app.url_map.converters["int"] = DatabaseIdConverter
    app.request_class = BoundedRequest
    app.before_request(refuse_nul)
