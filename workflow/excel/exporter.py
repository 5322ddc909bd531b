"""Workbooks the application writes: a plan's summary, plus the cells, styles and print set-up
every workbook shares (the 自评表 is form.py's, the import template importer.py's).

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
from workflow.excel import layout
from workflow.engine.definition import state_def
from workflow.evaluations.services import can_view
from workflow.extensions import db
from workflow.models import Evaluation, Project, Section
from workflow.selfeval import content

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Number formats: 万元 to four places (the import template's cells, which may hold any),
# scores to two, rates as percentages. A written amount shows its own decimals
# (amount_format).
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


def print_setup(ws, title_rows=None, name="", landscape=True):
    """A4 (landscape unless told), fitted to the page width, centred, header rows repeated on
    each page, ``name`` in the page header and the page numbers in the footer
    (layout.page_setup)."""
    layout.page_setup(ws, name, landscape=landscape, title_rows=title_rows)


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


SUMMARY_HEADINGS = (_l("序号"), _l("项目名称"), _l("责任科室"), _l("全年预算数\n（万元）"),
                    _l("全年执行数\n（万元）"), _l("执行率"), _l("得分"), _l("评价等级"), _l("状态"))
PROVISIONAL_SCORE_FORMAT = '0.00"（暂定）"'


def amount_format(value, places_limit=4):
    """A number format that shows an amount with the decimals it has: "0.000" for 206.632,
    "0" for 300, never "206.6320"."""
    if value is None:
        return "0"
    exponent = Decimal(value).normalize().as_tuple().exponent
    places = min(places_limit, max(0, -exponent)) if isinstance(exponent, int) else 0
    return "0." + "0" * places if places else "0"


def is_final(evaluation):
    """Approved (and later): its score and grade are the approved ones."""
    return state_def(evaluation.state).frozen


def summary_workbook(plan, user):
    """One row per evaluation the user may see: 项目名称, 责任科室, 全年预算数, 全年执行数,
    执行率, 得分, 评价等级, 状态; the 合计 below the table, after a blank row. The scores of
    evaluations not yet approved show "（暂定）" (still numbers). A second, hidden sheet, 数据, has
    the same rows plain (one header row, no title, no totals) for programs. Returns the
    bytes. The projects' only: the department's evaluation (部门整体), whose budget holds
    theirs, has its own report."""
    evaluations = [evaluation for evaluation in visible_evaluations(plan, user) if not evaluation.project.is_department]
    wb = Workbook()
    ws = wb.active
    ws.title = _("汇总")
    headings = [str(h) for h in SUMMARY_HEADINGS]
    last = len(headings)
    set_widths(ws, (6, 40, 24, 14, 14, 10, 16, 11, 10))  # 得分 holds "99.70（暂定）"
    label = dict(font=body_font(bold=True), alignment=CENTER, fill=HEADER_FILL)
    title = _("项目绩效自评汇总表")

    put_merged(ws, 1, 1, last, title, font=title_font(16), alignment=CENTER, border=None)
    ws.row_dimensions[1].height = 30
    put_merged(ws, 2, 1, last, plan.title, font=body_font(size=12), alignment=CENTER, border=None)
    for column, heading in enumerate(headings, start=1):
        put(ws, 3, column, heading, **label)

    data = wb.create_sheet(_("数据"))
    plain_headings = [h.replace("\n", "") for h in headings] + [_("是否已审批")]
    for column, heading in enumerate(plain_headings, start=1):
        put(data, 1, column, heading, font=body_font(bold=True), fill=HEADER_FILL)

    annual_sum = executed_sum = Decimal(0)
    both_annual = both_executed = Decimal(0)  # rows with both figures: the overall rate
    provisional = 0
    r = 3
    for number, evaluation in enumerate(evaluations, start=1):
        r += 1
        total_row = content.funding(evaluation).get("total")
        annual = amount(total_row.annual_budget if total_row is not None else None)
        executed = amount(total_row.executed if total_row is not None else None)
        if annual is not None:
            annual_sum += annual
        if executed is not None:
            executed_sum += executed
        if annual is not None and executed is not None:
            both_annual += annual
            both_executed += executed
        final = is_final(evaluation)
        grade = grade_label(evaluation.grade)
        if not final and evaluation.total_score is not None:
            provisional += 1
            if grade:
                grade = _("%(grade)s（暂定）", grade=grade)
        rate = rate_of(annual, executed)
        state = str(state_def(evaluation.state).label)
        put(ws, r, 1, number, alignment=CENTER)
        put(ws, r, 2, evaluation.project.name, alignment=LEFT)
        put(ws, r, 3, evaluation.project.section.name, alignment=LEFT)
        put(ws, r, 4, annual, alignment=RIGHT, number_format=amount_format(annual))
        put(ws, r, 5, executed, alignment=RIGHT, number_format=amount_format(executed))
        put(ws, r, 6, rate, alignment=RIGHT, number_format=RATE_FORMAT)
        put(ws, r, 7, evaluation.total_score, alignment=RIGHT,
            number_format=SCORE_FORMAT if final else PROVISIONAL_SCORE_FORMAT)
        put(ws, r, 8, grade, alignment=CENTER)
        put(ws, r, 9, state, alignment=CENTER)
        values = (number, evaluation.project.name, evaluation.project.section.name, annual, executed, rate,
                  evaluation.total_score, grade_label(evaluation.grade), state, _("是") if final else _("否"))
        for column, value in enumerate(values, start=1):
            cell = put(data, number + 1, column, value, border=None)
            if column in (4, 5):
                cell.number_format = amount_format(value)
            elif column == 6:
                cell.number_format = RATE_FORMAT
            elif column == 7:
                cell.number_format = SCORE_FORMAT

    # The 合计 below the table (a blank row between): a program reading the table's rows
    # (header row 3) finds the projects and nothing else until the blank row.
    r += 2
    bold = body_font(bold=True)
    annual_total, executed_total = amount(annual_sum), amount(executed_sum)
    put_merged(ws, r, 1, 3, _("合计（%(n)d 个项目）", n=len(evaluations)), font=bold, alignment=CENTER,
               fill=HEADER_FILL)
    put(ws, r, 4, annual_total, alignment=RIGHT, number_format=amount_format(annual_total), font=bold)
    put(ws, r, 5, executed_total, alignment=RIGHT, number_format=amount_format(executed_total), font=bold)
    put(ws, r, 6, rate_of(both_annual, both_executed), alignment=RIGHT, number_format=RATE_FORMAT, font=bold)
    for column in range(7, last + 1):
        put(ws, r, column, "")
    if provisional:
        r += 1
        put_merged(ws, r, 1, last, _("注：标“暂定”的得分和等级尚未审批（%(n)d 个项目），不作为评价结果。", n=provisional),
                   alignment=LEFT, border=None, font=body_font(color="C00000"))

    ws.freeze_panes = "C4"
    layout.fit_rows(ws)
    print_setup(ws, title_rows="3:3", name=f"{plan.title} {title}")
    ws.print_area = f"A1:{get_column_letter(last)}{r}"
    set_widths(data, (6, 40, 24, 14, 14, 10, 10, 10, 10, 12))
    data.freeze_panes = "A2"
    # For programs, hidden and without a print area: the clerk prints the summary alone
    # (LibreOffice would print a hidden sheet with a print area).
    data.sheet_state = "hidden"
    return to_bytes(wb)


def summary_filename(plan):
    return safe_filename(_("%(title)s-自评汇总表", title=plan.title)) + ".xlsx"
