"""What the document tests check in a PDF, in one place: its text, its fonts and glyphs, the
GB/T 9704 page (A4, the text block, the page numbers), and that a template's data is plain.

`prepared_fonts` is a session fixture, used automatically by every test module that imports
it (the fonts every document needs, made when `make setup` has not made them yet)."""
import io
import re
import subprocess
import tempfile
from xml.etree import ElementTree

import pytest
from pypdf import PdfReader

from workflow.documents import fonts

MM = 72 / 25.4
A4 = (595.28, 841.89)
# GB/T 9704: 37 mm top, 28 mm binding (left) margin, a 156 × 225 mm text block; as
# (left, top, right, bottom) in points from the top left corner.
BLOCK = (28 * MM, 37 * MM, (28 + 156) * MM, (37 + 225) * MM)


@pytest.fixture(scope="session", autouse=True)
def prepared_fonts():
    """The prepared fonts, made here when `make setup` has not made them yet."""
    from scripts import prepare_fonts

    if len(fonts.available()) < len(fonts.PREPARED):
        prepare_fonts.main([])
    assert len(fonts.available()) == len(fonts.PREPARED), "the source fonts are not installed"


# Text ------------------------------------------------------------------------------------------


def text_of(pdf):
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def squeeze(text):
    return re.sub(r"\s+", "", text)


def words(pdf):
    """[[(text, x0, y0, x1, y1)] per page] in points from the top left, read by poppler."""
    xhtml = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    root = ElementTree.fromstring(xhtml)
    pages = []
    for page in root.iter("{http://www.w3.org/1999/xhtml}page"):
        pages.append([(w.text or "", float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")),
                       float(w.get("yMax"))) for w in page.iter("{http://www.w3.org/1999/xhtml}word")])
    return pages


def baselines(pdf):
    """[(page number, baseline y, text)] of each text run as pypdf reads it: where its baseline
    is, in points from the top of the page."""
    runs = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, start=1):
        height = float(page.mediabox.height)

        def visit(text, cm, tm, _font, _size, number=number, height=height):
            if text.strip():
                _a, b, _c, d, _e, f = cm
                runs.append((number, height - (tm[4] * b + tm[5] * d + f), text.strip()))
        page.extract_text(visitor_text=visit)
    return runs


# Fonts and glyphs ------------------------------------------------------------------------------


def pdffonts(pdf):
    """[{name, type, encoding, embedded}] of every font, as poppler's pdffonts lists them."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        out = subprocess.run(["pdffonts", file.name], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        # name, type (may hold spaces), encoding, emb, sub, uni, object, generation
        name, rest = line.split(None, 1)
        fields = rest.split()
        rows.append({"name": name, "type": " ".join(fields[:-6]), "encoding": fields[-6],
                     "embedded": fields[-5] == "yes"})
    return rows


def font_names(pdf):
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (page["/Resources"].get_object().get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target["/FontDescriptor"].get_object()
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            names.add((str(font["/BaseFont"]), embedded))
    return names


_BFCHAR = re.compile(r"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]+)>")


def drawn_characters(pdf):
    """{character: {font}} for every character the embedded fonts draw with a real glyph,
    read from their ToUnicode maps (glyph id 0 is .notdef, the empty box)."""
    drawn = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (page["/Resources"].get_object().get("/Font") or {}).values():
            font = font.get_object()
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            for gid, code in _BFCHAR.findall(cmap):
                char = bytes.fromhex(code).decode("utf-16-be")
                if int(gid, 16) != 0:
                    drawn.setdefault(char, set()).add(str(font["/BaseFont"]))
                else:
                    drawn.setdefault(char, set()).add(".notdef")
    return drawn


def assert_every_glyph_drawn(pdf):
    """Every character of the text drawn with a real glyph (no .notdef box), by embedded fonts,
    each with the Identity-H encoding: WeasyPrint gives a font in which a glyph was missing a
    custom encoding instead, and pypdf then reads that font's whole text as garbage."""
    text = squeeze(text_of(pdf))
    drawn = drawn_characters(pdf)
    missing = {char for char in text if ".notdef" in drawn.get(char, {".notdef"})}
    assert not missing, missing
    assert all(embedded for _name, embedded in font_names(pdf))
    assert all(row["embedded"] and row["encoding"] == "Identity-H" for row in pdffonts(pdf)), pdffonts(pdf)



# The page --------------------------------------------------------------------------------------


def assert_official_page(pdf):
    """A4; all text inside the 156 × 225 mm block (28 mm from the left, 37 mm from the top),
    starting at its left and top edges, the first line of every page hanging from the top
    margin; below the block only the page number "— n —", at least 5 mm lower, odd pages
    right, even pages left."""
    reader = PdfReader(io.BytesIO(pdf))
    for number, page in enumerate(reader.pages, start=1):
        assert float(page.mediabox.width) == pytest.approx(A4[0], abs=1)
        assert float(page.mediabox.height) == pytest.approx(A4[1], abs=1)
        assert f"— {number} —" in page.extract_text()
    left, top, right, bottom = BLOCK
    pages = words(pdf)
    assert len(pages) == len(reader.pages)
    lowest_x = lowest_y = A4[1]
    for number, page in enumerate(pages, start=1):
        body = [w for w in page if w[2] < bottom]
        for text, x0, y0, x1, y1 in body:
            assert left - 0.5 <= x0 and x1 <= right + 0.5 and top - 0.5 <= y0 and y1 <= bottom + 0.5, (number, text)
        lowest_x, lowest_y = min([lowest_x] + [w[1] for w in body]), min([lowest_y] + [w[2] for w in body])
        # Below the text block only the page number, on the outer side (odd right, even left).
        numbers = [w for w in page if w[2] >= bottom]
        assert "".join(w[0] for w in numbers) == f"—{number}—", number
        assert all(w[2] > bottom + 5 * MM for w in numbers), number
        assert (min(w[1] for w in numbers) > A4[0] / 2) == (number % 2 == 1), number
    # The first line of each page hangs from the top margin: its baseline within 30 pt below.
    runs = baselines(pdf)
    for number in range(1, len(pages) + 1):
        first = min(y for page, y, text in runs if page == number and text != f"— {number} —")
        assert top < first < top + 30, number
    # The text block starts at the margins: 28 mm from the left, 37 mm from the top.
    assert lowest_x == pytest.approx(left, abs=0.5)
    assert lowest_y == pytest.approx(top, abs=4 * MM)


# Data ------------------------------------------------------------------------------------------


def plain(value):
    """Only dicts with string keys, lists, strings, numbers, booleans and None: what a
    document template may be given (never an ORM object it could lazily load through)."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(plain(v) for v in value)
    return value is None or isinstance(value, (str, int, bool))
