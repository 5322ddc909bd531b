"""The office's working days, which every deadline counts: China's public holidays and the
weekend days worked in their place (调休) from the chinese-calendar package, less the days
off the office adds itself (OfficeDayOff).

A year the package does not know yet (it is published a year at a time, after the State
Council's notice) falls back to Monday–Friday; known_year() lets a page say so.

- A due date that falls on a day off moves to the next working day (on_or_after): a stage
  "due 10月1日" is due on the first working day after the National Day week.
- add(day, n): the n-th working day after ``day``: a returned evaluation's task is due
  plan.return_working_days working days after the return.
- due_soon_until(on): the last day of the due-soon window, DUE_SOON_DAYS working days ahead.
"""
import time
from datetime import date, timedelta

import chinese_calendar
from flask import current_app
from sqlalchemy import select

from workflow.extensions import db
from workflow.models import OfficeDayOff

# The office's days off are a handful a year: each process keeps them all for a minute, so
# that the pages computing due-soon windows send no query for them. The process that changes
# them forgets its copy at once (and moves the stored due dates); other processes see the
# change within the minute.
_TTL_SECONDS = 60.0
_cached = None   # (monotonic time loaded, frozenset of days)


def known_year(year):
    """Whether chinese-calendar knows ``year``'s holidays and 调休 days."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:   # the package's way of saying it has no data for the year
        return False
    return True


def office_days_off():
    global _cached
    now = time.monotonic()
    if _cached is None or now - _cached[0] > _TTL_SECONDS:
        _cached = (now, frozenset(db.session.scalars(select(OfficeDayOff.day))))
    return _cached[1]


def is_working_day(day, days_off=None):
    """Whether the office works on ``day`` (``days_off``: the office's, read if not given)."""
    if day in (office_days_off() if days_off is None else days_off):
        return False
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:   # a year not published yet: Monday–Friday (see known_year)
        return day.weekday() < 5


def on_or_after(day):
    """``day`` when it is a working day, else the next one; None stays None."""
    if day is None:
        return None
    days_off = office_days_off()
    while not is_working_day(day, days_off):
        day += timedelta(days=1)
    return day


def add(day, count):
    """The ``count``-th working day after ``day`` (``day`` itself does not count)."""
    days_off = office_days_off()
    while count > 0:
        day += timedelta(days=1)
        if is_working_day(day, days_off):
            count -= 1
    return day


def due_soon_until(on, days=None):
    """The last day of the due-soon window that starts on ``on``: DUE_SOON_DAYS working days."""
    return add(on, current_app.config["DUE_SOON_DAYS"] if days is None else days)


def forget_cached_days_off():
    """After the office changed its days off (and between tests)."""
    global _cached
    _cached = None
