"""Meetings, registration replies (培训登记) and sign-ins (签到), with the rules of the meeting
pages: invitees see published meetings they are on; the office sees and runs everything:
creates, changes and deletes meetings, keeps the list of invitees, publishes the notice,
reminds the silent and attaches files (meetings.services, as the pages)."""
import dataclasses

from flask import request
from flask_login import current_user

from workflow import files
from workflow.api import guards, present
from workflow.api.blueprints import ID, api_blueprint, binary, refusals
from workflow.api.schemas import (
    AttachmentQuery,
    AttendanceSchema,
    FileInput,
    InviteeSchema,
    InviteesInput,
    InviteesOutcome,
    MeetingAttachmentSchema,
    MeetingDetailSchema,
    MeetingInput,
    MeetingSchema,
    MeetingUpdate,
    MeetingUpdateOutcome,
    ProxyInput,
    PublishOutcome,
    RegistrationSchema,
    RemindOutcome,
    ReplyInput,
    ReplySchema,
    SigninCodeSchema,
    SigninInput,
    SigninOutcome,
    SigninSchema,
)
from workflow.errors import ServiceError
from workflow.extensions import db
from workflow.meetings import services
from workflow.meetings.tokens import TokenRefused
from workflow.permissions import logged_in, roles
from workflow.plans import services as plans
from workflow.roles import Role

bp = api_blueprint("meetings", "会议、参会登记与签到")


@bp.route("/meetings")
@bp.response(200, MeetingSchema(many=True))
@logged_in
def list_meetings():
    """The office: every meeting; anyone else: the published meetings they are invited to."""
    return [present.meeting(m) for m in services.list_for(current_user)]


@bp.route(f"/meetings/<{ID}:meeting_id>")
@refusals(bp, 403, 404)
@bp.response(200, MeetingDetailSchema)
@logged_in
def get_meeting(meeting_id):
    """The notice, the caller's own reply and sign-in, and the attendance counts."""
    return present.meeting_detail(services.get_visible(meeting_id, current_user), current_user)


@bp.route(f"/meetings/<{ID}:meeting_id>/registration", methods=["PUT"])
@refusals(bp, 403, 404, 409, 422)
@bp.arguments(ReplyInput)
@bp.response(200, ReplySchema)
@logged_in
def put_registration(data, meeting_id):
    """The caller's reply (培训登记): attending, or not with a reason; until the meeting starts."""
    meeting = services.get_visible(meeting_id, current_user)
    reply = services.ReplyData(data["attending"], data["reason"], data["name"], data["unit"], data["title"],
                               data["phone"], data["remarks"])
    invitee = services.reply(meeting, current_user, reply)
    return present.reply(invitee)


@bp.route(f"/meetings/<{ID}:meeting_id>/registrations")
@refusals(bp, 403, 404)
@bp.response(200, RegistrationSchema(many=True))
@roles(Role.OFFICE)
def list_registrations(meeting_id):
    """The office: everyone on the list with their reply (response null: no answer yet)."""
    meeting = services.get_meeting(meeting_id)
    return [present.registration(i) for i in meeting.invitees]


@bp.route(f"/meetings/<{ID}:meeting_id>/signins")
@refusals(bp, 403, 404)
@bp.response(200, AttendanceSchema)
@roles(Role.OFFICE)
def list_signins(meeting_id):
    """The office: the sign-ins and the attendance counts (培训人次 = every sign-in)."""
    meeting = services.get_meeting(meeting_id)
    return {"summary": services.attendance_summary(meeting).as_dict(),
            "signins": [present.signin(s) for s in meeting.signins]}


@bp.route(f"/meetings/<{ID}:meeting_id>/signin-code")
@refusals(bp, 403, 404)
@bp.response(200, SigninCodeSchema)
@roles(Role.OFFICE)
def signin_code(meeting_id):
    """The office: the sign-in code the projector shows now (a projector or kiosk of another
    system shows it as a QR code; the people scan it as they would the projector's)."""
    return services.signin_code(services.get_meeting(meeting_id))


@bp.route(f"/meetings/<{ID}:meeting_id>/signins", methods=["POST"])
@refusals(bp, 403, 404, 409, 422)
@bp.arguments(SigninInput)
@bp.response(200, SigninOutcome)
@logged_in
def sign_in(data, meeting_id):
    """The caller signs in with the token of the QR code on the projector (its address ends in
    ``/scan/<token>``): the same checks as scanning it with the phone and tapping 签到."""
    meeting = services.get_meeting(meeting_id)  # an unpublished one is refused by the service
    try:
        pass_token = services.scan(meeting, data["token"])
    except TokenRefused as error:
        raise ServiceError(error.message, code="token_refused") from None
    outcome = services.sign_in_user(meeting, current_user, pass_token, request.remote_addr)
    return {"created": outcome.created, "signin": present.signin(outcome.signin)}


@bp.route(f"/meetings/<{ID}:meeting_id>/signins/proxy", methods=["POST"])
@refusals(bp, 403, 404, 409, 422)
@bp.arguments(ProxyInput)
@bp.response(200, SigninSchema)
@roles(Role.OFFICE)
def proxy_sign_in(data, meeting_id):
    """The office signs someone on the list in by hand (代签), with a note."""
    meeting = services.get_meeting(meeting_id)
    signin = services.proxy_sign_in(meeting, data["invitee_id"], current_user, data["note"],
                                    address=request.remote_addr)
    return present.signin(signin)


# Setting the meeting up (the office) ------------------------------------------------------

office_only = roles(Role.OFFICE)


def _meeting_exists(meeting_id):
    services.get_meeting(meeting_id)  # 404 before the body's 422


def _meeting_data(values, meeting=None):
    """MeetingData from the meeting as it stands (a PATCH) with the values sent over it."""
    if meeting is None:
        data = services.MeetingData()
    else:
        data = services.MeetingData(**{f.name: getattr(meeting, f.name) for f in dataclasses.fields(services.MeetingData)})
    for name, value in values.items():
        if name != "plan_id":
            setattr(data, name, "" if value is None and isinstance(getattr(data, name), str) else value)
    return data


@bp.route("/meetings", methods=["POST"])
@bp.arguments(MeetingInput)
@bp.response(201, MeetingDetailSchema)
@refusals(bp, 404, 422)
@office_only
def create_meeting(data):
    """The office creates a meeting of a plan (not yet published: add invitees, then publish)."""
    plan = plans.get_plan(data["plan_id"])
    meeting = services.create_meeting(plan, _meeting_data(data), current_user)
    return present.meeting_detail(meeting, current_user)


@bp.route(f"/meetings/<{ID}:meeting_id>", methods=["PATCH"])
@guards.rule_before_body(_meeting_exists)
@bp.arguments(MeetingUpdate)
@bp.response(200, MeetingUpdateOutcome)
@refusals(bp, 404, 422)
@office_only
def update_meeting(data, meeting_id):
    """Change the meeting; only the keys sent change. When a published meeting's time or place
    changes, every invitee is told (``changes``)."""
    meeting = services.get_meeting(meeting_id)
    try:
        changes = services.update_meeting(meeting, _meeting_data(data, meeting), current_user, request.remote_addr)
    except ServiceError:
        db.session.rollback()
        raise
    return {"meeting": present.meeting_detail(services.get_meeting(meeting_id), current_user), "changes": changes}


@bp.route(f"/meetings/<{ID}:meeting_id>", methods=["DELETE"])
@bp.response(204)
@refusals(bp, 404, 409)
@office_only
def delete_meeting(meeting_id):
    """Delete a meeting that is not published (a published one is refused with 409)."""
    services.delete_meeting(services.get_meeting(meeting_id), current_user)


@bp.route(f"/meetings/<{ID}:meeting_id>/publish", methods=["POST"])
@bp.response(200, PublishOutcome)
@refusals(bp, 404, 409, 422)
@office_only
def publish_meeting(meeting_id):
    """Publish the notice: every invitee is told in the app and by email (queued). 409 when it
    is published already, 422 while nobody is invited."""
    meeting = services.get_meeting(meeting_id)
    notified, mailed = services.publish(meeting, current_user, request.remote_addr)
    return {"notified": notified, "mailed": mailed, "meeting": present.meeting_detail(meeting, current_user)}


@bp.route(f"/meetings/<{ID}:meeting_id>/remind", methods=["POST"])
@bp.response(200, RemindOutcome)
@refusals(bp, 404, 409)
@office_only
def remind_silent(meeting_id):
    """Remind everyone who has not replied (in the app and by email). 409 before publication,
    once the meeting has started, or when everyone has replied."""
    reminded, mailed = services.remind_silent(services.get_meeting(meeting_id), current_user)
    return {"reminded": reminded, "mailed": mailed}


# Invitees ---------------------------------------------------------------------------------


@bp.route(f"/meetings/<{ID}:meeting_id>/invitees")
@bp.response(200, InviteeSchema(many=True))
@refusals(bp, 404)
@office_only
def list_invitees(meeting_id):
    """Everyone on the list, in the notice's order, with their reply and whether they signed in."""
    return present.invitees(services.get_meeting(meeting_id))


@bp.route(f"/meetings/<{ID}:meeting_id>/invitees", methods=["POST"])
@guards.rule_before_body(_meeting_exists)
@bp.arguments(InviteesInput)
@bp.response(200, InviteesOutcome)
@refusals(bp, 404, 409, 422)
@office_only
def add_invitees(data, meeting_id):
    """Add people, whole sections and a guest; those already on the list are skipped. Once the
    meeting is published, the people added are sent the notice."""
    meeting = services.get_meeting(meeting_id)
    guest = data.get("guest")
    guest = services.GuestData(guest["name"], guest["unit"], guest["title"], guest["phone"]) if guest else None
    try:
        added = services.add_invitees(meeting, current_user, data["user_ids"], data["section_ids"], guest)
    except ServiceError:
        db.session.rollback()
        raise
    return {"added": added, "invitees": present.invitees(services.get_meeting(meeting_id))}


@bp.route(f"/meetings/<{ID}:meeting_id>/invitees/<{ID}:invitee_id>", methods=["DELETE"])
@bp.response(204)
@refusals(bp, 404, 409)
@office_only
def remove_invitee(meeting_id, invitee_id):
    """Take someone off the list (409 once they have signed in: undo the sign-in first)."""
    services.remove_invitee(services.get_meeting(meeting_id), invitee_id, current_user)


# Attachments (the notice's 附件) -------------------------------------------------------------


@bp.route(f"/meetings/<{ID}:meeting_id>/attachments")
@bp.response(200, MeetingAttachmentSchema(many=True))
@refusals(bp, 403, 404)
@logged_in
def list_attachments(meeting_id):
    """The notice's attachments, for whoever may see the meeting."""
    return [present.meeting_attachment(a) for a in services.get_visible(meeting_id, current_user).attachments]


@bp.route(f"/meetings/<{ID}:meeting_id>/attachments", methods=["POST"])
@guards.rule_before_body(_meeting_exists)
@bp.arguments(AttachmentQuery, location="query", as_kwargs=True)
@bp.arguments(FileInput, location="files")
@bp.response(201, MeetingAttachmentSchema)
@refusals(bp, 404, 422)
@office_only
def upload_attachment(data, meeting_id, title=""):
    """Attach a file to the notice (multipart/form-data, the file in ``file``), accepted by its
    content: PDF, images, Word, Excel, within MEETING_ATTACHMENT_MAX_MB."""
    meeting = services.get_meeting(meeting_id)
    return present.meeting_attachment(services.add_attachment(meeting, current_user, data["file"], title))


@bp.route(f"/meetings/<{ID}:meeting_id>/attachments/<{ID}:attachment_id>")
@binary(bp, *(t.content_type for t in files.FILE_TYPES), description="the attachment as stored")
@refusals(bp, 403, 404)
@logged_in
def download_attachment(meeting_id, attachment_id):
    """One attachment, for whoever may see the meeting."""
    attachment = services.get_attachment(services.get_visible(meeting_id, current_user), attachment_id)
    return files.download_response(attachment.filename, attachment.content_type, attachment.data)


@bp.route(f"/meetings/<{ID}:meeting_id>/attachments/<{ID}:attachment_id>", methods=["DELETE"])
@bp.response(204)
@refusals(bp, 404)
@office_only
def delete_attachment(meeting_id, attachment_id):
    """Remove an attachment from the notice."""
    services.delete_attachment(services.get_meeting(meeting_id), attachment_id, current_user)
