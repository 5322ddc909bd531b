"""Justification between characters (CSS ``text-justify: inter-character``) for Chinese text.

GB/T 9704 wants the body to fill the 156 mm text block: every line but a paragraph's last
ends on the right edge. WeasyPrint (70) justifies a line by widening its spaces only
(weasyprint.layout.inline.justify_line; it has no ``text-justify``), and Chinese text has no
spaces, so its lines were left ragged: short by half a character wherever a digit or a Latin
letter sits in the line, by a whole one wherever a closing mark (，。、）…) may not start the
next line and takes its character with it.

install() replaces that one function: a line holding Chinese text gets the missing width
spread evenly over its characters, as added letter-spacing (each text box gets its own copy
of the style with the larger spacing, and a Pango layout made with it, which is what
WeasyPrint draws). Line breaking is untouched, so which characters a line holds, and the
rules that keep punctuation off a line's start, stay Pango's. Lines without Chinese
characters keep WeasyPrint's own justification by spaces.
"""
import math
import re

from weasyprint.formatting_structure import boxes
from weasyprint.layout import inline
from weasyprint.text.line_break import create_layout

# Han, CJK punctuation and full-width forms: a line with any of them is justified between
# characters.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")

_by_spaces = inline.justify_line


def _text(box):
    if isinstance(box, boxes.TextBox):
        return box.text
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        return "".join(_text(child) for child in box.children if child.is_in_normal_flow())
    return ""


def justify_line(context, line, extra_width):
    """Spread ``extra_width`` over the line: between its characters when it holds Chinese."""
    text = _text(line)
    if not CJK.search(text):
        return _by_spaces(context, line, extra_width)
    last = _last_text_box(line)
    if len(text) < 2 or last is None:
        return
    _spread(context, line, _added_spacing(extra_width, len(text), _letter_spacing(last), last.style["font_size"]), 0)


def _added_spacing(extra_width, count, spacing, font_size):
    """The letter-spacing to add so that the line's last glyph ends on the edge.

    Pango spaces all ``count`` characters alike, the last one too, but a glyph is drawn
    from its origin its own advance wide: the ``count - 1`` gaps must take the extra width
    plus the spacing the last character carries. And WeasyPrint writes each glyph's spacing
    into the PDF in whole thousandths of an em, rounded toward zero (draw/text.py): so the
    spacing is chosen in the middle of the largest such step that does not overshoot, and
    the line ends at most count - 1 thousandths of an em short (under 0.2 mm at 3号)."""
    wanted = (extra_width + count * spacing) / (count - 1)   # as drawn, per gap
    step = math.floor(wanted * 1000 / font_size)
    drawn = (step + 0.5 if step >= 0 else step - 0.5) * font_size / 1000
    return drawn - spacing


def _letter_spacing(box):
    spacing = box.style["letter_spacing"] if box is not None else 0
    return 0 if spacing == "normal" else spacing


def _last_text_box(box):
    if isinstance(box, boxes.TextBox):
        return box if box.text else None
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        for child in reversed(box.children):
            if child.is_in_normal_flow() and (found := _last_text_box(child)) is not None:
                return found
    return None


def _spread(context, box, per_character, x_advance):
    """Widen every text box in ``box`` by ``per_character`` a character, moving what follows
    (as weasyprint.layout.inline.add_word_spacing does for spaces); returns the x advance."""
    if isinstance(box, boxes.TextBox):
        box.position_x += x_advance
        if box.text:
            style = box.style.copy()
            style["letter_spacing"] = _letter_spacing(box) + per_character
            layout = create_layout(box.text, style, context, max_width=None,
                                   justification_spacing=box.justification_spacing)
            layout.deactivate()
            box.style, box.pango_layout = style, layout
            extra = per_character * len(box.text)
            box.width += extra
            x_advance += extra
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += x_advance
        before = x_advance
        for child in box.children:
            if child.is_in_normal_flow():
                x_advance = _spread(context, child, per_character, x_advance)
        box.width += x_advance - before
    else:
        box.translate(x_advance, 0)   # an atomic inline box (an image): moved, not widened
    return x_advance


def install():
    """Use justify_line for text-align: justify (idempotent; WeasyPrint looks the function
    up in its module each time it justifies a line)."""
    inline.justify_line = justify_line
