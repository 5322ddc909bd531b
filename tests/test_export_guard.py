"""The export guard (workflow/export_guard.py) on every CSV and Excel export, in ONE table.

EXPORTS has a row for every export: what serves it (its endpoints; a workbook that only goes
out inside another download names that one), the module that builds it, how the test fetches
it, and which of the texts people typed it shows as they are. For every export and every
formula start — ``= + - @``, a tab, CR or LF before ``=``, the full-width ``＝ ＋ － ＠`` —
every text field people fill (plan, project, section and person names, the form's texts,
comments, meeting titles, places, phones, remarks …) is planted with a formula-like text, the
export is fetched, and:

* CSV: no cell starts with a formula character; each planted text comes out behind the
  apostrophe that neutralises it;
* xlsx, read back with openpyxl: no cell is a formula, every text is a text cell (data_type
  "s"), each planted text is a cell exactly as typed (nothing added: "+86 138…" stays so),
  and amounts stay number cells.

A new ``.csv``/``.xlsx`` route without a row fails test_every_export_route_has_a_row; a module
that builds a workbook or writes CSV without a row fails test_every_module_that_exports_has_a_row;
a cell written past the guard fails test_cells_are_written_only_through_the_guard.
"""
import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

import pytest
from flask import current_app
from openpyxl import Workbook, load_workbook

from tests.conftest import signed_in
from tests.factories import make_evaluation, make_setup
from tests.test_meetings import bj, make_meeting, reply_data
from workflow import export_guard, scoring
from workflow.engine import audit
from workflow.excel.submission import submission_workbook
from workflow.extensions import db
from workflow.meetings import export as meeting_export
from workflow.meetings import services as meetings
from workflow.models import MeetingSignin
from workflow.selfeval import content
from workflow.submissions import services as submissions

# What a spreadsheet program may run as a formula, stated here on its own (not imported from
# the guard, so that a start the guard forgets fails the test).
FORMULA_CHARACTERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
PREFIXES = ("=", "+", "-", "@", "\t=", "\r=", "\n=", "＝", "＋", "－", "＠")
GUEST_PHONE = "+86 138 0000 0000"

# Every text field people fill that some export shows: key -> what follows the prefix.
FIELDS = {
    "plan": 'HYPERLINK("http://x","方案")',
    "project": 'HYPERLINK("http://x","项目")',
    "leader": "1+1 负责人",
    "target": "1+1 年度目标",
    "achievement": "1+1 完成情况",
    "section": "1+1 责任科室",
    "office_section": "1+1 规划财务科",
    "person": "1+1 经办人",
    "person2": "1+1 经办人二",
    "person2_title": "1+1 科员",
    "person2_phone": "0314-2150000",
    "level1": "1+1 一级",
    "level2": "1+1 二级",
    "indicator": "1+1 三级指标",
    "unit": "1+1 座",
    "target_text": "1+1 满意",
    "actual_text": "1+1 较满意",
    "deviation": "1+1 偏差原因",
    "conclusion": "1+1 评价结论",
    "problems": "1+1 存在问题",
    "measures": "1+1 改进措施",
    "comment": 'HYPERLINK("http://x","意见")',
    "meeting": "1+1 培训会",
    "place": "1+1 2603会议室",
    "reply_name": "1+1 原立吉",
    "reply_unit": "1+1 非煤矿山科",
    "reply_title": "1+1 科长",
    "reply_phone": "0314-2150001",
    "reply_remarks": "1+1 需要电脑",
    "guest": "1+1 刘专家",
    "guest_unit": "1+1 评价中心",
    "guest_title": "1+1 专家",
    "walk_in": "1+1 赵记者",
    "walk_in_unit": "1+1 承德日报社",
    "walk_in_title": "1+1 记者",
    "walk_in_phone": "13900000000",
    "submission": "1+1 报送",
}


# The world ------------------------------------------------------------------------------


@pytest.fixture
def world(app):
    org, plan = make_setup()
    evaluation = make_evaluation(plan, org, "submitted")  # filled and submitted by staff_a
    meeting = make_meeting(plan, org, invitees=[org.staff_a, org.staff_a2], guests=[("来宾", "单位")])
    meeting.organiser_section_id = org.office_section.id
    meetings.reply(meeting, org.staff_a, reply_data())
    walk_in = MeetingSignin(meeting_id=meeting.id, guest_name="walk-in", guest_unit="unit", name="记者",
                            signed_at=bj(6, 20, 9, 12), late=True, method="qr")
    db.session.add(walk_in)
    db.session.commit()
    # make_meeting left the clock before the meeting: nobody is 缺席, remarks are as typed.
    return SimpleNamespace(org=org, plan=plan, evaluation=evaluation, meeting=meeting, walk_in=walk_in,
                           office=signed_in(app, org.office), typed={})


def plant(world, prefix):
    """Every text field people fill, set to a formula-like text starting with ``prefix``
    (straight into the rows: an export must be inert whatever is stored, however it came)."""
    typed = {key: prefix + text for key, text in FIELDS.items()}
    org, plan, evaluation, meeting = world.org, world.plan, world.evaluation, world.meeting
    project = evaluation.project
    plan.title = typed["plan"]
    project.name, project.leader_name, project.overall_target = typed["project"], typed["leader"], typed["target"]
    evaluation.overall_achievement = typed["achievement"]
    org.section_a.name, org.office_section.name = typed["section"], typed["office_section"]
    org.staff_a.full_name = typed["person"]
    org.staff_a2.full_name, org.staff_a2.title = typed["person2"], typed["person2_title"]
    org.staff_a2.phone = prefix + FIELDS["person2_phone"]
    indicator = next(ind for ind in evaluation.indicators if ind.kind != "execution_rate")
    indicator.level1, indicator.level2, indicator.name = typed["level1"], typed["level2"], typed["indicator"]
    indicator.unit, indicator.deviation_reason = typed["unit"], typed["deviation"]
    indicator.nature, indicator.target_text, indicator.actual_text = (
        scoring.QUALITATIVE, typed["target_text"], typed["actual_text"])
    for section in evaluation.narrative:
        if section.key in ("conclusion", "problems", "measures"):
            section.text = typed[section.key]
    meeting.title, meeting.place = typed["meeting"], typed["place"]
    for invitee in meeting.invitees:
        if invitee.user_id == org.staff_a.id:  # what they typed in the registration
            invitee.name, invitee.unit, invitee.title = typed["reply_name"], typed["reply_unit"], typed["reply_title"]
            invitee.phone, invitee.remarks = typed["reply_phone"], typed["reply_remarks"]
        elif invitee.is_guest:
            invitee.guest_name, invitee.guest_unit = typed["guest"], typed["guest_unit"]
            invitee.title, invitee.phone = typed["guest_title"], GUEST_PHONE
    walk_in = world.walk_in
    walk_in.name, walk_in.unit, walk_in.title = typed["walk_in"], typed["walk_in_unit"], typed["walk_in_title"]
    walk_in.phone = typed["walk_in_phone"]
    audit.record(evaluation, org.staff_a, "evidence_upload", evaluation.state, evaluation.state,
                 comment=typed["comment"])
    db.session.commit()
    world.typed = typed
    return typed


# Fetching -------------------------------------------------------------------------------


def get(world, url):
    response = world.office.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.data


def as_admin(world, url):
    """An export of the admin area, fetched by the organisation's administrator."""
    if getattr(world, "admin_client", None) is None:
        world.admin_client = signed_in(current_app._get_current_object(), world.org.admin)
    response = world.admin_client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.data


def submission_summary(world):
    """The summary workbook of a submission as the package builds it: rows from the frozen
    data of the evaluation (content.serialize is what an approval snapshot stores)."""
    evaluation = world.evaluation
    rows = [submissions.summary_row(evaluation, content.serialize(evaluation))]
    submission = SimpleNamespace(plan=world.plan, title=world.typed["submission"],
                                 created_at=datetime(2020, 8, 1, 2, 0, tzinfo=timezone.utc))
    return submission_workbook(submission, rows, submissions.totals(rows))


@dataclass(frozen=True)
class Export:
    name: str
    kind: str  # "csv" or "xlsx"
    endpoints: tuple  # what serves it (a workbook inside a ZIP: the ZIP's endpoint)
    module: str  # where it is built
    fetch: Callable  # (world) -> the file's bytes
    shows: Callable  # (typed texts) -> the texts it shows exactly as typed


EXPORTS = (
    Export("audit log", "csv", ("work.audit_export",), "workflow.engine.audit",
           lambda w: get(w, "/work/audit.csv"),
           lambda t: [t["project"], t["person"], t["comment"]]),
    Export("签到表", "xlsx", ("meetings.signin_sheet", "evidence.cite_meeting", "api_documents.signin_sheet_xlsx"), "workflow.meetings.export",
           lambda w: get(w, f"/meetings/{w.meeting.id}/signin-sheet.xlsx"),
           lambda t: [t["meeting"] + "签到表", t["meeting"], t["place"], t["office_section"],
                      t["reply_name"], t["reply_unit"], t["reply_title"], t["reply_phone"], t["reply_remarks"],
                      t["person2"], t["section"], t["person2_title"], t["person2_phone"],
                      t["guest"], t["guest_unit"], t["guest_title"], GUEST_PHONE,
                      t["walk_in"], t["walk_in_unit"], t["walk_in_title"], t["walk_in_phone"]]),
    Export("培训登记表", "xlsx", (), "workflow.meetings.export",  # the demo attaches it to its notice
           lambda w: meeting_export.blank_registration_form(w.meeting.title),
           lambda t: [t["meeting"] + "培训登记表"]),
    Export("自评表", "xlsx", ("excel.self_evaluation",), "workflow.excel.form",
           lambda w: get(w, f"/excel/evaluations/{w.evaluation.id}/self-evaluation.xlsx"),
           lambda t: [t["project"], t["section"], t["leader"], t["target"], t["achievement"], t["level1"],
                      t["level2"], t["indicator"], t["unit"], t["target_text"], t["actual_text"], t["deviation"],
                      t["conclusion"], t["problems"], t["measures"], t["person"]]),
    Export("自评汇总表", "xlsx", ("excel.summary",), "workflow.excel.exporter",
           lambda w: get(w, f"/excel/plans/{w.plan.id}/summary.xlsx"),
           lambda t: [t["plan"], t["project"], t["section"]]),
    Export("项目导入模板", "xlsx", ("excel.projects_template", "api_imports.import_template"), "workflow.excel.importer",
           lambda w: get(w, f"/excel/plans/{w.plan.id}/projects-template.xlsx"),
           lambda t: [t["plan"] + "：评价项目导入", t["section"], t["office_section"]]),
    Export("人员和科室", "xlsx", ("admin.people_export",), "workflow.admin.people_excel",
           lambda w: as_admin(w, "/admin/people/export.xlsx"),
           lambda t: [t["person"], t["section"], t["office_section"], t["person2"], t["person2_title"],
                      t["person2_phone"]]),
    Export("人员和科室导入模板", "xlsx", ("admin.people_template",), "workflow.admin.people_excel",
           lambda w: as_admin(w, "/admin/people/template.xlsx"),
           lambda t: []),  # nothing people typed: the columns and the roles
    Export("报送汇总（报送材料 ZIP 内）", "xlsx", ("submissions.package_zip",), "workflow.excel.submission",
           submission_summary,
           lambda t: [t["plan"], t["submission"] + "项目绩效评价结果汇总表", t["project"], t["section"]]),
)


# Reading back ---------------------------------------------------------------------------


def csv_cells(data):
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.lstrip("\ufeff")
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def xlsx_cells(data):
    workbook = load_workbook(io.BytesIO(data))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row
            if cell.value is not None]


def assert_inert(export, data, typed):
    shows = export.shows(typed)
    if export.kind == "csv":
        cells = csv_cells(data)
        starting = [cell for cell in cells if cell.startswith(FORMULA_CHARACTERS)]
        assert not starting, f"{export.name}: cells that would run: {starting!r}"
        missing = [text for text in shows if "'" + text not in cells]
        assert not missing, f"{export.name}: not found neutralised: {missing!r}"
        return
    cells = xlsx_cells(data)
    formulas = [(cell.coordinate, cell.value) for cell in cells if cell.data_type == "f"]
    assert not formulas, f"{export.name}: formula cells: {formulas!r}"
    untyped = [(cell.coordinate, cell.value, cell.data_type) for cell in cells
               if isinstance(cell.value, str) and cell.data_type != "s"]
    assert not untyped, f"{export.name}: texts that are not text cells: {untyped!r}"
    texts = {cell.value for cell in cells if cell.data_type == "s"}
    missing = [text for text in shows if text not in texts]
    assert not missing, f"{export.name}: not shown as typed: {missing!r}"
    added = [value for value in texts if value.startswith("'")]
    assert not added, f"{export.name}: an apostrophe was added: {added!r}"


# The table, export by export ------------------------------------------------------------


@pytest.mark.parametrize("export", EXPORTS, ids=lambda e: e.name)
def test_every_export_is_inert_with_formula_like_text_in_every_field(world, export):
    for prefix in PREFIXES:
        typed = plant(world, prefix)
        assert_inert(export, export.fetch(world), typed)


def test_a_phone_number_shows_as_typed_in_the_signin_sheet(world):
    plant(world, "=")
    sheet = load_workbook(io.BytesIO(meeting_export.signin_sheet_xlsx(world.meeting))).active
    [cell] = [c for row in sheet.iter_rows() for c in row if c.value == GUEST_PHONE]
    assert cell.data_type == "s"
    assert not any(str(c.value).startswith("'+86") for row in sheet.iter_rows() for c in row)


def test_amounts_and_scores_stay_numbers(world):
    plant(world, "=")
    sheet = load_workbook(io.BytesIO(EXPORTS[4].fetch(world))).active
    row = next(c.row for r in sheet.iter_rows() for c in r if c.value == world.typed["project"])
    budget, executed = sheet.cell(row=row, column=4), sheet.cell(row=row, column=5)
    assert (budget.data_type, executed.data_type) == ("n", "n")
    assert Decimal(format(budget.value, ".15g")) == Decimal("206.632")


# Finding every export -------------------------------------------------------------------

WORKFLOW = Path(__file__).resolve().parent.parent / "workflow"


def _modules():
    for path in sorted(WORKFLOW.rglob("*.py")):
        name = ".".join(path.relative_to(WORKFLOW.parent).with_suffix("").parts)
        yield name, path.read_text(encoding="utf-8")


def test_every_export_route_has_a_row(app):
    """A route answering a .csv or .xlsx file (or the package ZIP holding a workbook)."""
    covered = {endpoint for export in EXPORTS for endpoint in export.endpoints}
    serving = {rule.endpoint for rule in app.url_map.iter_rules()
               if rule.rule.endswith((".csv", ".xlsx")) or rule.endpoint == "submissions.package_zip"}
    assert serving, "no export route found"
    assert serving <= covered, f"exports without a row in EXPORTS: {sorted(serving - covered)}"
    every = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert covered <= every, f"rows naming no route: {sorted(covered - every)}"


def test_every_module_that_exports_has_a_row():
    """Every module that builds an openpyxl Workbook or writes CSV is in the table (the guard
    itself is where CSV is written)."""
    tabled = {export.module for export in EXPORTS}
    building = {name for name, source in _modules()
                if re.search(r"\bWorkbook\(", source) or re.search(r"\bcsv\.(writer|DictWriter)\(", source)}
    assert building - {"workflow.export_guard"} <= tabled, sorted(building - tabled - {"workflow.export_guard"})
    assert tabled <= {name for name, _source in _modules()}


PAST_THE_GUARD = (
    re.compile(r"\.cell\([^)]*value\s*="),  # ws.cell(row=…, column=…, value=…)
    re.compile(r"\[\s*[\"'][A-Z]{1,3}[0-9]+[\"']\s*\]\s*=[^=]"),  # ws["A1"] = …
    re.compile(r"\.value\s*=[^=]"),  # cell.value = …
    re.compile(r"\b(ws|sheet|worksheet|lists|notes)\.append\("),
    re.compile(r"\bcsv\.(writer|DictWriter)\("),
)


def test_cells_are_written_only_through_the_guard():
    """In every module that deals with workbooks or CSV (a model's own ``.value`` elsewhere,
    e.g. the monitoring's indicator progress, is no cell)."""
    offenders = [(name, pattern.pattern) for name, source in _modules() if name != "workflow.export_guard"
                 and re.search(r"openpyxl|\bcsv\b|workbook|worksheet", source, re.IGNORECASE)
                 for pattern in PAST_THE_GUARD if pattern.search(source)]
    assert not offenders, offenders


# The guard itself -----------------------------------------------------------------------


@pytest.mark.parametrize("prefix", PREFIXES + ("\t", "\r", "\n"))
def test_csv_cells_starting_like_a_formula_get_an_apostrophe(prefix):
    assert export_guard.csv_cell(prefix + "1+1") == "'" + prefix + "1+1"


def test_csv_cells_that_cannot_run_are_unchanged():
    assert [export_guard.csv_cell(v) for v in ("原立吉", "2020-06-20", " =1", "", None)] == [
        "原立吉", "2020-06-20", " =1", "", ""]
    assert export_guard.csv_cell(Decimal("-1.5")) == Decimal("-1.5")  # a number stays a number
    assert export_guard.csv_cell(-3) == -3


def test_the_csv_writer_quotes_every_field():
    buffer = io.StringIO()
    export_guard.csv_writer(buffer).writerow(["a;=1+1", "=2", 3])
    assert buffer.getvalue() == '"a;=1+1","\'=2","3"\r\n'


@pytest.mark.parametrize("write_only", [False, True])
def test_xlsx_cells_are_text_numbers_or_dates(write_only):
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet() if write_only else workbook.active
    moment = datetime(2020, 6, 20, 9, 0)
    export_guard.append(sheet, ["=1+1", "#N/A", GUEST_PHONE, Decimal("206.632"), 7, moment, None, "a\x01b"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    [row] = load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0].iter_rows()
    assert [(c.value, c.data_type) for c in row] == [
        ("=1+1", "s"), ("#N/A", "s"), (GUEST_PHONE, "s"), (206.632, "n"), (7, "n"), (moment, "d"), (None, "n"),
        ("ab", "s")]  # a control character XML cannot hold is dropped, not a failed export
