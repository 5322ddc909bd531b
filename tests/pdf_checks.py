"""What the document tests check in a PDF, in one place: its text, its fonts and glyphs, the
GB/T 9704 page (A4, the text block, the page numbers), its line geometry measured with
pdfplumber (justified 28-character lines on the 22-line pitch, titles, the unsealed signoff),
and that a template's data is plain.

`prepared_fonts` is a session fixture, used automatically by every test module that imports
it (the fonts every document needs, made when `make setup` has not made them yet)."""
import io
import re
import subprocess
from dataclasses import dataclass
import tempfile
from xml.etree import ElementTree

import pdfplumber
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


# Lines and their geometry (GB/T 9704: 22 lines of 28 characters, filling the block) -----------

# The body grid: 3号 (16 pt) type, 22 lines in the 225 mm block, 28 characters in the 156 mm.
BODY_SIZE = 16
PITCH = 28.95
CHARACTER = (BLOCK[2] - BLOCK[0]) / 28
TITLE_SIZE = 22
TITLE_MAX_CHARACTERS = 20   # 22 pt characters across 156 mm
# Marks a line may not start with (they close what the previous line holds).
CLOSING_MARKS = "，。、；：？！）》”’〕】…,.;:?!)"
OPENING_MARKS = "“‘《（〔【("


@dataclass
class Line:
    """One line of text as drawn: its characters left to right, where it starts and ends,
    its baseline (points from the top of the page) and its type size."""
    page: int
    text: str
    x0: float
    x1: float
    baseline: float
    size: float
    full_width: bool   # every character one em wide (Chinese, full-width punctuation)

    @property
    def starts_flush(self):
        return abs(self.x0 - BLOCK[0]) <= 0.6

    @property
    def starts_indented(self):
        return abs(self.x0 - (BLOCK[0] + 2 * CHARACTER)) <= 0.6

    @property
    def in_paragraph(self):
        """Set as a paragraph's line: from the left edge or two characters in (not centred,
        not a signoff set from the right)."""
        return self.starts_flush or self.starts_indented


def text_lines(pdf):
    """[[Line]] per page: the characters pdfplumber reads, grouped by baseline and size."""
    pages = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages, start=1):
            groups = {}
            for char in page.chars:
                if not char["text"].strip():
                    continue
                baseline = page.height - char["matrix"][5]
                key = (round(baseline), round(char["size"]))
                groups.setdefault(key, []).append(char)
            lines = []
            for (_baseline, _size), chars in groups.items():
                chars.sort(key=lambda c: c["x0"])
                size = chars[0]["size"]
                lines.append(Line(number, "".join(c["text"] for c in chars), chars[0]["x0"], chars[-1]["x1"],
                                  page.height - chars[0]["matrix"][5], size,
                                  all(c["x1"] - c["x0"] >= 0.95 * c["size"] for c in chars)))
            lines.sort(key=lambda line: (line.baseline, line.x0))
            pages.append(lines)
    return pages


def body_lines(pages):
    """The 3号 lines inside the text block, page by page (tables and page numbers left out)."""
    return [[line for line in page if abs(line.size - BODY_SIZE) < 0.3 and line.baseline < BLOCK[3]]
            for page in pages]


def continued_lines(pages):
    """[(line, the next line)] for the lines a paragraph continues after: a paragraph's line
    with the next line one pitch below on the same page starting flush left (a wrapped line,
    GB/T 9704's 回行顶格)."""
    found = []
    for page in body_lines(pages):
        for line, after in zip(page, page[1:]):
            if line.in_paragraph and after.starts_flush and abs(after.baseline - line.baseline - PITCH) < 0.3:
                found.append((line, after))
    return found


def pushed_out(after):
    """Whether the line before ``after`` gave it characters so that no line starts with a
    closing mark or ends with an opening one (避头尾, done by pushing out), or so that a
    number stays whole: ``after`` starts with an opening mark, with one character and a
    closing mark, or with a digit or a Latin letter."""
    return (after.text[0] in OPENING_MARKS or after.text[0].isascii()
            or (len(after.text) > 1 and after.text[1] in CLOSING_MARKS))


def assert_body_geometry(pdf, minimum_lines=3):
    """GB/T 9704's body grid, measured: every line a paragraph continues after ends within
    1 mm of the block's right edge (justified); such a line of full-width characters only
    holds 28 of them, 26 after the two-character indent of a first line (one fewer where a
    character went to the next line with its punctuation or number, see pushed_out); indented lines are
    indented by two characters of that grid; body baselines lie on the 28.95 pt pitch (22
    lines a page, never more); no line starts with a closing mark. Returns the Lines checked
    as continued, at least ``minimum_lines`` of them."""
    pages = text_lines(pdf)
    continued = continued_lines(pages)
    assert len(continued) >= minimum_lines, [line.text for line in continued]
    for line, after in continued:
        assert abs(BLOCK[2] - line.x1) <= 1 * MM, (line.page, line.text, (BLOCK[2] - line.x1) / MM)
        if line.full_width:
            full = 26 if line.starts_indented else 28
            assert len(line.text) == full or (len(line.text) < full and pushed_out(after)), (line.page, line.text)
    assert any(line.full_width and len(line.text) in (26, 28) for line, _after in continued), \
        "no full line of Chinese characters only to count"
    for page in body_lines(pages):
        paragraph = [line for line in page if line.in_paragraph]
        for line in paragraph:
            assert line.text[0] not in CLOSING_MARKS, (line.page, line.text)
        if paragraph:
            first = paragraph[0].baseline
            for line in paragraph:
                slots = (line.baseline - first) / PITCH
                assert abs(slots - round(slots)) * PITCH < 0.5, (line.page, line.text, slots)
                assert round(slots) < 22, (line.page, line.text)
    return continued


def title_lines_of(pdf, page=1, size=TITLE_SIZE):
    """The texts of the title lines (``size`` type) on a page, top to bottom."""
    return [line.text for line in text_lines(pdf)[page - 1] if abs(line.size - size) < 0.3]


def assert_title(pdf, expected, page=1, size=TITLE_SIZE):
    """The title on ``page`` is set in the lines ``expected``: each centred in the block,
    none wider than it, none of three characters or fewer (unless the title is that short)."""
    lines = [line for line in text_lines(pdf)[page - 1] if abs(line.size - size) < 0.3]
    texts = [line.text for line in lines]
    # The title's run of lines (an annex's caption follows its 附表 label in the same size).
    start = texts.index(expected[0]) if expected and expected[0] in texts else 0
    lines = lines[start:start + len(expected)]
    assert [line.text for line in lines] == list(expected), texts
    centre = (BLOCK[0] + BLOCK[2]) / 2
    for line in lines:
        assert abs((line.x0 + line.x1) / 2 - centre) <= 2, (line.text, line.x0, line.x1)
        assert BLOCK[0] - 0.5 <= line.x0 and line.x1 <= BLOCK[2] + 0.5, line.text
        if len(expected) > 1:
            assert len(line.text) > 3, line.text


def assert_signoff(pdf, issuer, date_text):
    """署名 and 成文日期 of a document without a seal (GB/T 9704 7.3.5.2): one blank line under
    the text, the issuer on a line of its own and the date on the next, the date starting two
    characters right of the issuer's first character, and whichever of the two reaches
    further right ending two characters from the block's right edge (the issuer's right
    space grows when the date is the longer)."""
    for page in body_lines(text_lines(pdf)):
        for index, line in enumerate(page):
            if line.text != issuer:
                continue
            assert index + 1 < len(page) and page[index + 1].text == date_text, [l.text for l in page[index:]]
            date = page[index + 1]
            assert abs(date.baseline - line.baseline - PITCH) < 0.5
            assert index > 0 and abs(line.baseline - page[index - 1].baseline - 2 * PITCH) < 0.5, "one blank line above"
            assert abs(date.x0 - (line.x0 + 2 * CHARACTER)) <= 1, (line.x0, date.x0)
            assert abs(max(line.x1, date.x1) - (BLOCK[2] - 2 * CHARACTER)) <= 1, (line.x1, date.x1)
            return line, date
    raise AssertionError(f"no issuer line {issuer!r}")
