"""The submission's summary as a workbook: one row per evaluation in the batch, from the frozen
approval snapshots (the summary rows of workflow/submissions/services.py), then the totals.
Built with the cells and styles of exporter.py, like the plan's summary."""
from decimal import Decimal

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from workflow.excel import layout
from workflow.excel.exporter import (
    amount_format,
    CENTER,
    HEADER_FILL,
    LEFT,
    RATE_FORMAT,
    RATE_QUANTUM,
    RIGHT,
    SCORE_FORMAT,
    amount,
    body_font,
    print_setup,
    put,
    put_merged,
    set_widths,
    title_font,
    to_bytes,
)


def _rate(rate):
    return None if rate is None else Decimal(rate).quantize(RATE_QUANTUM)


def submission_workbook(submission, rows, totals):
    """序号, 项目名称, 责任科室, 全年预算数, 全年执行数, 执行率, 得分, 评价等级 per row of
    ``rows`` (services.rows_of), then ``totals`` (services.totals). Returns the bytes."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("报送汇总")
    headings = (_("序号"), _("项目名称"), _("责任科室"), _("全年预算数\n（万元）"), _("全年执行数\n（万元）"),
                _("执行率"), _("得分"), _("评价等级"), _("预算安排建议"))
    last = len(headings)
    set_widths(ws, (6, 40, 24, 16, 16, 10, 9, 9, 16))
    label = dict(font=body_font(bold=True), alignment=CENTER, fill=HEADER_FILL)

    title = _("%(title)s项目绩效评价结果汇总表", title=submission.title)
    # Its own title first, the plan's beneath (not the plan's name as the table's title).
    put_merged(ws, 1, 1, last, title, font=title_font(16), alignment=CENTER, border=None)
    ws.row_dimensions[1].height = 30
    put_merged(ws, 2, 1, last, submission.plan.title, font=body_font(size=12), alignment=CENTER, border=None)
    for column, heading in enumerate(headings, start=1):
        put(ws, 3, column, heading, **label)
    ws.row_dimensions[3].height = 30

    r = 3
    for number, row in enumerate(rows, start=1):
        r += 1
        put(ws, r, 1, number, alignment=CENTER)
        put(ws, r, 2, row.project, alignment=LEFT)
        put(ws, r, 3, row.section, alignment=LEFT)
        budget_value, executed_value = amount(row.budget), amount(row.executed)
        put(ws, r, 4, budget_value, alignment=RIGHT, number_format=amount_format(budget_value))
        put(ws, r, 5, executed_value, alignment=RIGHT, number_format=amount_format(executed_value))
        put(ws, r, 6, _rate(row.rate), alignment=RIGHT, number_format=RATE_FORMAT)
        put(ws, r, 7, row.score, alignment=RIGHT, number_format=SCORE_FORMAT)
        put(ws, r, 8, str(row.grade_label), alignment=CENTER)
        put(ws, r, 9, row.advice.text if row.advice else "", alignment=CENTER)

    r += 2  # the 合计 below the table, after a blank row: a program reading the rows stops there
    budget, executed, rate = totals
    budget, executed = amount(budget), amount(executed)
    bold = body_font(bold=True)
    put_merged(ws, r, 1, 3, _("合计（%(n)d 个项目）", n=sum(1 for row in rows if not row.department)), font=bold, alignment=CENTER, fill=HEADER_FILL)
    put(ws, r, 4, budget, alignment=RIGHT, number_format=amount_format(budget), font=bold)
    put(ws, r, 5, executed, alignment=RIGHT, number_format=amount_format(executed), font=bold)
    put(ws, r, 6, _rate(rate), alignment=RIGHT, number_format=RATE_FORMAT, font=bold)
    put(ws, r, 7, "")
    put(ws, r, 8, "")
    put(ws, r, 9, "")

    ws.freeze_panes = "C4"
    layout.fit_rows(ws)
    print_setup(ws, title_rows="3:3", name=title)
    ws.print_area = f"A1:{get_column_letter(last)}{r}"
    # Dated by the submission, so that its package is the same bytes on every download.
    return to_bytes(wb, moment=submission.created_at)
