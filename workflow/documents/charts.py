"""Small charts as SVG, drawn on the server for the printed documents (the 报送汇总表 PDF):
horizontal bars, vertical bars and lines over the years, the shapes of the overview page's
ECharts charts. Hand-written rather than a library: three shapes are needed, the output must be
the same bytes for the same numbers (a submission's PDF is the same file at every download) and
WeasyPrint draws plain SVG, shapes and text, without scripts or stylesheets.

Every function takes plain numbers (Decimal, int or None for "no value") and labels (strings),
and gives an SVG document as a string, escaped. Sizes are in pt-like user units; the template
scales the picture to the text block's width. Text is drawn in ``font_family`` (a CSS font
stack), so the document's prepared fonts are used.
"""
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

COLOURS = ("#4e6fae", "#c0504d", "#9bbb59", "#8064a2", "#4bacc6", "#f79646", "#2c4d75", "#772c2a")
GRADE_COLOURS = {"excellent": "#2e7d32", "good": "#1565c0", "fair": "#ef6c00", "poor": "#c62828"}
AXIS = "#555555"
GRID = "#d9d9d9"
FONT = "sans-serif"


def _n(value):
    """A number as SVG writes it: at most two decimals, no trailing zeros."""
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _text(x, y, content, size=9, anchor="start", fill="#222222", weight=None):
    bold = ' font-weight="bold"' if weight else ""
    return (f'<text x="{_n(x)}" y="{_n(y)}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{bold}>'
            f"{escape(str(content))}</text>")


def _svg(width, height, body, font_family, title):
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}" height="{_n(height)}" '
            f'viewBox="0 0 {_n(width)} {_n(height)}" font-family={quoteattr(font_family)} role="img">'
            f"<title>{escape(title)}</title>{''.join(body)}</svg>")


def _nice_max(value, at_least):
    """The axis' end: at least ``at_least``, rounded up to a tenth of a power of ten."""
    value = max(Decimal(value), Decimal(at_least))
    step = Decimal(10) ** (len(str(int(value))) - 1)
    return ((value / step).to_integral_value(rounding="ROUND_CEILING")) * step


def _clip(label, limit):
    label = str(label)
    return label if len(label) <= limit else label[: limit - 1] + "…"


def horizontal_bars(title, rows, suffix="", minimum_max=100, reference=None, font_family=FONT,
                    width=440, label_width=150, label_chars=14):
    """One bar per row (label, value or None), the value written at its end with ``suffix``;
    ``reference``: a dashed line at that value (the total's rate)."""
    bar, gap, top = 16, 8, 8
    values = [Decimal(v) for _label, v in rows if v is not None]
    end = _nice_max(max(values + [Decimal(reference or 0)], default=Decimal(0)), minimum_max)
    plot = width - label_width - 48
    height = top + len(rows) * (bar + gap) + 22
    scale = lambda v: label_width + Decimal(v) / end * plot  # noqa: E731
    body = []
    for i in range(5):
        x = scale(end * i / 4)
        body.append(f'<line x1="{_n(x)}" y1="{top}" x2="{_n(x)}" y2="{_n(height - 18)}" stroke="{GRID}" stroke-width="0.5"/>')
        body.append(_text(x, height - 6, f"{_n(end * i / 4)}{suffix}", size=8, anchor="middle", fill=AXIS))
    for index, (label, value) in enumerate(rows):
        y = top + index * (bar + gap)
        body.append(_text(label_width - 4, y + bar * 0.7, _clip(label, label_chars), anchor="end"))
        if value is None:
            body.append(_text(label_width + 4, y + bar * 0.7, "—", fill=AXIS))
            continue
        length = scale(value) - label_width
        body.append(f'<rect x="{label_width}" y="{_n(y)}" width="{_n(length)}" height="{bar}" fill="{COLOURS[0]}"/>')
        body.append(_text(label_width + length + 3, y + bar * 0.7, f"{_n(value)}{suffix}", size=8))
    if reference is not None:
        x = scale(reference)
        body.append(f'<line x1="{_n(x)}" y1="{top - 4}" x2="{_n(x)}" y2="{_n(height - 18)}" stroke="{COLOURS[1]}" '
                    f'stroke-width="1" stroke-dasharray="3,2"/>')
    body.append(f'<line x1="{label_width}" y1="{top}" x2="{label_width}" y2="{_n(height - 18)}" stroke="{AXIS}" stroke-width="0.8"/>')
    return _svg(width, height, body, font_family, title)


def vertical_bars(title, rows, colours=None, font_family=FONT, width=440, height=120):
    """One bar per row (label, count), the count above it; ``colours``: one per row."""
    left, bottom, top = 28, 20, 14
    # Counts: the axis ends at a multiple of 4, so that its five ticks are whole numbers.
    largest = max([int(v) for _label, v in rows] + [1])
    end = Decimal(-(-largest // 4) * 4)
    plot_height = height - top - bottom
    slot = (width - left) / max(len(rows), 1)
    body = []
    for i in range(5):
        y = height - bottom - plot_height * i / 4
        body.append(f'<line x1="{left}" y1="{_n(y)}" x2="{width}" y2="{_n(y)}" stroke="{GRID}" stroke-width="0.5"/>')
        body.append(_text(left - 4, y + 3, _n(end * i / 4), size=8, anchor="end", fill=AXIS))
    for index, (label, value) in enumerate(rows):
        x = left + slot * index + slot * 0.2
        h = float(Decimal(value) / end) * plot_height
        colour = colours[index] if colours else COLOURS[0]
        body.append(f'<rect x="{_n(x)}" y="{_n(height - bottom - h)}" width="{_n(slot * 0.6)}" height="{_n(h)}" fill="{colour}"/>')
        body.append(_text(x + slot * 0.3, height - bottom - h - 3, _n(value), size=8, anchor="middle"))
        body.append(_text(x + slot * 0.3, height - 6, label, anchor="middle"))
    body.append(f'<line x1="{left}" y1="{_n(height - bottom)}" x2="{width}" y2="{_n(height - bottom)}" stroke="{AXIS}" stroke-width="0.8"/>')
    return _svg(width, height, body, font_family, title)


def lines(title, years, series, suffix="", minimum_max=100, font_family=FONT, width=440, height=140,
          legend_chars=14):
    """Lines over ``years`` (the x axis), one per series (name, values by year, None where the
    series has no value: the line skips it); a point marks each value, and the legend sits
    below, two series a row."""
    left, right, top = 34, 12, 10
    legend_rows = (len(series) + 1) // 2
    plot_bottom = height - 22
    total_height = height + legend_rows * 13
    values = [Decimal(v) for _name, points in series for v in points if v is not None]
    end = _nice_max(max(values, default=Decimal(0)), minimum_max)
    plot_width = width - left - right
    step = plot_width / max(len(years) - 1, 1)
    x_of = lambda i: left + (step * i if len(years) > 1 else plot_width / 2)  # noqa: E731
    y_of = lambda v: plot_bottom - float(Decimal(v) / end) * (plot_bottom - top)  # noqa: E731
    body = []
    for i in range(5):
        y = plot_bottom - (plot_bottom - top) * i / 4
        body.append(f'<line x1="{left}" y1="{_n(y)}" x2="{width - right}" y2="{_n(y)}" stroke="{GRID}" stroke-width="0.5"/>')
        body.append(_text(left - 4, y + 3, f"{_n(end * i / 4)}{suffix}", size=8, anchor="end", fill=AXIS))
    for index, year in enumerate(years):
        body.append(_text(x_of(index), plot_bottom + 12, year, size=8, anchor="middle", fill=AXIS))
    for number, (name, points) in enumerate(series):
        colour = COLOURS[number % len(COLOURS)]
        known = [(x_of(i), y_of(v)) for i, v in enumerate(points) if v is not None]
        if len(known) > 1:
            path = " ".join(f"{'M' if i == 0 else 'L'}{_n(x)},{_n(y)}" for i, (x, y) in enumerate(known))
            body.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="1.4"/>')
        for x, y in known:
            body.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="2.2" fill="{colour}"/>')
        lx = left + (number % 2) * (plot_width / 2)
        ly = height + (number // 2) * 13
        body.append(f'<rect x="{_n(lx)}" y="{_n(ly - 7)}" width="10" height="4" fill="{colour}"/>')
        body.append(_text(lx + 14, ly - 3, _clip(name, legend_chars), size=8))
    body.append(f'<line x1="{left}" y1="{_n(plot_bottom)}" x2="{width - right}" y2="{_n(plot_bottom)}" stroke="{AXIS}" stroke-width="0.8"/>')
    return _svg(width, total_height, body, font_family, title)
