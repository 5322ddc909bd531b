"""The published meetings a user is invited to, as events of their iCal feed
(workflow/engine/calendar.py asks through signals.calendar_feed_collecting)."""
from sqlalchemy import select

from workflow import signals
from workflow.engine.calendar import FeedEvent
from workflow.extensions import db
from workflow.meetings import services
from workflow.models import Meeting, MeetingInvitee


def _meetings_of(user):
    return db.session.scalars(
        select(Meeting).join(MeetingInvitee, MeetingInvitee.meeting_id == Meeting.id)
        .where(MeetingInvitee.user_id == user.id, Meeting.published_at.is_not(None))
        .order_by(Meeting.starts_at, Meeting.id)
    ).all()


@signals.calendar_feed_collecting.connect
def meeting_events(user):
    # The sequence grows with each change of time or place, so calendars replace the event;
    # the description is the notice's whole arrangement, not only its opening sentence.
    return [
        FeedEvent(f"meeting-{meeting.id}", meeting.title, meeting.starts_at, meeting.ends_at,
                  {"sequence": meeting.revision, "location": meeting.place,
                   "description": services.calendar_description(meeting)})
        for meeting in _meetings_of(user)
    ]
