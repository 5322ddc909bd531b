"""The seed's organisation as the people workbook holds it (tests of the people import).

On an empty database there is the administrator the command line made; the workbook brings
the other 13 of the seed's 14 people (workflow/demo.py: the working group of the 工作方案, the
training's participants, the finance bureau's reader) and their 7 sections."""
import io

from openpyxl import load_workbook

from workflow import demo
from workflow.admin import people_excel


def seed_rows(with_email=False):
    """[(姓名, 登录名, 科室, 职务, 电话, 邮箱, 角色)] of the seed's people but the administrator."""
    rows = []
    for number, (username, full_name, section, title, roles, _part) in enumerate(demo.PEOPLE):
        if username == "admin":
            continue
        email = f"{username}@yjj.example.cn" if with_email else ""
        rows.append((full_name, username, section or "", title, f"0314-20{number:05d}", email,
                     people_excel.roles_text(roles)))
    return rows


def fill(template, rows):
    """The template's bytes with ``rows`` typed from its first data row, as a person does."""
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook[people_excel.SHEET_NAME]
    for offset, row in enumerate(rows):
        for column, value in enumerate(row, start=1):
            sheet.cell(row=people_excel.FIRST_DATA_ROW + offset, column=column).value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def seed_workbook(rows=None):
    return fill(people_excel.template_workbook(), seed_rows() if rows is None else rows)
