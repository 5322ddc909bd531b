"""The project import reads what offices have: the template saved by LibreOffice as Excel
97-2003 (.xls) or OpenDocument (.ods), formulas' results included, and as CSV in GB18030
(Excel's "CSV" on a Chinese Windows) or UTF-8 with or without its BOM."""
import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.office_convert import convert
from tests.test_excel import HEADERS, counts, office, send, template, upload_file, world  # noqa: F401
from workflow.excel import sheets
from workflow.extensions import db
from workflow.models import Project
from workflow.plans import services as plans
from workflow.selfeval import content


def rows_for(prefix):
    # 本年财政拨款 as a formula (=E3-G3): the saved file must carry its result.
    return [[f"{prefix}应急物资储备项目", "非煤矿山安全监督管理科", "王旭", 300, 206.632, "=E3-G3", 6.632, None,
             "保障应急物资储备充足", "购置类"],
            [f"{prefix}森林草原防灭火宣传培训项目", "危险化学品安全监督管理科", None, None, 40.5]]


def imported(prefix):
    db.session.expire_all()
    first = db.session.scalar(select(Project).where(Project.name == f"{prefix}应急物资储备项目"))
    second = db.session.scalar(select(Project).where(Project.name == f"{prefix}森林草原防灭火宣传培训项目"))
    assert first is not None and second is not None
    total = content.funding(first.evaluation)
    assert total["total"].annual_budget == Decimal("206.632") and total["total"].initial_budget == Decimal("300")
    assert total["current_year"].annual_budget == Decimal("200") and total["carry_over"].annual_budget == Decimal("6.632")
    assert first.leader_name == "王旭" and first.category == "purchase" and first.overall_target == "保障应急物资储备充足"
    assert content.funding(second.evaluation)["total"].annual_budget == Decimal("40.5")
    assert second.section.name == "危险化学品安全监督管理科"


@pytest.mark.office
def test_the_template_saved_by_libreoffice_as_xls_and_ods_is_imported(office, world, template, tmp_path):
    source = tmp_path / "项目.xlsx"
    source.write_bytes(upload_file(template, rows_for("")))
    (xls,) = convert([source], "xls", tmp_path / "xls", tmp_path / "profile")
    (ods,) = convert([source], "ods", tmp_path / "ods", tmp_path / "profile")
    assert sheets.kind_of(xls.read_bytes()) == sheets.XLS and sheets.kind_of(ods.read_bytes()) == sheets.ODS

    response = send(office, world["plan"], xls.read_bytes(), "项目.xls")
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    imported("")

    # The same file again into next year's plan, as .ods.
    other = plans.copy_plan(world["plan"])
    db.session.commit()
    response = send(office, other, ods.read_bytes(), "项目.ods")
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    assert db.session.scalar(select(Project).where(Project.plan_id == other.id,
                                                   Project.name == "应急物资储备项目")) is not None


def saved_as_csv(template_bytes, rows):
    """The filled template as Excel saves a sheet as CSV: every row, the title row first,
    each cell its shown value (a formula's result)."""
    ws = load_workbook(io.BytesIO(upload_file(template_bytes, rows)))["项目"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in ws.iter_rows(max_col=len(HEADERS), values_only=True):
        if all(value is None for value in row):
            continue
        writer.writerow(["" if value is None else value for value in row])
    return buffer.getvalue()


def test_the_template_saved_as_csv_in_gb18030_is_imported(office, world, template):
    rows = rows_for("")
    rows[0][5] = 200  # a CSV holds the formula's result
    text = saved_as_csv(template, rows)
    data = text.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really GB18030, not UTF-8 in disguise
    response = send(office, world["plan"], data, "项目.csv")
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    imported("")


@pytest.mark.parametrize("bom", [True, False])
def test_a_csv_in_utf8_with_or_without_bom_and_without_the_title_row_is_imported(office, world, bom):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerow(["CSV应急物资储备项目", "非煤矿山安全监督管理科", "王旭", "300", "206.632", "200", "6.632", "",
                     "保障应急物资储备充足", "购置类"])
    writer.writerow(["CSV森林草原防灭火宣传培训项目", "危险化学品安全监督管理科", "", "", "40.5"])
    data = buffer.getvalue().encode("utf-8-sig" if bom else "utf-8")
    response = send(office, world["plan"], data, "projects.csv")
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    imported("CSV")


def test_a_bad_csv_row_is_reported_by_its_line(office, world):
    lines = ",".join(HEADERS) + "\n" + "CSV项目,非煤矿山安全监督管理科,,,abc\n"
    before = counts()
    response = send(office, world["plan"], lines.encode("gb18030"), "projects.csv")
    assert response.status_code == 422
    assert "第 2 行：“全年预算数（万元）”应为数字。" in response.get_data(as_text=True)
    assert counts() == before


def test_binary_that_is_no_table_is_refused():
    with pytest.raises(sheets.SheetRefused) as refusal:
        sheets.read(bytes(range(256)) * 4, "项目")
    assert "无法识别上传的文件" in refusal.value.message and ".ods" in refusal.value.message
