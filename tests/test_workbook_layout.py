"""The row-height rule and the page set-up every workbook shares (workflow/excel/layout.py),
and the 自评表's marks read back with openpyxl as another program reads them."""
import io
from decimal import Decimal

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font

from tests.test_excel import exact, find, scored_evaluation, world  # noqa: F401
from workflow import scoring
from workflow.excel import form, layout
from workflow.extensions import db
from workflow.models import Evaluation
from workflow.plans import services as plans


# The rule -------------------------------------------------------------------------------


def test_a_cjk_character_is_as_wide_as_the_font_and_lines_wrap_where_the_column_ends():
    assert layout.text_width("项目资金", 11) == 44
    assert layout.text_width("ab12", 10) == 24
    # 16 units = 84 pt, 79 pt for text: seven characters of 11 pt on a line.
    assert layout.line_count("部分矿山停产，", 16) == 1
    assert layout.line_count("部分矿山停产，出现资金剩余", 16) == 2
    assert layout.line_count("项目资金\n（万元）", 12) == 2
    assert layout.line_count("项目资金（万元）", 12) == 2  # breaks inside: the label needs its \n
    assert layout.height_for("部分矿山停产，出现资金剩余", 16) == 2 * 11 * layout.LINE_SPACING + layout.ROW_MARGIN
    assert layout.height_for("", 16) == 0


def sheet_with(text, width=16, merged_to=None, size=11):
    ws = Workbook().active
    ws.column_dimensions["A"].width = width
    ws.column_dimensions["B"].width = width
    ws["A1"] = text
    ws["A1"].alignment = Alignment(wrap_text=True)
    ws["A1"].font = Font(sz=size)
    if merged_to:
        ws.merge_cells(f"A1:{merged_to}")
    return ws


def test_fit_rows_makes_a_row_as_tall_as_its_wrapped_text_and_too_short_finds_the_cut_ones():
    text = "部分矿山停产，出现资金剩余" * 3
    ws = sheet_with(text)
    ws.row_dimensions[1].height = 20
    assert layout.too_short(ws) == [("A1", text, layout.height_for(text, 16), 20)]
    layout.fit_rows(ws)
    assert ws.row_dimensions[1].height >= layout.height_for(text, 16)
    assert layout.too_short(ws) == []
    # Merged across two columns the text needs fewer lines.
    wide = sheet_with(text, merged_to="B1")
    layout.fit_rows(wide)
    assert wide.row_dimensions[1].height < ws.row_dimensions[1].height
    # A larger font needs more.
    large = sheet_with(text, size=16)
    layout.fit_rows(large)
    assert large.row_dimensions[1].height > ws.row_dimensions[1].height


def test_a_text_merged_over_rows_may_use_all_of_them():
    ws = sheet_with("部分矿山停产，出现资金剩余", merged_to="A3")
    for row in (1, 2, 3):
        ws.row_dimensions[row].height = 15
    layout.fit_rows(ws)  # 36 pt needed, 45 there
    assert [ws.row_dimensions[r].height for r in (1, 2, 3)] == [15, 15, 15]


def test_page_setup_prints_a4_one_page_wide_with_the_name_and_the_page_numbers():
    ws = Workbook().active
    ws["A1"] = "x"
    layout.page_setup(ws, "R&D 签到表", landscape=False, title_rows="3:3", area="A1:H20")
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "portrait"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows.replace("$", "") == "3:3"
    assert ws.print_area.replace("$", "").endswith("A1:H20")
    assert ws.oddHeader.center.text == "R&&D 签到表"  # "&" escaped: it starts a code
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"


# The 自评表 read back ------------------------------------------------------------------------


def form_sheets(evaluation):
    wb = load_workbook(io.BytesIO(form.self_evaluation_workbook(evaluation)))
    return wb["自评表"], wb["指标明细"]


def test_the_form_shows_amounts_with_their_decimals_and_marks_a_returned_form_as_a_draft(app, world):
    evaluation = scored_evaluation(world)
    evaluation.state = "returned"
    db.session.commit()
    ws, plain = form_sheets(evaluation)
    budget = find(ws, "年度资金总额").row
    cell = ws.cell(row=budget, column=5)
    assert isinstance(cell.value, float) and exact(cell.value) == Decimal("206.632")
    assert cell.number_format == "0.000"  # shown 206.632, not 206.6320
    assert ws.cell(row=budget, column=4).number_format == "0"  # 200
    assert ws.cell(row=budget, column=8).number_format == "0.00%"
    assert find(ws, "较满意").offset(column=-3).value == "定性"
    assert ws["A3"].value == "草稿 · 未审批：本表尚未审批（当前状态：已退回），所列得分和等级为暂定，不作为评价结果。"
    assert ws["A3"].font.color.rgb.endswith("C00000")
    assert ws.oddHeader.left.text == "草稿 · 未审批"
    assert find(ws, "未审批，得分为暂定").row == find(ws, "总分").row
    for label in ("单位负责人：", "项目负责人：", "财务负责人：", "填报人：", "填报日期：", "单位（盖章）："):
        line = find(ws, label)
        assert ws.cell(row=line.row, column=line.column + 2).border.bottom.style == "thin"  # the line to sign on

    # The plain sheet: hidden, one header row, the group's names on every row.
    assert plain.sheet_state == "hidden"
    rows = list(plain.iter_rows(values_only=True))
    assert list(rows[0]) == ["一级指标", "二级指标", "三级指标", "指标性质", "度量单位", "年度指标值", "实际完成值", "分值",
                             "得分", "偏差原因分析及改进措施"]
    assert len(rows) - 1 == len(evaluation.indicators)
    assert all(row[0] for row in rows[1:])
    output = [row for row in rows[1:] if row[0] == "产出指标"]
    assert len(output) == 4 and all(row[1] for row in output)


def test_an_approved_form_has_no_draft_mark(app, world):
    evaluation = scored_evaluation(world)
    evaluation.state = "approved"
    db.session.commit()
    ws, _plain = form_sheets(evaluation)
    values = {cell.value for row in ws.iter_rows() for cell in row if isinstance(cell.value, str)}
    assert not any("草稿" in value or "暂定" in value for value in values)
    assert ws.oddHeader.left.text is None
    assert find(ws, "评价等级").offset(column=7).value == str(scoring.GRADE_LABELS[evaluation.grade])


def test_an_empty_form_shows_no_nature_nobody_chose_and_qualitative_ones_as_such(app, world):
    project = plans.add_project(world["plan"], "空白项目", world["section_a"].id, world["office"])
    evaluation = db.session.get(Evaluation, project.evaluation.id)
    qualitative = next(ind for ind in evaluation.indicators if ind.kind != "execution_rate")
    qualitative.nature = scoring.QUALITATIVE
    db.session.commit()
    ws, _plain = form_sheets(evaluation)
    header = find(ws, "指标性质")
    natures = [ws.cell(row=r, column=4).value for r in range(header.row + 1, find(ws, "总分").row)]
    assert "≥" not in natures  # the form's default is no statement about the indicator
    assert natures.count("定性") == 1 and "—" in natures  # 预算执行率


def test_amount_formats_follow_the_decimals():
    from workflow.excel.exporter import amount_format

    assert [amount_format(Decimal(v)) for v in ("206.632", "300.0000", "0.7217", "85.6", "1E+2")] == [
        "0.000", "0", "0.0000", "0.0", "0"]


def test_the_summary_marks_provisional_scores_and_keeps_its_rows_plain_for_programs(app, world):
    from tests.test_excel import signed_in, workbook

    scored = scored_evaluation(world)  # 准备中, scored: provisional
    approved = scored_evaluation(world, "危化品企业安全检查")
    approved.state = "approved"
    db.session.commit()
    wb = workbook(signed_in(app, world["leader"]).get(f"/excel/plans/{world['plan'].id}/summary.xlsx"))
    ws = wb["汇总"]
    provisional, final = find(ws, scored.project.name).row, find(ws, approved.project.name).row
    assert isinstance(ws.cell(row=provisional, column=7).value, float)
    assert ws.cell(row=provisional, column=7).number_format == '0.00"（暂定）"'
    assert ws.cell(row=provisional, column=8).value.endswith("（暂定）")
    assert ws.cell(row=final, column=7).number_format == "0.00"
    assert find(ws, "注：标“暂定”的得分和等级尚未审批（1 个项目），不作为评价结果。")
    assert "项目绩效自评汇总表" in ws.oddHeader.center.text

    data = wb["数据"]
    assert data.sheet_state == "hidden"
    rows = list(data.iter_rows(values_only=True))
    assert rows[0] == ("序号", "项目名称", "责任科室", "全年预算数（万元）", "全年执行数（万元）", "执行率", "得分", "评价等级",
                       "状态", "是否已审批")
    assert len(rows) == 3  # the two projects, no 合计
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name[scored.project.name][9] == "否" and by_name[approved.project.name][9] == "是"
    assert exact(by_name[scored.project.name][3]) == Decimal("206.632")
