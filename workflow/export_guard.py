"""What people typed never runs when an export is opened: the one guard of every CSV and Excel
cell that comes from people (project, person and section names, comments, phones, titles …).

A spreadsheet program runs a cell as a formula when its text starts with ``= + - @`` — or with
a tab, CR or LF before one (some programs strip those first), or with the full-width forms
``＝ ＋ － ＠`` that a Chinese input method types (some programs fold them to ASCII). A project
named ``=HYPERLINK("http://x","点击")`` would otherwise become a link in every row that names
it (CSV injection, OWASP).

* **CSV** has no cell types, so such a text is neutralised the OWASP way: a leading apostrophe
  (``'=HYPERLINK(…)``), which Excel shows and never runs; every field is also quoted, so that
  a separator inside a text (``;`` in locales that split on it) cannot start a new cell.
  Numbers (amounts, scores) stay numbers.
* **Excel** (openpyxl) has cell types: every text is written as a text cell (``data_type
  "s"``), never as a formula, an error code (``#N/A``) or anything else, and nothing visible is
  added — ``+86 138…`` shows as ``+86 138…``. Numbers, dates and times stay typed cells.
  Characters that XML cannot hold (control characters other than tab, CR and LF) are dropped
  instead of failing the whole export.

Every export writes its cells through ``csv_writer`` or ``put`` / ``append`` below; the table
of exports in tests/test_export_guard.py proves it for each of them.
"""
import csv
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
NUMBER_TYPES = (int, float, Decimal)
TYPED_VALUES = NUMBER_TYPES + (datetime, date, time, timedelta)


def formula_like(text):
    """Whether a spreadsheet program could run ``text`` as a formula."""
    return isinstance(text, str) and text.startswith(FORMULA_STARTS)


# CSV ------------------------------------------------------------------------------------


def csv_cell(value):
    """One CSV field: numbers as they are, None as empty, text neutralised when formula-like."""
    if value is None:
        return ""
    if isinstance(value, NUMBER_TYPES) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if formula_like(text) else text


class GuardedCsvWriter:
    """csv.writer whose every field passes csv_cell (and is quoted)."""

    def __init__(self, stream, **options):
        options.setdefault("quoting", csv.QUOTE_ALL)
        self._writer = csv.writer(stream, **options)

    def writerow(self, row):
        return self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(stream, **options):
    return GuardedCsvWriter(stream, **options)


# Excel ----------------------------------------------------------------------------------


def xlsx_text(value):
    """The text of a cell as openpyxl can store it."""
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def set_value(cell, value):
    """Put ``value`` into an openpyxl cell: numbers, dates and times typed, everything else
    as a text cell (openpyxl would make a text starting with '=' a formula)."""
    if value is None or (isinstance(value, TYPED_VALUES) and not isinstance(value, bool)):
        cell.value = value
        return cell
    cell.value = xlsx_text(value)
    cell.data_type = "s"
    return cell


def put(ws, row, column, value):
    """``ws.cell(row, column)`` holding ``value`` through set_value."""
    return set_value(ws.cell(row=row, column=column), value)


def append(ws, values):
    """``ws.append`` (also for write-only sheets) with every value through set_value."""
    ws.append([set_value(WriteOnlyCell(ws), value) for value in values])
