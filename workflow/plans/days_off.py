"""The office's own days off (a local holiday, a closure): deadlines skip them as they skip
China's public holidays (workflow/engine/workdays.py). Adding or removing one moves the due
dates of the open tasks."""
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from workflow.engine import tasks, workdays
from workflow.errors import NotFound, ServiceError
from workflow.extensions import db
from workflow.models import OfficeDayOff

NOTE_LIMIT = 100
# The list shows the days off from a month ago on (older ones no longer move any deadline).
SHOWN_SINCE = timedelta(days=31)


def listed(today):
    return db.session.scalars(
        select(OfficeDayOff).where(OfficeDayOff.day >= today - SHOWN_SINCE).order_by(OfficeDayOff.day)).all()


def add(day, note, user):
    note = (note or "").strip()
    if day is None:
        raise ServiceError(_("请填写日期。"))
    if len(note) > NOTE_LIMIT:
        raise ServiceError(_("说明不能超过 %(n)d 个字。", n=NOTE_LIMIT))
    if db.session.get(OfficeDayOff, day) is not None:
        raise ServiceError(_("%(day)s 已登记为休息日。", day=day.isoformat()), code="duplicate")
    if not workdays.is_working_day(day):
        raise ServiceError(_("%(day)s 本就不是工作日（周末或法定节假日）。", day=day.isoformat()))
    db.session.add(OfficeDayOff(day=day, note=note, created_by_id=user.id))
    db.session.flush()
    tasks.refresh_due_dates()
    db.session.commit()


def remove(day):
    row = db.session.get(OfficeDayOff, day)
    if row is None:
        raise NotFound(_("没有该休息日。"))
    db.session.delete(row)
    db.session.flush()
    tasks.refresh_due_dates()
    db.session.commit()
