"""The 部门整体支出绩效自评报告 as WeasyPrint renders it (title, its own outline, the main tasks
and the budget table), and as a .docx with the same tables."""
import io

import docx
import pytest

from tests import factories
from tests.pdf_checks import assert_official_page, plain, prepared_fonts, squeeze, text_of  # noqa: F401
from workflow import demo
from workflow.department import demo as department_demo
from workflow.department import services as department
from workflow.documents import reports
from workflow.documents.word.report import build_report

pytestmark = pytest.mark.documents

TITLE = "承德市应急管理局2019年度部门整体支出绩效自评报告"


@pytest.fixture
def evaluation(app):
    org = factories.make_org()
    plan = factories.make_plan(title=demo.PLAN_TITLE)
    factories.make_project(plan, factories.SEED_MINE, org.section_a, org.office)
    project = department.create(plan, org.office)
    return department_demo.fill(project.evaluation)


def test_report_data_follows_the_department_outline_and_is_plain(evaluation):
    data = reports.report_data(evaluation)
    assert plain(data)
    assert data["template"] == "department_report.html" and data["title"] == TITLE
    headings = [h["text"] for s in data["sections"] for h in s["headings"]]
    assert headings[:4] == ["一、部门基本情况", "（一）部门职责", "（二）年度主要任务", "二、部门整体支出情况"]
    assert "三、绩效目标完成情况" in headings and headings[-1] == "（二）改进措施"
    # The optional 机构设置和人员情况, left empty, is not printed and the rest close up.
    assert "机构设置和人员情况" not in "".join(headings)
    assert [row["rate"] for row in data["budget"]] == ["98.82%", "89.13%", "95.26%"]
    assert data["tasks"][0]["projects"] == factories.SEED_MINE
    assert data["tasks"][-1]["projects"] == "—"  # 机关运行保障: basic expenditure only


def test_the_pdf_has_its_title_sections_tasks_and_budget_table(evaluation):
    pdf = reports.render_report(evaluation)
    text = squeeze(text_of(pdf))
    for expected in (TITLE, "一、部门基本情况", "（一）部门职责", "二、部门整体支出情况", "三、绩效目标完成情况",
                     "存在问题及改进措施", "基本支出", "项目支出", "合计", "1872.3", "1850.16", "1086.4", "968.27",
                     "2958.7", "2818.43", "98.82%", "95.26%", "非煤矿山安全生产监管", factories.SEED_MINE,
                     "附表", "部门整体支出绩效评价指标评分表", "“三公”经费控制率", "结转结余率"):
        assert squeeze(expected) in text, expected
    assert "草稿" not in text
    assert_official_page(pdf)


def test_the_docx_carries_the_same_tables(evaluation):
    document = docx.Document(io.BytesIO(build_report(reports.report_data(evaluation, draft=True))))
    tables = [[cell.text for row in table.rows for cell in row.cells] for table in document.tables]
    assert any("主要任务" in cells and "非煤矿山安全生产监管" in cells for cells in tables)
    assert any("全年执行数" in cells and "2818.43" in cells and "95.26%" in cells for cells in tables)
    assert any("部门整体支出绩效自评报告" in p.text for p in document.paragraphs)
