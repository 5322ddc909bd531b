"""The sign-in sheet (签到表) and the blank 培训登记表 as Excel workbooks (openpyxl). Every cell
is written through the export guard (workflow/export_guard.py): names, units, phones and
notes come from people, and "+86 138…" must show as typed, as text."""
import io

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from workflow.export_guard import put
from workflow.meetings import services

WIDTHS = (6, 12, 26, 14, 16, 18, 14, 30)
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def signin_sheet_xlsx(meeting):
    sheet_data = services.signin_sheet(meeting)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("签到表")
    columns = len(sheet_data["columns"])
    last = get_column_letter(columns)

    sheet.merge_cells(f"A1:{last}1")
    put(sheet, 1, 1, sheet_data["heading"])
    sheet["A1"].font = Font(size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")
    header = (
        (_("会议名称"), sheet_data["title"]),
        (_("时间"), sheet_data["time_text"]),
        (_("地点"), sheet_data["place"]),
        (_("主办单位"), sheet_data["organiser"]),
    )
    row = 2
    for label, value in header:
        put(sheet, row, 1, f"{label}：").font = Font(bold=True)
        sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=columns)
        put(sheet, row, 2, value)
        row += 1

    head_row = row
    for column, title in enumerate(sheet_data["columns"], start=1):
        cell = put(sheet, head_row, column, title)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.border = BOX
    for item in sheet_data["rows"]:
        row += 1
        signed = item["signed_at"].strftime("%Y-%m-%d %H:%M") if item["signed_at"] else ""
        values = (item["index"], item["name"], item["unit"], item["title"], item["phone"], signed,
                  item["signature"], item["remarks"])
        for column, value in enumerate(values, start=1):
            cell = put(sheet, row, column, value)
            cell.border = BOX
            cell.alignment = Alignment(vertical="center", wrap_text=column in (3, 8))
        sheet.row_dimensions[row].height = 28  # room for a handwritten signature
    for column, width in enumerate(WIDTHS[:columns], start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.print_title_rows = f"{head_row}:{head_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def blank_registration_form(title):
    """An empty 培训登记表 to attach to a notice: one row per person to fill in by hand."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("培训登记表")
    columns = (_("序号"), _("姓名"), _("科室"), _("职务"), _("联系电话"), _("是否参加"), _("备注"))
    last = get_column_letter(len(columns))
    sheet.merge_cells(f"A1:{last}1")
    put(sheet, 1, 1, _("%(title)s培训登记表", title=title))
    sheet["A1"].font = Font(size=14, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")
    for column, label in enumerate(columns, start=1):
        cell = put(sheet, 2, column, label)
        cell.font = Font(bold=True)
        cell.border = BOX
        sheet.column_dimensions[get_column_letter(column)].width = (6, 12, 26, 14, 16, 10, 24)[column - 1]
    for row in range(3, 18):
        put(sheet, row, 1, row - 2).border = BOX
        for column in range(2, len(columns) + 1):
            sheet.cell(row=row, column=column).border = BOX
        sheet.row_dimensions[row].height = 24
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
