"""The documents as Word files (.docx), read back with python-docx: each kind holds the PDF's
text (built from the same data), names the official fonts in its styles (East Asian slot
included), sits on the GB/T 9704 page (A4, margins) with a PAGE field in "— n —" on the outer
side; the approved report's copy is built from the approval snapshot and says it is a copy; and
a .docx is refused to whoever is refused the PDF, with the same status."""
import io
import re
from datetime import date

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from tests import factories
from tests.conftest import signed_in
from tests.pdf_checks import prepared_fonts, squeeze, text_of  # noqa: F401  (prepared_fonts: session fixture)
from tests.test_meetings import PLACE, TITLE, bj, busy_meeting, make_meeting
from workflow.documents import meeting as meeting_documents
from workflow.documents import reports, submission_summary, workplan
from workflow.documents.word import meeting as meeting_word
from workflow.documents.word import page
from workflow.documents.word.report import COPY_HEADER, DRAFT_HEADER, build_report, report_docx_for_download
from workflow.documents.word.submission_summary import render_summary_docx
from workflow.documents.word.workplan import render_workplan_docx
from workflow.extensions import db
from workflow.meetings import services as meetings
from workflow.models import Evaluation
from workflow.selfeval.services import last_snapshot
from workflow.submissions import services as submissions

# These tests read reports WeasyPrint rendered (tests/conftest.py report_rendering).
pytestmark = pytest.mark.documents

PROJECT = "2019年度金属非金属矿山“专家会诊”隐患排查项目"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# Reading a .docx back -------------------------------------------------------------------------


def read(data):
    assert data.startswith(b"PK")
    return docx.Document(io.BytesIO(data))


def body_paragraphs(document):
    return [p for p in document.paragraphs if p.text.strip()]


def cells(document):
    """The text of every table cell, row by row."""
    return [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]


def full_text(document):
    parts = [p.text for p in document.paragraphs]
    parts += [text for row in cells(document) for text in row]
    return squeeze("".join(parts))


def header_text(document):
    section = document.sections[0]
    return section.header.paragraphs[0].text, section.even_page_header.paragraphs[0].text


def fonts_of(style):
    """The rFonts attributes a style names, by slot (ascii, hAnsi, eastAsia, cs)."""
    element = style.element.rPr.rFonts
    return {slot: element.get(qn(f"w:{slot}")) for slot in ("ascii", "hAnsi", "eastAsia", "cs")}


def assert_names_the_font(document, style_name, font, size):
    style = document.styles[style_name]
    assert fonts_of(style) == {"ascii": font, "hAnsi": font, "eastAsia": font, "cs": font}, style_name
    assert not [a for a in style.element.rPr.rFonts.attrib if "Theme" in a or "theme" in a], style_name
    assert style.font.size == size, style_name


def assert_official_page(document):
    """A4, 37 mm top, 35 mm bottom, 28 mm binding (left), 26 mm right; the styles naming the
    official fonts; "— PAGE —" in 宋体 四号, odd pages right, even pages left."""
    section = document.sections[0]
    mm = Mm(1)
    for actual, expected in ((section.page_width, 210), (section.page_height, 297), (section.top_margin, 37),
                             (section.bottom_margin, 35), (section.left_margin, 28), (section.right_margin, 26)):
        assert abs(actual - Mm(expected)) < mm / 10, (actual / mm, expected)
    assert section.gutter == 0

    assert_names_the_font(document, "Normal", "仿宋_GB2312", Pt(16))
    assert_names_the_font(document, "Title", "方正小标宋简体", Pt(22))
    assert_names_the_font(document, "Heading 1", "黑体", Pt(16))
    assert_names_the_font(document, "Heading 2", "楷体_GB2312", Pt(16))
    assert_names_the_font(document, "Footer", "宋体", Pt(14))
    normal = document.styles["Normal"].paragraph_format
    assert normal.line_spacing_rule == WD_LINE_SPACING.EXACTLY and normal.line_spacing == Pt(28.95)
    assert normal.first_line_indent == Pt(32) and normal.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    title = document.styles["Title"].paragraph_format
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER and title.first_line_indent == 0
    assert not document.styles["Heading 1"].font.bold and not document.styles["Title"].font.bold
    # The headings are Word's outline (navigation pane, table of contents): 一、 level 1, （一） level 2.
    for name, level in (("Heading 1", "0"), ("Heading 2", "1")):
        assert document.styles[name].element.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == level
    # The defaults under the styles are the body font and Chinese, not the template's theme.
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    assert defaults.find(qn("w:rPr")).find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"

    assert document.settings.odd_and_even_pages_header_footer
    for footer, align, indent in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right_indent"),
                                  (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left_indent")):
        assert not footer.is_linked_to_previous
        paragraph = footer.paragraphs[0]
        assert paragraph.alignment == align and paragraph.style.name == "Footer"
        assert getattr(paragraph.paragraph_format, indent) == Pt(14)   # one 四号 character in
        xml = paragraph._p.xml
        assert [i.text.strip() for i in paragraph._p.iter(qn("w:instrText"))] == ["PAGE"]
        kinds = [f.get(qn("w:fldCharType")) for f in paragraph._p.iter(qn("w:fldChar"))]
        assert kinds == ["begin", "separate", "end"], xml
        assert re.fullmatch(r"— \d+ —", paragraph.text), paragraph.text


def assert_text_is_the_pdfs(document, pdf, skip=()):
    """Every paragraph and table cell of the Word file is text of the PDF."""
    printed = squeeze(text_of(pdf))
    for paragraph in body_paragraphs(document):
        if paragraph.text not in skip:
            assert squeeze(paragraph.text) in printed, paragraph.text
    for row in cells(document):
        for text in row:
            assert squeeze(text) in printed, text


def assert_tables_have_borders_and_repeat_their_heading(table):
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert {edge.tag.rpartition("}")[2]: edge.get(qn("w:val")) for edge in borders} == {
        edge: "single" for edge in ("top", "left", "bottom", "right", "insideH", "insideV")}
    rows = table._tbl.tr_lst
    assert rows[0].trPr.find(qn("w:tblHeader")) is not None
    assert all(row.trPr.find(qn("w:cantSplit")) is not None for row in rows)
    assert all(row.trPr.find(qn("w:tblHeader")) is None for row in rows[1:])


def near(length, expected):
    """Lengths as Word stores them: in twentieths of a point."""
    return abs(length - expected) <= Pt(0.05)


def paragraph_with(document, text):
    found = [p for p in document.paragraphs if p.text == text]
    assert found, text
    return found[0]


# The report ------------------------------------------------------------------------------------


@pytest.fixture
def mine(app):
    org, plan = factories.make_setup()
    return org, factories.make_seed_mine(org, plan)


approve = factories.approve


def test_the_report_holds_the_pdfs_text_headings_and_scoring_table(mine):
    _org, evaluation = mine
    data = reports.report_data(evaluation)
    document = read(build_report(data))
    assert_text_is_the_pdfs(document, reports.render_report(evaluation))
    assert document.core_properties.title == f"{PROJECT}绩效评价报告"
    # The title broken where the PDF breaks it.
    assert paragraph_with(document, "\n".join(data["title_lines"])).style.name == "Title"
    assert paragraph_with(document, "一、基本情况").style.name == "Heading 1"
    assert paragraph_with(document, "（一）项目概况").style.name == "Heading 2"
    assert paragraph_with(document, "（三）下一步改进措施").style.name == "Heading 2"
    text = full_text(document)
    for expected in ("206.632", "172.743", "部分矿山停产", "附表", f"{PROJECT}绩效评价指标评分表"):
        assert squeeze(expected) in text, expected
    # The 附表 starts a page of its own.
    assert paragraph_with(document, "附表").paragraph_format.page_break_before
    [table] = document.tables
    assert_tables_have_borders_and_repeat_their_heading(table)
    rows = cells(document)
    assert rows[0] == ["一级指标", "二级指标", "三级指标", "分值", "年度指标值", "实际完成值", "得分"]
    assert rows[-1] == ["合计"] * 3 + ["100", "评价等级：优", "评价等级：优", "99.7"]
    assert len(rows) == len(reports.report_data(evaluation)["indicators"]) + 2
    # The 附件说明 names the 附表; the 署名 is the department's (the section's when the plan's
    # title names no organisation), the date ending two characters in from the right.
    assert paragraph_with(document, f"附表：{PROJECT}绩效评价指标评分表")
    signature, day = paragraph_with(document, data["issuer"]), paragraph_with(document, data["date_text"])
    assert near(max(signature.paragraph_format.left_indent + page.text_width(data["issuer"]),
                    day.paragraph_format.left_indent + page.text_width(data["date_text"])),
                page.TEXT_WIDTH - 2 * page.CHARACTER)
    assert_official_page(document)


def test_before_approval_the_report_says_draft(mine):
    _org, evaluation = mine
    data, frozen = report_docx_for_download(evaluation)
    document = read(data)
    assert not frozen
    assert header_text(document) == (DRAFT_HEADER, DRAFT_HEADER) and "草稿" in DRAFT_HEADER
    assert "可编辑副本" not in full_text(document)


def test_the_approved_reports_copy_is_built_from_the_snapshot_and_says_it_is_a_copy(app, mine):
    org, evaluation = mine
    approve(org, evaluation)
    snapshot = last_snapshot(evaluation, "approval")
    frozen_text = reports.report_data(evaluation)["sections"][0]["paragraphs"][0]
    # The live rows change behind the frozen copy (as no page allows).
    row = db.session.get(Evaluation, evaluation.id)
    row.total_score = 1
    for section in row.narrative:
        if section.key == "overview":
            section.text = "改动后的项目概况，不在定稿中。"
    db.session.commit()

    response = signed_in(app, org.reviewer).get(f"/evaluations/{evaluation.id}/report.docx")
    assert response.status_code == 200 and response.mimetype == DOCX
    assert response.headers["Content-Disposition"].endswith(".docx")
    assert "%E7%BB%A9%E6%95%88%E8%AF%84%E4%BB%B7%E6%8A%A5%E5%91%8A.docx" in response.headers["Content-Disposition"]
    document = read(response.data)
    text = full_text(document)
    assert squeeze(frozen_text) in text and "改动后的项目概况" not in text
    assert squeeze("评价等级：优") in text and cells(document)[-1][-1] == "99.7"
    # It says on every page that it is a copy, and under the title of which record.
    assert header_text(document) == (COPY_HEADER, COPY_HEADER)
    notice = [p for p in document.paragraphs if p.style.name == page.STYLE_NOTE]
    assert len(notice) == 1
    approved_on = submission_summary.issued_on(snapshot.created_at)
    assert f"本文件为{approved_on}审批定稿的绩效评价报告的可编辑副本" in notice[0].text
    assert "正式文本以系统存档的定稿PDF为准" in notice[0].text
    assert f"SHA-256：{snapshot.pdf_sha256}" in notice[0].text
    assert [p.text for p in document.paragraphs].index(notice[0].text) == 1   # right under the title
    assert "草稿" not in text
    assert snapshot.pdf_sha256 in document.core_properties.comments
    assert_official_page(document)
    # The PDF is still the frozen one.
    assert signed_in(app, org.office).get(f"/evaluations/{evaluation.id}/report.pdf").data == snapshot.pdf


def test_report_data_reads_a_snapshot(mine):
    """report_data(serialized=…) prints what the serialisation says, not the live rows."""
    _org, evaluation = mine
    from workflow.selfeval import content

    serialized = content.serialize(evaluation)
    serialized["narrative"]["overview"] = "快照中的项目概况。"
    serialized["total_score"] = "88.5"
    data = reports.report_data(evaluation, serialized=serialized)
    assert data["sections"][0]["paragraphs"] == ["快照中的项目概况。"] and data["total_score"] == "88.5"
    assert reports.report_data(evaluation)["total_score"] == "99.7"


def test_the_report_docx_is_refused_to_whoever_is_refused_the_pdf(app, mine):
    org, evaluation = mine
    # Each answer once: allowed (a PDF is rendered), refused by the evaluation's rule, by role.
    for user in (org.staff_a, org.staff_b, org.finance):
        client = signed_in(app, user)
        pdf = client.get(f"/evaluations/{evaluation.id}/report.pdf").status_code
        assert client.get(f"/evaluations/{evaluation.id}/report.docx").status_code == pdf, user.username
    assert signed_in(app, org.staff_b).get(f"/evaluations/{evaluation.id}/report.docx").status_code == 403
    anonymous = app.test_client().get(f"/evaluations/{evaluation.id}/report.docx")
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]
    assert signed_in(app, org.office).get("/evaluations/999999/report.docx").status_code == 404
    page_html = signed_in(app, org.staff_a).get(f"/evaluations/{evaluation.id}").get_data(as_text=True)
    assert f'href="/evaluations/{evaluation.id}/report.docx"' in page_html and "评价报告草稿（Word）" in page_html


def test_user_text_is_text_in_word(mine):
    _org, evaluation = mine
    evil = '<w:p>&amp; <b>粗体</b>]]>'
    for section in evaluation.narrative:
        if section.key == "overview":
            section.text = evil
    db.session.commit()
    document = read(build_report(reports.report_data(evaluation)))
    assert evil in [p.text for p in document.paragraphs]


def test_the_report_in_word_is_the_bureaus_document(mine):
    """The organisation's line above the title, the preamble, the 附件说明, issuer and date, in
    the PDF's order."""
    _org, evaluation = mine
    evaluation.project.plan.title = "承德市应急管理局2020年市级预算绩效部门重点评价工作方案"
    data = reports.report_data(evaluation)
    document = read(build_report(data))
    assert document.paragraphs[0].text.split("\n")[0] == "承德市应急管理局"
    assert document.paragraphs[1].text == data["preamble"][0]
    texts = [p.text for p in document.paragraphs]
    note = f"附表：{PROJECT}绩效评价指标评分表"
    assert texts.index(note) < texts.index("承德市应急管理局") < texts.index(data["date_text"]) < texts.index("附表")
    issuer, day = paragraph_with(document, "承德市应急管理局"), paragraph_with(document, data["date_text"])
    assert near(day.paragraph_format.left_indent, issuer.paragraph_format.left_indent + 2 * page.CHARACTER)


# The work plan ---------------------------------------------------------------------------------


@pytest.fixture
def seed_plan(app):
    org = factories.make_org()
    return org, factories.make_seed_plan(org)


def test_the_work_plan_holds_the_pdfs_text(seed_plan):
    _org, plan = seed_plan
    document = read(render_workplan_docx(plan))
    assert_text_is_the_pdfs(document, workplan.render_workplan(plan))
    assert document.paragraphs[0].text == "承德市应急管理局\n2020年市级预算绩效部门重点评价\n工作方案"
    for heading in ("一、组织领导", "二、评价原则", "六、评价依据"):
        assert paragraph_with(document, heading).style.name == "Heading 1"
    assert paragraph_with(document, "（一）准备阶段（6月10日—6月30日）").style.name == "Heading 2"
    text = full_text(document)
    for expected in ("组长：姜立新", "副组长：闫洪涛曲志清", "办公室设在规划财务科", "承财评价〔2020〕6号"):
        assert squeeze(expected) in text, expected
    assert_official_page(document)


def test_the_work_plan_docx_is_refused_to_whoever_is_refused_the_pdf(app, seed_plan):
    org, plan = seed_plan
    for user in (org.staff_a, org.admin):
        client = signed_in(app, user)
        pdf = client.get(f"/plans/{plan.id}/workplan.pdf").status_code
        response = client.get(f"/plans/{plan.id}/workplan.docx")
        assert response.status_code == pdf, user.username
    assert signed_in(app, org.admin).get(f"/plans/{plan.id}/workplan.docx").status_code == 403
    response = signed_in(app, org.finance).get(f"/plans/{plan.id}/workplan.docx")
    assert response.status_code == 200 and response.mimetype == DOCX
    assert response.headers["Content-Disposition"].endswith(".docx")
    assert app.test_client().get(f"/plans/{plan.id}/workplan.docx").status_code == 302
    assert signed_in(app, org.office).get("/plans/999999/workplan.docx").status_code == 404
    html = signed_in(app, org.office).get(f"/plans/{plan.id}").get_data(as_text=True)
    assert f"/plans/{plan.id}/workplan.docx" in html and "工作方案（Word）" in html


# The meeting documents -------------------------------------------------------------------------


@pytest.fixture
def setup(app):
    org, plan = factories.make_setup()
    plan.office_section_id = org.office_section.id
    db.session.commit()
    return org, plan


def test_the_notice_holds_the_pdfs_text_and_its_registration_form(setup):
    org, plan = setup
    meeting = make_meeting(plan, org, reply_by=date(2020, 6, 18), issuer="承德市应急管理局绩效评价工作小组")
    meetings.reply(meeting, org.staff_a, meetings.ReplyData(attending=True, name="原立吉", unit="非煤矿山安全监督管理科",
                                                            title="科员", phone="0314-2150000"))
    document = read(meeting_word.render_notice_docx(meeting))
    assert_text_is_the_pdfs(document, meeting_documents.render_notice(meeting))
    assert document.paragraphs[0].text.replace("\n", "") == f"关于召开{TITLE}的通知"
    text = full_text(document)
    for expected in ("局机关各科室：", "会议时间：2020年6月20日上午9:00", f"会议地点：{PLACE}", "参加人员：原立吉王建华王士学",
                     "附件：培训登记表", "承德市应急管理局绩效评价工作小组", "2020年6月15日"):
        assert squeeze(expected) in text, expected
    assert paragraph_with(document, "局机关各科室：").paragraph_format.first_line_indent is None   # flush left
    assert document.styles[page.STYLE_FLUSH].paragraph_format.first_line_indent == 0
    label = paragraph_with(document, "附件")
    assert label.paragraph_format.page_break_before and label.style.name == page.STYLE_ANNEX_LABEL
    assert_names_the_font(document, page.STYLE_ANNEX_LABEL, "黑体", Pt(16))
    [table] = document.tables
    assert_tables_have_borders_and_repeat_their_heading(table)
    rows = cells(document)
    assert rows[0] == ["序号", "姓名", "单位/科室", "职务", "联系电话", "是否参加", "备注"]
    assert rows[1] == ["1", "原立吉", "非煤矿山安全监督管理科", "科员", "0314-2150000", "", ""]
    assert rows[-1] == [""] * 7   # empty rows for the paper copy
    assert header_text(document) == ("", "")   # published: no draft mark
    assert_official_page(document)


def test_an_unpublished_notice_says_draft(setup):
    org, plan = setup
    meeting = make_meeting(plan, org, publish=False)
    document = read(meeting_word.render_notice_docx(meeting))
    assert all("草稿" in text for text in header_text(document))


def test_the_sign_in_sheet_holds_the_pdfs_text_with_an_empty_signature_column(setup):
    org, plan = setup
    meeting = busy_meeting(org, plan)
    now = bj(6, 20, 12)
    document = read(meeting_word.render_signin_sheet_docx(meeting, now=now))
    assert_text_is_the_pdfs(document, meeting_documents.render_signin_sheet(meeting, now=now))
    assert document.paragraphs[0].text == f"{TITLE}签到表"
    info, sheet = document.tables
    assert info._tbl.tblPr.find(qn("w:tblBorders")) is None   # the facts above the table: no grid
    assert [c.text for c in info.rows[0].cells][:2] == ["会议名称", TITLE]
    assert_tables_have_borders_and_repeat_their_heading(sheet)
    rows = [[cell.text for cell in row.cells] for row in sheet.rows]
    assert rows[0] == ["序号", "姓名", "单位/科室", "职务", "联系电话", "签到时间", "签名", "备注"]
    signed = {row[1]: row for row in rows[1:]}
    assert signed["原立吉"][5] == "08:50" and signed["王建华"][5] == "09:07"
    assert all(row[6] == "" for row in rows[1:])   # 签名 is for the pen
    assert any("应到" in p.text and "实到" in p.text for p in document.paragraphs)
    assert_official_page(document)


def test_the_meeting_docx_are_refused_to_whoever_is_refused_the_pdf(app, setup):
    org, plan = setup
    meeting = make_meeting(plan, org, publish=False)
    clients = {user.username: signed_in(app, user) for user in (org.office, org.staff_a, org.outsider, org.leader)}

    def statuses(document):
        return {name: (client.get(f"/meetings/{meeting.id}/{document}.pdf").status_code,
                       client.get(f"/meetings/{meeting.id}/{document}.docx").status_code)
                for name, client in clients.items()}

    before = statuses("notice")
    assert all(pdf == word for pdf, word in before.values()), before
    assert before["staff_a"] == (403, 403) and before["office"] == (200, 200)
    meetings.publish(meeting, org.office)
    after = statuses("notice")
    assert all(pdf == word for pdf, word in after.values()), after
    assert after["staff_a"] == (200, 200) and after["outsider"] == (403, 403)
    sheet = statuses("signin-sheet")
    assert all(pdf == word for pdf, word in sheet.values()), sheet
    assert sheet["office"] == (200, 200) and sheet["staff_a"] == (403, 403) and sheet["leader"] == (403, 403)
    office = clients["office"]
    response = office.get(f"/meetings/{meeting.id}/notice.docx")
    assert response.mimetype == DOCX and response.headers["Content-Disposition"].endswith(".docx")
    for document in ("notice", "signin-sheet"):
        assert app.test_client().get(f"/meetings/{meeting.id}/{document}.docx").status_code == 302
        assert office.get(f"/meetings/999999/{document}.docx").status_code == 404
    assert f"/meetings/{meeting.id}/notice.docx" in office.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    attendance = office.get(f"/meetings/{meeting.id}/attendance").get_data(as_text=True)
    assert f"/meetings/{meeting.id}/signin-sheet.docx" in attendance and "导出签到表（Word）" in attendance


# The submission summary ------------------------------------------------------------------------


@pytest.fixture
def submitted(app):
    org, plan = factories.make_setup()
    evaluations = [factories.make_approved(plan, org, "应急物资储备项目", org.section_a, "100", "80"),
                   factories.make_approved(plan, org, PROJECT, org.section_b, "206.632", "172.743")]
    submission, refused = submissions.compose(plan, [e.id for e in evaluations], "2019年度第一批", "请审核。", org.office)
    assert not refused
    return org, submission


def test_the_summary_holds_the_pdfs_text_and_table(submitted):
    org, submission = submitted
    from workflow.submissions import services as submission_services

    submission_services.set_document(submission, "承应急〔2020〕12号", "姜立新", org.office)
    document = read(render_summary_docx(submission))
    assert_text_is_the_pdfs(document, submission_summary.render_summary(submission))
    data = submission_summary.summary_data(submission)
    # A report upward: its 发文字号 and 签发人 on one line above the title, the signer at a
    # right tab one character in from the right edge.
    number_line = document.paragraphs[0]
    assert number_line.text == "承应急〔2020〕12号\t签发人：姜立新"
    assert near(number_line.paragraph_format.left_indent, page.CHARACTER)
    (stop,) = number_line.paragraph_format.tab_stops
    assert near(stop.position, page.TEXT_WIDTH - page.CHARACTER)
    assert document.paragraphs[1].text == "\n".join(data["title_lines"])
    text = full_text(document)
    for expected in ("市财政局：", "本次报送项目2个", f"全年预算数合计{data['budget']}万元", "请审核。",
                     "附件：2019年度第一批项目绩效评价结果汇总表", "单位：万元"):
        assert squeeze(expected) in text, expected
    [table] = document.tables
    assert_tables_have_borders_and_repeat_their_heading(table)
    rows = cells(document)
    assert rows[0] == ["序号", "项目名称", "责任科室", "全年预算数", "全年执行数", "执行率", "得分", "评价\n等级",
                       "预算安排\n建议"]
    assert rows[1][-1] == rows[2][-1] == "优先保障"   # both approved at 优 (workflow/results/advice.py)
    assert rows[2][:5] == ["2", PROJECT, factories.SECTION_B, "206.632", "172.743"]
    assert rows[-1][:4] == ["合计（2个项目）"] * 3 + [data["budget"]]
    assert_official_page(document)


def test_the_summary_docx_is_refused_to_whoever_is_refused_the_pdf(app, submitted):
    org, submission = submitted
    for user in (org.leader, org.staff_a, org.reviewer, org.admin):
        client = signed_in(app, user)
        pdf = client.get(f"/submissions/{submission.id}/summary.pdf").status_code
        assert client.get(f"/submissions/{submission.id}/summary.docx").status_code == pdf, user.username
    assert signed_in(app, org.reviewer).get(f"/submissions/{submission.id}/summary.docx").status_code == 403
    response = signed_in(app, org.finance).get(f"/submissions/{submission.id}/summary.docx")
    assert response.status_code == 200 and response.mimetype == DOCX
    assert app.test_client().get(f"/submissions/{submission.id}/summary.docx").status_code == 302
    assert signed_in(app, org.office).get("/submissions/999999/summary.docx").status_code == 404
    html = signed_in(app, org.leader).get(f"/submissions/{submission.id}").get_data(as_text=True)
    assert f'href="/submissions/{submission.id}/summary.docx"' in html and "报送汇总表（Word）" in html


# The page itself -------------------------------------------------------------------------------


def test_the_font_table_names_a_stand_in_for_each_official_font():
    document = page.OfficialDocument("测试")
    fonts = {font.get(qn("w:name")): font for font in document.document.part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable").element}
    for name, alternative in page.ALTERNATIVE_NAMES.items():
        assert fonts[name].find(qn("w:altName")).get(qn("w:val")) == alternative
        assert fonts[name].find(qn("w:charset")).get(qn("w:val")) == "86"
    # And it survives saving and reading back.
    assert "仿宋_GB2312" in read(document.to_bytes()).part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable").blob.decode("utf-8")


def test_several_attachments_are_numbered_and_aligned():
    document = page.OfficialDocument("测试")
    document.attachment_note(["培训登记表", "会议议程"])
    first, second = document.document.paragraphs
    assert (first.text, second.text) == ("附件：1.培训登记表", "2.会议议程")
    # Both names start at the same place: two characters in, after "附件：1.".
    for paragraph in (first, second):
        assert near(paragraph.paragraph_format.left_indent, 2 * page.CHARACTER + page.text_width("附件：1."))
    assert near(first.paragraph_format.first_line_indent, -page.text_width("附件：1."))
    assert near(second.paragraph_format.first_line_indent, -page.text_width("2."))
    assert first.paragraph_format.space_before == page.LINE   # a blank line under the body


def test_the_file_keeps_nothing_of_python_docx_template_but_what_it_uses():
    """No thumbnail of another document, no Word 2010 copy of the template's styles; the
    properties say what the file is."""
    import zipfile

    data = page.OfficialDocument("关于召开培训会议的通知").to_bytes()
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert not [name for name in names if "thumbnail" in name or "stylesWithEffects" in name], names
    properties = read(data).core_properties
    assert (properties.title, properties.author, properties.language) == ("关于召开培训会议的通知", "绩效评价工作台", "zh-CN")
