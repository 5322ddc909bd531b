"""Each user's private iCal feed: their task deadlines, the stages of the plans and the
published meetings they are invited to."""
import secrets
from datetime import timedelta

from icalendar import Calendar, Event
from sqlalchemy import select

from workflow import clock
from workflow.engine import tasks
from workflow.extensions import db
from workflow.models import Meeting, MeetingInvitee, Plan, User


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


def feed(user, host="jxpj"):
    calendar = Calendar()
    calendar.add("prodid", "-//绩效评价工作台//CN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"绩效评价 · {user.full_name}")
    stamp = clock.now()
    for task in tasks.inbox(user):
        if task.due_date is None:
            continue
        event = Event()
        event.add("uid", f"task-{task.id}@{host}")
        event.add("dtstamp", stamp)
        event.add("summary", f"{tasks.label(task)}：{task.evaluation.project.name}")
        event.add("dtstart", task.due_date)
        event.add("dtend", task.due_date + timedelta(days=1))
        event.add("description", f"截止日期 {task.due_date.isoformat()}")
        calendar.add_component(event)
    for plan in db.session.scalars(select(Plan).order_by(Plan.id)):
        for stage in plan.stages:
            if stage.start_date is None or stage.due_date is None:
                continue
            event = Event()
            event.add("uid", f"stage-{stage.id}@{host}")
            event.add("dtstamp", stamp)
            event.add("summary", f"{plan.title}：{stage.name}")
            event.add("dtstart", stage.start_date)
            event.add("dtend", stage.due_date + timedelta(days=1))
            calendar.add_component(event)
    for meeting in _meetings_of(user):
        event = Event()
        event.add("uid", f"meeting-{meeting.id}@{host}")
        event.add("dtstamp", stamp)
        event.add("sequence", meeting.revision)  # a change of time or place replaces the event
        event.add("summary", meeting.title)
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.ends_at)
        event.add("location", meeting.place)
        if meeting.purpose:
            event.add("description", meeting.purpose)
        calendar.add_component(event)
    return calendar.to_ical()


def _meetings_of(user):
    return db.session.scalars(
        select(Meeting).join(MeetingInvitee, MeetingInvitee.meeting_id == Meeting.id)
        .where(MeetingInvitee.user_id == user.id, Meeting.published_at.is_not(None))
        .order_by(Meeting.starts_at, Meeting.id)
    ).all()
