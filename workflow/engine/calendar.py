"""Each user's private iCal feed: their task deadlines, the stages of the plans and the
events other features add (the published meetings they are invited to).

Every UID ends in the installation's configured name (CALENDAR_UID_DOMAIN), never in the
host name of the request: a calendar subscribed through two addresses (the office network's
name and its IP) must see each event once."""
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from icalendar import Calendar, Event
from sqlalchemy import select

from workflow import clock, signals
from workflow.engine import tasks
from workflow.extensions import db
from workflow.models import Plan, User


@dataclass
class FeedEvent:
    """An event a feature adds to a feed: ``key`` (e.g. "meeting-7") is made its UID."""
    key: str
    summary: str
    start: object
    end: object
    properties: dict = field(default_factory=dict)


def ensure_token(user):
    if not user.calendar_token:
        user.calendar_token = secrets.token_urlsafe(32)
        db.session.commit()
    return user.calendar_token


def renew_token(user):
    """A new secret: the old feed URL stops working (e.g. it was shared by mistake)."""
    user.calendar_token = secrets.token_urlsafe(32)
    db.session.commit()
    return user.calendar_token


def user_for_token(token):
    if not token or len(token) > 64:
        return None
    user = db.session.scalar(select(User).where(User.calendar_token == token))
    if user is None or not user.active:
        return None
    return user


def _event(uid, stamp, summary, start, end, **properties):
    """One VEVENT; ``properties`` are further iCal properties (empty ones are left out)."""
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", end)
    for name, value in properties.items():
        if value is not None and value != "":
            event.add(name, value)
    return event


def uid_domain():
    return current_app.config["CALENDAR_UID_DOMAIN"]


def feed(user, domain=None):
    host = domain or uid_domain()
    calendar = Calendar()
    calendar.add("prodid", "-//绩效评价工作台//CN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"绩效评价 · {user.full_name}")
    stamp = clock.now()
    for task in tasks.inbox(user):
        if task.due_date is not None:
            calendar.add_component(_event(
                f"task-{task.id}@{host}", stamp, f"{tasks.label(task)}：{task.evaluation.project.name}",
                task.due_date, task.due_date + timedelta(days=1),
                description=f"截止日期 {task.due_date.isoformat()}"))
    for plan in db.session.scalars(select(Plan).order_by(Plan.id)):
        for stage in plan.stages:
            if stage.start_date is not None and stage.due_date is not None:
                calendar.add_component(_event(
                    f"stage-{stage.id}@{host}", stamp, f"{plan.title}：{stage.name}",
                    stage.start_date, stage.due_date + timedelta(days=1)))
    for _receiver, events in signals.calendar_feed_collecting.send(user):
        for item in events:
            calendar.add_component(_event(f"{item.key}@{host}", stamp, item.summary, item.start, item.end,
                                          **item.properties))
    return calendar.to_ical()
