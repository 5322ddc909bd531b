"""The 项目支出绩效自评表 (部门整体支出绩效自评表) of one evaluation as the official form, ready
to print and to sign: A4 landscape, one page wide, rows as tall as their text, the 绩效指标
header repeated only on pages that hold indicator rows, the signature lines of 单位负责人,
项目负责人, 财务负责人 and 填报人 and the place of the unit's seal; anything not yet approved
marked 草稿 · 未审批 on the form and in every page's header.

Amounts are numbers in 万元 shown with the decimals they have (206.632, 300); rates are
fractions shown as percentages. A second, hidden sheet, 指标明细, holds the indicators as plain
rows (the group's 一级/二级指标 on every row, no merged cells, one header row) for programs that
read the workbook: pandas.read_excel(..., sheet_name="指标明细") gets every row whole.
"""
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from workflow import scoring
from workflow.engine.definition import state_def
from workflow.excel import layout
from workflow.excel.exporter import (
    CENTER, HEADER_FILL, LEFT, RATE_FORMAT, RIGHT, SCORE_FORMAT, TOP_LEFT, UNDERLINE, _target_note, amount,
    amount_format, body_font, grade_label, is_final, local_date, organisation, put, put_merged, rate_of, safe_filename, set_widths,
    title_font, to_bytes,
)
from workflow.selfeval import content
from workflow.selfeval.framework import EXECUTION_RATE

FORM_COLUMNS = 10  # A–J: the 绩效指标 table's ten columns set the form's grid
# Wide enough for every heading on one line ("年初预算数" needs 11.4 at 11 pt) and for a bold
# "100.00", and 766 pt in all: landscape A4 holds them at full size.
WIDTHS = (14, 12, 20, 12, 12, 14, 16, 9, 9, 28)
DRAFT_COLOUR = "C00000"
NATURE_SIGNS = {scoring.POSITIVE: "≥", scoring.NEGATIVE: "≤", scoring.EQUAL: "="}
SIGNATURE_HEIGHT = 26
# The form's text: 10 pt, as official forms are set (10–10.5 pt); the title stays larger.
FORM_SIZE = 10
ROW_MINIMUM = 19  # one line of 10 pt
# The form's closing text boxes, taken from the report sections of the same key.
NARRATIVE_BOXES = (("conclusion", _l("评价结论")), ("problems", _l("存在问题")), ("measures", _l("改进措施")))
# Share of a page the layout counts on: every row's height is the file's own, so only the
# office program's rounding is unknown.
PAGE_SAFETY = 0.98


def nature_label(ind):
    """指标性质 as the form prints it: 定性 for a qualitative indicator, the sign of a
    quantitative one, and nothing for a row whose nature no one has chosen yet (the form
    starts every row at ≥, which is no statement about the indicator)."""
    if ind.kind == EXECUTION_RATE or ind.nature is None:
        return "—"
    if ind.nature == scoring.QUALITATIVE:
        return str(scoring.NATURE_LABELS[scoring.QUALITATIVE])
    untouched = (ind.nature == scoring.POSITIVE and ind.target is None and ind.actual is None and not ind.unit
                 and not ind.target_text and not ind.actual_text)
    return "" if untouched else NATURE_SIGNS.get(ind.nature, ind.nature)


def _indicator_values(ind, total_row):
    """(年度指标值, 实际完成值) as the form shows them: texts for a qualitative indicator,
    else numbers (the execution rate's from the budget block when not stored)."""
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


def _number(ws, row, column, value, **style):
    """A number with its own decimals (an indicator's 年度指标值 or 实际完成值), or a text."""
    if isinstance(value, Decimal):
        return put(ws, row, column, value, number_format=amount_format(value), **style)
    return put(ws, row, column, value, **style)


def self_evaluation_workbook(evaluation):
    """The form of ``evaluation``; returns the bytes."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("自评表")
    set_widths(ws, WIDTHS)
    form = _Form(ws, evaluation)
    form.write()
    _set_size(ws, FORM_SIZE)
    layout.fit_rows(ws)
    form.page_setup()
    _plain_indicators(wb.create_sheet(_("指标明细")), evaluation, form.total_row)
    return to_bytes(wb)


def self_evaluation_filename(evaluation):
    return safe_filename(_("%(name)s-项目支出绩效自评表", name=evaluation.project.name)) + ".xlsx"


class _Form:
    def __init__(self, ws, evaluation):
        self.ws = ws
        self.evaluation = evaluation
        self.project = evaluation.project
        self.rows = content.funding(evaluation)
        self.total_row = self.rows.get("total")
        self.indicators = list(evaluation.indicators)
        self.final = is_final(evaluation)
        self.label = dict(font=body_font(bold=True), alignment=CENTER, fill=HEADER_FILL)
        self.title = (_("部门整体支出绩效自评表") if self.project.is_department else _("项目支出绩效自评表"))
        self.r = 0
        self.header_row = self.first_indicator = self.last_indicator = None

    def write(self):
        self._title()
        self._header_block()
        self._funding()
        self._overall_target()
        self._indicators()
        self._closing()
        self._signatures()

    # The parts, top to bottom ---------------------------------------------------------

    def _title(self):
        ws, last = self.ws, FORM_COLUMNS
        put_merged(ws, 1, 1, last, self.title, font=title_font(18), alignment=CENTER, border=None)
        ws.row_dimensions[1].height = 28
        put_merged(ws, 2, 1, last, _("（%(year)d年度）", year=self.project.budget_year), font=body_font(size=12),
                   alignment=CENTER, border=None)
        self.r = 2
        if not self.final:
            self.r += 1
            put_merged(ws, self.r, 1, last, draft_notice(self.evaluation),
                       font=body_font(bold=True, size=12, color=DRAFT_COLOUR), alignment=CENTER, border=None)

    def _header_block(self):
        ws, last, label, plain = self.ws, FORM_COLUMNS, self.label, dict(alignment=LEFT)
        project = self.project
        r = self.r + 1
        put(ws, r, 1, _("项目名称"), **label)
        put_merged(ws, r, 2, last, project.name, **plain)
        put(ws, r + 1, 1, _("主管部门"), **label)
        put_merged(ws, r + 1, 2, 5, organisation(project.plan), **plain)
        put(ws, r + 1, 6, _("实施单位"), **label)
        put_merged(ws, r + 1, 7, last, project.section.name if project.section else "—", **plain)
        put(ws, r + 2, 1, _("项目负责人"), **label)
        put_merged(ws, r + 2, 2, 5, project.leader_name or "", **plain)
        put(ws, r + 2, 6, _("评价年度"), **label)
        put_merged(ws, r + 2, 7, last, _("%(year)d年", year=project.plan.run_year), **plain)
        self.r = r + 2

    def _funding(self):
        ws, last, label, plain = self.ws, FORM_COLUMNS, self.label, dict(alignment=LEFT)
        first = self.r + 1
        labels = content.funding_labels(self.evaluation)
        # The label breaks before its unit: "项目资金" / "（万元）", never "（万元" / "）".
        heading = _("部门预算资金\n（万元）") if self.project.is_department else _("项目资金\n（万元）")
        put_merged(ws, first, 1, 1, heading, last_row=first + len(labels), **label)
        put_merged(ws, first, 2, 3, "", **label)
        for column, text in zip(range(4, 10), (_("年初预算数"), _("全年预算数"), _("全年执行数"), _("分值"),
                                               _("执行率"), _("得分"))):
            put(ws, first, column, text, **label)
        put(ws, first, last, "", **label)
        rate_indicator = next((ind for ind in self.indicators if ind.kind == EXECUTION_RATE), None)
        for offset, (kind, kind_label) in enumerate(labels.items(), start=1):
            r = first + offset
            row = self.rows.get(kind)
            put_merged(ws, r, 2, 3, str(kind_label), **plain)
            values = (row.initial_budget, row.annual_budget, row.executed) if row is not None else (None,) * 3
            for column, value in zip((4, 5, 6), values):
                value = amount(value)
                put(ws, r, column, value, alignment=RIGHT, number_format=amount_format(value))
            rate = rate_of(row.annual_budget, row.executed) if row is not None else None
            put(ws, r, 8, rate, alignment=RIGHT, number_format=RATE_FORMAT)
            if kind == "total":
                put(ws, r, 7, rate_indicator.weight if rate_indicator else None, alignment=RIGHT,
                    number_format=SCORE_FORMAT)
                put(ws, r, 9, rate_indicator.score if rate_indicator else None, alignment=RIGHT,
                    number_format=SCORE_FORMAT)
            else:
                put(ws, r, 7, "—", alignment=CENTER)
                put(ws, r, 9, "—", alignment=CENTER)
            put(ws, r, last, "")
        self.r = first + len(labels)

    def _overall_target(self):
        ws, last, label = self.ws, FORM_COLUMNS, self.label
        r = self.r + 1
        put_merged(ws, r, 1, 1, _("年度总体目标"), last_row=r + 1, **label)
        put_merged(ws, r, 2, 5, _("预期目标"), **label)
        put_merged(ws, r, 6, last, _("实际完成情况"), **label)
        put_merged(ws, r + 1, 2, 5, self.project.overall_target or "", alignment=TOP_LEFT)
        put_merged(ws, r + 1, 6, last, self.evaluation.overall_achievement or "", alignment=TOP_LEFT)
        ws.row_dimensions[r + 1].height = 30
        self.r = r + 1

    def _indicators(self):
        ws, label, indicators = self.ws, self.label, self.indicators
        self.header_row = header = self.r + 1
        for column, heading in enumerate(indicator_headings(), start=1):
            put(ws, header, column, heading, **label)
        first = self.first_indicator = header + 1
        for index, ind in enumerate(indicators):
            r = first + index
            target, actual = _indicator_values(ind, self.total_row)
            put(ws, r, 1, ind.level1, alignment=CENTER)
            put(ws, r, 2, ind.level2, alignment=CENTER)
            put(ws, r, 3, ind.name, alignment=LEFT)
            _target_note(ws.cell(row=r, column=3), ind)
            put(ws, r, 4, nature_label(ind), alignment=CENTER)
            put(ws, r, 5, ind.unit or "", alignment=CENTER)
            _number(ws, r, 6, target, alignment=CENTER)
            _number(ws, r, 7, actual, alignment=CENTER)
            put(ws, r, 8, ind.weight, alignment=RIGHT, number_format=SCORE_FORMAT)
            if ind.applicable:
                put(ws, r, 9, ind.score, alignment=RIGHT, number_format=SCORE_FORMAT)
            else:
                put(ws, r, 9, _("不适用"), alignment=CENTER)
            put(ws, r, 10, ind.deviation_reason or "", alignment=TOP_LEFT)
            ws.row_dimensions[r].height = ROW_MINIMUM
        self.last_indicator = first + len(indicators) - 1
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
        self.r = self.last_indicator

    def _closing(self):
        ws, last, label, evaluation = self.ws, FORM_COLUMNS, self.label, self.evaluation
        r = self.r + 1
        put_merged(ws, r, 1, 7, _("总分"), **label)
        put(ws, r, 8, sum((Decimal(ind.weight) for ind in self.indicators), Decimal(0)), alignment=RIGHT,
            number_format=SCORE_FORMAT, font=body_font(bold=True))
        put(ws, r, 9, evaluation.total_score, alignment=RIGHT, number_format=SCORE_FORMAT,
            font=body_font(bold=True))
        put(ws, r, 10, "" if self.final else _("未审批，得分为暂定"), alignment=CENTER,
            font=body_font(color=None if self.final else DRAFT_COLOUR))
        r += 1
        put_merged(ws, r, 1, 7, _("评价等级"), **label)
        grade = grade_label(evaluation.grade)
        if grade and not self.final:
            grade = _("%(grade)s（暂定）", grade=grade)
        put_merged(ws, r, 8, last, grade, font=body_font(bold=True), alignment=CENTER)
        texts = {section.key: section.text for section in evaluation.narrative}
        for key, heading in NARRATIVE_BOXES:
            r += 1
            put(ws, r, 1, str(heading), **label)
            put_merged(ws, r, 2, last, texts.get(key, ""), alignment=TOP_LEFT)
            ws.row_dimensions[r].height = 30
        self.r = r

    def _signatures(self):
        """Two lines: 单位负责人, 项目负责人, 财务负责人; then 填报人, 填报日期 and the seal."""
        ws, evaluation = self.ws, self.evaluation
        signer = evaluation.submitted_by.full_name if evaluation.submitted_by else ""
        lines = (
            ((_("单位负责人："), ""), (_("项目负责人："), ""), (_("财务负责人："), "")),
            ((_("填报人："), signer), (_("填报日期："), local_date(evaluation.submitted_at)),
             (_("单位（盖章）："), "")),
        )
        # (label's first and last column, value's first and last column) of the three pairs
        places = ((1, 2, 3, 3), (4, 5, 6, 7), (8, 9, 10, 10))
        self.r += 1  # a narrow blank row between the form and its signatures
        ws.row_dimensions[self.r].height = 8
        for pairs in lines:
            self.r += 1
            for (text, value), (label_first, label_last, value_first, value_last) in zip(pairs, places):
                put_merged(ws, self.r, label_first, label_last, text, font=body_font(bold=True), alignment=RIGHT,
                           border=None)
                put_merged(ws, self.r, value_first, value_last, value, alignment=LEFT, border=UNDERLINE)
            ws.row_dimensions[self.r].height = SIGNATURE_HEIGHT

    # Print ----------------------------------------------------------------------------

    def page_setup(self):
        ws = self.ws
        name = self.title if self.final else _("%(title)s（草稿 · 未审批）", title=self.title)
        layout.page_setup(ws, f"{self.project.name} {name}", landscape=True,
                          area=f"A1:{get_column_letter(FORM_COLUMNS)}{self.r}")
        if not self.final:
            ws.oddHeader.left.text = _("草稿 · 未审批")
            ws.oddHeader.left.color = DRAFT_COLOUR
            ws.oddHeader.left.size = 12
        self._break_pages()

    def _break_pages(self):
        """Repeat the indicators' header only where indicator rows continue onto a page, and
        keep the closing part (总分 … signatures) from starting a page of its own below a
        repeated header: when it would, the last indicator rows go to its page with it."""
        from openpyxl.worksheet.pagebreak import Break

        ws = self.ws
        room = layout.page_room(ws, 1, FORM_COLUMNS) * PAGE_SAFETY
        if layout.rows_height(ws, 1, self.last_indicator) <= room:
            return  # every indicator on the first page: no header to repeat
        ws.print_title_rows = f"{self.header_row}:{self.header_row}"
        header = layout.row_height(ws, self.header_row)
        tail = layout.rows_height(ws, self.last_indicator + 1, self.r)
        # Where the pages fall: page one from row 1, the others below the repeated header.
        used, page_start = 0.0, 1
        for row in range(1, self.last_indicator + 1):
            height = layout.row_height(ws, row)
            if used + height > room:
                used, page_start = header, row
            used += height
        if used + tail <= room or header + tail > room:
            return  # the closing part fits below the last indicators, or needs pages of its own
        # Move the last indicators (as few as will do) to the closing part's page.
        moved = 0.0
        for row in range(self.last_indicator, max(page_start, self.first_indicator), -1):
            moved += layout.row_height(ws, row)
            if header + moved + tail <= room and not _inside_merge(ws, row):
                ws.row_breaks.append(Break(id=row - 1))
                return
            if header + moved + tail > room:
                return


def _set_size(ws, size):
    """Every cell written at the body's default size (11 pt) at ``size`` instead."""
    from copy import copy

    for row in ws.iter_rows():
        for cell in row:
            if cell.has_style and cell.font is not None and cell.font.sz == 11:
                font = copy(cell.font)
                font.sz = size
                cell.font = font


def _inside_merge(ws, row):
    """Whether a page break above ``row`` would cut a merged range (a 一级指标 group)."""
    return any(r.min_row < row <= r.max_row for r in ws.merged_cells.ranges)


def indicator_headings():
    return (_("一级指标"), _("二级指标"), _("三级指标"), _("指标性质"), _("度量单位"), _("年度指标值"),
            _("实际完成值"), _("分值"), _("得分"), _("偏差原因分析及改进措施"))


def draft_notice(evaluation):
    return _("草稿 · 未审批：本表尚未审批（当前状态：%(state)s），所列得分和等级为暂定，不作为评价结果。",
             state=str(state_def(evaluation.state).label))


def _plain_indicators(ws, evaluation, total_row):
    """The indicators as plain rows for programs: one header row, then one row per
    indicator with its 一级 and 二级指标 written out, numbers as numbers."""
    headings = indicator_headings()
    for column, heading in enumerate(headings, start=1):
        put(ws, 1, column, heading, font=body_font(bold=True), alignment=CENTER, fill=HEADER_FILL)
    set_widths(ws, WIDTHS)
    r = 1
    for ind in evaluation.indicators:
        r += 1
        target, actual = _indicator_values(ind, total_row)
        values = (ind.level1, ind.level2, ind.name, nature_label(ind), ind.unit or "")
        for column, value in enumerate(values, start=1):
            put(ws, r, column, value, alignment=LEFT)
        _number(ws, r, 6, target, alignment=CENTER)
        _number(ws, r, 7, actual, alignment=CENTER)
        put(ws, r, 8, ind.weight, alignment=RIGHT, number_format=SCORE_FORMAT)
        put(ws, r, 9, ind.score if ind.applicable else _("不适用"), alignment=RIGHT, number_format=SCORE_FORMAT)
        put(ws, r, 10, ind.deviation_reason or "", alignment=TOP_LEFT)
    ws.freeze_panes = "A2"
    # Hidden, without a print area: a clerk prints the form alone (LibreOffice prints a hidden
    # sheet that has a print area, and its "共 n 页" counts it); programs read it as any other.
    ws.sheet_state = "hidden"
    layout.fit_rows(ws)

