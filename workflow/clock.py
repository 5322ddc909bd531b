"""One source of "now" for the whole application.

Deadlines, throttling windows and (later) reminders all ask this module for the time, so
tests and the end-to-end scenario can move the clock instead of waiting.
"""
from datetime import datetime, timezone

_frozen = None


def now():
    """The current time, timezone-aware in UTC."""
    return _frozen if _frozen is not None else datetime.now(timezone.utc)


def freeze(moment):
    """Fix the clock (tests only). ``None`` lets it run again."""
    global _frozen
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    _frozen = moment
