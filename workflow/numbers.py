"""Numbers as people read them: one place that turns a stored Decimal into text.

The database keeps amounts to four places (万元 to the yuan), so 206.632 comes back as
206.6320; pages and documents show it as it was typed. Scores keep their two places (99.70
is how a score is written), so this is for amounts, targets, actual values and weights.
"""
from decimal import ROUND_HALF_UP, Decimal

PERCENT_QUANTUM = Decimal("0.01")


def plain(value, empty=""):
    """``value`` without trailing zeros and never in exponent notation: 206.6320 → "206.632",
    120.0000 → "120", 1E+2 → "100", 0.0000 → "0"; ``empty`` for None."""
    if value is None:
        return empty
    text = format(Decimal(value).normalize(), "f")
    return "0" if text == "-0" else text


def percent(ratio):
    """A ratio as a percentage to two places, half up (0.83599… → Decimal("83.60")), or None."""
    if ratio is None:
        return None
    return (Decimal(ratio) * 100).quantize(PERCENT_QUANTUM, rounding=ROUND_HALF_UP)


def percent_text(ratio, empty="—"):
    """The percentage as the pages show it: "83.60%", or ``empty``."""
    value = percent(ratio)
    return empty if value is None else f"{value}%"
