"""Meetings, the rules without HTTP: signed QR codes rotating on a frozen clock and their grace
window, forged / expired / foreign codes, the sign-in window's edges, duplicate sign-ins,
代签 and undo in the audit log, guests, change notifications, registration replies and
reminders, publication over a real SMTP server, the iCal feed, attendance, the sign-in sheet
and the notice's data."""
import io
import zipfile
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from tests.test_evidence import ole_bytes  # a real OLE2 compound file
from tests.factories import make_setup, make_user
from tests.mail_server import deliver_outbox, smtp  # noqa: F401  (fixture: a real SMTP server on 127.0.0.1)
from workflow import clock
from workflow.engine import calendar
from workflow.errors import Forbidden, NotFound, ServiceError
from workflow.extensions import db
from workflow import files
from workflow.meetings import export, services, tokens
from workflow.meetings.tokens import TokenRefused
from workflow.models import Meeting, MeetingAttachment, MeetingInvitee, MeetingSignin, Notification
from workflow.roles import Role

UTC = timezone.utc
BEIJING = ZoneInfo("Asia/Shanghai")
TITLE = "预算重点项目绩效评价工作培训会议"
PLACE = "应急管理局2603会议室"


def bj(month, day, hour, minute=0, second=0, year=2020):
    """A moment given in Beijing time, as aware UTC."""
    return datetime(year, month, day, hour, minute, second, tzinfo=BEIJING).astimezone(UTC)


START = bj(6, 20, 9, 0)
END = bj(6, 20, 11, 30)


def meeting_data(**changes):
    values = dict(title=TITLE, kind="training", starts_at=START, ends_at=END, place=PLACE,
                  addressee="局机关各科室", purpose="为了解项目总体情况，学习绩效评价政策。", issuer="绩效评价工作小组",
                  issued_on=date(2020, 6, 15))
    values.update(changes)
    return services.MeetingData(**values)


def make_meeting(plan, org, invitees=None, publish=True, guests=(), **changes):
    """A meeting of ``plan`` set up by the office on 2020-06-15, with ``invitees`` (default:
    staff_a, staff_a2, staff_b) and external ``guests`` [(name, unit)], published unless told."""
    clock.freeze(bj(6, 15, 10))
    meeting = services.create_meeting(plan, meeting_data(**changes), org.office)
    people = invitees if invitees is not None else [org.staff_a, org.staff_a2, org.staff_b]
    if people:
        services.add_invitees(meeting, org.office, [u.id for u in people])
    for name, unit in guests:
        services.add_invitees(meeting, org.office, guest=services.GuestData(name, unit))
    if publish:
        services.publish(meeting, org.office)
    return meeting


def count(model, *where):
    query = select(func.count()).select_from(model)
    for clause in where:
        query = query.where(clause)
    return db.session.scalar(query)


def notifications_after(last_id):
    rows = db.session.scalars(select(Notification).where(Notification.id > last_id).order_by(Notification.id))
    return [(n.user_id, n.text) for n in rows]


def last_notification_id():
    return db.session.scalar(select(func.max(Notification.id))) or 0


def pass_at(meeting, moment):
    clock.freeze(moment)
    return services.scan(meeting, tokens.qr_token(meeting.id))


@pytest.fixture
def setup():
    return make_setup()


# Tokens ------------------------------------------------------------------------------------


def period_start(k=1_000_000):
    """The first second of period number ``k`` (45-second periods)."""
    return datetime.fromtimestamp(k * 45, UTC)


def test_the_code_changes_every_period_and_is_accepted_for_two_more(setup, app):
    assert app.config["SIGNIN_TOKEN_PERIOD_SECONDS"] == 45 and app.config["SIGNIN_TOKEN_GRACE_PERIODS"] == 2
    t0 = period_start()
    clock.freeze(t0)
    first = tokens.qr_token(7)
    assert tokens.seconds_left() == 45
    clock.freeze(t0 + timedelta(seconds=44))
    assert tokens.qr_token(7) == first and tokens.seconds_left() == 1
    clock.freeze(t0 + timedelta(seconds=45))
    second = tokens.qr_token(7)
    assert second != first and tokens.seconds_left() == 45

    # Accepted in its own period and in the two after it (the grace), refused from the third.
    for offset in (0, 44, 45, 89, 90, 134):
        clock.freeze(t0 + timedelta(seconds=offset))
        assert tokens.check_qr_token(first, 7) == tokens.period_at(t0)
    for offset in (135, 180, 3600):
        clock.freeze(t0 + timedelta(seconds=offset))
        with pytest.raises(TokenRefused) as refused:
            tokens.check_qr_token(first, 7)
        assert refused.value.code == "expired"
        assert refused.value.message == "二维码已过期，请重新扫描会场大屏上的最新二维码。"


def test_the_period_and_grace_come_from_the_configuration(setup, app):
    saved = app.config["SIGNIN_TOKEN_PERIOD_SECONDS"], app.config["SIGNIN_TOKEN_GRACE_PERIODS"]
    app.config.update(SIGNIN_TOKEN_PERIOD_SECONDS=30, SIGNIN_TOKEN_GRACE_PERIODS=1)
    try:
        t0 = datetime.fromtimestamp(30 * 2_000_000, UTC)
        clock.freeze(t0)
        code = tokens.qr_token(3)
        clock.freeze(t0 + timedelta(seconds=30))
        assert tokens.qr_token(3) != code
        clock.freeze(t0 + timedelta(seconds=59))
        tokens.check_qr_token(code, 3)
        clock.freeze(t0 + timedelta(seconds=60))
        with pytest.raises(TokenRefused):
            tokens.check_qr_token(code, 3)
    finally:
        app.config.update(SIGNIN_TOKEN_PERIOD_SECONDS=saved[0], SIGNIN_TOKEN_GRACE_PERIODS=saved[1])


def forged_variants(app, meeting_id):
    good = tokens.qr_token(meeting_id)
    meeting_part, period, mac = good.split(".")
    saved = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "another-secret"
    try:
        other_key = tokens.qr_token(meeting_id)
    finally:
        app.config["SECRET_KEY"] = saved
    return [
        "", "abc", "1.2", "1.2.3.4", f"{meeting_part}.{period}.", f"{meeting_part}.{period}.{mac[:-1]}A"
        if mac[-1] != "A" else f"{meeting_part}.{period}.{mac[:-1]}B",
        f"{meeting_part}.{int(period) - 1}.{mac}",  # an earlier period under this period's MAC
        f"x{meeting_part}.{period}.{mac}", "1." + "9" * 90 + ".x", other_key,
        f"{meeting_part}.{period}.{mac}\u00e9",
        pass_token_of(meeting_id),  # a pass is not a QR code
    ]


def pass_token_of(meeting_id):
    return tokens.issue_pass(meeting_id)


def test_forged_codes_are_refused(setup, app):
    clock.freeze(period_start())
    for forged in forged_variants(app, 5):
        with pytest.raises(TokenRefused) as refused:
            tokens.check_qr_token(forged, 5)
        assert refused.value.code == "forged", forged
        assert refused.value.message == "二维码无效，请扫描会场大屏上的签到二维码。"


def test_a_code_far_in_the_future_is_refused_one_period_ahead_is_clock_skew(setup):
    t0 = period_start()
    clock.freeze(t0 + timedelta(seconds=45))
    ahead = tokens.qr_token(5)
    clock.freeze(t0 + timedelta(seconds=10))
    tokens.check_qr_token(ahead, 5)  # another host's clock a little fast
    clock.freeze(t0 + timedelta(seconds=135))
    far = tokens.qr_token(5)
    clock.freeze(t0)
    with pytest.raises(TokenRefused) as refused:
        tokens.check_qr_token(far, 5)
    assert refused.value.code == "forged"


def test_a_code_of_another_meeting_is_refused(setup):
    clock.freeze(period_start())
    with pytest.raises(TokenRefused) as refused:
        tokens.check_qr_token(tokens.qr_token(8), 5)
    assert refused.value.code == "other_meeting"
    assert refused.value.message == "此二维码不是本次会议的签到码，请扫描本会场大屏上的二维码。"


def test_the_pass_lasts_the_configured_time_and_belongs_to_its_meeting(setup, app):
    t0 = bj(6, 20, 8, 50)
    clock.freeze(t0)
    issued = tokens.issue_pass(4)
    limit = app.config["SIGNIN_PASS_SECONDS"]
    clock.freeze(t0 + timedelta(seconds=limit))
    tokens.check_pass(issued, 4)
    clock.freeze(t0 + timedelta(seconds=limit + 1))
    with pytest.raises(TokenRefused) as refused:
        tokens.check_pass(issued, 4)
    assert (refused.value.code, refused.value.message) == ("expired", "签到页面已过期，请重新扫描会场大屏上的二维码。")
    clock.freeze(t0)
    with pytest.raises(TokenRefused) as refused:
        tokens.check_pass(issued, 5)
    assert refused.value.code == "other_meeting"
    for forged in ("", "4.1.x", tokens.qr_token(4), issued + "x"):
        with pytest.raises(TokenRefused) as refused:
            tokens.check_pass(forged, 4)
        assert refused.value.code == "forged"


def test_refused_codes_and_passes_record_nothing(setup, app):
    org, plan = setup
    meeting = make_meeting(plan, org)
    other = make_meeting(plan, org, title="绩效评价工作动员会")
    t0 = bj(6, 20, 8, 50)
    clock.freeze(t0)
    stale = tokens.qr_token(meeting.id)
    for token in forged_variants(app, meeting.id) + [tokens.qr_token(other.id)]:
        with pytest.raises(TokenRefused):
            services.scan(meeting, token)
    clock.freeze(t0 + timedelta(seconds=200))
    with pytest.raises(TokenRefused):
        services.scan(meeting, stale)

    clock.freeze(t0)
    valid = services.scan(meeting, tokens.qr_token(meeting.id))
    expired_pass = valid
    bad_passes = ["", "x", valid[:-2] + "zz", services.scan(other, tokens.qr_token(other.id)), tokens.qr_token(meeting.id)]
    for bad in bad_passes:
        with pytest.raises(TokenRefused):
            services.sign_in_user(meeting, org.staff_a, bad)
        with pytest.raises(TokenRefused):
            services.sign_in_guest(meeting, bad, services.GuestData("张三", "市财政局"))
    clock.freeze(t0 + timedelta(seconds=app.config["SIGNIN_PASS_SECONDS"] + 1))
    with pytest.raises(TokenRefused):
        services.sign_in_user(meeting, org.staff_a, expired_pass)
    assert count(MeetingSignin) == 0


# The sign-in window ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "moment, outcome",
    [
        (bj(6, 20, 7, 59, 59), "签到尚未开始，将于 08:00 开放。"),
        (bj(6, 20, 8, 0, 0), "on time"),
        (bj(6, 20, 9, 0, 0), "on time"),
        (bj(6, 20, 9, 0, 1), "late"),
        (bj(6, 20, 9, 30, 0), "late"),
        (bj(6, 20, 9, 30, 1), "签到已结束（09:30 截止）。如需补签，请联系会议组织科室。"),
        (bj(6, 19, 9, 0, 0), "签到尚未开始，将于 2020-06-20 08:00 开放。"),
    ],
)
def test_the_window_opens_60_minutes_before_and_closes_30_after_the_start(setup, moment, outcome):
    org, plan = setup
    meeting = make_meeting(plan, org)
    assert (meeting.signin_opens_before, meeting.signin_closes_after) == (60, 30)
    issued = pass_at(meeting, moment)
    if outcome in ("on time", "late"):
        result = services.sign_in_user(meeting, org.staff_a, issued)
        assert result.created and result.signin.signed_at == moment
        assert result.signin.late is (outcome == "late")
        assert (result.signin.name, result.signin.unit, result.signin.method) == ("原立吉", "非煤矿山安全监督管理科", "qr")
    else:
        with pytest.raises(ServiceError) as refused:
            services.sign_in_user(meeting, org.staff_a, issued)
        assert refused.value.message == outcome
        assert count(MeetingSignin) == 0


def test_the_window_follows_the_meetings_own_settings(setup):
    org, plan = setup
    meeting = make_meeting(plan, org, signin_opens_before=15, signin_closes_after=0)
    with pytest.raises(ServiceError, match="将于 08:45 开放"):
        services.sign_in_user(meeting, org.staff_a, pass_at(meeting, bj(6, 20, 8, 44)))
    assert services.sign_in_user(meeting, org.staff_a, pass_at(meeting, bj(6, 20, 8, 45))).created
    with pytest.raises(ServiceError, match="09:00 截止"):
        services.sign_in_user(meeting, org.staff_b, pass_at(meeting, bj(6, 20, 9, 0, 1)))


def test_the_window_defaults_come_from_the_configuration(setup, app):
    org, plan = setup
    saved = app.config["MEETING_SIGNIN_OPENS_BEFORE_MINUTES"], app.config["MEETING_SIGNIN_CLOSES_AFTER_MINUTES"]
    app.config.update(MEETING_SIGNIN_OPENS_BEFORE_MINUTES=20, MEETING_SIGNIN_CLOSES_AFTER_MINUTES=10)
    try:
        meeting = make_meeting(plan, org)
    finally:
        app.config.update(MEETING_SIGNIN_OPENS_BEFORE_MINUTES=saved[0], MEETING_SIGNIN_CLOSES_AFTER_MINUTES=saved[1])
    assert (meeting.signin_opens_before, meeting.signin_closes_after) == (20, 10)
    assert services.window(meeting) == (bj(6, 20, 8, 40), bj(6, 20, 9, 10))


def test_an_unpublished_meeting_takes_no_sign_in(setup):
    org, plan = setup
    meeting = make_meeting(plan, org, publish=False)
    with pytest.raises(ServiceError, match="尚未发布"):
        services.sign_in_user(meeting, org.staff_a, pass_at(meeting, bj(6, 20, 8, 50)))
    with pytest.raises(ServiceError, match="尚未发布"):
        services.proxy_sign_in(meeting, meeting.invitees[0].id, org.office, "纸质签到")
    assert count(MeetingSignin) == 0


# Duplicates ----------------------------------------------------------------------------------


def test_signing_in_twice_keeps_the_first_time(setup):
    org, plan = setup
    meeting = make_meeting(plan, org)
    first = services.sign_in_user(meeting, org.staff_a, pass_at(meeting, bj(6, 20, 8, 55)))
    again = services.sign_in_user(meeting, org.staff_a, pass_at(meeting, bj(6, 20, 9, 5)))
    assert first.created and not again.created
    assert again.signin.id == first.signin.id
    assert again.signin.signed_at == bj(6, 20, 8, 55) and again.signin.late is False
    # Even after the window has closed, a second scan only says when they signed in.
    late_scan = services.sign_in_user(meeting, org.staff_a, pass_at(meeting, bj(6, 20, 10, 0)))
    assert not late_scan.created and late_scan.signin.signed_at == bj(6, 20, 8, 55)
    assert count(MeetingSignin) == 1


def test_the_database_keeps_one_sign_in_per_person_even_when_the_check_is_outrun(setup, monkeypatch):
    """Two phones of one person at the same instant: both pass the look-up, the unique key
    lets one insert through and the other reports the first record."""
    org, plan = setup
    meeting = make_meeting(plan, org)
    issued = pass_at(meeting, bj(6, 20, 8, 55))
    first = services.sign_in_user(meeting, org.staff_a, issued)
    real = services.signin_of_user
    calls = []

    def blind_once(meeting_, user_id):
        calls.append(user_id)
        return None if len(calls) == 1 else real(meeting_, user_id)

    monkeypatch.setattr(services, "signin_of_user", blind_once)
    clock.freeze(bj(6, 20, 8, 56))
    second = services.sign_in_user(meeting, org.staff_a, issued)
    assert len(calls) == 2 and not second.created and second.signin.id == first.signin.id
    assert count(MeetingSignin) == 1

    # And straight at the table: the unique keys per user and per guest.
    db.session.add(MeetingSignin(meeting_id=meeting.id, user_id=org.staff_a.id, name="x", signed_at=clock.now(),
                                 method="qr"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    for _ in range(2):
        db.session.add(MeetingSignin(meeting_id=meeting.id, guest_name="张三", guest_unit="市财政局", name="张三",
                                     signed_at=clock.now(), method="qr"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_guest_signing_in_twice_keeps_the_first_time(setup):
    org, plan = setup
    meeting = make_meeting(plan, org, allow_guests=True)
    first = services.sign_in_guest(meeting, pass_at(meeting, bj(6, 20, 8, 40)),
                                   services.GuestData("张三", "承德市财政局", "科员", "0314-2000000"))
    again = services.sign_in_guest(meeting, pass_at(meeting, bj(6, 20, 9, 10)),
                                   services.GuestData(" 张三 ", " 承德市财政局"))
    assert first.created and not again.created and again.signin.signed_at == bj(6, 20, 8, 40)
    other_unit = services.sign_in_guest(meeting, pass_at(meeting, bj(6, 20, 9, 10)),
                                        services.GuestData("张三", "承德市审计局"))
    assert other_unit.created and other_unit.signin.late
    assert count(MeetingSignin) == 2


# Guests and people not on the list -----------------------------------------------------------


def test_guests_sign_in_only_when_the_meeting_allows_it(setup):
    org, plan = setup
    closed = make_meeting(plan, org)
    with pytest.raises(ServiceError) as refused:
        services.sign_in_guest(closed, pass_at(closed, bj(6, 20, 8, 50)), services.GuestData("张三", "市财政局"))
    assert refused.value.message == "本次会议不接受名单以外的来宾签到。请登录后签到，或联系会议组织科室。"
    assert count(MeetingSignin) == 0

    open_meeting = make_meeting(plan, org, title="绩效评价专家评审会", kind="review", allow_guests=True)
    outcome = services.sign_in_guest(open_meeting, pass_at(open_meeting, bj(6, 20, 8, 50)),
                                     services.GuestData("张三", "市财政局", "科长", "13800000000"))
    assert outcome.created
    signin = outcome.signin
    assert (signin.user_id, signin.guest_name, signin.guest_unit, signin.title, signin.phone, signin.invitee_id) == (
        None, "张三", "市财政局", "科长", "13800000000", None)


def test_a_guest_on_the_list_may_sign_in_without_allow_guests(setup):
    org, plan = setup
    meeting = make_meeting(plan, org, guests=[("刘专家", "河北省预算绩效评价中心")])
    outcome = services.sign_in_guest(meeting, pass_at(meeting, bj(6, 20, 8, 50)),
                                     services.GuestData("刘专家", "河北省预算绩效评价中心"))
    assert outcome.created and outcome.signin.invitee_id == meeting.invitees[-1].id


@pytest.mark.parametrize("name, unit, phone, message", [
    ("", "市财政局", "", "请填写来宾的姓名和单位。"),
    ("张三", "  ", "", "请填写来宾的姓名和单位。"),
    ("张" * 65, "市财政局", "", "姓名不能超过 64 个字符。"),
    ("张三", "市财政局", "电话123", "联系电话只能包含数字、空格和 + - ( )。"),
])
def test_bad_guest_details_are_refused(setup, name, unit, phone, message):
    org, plan = setup
    meeting = make_meeting(plan, org, allow_guests=True)
    with pytest.raises(ServiceError) as refused:
        services.sign_in_guest(meeting, pass_at(meeting, bj(6, 20, 8, 50)), services.GuestData(name, unit, "", phone))
    assert refused.value.message == message
    assert count(MeetingSignin) == 0


def test_a_user_not_on_the_list_signs_in_only_when_guests_are_allowed(setup):
    org, plan = setup
    closed = make_meeting(plan, org)
    with pytest.raises(ServiceError) as refused:
        services.sign_in_user(closed, org.outsider, pass_at(closed, bj(6, 20, 8, 50)))
    assert refused.value.code == "not_invited"
    assert "不在本次会议的参加人员名单中" in refused.value.message
    open_meeting = make_meeting(plan, org, title="动员会", kind="mobilisation", allow_guests=True)
    outcome = services.sign_in_user(open_meeting, org.outsider, pass_at(open_meeting, bj(6, 20, 8, 50)))
    assert outcome.created and outcome.signin.invitee_id is None
    assert services.attendance_summary(open_meeting).walk_ins == 1
    assert count(MeetingSignin, MeetingSignin.meeting_id == closed.id) == 0


# 代签 and undo --------------------------------------------------------------------------------


def meeting_audit(meeting):
    return [(r.action, r.actor_id, r.evaluation_id, r.details["meeting_id"], r.details["meeting"], r.details.get("name"),
             r.comment) for r in reversed(services.audit_trail(meeting))]


def test_the_office_signs_someone_in_by_hand_and_it_is_in_the_audit_log(setup):
    org, plan = setup
    meeting = make_meeting(plan, org)
    invitee = next(i for i in meeting.invitees if i.user_id == org.staff_b.id)
    clock.freeze(bj(6, 20, 10, 0))
    signin = services.proxy_sign_in(meeting, invitee.id, org.office, "本人纸质签到", arrived_at=bj(6, 20, 8, 58),
                                    address="10.0.0.8")
    assert (signin.user_id, signin.method, signin.note, signin.recorded_by_id, signin.late, signin.signed_at) == (
        org.staff_b.id, "proxy", "本人纸质签到", org.office.id, False, bj(6, 20, 8, 58))
    assert meeting_audit(meeting)[-1] == (
        "meeting_proxy_signin", org.office.id, None, meeting.id, TITLE, "王士学", "本人纸质签到")
    record = services.audit_trail(meeting)[0]
    assert record.details["signed_at"] == bj(6, 20, 8, 58).isoformat() and record.address == "10.0.0.8"

    # Without an arrival time it is now: late.
    other = next(i for i in meeting.invitees if i.user_id == org.staff_a2.id)
    clock.freeze(bj(6, 20, 9, 20))
    assert services.proxy_sign_in(meeting, other.id, org.office, "现场核对").late is True


@pytest.mark.parametrize("note, arrived, message", [
    ("", None, "请填写代签说明（如：本人纸质签到）。"),
    ("   ", None, "请填写代签说明（如：本人纸质签到）。"),
    ("x" * 201, None, "代签说明不能超过 200 个字符。"),
    ("纸质签到", bj(6, 20, 9, 30), "到场时间不能晚于现在。"),
    ("纸质签到", bj(6, 20, 7, 0), "到场时间应在签到开放（2020-06-20 08:00）到会议结束（2020-06-20 11:30）之间。"),
])
def test_bad_proxy_input_is_refused_and_nothing_is_recorded(setup, note, arrived, message):
    org, plan = setup
    meeting = make_meeting(plan, org)
    clock.freeze(bj(6, 20, 9, 10))
    with pytest.raises(ServiceError) as refused:
        services.proxy_sign_in(meeting, meeting.invitees[0].id, org.office, note, arrived_at=arrived)
    assert refused.value.message == message
    assert count(MeetingSignin) == 0 and meeting_audit(meeting) == [("meeting_publish", org.office.id, None, meeting.id,
                                                                     TITLE, None, "")]


def test_proxy_for_someone_already_signed_in_or_not_on_the_list_is_refused(setup):
    org, plan = setup
    meeting = make_meeting(plan, org)
    other = make_meeting(plan, org, title="另一个会")
    services.sign_in_user(meeting, org.staff_a, pass_at(meeting, bj(6, 20, 8, 50)))
    invitee = next(i for i in meeting.invitees if i.user_id == org.staff_a.id)
    clock.freeze(bj(6, 20, 9, 10))
    with pytest.raises(ServiceError, match="原立吉 已于 2020-06-20 08:50 签到"):
        services.proxy_sign_in(meeting, invitee.id, org.office, "纸质签到")
    with pytest.raises(NotFound):
        services.proxy_sign_in(meeting, other.invitees[0].id, org.office, "纸质签到")
    clock.freeze(bj(6, 20, 7, 0))
    with pytest.raises(ServiceError, match="签到尚未开始"):
        services.proxy_sign_in(meeting, meeting.invitees[1].id, org.office, "纸质签到")
    assert count(MeetingSignin) == 1
    assert [a for a, *_rest in meeting_audit(meeting)] == ["meeting_publish"]


def test_undo_removes_a_mistaken_sign_in_and_the_audit_log_keeps_it(setup):
    org, plan = setup
    meeting = make_meeting(plan, org)
    wrong = services.sign_in_user(meeting, org.staff_a2, pass_at(meeting, bj(6, 20, 8, 50))).signin
    signin_id = wrong.id
    clock.freeze(bj(6, 20, 9, 15))
    details = services.undo_sign_in(meeting, signin_id, org.office, "误扫，本人未到会", address="10.0.0.8")
    assert db.session.get(MeetingSignin, signin_id) is None
    assert details["name"] == "王建华" and details["method"] == "qr"
    assert meeting_audit(meeting)[-1] == (
        "meeting_signin_undo", org.office.id, None, meeting.id, TITLE, "王建华", "误扫，本人未到会")
    record = services.audit_trail(meeting)[0]
    assert record.details["signed_at"] == bj(6, 20, 8, 50).isoformat() and record.details["signin_id"] == signin_id
    # Undone, the person may sign in again.
    assert services.sign_in_user(meeting, org.staff_a2, pass_at(meeting, bj(6, 20, 9, 16))).created
    # A sign-in of another meeting, or none at all, cannot be undone here.
    other = make_meeting(plan, org, title="另一个会")
    theirs = services.sign_in_user(other, org.staff_a, pass_at(other, bj(6, 20, 8, 50))).signin
    with pytest.raises(NotFound):
        services.undo_sign_in(meeting, theirs.id, org.office)
    with pytest.raises(NotFound):
        services.undo_sign_in(meeting, 999999, org.office)
    assert count(MeetingSignin) == 2
    # The log is append-only: its records cannot be changed.
    record.comment = "changed"
    with pytest.raises(RuntimeError):
        db.session.commit()
    db.session.rollback()


def test_an_invitee_who_signed_in_cannot_be_removed_until_the_sign_in_is_undone(setup):
    org, plan = setup
    meeting = make_meeting(plan, org)
    signin = services.sign_in_user(meeting, org.staff_a, pass_at(meeting, bj(6, 20, 8, 50))).signin
    invitee = next(i for i in meeting.invitees if i.user_id == org.staff_a.id)
    with pytest.raises(ServiceError, match="已签到，不能移出名单"):
        services.remove_invitee(meeting, invitee.id, org.office)
    services.undo_sign_in(meeting, signin.id, org.office)
    services.remove_invitee(meeting, invitee.id, org.office)
    assert org.staff_a.id not in {i.user_id for i in meeting.invitees}


# The meeting, its invitees and its changes ----------------------------------------------------------


@pytest.mark.parametrize("changes, message", [
    (dict(title="  "), "请填写会议名称。"),
    (dict(title="会" * 201), "会议名称不能超过 200 个字符。"),
    (dict(kind="party"), "会议类型无效。"),
    (dict(starts_at=None), "请填写会议的日期、开始时间和结束时间。"),
    (dict(ends_at=START), "会议结束时间应晚于开始时间。"),
    (dict(ends_at=START - timedelta(hours=1)), "会议结束时间应晚于开始时间。"),
    (dict(place=""), "请填写会议地点。"),
    (dict(organiser_section_id=999999), "所选主办科室不存在。"),
    (dict(signin_opens_before=-1), "签到开放和截止的分钟数应在 0 到 1440 之间。"),
    (dict(signin_closes_after=1441), "签到开放和截止的分钟数应在 0 到 1440 之间。"),
    (dict(reply_by=date(2020, 6, 21)), "登记截止日期不能晚于会议日期。"),
    (dict(purpose="x" * 10001), "会议事由及依据不能超过 10000 个字符。"),
])
def test_bad_meeting_data_is_refused_and_nothing_is_stored(setup, changes, message):
    org, plan = setup
    with pytest.raises(ServiceError) as refused:
        services.create_meeting(plan, meeting_data(**changes), org.office)
    assert refused.value.message == message
    assert count(Meeting) == 0
    meeting = make_meeting(plan, org)
    with pytest.raises(ServiceError):
        services.update_meeting(meeting, meeting_data(**changes), org.office)
    db.session.rollback()
    db.session.expire_all()
    assert (meeting.title, meeting.starts_at, meeting.ends_at, meeting.place, meeting.kind) == (
        TITLE, START, END, PLACE, "training")


def test_the_organiser_defaults_to_the_plans_office(setup):
    org, plan = setup
    plan.office_section_id = org.office_section.id
    db.session.commit()
    meeting = services.create_meeting(plan, meeting_data(), org.office)
    assert meeting.organiser_section.name == "规划财务科"


def test_a_change_of_time_or_place_after_publishing_tells_every_invitee_what_changed(setup, smtp):
    org, plan = setup
    meeting = make_meeting(plan, org)
    mark = last_notification_id()
    deliver_outbox()
    sent_before = len(smtp.sent())
    changes = services.update_meeting(meeting, meeting_data(
        starts_at=bj(6, 21, 14, 30), ends_at=bj(6, 21, 16, 0), place="应急管理局2605会议室"), org.office)
    expected = ["时间：2020-06-20 09:00–11:30 → 2020-06-21 14:30–16:00", "地点：应急管理局2603会议室 → 应急管理局2605会议室"]
    assert changes == expected
    text = f"会议“{TITLE}”有变更：{'；'.join(expected)}。"
    assert sorted(notifications_after(mark)) == sorted(
        (u.id, text) for u in (org.staff_a, org.staff_a2, org.staff_b))
    deliver_outbox()
    mails = smtp.sent()[sent_before:]
    assert sorted(rcpt for rcpt, _s, _b in mails) == sorted(
        f"{u.username}@yjj.example.cn" for u in (org.staff_a, org.staff_a2, org.staff_b))
    assert all(subject == f"【会议变更】{TITLE}" and text in body.replace("\r\n", "\n") for _r, subject, body in mails)
    assert meeting.revision == 1
    assert meeting_audit(meeting)[-1][0] == "meeting_change" and "2605" in meeting_audit(meeting)[-1][-1]

    # Only the place: only the place is named.
    mark = last_notification_id()
    services.update_meeting(meeting, meeting_data(starts_at=bj(6, 21, 14, 30), ends_at=bj(6, 21, 16, 0),
                                                  place="应急管理局2603会议室"), org.office)
    assert {t for _u, t in notifications_after(mark)} == {
        f"会议“{TITLE}”有变更：地点：应急管理局2605会议室 → 应急管理局2603会议室。"}
    assert meeting.revision == 2

    # Other text changes tell nobody.
    mark = last_notification_id()
    assert services.update_meeting(meeting, meeting_data(starts_at=bj(6, 21, 14, 30), ends_at=bj(6, 21, 16, 0),
                                                         purpose="新的说明"), org.office) == []
    assert notifications_after(mark) == [] and meeting.revision == 2


def test_changes_before_publishing_tell_nobody(setup):
    org, plan = setup
    meeting = make_meeting(plan, org, publish=False)
    mark = last_notification_id()
    assert services.update_meeting(meeting, meeting_data(place="别处"), org.office) == []
    assert notifications_after(mark) == [] and meeting.revision == 0


def test_sections_expand_to_their_active_users_and_nobody_is_added_twice(setup):
    org, plan = setup
    retired = make_user("retired", [Role.SECTION_STAFF], org.section_b, full_name="已退休")
    retired.active = False
    db.session.commit()
    meeting = make_meeting(plan, org, invitees=[], publish=False)
    added = services.add_invitees(meeting, org.office, [org.staff_b.id, org.staff_a.id], [org.section_b.id],
                                  services.GuestData("刘专家", "河北省预算绩效评价中心", "高级会计师", "0311-1234567"))
    users = [i.user_id for i in meeting.invitees if i.user_id]
    assert sorted(users) == sorted(u.id for u in (org.staff_b, org.staff_a, org.reviewer2, org.outsider))
    assert retired.id not in users and added == 5
    guest = meeting.invitees[-1]
    assert services.person(guest) == ("刘专家", "河北省预算绩效评价中心", "高级会计师", "0311-1234567")
    assert services.add_invitees(meeting, org.office, [org.staff_a.id], [org.section_b.id]) == 0
    with pytest.raises(ServiceError, match="已在参加人员名单中"):
        services.add_invitees(meeting, org.office, guest=services.GuestData("刘专家", " 河北省预算绩效评价中心 "))
    assert len(meeting.invitees) == 5


@pytest.mark.parametrize("kwargs, message", [
    (dict(), "请选择要添加的人员或科室，或填写来宾的姓名和单位。"),
    (dict(user_ids=[999999]), "所选人员不存在或已停用。"),
    (dict(section_ids=[999999]), "所选科室不存在或已停用。"),
    (dict(guest=services.GuestData("张三", "")), "请填写来宾的姓名和单位。"),
    (dict(guest=services.GuestData("", "市财政局")), "请填写来宾的姓名和单位。"),
    (dict(guest=services.GuestData("张三", "市财政局", "", "abc")), "联系电话只能包含数字、空格和 + - ( )。"),
])
def test_bad_invitee_input_is_refused_and_nothing_is_added(setup, kwargs, message):
    org, plan = setup
    meeting = make_meeting(plan, org, invitees=[org.staff_a], publish=False)
    with pytest.raises(ServiceError) as refused:
        services.add_invitees(meeting, org.office, **kwargs)
    assert refused.value.message == message
    db.session.rollback()
    assert count(MeetingInvitee) == 1


def test_an_inactive_user_cannot_be_invited(setup):
    org, plan = setup
    org.staff_b.active = False
    db.session.commit()
    meeting = make_meeting(plan, org, invitees=[org.staff_a], publish=False)
    with pytest.raises(ServiceError, match="所选人员不存在或已停用"):
        services.add_invitees(meeting, org.office, [org.staff_b.id])


def test_people_added_after_publishing_are_invited_and_people_removed_are_told(setup):
    org, plan = setup
    meeting = make_meeting(plan, org)
    mark = last_notification_id()
    services.add_invitees(meeting, org.office, [org.reviewer.id])
    ((user_id, text),) = notifications_after(mark)
    assert user_id == org.reviewer.id and text.startswith(f"会议通知：{TITLE}")
    mark = last_notification_id()
    invitee = next(i for i in meeting.invitees if i.user_id == org.staff_b.id)
    services.remove_invitee(meeting, invitee.id, org.office)
    assert notifications_after(mark) == [
        (org.staff_b.id, f"您已不在会议“{TITLE}”（2020-06-20 09:00–11:30）的参加人员名单中。")]
    with pytest.raises(NotFound):
        services.remove_invitee(meeting, invitee.id, org.office)


def test_only_drafts_can_be_deleted(setup):
    org, plan = setup
    draft = make_meeting(plan, org, publish=False)
    published = make_meeting(plan, org, title="已发布的会")
    with pytest.raises(ServiceError, match="已发布的会议不能删除"):
        services.delete_meeting(published, org.office)
    services.delete_meeting(draft, org.office)
    assert count(Meeting) == 1 and count(MeetingInvitee) == 3


# Publication --------------------------------------------------------------------------------


def test_publishing_notifies_every_invitee_in_the_app_and_by_email(setup, smtp):
    org, plan = setup
    no_mail = make_user("no_mail", [Role.SECTION_STAFF], org.section_a, full_name="朱丽丽", email="")
    meeting = make_meeting(plan, org, invitees=[org.staff_a, org.staff_a2, org.staff_b, no_mail], publish=False)
    attachment = FileStorage(io.BytesIO(export.blank_registration_form(TITLE)), filename="培训登记表.xlsx")
    services.add_attachment(meeting, org.office, attachment, "培训登记表")
    mark = last_notification_id()
    clock.freeze(bj(6, 15, 11))
    notified, mailed = services.publish(meeting, org.office, address="10.0.0.8")
    assert (notified, mailed) == (4, 3)
    assert meeting.published_at == bj(6, 15, 11) and meeting.issued_on == date(2020, 6, 15)
    text = f"会议通知：{TITLE}，时间 2020-06-20 09:00–11:30，地点 {PLACE}。请在系统中登记是否参加。"
    assert sorted(notifications_after(mark)) == sorted(
        (u.id, text) for u in (org.staff_a, org.staff_a2, org.staff_b, no_mail))
    link = db.session.scalar(select(Notification.link).where(Notification.id > mark).limit(1))
    assert link == f"/meetings/{meeting.id}"
    assert smtp.sent() == []  # queued with the publication; the sender delivers
    assert deliver_outbox().sent == 3
    mails = smtp.sent()
    assert sorted(rcpt for rcpt, _s, _b in mails) == sorted(
        f"{u.username}@yjj.example.cn" for u in (org.staff_a, org.staff_a2, org.staff_b))
    for _rcpt, subject, body in mails:
        body = body.replace("\r\n", "\n")
        assert subject == f"【会议通知】{TITLE}"
        assert body.startswith(f"关于召开{TITLE}的通知\n\n局机关各科室：\n为了解项目总体情况")
        for line in ("会议时间：2020年6月20日上午9:00", f"会议地点：{PLACE}", "参加人员：原立吉　王建华　王士学　朱丽丽",
                     "附件：培训登记表", "绩效评价工作小组\n2020年6月15日"):
            assert line in body
    assert meeting_audit(meeting) == [("meeting_publish", org.office.id, None, meeting.id, TITLE, None, "")]

    with pytest.raises(ServiceError, match="会议通知已经发布"):
        services.publish(meeting, org.office)
    deliver_outbox()
    assert len(smtp.sent()) == 3


def test_a_meeting_without_invitees_cannot_be_published(setup):
    org, plan = setup
    meeting = make_meeting(plan, org, invitees=[], publish=False)
    with pytest.raises(ServiceError, match="请先添加参加人员"):
        services.publish(meeting, org.office)
    assert meeting.published_at is None


# Registration (培训登记) and reminders ------------------------------------------------------------


def reply_data(**changes):
    values = dict(attending=True, name="原立吉", unit="非煤矿山安全监督管理科", title="科员", phone="0314-2150000",
                  remarks="")
    values.update(changes)
    return services.ReplyData(**values)


def test_invitees_reply_and_the_office_sees_who_is_silent(setup):
    org, plan = setup
    org.staff_a.title, org.staff_a.phone = "科员", "0314-2150000"
    db.session.commit()
    meeting = make_meeting(plan, org)
    mine = services.invitee_of(meeting, org.staff_a)
    defaults = services.reply_defaults(mine)
    assert (defaults.attending, defaults.name, defaults.unit, defaults.title, defaults.phone) == (
        None, "原立吉", "非煤矿山安全监督管理科", "科员", "0314-2150000")

    clock.freeze(bj(6, 17, 9))
    services.reply(meeting, org.staff_a, reply_data(remarks="需要电脑"))
    services.reply(meeting, org.staff_b, reply_data(attending=False, reason="同日参加省厅视频会议", name="王士学",
                                                    unit="危险化学品安全监督管理科"))
    assert [services.person(i)[0] for i in services.silent(meeting)] == ["王建华"]
    theirs = services.invitee_of(meeting, org.staff_b)
    assert (theirs.response, theirs.reason, theirs.responded_at) == ("absent", "同日参加省厅视频会议", bj(6, 17, 9))
    summary = services.attendance_summary(meeting)
    assert (summary.replied, summary.attending_replies, summary.absent_with_reason, summary.pending) == (2, 1, 1, 2)

    # A reply can be changed until the meeting starts; a reason only goes with not attending.
    services.reply(meeting, org.staff_b, reply_data(name="王士学", reason="ignored"))
    assert (theirs.response, theirs.reason) == ("attend", "")
    clock.freeze(START)
    with pytest.raises(ServiceError, match="会议已开始，不能再修改登记"):
        services.reply(meeting, org.staff_b, reply_data(attending=False, reason="临时有事"))
    assert theirs.response == "attend"


@pytest.mark.parametrize("changes, message", [
    (dict(attending=None), "请选择是否参加。"),
    (dict(attending=False, reason=" "), "不能参加时请填写原因。"),
    (dict(name=""), "请填写姓名。"),
    (dict(name="名" * 65), "姓名不能超过 64 个字符。"),
    (dict(phone="一三八"), "联系电话只能包含数字、空格和 + - ( )。"),
    (dict(remarks="x" * 501), "备注不能超过 500 个字符。"),
])
def test_bad_replies_are_refused_and_nothing_is_changed(setup, changes, message):
    org, plan = setup
    meeting = make_meeting(plan, org)
    clock.freeze(bj(6, 17, 9))
    with pytest.raises(ServiceError) as refused:
        services.reply(meeting, org.staff_a, reply_data(**changes))
    assert refused.value.message == message
    db.session.expire_all()
    mine = services.invitee_of(meeting, org.staff_a)
    assert (mine.response, mine.name, mine.phone, mine.responded_at) == (None, "", "", None)


def test_only_invitees_of_a_published_meeting_reply(setup):
    org, plan = setup
    meeting = make_meeting(plan, org)
    draft = make_meeting(plan, org, publish=False, title="草稿")
    with pytest.raises(Forbidden):
        services.reply(meeting, org.outsider, reply_data())
    with pytest.raises(Forbidden):
        services.reply(draft, org.staff_a, reply_data())


def test_reminders_go_to_the_silent_once_per_click_and_are_counted(setup, smtp):
    org, plan = setup
    meeting = make_meeting(plan, org, reply_by=date(2020, 6, 18))
    clock.freeze(bj(6, 16, 9))
    services.reply(meeting, org.staff_a, reply_data())
    mark = last_notification_id()
    assert services.remind_silent(meeting, org.office) == (2, 2)
    text = f"请于 2020-06-18 前回复会议“{TITLE}”（2020-06-20 09:00–11:30，{PLACE}）的参会登记。"
    assert sorted(notifications_after(mark)) == sorted([(org.staff_a2.id, text), (org.staff_b.id, text)])
    deliver_outbox()
    assert len(smtp.sent()) == 5  # three notices on publication, then two reminders
    assert sorted((rcpt, subject) for rcpt, subject, _b in smtp.sent()[3:]) == sorted(
        [("staff_a2@yjj.example.cn", f"【登记提醒】{TITLE}"), ("staff_b@yjj.example.cn", f"【登记提醒】{TITLE}")])

    clock.freeze(bj(6, 17, 9))
    assert services.remind_silent(meeting, org.office) == (2, 2)
    counts = {i.user_id: (i.reminder_count, i.last_reminded_at) for i in meeting.invitees}
    assert counts == {org.staff_a.id: (0, None), org.staff_a2.id: (2, bj(6, 17, 9)), org.staff_b.id: (2, bj(6, 17, 9))}
    deliver_outbox()
    assert len(smtp.sent()) == 7

    services.reply(meeting, org.staff_a2, reply_data(name="王建华"))
    services.reply(meeting, org.staff_b, reply_data(attending=False, reason="出差", name="王士学"))
    mark = last_notification_id()
    with pytest.raises(ServiceError, match="所有参加人员都已回复登记"):
        services.remind_silent(meeting, org.office)
    assert notifications_after(mark) == []


def test_no_reminders_before_publishing_or_after_the_start(setup):
    org, plan = setup
    draft = make_meeting(plan, org, publish=False)
    with pytest.raises(ServiceError, match="尚未发布"):
        services.remind_silent(draft, org.office)
    meeting = make_meeting(plan, org, title="已发布")
    clock.freeze(START + timedelta(minutes=1))
    with pytest.raises(ServiceError, match="会议已开始"):
        services.remind_silent(meeting, org.office)
    assert all(i.reminder_count == 0 for i in meeting.invitees)


# Visibility --------------------------------------------------------------------------------


def test_who_sees_which_meeting(setup):
    org, plan = setup
    published = make_meeting(plan, org)
    draft = make_meeting(plan, org, publish=False, title="草稿")
    assert [m.id for m in services.list_for(org.office)] == sorted([published.id, draft.id], reverse=True)
    assert [m.id for m in services.list_for(org.staff_a)] == [published.id]
    assert services.list_for(org.outsider) == []
    assert services.get_visible(published.id, org.staff_a) is published
    for user, meeting in ((org.staff_a, draft), (org.outsider, published), (org.leader, published)):
        with pytest.raises(Forbidden):
            services.get_visible(meeting.id, user)
    with pytest.raises(NotFound):
        services.get_visible(999999, org.office)


# Attachments -------------------------------------------------------------------------------


def docx_bytes():
    """A real Word document: an attachment is opened before it is kept."""
    from tests.test_evidence import docx_bytes as real_docx

    return real_docx()



def upload(meeting, org, data, filename, title=""):
    return services.add_attachment(meeting, org.office, FileStorage(io.BytesIO(data), filename=filename), title)


def test_attachments_are_accepted_by_what_they_are(setup):
    org, plan = setup
    meeting = make_meeting(plan, org, publish=False)
    pdf = upload(meeting, org, b"%PDF-1.7\n...", "../通知 原件.exe", "会议通知")
    assert (pdf.title, pdf.filename, pdf.content_type, pdf.size) == ("会议通知", "通知_原件.pdf", "application/pdf", 12)
    form = upload(meeting, org, export.blank_registration_form(TITLE), "培训登记表.xlsx")
    assert (form.title, form.filename, form.content_type) == (
        "培训登记表", "培训登记表.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert upload(meeting, org, docx_bytes(), "议程.docx").content_type.endswith("wordprocessingml.document")
    assert upload(meeting, org, ole_bytes("WordDocument"), "旧.doc").filename == "旧.doc"
    assert upload(meeting, org, ole_bytes("Workbook"), "旧表.xls").content_type == "application/vnd.ms-excel"
    assert upload(meeting, org, b"\x89PNG\r\n\x1a\n" + b"0" * 20, "座位图.png").filename == "座位图.png"
    assert [a.title for a in meeting.attachments][:2] == ["会议通知", "培训登记表"]
    services.delete_attachment(meeting, pdf.id, org.office)
    assert count(MeetingAttachment) == 5
    with pytest.raises(NotFound):
        services.get_attachment(meeting, pdf.id)


@pytest.mark.parametrize("data, filename, message", [
    (b"MZ\x90\x00 program", "培训登记表.pdf", "附件只接受 PDF、图片（PNG/JPEG/GIF）、Word（doc/docx）和 Excel（xls/xlsx）文件。"),
    (b"<html><script>alert(1)</script>", "a.docx", "附件只接受 PDF、图片（PNG/JPEG/GIF）、Word（doc/docx）和 Excel（xls/xlsx）文件。"),
    (ole_bytes("PowerPoint Document"), "a.ppt", "附件只接受 PDF、图片（PNG/JPEG/GIF）、Word（doc/docx）和 Excel（xls/xlsx）文件。"),
    (b"", "空.pdf", "上传的文件是空的。"),
    (b"%PDF-" + b"0" * (1024 * 1024), "大.pdf", "附件不能超过 1 MB。"),
    (b"%PDF-1.4", "", "请选择要上传的文件。"),
])
def test_other_files_are_refused_and_nothing_is_stored(setup, app, data, filename, message):
    org, plan = setup
    meeting = make_meeting(plan, org, publish=False)
    saved = app.config["MEETING_ATTACHMENT_MAX_MB"]
    app.config["MEETING_ATTACHMENT_MAX_MB"] = 1
    try:
        with pytest.raises(ServiceError) as refused:
            upload(meeting, org, data, filename)
    finally:
        app.config["MEETING_ATTACHMENT_MAX_MB"] = saved
    assert refused.value.message == message
    assert count(MeetingAttachment) == 0


def test_file_types_by_content():
    assert files.detect_type(b"GIF89a....") is files.GIF
    assert files.detect_type(b"\xff\xd8\xff\xe0") is files.JPEG
    assert files.detect_type(b"PK\x03\x04 broken") is None
    both = io.BytesIO()
    with zipfile.ZipFile(both, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "")
        archive.writestr("word/vbaProject.bin", "")
    assert files.detect_type(both.getvalue()) is None  # macros


# The calendar feed ---------------------------------------------------------------------------


def meeting_events(user):
    parsed = Calendar.from_ical(calendar.feed(user, domain="jxpj.test"))
    return {str(e.get("uid")): e for e in parsed.walk("VEVENT") if str(e.get("uid")).startswith("meeting-")}


def test_the_meeting_is_in_the_calendar_feed_of_its_invitees_once_published(setup):
    org, plan = setup
    meeting = make_meeting(plan, org, publish=False)
    assert meeting_events(org.staff_a) == {}
    services.publish(meeting, org.office)
    found = meeting_events(org.staff_a)
    event = found[f"meeting-{meeting.id}@jxpj.test"]
    assert str(event.get("summary")) == TITLE and str(event.get("location")) == PLACE
    assert event.get("dtstart").dt == START and event.get("dtend").dt == END
    assert int(event.get("sequence")) == 0
    assert meeting_events(org.outsider) == {} and meeting_events(org.office) == {}

    services.update_meeting(meeting, meeting_data(place="应急管理局2605会议室"), org.office)
    event = meeting_events(org.staff_a)[f"meeting-{meeting.id}@jxpj.test"]
    assert str(event.get("location")) == "应急管理局2605会议室" and int(event.get("sequence")) == 1


def test_the_meetings_event_describes_the_whole_arrangement(setup):
    """The purpose ends "具体安排如下：" in the seed: the time, place, participants, further
    arrangements and attachments follow it in the event's description, as in the notice."""
    org, plan = setup
    meeting = make_meeting(plan, org, purpose="为了解项目总体情况，决定召开培训会议。具体安排如下：",
                           arrangements="请于6月18日前回复培训登记表。")
    description = str(meeting_events(org.staff_a)[f"meeting-{meeting.id}@jxpj.test"].get("description"))
    lines = description.splitlines()
    assert lines[0] == "为了解项目总体情况，决定召开培训会议。具体安排如下："
    assert lines[1] == "会议时间：2020年6月20日上午9:00" and lines[2] == f"会议地点：{PLACE}"
    assert lines[3].startswith("参加人员：") and org.staff_a.full_name in lines[3]
    assert lines[4] == "请于6月18日前回复培训登记表。"


# Attendance, the sign-in sheet and the notice -----------------------------------------------------


def busy_meeting(org, plan):
    """Staff A on time, staff A2 late, staff B absent with a reason, reviewer proxy-signed, the
    outsider silent, the invited guest on time, a walk-in guest late."""
    meeting = make_meeting(plan, org, invitees=[org.staff_a, org.staff_a2, org.staff_b, org.reviewer, org.outsider],
                           guests=[("刘专家", "河北省预算绩效评价中心")], allow_guests=True)
    clock.freeze(bj(6, 17, 9))
    services.reply(meeting, org.staff_b, reply_data(attending=False, reason="同日参加省厅视频会议", name="王士学",
                                                    unit="危险化学品安全监督管理科"))
    services.reply(meeting, org.staff_a, reply_data(title="科员", phone="0314-2150000", remarks="需要电脑"))
    services.sign_in_user(meeting, org.staff_a, pass_at(meeting, bj(6, 20, 8, 50)))
    services.sign_in_guest(meeting, pass_at(meeting, bj(6, 20, 8, 52)), services.GuestData("刘专家", "河北省预算绩效评价中心"))
    services.sign_in_user(meeting, org.staff_a2, pass_at(meeting, bj(6, 20, 9, 7)))
    services.sign_in_guest(meeting, pass_at(meeting, bj(6, 20, 9, 12)), services.GuestData("赵记者", "承德日报社", "", "13900000000"))
    reviewer = next(i for i in meeting.invitees if i.user_id == org.reviewer.id)
    clock.freeze(bj(6, 20, 9, 20))
    services.proxy_sign_in(meeting, reviewer.id, org.office, "本人纸质签到", arrived_at=bj(6, 20, 8, 59))
    return meeting


def test_attendance_summary_counts_what_an_indicator_cites(setup):
    org, plan = setup
    meeting = busy_meeting(org, plan)
    summary = services.attendance_summary(meeting, now=bj(6, 20, 9, 25))
    assert (summary.invited, summary.signed_in, summary.invited_signed_in, summary.on_time, summary.late,
            summary.proxy, summary.absent_with_reason, summary.pending, summary.walk_ins) == (6, 5, 4, 3, 2, 1, 1, 1, 1)
    assert summary.training_person_times == 5
    assert str(summary.rate) == "66.7" and summary.finished is False
    assert services.attendance_summary(meeting, now=END).finished is True
    data = summary.as_dict()
    assert data["training_person_times"] == 5 and data["rate"] == "66.7"


def test_the_board_lists_signed_in_late_absent_and_not_arrived(setup):
    org, plan = setup
    meeting = busy_meeting(org, plan)
    board = services.board(meeting, now=bj(6, 20, 9, 25))
    assert [(r["name"], r["time"], r["proxy"], r["guest"]) for r in board["signed_in"]] == [
        ("原立吉", "08:50", False, False), ("刘专家", "08:52", False, True), ("任志华", "08:59", True, False)]
    assert [(r["name"], r["time"]) for r in board["late"]] == [("王建华", "09:07"), ("赵记者", "09:12")]
    assert [(r["name"], r["reason"]) for r in board["absent"]] == [("王士学", "同日参加省厅视频会议")]
    assert [(r["name"], r["unit"]) for r in board["pending"]] == [("局外人", "危险化学品安全监督管理科")]
    assert board["window"] == "open" and board["updated"] == "09:25:00"
    assert board["summary"]["signed_in"] == 5


def test_the_sign_in_sheet_has_every_column_and_row(setup):
    org, plan = setup
    plan.office_section_id = org.office_section.id
    db.session.commit()
    meeting = busy_meeting(org, plan)
    sheet = services.signin_sheet(meeting, now=bj(6, 20, 12, 0))
    assert sheet["columns"] == ["序号", "姓名", "单位/科室", "职务", "联系电话", "签到时间", "签名", "备注"]
    assert (sheet["heading"], sheet["title"], sheet["time_text"], sheet["place"], sheet["organiser"]) == (
        f"{TITLE}签到表", TITLE, "2020-06-20 09:00–11:30", PLACE, "规划财务科")
    rows = [(r["index"], r["name"], r["unit"], r["title"], r["phone"],
             r["signed_at"].strftime("%H:%M") if r["signed_at"] else "", r["signature"], r["remarks"])
            for r in sheet["rows"]]
    assert rows == [
        (1, "原立吉", "非煤矿山安全监督管理科", "科员", "0314-2150000", "08:50", "", "需要电脑"),
        (2, "王建华", "非煤矿山安全监督管理科", "", "", "09:07", "", "迟到"),
        (3, "王士学", "危险化学品安全监督管理科", "科员", "0314-2150000", "", "", "请假：同日参加省厅视频会议"),
        (4, "任志华", "规划财务科", "", "", "08:59", "", "代签：本人纸质签到"),
        (5, "局外人", "危险化学品安全监督管理科", "", "", "", "", "缺席"),
        (6, "刘专家", "河北省预算绩效评价中心", "", "", "08:52", "", ""),
        (7, "赵记者", "承德日报社", "", "13900000000", "09:12", "", "迟到；名单外来宾"),
    ]


def test_the_sign_in_sheet_exports_to_excel(setup):
    org, plan = setup
    meeting = busy_meeting(org, plan)
    clock.freeze(bj(6, 20, 12, 0))
    workbook = load_workbook(io.BytesIO(export.signin_sheet_xlsx(meeting)))
    sheet = workbook.active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == f"{TITLE}签到表"
    # Each label spans A:B (column A alone is too narrow for "会议名称："), its value C:H.
    assert [(row[0], row[2]) for row in values[1:5]] == [("会议名称：", TITLE), ("时间：", "2020-06-20 09:00–11:30"),
                                                       ("地点：", PLACE), ("主办单位：", "规划财务科")]
    assert list(values[5]) == ["序号", "姓名", "单位/科室", "职务", "联系电话", "签到时间", "签名", "备注"]
    assert list(values[6]) == [1, "原立吉", "非煤矿山安全监督管理科", "科员", "0314-2150000", "2020-06-20 08:50", None,
                               "需要电脑"]
    assert values[8][7] == "请假：同日参加省厅视频会议" and values[12][1] == "赵记者"
    assert len(values) == 13


def test_a_formula_in_a_name_stays_text_in_excel(setup):
    """A text cell, shown as typed (no apostrophe): tests/test_export_guard.py for every field."""
    org, plan = setup
    meeting = make_meeting(plan, org, invitees=[], guests=[("=HYPERLINK(\"x\")", "单位")])
    sheet = load_workbook(io.BytesIO(export.signin_sheet_xlsx(meeting))).active
    cell = sheet.cell(row=7, column=2)
    assert (cell.value, cell.data_type) == ("=HYPERLINK(\"x\")", "s")


def test_the_notice_data_is_complete(setup):
    org, plan = setup
    plan.office_section_id = org.office_section.id
    db.session.commit()
    meeting = make_meeting(plan, org, publish=False, arrangements="请于6月18日前回复培训登记表。")
    upload(meeting, org, export.blank_registration_form(TITLE), "培训登记表.xlsx", "培训登记表")
    notice = services.notice(meeting)
    assert notice["heading"] == f"关于召开{TITLE}的通知"
    assert (notice["addressee"], notice["time_text"], notice["place"], notice["kind_label"]) == (
        "局机关各科室", "2020年6月20日上午9:00", PLACE, "培训会")
    assert notice["participants"] == ["原立吉", "王建华", "王士学"]
    assert notice["attachments"] == ["培训登记表"]
    assert (notice["issuer"], notice["issued_on"], notice["issued_on_text"], notice["organiser"]) == (
        "绩效评价工作小组", date(2020, 6, 15), "2020年6月15日", "规划财务科")
    assert notice["starts_at"].hour == 9 and notice["ends_at"].tzinfo is not None
    assert notice["purpose"].startswith("为了解项目总体情况") and notice["arrangements"].startswith("请于6月18日")
    afternoon = services.chinese_time(bj(6, 20, 14, 30))
    assert afternoon == "2020年6月20日下午2:30"


def test_local_time_helpers(app):
    assert services.to_utc(date(2020, 6, 20), time(9, 0)) == datetime(2020, 6, 20, 1, 0, tzinfo=UTC)
    assert services.format_span(START, END) == "2020-06-20 09:00–11:30"
    assert services.format_span(START, bj(6, 21, 12)) == "2020-06-20 09:00 – 2020-06-21 12:00"
    assert services.parse_clock("8:55", date(2020, 6, 20)) == bj(6, 20, 8, 55)
    assert services.parse_clock("08：55", date(2020, 6, 20)) == bj(6, 20, 8, 55)
    assert services.parse_clock("", date(2020, 6, 20)) is None
    for bad in ("9点", "25:00", "08:61", "0855"):
        with pytest.raises(ServiceError, match="到场时间的格式应为"):
            services.parse_clock(bad, date(2020, 6, 20))
