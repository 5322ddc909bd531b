"""Excel: the project import template, importing projects (all or nothing, exact amounts),
the 项目支出绩效自评表 of one evaluation and the plan's summary.

Workbooks are read back with openpyxl, as a person would open them in Excel.
"""
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from tests.conftest import post, signed_in
from tests.factories import make_section, make_user
from workflow import scoring
from workflow.excel import importer
from workflow.extensions import db as _db
from workflow.models import AuditRecord, Evaluation, FundingRow, Indicator, Project, Task
from workflow.plans import services as plans
from workflow.roles import Role
from workflow.selfeval import content
from workflow.selfeval import services as selfeval

HEADERS = ["项目名称", "责任科室", "项目负责人", "年初预算数（万元）", "全年预算数（万元）", "本年财政拨款（万元）",
           "上年结转资金（万元）", "其他资金（万元）", "年度总体目标", "项目类别"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Helpers --------------------------------------------------------------------------------


def fresh():
    _db.session.commit()
    _db.session.expire_all()


def count(model, *where):
    fresh()
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


def counts():
    return tuple(count(model) for model in (Project, Evaluation, FundingRow, Indicator, Task, AuditRecord))


def workbook(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == XLSX
    return load_workbook(io.BytesIO(response.data))


def find(ws, value):
    """The first cell holding ``value``."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == value:
                return cell
    raise AssertionError(f"{value!r} not in the sheet")


def exact(value):
    """A number cell read back as the Decimal it was written as (Excel keeps 15 digits)."""
    assert isinstance(value, (int, float)) and not isinstance(value, bool), value
    return Decimal(format(value, ".15g"))


def merged_at(ws, cell):
    return next((str(r) for r in ws.merged_cells.ranges if cell.coordinate in r), None)


def upload_file(template_bytes, rows, start=3):
    """The downloaded template with ``rows`` filled in from row ``start``."""
    wb = load_workbook(io.BytesIO(template_bytes))
    ws = wb["项目"]
    for offset, row in enumerate(rows):
        for column, value in enumerate(row, start=1):
            ws.cell(row=start + offset, column=column, value=value)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def send(client, plan, data, filename="项目.xlsx"):
    return post(client, f"/excel/plans/{plan.id}/import", {"file": (io.BytesIO(data), filename)},
                content_type="multipart/form-data")


# Fixtures -------------------------------------------------------------------------------


@pytest.fixture
def world(app):
    office_section = make_section("规划财务科", is_office=True)
    section_a = make_section("非煤矿山安全监督管理科")
    section_b = make_section("危险化学品安全监督管理科")
    closed = make_section("已撤销的科室")
    closed.active = False
    _db.session.commit()
    people = {
        "office": make_user("office", roles=[Role.OFFICE], section=office_section, full_name="闫洪涛"),
        "staff_a": make_user("staff_a", roles=[Role.SECTION_STAFF], section=section_a, full_name="原立吉"),
        "staff_b": make_user("staff_b", roles=[Role.SECTION_STAFF], section=section_b, full_name="王士学"),
        "reviewer": make_user("reviewer", roles=[Role.REVIEWER], section=office_section, full_name="任志华"),
        "leader": make_user("leader", roles=[Role.LEADER], full_name="姜立新"),
        "finance": make_user("finance", roles=[Role.FINANCE], full_name="市财政局绩效科"),
    }
    plan = plans.create_plan(plans.PlanData(
        title="承德市应急管理局2020年市级预算绩效部门重点评价工作方案", budget_year=2019, run_year=2020))
    return {"plan": plan, "section_a": section_a, "section_b": section_b, "closed": closed, **people}


@pytest.fixture
def office(app, world):
    return signed_in(app, world["office"])


@pytest.fixture
def template(office, world):
    return office.get(f"/excel/plans/{world['plan'].id}/projects-template.xlsx").data


# The template ---------------------------------------------------------------------------


def test_template_has_the_headers_and_the_active_sections_as_a_list(office, world):
    response = office.get(f"/excel/plans/{world['plan'].id}/projects-template.xlsx")
    assert "attachment" in response.headers["Content-Disposition"]
    wb = workbook(response)
    ws = wb["项目"]
    assert world["plan"].title in ws["A1"].value
    assert [cell.value for cell in ws[2]] == HEADERS
    assert ws["D3"].number_format == "0.0000"

    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 2  # 责任科室 and 项目类别
    choice = next(dv for dv in lists if "B3" in str(dv.sqref))
    kinds = next(dv for dv in lists if "J3" in str(dv.sqref))
    assert kinds.formula1 == '"培训类,会议类,购置类,政府购买服务,检查整治类,其他"'
    sheet_name, cells = choice.formula1.split("!")
    source = wb[sheet_name.strip("'")]
    assert source.sheet_state == "hidden"
    names = [row[0].value for row in source[cells.replace("$", "")]]
    assert names == ["规划财务科", "非煤矿山安全监督管理科", "危险化学品安全监督管理科"]  # not the closed one

    notes = wb["说明"]
    explained = {notes.cell(row=r, column=1).value for r in range(1, notes.max_row + 1)}
    assert set(HEADERS) <= explained
    assert ws.page_setup.orientation == "landscape"


def test_only_the_office_reaches_the_template_and_the_import(app, world):
    plan = world["plan"]
    for who in ("staff_a", "reviewer", "leader", "finance"):
        client = signed_in(app, world[who])
        assert client.get(f"/excel/plans/{plan.id}/projects-template.xlsx").status_code == 403, who
        assert client.get(f"/excel/plans/{plan.id}/import").status_code == 403, who
        data = Workbook()
        buffer = io.BytesIO()
        data.save(buffer)
        assert send(client, plan, buffer.getvalue()).status_code == 403, who
    anonymous = app.test_client()
    assert anonymous.get(f"/excel/plans/{plan.id}/import").status_code == 302


def test_unknown_plan_is_404(office):
    assert office.get("/excel/plans/999999/projects-template.xlsx").status_code == 404
    assert office.get("/excel/plans/999999/import").status_code == 404


def test_import_page_shows_the_form_and_the_template_link(office, world):
    page = office.get(f"/excel/plans/{world['plan'].id}/import").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert 'name="csrf_token"' in page
    assert f"/excel/plans/{world['plan'].id}/projects-template.xlsx" in page


# Importing ------------------------------------------------------------------------------


def test_a_good_file_creates_every_project_with_exact_amounts(office, world, template):
    plan = world["plan"]
    rows = [
        ["矿山“专家会诊”项目", "非煤矿山安全监督管理科", "王建华", 200, 206.632, 172.743, 33.889, None,
         "完成全市 286 座矿山的专家会诊。"],
        [None] * 9,  # a blank row in between is ignored
        ["危化品企业安全检查", "危险化学品安全监督管理科", None, "1,234.5678", 0.1 + 0.2, None, None, 0.3, None],
    ]
    data = upload_file(template, rows)
    before = counts()
    response = send(office, plan, data)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"/plans/{plan.id}")

    fresh()
    projects = {p.name: p for p in _db.session.scalars(select(Project).where(Project.plan_id == plan.id))}
    assert set(projects) == {"矿山“专家会诊”项目", "危化品企业安全检查"}
    mines = projects["矿山“专家会诊”项目"]
    assert mines.section_id == world["section_a"].id
    assert mines.leader_name == "王建华"
    assert mines.overall_target == "完成全市 286 座矿山的专家会诊。"
    assert mines.budget_year == 2019
    funding = content.funding(mines.evaluation)
    assert set(funding) == {"total", "current_year", "carry_over", "other"}
    assert funding["total"].initial_budget == Decimal("200")
    assert funding["total"].annual_budget == Decimal("206.632")
    assert str(funding["total"].annual_budget.normalize()) == "206.632"
    assert funding["current_year"].annual_budget == Decimal("172.743")
    assert funding["carry_over"].annual_budget == Decimal("33.889")
    assert funding["other"].annual_budget is None
    assert all(row.executed is None for row in funding.values())
    assert mines.evaluation.state == "preparing"
    assert len(mines.evaluation.indicators) == len(plan.indicators) > 0

    checks = content.funding(projects["危化品企业安全检查"].evaluation)
    assert checks["total"].initial_budget == Decimal("1234.5678")
    assert checks["total"].annual_budget == Decimal("0.3")  # 0.1 + 0.2 read at Excel's precision
    assert checks["other"].annual_budget == Decimal("0.3")

    for project in projects.values():
        task = _db.session.scalar(select(Task).where(Task.evaluation_id == project.evaluation.id))
        assert task is not None and task.completed_at is None and task.section_id == project.section_id
        record = _db.session.scalar(select(AuditRecord).where(AuditRecord.evaluation_id == project.evaluation.id))
        assert record.action == "create" and record.actor_id == world["office"].id
    after = counts()
    assert after[0] - before[0] == 2 and after[1] - before[1] == 2 and after[4] - before[4] == 2


def test_a_project_imported_appears_like_one_added_by_hand(office, world, template):
    """Same rows as plans.services.add_project creates."""
    plan = world["plan"]
    by_hand = plans.add_project(plan, "手工添加的项目", world["section_a"].id, world["office"])
    assert send(office, plan, upload_file(template, [["导入的项目", "非煤矿山安全监督管理科"]])).status_code == 302
    fresh()
    imported = _db.session.scalar(select(Project).where(Project.name == "导入的项目"))
    by_hand = _db.session.get(Project, by_hand.id)

    def shape(project):
        evaluation = project.evaluation
        task = _db.session.scalar(select(Task).where(Task.evaluation_id == evaluation.id))
        return (evaluation.state, sorted(r.kind for r in evaluation.funding_rows),
                [(i.level1, i.level2, i.name, i.weight, i.kind, i.nature) for i in evaluation.indicators],
                (task.state, task.role, task.section_id, task.due_date))

    assert shape(imported) == shape(by_hand)


BAD_ROWS = [
    # row 3: fine on its own — imported only if nothing else is wrong
    (["好的项目", "非煤矿山安全监督管理科", "张三", 10, 10, 10, None, None, "目标"], None),
    ([None, "非煤矿山安全监督管理科", None, 1], "项目名称不能为空"),
    (["未知科室的项目", "不存在的科", None, None], "找不到责任科室“不存在的科”"),
    (["停用科室的项目", "已撤销的科室"], "责任科室“已撤销的科室”已停用"),
    (["好的项目", "危险化学品安全监督管理科"], "项目名称“好的项目”与第 3 行重复"),
    (["已有的项目", "非煤矿山安全监督管理科"], "本方案中已有名为“已有的项目”的项目"),
    (["金额不是数字", "非煤矿山安全监督管理科", None, "二十万"], "“年初预算数（万元）”应为数字"),
    (["负数金额", "非煤矿山安全监督管理科", None, None, -5], "“全年预算数（万元）”不能为负数"),
    (["五位小数", "非煤矿山安全监督管理科", None, None, 1.23456], "“全年预算数（万元）”最多保留 4 位小数"),
    (["五位小数文本", "非煤矿山安全监督管理科", None, None, None, "1.00001"], "“本年财政拨款（万元）”最多保留 4 位小数"),
    (["来源之和不符", "非煤矿山安全监督管理科", None, None, 206.632, 172.743, 33.888],
     "之和（206.631）与全年预算数（206.632）不一致"),
    (["名" * 201, "非煤矿山安全监督管理科"], "项目名称不能超过 200 个字"),
    (["负责人过长", "非煤矿山安全监督管理科", "人" * 65], "“项目负责人”不能超过 64 个字"),
    (["目标过长", "非煤矿山安全监督管理科", None, None, None, None, None, None, "标" * 20001],
     "“年度总体目标”不能超过 20000 个字"),
    (["没有科室"], "责任科室不能为空"),
    (["日期当金额", "非煤矿山安全监督管理科", None, None, None, None, None, "2020-01-01T00:00:00"],
     "“其他资金（万元）”应为数字"),
]


def test_every_bad_row_is_reported_by_its_row_number_and_nothing_is_imported(office, world, template):
    plan = world["plan"]
    plans.add_project(plan, "已有的项目", world["section_a"].id, world["office"])
    data = upload_file(template, [row for row, _reason in BAD_ROWS])
    before = counts()
    response = send(office, plan, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "没有创建任何项目" in page
    for offset, (_row, reason) in enumerate(BAD_ROWS):
        number = 3 + offset
        if reason is None:
            assert f'data-row="{number}"' not in page
        else:
            assert f'data-row="{number}"' in page, reason
            assert f"第 {number} 行：" in page
            assert reason in page, reason
    assert counts() == before
    assert count(Project, Project.name == "好的项目") == 0


def test_one_bad_row_among_good_ones_imports_nothing(office, world, template):
    rows = [[f"项目{n}", "非煤矿山安全监督管理科", None, n, n] for n in range(1, 6)]
    rows.append(["坏的一行", "非煤矿山安全监督管理科", None, None, "abc"])
    before = counts()
    response = send(office, world["plan"], upload_file(template, rows))
    assert response.status_code == 422
    assert "第 8 行" in response.get_data(as_text=True)
    assert counts() == before


def test_a_failure_while_creating_rolls_back_every_project(office, world, template, monkeypatch):
    """One transaction: when creating the second project fails, the first is not kept."""
    from workflow.engine import tasks

    real = tasks.create_tasks
    made = []

    def failing(evaluation):
        made.append(evaluation)
        if len(made) == 2:
            raise RuntimeError("database went away")
        return real(evaluation)

    monkeypatch.setattr(tasks, "create_tasks", failing)
    rows = [["第一个", "非煤矿山安全监督管理科"], ["第二个", "非煤矿山安全监督管理科"]]
    before = counts()
    with pytest.raises(RuntimeError):
        importer.import_projects(world["plan"], io.BytesIO(upload_file(template, rows)), world["office"])
    assert len(made) == 2
    assert counts() == before


def _zip_without_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize("data, filename, message", [
    (b"\xd0\xcf\x11\xe0 not a whole .xls file", "项目.xls", "无法识别上传的文件。请上传导入模板填好后的文件"),
    (b"%PDF-1.4 a PDF", "项目.pdf", "无法识别上传的文件。"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "项目.png", "无法识别上传的文件。"),
    ("项目名称,责任科室\n项目,科\n".encode("utf-8"), "项目.csv", "第 2 行的表头与导入模板不一致"),
    (_zip_without_workbook(), "项目.xlsx", "无法识别上传的文件。"),
    (b"", "项目.xlsx", "上传的文件是空的"),
])
def test_a_file_that_is_not_the_template_is_refused_saying_what_to_upload(office, world, data, filename, message):
    before = counts()
    response = send(office, world["plan"], data, filename)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    if message.startswith("无法识别"):
        assert ".xlsx 或 Excel 97-2003 的 .xls" in page and "GB18030 编码的 CSV 文件" in page
    assert counts() == before


def test_a_workbook_with_other_columns_is_refused(office, world):
    wb = Workbook()
    wb.active.append(["标题"])
    wb.active.append(["项目名称", "金额"])
    wb.active.append(["某项目", 12])
    buffer = io.BytesIO()
    wb.save(buffer)
    before = counts()
    response = send(office, world["plan"], buffer.getvalue())
    assert response.status_code == 422
    assert "表头与导入模板不一致" in response.get_data(as_text=True)
    assert counts() == before


def test_a_template_without_rows_is_refused(office, world, template):
    response = send(office, world["plan"], template)
    assert response.status_code == 422
    assert "文件中没有项目数据" in response.get_data(as_text=True)


def test_no_file_chosen(office, world):
    response = post(office, f"/excel/plans/{world['plan'].id}/import", {}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "请选择要上传的文件（.xlsx、.xls、.ods 或 .csv）" in response.get_data(as_text=True)


def test_upload_without_csrf_token_is_refused(office, world, template):
    before = counts()
    response = office.post(f"/excel/plans/{world['plan'].id}/import",
                           data={"file": (io.BytesIO(upload_file(template, [["项目", "非煤矿山安全监督管理科"]])),
                                          "a.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert counts() == before


@pytest.mark.parametrize("value, expected", [
    (206.632, Decimal("206.632")),
    (172.743, Decimal("172.743")),
    (595300.2267999999, Decimal("595300.2268")),  # written with 16 digits by another program
    (0.1 + 0.2, Decimal("0.3")),
    (12, Decimal("12")),
    ("  1,234.50 ", Decimal("1234.5")),
    ("3.50000", Decimal("3.5")),  # trailing zeros are no extra precision
    (None, None),
    ("", None),
])
def test_amounts_are_read_exactly(value, expected):
    number, problem = importer.parse_amount(value)
    assert problem is None
    assert number == expected
    if number is not None:
        assert number.as_tuple().exponent == -4


@pytest.mark.parametrize("value, problem", [
    (1.23456, "places"), ("0.00001", "places"), (-0.0001, "negative"), ("abc", "number"), ("NaN", "number"),
    (float("inf"), "number"), (True, "number"), (1e15, "large"),
])
def test_bad_amounts_are_refused_not_rounded(value, problem):
    assert importer.parse_amount(value) == (None, problem)


def test_the_template_round_trips_in_english(app, world):
    """An English user's template has English headers; its upload is read the same way."""
    office_user = world["office"]
    office_user.locale = "en"
    _db.session.commit()
    client = signed_in(app, office_user)
    template = client.get(f"/excel/plans/{world['plan'].id}/projects-template.xlsx")
    wb = workbook(template)
    ws = wb.worksheets[0]
    assert ws.title == "项目"
    assert ws["A2"].value == "Project name"
    ws["A3"], ws["B3"], ws["E3"] = "English project", "非煤矿山安全监督管理科", 1.5
    buffer = io.BytesIO()
    wb.save(buffer)
    assert send(client, world["plan"], buffer.getvalue()).status_code == 302
    project = _db.session.scalar(select(Project).where(Project.name == "English project"))
    assert content.funding(project.evaluation)["total"].annual_budget == Decimal("1.5")


# The 自评表 ------------------------------------------------------------------------------


def scored_evaluation(world, name="矿山“专家会诊”项目"):
    """An evaluation of section A with its budget, indicators and narrative filled in and
    scored by the server's rules."""
    project = plans.add_project(world["plan"], name, world["section_a"].id, world["office"])
    evaluation = _db.session.get(Evaluation, project.evaluation.id)
    project = evaluation.project
    project.leader_name = "王建华"
    project.overall_target = "完成全市 286 座矿山的专家会诊。"
    evaluation.overall_achievement = "完成 253 座。"
    rows = content.funding(evaluation)
    rows["total"].initial_budget, rows["total"].annual_budget, rows["total"].executed = (
        Decimal("200"), Decimal("206.632"), Decimal("172.743"))
    rows["current_year"].annual_budget, rows["current_year"].executed = Decimal("206.632"), Decimal("172.743")
    for ind in evaluation.indicators:
        if ind.kind == "execution_rate":
            continue
        if ind.level2 == "数量指标":
            ind.unit, ind.target, ind.actual = "座", Decimal("286"), Decimal("253")
            ind.deviation_reason = "部分矿山停产。"
        elif ind.level2 == "服务对象满意度":
            ind.nature, ind.target_text, ind.actual_text, ind.band = scoring.QUALITATIVE, "满意", "较满意", "achieved"
            ind.score = scoring.score_qualitative("achieved", Decimal("9"), ind.weight)
        else:
            ind.unit, ind.target, ind.actual = "%", Decimal("100"), Decimal("100")
    selfeval.recompute(evaluation)
    _db.session.commit()
    assert evaluation.total_score is not None
    return evaluation


def test_self_evaluation_export_has_the_official_layout(app, world):
    evaluation = scored_evaluation(world)
    total, grade = evaluation.total_score, evaluation.grade
    client = signed_in(app, world["office"])
    response = client.get(f"/excel/evaluations/{evaluation.id}/self-evaluation.xlsx")
    ws = workbook(response).active

    assert ws["A1"].value == "项目支出绩效自评表"
    assert merged_at(ws, ws["A1"]) == "A1:J1"
    assert ws["A2"].value == "（2019年度）"
    assert find(ws, "矿山“专家会诊”项目").row == find(ws, "项目名称").row
    assert find(ws, "承德市应急管理局")  # 主管部门 from the plan's title
    assert find(ws, "非煤矿山安全监督管理科")
    assert find(ws, "王建华")

    total_row = find(ws, "年度资金总额").row
    assert [exact(ws.cell(row=total_row, column=c).value) for c in (4, 5, 6)] == [
        Decimal("200"), Decimal("206.632"), Decimal("172.743")]
    # Each amount with the decimals it has: 206.632 (not 206.6320), 200 (not 200.0000).
    assert ws.cell(row=total_row, column=5).number_format == "0.000"
    assert ws.cell(row=total_row, column=4).number_format == "0"
    rate = ws.cell(row=total_row, column=8)
    assert rate.number_format == "0.00%"
    assert abs(exact(rate.value) - Decimal("172.743") / Decimal("206.632")) < Decimal("0.000001")
    assert exact(ws.cell(row=total_row, column=9).value) == Decimal("8.36")  # the seed's 执行率 score
    assert find(ws, "其中：本年财政拨款").row == total_row + 1
    assert exact(ws.cell(row=total_row + 1, column=5).value) == Decimal("206.632")
    assert find(ws, "完成全市 286 座矿山的专家会诊。") and find(ws, "完成 253 座。")

    header = find(ws, "一级指标")
    assert [ws.cell(row=header.row, column=c).value for c in range(1, 11)] == [
        "一级指标", "二级指标", "三级指标", "指标性质", "度量单位", "年度指标值", "实际完成值", "分值", "得分",
        "偏差原因分析及改进措施"]
    quantity = find(ws, "计划任务完成数量")
    r = quantity.row
    assert ws.cell(row=r, column=4).value == "≥"
    assert ws.cell(row=r, column=5).value == "座"
    assert exact(ws.cell(row=r, column=6).value) == Decimal("286")
    assert exact(ws.cell(row=r, column=7).value) == Decimal("253")
    assert exact(ws.cell(row=r, column=8).value) == Decimal("20")
    assert exact(ws.cell(row=r, column=9).value) == Decimal("17.69")  # 253 ÷ 286 × 20
    assert ws.cell(row=r, column=10).value == "部分矿山停产。"
    satisfaction = find(ws, "较满意").row
    assert ws.cell(row=satisfaction, column=4).value == "定性"
    assert exact(ws.cell(row=satisfaction, column=9).value) == Decimal("9")

    # 产出指标 (four rows) and 效益指标 (four rows) are each one merged cell; 预算执行率, an
    # indicator of its own, spans the three name columns
    rate_row = find(ws, "预算执行率")
    assert merged_at(ws, rate_row) == f"A{rate_row.row}:C{rate_row.row}"
    assert exact(ws.cell(row=rate_row.row, column=9).value) == Decimal("8.36")
    output = find(ws, "产出指标")
    assert merged_at(ws, output) == f"A{output.row}:A{output.row + 3}"
    benefit = find(ws, "效益指标")
    assert merged_at(ws, benefit) == f"A{benefit.row}:A{benefit.row + 3}"

    total_cell = find(ws, "总分")
    indicator_rows = range(header.row + 1, total_cell.row)
    assert len(indicator_rows) == len(evaluation.indicators) == 10
    assert all(isinstance(ws.cell(row=r, column=8).value, (int, float)) for r in indicator_rows)
    assert exact(ws.cell(row=total_cell.row, column=9).value) == total
    assert exact(ws.cell(row=total_cell.row, column=8).value) == Decimal("100")
    grade_cell = find(ws, "评价等级")
    # Not approved (准备中): the grade and the score are provisional, and the form says so.
    assert ws.cell(row=grade_cell.row, column=8).value == str(scoring.GRADE_LABELS[grade]) + "（暂定）"
    assert ws["A3"].value.startswith("草稿 · 未审批：本表尚未审批（当前状态：准备中）")
    for signature in ("单位负责人：", "项目负责人：", "财务负责人：", "填报人：", "填报日期：", "单位（盖章）："):
        assert find(ws, signature)

    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_area.replace("$", "").endswith(f"A1:J{find(ws, '单位（盖章）：').row}")
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert "项目支出绩效自评表（草稿 · 未审批）" in ws.oddHeader.center.text
    assert ws.oddHeader.left.text == "草稿 · 未审批"
    # Ten indicators end on page 1 (landscape A4 holds about 510 pt of rows): their header is
    # not repeated over the closing part on page 2 (tests/test_workbook_print.py prints it).
    assert ws.print_title_rows is None
    assert not ws.row_breaks.brk


def test_self_evaluation_export_speaks_the_users_language(app, world):
    evaluation = scored_evaluation(world)
    world["office"].locale = "en"
    _db.session.commit()
    ws = workbook(signed_in(app, world["office"]).get(f"/excel/evaluations/{evaluation.id}/self-evaluation.xlsx")).active
    assert ws["A1"].value and ws["A1"].value != "项目支出绩效自评表"
    assert find(ws, "矿山“专家会诊”项目")  # data stays as entered


@pytest.mark.parametrize("title, organisation", [
    ("承德市应急管理局2020年市级预算绩效部门重点评价工作方案", "承德市应急管理局"),
    ("2020年评价方案", "—"),
    ("评价方案", "—"),
])
def test_the_competent_department_is_the_organisation_in_the_plans_title(title, organisation):
    from workflow.excel import exporter
    from workflow.models import Plan

    assert exporter.organisation(Plan(title=title)) == organisation


def test_texts_that_look_like_formulas_stay_text(app, world):
    evaluation = scored_evaluation(world, name="=HYPERLINK(\"http://evil\",\"点击\")")
    ws = workbook(signed_in(app, world["office"]).get(f"/excel/evaluations/{evaluation.id}/self-evaluation.xlsx")).active
    cell = find(ws, "=HYPERLINK(\"http://evil\",\"点击\")")
    assert cell.data_type == "s"


@pytest.mark.parametrize("who, state, status", [
    ("staff_a", "preparing", 200),
    ("staff_b", "preparing", 403),
    ("reviewer", "preparing", 200),
    ("leader", "preparing", 200),
    ("finance", "preparing", 403),
    ("finance", "approved", 403),
    ("finance", "reported", 200),
])
def test_self_evaluation_export_follows_who_may_view(app, world, who, state, status):
    evaluation = scored_evaluation(world)
    # Only what the export reads: the state that decides the finance bureau's view.
    evaluation.state = state
    _db.session.commit()
    response = signed_in(app, world[who]).get(f"/excel/evaluations/{evaluation.id}/self-evaluation.xlsx")
    assert response.status_code == status


def test_self_evaluation_export_of_unknown_evaluation_is_404(office):
    assert office.get("/excel/evaluations/999999/self-evaluation.xlsx").status_code == 404


# The summary ----------------------------------------------------------------------------


def summary_world(world):
    scored = scored_evaluation(world, "矿山“专家会诊”项目")
    second = plans.add_project(world["plan"], "危化品企业安全检查", world["section_b"].id, world["office"])
    evaluation = _db.session.get(Evaluation, second.evaluation.id)
    rows = content.funding(evaluation)
    rows["total"].annual_budget, rows["total"].executed = Decimal("50.5"), Decimal("50.5")
    scored.state = "reported"  # the state alone decides the finance bureau's view
    _db.session.commit()
    return scored, evaluation


def test_summary_has_a_row_per_evaluation_and_the_totals(app, world):
    scored, unscored = summary_world(world)
    ws = workbook(signed_in(app, world["leader"]).get(f"/excel/plans/{world['plan'].id}/summary.xlsx")).active
    assert ws["A1"].value == "项目绩效自评汇总表" and ws["A2"].value == world["plan"].title
    header = find(ws, "项目名称").row
    assert [ws.cell(row=header, column=c).value for c in range(1, 10)] == [
        "序号", "项目名称", "责任科室", "全年预算数\n（万元）", "全年执行数\n（万元）", "执行率", "得分", "评价等级", "状态"]
    mines = find(ws, "矿山“专家会诊”项目").row
    assert ws.cell(row=mines, column=3).value == "非煤矿山安全监督管理科"
    assert exact(ws.cell(row=mines, column=4).value) == Decimal("206.632")
    assert exact(ws.cell(row=mines, column=5).value) == Decimal("172.743")
    assert exact(ws.cell(row=mines, column=7).value) == scored.total_score
    assert ws.cell(row=mines, column=8).value == str(scoring.GRADE_LABELS[scored.grade])
    assert ws.cell(row=mines, column=9).value == "已报送"
    checks = find(ws, "危化品企业安全检查").row
    assert ws.cell(row=checks, column=7).value is None
    assert ws.cell(row=checks, column=9).value == "准备中"
    assert exact(ws.cell(row=checks, column=6).value) == Decimal("1")

    totals = find(ws, "合计（2 个项目）").row
    assert totals == max(mines, checks) + 2  # below the table, after a blank row
    assert all(ws.cell(row=totals - 1, column=c).value is None for c in range(1, 10))
    assert exact(ws.cell(row=totals, column=4).value) == Decimal("257.132")
    assert exact(ws.cell(row=totals, column=5).value) == Decimal("223.243")
    assert ws.cell(row=totals, column=4).number_format == "0.000"
    assert ws.cell(row=mines, column=7).number_format == "0.00"  # reported: final
    expected_rate = Decimal("223.243") / Decimal("257.132")
    assert abs(exact(ws.cell(row=totals, column=6).value) - expected_rate) < Decimal("0.000001")


def test_the_finance_bureau_sees_only_reported_evaluations_in_the_summary(app, world):
    summary_world(world)
    ws = workbook(signed_in(app, world["finance"]).get(f"/excel/plans/{world['plan'].id}/summary.xlsx")).active
    names = {cell.value for cell in ws["B"]}
    assert "矿山“专家会诊”项目" in names
    assert "危化品企业安全检查" not in names
    totals = find(ws, "合计（1 个项目）").row
    assert exact(ws.cell(row=totals, column=4).value) == Decimal("206.632")


def test_section_staff_may_not_download_the_summary(app, world):
    response = signed_in(app, world["staff_a"]).get(f"/excel/plans/{world['plan'].id}/summary.xlsx")
    assert response.status_code == 403

