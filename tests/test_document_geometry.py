"""GB/T 9704's geometry measured in every kind of PDF the documents make (report, 工作方案,
notice with its 培训登记表, 签到表, 报送汇总表), each rendered once from the seed's data:
justified body lines of 28 characters on the 22-line pitch, titles broken between words
without a stranded tail, and the notice's 署名 and date where the rule puts them. And the
title breaking itself (documents.titles) on the seed's titles and the issue's bad breaks."""
import math

import pytest

from tests import factories
from tests.pdf_checks import (BLOCK, CHARACTER, MM, TITLE_MAX_CHARACTERS, assert_body_geometry,  # noqa: F401
                              assert_official_page, assert_signoff, assert_title, body_lines, prepared_fonts,
                              text_lines, title_lines_of)
from tests.test_meetings import make_meeting
from tests.test_submission_package import PROJECTS
from workflow import clock, demo, demo_content
from workflow.documents import meeting as meeting_documents
from workflow.documents import reports, submission_summary, titles, workplan
from workflow.extensions import db
from workflow.meetings import demo as meeting_demo
from workflow.meetings import services
from workflow.submissions import services as submissions

MINE = "2019年度金属非金属矿山“专家会诊”隐患排查项目"


@pytest.fixture(scope="module")
def documents(app, prepared_fonts):  # noqa: F811
    """{kind: (PDF, its data)} for every document kind, from the seed's texts; made once for
    the module (rendering is what takes the time), the tables emptied afterwards."""
    from tests.conftest import truncate_all

    made = {}
    with app.app_context():
        org, plan = factories.make_setup()
        plan.title = demo.PLAN_TITLE
        plan.basis_documents = list(demo.BASIS_DOCUMENTS)
        plan.principles, plan.method, plan.requirements = demo.PRINCIPLES, demo.METHOD, demo.REQUIREMENTS
        plan.office_section_id = org.office_section.id
        demo_content.adjust_plan_framework(plan)
        db.session.commit()
        made["workplan"] = (workplan.render_workplan(plan), workplan.workplan_data(plan))

        evaluation = factories.make_project(plan, MINE, org.section_a, org.office).evaluation
        demo_content.fill_mine_project(evaluation)
        made["report"] = (reports.render_report(evaluation), reports.report_data(evaluation))

        meeting = make_meeting(plan, org, title=meeting_demo.TITLE, purpose=meeting_demo.PURPOSE,
                               addressee=meeting_demo.ADDRESSEE, place=meeting_demo.PLACE,
                               issuer=meeting_demo.ISSUER, issued_on=meeting_demo.ISSUED_ON,
                               arrangements="请各科室高度重视，认真组织相关人员按时参加培训，不得无故缺席，确有特殊"
                                            "情况不能参加的，须提前向绩效评价工作小组办公室请假。\n"
                                            "请参会人员提前10分钟到场，会议期间请将手机调至静音状态。")
        made["notice"] = (meeting_documents.render_notice(meeting), meeting_documents.notice_data(meeting))
        made["signin"] = (meeting_documents.render_signin_sheet(meeting), meeting_documents.signin_sheet_data(meeting))

        sections = {"a": org.section_a, "b": org.section_b}
        approved = [factories.make_approved(plan, org, name, sections[key], budget, executed)
                    for name, key, budget, executed in PROJECTS if name != MINE]   # MINE has its own
        submission, _refused = submissions.compose(plan, [e.id for e in approved], "2019年度第一批",
                                                   "请审核。\n如有问题请联系规划财务科。", org.office)
        made["summary"] = (submission_summary.render_summary(submission), submission_summary.summary_data(submission))
        db.session.rollback()
        db.session.remove()
        truncate_all()
    clock.freeze(None)
    return made


# The body: justified, 28 a line, 22 lines a page -------------------------------------------------


@pytest.mark.parametrize("kind", ["report", "workplan", "notice", "summary"])
def test_body_lines_fill_the_block_on_the_grid(documents, kind):
    pdf, _data = documents[kind]
    continued = [line for line, _after in assert_body_geometry(pdf)]
    # The indented first lines are measured too: 2 characters of indent, then 26.
    if kind in ("report", "workplan", "notice"):
        assert any(line.starts_indented and line.full_width and len(line.text) == 26 for line in continued), kind
    assert_official_page(pdf)


def test_a_full_page_of_the_report_holds_22_lines(documents):
    pdf, _data = documents["report"]
    pages = body_lines(text_lines(pdf))
    full = [page for page in pages[1:] if page and round((page[-1].baseline - page[0].baseline) / 28.95) == 21]
    assert full, [len(page) for page in pages]


def test_the_sign_in_sheet_is_a_table_under_its_title(documents):
    """The sheet has no running text to justify (its lines are the table's): its title and
    page are what GB/T 9704 asks of it."""
    pdf, data = documents["signin"]
    assert_title(pdf, data["heading_lines"])
    assert_official_page(pdf)


# Titles ------------------------------------------------------------------------------------------


def test_every_document_sets_its_title_in_the_lines_title_lines_gives(documents):
    report, report_data = documents["report"]
    # The organisation's line first, as the seed's report has it.
    assert report_data["title_lines"] == ["承德市应急管理局", "2019年度金属非金属矿山“专家会诊”", "隐患排查项目绩效评价报告"]
    assert_title(report, report_data["title_lines"])
    notice, notice_data = documents["notice"]
    assert notice_data["heading_lines"] == ["关于召开预算重点项目", "绩效评价工作培训会议的通知"]
    assert_title(notice, notice_data["heading_lines"])
    summary, summary_data = documents["summary"]
    assert summary_data["title_lines"] == [f"关于报送{summary_data['budget_year']}年度预算项目", "绩效评价结果的报告"]
    assert_title(summary, summary_data["title_lines"])
    plan, plan_data = documents["workplan"]
    assert plan_data["title_lines"] == ["承德市应急管理局", "2020年市级预算绩效部门重点评价", "工作方案"]
    assert_title(plan, plan_data["title_lines"])


def test_attachment_titles_are_set_whole(documents):
    notice, data = documents["notice"]
    # The registration form, on the page after the notice: the last page's title.
    assert title_lines_of(notice, page=len(text_lines(notice))) == data["form"]["name_lines"] == ["培训登记表"]
    report, data = documents["report"]
    title = data["annex_title_lines"]
    # The 附表's title in the title's 2号: 20 characters a line, broken between words.
    assert title == ["2019年度金属非金属矿山“专家会诊”", "隐患排查项目绩效评价指标评分表"]
    annex = next(number for number, page in enumerate(text_lines(report), start=1)
                 if any(line.text == "附表" for line in page))
    assert_title(report, title, page=annex)
    summary, data = documents["summary"]
    annex = next(number for number, page in enumerate(text_lines(summary), start=1)
                 if any(line.text == "附件" for line in page))
    assert "".join(title_lines_of(summary, page=annex)) == data["table_title"]


def test_no_title_line_is_a_short_tail(documents):
    for kind, (pdf, _data) in documents.items():
        for page in text_lines(pdf):
            title = [line for line in page if abs(line.size - 22) < 0.3]
            if len(title) > 1:
                assert all(len(line.text) > 3 for line in title), (kind, [line.text for line in title])


SEED_TITLES = [
    ("关于召开预算重点项目绩效评价工作培训会议的通知", ["关于召开预算重点项目", "绩效评价工作培训会议的通知"]),
    ("2019年度金属非金属矿山“专家会诊”隐患排查项目绩效评价报告",
     ["2019年度金属非金属矿山“专家会诊”", "隐患排查项目绩效评价报告"]),
    ("关于报送2020年度预算项目绩效评价结果的报告", ["关于报送2020年度预算项目", "绩效评价结果的报告"]),
    ("预算重点项目绩效评价工作培训会议签到表", ["预算重点项目绩效评价工作培训会议签到表"]),
]


@pytest.mark.parametrize("title, lines", SEED_TITLES)
def test_titles_break_as_the_seed_breaks_them(title, lines):
    assert titles.title_lines(title) == lines


def test_the_issues_bad_breaks_do_not_happen():
    notice = titles.title_lines("关于召开预算重点项目绩效评价工作培训会议的通知")
    report = titles.title_lines(MINE + "绩效评价报告")
    assert notice[-1] != "的通知" and not notice[0].endswith("会议")
    assert not any(line.endswith("隐患") for line in report) and report[-1] != "报告"
    for lines in (notice, report):
        assert all(len(line) > 3 for line in lines)


def test_the_workplan_title_keeps_the_seeds_three_lines():
    assert workplan.title_lines(demo.PLAN_TITLE, "承德市应急管理局") == [
        "承德市应急管理局", "2020年市级预算绩效部门重点评价", "工作方案"]


def test_a_title_that_fits_stays_on_one_line_and_long_ones_fit_the_block():
    assert titles.title_lines("关于召开预算绩效工作会议的通知") == ["关于召开预算绩效工作会议的通知"]
    long = "关于召开" + "承德市应急管理局预算重点项目绩效评价工作" * 4 + "培训会议的通知"
    lines = titles.title_lines(long)
    assert "".join(lines) == long and len(lines) == math.ceil(titles.width(long) / TITLE_MAX_CHARACTERS)
    assert all(titles.width(line) <= TITLE_MAX_CHARACTERS for line in lines)
    assert all(len(line) > 3 for line in lines)
    widths = [titles.width(line) for line in lines]
    assert max(widths) - min(widths) <= 4   # balanced, not three full lines and a tail


def test_the_writer_sets_the_break_with_a_bar():
    assert titles.title_lines("关于召开预算重点项目绩效评价|工作培训会议的通知") == [
        "关于召开预算重点项目绩效评价", "工作培训会议的通知"]
    assert titles.plain_title("关于召开预算重点项目绩效评价|工作培训会议的通知") == "关于召开预算重点项目绩效评价工作培训会议的通知"
    assert workplan.title_lines("承德市应急管理局|2020年市级预算绩效部门重点评价工作方案", "承德市应急管理局") == [
        "承德市应急管理局", "2020年市级预算绩效部门重点评价工作方案"]


def test_a_number_a_quotation_and_a_single_character_stay_with_their_words():
    pieces = titles.pieces(MINE + "绩效评价报告")
    assert "2019年度" in pieces and "“专家会诊”" in pieces and "非金属矿山" in pieces
    assert "的通知" in titles.pieces("关于召开培训会议的通知")
    # The 22 pt line of 20 characters is what 156 mm holds.
    assert int(BLOCK[2] - BLOCK[0]) // 22 == TITLE_MAX_CHARACTERS == int(titles.BLOCK_WIDTH_PT // 22)


# 署名 and 成文日期 ---------------------------------------------------------------------------------


def test_the_notice_signs_off_as_an_unsealed_document(documents):
    pdf, data = documents["notice"]
    issuer, date = assert_signoff(pdf, data["issuer"], data["issued_on_text"])
    # The issuer is the longer: it ends two characters from the right, the date starts two
    # characters in from the issuer's start.
    assert issuer.x1 == pytest.approx(BLOCK[2] - 2 * CHARACTER, abs=1)
    assert date.x1 < issuer.x1


def test_the_report_signs_off_in_the_departments_name_after_its_attachment_note(documents):
    pdf, data = documents["report"]
    assert data["issuer"] == "承德市应急管理局"
    assert_signoff(pdf, data["issuer"], data["date_text"])
    # The 附件说明 stands one blank line above the 署名, two characters in; the long name
    # wraps under its own first character, not the margin.
    page = next(p for p in body_lines(text_lines(pdf)) if any(line.text == data["issuer"] for line in p))
    index = next(i for i, line in enumerate(page) if line.text == data["issuer"])
    start = next(i for i in range(index, -1, -1) if page[i].text.startswith("附表："))
    note = page[start:index]
    assert "".join(line.text for line in note) == "附表：" + data["annex_name"]
    assert note[0].x0 == pytest.approx(BLOCK[0] + 2 * CHARACTER, abs=1)
    assert len(note) == 2 and note[1].x0 == pytest.approx(note[0].x0 + 3 * CHARACTER, abs=1)


def test_a_long_date_moves_the_issuer_left(app, prepared_fonts):  # noqa: F811
    """A short issuer (科室 name) under a date longer than it: the date ends two characters
    from the right, the issuer's first character two characters left of the date's."""
    org, plan = factories.make_setup()
    meeting = make_meeting(plan, org, issuer="规划科", purpose=meeting_demo.PURPOSE)
    data = meeting_documents.notice_data(meeting)
    issuer, date = assert_signoff(meeting_documents.render_notice(meeting), "规划科", data["issued_on_text"])
    assert date.x1 == pytest.approx(BLOCK[2] - 2 * CHARACTER, abs=1)
    assert BLOCK[2] - issuer.x1 > 2 * CHARACTER + 1 * MM


def test_a_bar_in_the_meeting_title_breaks_the_printed_heading_and_nothing_else(app, prepared_fonts):  # noqa: F811
    org, plan = factories.make_setup()
    meeting = make_meeting(plan, org, title="预算重点项目绩效评价|工作培训会议")
    pdf = meeting_documents.render_notice(meeting)
    assert_title(pdf, ["关于召开预算重点项目绩效评价", "工作培训会议的通知"])
    data = meeting_documents.notice_data(meeting)
    assert data["heading"] == "关于召开预算重点项目绩效评价工作培训会议的通知"
    assert data["form"]["meeting"] == "预算重点项目绩效评价工作培训会议"
    assert "|" not in services.notice_text(meeting)
    sheet = meeting_documents.signin_sheet_data(meeting)
    assert sheet["heading_lines"] == ["预算重点项目绩效评价", "工作培训会议签到表"]
    assert "|" not in sheet["heading"] + sheet["title"]


def test_a_caption_breaks_between_words_at_its_own_size():
    """The demo batch's 汇总表 caption, 3号 over the table: 27 characters a line, so two lines,
    and 重点评价 stays whole."""
    assert titles.title_lines("2020年市级预算绩效部门重点评价结果报送项目绩效评价结果汇总表", size_pt=16) == [
        "2020年市级预算绩效部门重点评价", "结果报送项目绩效评价结果汇总表"]
