"""Rules of meetings: the notice and its publication, invitees and their registration replies
(培训登记), reminders, attachments, sign-in (签到) by QR code, by guests and by the office on
someone's behalf (代签), and the attendance that follows.

Every refusal raises ServiceError with the Chinese text people read, before anything has been
changed. Times are aware UTC datetimes; they are shown in BABEL_DEFAULT_TIMEZONE.
"""
import hashlib
import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from workflow import clock
from workflow.engine import audit, notify, outbox
from workflow.errors import Forbidden, NotFound, ServiceError
from workflow.extensions import db
from workflow import files, office_files
from workflow.documents.text import chinese_date
from workflow.documents.titles import plain_title
from workflow.meetings import tokens
from workflow.models import AuditRecord, Meeting, MeetingAttachment, MeetingInvitee, MeetingSignin, Section, User
from workflow.models.meetings import MEETING_KINDS
from workflow.roles import Role

KIND_LABELS = {
    "training": _l("培训会"),
    "mobilisation": _l("动员会"),
    "review": _l("评审会"),
    "other": _l("其他"),
}

DEFAULT_ADDRESSEE = "局机关各科室"
PHONE = re.compile(r"^[0-9+\-() ]*$")
MAX_WINDOW_MINUTES = 24 * 60
TEXT_LIMIT = 10000

# Audit actions (labels in workflow/engine/audit.py).
ACTION_PUBLISH = "meeting_publish"
ACTION_CHANGE = "meeting_change"
ACTION_PROXY = "meeting_proxy_signin"
ACTION_UNDO = "meeting_signin_undo"
MEETING_ACTIONS = (ACTION_PUBLISH, ACTION_CHANGE, ACTION_PROXY, ACTION_UNDO)


# Time ------------------------------------------------------------------------------------


def zone():
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local(moment):
    return moment.astimezone(zone())


def to_utc(day, at):
    """A local date and time (as people type them) as an aware UTC datetime."""
    from datetime import timezone

    return datetime.combine(day, at, tzinfo=zone()).astimezone(timezone.utc)


def format_moment(moment):
    return local(moment).strftime("%Y-%m-%d %H:%M")


def format_span(starts_at, ends_at):
    start, end = local(starts_at), local(ends_at)
    if start.date() == end.date():
        return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"
    return f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M}"


def format_clock(moment, now=None):
    """HH:MM on the same local day as ``now``, else with the date."""
    moment_local = local(moment)
    if local(now or clock.now()).date() == moment_local.date():
        return moment_local.strftime("%H:%M")
    return moment_local.strftime("%Y-%m-%d %H:%M")


def chinese_time(moment):
    """The notice's way of writing a time: 2020年6月20日上午9:00."""
    at = local(moment)
    half = "上午" if at.hour < 12 else "下午"
    hour = at.hour if at.hour <= 12 else at.hour - 12
    return f"{chinese_date(at.date())}{half}{hour}:{at.minute:02d}"


# Who may see and do what ------------------------------------------------------------------


def is_manager(user):
    """The office (评价办公室) sets meetings up and runs sign-in."""
    return bool(getattr(user, "is_authenticated", False)) and Role.OFFICE in user.roles


def get_meeting(meeting_id):
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(_("会议不存在。"))
    return meeting


def invitee_of(meeting, user):
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(MeetingInvitee).where(MeetingInvitee.meeting_id == meeting.id, MeetingInvitee.user_id == user.id)
    )


def can_view(meeting, user):
    if is_manager(user):
        return True
    return meeting.is_published and invitee_of(meeting, user) is not None


def get_visible(meeting_id, user):
    meeting = get_meeting(meeting_id)
    if not can_view(meeting, user):
        raise Forbidden(_("您不在该会议的参加人员名单中，无权查看。"))
    return meeting


def list_for(user):
    """The office sees every meeting; anyone else the published meetings they are invited to."""
    query = select(Meeting).options(selectinload(Meeting.plan)).order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    if not is_manager(user):
        query = query.join(MeetingInvitee, MeetingInvitee.meeting_id == Meeting.id).where(
            MeetingInvitee.user_id == user.id, Meeting.published_at.is_not(None)
        )
    return db.session.scalars(query).all()


def link(meeting):
    if has_request_context():
        return url_for("meetings.detail", meeting_id=meeting.id)
    return f"/meetings/{meeting.id}"


def absolute_url(endpoint, **values):
    """An address a phone can open: MEETING_PUBLIC_URL when set (the projector PC may reach the
    app by another name than the phones do), else the address of the current request."""
    base = (current_app.config.get("MEETING_PUBLIC_URL") or "").rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


# The meeting itself ----------------------------------------------------------------------


@dataclass
class MeetingData:
    title: str = ""
    kind: str = "training"
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    place: str = ""
    organiser_section_id: int | None = None
    addressee: str = DEFAULT_ADDRESSEE
    purpose: str = ""
    arrangements: str = ""
    issuer: str = ""
    issued_on: date | None = None
    reply_by: date | None = None
    allow_guests: bool = False
    signin_opens_before: int | None = None
    signin_closes_after: int | None = None


def _limit(text, limit, label):
    if len(text) > limit:
        raise ServiceError(_("%(field)s不能超过 %(max)d 个字符。", field=label, max=limit))
    return text


def _clean(data):
    """Check ``data`` and return it with its text trimmed and the window defaults filled."""
    config = current_app.config
    cleaned = MeetingData(**asdict(data))
    cleaned.title = _limit((data.title or "").strip(), 200, _("会议名称"))
    if not cleaned.title:
        raise ServiceError(_("请填写会议名称。"))
    if data.kind not in MEETING_KINDS:
        raise ServiceError(_("会议类型无效。"))
    if data.starts_at is None or data.ends_at is None:
        raise ServiceError(_("请填写会议的日期、开始时间和结束时间。"))
    if data.ends_at <= data.starts_at:
        raise ServiceError(_("会议结束时间应晚于开始时间。"))
    cleaned.place = _limit((data.place or "").strip(), 200, _("会议地点"))
    if not cleaned.place:
        raise ServiceError(_("请填写会议地点。"))
    if data.organiser_section_id is not None:
        section = db.session.get(Section, data.organiser_section_id)
        if section is None or not section.active:
            raise ServiceError(_("所选主办科室不存在。"))
    cleaned.addressee = _limit((data.addressee or "").strip(), 200, _("主送"))
    cleaned.issuer = _limit((data.issuer or "").strip(), 200, _("落款"))
    cleaned.purpose = _limit((data.purpose or "").strip(), TEXT_LIMIT, _("会议事由及依据"))
    cleaned.arrangements = _limit((data.arrangements or "").strip(), TEXT_LIMIT, _("其他事项"))
    if cleaned.signin_opens_before is None:
        cleaned.signin_opens_before = config["MEETING_SIGNIN_OPENS_BEFORE_MINUTES"]
    if cleaned.signin_closes_after is None:
        cleaned.signin_closes_after = config["MEETING_SIGNIN_CLOSES_AFTER_MINUTES"]
    for minutes in (cleaned.signin_opens_before, cleaned.signin_closes_after):
        if not isinstance(minutes, int) or not 0 <= minutes <= MAX_WINDOW_MINUTES:
            raise ServiceError(_("签到开放和截止的分钟数应在 0 到 %(max)d 之间。", max=MAX_WINDOW_MINUTES))
    if cleaned.reply_by is not None and cleaned.reply_by > local(data.starts_at).date():
        raise ServiceError(_("登记截止日期不能晚于会议日期。"))
    return cleaned


def create_meeting(plan, data, actor):
    data = _clean(data)
    meeting = Meeting(plan_id=plan.id, created_by_id=actor.id if actor is not None else None)
    if data.organiser_section_id is None:
        data.organiser_section_id = plan.office_section_id
    _apply(meeting, data)
    db.session.add(meeting)
    db.session.commit()
    return meeting


def _apply(meeting, data):
    for name, value in asdict(data).items():
        setattr(meeting, name, value)


def describe_changes(old, new):
    """What people are told when the time or place of a published meeting changes."""
    changes = []
    if (old.starts_at, old.ends_at) != (new.starts_at, new.ends_at):
        changes.append(_("时间：%(old)s → %(new)s", old=format_span(old.starts_at, old.ends_at),
                         new=format_span(new.starts_at, new.ends_at)))
    if old.place != new.place:
        changes.append(_("地点：%(old)s → %(new)s", old=old.place, new=new.place))
    return changes


def update_meeting(meeting, data, actor, address=""):
    """Save the meeting; when it is published and its time or place changed, every invitee is
    told what changed (in the app and by email). Returns the list of changes announced."""
    data = _clean(data)
    before = MeetingData(starts_at=meeting.starts_at, ends_at=meeting.ends_at, place=meeting.place)
    changes = describe_changes(before, data) if meeting.is_published else []
    _apply(meeting, data)
    recipients = []
    if changes:
        meeting.revision += 1

        def text():   # in each reader's language
            return _("会议“%(title)s”有变更：%(changes)s。", title=meeting.title,
                     changes="；".join(describe_changes(before, data)))

        recipients = _invited_users(meeting)
        notify.notify(recipients, text, link(meeting))
        outbox.enqueue(recipients, lambda: _("【会议变更】%(title)s", title=meeting.title),
                       lambda: text() + _mail_footer(meeting))
        audit.record(None, actor, ACTION_CHANGE, comment="；".join(changes), address=address,
                     details=_details(meeting, changes=changes))
    db.session.commit()
    return changes


def delete_meeting(meeting, actor):
    if meeting.is_published:
        raise ServiceError(_("已发布的会议不能删除。"), code="conflict")
    db.session.delete(meeting)
    db.session.commit()


def _details(meeting, **extra):
    """What an audit record says about the meeting it concerns."""
    return {"meeting_id": meeting.id, "meeting": meeting.title, **extra}


def _invited_users(meeting):
    return [inv.user for inv in meeting.invitees if inv.user is not None and inv.user.active]


def _mail_footer(meeting):
    try:
        url = absolute_url("meetings.detail", meeting_id=meeting.id)
    except RuntimeError:  # outside a request and without MEETING_PUBLIC_URL
        return "\n"
    return "\n\n" + _("详情：%(url)s", url=url) + "\n"


def arrangement_lines(data):
    """The notice's body from ``notice(meeting)``: purpose (which may end "具体安排如下："),
    time, place, participants, further arrangements, reply date and attachments."""
    lines = []
    if data["purpose"]:
        lines.append(data["purpose"])
    lines.append(_("会议时间：%(when)s", when=data["time_text"]))
    lines.append(_("会议地点：%(place)s", place=data["place"]))
    lines.append(_("参加人员：%(names)s", names="　".join(data["participants"])))
    if data["arrangements"]:
        lines.append(data["arrangements"])
    if data["attachments"]:
        lines.append(_("附件：%(titles)s", titles="、".join(data["attachments"])))
    return lines


def notice_text(meeting):
    """The notice as plain text (the email's body)."""
    data = notice(meeting)
    lines = [data["heading"], "", f"{data['addressee']}："] + arrangement_lines(data)
    lines += ["", data["issuer"], data["issued_on_text"]]
    return "\n".join(line for line in lines if line is not None)


def calendar_description(meeting):
    """The iCal event's DESCRIPTION: the whole arrangement, as the notice states it."""
    return "\n".join(arrangement_lines(notice(meeting)))


def publish(meeting, actor, address=""):
    """Publish the notice: every invitee is told in the app and by email (queued in the
    outbox with the publication), and the meeting enters their calendar feed. Returns
    (people notified, emails queued)."""
    if meeting.is_published:
        raise ServiceError(_("会议通知已经发布。"), code="conflict")
    if not meeting.invitees:
        raise ServiceError(_("请先添加参加人员，再发布会议通知。"))
    now = clock.now()
    meeting.published_at = now
    if meeting.issued_on is None:
        meeting.issued_on = local(now).date()
    recipients = _invited_users(meeting)
    notify.notify(recipients, lambda: _invitation_text(meeting), link(meeting))
    queued = outbox.enqueue(recipients, lambda: _("【会议通知】%(title)s", title=meeting.title),
                            lambda: notice_text(meeting) + _mail_footer(meeting))
    audit.record(None, actor, ACTION_PUBLISH, address=address,
                 details=_details(meeting, invitees=len(meeting.invitees)))
    db.session.commit()
    return len(recipients), queued


def _invitation_text(meeting):
    return _("会议通知：%(title)s，时间 %(when)s，地点 %(place)s。请在系统中登记是否参加。",
             title=meeting.title, when=format_span(meeting.starts_at, meeting.ends_at), place=meeting.place)


# Invitees --------------------------------------------------------------------------------


@dataclass
class GuestData:
    name: str = ""
    unit: str = ""
    title: str = ""
    phone: str = ""


def _guest_key(name, unit):
    """Names and units as compared: trimmed, inner spaces collapsed."""
    return " ".join((name or "").split()), " ".join((unit or "").split())


def _check_guest(guest):
    name, unit = _guest_key(guest.name, guest.unit)
    if not name or not unit:
        raise ServiceError(_("请填写来宾的姓名和单位。"))
    _limit(name, 64, _("姓名"))
    _limit(unit, 100, _("单位"))
    title = _limit((guest.title or "").strip(), 64, _("职务"))
    phone = _check_phone(guest.phone)
    return GuestData(name, unit, title, phone)


def _check_phone(phone):
    phone = _limit((phone or "").strip(), 32, _("联系电话"))
    if not PHONE.match(phone):
        raise ServiceError(_("联系电话只能包含数字、空格和 + - ( )。"))
    return phone


def add_invitees(meeting, actor, user_ids=(), section_ids=(), guest=None):
    """Add people, whole sections (their active users, as of now) and an external guest.
    People already on the list are skipped. Returns how many were added."""
    user_ids = list(dict.fromkeys(int(i) for i in user_ids or ()))
    section_ids = list(dict.fromkeys(int(i) for i in section_ids or ()))
    has_guest = guest is not None and bool((guest.name or "").strip() or (guest.unit or "").strip())
    if not user_ids and not section_ids and not has_guest:
        raise ServiceError(_("请选择要添加的人员或科室，或填写来宾的姓名和单位。"))
    users = db.session.scalars(select(User).where(User.id.in_(user_ids))).all() if user_ids else []
    if len(users) != len(user_ids) or any(not u.active for u in users):
        raise ServiceError(_("所选人员不存在或已停用。"))
    sections = db.session.scalars(select(Section).where(Section.id.in_(section_ids))).all() if section_ids else []
    if len(sections) != len(section_ids) or any(not s.active for s in sections):
        raise ServiceError(_("所选科室不存在或已停用。"))
    guest = _check_guest(guest) if has_guest else None
    by_id = {u.id: u for u in users}
    wanted = {user_id: by_id[user_id] for user_id in user_ids}  # in the order given (the notice's order)
    for section in sorted(sections, key=lambda s: (s.sort_order, s.id)):
        for user in db.session.scalars(
            select(User).where(User.section_id == section.id, User.active.is_(True)).order_by(User.id)
        ):
            wanted.setdefault(user.id, user)
    present = {inv.user_id for inv in meeting.invitees if inv.user_id is not None}
    order = max((inv.sort_order for inv in meeting.invitees), default=0)
    added = []
    for user in wanted.values():
        if user.id in present:
            continue
        order += 1
        invitee = MeetingInvitee(user_id=user.id, sort_order=order)
        meeting.invitees.append(invitee)
        added.append(invitee)
    if guest is not None:
        if any(inv.is_guest and (inv.guest_name, inv.guest_unit) == (guest.name, guest.unit) for inv in meeting.invitees):
            if not added:
                raise ServiceError(_("来宾“%(name)s（%(unit)s）”已在参加人员名单中。", name=guest.name, unit=guest.unit), code="conflict")
        else:
            order += 1
            invitee = MeetingInvitee(guest_name=guest.name, guest_unit=guest.unit, name=guest.name, unit=guest.unit,
                                     title=guest.title, phone=guest.phone, sort_order=order)
            meeting.invitees.append(invitee)
            added.append(invitee)
    recipients = [wanted[inv.user_id] for inv in added if inv.user_id is not None]
    if meeting.is_published and recipients:
        notify.notify(recipients, lambda: _invitation_text(meeting), link(meeting))
        outbox.enqueue(recipients, lambda: _("【会议通知】%(title)s", title=meeting.title),
                       lambda: notice_text(meeting) + _mail_footer(meeting))
    db.session.commit()
    return len(added)


def get_invitee(meeting, invitee_id):
    invitee = db.session.get(MeetingInvitee, invitee_id) if isinstance(invitee_id, int) else None
    if invitee is None or invitee.meeting_id != meeting.id:
        raise NotFound(_("该人员不在本次会议的名单中。"))
    return invitee


def remove_invitee(meeting, invitee_id, actor):
    invitee = get_invitee(meeting, invitee_id)
    if signin_of_invitee(invitee) is not None:
        raise ServiceError(_("%(name)s 已签到，不能移出名单；如属误签，请先撤销签到。", name=display_name(invitee)), code="conflict")
    user = invitee.user
    meeting.invitees.remove(invitee)
    if meeting.is_published and user is not None:
        notify.notify([user], lambda: _("您已不在会议“%(title)s”（%(when)s）的参加人员名单中。",
                                        title=meeting.title, when=format_span(meeting.starts_at, meeting.ends_at)),
                      link(meeting))
    db.session.commit()


def has_guest_invitees(meeting):
    return db.session.scalar(
        select(MeetingInvitee.id).where(MeetingInvitee.meeting_id == meeting.id, MeetingInvitee.user_id.is_(None))
        .limit(1)
    ) is not None


def display_name(invitee):
    if invitee.is_guest:
        return invitee.guest_name
    return invitee.name or (invitee.user.full_name if invitee.user else "")


def person(invitee):
    """姓名 · 单位/科室 · 职务 · 联系电话 of someone on the list: what they confirmed in the
    registration, else what their account says."""
    if invitee.is_guest:
        return invitee.guest_name, invitee.guest_unit, invitee.title, invitee.phone
    user = invitee.user
    section = user.section.name if user.section else ""
    return (invitee.name or user.full_name, invitee.unit or section, invitee.title or user.title,
            invitee.phone or user.phone)


# Registration (培训登记) ------------------------------------------------------------------


@dataclass
class ReplyData:
    attending: bool | None = None
    reason: str = ""
    name: str = ""
    unit: str = ""
    title: str = ""
    phone: str = ""
    remarks: str = ""


def reply_defaults(invitee):
    """The registration form's values: the earlier reply, else the person's account."""
    name, unit, title, phone = person(invitee)
    attending = None if invitee.response is None else invitee.response == "attend"
    return ReplyData(attending, invitee.reason, name, unit, title, phone, invitee.remarks)


def registration_open(meeting, now=None):
    return meeting.is_published and (now or clock.now()) < meeting.starts_at


def reply(meeting, user, data):
    """The invitee's answer: attending, or not with a reason; with 姓名, 科室, 职务, 联系电话."""
    invitee = invitee_of(meeting, user)
    if invitee is None or not meeting.is_published:
        raise Forbidden(_("您不在该会议的参加人员名单中。"))
    if not registration_open(meeting):
        raise ServiceError(_("会议已开始，不能再修改登记。"), code="conflict")
    if data.attending is None:
        raise ServiceError(_("请选择是否参加。"))
    reason = _limit((data.reason or "").strip(), 500, _("不能参加的原因"))
    if not data.attending and not reason:
        raise ServiceError(_("不能参加时请填写原因。"))
    name = _limit((data.name or "").strip(), 64, _("姓名"))
    if not name:
        raise ServiceError(_("请填写姓名。"))
    unit = _limit((data.unit or "").strip(), 100, _("科室"))
    title = _limit((data.title or "").strip(), 64, _("职务"))
    phone = _check_phone(data.phone)
    remarks = _limit((data.remarks or "").strip(), 500, _("备注"))
    invitee.response = "attend" if data.attending else "absent"
    invitee.reason = "" if data.attending else reason
    invitee.name, invitee.unit, invitee.title, invitee.phone, invitee.remarks = name, unit, title, phone, remarks
    invitee.responded_at = clock.now()
    db.session.commit()
    return invitee


def silent(meeting):
    """Invited users who have not replied."""
    return [inv for inv in meeting.invitees if not inv.is_guest and inv.response is None]


def remind_silent(meeting, actor):
    """Remind everyone who has not replied, once per call (in the app and by email, queued);
    each person's reminders are counted. Returns (people reminded, emails queued)."""
    if not meeting.is_published:
        raise ServiceError(_("会议通知尚未发布。"), code="conflict")
    if not registration_open(meeting):
        raise ServiceError(_("会议已开始，不再提醒登记。"), code="conflict")
    targets = [inv for inv in silent(meeting) if inv.user.active]
    if not targets:
        raise ServiceError(_("所有参加人员都已回复登记，无需提醒。"), code="conflict")
    now = clock.now()
    for invitee in targets:
        invitee.reminder_count += 1
        invitee.last_reminded_at = now
    def text():   # in each reader's language
        when = format_span(meeting.starts_at, meeting.ends_at)
        if meeting.reply_by:
            return _("请于 %(date)s 前回复会议“%(title)s”（%(when)s，%(place)s）的参会登记。",
                     date=meeting.reply_by.isoformat(), title=meeting.title, when=when, place=meeting.place)
        return _("请回复会议“%(title)s”（%(when)s，%(place)s）的参会登记。", title=meeting.title,
                 when=when, place=meeting.place)

    users = [inv.user for inv in targets]
    notify.notify(users, text, link(meeting))
    queued = outbox.enqueue(users, lambda: _("【登记提醒】%(title)s", title=meeting.title),
                            lambda: text() + _mail_footer(meeting))
    db.session.commit()
    return len(users), queued


# Attachments -----------------------------------------------------------------------------


def attachment_limit():
    return current_app.config["MEETING_ATTACHMENT_MAX_MB"] * 1024 * 1024


def add_attachment(meeting, actor, file_storage, title=""):
    if file_storage is None or not (file_storage.filename or "").strip():
        raise ServiceError(_("请选择要上传的文件。"))
    limit = attachment_limit()
    data = file_storage.stream.read(limit + 1)
    if len(data) > limit:
        raise ServiceError(_("附件不能超过 %(mb)d MB。", mb=current_app.config["MEETING_ATTACHMENT_MAX_MB"]))
    if not data:
        raise ServiceError(_("上传的文件是空的。"))
    file_type = files.detect_type(data)
    if file_type is None:
        raise ServiceError(_("附件只接受 PDF、图片（PNG/JPEG/GIF）、Word（doc/docx）和 Excel（xls/xlsx）文件。"))
    office_files.check(data, file_type)  # a Word or Excel file must open within the limits
    filename = files.sanitise_filename(file_storage.filename, file_type.extension)
    title = _limit((title or "").strip(), 100, _("附件名称")) or filename.rsplit(".", 1)[0]
    attachment = MeetingAttachment(
        title=title, filename=filename, content_type=file_type.content_type, size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), data=data, uploaded_by_id=actor.id,
    )
    meeting.attachments.append(attachment)
    db.session.commit()
    return attachment


def get_attachment(meeting, attachment_id):
    attachment = db.session.get(MeetingAttachment, attachment_id)
    if attachment is None or attachment.meeting_id != meeting.id:
        raise NotFound(_("附件不存在。"))
    return attachment


def delete_attachment(meeting, attachment_id, actor):
    attachment = get_attachment(meeting, attachment_id)
    meeting.attachments.remove(attachment)
    db.session.commit()
    return attachment.title


# Sign-in (签到) ---------------------------------------------------------------------------


def window(meeting):
    """(opens, closes) of the sign-in window."""
    return (meeting.starts_at - timedelta(minutes=meeting.signin_opens_before),
            meeting.starts_at + timedelta(minutes=meeting.signin_closes_after))


def window_refusal(meeting, now=None):
    """Why sign-in is not possible at ``now`` (None when it is)."""
    now = now or clock.now()
    if not meeting.is_published:
        return _("会议通知尚未发布，不能签到。")
    opens, closes = window(meeting)
    if now < opens:
        return _("签到尚未开始，将于 %(time)s 开放。", time=format_clock(opens, now))
    if now > closes:
        return _("签到已结束（%(time)s 截止）。如需补签，请联系会议组织科室。", time=format_clock(closes, now))
    return None


@dataclass
class Outcome:
    signin: MeetingSignin
    created: bool


def scan(meeting, token):
    """A QR code was scanned: check it and hand out the pass for the phone page."""
    tokens.check_qr_token(token, meeting.id)
    return tokens.issue_pass(meeting.id)


def signin_of_user(meeting, user_id):
    return db.session.scalar(
        select(MeetingSignin).where(MeetingSignin.meeting_id == meeting.id, MeetingSignin.user_id == user_id)
    )


def signin_of_guest(meeting, name, unit):
    return db.session.scalar(
        select(MeetingSignin).where(MeetingSignin.meeting_id == meeting.id, MeetingSignin.guest_name == name,
                                    MeetingSignin.guest_unit == unit)
    )


def signin_of_invitee(invitee):
    meeting = invitee.meeting
    if invitee.is_guest:
        return signin_of_guest(meeting, invitee.guest_name, invitee.guest_unit)
    return signin_of_user(meeting, invitee.user_id)


def _store(signin, existing):
    """Insert ``signin``; when the unique key says someone was quicker (a double tap, two
    phones), keep the first record and report it."""
    db.session.add(signin)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        first = existing()
        if first is None:
            raise
        return Outcome(first, False)
    return Outcome(signin, True)


def sign_in_user(meeting, user, pass_token, address=""):
    """One tap on the phone: the signed-in user signs in with the pass of a scanned code."""
    tokens.check_pass(pass_token, meeting.id)
    if not meeting.is_published:
        raise ServiceError(_("会议通知尚未发布，不能签到。"))
    existing = signin_of_user(meeting, user.id)
    if existing is not None:
        return Outcome(existing, False)
    now = clock.now()
    refusal = window_refusal(meeting, now)
    if refusal:
        raise ServiceError(refusal, code="window")
    invitee = invitee_of(meeting, user)
    if invitee is None and not meeting.allow_guests:
        raise ServiceError(_("您不在本次会议的参加人员名单中，不能签到。如需参会，请联系会议组织科室。"), code="not_invited")
    if invitee is not None:
        name, unit, title, phone = person(invitee)
    else:
        name, unit, title, phone = user.full_name, user.section.name if user.section else "", user.title, user.phone
    signin = MeetingSignin(
        meeting_id=meeting.id, invitee_id=invitee.id if invitee else None, user_id=user.id,
        name=name, unit=unit, title=title, phone=phone, signed_at=now, late=now > meeting.starts_at,
        method="qr", address=(address or "")[:64],
    )
    return _store(signin, lambda: signin_of_user(meeting, user.id))


def sign_in_guest(meeting, pass_token, guest, address=""):
    """An external guest signs in on the phone with name and unit: someone invited by name, or
    anyone when the meeting allows guests."""
    tokens.check_pass(pass_token, meeting.id)
    if not meeting.is_published:
        raise ServiceError(_("会议通知尚未发布，不能签到。"))
    guest = _check_guest(guest)
    existing = signin_of_guest(meeting, guest.name, guest.unit)
    if existing is not None:
        return Outcome(existing, False)
    now = clock.now()
    refusal = window_refusal(meeting, now)
    if refusal:
        raise ServiceError(refusal, code="window")
    invitee = db.session.scalar(
        select(MeetingInvitee).where(MeetingInvitee.meeting_id == meeting.id, MeetingInvitee.guest_name == guest.name,
                                     MeetingInvitee.guest_unit == guest.unit)
    )
    if invitee is None and not meeting.allow_guests:
        raise ServiceError(_("本次会议不接受名单以外的来宾签到。请登录后签到，或联系会议组织科室。"), code="no_guests")
    signin = MeetingSignin(
        meeting_id=meeting.id, invitee_id=invitee.id if invitee else None, guest_name=guest.name,
        guest_unit=guest.unit, name=guest.name, unit=guest.unit,
        title=guest.title or (invitee.title if invitee else ""), phone=guest.phone or (invitee.phone if invitee else ""),
        signed_at=now, late=now > meeting.starts_at, method="qr", address=(address or "")[:64],
    )
    return _store(signin, lambda: signin_of_guest(meeting, guest.name, guest.unit))


def proxy_sign_in(meeting, invitee_id, actor, note, arrived_at=None, address=""):
    """代签: the office signs someone on the list in by hand (from the paper book, or ticking
    names off at the door), with a note; written to the audit log."""
    if not meeting.is_published:
        raise ServiceError(_("会议通知尚未发布，不能签到。"))
    invitee = get_invitee(meeting, invitee_id)
    note = _limit((note or "").strip(), 200, _("代签说明"))
    if not note:
        raise ServiceError(_("请填写代签说明（如：本人纸质签到）。"))
    now = clock.now()
    opens, _closes = window(meeting)
    if now < opens:
        raise ServiceError(_("签到尚未开始，将于 %(time)s 开放。", time=format_clock(opens, now)))
    arrived_at = arrived_at or now
    if arrived_at > now:
        raise ServiceError(_("到场时间不能晚于现在。"))
    if arrived_at < opens or arrived_at > meeting.ends_at:
        raise ServiceError(_("到场时间应在签到开放（%(opens)s）到会议结束（%(ends)s）之间。",
                             opens=format_moment(opens), ends=format_moment(meeting.ends_at)))
    existing = signin_of_invitee(invitee)
    if existing is not None:
        raise ServiceError(_("%(name)s 已于 %(time)s 签到。", name=existing.name, time=format_moment(existing.signed_at)),
                           code="duplicate")
    name, unit, title, phone = person(invitee)
    signin = MeetingSignin(
        meeting_id=meeting.id, invitee_id=invitee.id, user_id=invitee.user_id, guest_name=invitee.guest_name,
        guest_unit=invitee.guest_unit, name=name, unit=unit, title=title, phone=phone, signed_at=arrived_at,
        late=arrived_at > meeting.starts_at, method="proxy", note=note, recorded_by_id=actor.id,
        address=(address or "")[:64],
    )
    db.session.add(signin)
    try:
        db.session.flush()
    except IntegrityError:  # signed in on the phone a moment ago
        db.session.rollback()
        first = signin_of_invitee(get_invitee(meeting, invitee_id))
        raise ServiceError(_("%(name)s 已于 %(time)s 签到。", name=first.name if first else name,
                             time=format_moment(first.signed_at) if first else ""), code="duplicate") from None
    audit.record(None, actor, ACTION_PROXY, comment=note, address=address, details=_details(
        meeting, signin_id=signin.id, name=name, unit=unit, signed_at=arrived_at.isoformat(), late=signin.late))
    db.session.commit()
    return signin


def undo_sign_in(meeting, signin_id, actor, note="", address=""):
    """Take back a mistaken sign-in; the audit log keeps what it was."""
    signin = db.session.get(MeetingSignin, signin_id) if isinstance(signin_id, int) else None
    if signin is None or signin.meeting_id != meeting.id:
        raise NotFound(_("签到记录不存在。"))
    note = _limit((note or "").strip(), 200, _("撤销原因"))
    details = _details(meeting, signin_id=signin.id, name=signin.name, unit=signin.unit,
                       signed_at=signin.signed_at.isoformat(), method=signin.method, late=signin.late,
                       note=signin.note)
    audit.record(None, actor, ACTION_UNDO, comment=note, address=address, details=details)
    db.session.delete(signin)
    db.session.commit()
    return details


def audit_trail(meeting, limit=200):
    """The meeting's audit records (publication, changes, 代签, undone sign-ins), newest first."""
    rows = db.session.scalars(
        select(AuditRecord).where(AuditRecord.evaluation_id.is_(None), AuditRecord.action.in_(MEETING_ACTIONS))
        .order_by(AuditRecord.at.desc(), AuditRecord.id.desc())
    )
    found = []
    for row in rows:
        if (row.details or {}).get("meeting_id") == meeting.id:
            found.append(row)
            if len(found) >= limit:
                break
    return found


# Attendance ------------------------------------------------------------------------------


@dataclass
class Summary:
    invited: int  # people on the list
    signed_in: int  # every sign-in, guests from outside the list included: 培训人次
    invited_signed_in: int
    on_time: int
    late: int
    proxy: int
    absent_with_reason: int
    pending: int  # on the list, not signed in, no reason given (after the meeting: absent)
    walk_ins: int  # signed in without being on the list
    replied: int
    attending_replies: int
    finished: bool
    rate: Decimal | None  # invited_signed_in / invited, in per cent

    @property
    def training_person_times(self):
        return self.signed_in

    def as_dict(self):
        data = asdict(self)
        data["rate"] = None if self.rate is None else str(self.rate)
        data["training_person_times"] = self.training_person_times
        return data


def _load(meeting):
    invitees = db.session.scalars(
        select(MeetingInvitee).options(selectinload(MeetingInvitee.user).selectinload(User.section))
        .where(MeetingInvitee.meeting_id == meeting.id).order_by(MeetingInvitee.sort_order, MeetingInvitee.id)
    ).all()
    signins = db.session.scalars(
        select(MeetingSignin).where(MeetingSignin.meeting_id == meeting.id)
        .order_by(MeetingSignin.signed_at, MeetingSignin.id)
    ).all()
    return invitees, signins


def _signin_index(signins):
    by_user = {s.user_id: s for s in signins if s.user_id is not None}
    by_guest = {(s.guest_name, s.guest_unit): s for s in signins if s.user_id is None}

    def find(invitee):
        if invitee.is_guest:
            return by_guest.get((invitee.guest_name, invitee.guest_unit))
        return by_user.get(invitee.user_id)

    return find


def not_signed_in(meeting):
    """The people on the list without a sign-in (whom the office may sign in by hand)."""
    invitees, signins = _load(meeting)
    find = _signin_index(signins)
    return [inv for inv in invitees if find(inv) is None]


def _summarise(meeting, invitees, signins, now):
    find = _signin_index(signins)
    present = [inv for inv in invitees if find(inv) is not None]
    missing = [inv for inv in invitees if find(inv) is None]
    absent = [inv for inv in missing if inv.response == "absent"]
    matched = {find(inv).id for inv in present}
    rate = None
    if invitees:
        rate = (Decimal(len(present)) * 100 / Decimal(len(invitees))).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return Summary(
        invited=len(invitees),
        signed_in=len(signins),
        invited_signed_in=len(present),
        on_time=sum(1 for s in signins if not s.late),
        late=sum(1 for s in signins if s.late),
        proxy=sum(1 for s in signins if s.method == "proxy"),
        absent_with_reason=len(absent),
        pending=len(missing) - len(absent),
        walk_ins=sum(1 for s in signins if s.id not in matched),
        replied=sum(1 for inv in invitees if inv.response is not None),
        attending_replies=sum(1 for inv in invitees if inv.response == "attend"),
        finished=now >= meeting.ends_at,
        rate=rate,
    )


def attendance_summary(meeting, now=None):
    """The counts of a meeting's attendance; ``training_person_times`` (培训人次, every
    sign-in) is what an indicator's evidence cites."""
    invitees, signins = _load(meeting)
    return _summarise(meeting, invitees, signins, now or clock.now())


def board(meeting, now=None):
    """The live board: counts and who signed in (on time or late), who sent a reason for
    absence, who has not arrived yet. Plain data for the page and its JSON."""
    now = now or clock.now()
    invitees, signins = _load(meeting)
    find = _signin_index(signins)
    summary = _summarise(meeting, invitees, signins, now)

    def row(signin):
        return {"id": signin.id, "name": signin.name, "unit": signin.unit, "time": format_clock(signin.signed_at, now),
                "late": signin.late, "proxy": signin.method == "proxy", "guest": signin.is_guest,
                "note": signin.note}

    absent, pending = [], []
    for invitee in invitees:
        if find(invitee) is not None:
            continue
        name, unit, _title, _phone = person(invitee)
        if invitee.response == "absent":
            absent.append({"id": invitee.id, "name": name, "unit": unit, "reason": invitee.reason})
        else:
            pending.append({"id": invitee.id, "name": name, "unit": unit})
    return {
        "summary": summary.as_dict(),
        "signed_in": [row(s) for s in signins if not s.late],
        "late": [row(s) for s in signins if s.late],
        "absent": absent,
        "pending": pending,
        "window": window_state(meeting, now),
        "updated": local(now).strftime("%H:%M:%S"),
    }


def signin_code(meeting):
    """The sign-in QR code the projector shows now: its token, the address it encodes, how
    long it lasts and whether the window is open. The projector page and the API both show it."""
    token = tokens.qr_token(meeting.id)
    return {
        "token": token,
        "url": absolute_url("meetings.scan", meeting_id=meeting.id, token=token),
        "expires_in": tokens.seconds_left(),
        "period": tokens.period_seconds(),
        "window": window_state(meeting),
    }


def window_state(meeting, now=None):
    now = now or clock.now()
    opens, closes = window(meeting)
    if now < opens:
        return "not_open"
    if now > closes:
        return "closed"
    return "open"


# What the printed notice and sign-in sheet need ---------------------------------------------


def notice(meeting):
    """Everything the notice (关于召开……的通知) prints."""
    # A "|" the writer typed in the title sets where the printed heading breaks
    # (documents.titles: heading_as_typed); everywhere else the title reads without it.
    heading = _("关于召开%(title)s的通知", title=meeting.title)
    return {
        "heading": plain_title(heading),
        "heading_as_typed": heading,
        "title": plain_title(meeting.title),
        "kind": meeting.kind,
        "kind_label": str(KIND_LABELS[meeting.kind]),
        "addressee": meeting.addressee,
        "purpose": meeting.purpose,
        "starts_at": local(meeting.starts_at),
        "ends_at": local(meeting.ends_at),
        "time_text": chinese_time(meeting.starts_at),
        "place": meeting.place,
        "participants": [display_name(inv) for inv in meeting.invitees],
        "arrangements": meeting.arrangements,
        "attachments": [a.title for a in meeting.attachments],
        "organiser": meeting.organiser_section.name if meeting.organiser_section else "",
        "issuer": meeting.issuer or (meeting.organiser_section.name if meeting.organiser_section else ""),
        "issued_on": meeting.issued_on,
        "issued_on_text": chinese_date(meeting.issued_on) if meeting.issued_on else "",
        "reply_by": meeting.reply_by,
    }


SHEET_COLUMNS = (_l("序号"), _l("姓名"), _l("单位/科室"), _l("职务"), _l("联系电话"), _l("签到时间"), _l("签名"), _l("备注"))


def signin_sheet(meeting, now=None):
    """The sign-in sheet (签到表): its header and one row per person on the list, then the
    guests who signed in without being on it."""
    now = now or clock.now()
    invitees, signins = _load(meeting)
    find = _signin_index(signins)
    rows = []

    def remarks(signin, invitee):
        parts = []
        if signin is not None:
            if signin.late:
                parts.append(_("迟到"))
            if signin.method == "proxy":
                parts.append(_("代签：%(note)s", note=signin.note) if signin.note else _("代签"))
            if invitee is None:
                parts.append(_("名单外来宾") if signin.is_guest else _("名单外人员"))
        elif invitee is not None and invitee.response == "absent":
            parts.append(_("请假：%(reason)s", reason=invitee.reason))
        elif meeting.ends_at <= now:
            parts.append(_("缺席"))
        if invitee is not None and invitee.remarks:
            parts.append(invitee.remarks)
        return "；".join(parts)

    matched = set()
    for invitee in invitees:
        signin = find(invitee)
        if signin is not None:
            matched.add(signin.id)
        name, unit, title, phone = person(invitee)
        rows.append({"name": name, "unit": unit, "title": title, "phone": phone,
                     "signed_at": local(signin.signed_at) if signin else None,
                     "signature": "", "remarks": remarks(signin, invitee)})
    for signin in signins:
        if signin.id not in matched:
            rows.append({"name": signin.name, "unit": signin.unit, "title": signin.title, "phone": signin.phone,
                         "signed_at": local(signin.signed_at), "signature": "", "remarks": remarks(signin, None)})
    for number, row in enumerate(rows, start=1):
        row["index"] = number
    heading = _("%(title)s签到表", title=meeting.title)
    return {
        "heading": plain_title(heading),
        "heading_as_typed": heading,
        "title": plain_title(meeting.title),
        "time_text": format_span(meeting.starts_at, meeting.ends_at),
        "place": meeting.place,
        "organiser": meeting.organiser_section.name if meeting.organiser_section else "",
        "columns": [str(c) for c in SHEET_COLUMNS],
        "rows": rows,
    }


def signins_count(meeting):
    return db.session.scalar(
        select(func.count()).select_from(MeetingSignin).where(MeetingSignin.meeting_id == meeting.id)
    )


def meeting_date(meeting):
    return local(meeting.starts_at).date()


def parse_clock(text, day):
    """'HH:MM' on ``day`` (local) as UTC; ServiceError for anything else; None when empty."""
    text = (text or "").strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,2})[:：](\d{2})", text)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ServiceError(_("到场时间的格式应为 时:分，如 08:55。"))
    return to_utc(day, time(int(match.group(1)), int(match.group(2))))
