"""The official page of every Word document (GB/T 9704-2012), as python-docx builds it.

A4 with the standard's margins (37 mm top, 35 mm bottom, 28 mm binding side, 26 mm right: a
156 × 225 mm text block); styles that NAME the official fonts — 仿宋_GB2312 body, 方正小标宋简体
title, 黑体 and 楷体_GB2312 headings, 宋体 page numbers — so that Word or WPS on the clerk's
computer, where these fonts are installed, uses them (the PDF embeds free stand-ins instead);
body 三号 (16 pt) in exact 28.95 pt lines (22 a page) indented two characters and justified;
page numbers as a PAGE field in "— n —", odd pages right, even pages left.

Everything a clerk would restyle is a named style (Normal, Title, Heading 1, Heading 2 and a
few of our own), never direct formatting, so that changing one style changes the document.
"""
import unicodedata
from dataclasses import dataclass
from io import BytesIO

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_ALIGN_VERTICAL, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.opc.part import PartFactory, XmlPart
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt
from docx.table import _Cell

from workflow import clock

# python-docx keeps the font table as opaque bytes; as an XmlPart it can be edited like the
# other parts (the alternative names below are added to it).
PartFactory.part_type_for[CONTENT_TYPE.WML_FONT_TABLE] = XmlPart

STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
TEXT_WIDTH = Emu(PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT)   # 156 mm
LINE = Pt(28.95)                                       # 225 mm / 22 lines

# 字号: 二号 22 pt, 三号 16 pt, 四号 14 pt, 小四 12 pt, 五号 10.5 pt.
SIZE_TITLE, SIZE_BODY, SIZE_PAGE_NUMBER, SIZE_SMALL, SIZE_TABLE = Pt(22), Pt(16), Pt(14), Pt(12), Pt(10.5)
CHARACTER = SIZE_BODY   # "two characters" of indent are two 三号 characters

FONT_BODY = "仿宋_GB2312"
FONT_TITLE = "方正小标宋简体"
FONT_HEADING = "黑体"
FONT_KAI = "楷体_GB2312"
FONT_PAGE_NUMBER = "宋体"
# The font table tells Word and WPS what to use where a named font is missing (a computer
# with 仿宋 but not 仿宋_GB2312 is common); charset 86 is GB2312.
ALTERNATIVE_NAMES = {FONT_BODY: "仿宋", FONT_TITLE: "宋体", FONT_HEADING: "SimHei", FONT_KAI: "楷体",
                     FONT_PAGE_NUMBER: "SimSun"}

# 28 characters in the 156 mm line: 156 mm is 442.2 pt and 28 × 16 pt is 448 pt, so each
# character gives up a quarter point (as the PDF's letter-spacing does); in twentieths of a
# point.
BODY_CHARACTER_SPACING = -5

# Our own styles, by the names a clerk sees in Word's style list.
STYLE_FLUSH = "正文（顶格）"        # the body without the two-character indent: 主送机关, lists
STYLE_ANNEX_LABEL = "附件标识"       # 附件 / 附表 at the top left of an attachment, 黑体
STYLE_CAPTION = "表格标题"           # a table's title, 小标宋 三号, centred
STYLE_TABLE = "表格文字"             # table cells, 仿宋 五号
STYLE_TABLE_HEAD = "表格表头"        # table heading cells, 黑体 五号
STYLE_NOTE = "副本说明"              # the copy or draft notice under the title, 楷体 小四
STYLE_SIGNOFF = "落款"               # 署名 and 成文日期


ALIGNMENTS = {"left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT}


@dataclass(frozen=True)
class Cell:
    """A table cell spanning ``span`` columns; ``head`` in the heading font; ``align`` "left"
    for text that reads better flush left than centred, "right" for amounts."""
    text: object = ""
    span: int = 1
    head: bool = False
    align: str = "center"


def _element(tag, **attributes):
    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), str(value))
    return element


# The order of the children that this module sets, as the schema (ECMA-376) has it: Word
# refuses a file whose properties are out of order. Only the tags that matter here.
_ORDER = {
    "rPr": ("rStyle", "rFonts", "b", "bCs", "i", "iCs", "color", "spacing", "w", "kern", "position", "sz", "szCs",
            "highlight", "u", "lang"),
    "pPr": ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "widowControl", "autoSpaceDE", "autoSpaceDN",
            "snapToGrid", "spacing", "ind", "jc", "outlineLvl", "rPr"),
    "tblPr": ("tblStyle", "tblW", "jc", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook"),
    "trPr": ("cantSplit", "trHeight", "tblHeader", "jc"),
}


def _set_child(parent, element):
    """Put ``element`` into ``parent`` where the schema orders it, replacing a child of the
    same tag."""
    for old in parent.findall(element.tag):
        parent.remove(old)
    order = _ORDER[parent.tag.rpartition("}")[2]]
    name = element.tag.rpartition("}")[2]
    parent.insert_element_before(element, *[f"w:{tag}" for tag in order[order.index(name) + 1:]])
    return element


def name_font(owner, name):
    """Name ``name`` for every script of a style or run (``owner`` has get_or_add_rPr()).
    python-docx's font.name sets only the Latin slots (ascii, hAnsi); Chinese text takes the
    eastAsia slot, and a theme font there would override the name, so it goes."""
    fonts = owner.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attribute}"), None)
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{slot}"), name)


def text_width(text):
    """The printed width of a line of 三号 text: full width for Chinese (and the punctuation
    that Chinese fonts draw full width), half for the rest."""
    halves = sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in str(text))
    return int(CHARACTER * halves / 2)


class OfficialDocument:
    """A Word document on the official page; its methods add the parts documents share."""

    def __init__(self, title, header=None, comments=""):
        self.document = docx.Document()
        self._page()
        self._styles()
        self._font_table()
        self._footers()
        if header:
            self._header(header)
        properties = self.document.core_properties
        properties.title = title
        properties.author = properties.last_modified_by = "绩效评价工作台"
        properties.comments = comments
        properties.keywords = ""
        properties.language = "zh-CN"
        properties.created = properties.modified = clock.now().replace(tzinfo=None)   # UTC
        properties.revision = 1
        # python-docx's template carries a picture of its own blank page as the thumbnail that
        # file managers show, and Word 2010's copy of the template's styles (stylesWithEffects,
        # which would still hold the old look); neither belongs in our documents.
        for rels, reltype in ((self.document.part.package.rels, RELATIONSHIP_TYPE.THUMBNAIL),
                              (self.document.part.rels, STYLES_WITH_EFFECTS)):
            for key, relationship in list(rels.items()):
                if relationship.reltype == reltype:
                    rels.pop(key)

    # The page, the styles, the footers ------------------------------------------------------

    def _page(self):
        section = self.document.sections[0]
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
        section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
        section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
        section.gutter = 0
        section.header_distance = Mm(15)
        # The page number's line starts 7 mm below the text block, as in the PDF.
        section.footer_distance = MARGIN_BOTTOM - Mm(7) - Pt(18)
        # Odd and even pages carry their own footer: the number is on the outer side.
        self.document.settings.odd_and_even_pages_header_footer = True
        language = self.document.settings.element.find(qn("w:themeFontLang"))
        if language is not None:
            language.set(qn("w:eastAsia"), "zh-CN")

    def _style(self, name, base=None, font=FONT_BODY, size=SIZE_BODY, indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY,
               line=LINE, spacing=BODY_CHARACTER_SPACING):
        """A paragraph style (new, or a built-in one reset): its font named for every script,
        its size, alignment, line and indent; nothing inherited from the template's look."""
        styles = self.document.styles
        style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        element = style.element
        # A heading keeps its outline level (Word's navigation pane and table of contents).
        found = element.pPr.find(qn("w:outlineLvl")) if element.pPr is not None else None
        outline = found.get(qn("w:val")) if found is not None else None
        for child in list(element):
            if child.tag in (qn("w:pPr"), qn("w:rPr"), qn("w:link")):
                element.remove(child)
        if base is not None:
            style.base_style = styles[base]
        name_font(element, font)
        style.font.size = size
        style.font.bold = style.font.italic = False
        rpr = element.get_or_add_rPr()
        _set_child(rpr, _element("w:color", val="000000"))
        _set_child(rpr, _element("w:spacing", val=spacing))   # explicit: not the body's
        _set_child(rpr, _element("w:lang", val="en-US", eastAsia="zh-CN"))
        paragraph = style.paragraph_format
        paragraph.alignment = align
        paragraph.space_before = paragraph.space_after = 0
        if line is None:
            paragraph.line_spacing_rule = WD_LINE_SPACING.SINGLE
        else:
            paragraph.line_spacing, paragraph.line_spacing_rule = line, WD_LINE_SPACING.EXACTLY
        paragraph.first_line_indent = 2 * CHARACTER if indent else 0
        paragraph.left_indent = paragraph.right_indent = 0
        paragraph.widow_control = True
        # No extra space between Chinese and Latin text or digits: the PDF has none, and with
        # it 28 characters no longer fit a line.
        ppr = element.get_or_add_pPr()
        _set_child(ppr, _element("w:autoSpaceDE", val=0))
        _set_child(ppr, _element("w:autoSpaceDN", val=0))
        if outline is not None:
            _set_child(ppr, _element("w:outlineLvl", val=outline))
        return style

    def _styles(self):
        # The defaults under every style: the body font and Chinese as the East Asian language.
        defaults = self.document.styles.element.find(qn("w:docDefaults"))
        run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        fonts = run_defaults.find(qn("w:rFonts"))
        for attribute in list(fonts.attrib):
            del fonts.attrib[attribute]
        for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
            fonts.set(qn(f"w:{slot}"), FONT_BODY)
        run_defaults.find(qn("w:lang")).set(qn("w:eastAsia"), "zh-CN")
        paragraph_defaults = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
        spacing = paragraph_defaults.find(qn("w:spacing"))
        spacing.set(qn("w:after"), "0")
        spacing.set(qn("w:line"), "240")
        paragraph_defaults.insert(0, _element("w:autoSpaceDN", val=0))
        paragraph_defaults.insert(0, _element("w:autoSpaceDE", val=0))

        self._style("Normal")
        title = self._style("Title", "Normal", FONT_TITLE, SIZE_TITLE, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER,
                            line=Pt(35), spacing=0)
        title.paragraph_format.space_after = LINE   # a blank line under the title
        title.paragraph_format.keep_with_next = True
        for name, font in (("Heading 1", FONT_HEADING), ("Heading 2", FONT_KAI)):
            heading = self._style(name, "Normal", font)
            heading.paragraph_format.keep_with_next = True
        self._style(STYLE_FLUSH, "Normal", indent=False)
        label = self._style(STYLE_ANNEX_LABEL, "Normal", FONT_HEADING, indent=False)
        label.paragraph_format.keep_with_next = True
        caption = self._style(STYLE_CAPTION, "Normal", FONT_TITLE, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER,
                              spacing=0)
        caption.paragraph_format.keep_with_next = True
        self._style(STYLE_TABLE, "Normal", FONT_BODY, SIZE_TABLE, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER,
                    line=None, spacing=0)
        self._style(STYLE_TABLE_HEAD, STYLE_TABLE, FONT_HEADING, SIZE_TABLE, indent=False,
                    align=WD_ALIGN_PARAGRAPH.CENTER, line=None, spacing=0)
        note = self._style(STYLE_NOTE, "Normal", FONT_KAI, SIZE_SMALL, indent=False, align=WD_ALIGN_PARAGRAPH.LEFT,
                           line=Pt(20), spacing=0)
        note.paragraph_format.space_after = Pt(14)
        self._style(STYLE_SIGNOFF, "Normal", indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
        self._style("Header", "Normal", FONT_PAGE_NUMBER, SIZE_TABLE, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER,
                    line=None, spacing=0)
        self._style("Footer", "Normal", FONT_PAGE_NUMBER, SIZE_PAGE_NUMBER, indent=False,
                    align=WD_ALIGN_PARAGRAPH.RIGHT, line=Pt(18), spacing=0)
        self._table_style_ids = {False: self.document.styles[STYLE_TABLE].style_id,
                                 True: self.document.styles[STYLE_TABLE_HEAD].style_id}

    def _font_table(self):
        part = self.document.part.part_related_by(RELATIONSHIP_TYPE.FONT_TABLE)
        for name, alternative in ALTERNATIVE_NAMES.items():
            font = _element("w:font", name=name)
            font.append(_element("w:altName", val=alternative))
            font.append(_element("w:charset", val="86"))
            font.append(_element("w:family", val="modern" if name == FONT_HEADING else "roman"))
            font.append(_element("w:pitch", val="variable"))
            part.element.append(font)

    def _footers(self):
        """"— n —" in 四号 宋体, one character in from the outer edge: right on odd pages,
        left on even ones. n is Word's PAGE field, so it stays right as the clerk edits."""
        section = self.document.sections[0]
        for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                              (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
            paragraph = footer.paragraphs[0]
            paragraph.style = self.document.styles["Footer"]
            paragraph.alignment = align
            if align == WD_ALIGN_PARAGRAPH.RIGHT:
                paragraph.paragraph_format.right_indent = SIZE_PAGE_NUMBER
            else:
                paragraph.paragraph_format.left_indent = SIZE_PAGE_NUMBER
            paragraph.add_run("— ")
            _page_field(paragraph)
            paragraph.add_run(" —")

    def _header(self, text):
        """A line at the top of every page (the draft or copy notice)."""
        section = self.document.sections[0]
        for header in (section.header, section.even_page_header):
            paragraph = header.paragraphs[0]
            paragraph.style = self.document.styles["Header"]
            paragraph.text = text

    # The parts of a document ---------------------------------------------------------------

    def title(self, lines):
        """The title, centred, its lines broken where the caller breaks them."""
        paragraph = self.document.add_paragraph(style="Title")
        for number, line in enumerate(line for line in lines if line):
            run = paragraph.add_run(line)
            if number < len([line for line in lines if line]) - 1:
                run.add_break()
        return paragraph

    def heading(self, level, text):
        """一、 headings (level 1) in 黑体, （一） headings (level 2) in 楷体."""
        return self.document.add_paragraph(text, style=f"Heading {level}")

    def paragraph(self, text, style=None):
        return self.document.add_paragraph(text, style=style)

    def paragraphs(self, texts, style=None):
        for text in texts:
            self.paragraph(text, style)

    def flush(self, text):
        """A line of the body without the indent (the addressee, a form's facts)."""
        return self.paragraph(text, STYLE_FLUSH)

    def number_line(self, number, signer):
        """A report upward's 发文字号, one character from the left, and "签发人：" with the name one
        character from the right, on one line (a right tab at the block's right edge less one
        character), then two blank lines before the title."""
        paragraph = self.paragraph(number + ("\t签发人：" + signer if signer else ""), STYLE_FLUSH)
        paragraph.paragraph_format.left_indent = CHARACTER
        paragraph.paragraph_format.tab_stops.add_tab_stop(Emu(TEXT_WIDTH - CHARACTER), WD_TAB_ALIGNMENT.RIGHT)
        paragraph.paragraph_format.space_after = 2 * LINE
        return paragraph

    def note(self, lines):
        """The copy or draft notice under the title, in small 楷体, its lines kept together."""
        paragraph = self.paragraph(lines[0], STYLE_NOTE)
        for line in lines[1:]:
            paragraph.add_run().add_break()
            paragraph.add_run(line)
        return paragraph

    def small(self, text):
        """A line of facts above a form's table (会议名称, 单位), in 小四 flush left."""
        paragraph = self.paragraph(text, STYLE_FLUSH)
        paragraph.runs[0].font.size = SIZE_SMALL
        paragraph.paragraph_format.line_spacing = Pt(20)
        return paragraph

    def attachment_note(self, titles, label="附件"):
        """附件说明: one blank line under the body, two characters in; several attachments
        numbered 1. 2. …, each name aligned under the first one's; a long name wraps under
        its own first character."""
        titles = [title for title in titles if title]
        for number, title in enumerate(titles, start=1):
            prefix = f"{number}." if len(titles) > 1 else ""
            paragraph = self.paragraph((f"{label}：" if number == 1 else "") + prefix + title, STYLE_FLUSH)
            hang = text_width(f"{label}：" + prefix) if number == 1 else text_width(prefix)
            paragraph.paragraph_format.left_indent = 2 * CHARACTER + text_width(f"{label}：" + prefix)
            paragraph.paragraph_format.first_line_indent = -hang
            if number == 1:
                paragraph.paragraph_format.space_before = LINE

    def signoff(self, issuer, date=None, blank_line=True):
        """署名 and 成文日期 without a seal: a blank line above; the issuer two characters from
        the right, the date on the next line starting two characters right of the issuer's
        first character — or, when the date is the longer, ending two characters from the
        right with the issuer moved right with it."""
        lines = [(issuer, 0), (date, 2 * CHARACTER)]
        lines = [(text, offset) for text, offset in lines if text]
        if not lines:
            return
        width = max(offset + text_width(text) for text, offset in lines)
        start = TEXT_WIDTH - 2 * CHARACTER - width
        for number, (text, offset) in enumerate(lines):
            paragraph = self.paragraph(text, STYLE_SIGNOFF)
            paragraph.paragraph_format.left_indent = max(0, start + offset)
            paragraph.paragraph_format.keep_with_next = number < len(lines) - 1
            if number == 0 and blank_line:
                paragraph.paragraph_format.space_before = LINE

    def annex(self, label):
        """An attachment starts a page of its own with its label (附件, 附表) top left."""
        paragraph = self.paragraph(label, STYLE_ANNEX_LABEL)
        paragraph.paragraph_format.page_break_before = True
        return paragraph

    def caption(self, text):
        return self.paragraph(text, STYLE_CAPTION)

    def table(self, widths, rows, head_rows=1, size=SIZE_TABLE, row_height=None, borders=True):
        """A table across the text block: ``widths`` in per cent of it, ``rows`` lists of
        Cell or text (the first ``head_rows`` are the heading, repeated on every page); a row
        never splits across pages."""
        columns = len(widths)
        table = self.document.add_table(rows=0, cols=columns)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        if borders:
            table.style = self.document.styles["Table Grid"]
        properties = table._tbl.tblPr
        _set_child(properties, _element("w:tblW", w=int(TEXT_WIDTH.twips), type="dxa"))
        if borders:
            # Direct borders as well, so they print whatever the reader's Table Grid says.
            edges = _element("w:tblBorders")
            for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
                edges.append(_element(f"w:{edge}", val="single", sz=4, space=0, color="000000"))
            _set_child(properties, edges)
        margins = _element("w:tblCellMar")
        for edge in ("top", "left", "bottom", "right"):
            margins.append(_element(f"w:{edge}", w=40, type="dxa"))   # 2 pt, as the PDF's cells
        _set_child(properties, margins)
        column_widths = [int(TEXT_WIDTH * share / sum(widths)) for share in widths]
        for column, width in zip(table.columns, column_widths):
            column.width = width
        for number, cells in enumerate(rows):
            self._row(table, [cell if isinstance(cell, Cell) else Cell(cell, head=number < head_rows) for cell in cells],
                      column_widths, size, row_height, head=number < head_rows)
        return table

    def _row(self, table, cells, widths, size, row_height, head):
        row = table.add_row()
        properties = row._tr.get_or_add_trPr()
        _set_child(properties, _element("w:cantSplit"))
        if head:
            _set_child(properties, _element("w:tblHeader"))
        if row_height is not None:
            row.height, row.height_rule = row_height, WD_ROW_HEIGHT_RULE.AT_LEAST
        # The row's own cells, spans made by widening one cell over the next ones: row.cells
        # and merge() lay out the whole table's grid on every call, which makes a table of a
        # thousand rows take seconds.
        places = list(row._tr.tc_lst)
        column = 0
        for cell in cells:
            for extra in places[column + 1:column + cell.span]:
                row._tr.remove(extra)
            if cell.span > 1:
                places[column].grid_span = cell.span
            target = _Cell(places[column], table)
            target.width = sum(widths[column:column + cell.span])
            target.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
            paragraph = target.paragraphs[0]
            # The style by its id: assigning the style object looks it up among the template's
            # hundreds of styles, for every cell.
            paragraph._p.style = self._table_style_ids[cell.head]
            if cell.align != "center":
                paragraph.alignment = ALIGNMENTS[cell.align]
            text = "" if cell.text is None else str(cell.text)
            for number, line in enumerate(text.split("\n") if text else []):
                if number:
                    paragraph.runs[-1].add_break(WD_BREAK.LINE)
                run = paragraph.add_run(line)
                if size != SIZE_TABLE:
                    run.font.size = size
            column += cell.span

    def to_bytes(self):
        buffer = BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


def _page_field(paragraph):
    """Word's PAGE field (begin, instruction, separate, the number shown until Word updates
    it, end), so that the number is the page's whatever is added or removed."""
    def run_with(element):
        run = paragraph.add_run()
        run._r.append(element)
        return run

    run_with(_element("w:fldChar", fldCharType="begin"))
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    run_with(instruction)
    run_with(_element("w:fldChar", fldCharType="separate"))
    paragraph.add_run("1")
    run_with(_element("w:fldChar", fldCharType="end"))
