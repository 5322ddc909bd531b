"""How a column's value is written to a backup's JSON lines and read back.

Decided by the column's type, never guessed from the value, so that datetimes, dates,
decimals, booleans and JSON documents come back exactly as they were, on either database.
Binary values are not inlined: the archive keeps them as files (see backup.py)."""
import json
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import JSON, Date, DateTime, Float, LargeBinary, Numeric, Text, Time, cast
from sqlalchemy.types import TypeDecorator

JSON_KIND, BINARY, DATETIME, DATE, TIME, DECIMAL, PLAIN = (
    "json", "binary", "datetime", "date", "time", "decimal", "plain")


def kind_of(column):
    base = column.type
    while isinstance(base, TypeDecorator):
        base = base.impl_instance
    if isinstance(base, JSON):
        return JSON_KIND
    if isinstance(base, LargeBinary):
        return BINARY
    if isinstance(base, DateTime):
        return DATETIME
    if isinstance(base, Date):
        return DATE
    if isinstance(base, Time):
        return TIME
    if isinstance(base, Numeric) and not isinstance(base, Float) and base.asdecimal:
        return DECIMAL
    return PLAIN


def select_expression(column):
    """What to read for ``column``. A JSON document is read as its stored text: a SQL NULL
    and a JSON ``null`` then stay apart, and nothing is re-encoded on the way."""
    if kind_of(column) == JSON_KIND:
        return cast(column, Text).label(column.name)
    return column


def insert_type(column):
    """The type to bind ``column``'s restored value with: JSON with ``none_as_null`` so that
    None is a SQL NULL (a JSON null is passed as JSON.NULL), otherwise the column's own."""
    if kind_of(column) == JSON_KIND:
        return JSON(none_as_null=True)
    return column.type


def encode(kind, value):
    if value is None:
        return None
    if kind in (DATETIME, DATE, TIME):
        return value.isoformat()
    if kind == DECIMAL:
        return str(value)
    return value  # JSON text, str, int, bool, float


def decode(kind, value):
    if value is None:
        return None
    if kind == JSON_KIND:
        document = json.loads(value)
        return JSON.NULL if document is None else document
    if kind == DATETIME:
        return datetime.fromisoformat(value)
    if kind == DATE:
        return date.fromisoformat(value)
    if kind == TIME:
        return time.fromisoformat(value)
    if kind == DECIMAL:
        return Decimal(value)
    return value
