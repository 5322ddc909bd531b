"""Meetings, registration replies (培训登记) and sign-ins (签到), with the rules of the meeting
pages: invitees see published meetings they are on; the office sees and runs everything."""
from flask import request
from flask_login import current_user

from workflow.api import present
from workflow.api.blueprints import ID, api_blueprint, refusals
from workflow.api.schemas import (
    AttendanceSchema,
    MeetingDetailSchema,
    MeetingSchema,
    ProxyInput,
    RegistrationSchema,
    ReplyInput,
    ReplySchema,
    SigninInput,
    SigninOutcome,
    SigninSchema,
)
from workflow.errors import ServiceError
from workflow.meetings import services
from workflow.meetings.tokens import TokenRefused
from workflow.permissions import logged_in, roles
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
