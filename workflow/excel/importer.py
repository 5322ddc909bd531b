"""The project import template (项目导入模板) and importing a plan's projects from it.

An upload is all or nothing: every row is checked first and every problem is reported with
its Excel row number; only a file without any problem creates its projects, all in one
transaction.

Amounts are exact: openpyxl gives a number cell as a float, which is read through its
shortest representation (``repr``), so 206.632 stays 206.632. Excel keeps 15 significant
digits; a float whose ``repr`` shows binary noise beyond them (0.1 + 0.2 =
0.30000000000000004, or a value written with 16 digits by another program) is read at
Excel's 15 digits. A value with more than four decimal places (万元 to the yuan) is refused,
never rounded.
"""
import io
import math
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from workflow import files, numbers, office_files, scoring, signals
from workflow.errors import ServiceError
from workflow.excel import layout, sheets
from workflow.excel.exporter import (
    AMOUNT_FORMAT, CENTER, HEADER_FILL, LEFT, TOP_LEFT, body_font, print_setup, put, put_merged, safe_filename,
    set_widths, title_font, to_bytes,
)
from workflow.extensions import db
from workflow.library.terms import category_code, chinese_labels
from workflow.models import Project, Section
from workflow.plans import services as plans
from workflow.selfeval import content
from workflow.selfeval.services import TEXT_LIMIT

# The template's columns, in order: (key, header).
COLUMNS = (
    ("name", _l("项目名称")),
    ("section", _l("责任科室")),
    ("leader_name", _l("项目负责人")),
    ("initial_budget", _l("年初预算数（万元）")),
    ("annual_budget", _l("全年预算数（万元）")),
    ("current_year", _l("本年财政拨款（万元）")),
    ("carry_over", _l("上年结转资金（万元）")),
    ("other", _l("其他资金（万元）")),
    ("overall_target", _l("年度总体目标")),
    # Last, so that the columns before it stay where they were.
    ("category", _l("项目类别")),
)
KEYS = tuple(key for key, _label in COLUMNS)
HEADERS = dict(COLUMNS)
AMOUNT_KEYS = ("initial_budget", "annual_budget", "current_year", "carry_over", "other")
PART_KEYS = ("current_year", "carry_over", "other")

# What the 说明 sheet says of each column: (required, explanation).
EXPLANATIONS = {
    "name": (True, _l("项目的全称，最多 200 个字；同一方案内不能重名，文件内也不能重复。")),
    "section": (True, _l("从下拉列表中选择在用的科室，须与系统中的科室名称完全一致。")),
    "leader_name": (False, _l("项目负责人姓名，最多 64 个字。")),
    "initial_budget": (False, _l("年初预算数，单位万元，最多保留四位小数（到元），不能为负数。")),
    "annual_budget": (False, _l("全年预算数（调整后），单位万元，最多四位小数，不能为负数。")),
    "current_year": (False, _l("全年预算数中的本年财政拨款，单位万元。")),
    "carry_over": (False, _l("全年预算数中的上年结转资金，单位万元。")),
    "other": (False, _l("全年预算数中的其他资金，单位万元。填写了资金来源时，三项之和须等于全年预算数。")),
    "overall_target": (False, _l("项目的年度总体目标（预期目标），最多 20000 个字。")),
    "category": (False, _l("从下拉列表中选择：培训类、会议类、购置类、政府购买服务、检查整治类、其他；"
                           "设定类别的项目，其绩效指标从指标库中该类别的指标开始。")),
}

TITLE_ROW = 1
HEADER_ROW = 2
FIRST_DATA_ROW = 3
TEMPLATE_ROWS = 500  # rows prepared with formats and the section list
MAX_ROWS = 1000  # projects per upload
NAME_LIMIT = 200
LEADER_LIMIT = 64
AMOUNT_LIMIT = Decimal("1e14")  # Numeric(18, 4)
# The data sheet keeps its Chinese name in every language, like the form it stands for.
SHEET_NAME = "项目"
LIST_SHEET_NAME = "sections"  # the hidden sheet behind the 责任科室 list


@dataclass
class Problem:
    row: int | None  # the Excel row; None for the file as a whole
    message: str

    def __str__(self):
        if self.row is None:
            return self.message
        return _("第 %(row)d 行：%(message)s", row=self.row, message=self.message)


class ImportRefused(ServiceError):
    """Nothing was imported; ``problems`` lists every reason."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("；".join(str(p) for p in self.problems))


def run_upload(upload, importer, missing=None):
    """What an import page does with its uploaded file: ``(importer(stream), [])``, or
    ``(None, problems)`` when no file came (``missing`` says what to choose) or the importer
    refused it (nothing imported)."""
    if upload is None or not upload.filename:
        return None, [Problem(None, missing or _("请选择要上传的 Excel 文件（.xlsx）。"))]
    try:
        return importer(upload.stream), []
    except ImportRefused as refusal:
        return None, refusal.problems


@dataclass
class ProjectRow:
    row: int
    name: str
    section: Section
    leader_name: str = ""
    overall_target: str = ""
    category: str | None = None
    amounts: dict = field(default_factory=dict)


# The template ---------------------------------------------------------------------------


def chinese(label):
    """A label in Chinese whatever the request's language: workbook headers are read in Chinese."""
    with force_locale("zh_CN"):
        return str(label)


def template_workbook(plan, sections):
    """The import template for ``plan``: sheet 项目 (title row, header row, 责任科室 list
    from ``sections``, amount formats) and sheet 说明. Returns the bytes."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_NAME
    last = len(COLUMNS)
    # Wide enough for each header on one line ("本年财政拨款（万元）" never breaks inside).
    set_widths(ws, (36, 24, 14, 20, 20, 23, 23, 18, 60, 16))
    put_merged(ws, TITLE_ROW, 1, last, _("%(title)s：评价项目导入", title=plan.title),
               font=title_font(14), alignment=LEFT, border=None)
    ws.row_dimensions[TITLE_ROW].height = 28
    for column, (key, header) in enumerate(COLUMNS, start=1):
        required = EXPLANATIONS[key][0]  # required columns in red
        put(ws, HEADER_ROW, column, str(header), font=body_font(bold=True, color="C00000" if required else None),
            alignment=CENTER, fill=HEADER_FILL)
    ws.row_dimensions[HEADER_ROW].height = 32
    ws.freeze_panes = ws.cell(row=FIRST_DATA_ROW, column=1)
    last_row = FIRST_DATA_ROW + TEMPLATE_ROWS - 1
    for r in range(FIRST_DATA_ROW, last_row + 1):
        for column, key in enumerate(KEYS, start=1):
            cell = ws.cell(row=r, column=column)
            cell.font = body_font()
            if key in AMOUNT_KEYS:
                cell.number_format = AMOUNT_FORMAT
            else:
                cell.number_format = "@"  # text: Excel must not turn a name into a number or date
                cell.alignment = TOP_LEFT if key == "overall_target" else LEFT

    section_column = KEYS.index("section") + 1
    names = [section.name for section in sections]
    if names:
        lists = wb.create_sheet(LIST_SHEET_NAME)
        for index, name in enumerate(names, start=1):
            put(lists, index, 1, name, border=None)
        lists.sheet_state = "hidden"
        letter = get_column_letter(section_column)
        choice = DataValidation(
            type="list", formula1=f"'{LIST_SHEET_NAME}'!$A$1:$A${len(names)}", allow_blank=True,
            showErrorMessage=True, errorTitle=_("责任科室"), error=_("请从列表中选择在用的科室。"),
            promptTitle=_("责任科室"), prompt=_("请从列表中选择。"), showInputMessage=True,
        )
        choice.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}")
        ws.add_data_validation(choice)
    letter = get_column_letter(KEYS.index("category") + 1)
    kinds = DataValidation(
        type="list", formula1='"' + ",".join(chinese_labels()) + '"', allow_blank=True, showErrorMessage=True,
        errorTitle=_("项目类别"), error=_("请从列表中选择项目类别。"),
    )
    kinds.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}")
    ws.add_data_validation(kinds)
    first_amount = KEYS.index("initial_budget") + 1
    last_amount = KEYS.index("other") + 1
    non_negative = DataValidation(
        type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True, showErrorMessage=True,
        errorTitle=_("金额"), error=_("请填写不小于 0 的数字（万元，最多四位小数）。"),
    )
    non_negative.add(f"{get_column_letter(first_amount)}{FIRST_DATA_ROW}:{get_column_letter(last_amount)}{last_row}")
    ws.add_data_validation(non_negative)
    layout.fit_rows(ws)
    print_setup(ws, title_rows=f"{HEADER_ROW}:{HEADER_ROW}", name=_("%(title)s：评价项目导入", title=plan.title))

    notes = wb.create_sheet(_("说明"))
    set_widths(notes, (24, 10, 90))
    put_merged(notes, 1, 1, 3, _("填写说明"), font=title_font(14), alignment=LEFT, border=None)
    notes.row_dimensions[1].height = 26
    for column, heading in enumerate((_("列名"), _("是否必填"), _("说明")), start=1):
        put(notes, 2, column, heading, font=body_font(bold=True), alignment=CENTER, fill=HEADER_FILL)
    for index, (key, header) in enumerate(COLUMNS):
        required, text = EXPLANATIONS[key]
        r = 3 + index
        put(notes, r, 1, str(header), alignment=LEFT)
        put(notes, r, 2, _("必填") if required else _("选填"), alignment=CENTER)
        put(notes, r, 3, str(text), alignment=LEFT)
    r = 3 + len(COLUMNS) + 1
    general = (
        _("请在“%(sheet)s”工作表第 %(row)d 行起逐行填写，每行一个项目；不要修改第 %(header)d 行的表头。",
          sheet=SHEET_NAME, row=FIRST_DATA_ROW, header=HEADER_ROW),
        _("金额单位为万元，最多保留四位小数（到元），请填写数值，不要带单位。"),
        _("上传时逐行检查；只要有一行不符合要求，整个文件都不会导入，请按提示的行号修改后重新上传。"),
        _("导入的项目处于“准备中”，各责任科室随后在系统中填写绩效指标等内容。"),
    )
    for line in general:
        put_merged(notes, r, 1, 3, line, alignment=LEFT, border=None)
        r += 1
    layout.fit_rows(notes)
    print_setup(notes, title_rows="2:2", name=_("%(title)s：评价项目导入", title=plan.title) + " " + _("填写说明"))
    notes.print_area = f"A1:C{r - 1}"
    return to_bytes(wb)


def template_filename(plan):
    return safe_filename(_("%(title)s-项目导入模板", title=plan.title)) + ".xlsx"


# Reading an upload ----------------------------------------------------------------------


def _refuse(message):
    raise ImportRefused([Problem(None, message)])


def _not_xlsx():
    _refuse(_("上传的文件不是有效的 Excel 工作簿（.xlsx），请使用下载的导入模板。"))


def _open(data, data_only):
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception:  # noqa: BLE001 - a damaged file fails in many ways inside openpyxl
        _not_xlsx()


def _check_workbook(data):
    """The upload opened as a workbook within the limits of every Office upload
    (workflow/office_files.py) before it is read."""
    if not data:
        _refuse(_("上传的文件是空的。"))
    try:
        office_files.check(data, files.XLSX)
    except office_files.OfficeFileRefused as refusal:
        if refusal.reason == "invalid":
            _not_xlsx()
        _refuse(refusal.message)


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


class _Uncalculated:
    """A formula cell saved without its result (written by a program, not by Excel)."""


def _header_matches(values):
    width = len(COLUMNS)
    header = [("" if v is None else str(v).strip()) for v in values[:width]]
    header += [""] * (width - len(header))
    accepted = ([chinese(label) for _key, label in COLUMNS], [str(label) for _key, label in COLUMNS])
    return header in accepted


def read_upload(stream):
    """[(row number, {key: raw value})] of the non-empty data rows of an upload: the template
    saved as .xlsx, .xls, .ods or .csv (workflow/excel/sheets.py). Refuses (ImportRefused)
    anything else. A CSV written by another program may start with the header row itself
    (no title row); its rows are then numbered from 1 as well, as the file's lines are."""
    try:
        sheet = sheets.read(stream.read(), SHEET_NAME)
    except sheets.SheetRefused as refusal:
        _refuse(refusal.message)
    width = len(COLUMNS)
    header_row = HEADER_ROW
    if sheet.kind == sheets.CSV and sheet.rows and _header_matches(sheet.rows[0]):
        header_row = 1
    if len(sheet.rows) < header_row or not _header_matches(sheet.rows[header_row - 1]):
        _refuse(_("第 %(row)d 行的表头与导入模板不一致，请使用本系统下载的模板，不要增删或调换列。",
                  row=HEADER_ROW))
    formulas_of = sheet.formulas or [()] * len(sheet.rows)
    rows = []
    for number in range(header_row + 1, len(sheet.rows) + 1):
        values = tuple(sheet.rows[number - 1][:width])
        formulas = tuple(formulas_of[number - 1][:width]) if number - 1 < len(formulas_of) else ()
        values += (None,) * (width - len(values))
        formulas += (None,) * (width - len(formulas))
        if all(_blank(v) for v in values) and all(_blank(f) for f in formulas):
            continue  # empty rows (the template's prepared rows) are ignored
        raw = {}
        for key, value, formula in zip(KEYS, values, formulas):
            if value is None and isinstance(formula, str) and formula.startswith("="):
                value = _Uncalculated()
            raw[key] = value
        rows.append((number, raw))
        if len(rows) > MAX_ROWS:
            _refuse(_("一次最多导入 %(n)d 个项目。", n=MAX_ROWS))
    return rows


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value).strip()


def _places(value):
    exponent = value.normalize().as_tuple().exponent
    return -exponent if exponent < 0 else 0


def parse_amount(value):
    """(Decimal with four places or None, problem message or None) for one amount cell."""
    if value is None:
        return None, None
    if isinstance(value, bool) or isinstance(value, (date, datetime, time)):
        return None, "number"
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            return None, "number"
        number = Decimal(repr(value))
        if _places(number) > 4:
            at_excel_precision = Decimal(format(value, ".15g"))
            if _places(at_excel_precision) <= 4:
                number = at_excel_precision
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "")
        if not text:
            return None, None
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None, "number"
    else:
        return None, "number"
    if not number.is_finite():
        return None, "number"
    if number < 0:
        return None, "negative"
    if _places(number) > 4:
        return None, "places"
    if number >= AMOUNT_LIMIT:
        return None, "large"
    return number.quantize(scoring.AMOUNT_QUANTUM), None


def _number(value):
    return numbers.plain(value)


def validate(plan, rows):
    """Check every row; returns ([ProjectRow], [Problem])."""
    sections = {section.name: section for section in db.session.scalars(select(Section))}
    existing = set(db.session.scalars(select(Project.name).where(Project.plan_id == plan.id)))
    seen = {}
    good, problems = [], []
    for number, raw in rows:
        found = []

        def problem(message):
            found.append(Problem(number, str(message)))

        if any(isinstance(v, _Uncalculated) for v in raw.values()):
            problem(_("有公式没有计算结果，请在 Excel 中打开并保存后再上传，或直接填写数值。"))
            problems.extend(found)
            continue

        name = _text(raw["name"])
        if not name:
            problem(_("项目名称不能为空。"))
        elif len(name) > NAME_LIMIT:
            problem(_("项目名称不能超过 200 个字。"))
        elif name in seen:
            problem(_("项目名称“%(name)s”与第 %(row)d 行重复。", name=name, row=seen[name]))
        elif name in existing:
            problem(_("本方案中已有名为“%(name)s”的项目。", name=name))
        if name and name not in seen:
            seen[name] = number

        section_name = _text(raw["section"])
        section = sections.get(section_name)
        if not section_name:
            problem(_("责任科室不能为空。"))
        elif section is None:
            problem(_("找不到责任科室“%(name)s”，请从下拉列表中选择。", name=section_name))
        elif not section.active:
            problem(_("责任科室“%(name)s”已停用。", name=section_name))

        leader_name = _text(raw["leader_name"])
        if len(leader_name) > LEADER_LIMIT:
            problem(_("“%(field)s”不能超过 %(n)d 个字。", field=HEADERS["leader_name"], n=LEADER_LIMIT))
        overall_target = _text(raw["overall_target"])
        if len(overall_target) > TEXT_LIMIT:
            problem(_("“%(field)s”不能超过 %(n)d 个字。", field=HEADERS["overall_target"], n=TEXT_LIMIT))

        category_text = _text(raw["category"])
        category = category_code(category_text) if category_text else None
        if category_text and category is None:
            problem(_("未知的项目类别“%(name)s”，请从下拉列表中选择（%(list)s）。",
                      name=category_text[:20], list="、".join(chinese_labels())))

        amounts = {}
        for key in AMOUNT_KEYS:
            value, code = parse_amount(raw[key])
            if code:
                problem(_amount_problem(code, HEADERS[key]))
            amounts[key] = value
        parts = [amounts[key] for key in PART_KEYS if amounts[key] is not None]
        if parts and amounts["annual_budget"] is not None and sum(parts, Decimal(0)) != amounts["annual_budget"]:
            problem(_("本年财政拨款、上年结转资金、其他资金之和（%(parts)s）与全年预算数（%(total)s）不一致。",
                      parts=_number(sum(parts, Decimal(0))), total=_number(amounts["annual_budget"])))

        if found:
            problems.extend(found)
        else:
            good.append(ProjectRow(row=number, name=name, section=section, leader_name=leader_name,
                                   overall_target=overall_target, amounts=amounts, category=category))
    return good, problems


def _amount_problem(code, label):
    if code == "places":
        return _("“%(field)s”最多保留 %(n)d 位小数。", field=label, n=4)
    if code == "negative":
        return _("“%(field)s”不能为负数。", field=label)
    if code == "large":
        return _("“%(field)s”数值过大。", field=label)
    return _("“%(field)s”应为数字。", field=label)


# Creating the projects --------------------------------------------------------------------


def _create(plan, item, actor):
    """One project as plans.services.create_project makes it, with the file's figures."""
    project = plans.create_project(plan, item.name, item.section, actor, details={"source": "excel", "row": item.row},
                                   leader_name=item.leader_name, overall_target=item.overall_target,
                                   category=item.category)
    rows = content.funding(project.evaluation)
    rows["total"].initial_budget = item.amounts["initial_budget"]
    rows["total"].annual_budget = item.amounts["annual_budget"]
    for key in PART_KEYS:
        rows[key].annual_budget = item.amounts[key]
    db.session.flush()
    # Now with the file's figures; a new one has no notes.
    signals.evaluation_content_changed.send(project.evaluation, notes={})
    return project


def import_projects(plan, stream, actor):
    """Import the projects of an uploaded template into ``plan``: all of them, or, when any
    row has a problem, none (ImportRefused lists every problem). One commit."""
    rows = read_upload(stream)
    if not rows:
        _refuse(_("文件中没有项目数据：请从第 %(row)d 行起填写。", row=FIRST_DATA_ROW))
    good, problems = validate(plan, rows)
    if problems:
        raise ImportRefused(problems)
    try:
        projects = [_create(plan, item, actor) for item in good]
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        _refuse(_("导入时本方案的项目被他人同时修改（可能已有同名项目），未导入任何项目，请重试。"))
    except Exception:
        db.session.rollback()
        raise
    return projects
