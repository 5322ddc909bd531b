"""How tall a row must be for its wrapped text, and how every workbook is set up for print.

Excel and LibreOffice never grow a row whose height the file sets, and Excel does not size
rows when it opens a file: a wrapped cell taller than its row is cut off on paper. The
exporters therefore set each row's height from its text, estimated here: a column's width is
counted in Excel's unit (the "0" of the default font, Calibri 11: 7 px = 5.25 pt), a CJK
character is as wide as the font is tall, any other character a little over half of that,
and a line takes the font size times the line spacing of the CJK fonts (Noto CJK: 1.45).
The estimate errs on the wide side: a row a little too tall costs nothing, one too short
hides text.

``fit_rows`` applies the rule to a whole sheet once its cells are written; ``too_short``
is the same rule as a check (the tests use it on every workbook).
"""
import math
import unicodedata

from openpyxl.utils import get_column_letter

POINTS_PER_WIDTH = 5.25  # one unit of column width (the default font's "0": 7 px at 96 dpi)
PADDING = 5.0  # pt a cell keeps free of text, both sides together
LINE_SPACING = 1.45
LATIN_WIDTH = 0.6  # a Latin letter or digit, as a share of the font size (wide side)
ROW_MARGIN = 4.0  # pt above and below the text, together
DEFAULT_SIZE = 11
DEFAULT_WIDTH = 8.43  # a column openpyxl leaves unset
DEFAULT_HEIGHT = 15.0  # a row without a height of its own
MAX_HEIGHT = 409.0  # the tallest row Excel allows


def char_width(ch, size):
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return size
    return size * LATIN_WIDTH


def text_width(text, size=DEFAULT_SIZE):
    return sum(char_width(ch, size) for ch in text)


def usable_width(width):
    return max(width * POINTS_PER_WIDTH - PADDING, 1.0)


def line_count(text, width, size=DEFAULT_SIZE):
    """Lines ``text`` takes in a column ``width`` units wide when wrapped. A line ends at a
    line break or when the next character no longer fits (CJK text breaks anywhere; a Latin
    word longer than the line breaks inside, as both programs do)."""
    room = usable_width(width)
    lines = 0
    for paragraph in str(text).split("\n"):
        used, count = 0.0, 1
        for ch in paragraph:
            w = char_width(ch, size)
            if used + w > room and used > 0:
                count += 1
                used = 0.0
            used += w
        lines += count
    return lines


def height_for(text, width, size=DEFAULT_SIZE):
    """Points a row needs to show ``text`` wrapped in a column ``width`` units wide."""
    if text is None or text == "":
        return 0.0
    return line_count(text, width, size) * size * LINE_SPACING + ROW_MARGIN


def column_width(ws, column):
    width = ws.column_dimensions[get_column_letter(column)].width
    return width if width else DEFAULT_WIDTH


def row_height(ws, row):
    height = ws.row_dimensions[row].height
    return height if height else DEFAULT_HEIGHT


def _spans(ws):
    """{(row, column) of a merged range's first cell: (last row, last column)}."""
    return {(r.min_row, r.min_col): (r.max_row, r.max_col) for r in ws.merged_cells.ranges}


def wrapped_cells(ws):
    """[(cell, width in units, first row, last row)] of every cell with text that wraps."""
    spans = _spans(ws)
    found = []
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None or cell.value == "" or not (cell.alignment and cell.alignment.wrap_text):
                continue
            last_row, last_column = spans.get((cell.row, cell.column), (cell.row, cell.column))
            width = sum(column_width(ws, c) for c in range(cell.column, last_column + 1))
            found.append((cell, width, cell.row, last_row))
    return found


def _text_of(cell):
    value = cell.value
    if isinstance(value, str):
        return value
    return str(value)


def _size(cell):
    return float(cell.font.sz) if cell.font is not None and cell.font.sz else DEFAULT_SIZE


def fit_rows(ws):
    """Make every row at least as tall as its wrapped text needs; a text merged over several
    rows may use all of them, and the last of them grows. Every row with such a cell gets a
    height of its own, so that no program sizes it differently."""
    for cell, width, first, last in wrapped_cells(ws):
        need = height_for(_text_of(cell), width, _size(cell))
        available = sum(row_height(ws, r) for r in range(first, last + 1))
        grown = row_height(ws, last) + max(0.0, need - available)
        ws.row_dimensions[last].height = math.ceil(min(MAX_HEIGHT, grown) * 10) / 10


def too_short(ws):
    """[(coordinate, text, needed, available)] of the wrapped cells their rows cut off."""
    cut = []
    for cell, width, first, last in wrapped_cells(ws):
        need = height_for(_text_of(cell), width, _size(cell))
        available = sum(row_height(ws, r) for r in range(first, last + 1))
        if need > available + 0.01:
            cut.append((cell.coordinate, _text_of(cell), round(need, 1), available))
    return cut


# Print ----------------------------------------------------------------------------------

PAGE_NUMBERS = "第 &P 页 共 &N 页"


def _header_text(text):
    return str(text).replace("&", "&&")  # "&" starts a code in a header or footer


def page_setup(ws, name, *, landscape=True, title_rows=None, area=None, margins=(0.5, 0.5)):
    """A4 in the given orientation, fitted to one page wide (as many pages tall as it
    takes), centred; ``title_rows`` ("3:3") repeated on every page; the print area ``area``
    ("A1:J40"; without it, the cells in use); the document's ``name`` in the header and
    "第 n 页 共 m 页" in the footer."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE if landscape else ws.ORIENTATION_PORTRAIT
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    side, top = margins
    ws.page_margins.left = ws.page_margins.right = side
    ws.page_margins.top = ws.page_margins.bottom = top
    ws.page_margins.header = ws.page_margins.footer = 0.3
    if title_rows:
        ws.print_title_rows = title_rows
    if area:
        ws.print_area = area
    ws.oddHeader.center.text = _header_text(name)
    ws.oddHeader.center.size = 9
    ws.oddFooter.center.text = PAGE_NUMBERS
    ws.oddFooter.center.size = 9


# The page's room, for the exporters that place page breaks themselves.
A4 = (595.28, 841.89)  # points, portrait


def printable(ws):
    """(width, height) in points of the page's printable area, before scaling."""
    width, height = A4
    if ws.page_setup.orientation == ws.ORIENTATION_LANDSCAPE:
        width, height = height, width
    margins = ws.page_margins
    return (width - 72 * (margins.left + margins.right),
            height - 72 * (margins.top + margins.bottom))


def fit_scale(ws, first_column, last_column):
    """The scale fitToWidth gives: the printable width over the columns' width (at most 1)."""
    total = sum(column_width(ws, c) for c in range(first_column, last_column + 1)) * POINTS_PER_WIDTH
    return min(1.0, printable(ws)[0] / total) if total else 1.0


def rows_height(ws, first, last):
    return sum(row_height(ws, r) for r in range(first, last + 1))


def page_room(ws, first_column, last_column):
    """The height (points, unscaled) of rows one page holds."""
    return printable(ws)[1] / fit_scale(ws, first_column, last_column)
