"""Meeting pages through the test client: who may open what, every form's bad input (a
Chinese message, nothing changed), the QR code → phone → one tap flow with its refusals, the
projector's JSON, 代签 and undo, attachments, the Excel sign-in sheet, and the demo meeting."""
import io
import re
from datetime import timedelta
from urllib.parse import unquote, urlsplit

import pytest
from icalendar import Calendar
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.conftest import login, post
from tests.factories import make_setup
from tests.test_meetings import END, PLACE, START, TITLE, bj, make_meeting
from workflow import clock
from workflow.engine import calendar
from workflow.extensions import db
from workflow.meetings import export, tokens
from workflow.models import AuditRecord, Meeting, MeetingAttachment, MeetingInvitee, MeetingSignin, Notification

CHECKIN = re.compile(r"/meetings/(\d+)/checkin/([^/?#\s\"]+)")


@pytest.fixture
def setup():
    return make_setup()


def count(model, *where):
    query = select(func.count()).select_from(model)
    for clause in where:
        query = query.where(clause)
    return db.session.scalar(query)


def page_text(response):
    return response.get_data(as_text=True)


def as_user(app, user):
    client = app.test_client()
    login(client, user.username)
    return client


def form_data(**changes):
    data = {
        "plan_id": "", "title": TITLE, "kind": "training", "day": "2020-06-20", "start_time": "09:00",
        "end_time": "11:30", "place": PLACE, "organiser_section_id": "", "addressee": "局机关各科室",
        "purpose": "为了解项目总体情况。", "arrangements": "", "issuer": "绩效评价工作小组", "issued_on": "2020-06-15",
        "reply_by": "", "signin_opens_before": "60", "signin_closes_after": "30",
    }
    data.update(changes)
    return data


# Creating and editing ------------------------------------------------------------------------


def test_the_office_creates_a_meeting_with_the_form(app, setup):
    org, plan = setup
    office = as_user(app, org.office)
    page = office.get(f"/meetings/new?plan_id={plan.id}")
    assert page.status_code == 200 and "新建会议" in page_text(page) and plan.title in page_text(page)
    assert "要指定分行处，在该处输入“|”" in page_text(page)   # where the printed heading breaks
    response = post(office, "/meetings/new", form_data(plan_id=str(plan.id), allow_guests="y"))
    assert response.status_code == 303
    meeting = db.session.scalar(select(Meeting))
    assert response.headers["Location"].endswith(f"/meetings/{meeting.id}/invitees")
    assert (meeting.title, meeting.starts_at, meeting.ends_at, meeting.place, meeting.allow_guests) == (
        TITLE, START, END, PLACE, True)
    assert meeting.published_at is None and meeting.created_by_id == org.office.id


@pytest.mark.parametrize("changes, message", [
    (dict(title=""), "此项为必填项。"),
    (dict(end_time="08:00"), "会议结束时间应晚于开始时间。"),
    (dict(start_time="25:00"), "不是有效的时间值。"),
    (dict(day="2020-02-30"), "不是有效的日期值。"),
    (dict(signin_opens_before="99999"), "分钟数应在 0 到 1440 之间。"),
    (dict(signin_closes_after="abc"), "不是有效的整数。"),
    (dict(kind="party"), "不是有效的选择。"),
    (dict(place="地" * 201), "不能超过 200 个字符。"),
    (dict(plan_id="abc"), "选择无效：无法转化类型。"),
    (dict(plan_id="999999"), "不是有效的选择。"),
    (dict(reply_by="2020-06-25"), "登记截止日期不能晚于会议日期。"),
])
def test_bad_input_on_the_meeting_form_is_refused_in_chinese(app, setup, changes, message):
    org, plan = setup
    office = as_user(app, org.office)
    data = form_data(plan_id=str(plan.id))
    data.update(changes)
    response = post(office, "/meetings/new", data)
    assert response.status_code == 422
    assert message in page_text(response)
    assert count(Meeting) == 0


def test_editing_a_published_meeting_announces_the_change(app, setup):
    org, plan = setup
    meeting = make_meeting(plan, org)
    office = as_user(app, org.office)
    page = office.get(f"/meetings/{meeting.id}/edit")
    assert 'value="09:00"' in page_text(page) and 'value="2020-06-20"' in page_text(page)
    response = post(office, f"/meetings/{meeting.id}/edit", form_data(place="应急管理局2605会议室"), follow_redirects=True)
    assert "已将变更通知参加人员：地点：应急管理局2603会议室 → 应急管理局2605会议室" in page_text(response)
    db.session.expire_all()
    assert meeting.place == "应急管理局2605会议室" and meeting.revision == 1

    # Bad input changes nothing.
    response = post(office, f"/meetings/{meeting.id}/edit", form_data(end_time="08:00", place="别处"))
    assert "会议结束时间应晚于开始时间。" in page_text(response)
    db.session.expire_all()
    assert (meeting.place, meeting.ends_at) == ("应急管理局2605会议室", END)


def test_publishing_and_deleting_through_the_pages(app, setup):
    org, plan = setup
    draft = make_meeting(plan, org, publish=False)
    office = as_user(app, org.office)
    assert 'data-testid="draft"' in page_text(office.get(f"/meetings/{draft.id}"))
    response = post(office, f"/meetings/{draft.id}/publish", follow_redirects=True)
    assert "会议通知已发布：已通知 3 人，邮件 0 封已加入发送队列。" in page_text(response)
    response = post(office, f"/meetings/{draft.id}/publish", follow_redirects=True)
    assert "会议通知已经发布。" in page_text(response)
    response = post(office, f"/meetings/{draft.id}/delete", follow_redirects=True)
    assert "已发布的会议不能删除。" in page_text(response) and count(Meeting) == 1
    other = make_meeting(plan, org, publish=False, title="草稿会议")
    assert post(office, f"/meetings/{other.id}/delete").status_code == 303
    assert count(Meeting) == 1


# Who may open what ----------------------------------------------------------------------------


OFFICE_PAGES = ["/meetings/new", "/meetings/{id}/edit", "/meetings/{id}/invitees", "/meetings/{id}/projector",
                "/meetings/{id}/attendance", "/meetings/{id}/attendance.json", "/meetings/{id}/signin/token.json",
                "/meetings/{id}/signin-sheet.xlsx"]
OFFICE_POSTS = ["/meetings/{id}/publish", "/meetings/{id}/delete", "/meetings/{id}/invitees",
                "/meetings/{id}/remind", "/meetings/{id}/attachments", "/meetings/{id}/attendance/proxy",
                "/meetings/{id}/attendance/1/undo", "/meetings/{id}/invitees/1/remove"]


def test_the_office_manages_invitees_see_their_meetings_others_are_refused(app, setup):
    org, plan = setup
    meeting = make_meeting(plan, org)
    draft = make_meeting(plan, org, publish=False, title="草稿会议")
    office, staff, outsider, leader = (as_user(app, u) for u in (org.office, org.staff_a, org.outsider, org.leader))

    for path in OFFICE_PAGES:
        assert office.get(path.format(id=meeting.id)).status_code == 200, path
        assert staff.get(path.format(id=meeting.id)).status_code == 403, path
        assert leader.get(path.format(id=meeting.id)).status_code == 403, path
    for path in OFFICE_POSTS:
        assert post(staff, path.format(id=draft.id)).status_code == 403, path
    assert count(Meeting) == 2 and draft.published_at is None

    assert staff.get(f"/meetings/{meeting.id}").status_code == 200
    assert staff.get(f"/meetings/{meeting.id}/summary.json").status_code == 200
    for client, path in ((staff, draft.id), (outsider, meeting.id), (leader, meeting.id)):
        assert client.get(f"/meetings/{path}").status_code == 403
        assert client.get(f"/meetings/{path}/summary.json").status_code == 403
    assert post(outsider, f"/meetings/{meeting.id}/reply", {"attending": "yes", "name": "局外人"}).status_code == 403
    assert office.get(f"/meetings/{draft.id}").status_code == 200
    assert office.get("/meetings/999999").status_code == 404

    # The list: the office sees all, an invitee their published meetings, others none.
    assert TITLE in page_text(office.get("/meetings/")) and "草稿会议" in page_text(office.get("/meetings/"))
    listed = page_text(staff.get("/meetings/"))
    assert TITLE in listed and "草稿会议" not in listed and "新建会议" not in listed
    assert TITLE not in page_text(outsider.get("/meetings/"))

    # Not logged in: to the login page.
    anonymous = app.test_client()
    for path in ("/meetings/", f"/meetings/{meeting.id}", f"/meetings/{meeting.id}/projector"):
        response = anonymous.get(path)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_the_navigation_links_to_the_meetings(app, setup):
    org, _plan = setup
    assert 'href="/meetings/"' in page_text(as_user(app, org.staff_a).get("/"))


# Invitees and replies ---------------------------------------------------------------------------


def test_the_office_adds_people_sections_and_guests(app, setup):
    org, plan = setup
    meeting = make_meeting(plan, org, invitees=[], publish=False)
    office = as_user(app, org.office)
    assert office.get(f"/meetings/{meeting.id}/invitees").status_code == 200
    response = post(office, f"/meetings/{meeting.id}/invitees", {
        "user_ids": [str(org.staff_a.id)], "section_ids": [str(org.section_b.id)],
        "guest_name": "刘专家", "guest_unit": "河北省预算绩效评价中心", "guest_title": "", "guest_phone": ""},
        follow_redirects=True)
    assert "已添加 5 人。" in page_text(response)
    assert [i.user.full_name if i.user else i.guest_name for i in meeting.invitees] == [
        "原立吉", "李东阳", "局外人", "王士学", "刘专家"]
    invitee = meeting.invitees[1]
    response = post(office, f"/meetings/{meeting.id}/invitees/{invitee.id}/remove", follow_redirects=True)
    assert "已移出名单。" in page_text(response)
    assert post(office, f"/meetings/{meeting.id}/invitees/999999/remove").status_code == 404
    db.session.expire_all()
    assert count(MeetingInvitee) == 4


@pytest.mark.parametrize("data, message", [
    ({}, "请选择要添加的人员或科室，或填写来宾的姓名和单位。"),
    ({"user_ids": ["abc"]}, "选择无效：至少一个数据输入无法被转化类型。"),
    ({"user_ids": ["999999"]}, "所选人员不存在。"),
    ({"section_ids": ["999999"]}, "所选科室不存在。"),
    ({"guest_name": "刘专家"}, "请填写来宾的姓名和单位。"),
    ({"guest_name": "刘专家", "guest_unit": "省中心", "guest_phone": "电话"}, "联系电话只能包含数字、空格和 + - ( )。"),
    ({"guest_name": "刘" * 65, "guest_unit": "省中心"}, "不能超过 64 个字符。"),
])
def test_bad_invitee_input_is_refused_in_chinese(app, setup, data, message):
    org, plan = setup
    meeting = make_meeting(plan, org, invitees=[org.staff_a], publish=False)
    office = as_user(app, org.office)
    response = post(office, f"/meetings/{meeting.id}/invitees", data, follow_redirects=True)
    assert message in page_text(response)
    assert count(MeetingInvitee) == 1


def test_an_invitee_replies_on_the_meeting_page(app, setup):
    org, plan = setup
    meeting = make_meeting(plan, org)
    clock.freeze(bj(6, 16, 9))
    staff = as_user(app, org.staff_a)
    page = page_text(staff.get(f"/meetings/{meeting.id}"))
    assert f"关于召开{TITLE}的通知" in page and "我的参会登记" in page and 'value="原立吉"' in page
    response = post(staff, f"/meetings/{meeting.id}/reply", {
        "attending": "no", "reason": "同日参加省厅视频会议", "name": "原立吉", "unit": "非煤矿山安全监督管理科",
        "title": "科员", "phone": "0314-2150000", "remarks": ""}, follow_redirects=True)
    assert "已提交参会登记。" in page_text(response) and "不参加（同日参加省厅视频会议）" in page_text(response)
    db.session.expire_all()
    mine = meeting.invitees[0]
    assert (mine.response, mine.reason, mine.title, mine.phone) == ("absent", "同日参加省厅视频会议", "科员", "0314-2150000")
    office_page = page_text(as_user(app, org.office).get(f"/meetings/{meeting.id}"))
    assert "不参加：同日参加省厅视频会议" in office_page and "已回复 1 / 3，参加 0" in office_page


@pytest.mark.parametrize("data, message", [
    ({"name": "原立吉"}, "请选择是否参加。"),
    ({"attending": "maybe", "name": "原立吉"}, "请选择是否参加。"),
    ({"attending": "no", "name": "原立吉"}, "不能参加时请填写原因。"),
    ({"attending": "yes", "name": ""}, "此项为必填项。"),
    ({"attending": "yes", "name": "原立吉", "phone": "电话"}, "联系电话只能包含数字、空格和 + - ( )。"),
    ({"attending": "yes", "name": "原立吉", "remarks": "x" * 501}, "不能超过 500 个字符。"),
])
def test_bad_replies_are_refused_in_chinese(app, setup, data, message):
    org, plan = setup
    meeting = make_meeting(plan, org)
    clock.freeze(bj(6, 16, 9))
    staff = as_user(app, org.staff_a)
    response = post(staff, f"/meetings/{meeting.id}/reply", data, follow_redirects=True)
    assert message in page_text(response)
    db.session.expire_all()
    assert meeting.invitees[0].response is None and meeting.invitees[0].name == ""


def test_the_office_reminds_the_silent(app, setup):
    org, plan = setup
    meeting = make_meeting(plan, org)
    clock.freeze(bj(6, 16, 9))
    office = as_user(app, org.office)
    assert "提醒未回复的 3 人" in page_text(office.get(f"/meetings/{meeting.id}"))
    response = post(office, f"/meetings/{meeting.id}/remind", follow_redirects=True)
    assert "已提醒 3 位未回复的人员（邮件 0 封）。" in page_text(response)
    db.session.expire_all()
    assert [i.reminder_count for i in meeting.invitees] == [1, 1, 1]


# The projector and the phone -------------------------------------------------------------------


def scan_url(office, meeting):
    data = office.get(f"/meetings/{meeting.id}/signin/token.json").get_json()
    assert data["url"].startswith("http://localhost/meetings/") and f"/scan/{data['token']}" in data["url"]
    assert data["qr"] == f"/meetings/{meeting.id}/signin/qr.svg?token={data['token']}"
    assert data["period"] == 45 and 1 <= data["expires_in"] <= 45
    return urlsplit(data["url"]).path


def test_the_projector_shows_a_rotating_qr_code(app, setup):
    org, plan = setup
    meeting = make_meeting(plan, org)
    office = as_user(app, org.office)
    t0 = bj(6, 20, 8, 30)
    clock.freeze(t0)
    page = page_text(office.get(f"/meetings/{meeting.id}/projector"))
    token = tokens.qr_token(meeting.id)
    assert f'src="/meetings/{meeting.id}/signin/qr.svg?token={token}"' in page
    assert 'src="/static/js/board.js?v=' in page and "签到时间：08:00 至 09:30" in page
    svg = office.get(f"/meetings/{meeting.id}/signin/qr.svg?token={token}")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert svg.get_data(as_text=True).startswith("<svg") and "<path" in svg.get_data(as_text=True)
    first = scan_url(office, meeting)
    clock.freeze(t0 + timedelta(seconds=45))
    assert scan_url(office, meeting) != first
    # The image of an expired or forged code is not drawn.
    clock.freeze(t0 + timedelta(seconds=400))
    assert office.get(f"/meetings/{meeting.id}/signin/qr.svg?token={token}").status_code == 404
    assert office.get(f"/meetings/{meeting.id}/signin/qr.svg?token=1.2.3").status_code == 404


def follow_scan(client, path):
    response = client.get(path)
    assert response.status_code == 303, page_text(response)
    match = CHECKIN.search(response.headers["Location"])
    assert match
    return match.group(0)


def test_an_invitee_scans_and_signs_in_with_one_tap(app, setup):
    org, plan = setup
    meeting = make_meeting(plan, org)
    office = as_user(app, org.office)
    clock.freeze(bj(6, 20, 8, 55))
    checkin = follow_scan(as_user(app, org.staff_a), scan_url(office, meeting))
    staff = as_user(app, org.staff_a)
    page = page_text(staff.get(checkin))
    assert 'data-testid="signin-button"' in page and TITLE in page
    response = post(staff, checkin, {"action": "self"})
    assert response.status_code == 303 and response.headers["Location"].endswith(checkin)
    page = page_text(staff.get(checkin))
    assert "签到成功：原立吉，08:55。" in page and 'data-testid="signed-in"' in page
    clock.freeze(bj(6, 20, 9, 3))
    # The pass of 08:55 has run out, but the page still shows the sign-in, without a button.
    page = page_text(staff.get(checkin))
    assert 'data-testid="signed-in"' in page and 'data-testid="signin-button"' not in page
    checkin = follow_scan(staff, scan_url(office, meeting))  # scanned again
    response = post(staff, checkin, {"action": "self"}, follow_redirects=True)
    assert "原立吉 已于 08:55 签到，以首次签到时间为准，无需重复签到。" in page_text(response)
    assert count(MeetingSignin) == 1
    # A second invitee arrives late.
    staff_b = as_user(app, org.staff_b)
    response = post(staff_b, follow_scan(staff_b, scan_url(office, meeting)), {"action": "self"}, follow_redirects=True)
    assert "签到成功（迟到）：王士学，09:03。" in page_text(response)
    board = office.get(f"/meetings/{meeting.id}/attendance.json").get_json()
    assert [r["name"] for r in board["signed_in"]] == ["原立吉"] and [r["name"] for r in board["late"]] == ["王士学"]
    assert [r["name"] for r in board["pending"]] == ["王建华"]


def test_the_phone_page_outside_the_window_says_so_and_records_nothing(app, setup):
    org, plan = setup
    meeting = make_meeting(plan, org)
    office = as_user(app, org.office)
    staff = as_user(app, org.staff_a)
    clock.freeze(bj(6, 20, 7, 30))
    checkin = follow_scan(staff, scan_url(office, meeting))
    page = page_text(staff.get(checkin))
    assert "签到尚未开始，将于 08:00 开放。" in page and 'data-testid="signin-button"' not in page
    assert "签到尚未开始，将于 08:00 开放。" in page_text(post(staff, checkin, {"action": "self"}, follow_redirects=True))
    clock.freeze(bj(6, 20, 9, 31))
    checkin = follow_scan(staff, scan_url(office, meeting))
    assert "签到已结束（09:30 截止）" in page_text(post(staff, checkin, {"action": "self"}, follow_redirects=True))
    assert count(MeetingSignin) == 0


def test_not_logged_in_the_phone_goes_to_login_and_back(app, setup):
    org, plan = setup
    meeting = make_meeting(plan, org)
    office = as_user(app, org.office)
    clock.freeze(bj(6, 20, 8, 50))
    phone = app.test_client()
    checkin = follow_scan(phone, scan_url(office, meeting))
    page = page_text(phone.get(checkin))
    login_link = re.search(r'href="(/auth/login\?next=[^"]+)"[^>]*data-testid="login-to-sign-in"', page)
    assert login_link and unquote(login_link.group(1).split("next=")[1]) == checkin
    assert 'data-testid="guest-signin"' not in page  # no guests at this meeting
    # Tapping without a login leads to the login page too.
    response = post(phone, checkin, {"action": "self"})
    assert response.status_code == 303 and unquote(response.headers["Location"]).endswith(f"next={checkin}")
    clock.freeze(bj(6, 20, 8, 52))
    response = post(phone, f"/auth/login?next={checkin}", {"username": "staff_a", "password": "Passw0rd!x"})
    assert response.status_code == 302 and response.headers["Location"] == checkin
    response = post(phone, checkin, {"action": "self"}, follow_redirects=True)
    assert "签到成功：原立吉，08:52。" in page_text(response)


@pytest.mark.parametrize("kind", ["forged", "expired", "other_meeting", "unknown", "draft"])
def test_refused_codes_show_a_chinese_message_and_record_nothing(app, setup, kind):
    org, plan = setup
    meeting = make_meeting(plan, org)
    other = make_meeting(plan, org, title="另一个会")
    draft = make_meeting(plan, org, title="草稿", publish=False)
    staff = as_user(app, org.staff_a)
    t0 = bj(6, 20, 8, 50)
    clock.freeze(t0)
    path, status, message = {
        "forged": (f"/meetings/{meeting.id}/scan/{meeting.id}.123.AAAAAAAAAAAAAAAAAAAAAA", 400,
                   "二维码无效，请扫描会场大屏上的签到二维码。"),
        "expired": (f"/meetings/{meeting.id}/scan/{tokens.qr_token(meeting.id, t0 - timedelta(minutes=3))}", 400,
                    "二维码已过期，请重新扫描会场大屏上的最新二维码。"),
        "other_meeting": (f"/meetings/{meeting.id}/scan/{tokens.qr_token(other.id)}", 400,
                          "此二维码不是本次会议的签到码，请扫描本会场大屏上的二维码。"),
        "unknown": (f"/meetings/999999/scan/{tokens.qr_token(999999)}", 404, "会议不存在或尚未发布。"),
        "draft": (f"/meetings/{draft.id}/scan/{tokens.qr_token(draft.id)}", 404, "会议不存在或尚未发布。"),
    }[kind]
    response = staff.get(path)
    assert response.status_code == status
    assert message in page_text(response) and 'data-testid="refusal"' in page_text(response)
    assert count(MeetingSignin) == 0


def test_a_bad_pass_is_refused_on_the_page_and_on_the_tap(app, setup):
    org, plan = setup
    meeting = make_meeting(plan, org)
    other = make_meeting(plan, org, title="另一个会")
    staff = as_user(app, org.staff_a)
    clock.freeze(bj(6, 20, 8, 50))
    for bad, message in ((f"{meeting.id}.1592614200.xxxx", "签到链接无效，请扫描会场大屏上的签到二维码。"),
                         (tokens.issue_pass(other.id), "此签到链接不属于本次会议，请扫描本会场大屏上的二维码。"),
                         (tokens.issue_pass(meeting.id, bj(6, 20, 8, 40)), "签到页面已过期，请重新扫描会场大屏上的二维码。")):
        response = staff.get(f"/meetings/{meeting.id}/checkin/{bad}")
        assert response.status_code == 400 and message in page_text(response)
        response = post(staff, f"/meetings/{meeting.id}/checkin/{bad}", {"action": "self"}, follow_redirects=True)
        assert message in page_text(response)
    assert count(MeetingSignin) == 0


def test_a_tap_without_the_csrf_token_is_refused(app, setup):
    org, plan = setup
    meeting = make_meeting(plan, org)
    staff = as_user(app, org.staff_a)
    clock.freeze(bj(6, 20, 8, 50))
    path = f"/meetings/{meeting.id}/checkin/{tokens.issue_pass(meeting.id)}"
    response = staff.post(path, data={"action": "self"})
    assert response.status_code == 400 and "请求已失效" in page_text(response)
    response = staff.post(path, data={"action": "self", "csrf_token": "forged"})
    assert response.status_code == 400
    assert count(MeetingSignin) == 0


def test_guests_sign_in_on_the_phone_when_allowed(app, setup):
    org, plan = setup
    open_meeting = make_meeting(plan, org, allow_guests=True)
    closed = make_meeting(plan, org, title="内部会议")
    clock.freeze(bj(6, 20, 8, 50))
    phone = app.test_client()
    path = f"/meetings/{open_meeting.id}/checkin/{tokens.issue_pass(open_meeting.id)}"
    assert 'data-testid="guest-signin"' in page_text(phone.get(path))
    response = post(phone, path, {"action": "guest", "name": "张三", "unit": "市财政局", "title": "", "phone": ""},
                    follow_redirects=True)
    assert "签到成功：张三，08:50。" in page_text(response)
    response = post(phone, path, {"action": "guest", "name": "张三", "unit": "", "title": "", "phone": ""},
                    follow_redirects=True)
    assert "单位：此项为必填项。" in page_text(response)
    response = post(phone, path, {"action": "guest", "name": "李四", "unit": "市审计局", "phone": "电话"},
                    follow_redirects=True)
    assert "联系电话只能包含数字、空格和 + - ( )。" in page_text(response)

    path = f"/meetings/{closed.id}/checkin/{tokens.issue_pass(closed.id)}"
    assert 'data-testid="guest-signin"' not in page_text(phone.get(path))
    response = post(phone, path, {"action": "guest", "name": "张三", "unit": "市财政局"}, follow_redirects=True)
    assert "本次会议不接受名单以外的来宾签到。" in page_text(response)
    assert count(MeetingSignin) == 1


def test_someone_not_on_the_list_cannot_tap(app, setup):
    org, plan = setup
    meeting = make_meeting(plan, org)
    clock.freeze(bj(6, 20, 8, 50))
    outsider = as_user(app, org.outsider)
    path = f"/meetings/{meeting.id}/checkin/{tokens.issue_pass(meeting.id)}"
    page = page_text(outsider.get(path))
    assert 'data-testid="not-invited"' in page and 'data-testid="signin-button"' not in page
    response = post(outsider, path, {"action": "self"}, follow_redirects=True)
    assert "您不在本次会议的参加人员名单中，不能签到。" in page_text(response)
    assert count(MeetingSignin) == 0


# Attendance: 代签, undo, export -------------------------------------------------------------------


def test_proxy_and_undo_through_the_attendance_page(app, setup):
    org, plan = setup
    meeting = make_meeting(plan, org)
    office = as_user(app, org.office)
    clock.freeze(bj(6, 20, 9, 10))
    invitee = meeting.invitees[2]
    response = post(office, f"/meetings/{meeting.id}/attendance/proxy",
                    {"invitee_id": str(invitee.id), "arrived": "08:58", "note": "本人纸质签到"}, follow_redirects=True)
    assert "已为 王士学 代签（2020-06-20 08:58）。" in page_text(response)
    signin = db.session.scalar(select(MeetingSignin))
    assert (signin.method, signin.late, signin.recorded_by_id) == ("proxy", False, org.office.id)
    page = page_text(office.get(f"/meetings/{meeting.id}/attendance"))
    assert "会议代签" in page and "代签：本人纸质签到" in page

    response = post(office, f"/meetings/{meeting.id}/attendance/{signin.id}/undo", {"note": "误签"}, follow_redirects=True)
    assert "已撤销 王士学 的签到。" in page_text(response) and "撤销会议签到" in page_text(response)
    assert count(MeetingSignin) == 0
    actions = db.session.scalars(select(AuditRecord.action).where(AuditRecord.evaluation_id.is_(None))
                                 .order_by(AuditRecord.id)).all()
    assert actions == ["meeting_publish", "meeting_proxy_signin", "meeting_signin_undo"]
    # Undone already: the sign-in is gone (404), and nothing is recorded twice.
    assert post(office, f"/meetings/{meeting.id}/attendance/{signin.id}/undo", {"note": ""}).status_code == 404
    assert count(AuditRecord) == 3


def test_bad_undo_input_is_refused_in_chinese(app, setup):
    org, plan = setup
    meeting = make_meeting(plan, org)
    clock.freeze(bj(6, 20, 8, 50))
    post(as_user(app, org.staff_a), f"/meetings/{meeting.id}/checkin/{tokens.issue_pass(meeting.id)}", {"action": "self"})
    signin = db.session.scalar(select(MeetingSignin))
    office = as_user(app, org.office)
    response = post(office, f"/meetings/{meeting.id}/attendance/{signin.id}/undo", {"note": "x" * 201},
                    follow_redirects=True)
    assert "撤销原因：不能超过 200 个字符。" in page_text(response)
    assert post(office, f"/meetings/{meeting.id}/attendance/999999/undo", {"note": ""}, follow_redirects=True)\
        .get_data(as_text=True).count("签到记录不存在。") == 1
    other = make_meeting(plan, org, title="另一个会")
    response = post(office, f"/meetings/{other.id}/attendance/{signin.id}/undo", {"note": ""}, follow_redirects=True)
    assert "签到记录不存在。" in page_text(response)
    assert count(MeetingSignin) == 1 and count(AuditRecord) == 2


@pytest.mark.parametrize("data, message", [
    ({"invitee_id": "{id}", "arrived": "", "note": ""}, "此项为必填项。"),
    ({"invitee_id": "{id}", "arrived": "9点", "note": "纸质签到"}, "到场时间的格式应为 时:分，如 08:55。"),
    ({"invitee_id": "{id}", "arrived": "09:30", "note": "纸质签到"}, "到场时间不能晚于现在。"),
    ({"invitee_id": "", "arrived": "", "note": "纸质签到"}, "此项为必填项。"),
    ({"invitee_id": "abc", "arrived": "", "note": "纸质签到"}, "选择无效：无法转化类型。"),
    ({"invitee_id": "999999", "arrived": "", "note": "纸质签到"}, "不是有效的选择。"),
])
def test_bad_proxy_input_is_refused_in_chinese(app, setup, data, message):
    org, plan = setup
    meeting = make_meeting(plan, org)
    office = as_user(app, org.office)
    clock.freeze(bj(6, 20, 9, 10))
    data = {key: value.format(id=meeting.invitees[0].id) for key, value in data.items()}
    response = post(office, f"/meetings/{meeting.id}/attendance/proxy", data, follow_redirects=True)
    assert message in page_text(response)
    assert count(MeetingSignin) == 0 and count(AuditRecord) == 1


def test_after_the_meeting_the_attendance_page_shows_the_rate_and_the_absent(app, setup):
    org, plan = setup
    meeting = make_meeting(plan, org)
    staff = as_user(app, org.staff_b)
    clock.freeze(bj(6, 16, 9))
    post(staff, f"/meetings/{meeting.id}/reply", {"attending": "no", "reason": "出差", "name": "王士学"})
    clock.freeze(bj(6, 20, 8, 50))
    staff_a = as_user(app, org.staff_a)
    post(staff_a, f"/meetings/{meeting.id}/checkin/{tokens.issue_pass(meeting.id)}", {"action": "self"})
    clock.freeze(bj(6, 20, 12, 0))
    office = as_user(app, org.office)
    page = page_text(office.get(f"/meetings/{meeting.id}/attendance"))
    assert "会后统计" in page and "应到 3 人，实到 1 人，出勤率 33.3%。" in page
    absent = page[page.index('data-testid="absent-list"'):]
    assert "请假：出差" in absent and "王建华" in absent and "未说明原因" in absent
    assert "可作为佐证：培训人次 1" in page
    assert "可作为佐证：培训人次 1" in page_text(staff_a.get(f"/meetings/{meeting.id}"))
    summary = staff_a.get(f"/meetings/{meeting.id}/summary.json").get_json()
    assert summary["summary"]["training_person_times"] == 1 and summary["summary"]["rate"] == "33.3"
    assert summary["meeting"]["title"] == TITLE


def test_the_sign_in_sheet_downloads_as_excel(app, setup):
    org, plan = setup
    meeting = make_meeting(plan, org)
    clock.freeze(bj(6, 20, 8, 50))
    post(as_user(app, org.staff_a), f"/meetings/{meeting.id}/checkin/{tokens.issue_pass(meeting.id)}", {"action": "self"})
    response = as_user(app, org.office).get(f"/meetings/{meeting.id}/signin-sheet.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[6]] == ["序号", "姓名", "单位/科室", "职务", "联系电话", "签到时间", "签名", "备注"]
    assert [c.value for c in sheet[7]][:6] == [1, "原立吉", "非煤矿山安全监督管理科", None, None, "2020-06-20 08:50"]


# Attachments ----------------------------------------------------------------------------------


def test_attachments_upload_download_and_refusals(app, setup):
    org, plan = setup
    meeting = make_meeting(plan, org)
    office = as_user(app, org.office)
    response = post(office, f"/meetings/{meeting.id}/attachments",
                    {"title": "培训登记表", "file": (io.BytesIO(export.blank_registration_form(TITLE)), "登记表.xlsx")},
                    content_type="multipart/form-data", follow_redirects=True)
    assert "已上传附件“培训登记表”。" in page_text(response)
    response = post(office, f"/meetings/{meeting.id}/attachments",
                    {"title": "", "file": (io.BytesIO(b"MZ\x90\x00"), "议程.pdf")},
                    content_type="multipart/form-data", follow_redirects=True)
    assert "附件只接受 PDF、图片（PNG/JPEG/GIF）、Word（doc/docx）和 Excel（xls/xlsx）文件。" in page_text(response)
    response = post(office, f"/meetings/{meeting.id}/attachments", {"title": "x" * 101},
                    content_type="multipart/form-data", follow_redirects=True)
    assert "不能超过 100 个字符。" in page_text(response)
    assert count(MeetingAttachment) == 1
    attachment = db.session.scalar(select(MeetingAttachment))

    staff = as_user(app, org.staff_a)
    page = page_text(staff.get(f"/meetings/{meeting.id}"))
    assert "附件：" in page and "培训登记表" in page
    download = staff.get(f"/meetings/{meeting.id}/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data[:2] == b"PK"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert as_user(app, org.outsider).get(f"/meetings/{meeting.id}/attachments/{attachment.id}").status_code == 403
    other = make_meeting(plan, org, title="另一个会")
    assert staff.get(f"/meetings/{other.id}/attachments/{attachment.id}").status_code == 404
    post(office, f"/meetings/{meeting.id}/attachments/{attachment.id}/delete")
    assert count(MeetingAttachment) == 0


# Pages keep to the Content-Security-Policy ------------------------------------------------------------


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"\sstyle\s*=|<style", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def test_meeting_pages_have_no_inline_script_or_style(app, setup):
    org, plan = setup
    meeting = make_meeting(plan, org, allow_guests=True)
    clock.freeze(bj(6, 20, 8, 50))
    office = as_user(app, org.office)
    staff = as_user(app, org.staff_a)
    pages = [(office, p.format(id=meeting.id)) for p in (
        "/meetings/", "/meetings/new", "/meetings/{id}", "/meetings/{id}/edit", "/meetings/{id}/invitees",
        "/meetings/{id}/projector", "/meetings/{id}/attendance")]
    checkin = f"/meetings/{meeting.id}/checkin/{tokens.issue_pass(meeting.id)}"
    pages += [(staff, f"/meetings/{meeting.id}"), (staff, checkin), (app.test_client(), checkin)]
    for client, path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = page_text(response)
        assert not INLINE_SCRIPT.search(html), path
        assert not INLINE_STYLE.search(html), path
        assert not HANDLER.search(html), path
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]


# The calendar feed and the demo ----------------------------------------------------------------------


def test_the_calendar_url_carries_the_meeting(app, setup, client):
    org, plan = setup
    meeting = make_meeting(plan, org)
    token = calendar.ensure_token(org.staff_a)
    parsed = Calendar.from_ical(client.get(f"/work/calendar/{token}.ics").data)
    (event,) = [e for e in parsed.walk("VEVENT") if str(e.get("uid")).startswith(f"meeting-{meeting.id}@")]
    assert str(event.get("summary")) == TITLE and str(event.get("location")) == PLACE


def test_the_demo_holds_the_seeds_training_meeting(app):
    result = app.test_cli_runner().invoke(args=["demo"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    (meeting,) = db.session.scalars(select(Meeting)).all()
    assert meeting.title == TITLE and meeting.kind == "training" and meeting.is_published
    assert (meeting.starts_at, meeting.place, meeting.addressee) == (START, PLACE, "局机关各科室")
    assert [i.user.full_name for i in meeting.invitees] == [
        "闫洪涛", "曲志清", "任志华", "王建华", "李东阳", "原立吉", "王旭", "张玉坤", "龚健", "王士学", "朱丽丽"]
    assert [a.title for a in meeting.attachments] == ["培训登记表"]
    assert meeting.issued_on.isoformat() == "2020-06-15"
    assert "承德市应急管理局绩效评价工作小组决定召开预算重点项目绩效评价工作培训会议" in meeting.purpose
    assert count(Notification, Notification.text.like(f"会议通知：{TITLE}%")) == 11
    # Running it again adds nothing.
    app.test_cli_runner().invoke(args=["demo"], catch_exceptions=False)
    assert count(Meeting) == 1 and count(MeetingInvitee) == 11
