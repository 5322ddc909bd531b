"""Every workbook as a clerk prints it: the seed's (the demo's) workbooks opened in Debian's
LibreOffice, headless, and printed to PDF in one soffice call. The 签到表 and the 培训登记表
take one A4 page each for the seed's eleven people, every 自评表 at most two; every page
carries the document's name and "第 n 页 共 m 页"; the indicators' header is printed only on
pages that hold indicators. And no wrapped cell's text is taller than its row, by the rule
the exporters size rows with (workflow/excel/layout.py), nor does a header label break
inside itself."""
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from tests.conftest import _plain_report, truncate_all
from tests.office_convert import convert
from workflow import demo
from workflow.documents import reports
from workflow.excel import exporter, form, importer, layout
from workflow.extensions import db
from workflow.meetings import export as meeting_export
from workflow.meetings.demo import TITLE as MEETING_TITLE
from workflow.models import Evaluation, Meeting, Plan, Project, Section, User

pytestmark = pytest.mark.office

MINE = "2019年度金属非金属矿山“专家会诊”隐患排查项目"  # submitted: a draft
APPROVED = "危险化学品重大危险源监测预警项目"
RETURNED = "应急物资储备项目"
LONG_TEXT = "主要是预算不准确，导致出现剩余资金。计划排查企业由于停产、环境整治、证照到期等原因不能按计划实施。" * 6


def _evaluation(name):
    return db.session.scalar(select(Evaluation).join(Project).where(Project.name == name))


@pytest.fixture(scope="module")
def printed(app, tmp_path_factory):
    """{name: (xlsx bytes, PDF reader)} of every workbook of the seed, built from the demo
    data (which is then removed) and printed by LibreOffice in one call."""
    folder = tmp_path_factory.mktemp("workbooks")
    books = {}
    with app.app_context(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(reports, "render", _plain_report)  # the approval's report is not what is tested
        try:
            demo.load_demo()
            plan = db.session.scalar(select(Plan))
            office = db.session.scalar(select(User).where(User.username == "yanhongtao"))
            meeting = db.session.scalar(select(Meeting))
            assert len(meeting.invitees) == 11
            books["签到表"] = meeting_export.signin_sheet_xlsx(meeting)
            books["培训登记表"] = meeting_export.blank_registration_form(MEETING_TITLE)
            for key, name in (("自评表-草稿", MINE), ("自评表-已审批", APPROVED), ("自评表-已退回", RETURNED)):
                books[key] = form.self_evaluation_workbook(_evaluation(name))
            # The mine's form again with long closing texts: the closing part no longer fits
            # below the last indicators, and must not start a page under a bare header.
            mine = _evaluation(MINE)
            for section in mine.narrative:
                if section.key in ("conclusion", "problems", "measures"):
                    section.text = LONG_TEXT
            books["自评表-长结论"] = form.self_evaluation_workbook(mine)
            books["汇总表"] = exporter.summary_workbook(plan, office)
            books["导入模板"] = importer.template_workbook(plan, db.session.scalars(select(Section)).all())
        finally:
            db.session.rollback()
            db.session.remove()
            truncate_all()
    paths = []
    for key, data in books.items():
        path = folder / f"{key}.xlsx"
        path.write_bytes(data)
        paths.append(path)
    pdfs = convert(paths, "pdf", folder / "pdf", folder / "profile")
    return {key: (data, PdfReader(str(pdf))) for (key, data), pdf in zip(books.items(), pdfs)}


def pages_text(reader):
    return ["".join(page.extract_text().split()) for page in reader.pages]


def a4(page, landscape):
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    if landscape:
        width, height = height, width
    return abs(width - 595.3) < 2 and abs(height - 841.9) < 2


def test_the_sign_in_sheet_is_one_landscape_page_with_every_name_beside_its_signature(printed):
    data, reader = printed["签到表"]
    assert len(reader.pages) == 1
    assert a4(reader.pages[0], landscape=True)
    (text,) = pages_text(reader)
    assert f"{MEETING_TITLE}签到表" in text
    assert "会议名称：" in text and "主办单位：" in text
    for column in ("序号", "姓名", "单位/科室", "签名", "备注"):
        assert column in text
    for name in ("闫洪涛", "曲志清", "任志华", "王建华", "李东阳", "原立吉", "王旭", "张玉坤", "龚健", "王士学", "朱丽丽"):
        assert name in text
    assert "第1页共1页" in text


def test_the_registration_form_is_one_portrait_page(printed):
    _data, reader = printed["培训登记表"]
    assert len(reader.pages) == 1
    assert a4(reader.pages[0], landscape=False)
    (text,) = pages_text(reader)
    assert f"{MEETING_TITLE}培训登记表" in text and "是否参加" in text and "第1页共1页" in text


@pytest.mark.parametrize("key", ["自评表-草稿", "自评表-已审批", "自评表-已退回", "自评表-长结论"])
def test_a_self_evaluation_form_takes_at_most_two_pages(printed, key):
    data, reader = printed[key]
    assert 1 <= len(reader.pages) <= (3 if key == "自评表-长结论" else 2)
    assert all(a4(page, landscape=True) for page in reader.pages)
    texts = pages_text(reader)
    ws = load_workbook(io.BytesIO(data)).active
    header = next(cell.row for cell in ws["A"] if cell.value == "一级指标")
    total = next(cell.row for cell in ws["A"] if cell.value == "总分")
    names = [ws.cell(row=r, column=3).value for r in range(header + 1, total) if ws.cell(row=r, column=3).value]
    for number, text in enumerate(texts, start=1):
        assert f"第{number}页共{len(texts)}页" in text
        assert "项目支出绩效自评表" in text
        if "偏差原因分析及改进措施" in text:
            # the header is printed only above indicator rows
            assert any("".join(name.split()) in text for name in names), f"page {number}: a header over no indicator"
    assert "单位负责人：" in texts[-1] and "单位（盖章）：" in texts[-1]
    if key == "自评表-长结论":
        # The closing part would start a page of its own under a bare header: the 效益 group
        # (the last indicators, kept whole) goes to its page with it.
        assert [b.id for b in ws.row_breaks.brk] == [next(c.row for c in ws["A"] if c.value == "效益") - 1]
        assert "偏差原因分析及改进措施" in texts[-1] and "项目实施的经济效益" in texts[-1]
    else:
        assert not ws.row_breaks.brk  # the closing part follows the indicators on page 2
    draft = "草稿·未审批" in "".join(texts)
    assert draft == (key != "自评表-已审批")


def test_the_summary_and_the_template_print_on_a4_with_their_names(printed):
    for key, name in (("汇总表", "项目绩效自评汇总表"), ("导入模板", "评价项目导入")):
        _data, reader = printed[key]
        texts = pages_text(reader)
        assert all(a4(page, landscape=True) for page in reader.pages[:1])
        assert name in texts[0] and f"第1页共{len(texts)}页" in texts[0]
    assert len(printed["汇总表"][1].pages) == 1


def test_no_wrapped_text_is_taller_than_its_row_in_any_workbook(printed):
    for key, (data, _reader) in printed.items():
        for ws in load_workbook(io.BytesIO(data)).worksheets:
            assert layout.too_short(ws) == [], (key, ws.title)


def test_no_header_label_breaks_inside_itself(printed):
    """A bold label (a column's or a row's heading) keeps each of its lines whole: 项目资金 /
    （万元）, never 项目资金（万 / 元）."""
    for key, (data, _reader) in printed.items():
        for ws in load_workbook(io.BytesIO(data)).worksheets:
            for cell, width, _first, _last in layout.wrapped_cells(ws):
                if cell.font.b and isinstance(cell.value, str):
                    lines = cell.value.split("\n")
                    assert layout.line_count(cell.value, width, cell.font.sz or 11) == len(lines), (
                        key, ws.title, cell.coordinate, cell.value, width)


def shown(value, number_format):
    """A number as its format shows it (the formats the exporters write)."""
    fmt = number_format or "General"
    suffix = ""
    if '"' in fmt:
        fmt, suffix = fmt.split('"')[0], fmt.split('"')[1]
    if fmt.endswith("%"):
        places = len(fmt.split(".")[1]) - 1 if "." in fmt else 0
        return f"{value * 100:.{places}f}%" + suffix
    if fmt.startswith("0"):
        places = len(fmt.split(".")[1]) if "." in fmt else 0
        return f"{value:.{places}f}" + suffix
    return str(value) + suffix


def test_every_number_fits_its_column(printed):
    """A number wider than its column prints as ###: each one fits, as its format shows it."""
    for key, (data, _reader) in printed.items():
        for ws in load_workbook(io.BytesIO(data)).worksheets:
            spans = {(r.min_row, r.min_col): r.max_col for r in ws.merged_cells.ranges}
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, bool) or not isinstance(cell.value, (int, float)):
                        continue
                    last = spans.get((cell.row, cell.column), cell.column)
                    width = sum(layout.column_width(ws, c) for c in range(cell.column, last + 1))
                    text = shown(cell.value, cell.number_format)
                    size = cell.font.sz or 11
                    assert layout.text_width(text, size) <= layout.usable_width(width), (
                        key, ws.title, cell.coordinate, text, width)
