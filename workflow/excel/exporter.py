"""Workbooks the application writes: the 项目支出绩效自评表 of one evaluation and a plan's
summary, plus the cell styles the import template shares.

Amounts and scores are written as numbers (Decimal, never text) with number formats, so that
the sheet can be summed in Excel. Every text is written as a text cell through the export
guard (workflow/export_guard.py), never as a formula: a project named "=HYPERLINK(...)" stays
text.
"""
import io
import re
import zipfile
from datetime import timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workflow import export_guard, scoring, zipdates
from workflow.engine.definition import state_def
from workflow.evaluations.services import can_view
from workflow.extensions import db
from workflow.models import Evaluation, Project, Section
from workflow.selfeval import content
from workflow.selfeval.framework import EXECUTION_RATE

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Number formats: 万元 to four places, scores to two, rates as percentages.
AMOUNT_FORMAT = "0.0000"
SCORE_FORMAT = "0.00"
RATE_FORMAT = "0.00%"
RATE_QUANTUM = Decimal("0.000001")

# Fonts every Chinese office has; WPS and LibreOffice map them to what is installed.
BODY_FONT = "宋体"
TITLE_FONT = "黑体"

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
UNDERLINE = Border(bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
TOP_LEFT = Alignment(horizontal="left", vertical="top", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")

FORM_COLUMNS = 10  # A–J: the 绩效指标 table's ten columns set the form's grid


# Cells ------------------------------------------------------------------------------------


def body_font(bold=False, size=11, color=None):
    return Font(name=BODY_FONT, size=size, bold=bold, color=color)


def title_font(size=16):
    return Font(name=TITLE_FONT, size=size, bold=True)


def _target_note(cell, ind):
    """指标解释 and 目标值依据 as the 三级指标 cell's note: the form's columns have no room."""
    from workflow.library.terms import basis_label

    lines = []
    if ind.explanation:
        lines.append(_("指标解释：%(text)s", text=ind.explanation))
    if ind.basis:
        lines.append(_("目标值依据：%(basis)s", basis=basis_label(ind.basis)))
    if lines:
        cell.comment = Comment(export_guard.xlsx_text("\n".join(lines)), _("指标说明"), width=320, height=120)


def put(ws, row, column, value, *, font=None, alignment=None, number_format=None, border=BORDER, fill=None):
    """Write one cell through the export guard: texts are text cells (never formulas),
    Decimals stay numbers."""
    cell = export_guard.put(ws, row, column, value)
    cell.font = font or body_font()
    if alignment is not None:
        cell.alignment = alignment
    if number_format is not None:
        cell.number_format = number_format
    if border is not None:
        cell.border = border
    if fill is not None:
        cell.fill = fill
    return cell


def put_merged(ws, row, first_column, last_column, value, *, last_row=None, **style):
    """Write a value into a merged range and border every cell of it (Excel draws a merged
    range's border from its cells)."""
    last_row = last_row or row
    cell = put(ws, row, first_column, value, **style)
    border = style.get("border", BORDER)
    if border is not None:
        for r in range(row, last_row + 1):
            for c in range(first_column, last_column + 1):
                if (r, c) != (row, first_column):
                    ws.cell(row=r, column=c).border = border
    if last_column > first_column or last_row > row:
        ws.merge_cells(start_row=row, start_column=first_column, end_row=last_row, end_column=last_column)
    return cell


def set_widths(ws, widths):
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def text_height(text, width, line=15, minimum=20, maximum=300):
    """A row height (points) that shows ``text`` in a column ``width`` characters wide;
    a Chinese character takes two."""
    if not text:
        return minimum
    lines = 0
    for paragraph in str(text).splitlines() or [""]:
        units = sum(2 if ord(ch) > 0x2E7F else 1 for ch in paragraph)
        lines += max(1, -(-units // max(int(width), 1)))
    return max(minimum, min(maximum, lines * line + 4))


def _span_width(ws, first_column, last_column):
    return sum(ws.column_dimensions[get_column_letter(c)].width for c in range(first_column, last_column + 1))


def print_setup(ws, title_rows=None):
    """A4 landscape, fitted to the page width, centred, header rows repeated on each page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if title_rows:
        ws.print_title_rows = title_rows


def to_bytes(wb, moment=None):
    """The workbook's bytes. With ``moment`` (aware) the file is the same bytes every time:
    its document properties (created, modified) and its ZIP entries say ``moment``, not the
    time of saving (wb.save() would set modified to now, so the writer is called directly)."""
    buffer = io.BytesIO()
    if moment is None:
        wb.save(buffer)
        return buffer.getvalue()
    wb.properties.created = wb.properties.modified = moment.astimezone(timezone.utc).replace(tzinfo=None)
    ExcelWriter(wb, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    return zipdates.restamp(buffer.getvalue(), zipdates.zip_time(moment))


def safe_filename(name):
    """A download name without path separators or control characters."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", name).strip() or "export"


def amount(value):
    return None if value is None else Decimal(value).quantize(scoring.AMOUNT_QUANTUM)


def rate_of(annual_budget, executed):
    """执行率 as a fraction (Excel shows it as a percentage), or None."""
    if annual_budget is None or executed is None:
        return None
    rate = scoring.execution_rate(Decimal(annual_budget), Decimal(executed))
    return None if rate is None else rate.quantize(RATE_QUANTUM)


def grade_label(code):
    return str(scoring.GRADE_LABELS[code]) if code in scoring.GRADE_LABELS else ""


def organisation(plan):
    """主管部门: the organisation the plan's title begins with (承德市应急管理局 in
    "承德市应急管理局2020年……方案"), or '—'."""
    return plan.organisation or "—"


def local_date(moment):
    if moment is None:
        return ""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return moment.astimezone(zone).strftime("%Y-%m-%d")


# 项目支出绩效自评表 ------------------------------------------------------------------------

NATURE_SIGNS = {scoring.POSITIVE: "≥", scoring.NEGATIVE: "≤", scoring.EQUAL: "="}

# The form's closing text boxes, taken from the report sections of the same key.
NARRATIVE_BOXES = (("conclusion", _l("评价结论")), ("problems", _l("存在问题")), ("measures", _l("改进措施")))


def _nature(ind):
    if ind.kind == EXECUTION_RATE or ind.nature is None:
        return "—"
    if ind.nature == scoring.QUALITATIVE:
        return str(scoring.NATURE_LABELS[scoring.QUALITATIVE])
    return NATURE_SIGNS.get(ind.nature, ind.nature)


def _indicator_values(ind, total_row):
    """(年度指标值, 实际完成值) as the form shows them."""
    if ind.nature == scoring.QUALITATIVE:
        return ind.target_text or "", ind.actual_text or ""
    target, actual = ind.target, ind.actual
    if ind.kind == EXECUTION_RATE and actual is None and total_row is not None:
        rate = rate_of(total_row.annual_budget, total_row.executed)
        actual = None if rate is None else (rate * 100).quantize(scoring.SCORE_QUANTUM)
    return (None if target is None else Decimal(target).normalize(),
            None if actual is None else Decimal(actual).normalize())


def _runs(values):
    """[(start, end)] index ranges of equal, non-empty neighbours."""
    runs, start = [], 0
    for index in range(1, len(values) + 1):
        if index == len(values) or values[index] != values[start] or not values[start]:
            if index - start > 1 and values[start]:
                runs.append((start, index - 1))
            start = index
    return runs


def self_evaluation_workbook(evaluation):
    """The 项目支出绩效自评表 of ``evaluation`` in the official layout; returns the bytes."""
    project = evaluation.project
    plan = project.plan
    rows = content.funding(evaluation)
    total_row = rows.get("total")
    indicators = list(evaluation.indicators)
    rate_indicator = next((ind for ind in indicators if ind.kind == EXECUTION_RATE), None)
    texts = {section.key: section.text for section in evaluation.narrative}

    wb = Workbook()
    ws = wb.active
    ws.title = _("自评表")
    set_widths(ws, (12, 14, 22, 12, 13, 14, 14, 9, 9, 34))
    last = FORM_COLUMNS
    label = dict(font=body_font(bold=True), alignment=CENTER, fill=HEADER_FILL)
    plain = dict(alignment=LEFT)
    centered = dict(alignment=CENTER)

    is_department = evaluation.project.is_department
    put_merged(ws, 1, 1, last, _("部门整体支出绩效自评表") if is_department else _("项目支出绩效自评表"),
               font=title_font(18), alignment=CENTER, border=None)
    ws.row_dimensions[1].height = 32
    put_merged(ws, 2, 1, last, _("（%(year)d年度）", year=project.budget_year), font=body_font(size=12),
               alignment=CENTER, border=None)

    # Header block
    put(ws, 3, 1, _("项目名称"), **label)
    put_merged(ws, 3, 2, last, project.name, **plain)
    put(ws, 4, 1, _("主管部门"), **label)
    put_merged(ws, 4, 2, 5, organisation(plan), **plain)
    put(ws, 4, 6, _("实施单位"), **label)
    put_merged(ws, 4, 7, last, project.section.name if project.section else "—", **plain)
    put(ws, 5, 1, _("项目负责人"), **label)
    put_merged(ws, 5, 2, 5, project.leader_name or "", **plain)
    put(ws, 5, 6, _("评价年度"), **label)
    put_merged(ws, 5, 7, last, _("%(year)d年", year=plan.run_year), **plain)

    # 项目资金（万元）
    put_merged(ws, 6, 1, 1, _("部门预算资金（万元）") if is_department else _("项目资金（万元）"), last_row=10, **label)
    put_merged(ws, 6, 2, 3, "", **label)
    for column, heading in zip(range(4, 10), (_("年初预算数"), _("全年预算数"), _("全年执行数"), _("分值"),
                                              _("执行率"), _("得分"))):
        put(ws, 6, column, heading, **label)
    put(ws, 6, last, "", **label)
    for offset, (kind, kind_label) in enumerate(content.funding_labels(evaluation).items()):
        r = 7 + offset
        row = rows.get(kind)
        put_merged(ws, r, 2, 3, str(kind_label), **plain)
        values = (row.initial_budget, row.annual_budget, row.executed) if row is not None else (None, None, None)
        for column, value in zip((4, 5, 6), values):
            put(ws, r, column, amount(value), alignment=RIGHT, number_format=AMOUNT_FORMAT)
        rate = rate_of(row.annual_budget, row.executed) if row is not None else None
        put(ws, r, 8, rate, alignment=RIGHT, number_format=RATE_FORMAT)
        if kind == "total":
            put(ws, r, 7, rate_indicator.weight if rate_indicator else None, alignment=RIGHT,
                number_format=SCORE_FORMAT)
            put(ws, r, 9, rate_indicator.score if rate_indicator else None, alignment=RIGHT,
                number_format=SCORE_FORMAT)
        else:
            put(ws, r, 7, "—", **centered)
            put(ws, r, 9, "—", **centered)
        put(ws, r, last, "")

    # 年度总体目标
    put_merged(ws, 11, 1, 1, _("年度总体目标"), last_row=12, **label)
    put_merged(ws, 11, 2, 5, _("预期目标"), **label)
    put_merged(ws, 11, 6, last, _("实际完成情况"), **label)
    put_merged(ws, 12, 2, 5, project.overall_target or "", alignment=TOP_LEFT)
    put_merged(ws, 12, 6, last, evaluation.overall_achievement or "", alignment=TOP_LEFT)
    ws.row_dimensions[12].height = max(text_height(project.overall_target, _span_width(ws, 2, 5), minimum=45),
                                       text_height(evaluation.overall_achievement, _span_width(ws, 6, last), minimum=45))

    # 绩效指标
    header_row = 13
    headings = (_("一级指标"), _("二级指标"), _("三级指标"), _("指标性质"), _("度量单位"), _("年度指标值"),
                _("实际完成值"), _("分值"), _("得分"), _("偏差原因分析及改进措施"))
    for column, heading in enumerate(headings, start=1):
        put(ws, header_row, column, heading, **label)
    ws.row_dimensions[header_row].height = 30
    first = header_row + 1
    for index, ind in enumerate(indicators):
        r = first + index
        target, actual = _indicator_values(ind, total_row)
        name = ind.name
        put(ws, r, 1, ind.level1, **centered)
        put(ws, r, 2, ind.level2, **centered)
        put(ws, r, 3, name, **plain)
        _target_note(ws.cell(row=r, column=3), ind)
        put(ws, r, 4, _nature(ind), **centered)
        put(ws, r, 5, ind.unit or "", **centered)
        put(ws, r, 6, target, alignment=CENTER)
        put(ws, r, 7, actual, alignment=CENTER)
        put(ws, r, 8, ind.weight, alignment=RIGHT, number_format=SCORE_FORMAT)
        if ind.applicable:
            put(ws, r, 9, ind.score, alignment=RIGHT, number_format=SCORE_FORMAT)
        else:
            put(ws, r, 9, _("不适用"), **centered)
        put(ws, r, 10, ind.deviation_reason or "", alignment=TOP_LEFT)
        ws.row_dimensions[r].height = max(text_height(ind.deviation_reason, 34), text_height(name, 22))
    level1_runs = _runs([ind.level1 for ind in indicators])
    for start, end in level1_runs:
        ws.merge_cells(start_row=first + start, start_column=1, end_row=first + end, end_column=1)
    in_runs = {index for start, end in level1_runs for index in range(start, end + 1)}
    for index, ind in enumerate(indicators):
        # A row that is its own indicator (预算执行率: no 二级 or 三级 name) spans A–C.
        if index not in in_runs and not ind.level2 and not ind.name:
            put(ws, first + index, 3, "")
            ws.merge_cells(start_row=first + index, start_column=1, end_row=first + index, end_column=3)
    level2_keys = [(ind.level1, ind.level2) if ind.level2 else None for ind in indicators]
    for start, end in _runs(level2_keys):
        ws.merge_cells(start_row=first + start, start_column=2, end_row=first + end, end_column=2)

    # 总分, 评价等级, the closing boxes and the signatures
    r = first + len(indicators)
    put_merged(ws, r, 1, 7, _("总分"), **label)
    put(ws, r, 8, sum((Decimal(ind.weight) for ind in indicators), Decimal(0)), alignment=RIGHT,
        number_format=SCORE_FORMAT, font=body_font(bold=True))
    put(ws, r, 9, evaluation.total_score, alignment=RIGHT, number_format=SCORE_FORMAT, font=body_font(bold=True))
    put(ws, r, 10, "")
    r += 1
    put_merged(ws, r, 1, 7, _("评价等级"), **label)
    put_merged(ws, r, 8, last, grade_label(evaluation.grade), font=body_font(bold=True), alignment=CENTER)
    for key, heading in NARRATIVE_BOXES:
        r += 1
        put(ws, r, 1, str(heading), **label)
        put_merged(ws, r, 2, last, texts.get(key, ""), alignment=TOP_LEFT)
        ws.row_dimensions[r].height = text_height(texts.get(key, ""), _span_width(ws, 2, last), minimum=40)
    r += 2
    signer = evaluation.submitted_by.full_name if evaluation.submitted_by else ""
    signatures = ((1, 2, _("项目负责人："), 3, ""), (4, 5, _("财务负责人："), 6, ""),
                  (7, 7, _("填报人："), 8, signer), (9, 9, _("填报日期："), 10, local_date(evaluation.submitted_at)))
    for label_first, label_last, text, value_column, value in signatures:
        put_merged(ws, r, label_first, label_last, text, font=body_font(bold=True), alignment=RIGHT, border=None)
        put(ws, r, value_column, value, alignment=LEFT, border=UNDERLINE)
    ws.row_dimensions[r].height = 28

    print_setup(ws, title_rows=f"{header_row}:{header_row}")
    ws.print_area = f"A1:{get_column_letter(last)}{r}"
    return to_bytes(wb)


def self_evaluation_filename(evaluation):
    return safe_filename(_("%(name)s-项目支出绩效自评表", name=evaluation.project.name)) + ".xlsx"


# The plan's summary ---------------------------------------------------------------------


def visible_evaluations(plan, user):
    """The plan's evaluations ``user`` may see (the finance bureau: reported ones only), by
    section and name."""
    evaluations = db.session.scalars(
        select(Evaluation).join(Project, Evaluation.project_id == Project.id)
        .join(Section, Project.section_id == Section.id)
        .where(Project.plan_id == plan.id)
        .options(selectinload(Evaluation.funding_rows),
                 selectinload(Evaluation.project).selectinload(Project.section))
        .order_by(Section.sort_order, Section.id, Project.name)
    ).all()
    return [evaluation for evaluation in evaluations if can_view(evaluation, user)]


def summary_workbook(plan, user):
    """One row per evaluation the user may see: 项目名称, 责任科室, 全年预算数, 全年执行数,
    执行率, 得分, 评价等级, 状态; then the totals. Returns the bytes. The projects' only: the
    department's evaluation (部门整体), whose budget holds theirs, has its own report."""
    evaluations = [evaluation for evaluation in visible_evaluations(plan, user) if not evaluation.project.is_department]
    wb = Workbook()
    ws = wb.active
    ws.title = _("汇总")
    headings = (_("序号"), _("项目名称"), _("责任科室"), _("全年预算数（万元）"), _("全年执行数（万元）"),
                _("执行率"), _("得分"), _("评价等级"), _("状态"))
    last = len(headings)
    set_widths(ws, (6, 40, 24, 16, 16, 10, 9, 9, 10))
    label = dict(font=body_font(bold=True), alignment=CENTER, fill=HEADER_FILL)

    put_merged(ws, 1, 1, last, plan.title, font=title_font(16), alignment=CENTER, border=None)
    ws.row_dimensions[1].height = 30
    put_merged(ws, 2, 1, last, _("项目绩效自评汇总表"), font=body_font(size=12), alignment=CENTER, border=None)
    for column, heading in enumerate(headings, start=1):
        put(ws, 3, column, heading, **label)
    ws.row_dimensions[3].height = 30

    annual_sum = executed_sum = Decimal(0)
    both_annual = both_executed = Decimal(0)  # rows with both figures: the overall rate
    r = 3
    for number, evaluation in enumerate(evaluations, start=1):
        r += 1
        total_row = content.funding(evaluation).get("total")
        annual = total_row.annual_budget if total_row is not None else None
        executed = total_row.executed if total_row is not None else None
        if annual is not None:
            annual_sum += annual
        if executed is not None:
            executed_sum += executed
        if annual is not None and executed is not None:
            both_annual += annual
            both_executed += executed
        put(ws, r, 1, number, alignment=CENTER)
        put(ws, r, 2, evaluation.project.name, alignment=LEFT)
        put(ws, r, 3, evaluation.project.section.name, alignment=LEFT)
        put(ws, r, 4, amount(annual), alignment=RIGHT, number_format=AMOUNT_FORMAT)
        put(ws, r, 5, amount(executed), alignment=RIGHT, number_format=AMOUNT_FORMAT)
        put(ws, r, 6, rate_of(annual, executed), alignment=RIGHT, number_format=RATE_FORMAT)
        put(ws, r, 7, evaluation.total_score, alignment=RIGHT, number_format=SCORE_FORMAT)
        put(ws, r, 8, grade_label(evaluation.grade), alignment=CENTER)
        put(ws, r, 9, str(state_def(evaluation.state).label), alignment=CENTER)

    r += 1
    bold = body_font(bold=True)
    put_merged(ws, r, 1, 3, _("合计（%(n)d 个项目）", n=len(evaluations)), font=bold, alignment=CENTER,
               fill=HEADER_FILL)
    put(ws, r, 4, amount(annual_sum), alignment=RIGHT, number_format=AMOUNT_FORMAT, font=bold)
    put(ws, r, 5, amount(executed_sum), alignment=RIGHT, number_format=AMOUNT_FORMAT, font=bold)
    put(ws, r, 6, rate_of(both_annual, both_executed), alignment=RIGHT, number_format=RATE_FORMAT, font=bold)
    for column in range(7, last + 1):
        put(ws, r, column, "")

    ws.freeze_panes = "C4"
    print_setup(ws, title_rows="3:3")
    ws.print_area = f"A1:{get_column_letter(last)}{r}"
    return to_bytes(wb)


def summary_filename(plan):
    return safe_filename(_("%(title)s-自评汇总表", title=plan.title)) + ".xlsx"
