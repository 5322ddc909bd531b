"""The sign-in sheet (签到表) and the blank 培训登记表 as Excel workbooks (openpyxl), each set
up to print on A4 (workflow/excel/layout.py): the 签到表 landscape with every column, the
签名 and 备注 people sign in included, on the page of their names; the 登记表 portrait.
Every cell is written through the export guard (workflow/export_guard.py): names, units,
phones and notes come from people, and "+86 138…" must show as typed, as text."""
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from workflow.excel import layout
from workflow.excel.exporter import (
    CENTER, HEADER_FILL, LEFT, body_font, put, put_merged, set_widths, title_font, to_bytes,
)
from workflow.meetings import services

# 序号 姓名 单位/科室 职务 联系电话 签到时间 签名 备注
WIDTHS = (6, 10, 26, 12, 15, 17, 16, 26)
SIGNATURE_HEIGHT = 28  # room for a handwritten signature
REGISTRATION_WIDTHS = (6, 11, 24, 12, 16, 10, 20)
REGISTRATION_ROWS = 15  # lines to fill in by hand
REGISTRATION_HEIGHT = 26


def signin_sheet_xlsx(meeting):
    sheet_data = services.signin_sheet(meeting)
    columns = len(sheet_data["columns"])
    workbook, sheet = _new_sheet(_("签到表"))
    set_widths(sheet, WIDTHS[:columns])

    put_merged(sheet, 1, 1, columns, sheet_data["heading"], font=title_font(16), alignment=CENTER, border=None)
    sheet.row_dimensions[1].height = 30
    header = (
        (_("会议名称"), sheet_data["title"]),
        (_("时间"), sheet_data["time_text"]),
        (_("地点"), sheet_data["place"]),
        (_("主办单位"), sheet_data["organiser"]),
    )
    row = 2
    for label, value in header:
        # The label spans 序号 and 姓名: "会议名称：" does not fit the 6 units of 序号 alone.
        put_merged(sheet, row, 1, 2, f"{label}：", font=body_font(bold=True), alignment=LEFT, border=None)
        put_merged(sheet, row, 3, columns, value, alignment=LEFT, border=None)
        row += 1

    head_row = row
    for column, title in enumerate(sheet_data["columns"], start=1):
        put(sheet, head_row, column, title, font=body_font(bold=True), alignment=CENTER, fill=HEADER_FILL)
    sheet.row_dimensions[head_row].height = 22
    for item in sheet_data["rows"]:
        row += 1
        signed = item["signed_at"].strftime("%Y-%m-%d %H:%M") if item["signed_at"] else ""
        values = (item["index"], item["name"], item["unit"], item["title"], item["phone"], signed,
                  item["signature"], item["remarks"])
        for column, value in enumerate(values, start=1):
            put(sheet, row, column, value, alignment=CENTER if column in (1, 6) else LEFT)
        sheet.row_dimensions[row].height = SIGNATURE_HEIGHT
    layout.fit_rows(sheet)
    layout.page_setup(sheet, sheet_data["heading"], landscape=True, title_rows=f"{head_row}:{head_row}",
                      area=f"A1:{_letter(columns)}{row}")
    return to_bytes(workbook)


def blank_registration_form(title):
    """An empty 培训登记表 to attach to a notice: one row per person to fill in by hand."""
    heading = _("%(title)s培训登记表", title=title)
    workbook, sheet = _new_sheet(_("培训登记表"))
    columns = (_("序号"), _("姓名"), _("科室"), _("职务"), _("联系电话"), _("是否参加"), _("备注"))
    set_widths(sheet, REGISTRATION_WIDTHS)
    put_merged(sheet, 1, 1, len(columns), heading, font=title_font(15), alignment=CENTER, border=None)
    sheet.row_dimensions[1].height = 30
    for column, label in enumerate(columns, start=1):
        put(sheet, 2, column, label, font=body_font(bold=True), alignment=CENTER, fill=HEADER_FILL)
    sheet.row_dimensions[2].height = 22
    last = 2 + REGISTRATION_ROWS
    for row in range(3, last + 1):
        put(sheet, row, 1, row - 2, alignment=CENTER)
        for column in range(2, len(columns) + 1):
            put(sheet, row, column, None, alignment=LEFT)
        sheet.row_dimensions[row].height = REGISTRATION_HEIGHT
    layout.fit_rows(sheet)
    layout.page_setup(sheet, heading, landscape=False, title_rows="2:2", area=f"A1:{_letter(len(columns))}{last}")
    return to_bytes(workbook)


def _new_sheet(title):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    return workbook, sheet


def _letter(column):
    return get_column_letter(column)
