"""The meeting documents as PDFs: the notice (关于召开……的通知) with its attachment 培训登记表,
and the sign-in sheet (签到表) with the recorded sign-in times and an empty 签名 column. Their
text, glyphs, page and margins, a long sheet across pages, escaping, who may download them,
and the demo's training meeting."""
import io
import re
from datetime import date

import pytest
from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import select

from tests.conftest import signed_in
from tests.factories import make_plan, make_section, make_setup, make_user
from tests.pdf_checks import (BLOCK, assert_every_glyph_drawn, assert_official_page, plain,  # noqa: F401
                              prepared_fonts, squeeze, text_of, words)
from tests.test_meetings import PLACE, TITLE, bj, busy_meeting, docx_bytes, make_meeting, upload
from workflow import clock
from workflow.documents import meeting as documents
from workflow.documents import render
from workflow.extensions import db
from workflow.demo import PEOPLE
from workflow.meetings import demo, services, tokens
from workflow.models import Section
from workflow.roles import Role

@pytest.fixture
def setup():
    org, plan = make_setup()
    plan.office_section_id = org.office_section.id
    db.session.commit()
    return org, plan


def same_line(a, b):
    """Two words on one table row: their vertical middles are within a line of each other."""
    return abs((a[2] + a[4]) / 2 - (b[2] + b[4]) / 2) < 8


def find(page, text):
    return [w for w in page if w[0] == text]


def seed_meeting(org, plan, **changes):
    """The seed's training meeting with its reply-by day, an arrangement and three invitees."""
    values = dict(reply_by=date(2020, 6, 18), arrangements="请参会人员提前10分钟到场。",
                  issuer="承德市应急管理局绩效评价工作小组")
    values.update(changes)
    return make_meeting(plan, org, **values)


# The notice ------------------------------------------------------------------------------------


def test_the_notice_carries_the_meeting_and_its_registration_form(setup):
    org, plan = setup
    meeting = seed_meeting(org, plan)
    services.reply(meeting, org.staff_a, services.ReplyData(attending=True, name="原立吉", unit="非煤矿山安全监督管理科",
                                                            title="科员", phone="0314-2150000"))
    pdf = documents.render_notice(meeting)
    pages = [squeeze(page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]
    first = pages[0]
    for expected in (f"关于召开{TITLE}的通知", "局机关各科室：", "为了解项目总体情况，学习绩效评价政策。",
                     "会议时间：2020年6月20日上午9:00", f"会议地点：{PLACE}", "参加人员：原立吉王建华王士学",
                     "请参会人员提前10分钟到场。", "请于2020年6月18日前在绩效评价工作台回复参会情况，或填写培训登记表（见附件）报规划财务科。",
                     "附件：培训登记表", "承德市应急管理局绩效评价工作小组", "2020年6月15日"):
        assert expected in first, expected
    # The issuer, then the date, at the end of the body.
    assert first.index("附件：培训登记表") < first.index("承德市应急管理局绩效评价工作小组") < first.index("2020年6月15日")
    # The attachment starts a page of its own: 附件, the form's title, the people on the list.
    form = "".join(pages[1:])
    assert "培训登记表" not in first.replace("附件：培训登记表", "").replace("填写培训登记表", "")
    assert form.startswith("附件培训登记表") and TITLE in form
    for expected in ("序号姓名单位/科室职务联系电话是否参加备注", "1原立吉非煤矿山安全监督管理科科员0314-2150000",
                     "2王建华非煤矿山安全监督管理科", "3王士学危险化学品安全监督管理科", "请于2020年6月18日前填写，报规划财务科。"):
        assert expected in form, expected


def test_the_registration_form_keeps_empty_rows_for_the_paper_copy(setup):
    org, plan = setup
    meeting = seed_meeting(org, plan)
    rows = documents.notice_data(meeting)["form"]["rows"]
    assert [row["name"] for row in rows[:3]] == ["原立吉", "王建华", "王士学"]
    assert len(rows) == documents.FORM_ROWS and all(row == {"index": "", "name": "", "unit": "", "title": "",
                                                            "phone": ""} for row in rows[3:])
    assert documents.registration_rows(meeting)[-documents.SPARE_ROWS:] == rows[-documents.SPARE_ROWS:]


def test_uploaded_attachments_are_numbered_after_the_form(setup):
    org, plan = setup
    meeting = seed_meeting(org, plan, kind="review")
    upload(meeting, org, docx_bytes(), "评审须知.docx", "评审须知")
    data = documents.notice_data(meeting)
    assert data["attachments"] == ["参会登记表", "评审须知"]
    text = squeeze(text_of(documents.render_notice(meeting)))
    assert "附件：1.参会登记表" in text and "2.评审须知" in text and "附件1参会登记表" in text


def test_the_notice_draws_every_character_with_embedded_fonts(setup):
    org, plan = setup
    # 堃 is outside GB2312, 𠀀 (U+20000) and 𪚥 (U+2A6A5) in CJK Extension B.
    meeting = seed_meeting(org, plan, place="应急管理局2603会议室（堃楼𠀀𪚥厅）")
    pdf = documents.render_notice(meeting)
    text = squeeze(text_of(pdf))
    assert "会议室（堃楼𠀀𪚥厅）" in text and f"关于召开{TITLE}的通知" in text
    assert_every_glyph_drawn(pdf)


def test_documents_are_chinese_whatever_the_readers_language(setup):
    org, plan = setup
    meeting = busy_meeting(org, plan)
    with force_locale("en"):
        notice = documents.notice_data(meeting)
        sheet = documents.signin_sheet_data(meeting, now=bj(6, 20, 12))
    assert notice["heading"] == f"关于召开{TITLE}的通知"
    assert sheet["columns"][-2:] == ["签名", "备注"] and sheet["rows"][1]["remarks"] == "迟到"


# The sign-in sheet ---------------------------------------------------------------------------------


def test_the_sign_in_sheet_carries_the_recorded_times(setup):
    org, plan = setup
    meeting = busy_meeting(org, plan)
    pdf = documents.render_signin_sheet(meeting, now=bj(6, 20, 12))
    text = squeeze(text_of(pdf))
    for expected in (f"{TITLE}签到表", f"会议名称{TITLE}", "会议时间2020年6月20日9:00—11:30", f"会议地点{PLACE}",
                     "主办单位规划财务科", "序号姓名单位/科室职务联系电话签到时间签名备注",
                     "请假：同日参加省厅视频会议", "代签：本人纸质签到", "缺席", "迟到；名单外来宾",
                     "应到6人，实到4人（其中迟到2人），请假1人；名单外签到1人。"):
        assert expected in text, expected
    (page,) = words(pdf)
    recorded = {"原立吉": "08:50", "王建华": "09:07", "任志华": "08:59", "刘专家": "08:52", "赵记者": "09:12"}
    for name, at in recorded.items():
        (name_word,) = find(page, name)
        assert any(same_line(name_word, w) for w in find(page, at)), (name, at)
    for name in ("王士学", "局外人"):   # no sign-in: no time on their row
        (name_word,) = find(page, name)
        assert not any(re.fullmatch(r"\d\d:\d\d", w[0]) and same_line(name_word, w) for w in page), name
    assert_every_glyph_drawn(pdf)


def test_the_signature_column_is_empty_on_every_page(setup):
    org, plan = setup
    meeting = busy_meeting(org, plan)
    data = documents.signin_sheet_data(meeting)
    assert plain(data) and "signature" not in data["rows"][0]
    for page in words(documents.render_signin_sheet(meeting)):
        (header,) = find(page, "签名")
        # The 签名 column is 14 % of the 156 mm block, its header centred: nothing else is
        # written within a header's width either side of it.
        # The table ends at the counts below it, or at the text block's end.
        end = min([w[2] for w in page if w[0].startswith("应到")] + [BLOCK[3]])
        width = header[3] - header[1]
        inside = [w for w in page if w is not header and w[3] > header[1] - width and w[1] < header[3] + width
                  and header[4] < w[2] < end]
        assert inside == []


def test_a_long_sheet_repeats_its_header_and_never_splits_a_row(setup):
    org, plan = setup
    people = [make_user(f"p{i:02d}", [Role.SECTION_STAFF], org.section_a, full_name=f"参会{i:02d}", title="科员",
                        phone=f"0314-21500{i:02d}", commit=False) for i in range(60)]
    db.session.commit()
    meeting = make_meeting(plan, org, invitees=people)
    clock.freeze(bj(6, 20, 8, 45))
    for person in people[::3]:
        services.sign_in_user(meeting, person, services.scan(meeting, tokens.qr_token(meeting.id)))
    pdf = documents.render_signin_sheet(meeting, now=bj(6, 20, 9))
    pages = words(pdf)
    assert len(pages) >= 3
    seen = []
    for number, page in enumerate(pages, start=1):
        (corner,) = find(page, "序号")
        assert [w[0] for w in page if same_line(w, corner)] == [
            "序号", "姓名", "单位/科室", "职务", "联系电话", "签到时间", "签名", "备注"], number
        if number > 1:   # the header row opens every further page
            assert all(w[2] >= corner[2] - 1 for w in page), number
        for word in page:
            if re.fullmatch(r"参会\d\d", word[0]):
                i = int(word[0][2:])
                seen.append(i)
                row = [w[0] for w in page if same_line(w, word)]
                # The whole row is on this page: its number, name, phone and (for every
                # third person) the sign-in time.
                assert str(i + 1) in row and f"0314-21500{i:02d}" in row, row
                assert ("08:45" in row) == (i % 3 == 0), row
    assert seen == list(range(60))


@pytest.mark.parametrize("kind", ["notice", "signin_sheet"])
def test_pages_are_a4_with_official_margins_and_numbers(setup, kind):
    org, plan = setup
    people = [make_user(f"m{i:02d}", [Role.SECTION_STAFF], org.section_a, full_name=f"人员{i:02d}", commit=False)
              for i in range(40)]
    db.session.commit()
    meeting = seed_meeting(org, plan, invitees=people)
    pdf = getattr(documents, f"render_{kind}")(meeting)
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 2
    assert_official_page(pdf)


# Safety ------------------------------------------------------------------------------------------


def test_user_text_is_escaped_and_fetches_nothing(setup):
    org, plan = setup
    evil = '<img src="file:///etc/passwd"><b>加粗</b>'
    meeting = make_meeting(plan, org, purpose=evil, place='<link rel="stylesheet" href="http://127.0.0.1:9/x.css">',
                           guests=[("<i>刘专家</i>", "评价中心")])
    data = documents.notice_data(meeting)
    assert plain(data) and plain(documents.signin_sheet_data(meeting))
    html = render.render_html("notice.html", data)
    assert "&lt;img src=" in html and "<img" not in html and "<b>" not in html and "<i>刘专家" not in html
    for template, payload in (("notice.html", data), ("signin_sheet.html", documents.signin_sheet_data(meeting))):
        fetcher = render.SafeURLFetcher()
        pdf = render.render(template, payload, fetcher=fetcher)
        assert fetcher.refused == []
        assert "<i>刘专家</i>" in squeeze(text_of(pdf))


# Routes ------------------------------------------------------------------------------------------


def test_the_notice_downloads_for_whoever_may_see_the_meeting(app, setup):
    org, plan = setup
    meeting = make_meeting(plan, org, publish=False)
    path = f"/meetings/{meeting.id}/notice.pdf"
    office, staff, outsider = signed_in(app, org.office), signed_in(app, org.staff_a), signed_in(app, org.outsider)
    response = office.get(path)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-") and "attachment" in response.headers["Content-Disposition"]
    assert f"关于召开{TITLE}的通知" in squeeze(text_of(response.data))
    assert "草稿" in text_of(response.data)   # unpublished, the notice may still change
    assert staff.get(path).status_code == 403   # invited, but the notice is not published yet
    services.publish(meeting, org.office)
    published = staff.get(path)
    assert published.status_code == 200 and "草稿" not in text_of(published.data)
    assert outsider.get(path).status_code == 403   # not on the list
    assert app.test_client().get(path).status_code in (302, 401)
    assert office.get("/meetings/999999/notice.pdf").status_code == 404
    assert staff.get("/meetings/999999/notice.pdf").status_code == 404
    assert path in staff.get(f"/meetings/{meeting.id}").get_data(as_text=True)


def test_the_sign_in_sheet_downloads_for_the_office_only(app, setup):
    org, plan = setup
    meeting = busy_meeting(org, plan)
    path = f"/meetings/{meeting.id}/signin-sheet.pdf"
    office = signed_in(app, org.office)
    response = office.get(path)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "原立吉" in text_of(response.data)
    for user in (org.staff_a, org.leader, org.reviewer, org.finance, org.admin):
        assert signed_in(app, user).get(path).status_code == 403, user.username
    assert app.test_client().get(path).status_code in (302, 401)
    assert office.get("/meetings/999999/signin-sheet.pdf").status_code == 404
    page = office.get(f"/meetings/{meeting.id}/attendance").get_data(as_text=True)
    assert path in page and f"/meetings/{meeting.id}/signin-sheet.xlsx" in page


# The demo ----------------------------------------------------------------------------------------


def test_the_demo_training_meeting_prints_as_in_the_seed():
    office_section = make_section_named("规划财务科", is_office=True)
    sections = {office_section.name: office_section}
    users = {}
    for login, name, section_name, title, roles, _part in PEOPLE:
        if section_name and section_name not in sections:
            sections[section_name] = make_section_named(section_name)
        users[login] = make_user(login, roles, sections.get(section_name), full_name=name, title=title, commit=False)
    db.session.commit()
    meeting = demo.load_training_meeting(make_plan(), users)
    text = squeeze(text_of(documents.render_notice(meeting)))
    for expected in ("关于召开预算重点项目绩效评价工作培训会议的通知", "局机关各科室：", "会议时间：2020年6月20日上午9:00",
                     "会议地点：应急管理局2603会议室", "参加人员：闫洪涛曲志清任志华王建华李东阳原立吉王旭张玉坤龚健王士学朱丽丽",
                     "附件：培训登记表", "承德市应急管理局绩效评价工作小组2020年6月15日", "附件培训登记表",
                     "11朱丽丽火灾防治管理科科员"):
        assert expected in text, expected
    sheet = squeeze(text_of(documents.render_signin_sheet(meeting, now=bj(6, 19, 12))))
    assert "预算重点项目绩效评价工作培训会议签到表" in sheet and "会议时间2020年6月20日9:00—11:30" in sheet
    assert "1闫洪涛规划财务科科长" in sheet and "应到11人，实到0人" in sheet


def make_section_named(name, is_office=False):
    section = db.session.scalar(select(Section).where(Section.name == name))
    return section or make_section(name, is_office=is_office)
