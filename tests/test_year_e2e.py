"""The seed's 2020 played end to end in Chromium, every step through the pages.

承德市应急管理局 evaluates its 2019 budget: the office (规划财务科, 闫洪涛) sets up the work plan
with the seed's stages, working group, basis documents and 重点评价 framework and imports the
projects from the Excel template the plan offers; publishes the training notice (6月20日上午9:00,
应急管理局2603会议室, the eleven participants), who register and then sign in on their phones by
scanning the projector's QR code; the two sections file their projects' 绩效目标 and the office
approves them (the plan asks for it), the office sets the monitoring date 2019-06-30 and the
非煤矿山 section reports the mine project's standing then (61.99万元 spent, 41.96 % of the mines
inspected), which the board shows as a warning; the 非煤矿山 section fills in the seed's mine project (99.70,
优) and the 危险化学品 section its own project, late; a reviewer returns the mine project over
the report's 206.4万元 and passes it after the correction; the group leader approves both; the
office reports them to the finance bureau, whose user opens the batch and its package with the
budget advice (优 → 优先保障); the office copies the plan to 2021, which shows the mine project's
result and its advice for the 2021 budget. Every
PDF on the way (work plan, notice with its 培训登记表, sign-in sheet, draft and frozen report,
submission summary, the package's PDFs) is read back with pypdf.

Dates are the settable clock's (workflow/clock.py), moved stage by stage: the live server
runs in this process and reads the same clock, so nothing waits for real time. Where a date
matters the page is asked: the dashboard's countdown, sign-in refused before its window, a
late sign-in marked late, an unfinished self-evaluation overdue after the stage's end.

The constants are the demo's (workflow/demo.py, demo_content.py, meetings/demo.py), typed into
the forms; the demo loader itself is never called. Only the organisation (sections and
accounts, the administrator's work before the year) is written to the database directly.

Chromium runs in a thread of its own (tests/test_meetings_browser.py's ``in_own_thread``):
Playwright's sync API allows one instance per thread and tests/test_browser.py keeps the
session's open in the main one."""
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e_results import copy_to_next_year_and_read_advice
from tests.e2e_year import OFFICE_ZONE, Office, at, expect_flash, make_organisation, pdf_text
from tests.live_server import live_server  # noqa: F401  (fixture)
from tests.pdf_checks import prepared_fonts  # noqa: F401  (session fixture: the PDF fonts)
from tests.pdf_checks import squeeze
from tests.test_meetings_browser import in_own_thread, log_in
from tests.test_monitoring_browser import add_monitoring_date, file_monitoring_report
from tests.test_targets_browser import file_and_approve_targets
from workflow import demo
from workflow import demo_content as dc
from workflow.excel import importer
from workflow.meetings import demo as meeting_demo
from workflow.plans.services import DEFAULT_STAGE_DATES, STAGE_NAMES
from workflow.roles import Role
from workflow.selfeval.framework import EXECUTION_RATE_NAME

pytestmark = [pytest.mark.browser, pytest.mark.documents]



def demo_actor(project, trigger):
    """Who does ``trigger`` to ``project`` in the demo's walk."""
    return next(login for done, login, _comment in project[3] if done == trigger)


OFFICE = demo_actor(demo.PROJECTS[0], "open_self_evaluation")  # 闫洪涛, 规划财务科
LEADER = demo.GROUP["leader"][0]  # 姜立新
REVIEWER = demo_actor(demo.PROJECTS[1], "pass_review")  # 任志华
FINANCE = next(login for login, *_rest, roles, _part in demo.PEOPLE if roles == {Role.FINANCE})
MINE, MINE_SECTION = demo.PROJECTS[0][:2]  # 2019年度金属非金属矿山“专家会诊”隐患排查项目
MINE_STAFF = demo_actor(demo.PROJECTS[0], "submit")  # 原立吉, 非煤矿山安全监督管理科
LATE_PROJECT, LATE_SECTION = demo.PROJECTS[1][:2]  # filled in after its deadline
DEPARTMENT = "承德市应急管理局"
LATE_STAFF = demo_actor(demo.PROJECTS[1], "submit")  # 王士学, 危险化学品安全监督管理科
# Its figures score 100 − (1 − 0.97) for an execution rate of 83.12 ÷ 85.6 = 97.10 %.
LATE_SCORE = "99.97"


@dataclass(frozen=True)
class SheetContent:
    """What a section types into the self-evaluation form (demo_content's constants)."""

    budget: str
    executed: str
    leader: str
    target: str
    achievement: str
    indicators: dict  # seed name → (nature, unit, target, actual, qualitative band and score)
    names: dict  # seed name → the name the section gives it
    texts: dict  # report section key → text


MINE_CONTENT = SheetContent(
    dc.MINE_BUDGET, dc.MINE_EXECUTED, dc.MINE_LEADER, dc.MINE_TARGET, dc.MINE_ACHIEVEMENT,
    dc.MINE_INDICATORS, dc.MINE_NAMES, dc.MINE_TEXT)
LATE_CONTENT = SheetContent(
    *demo.PROJECTS[1][2], "", dc.GENERIC_TARGET, dc.GENERIC_ACHIEVEMENT, dc.generic_indicators(), {},
    dc.generic_texts(LATE_PROJECT))
# The seed report says 206.4万元 in its overview and 206.632万元 elsewhere: the reviewer's catch.
SEED_SLIP, CORRECTED = "206.4万元", "206.632万元"
LATECOMER = meeting_demo.PARTICIPANTS[-1]  # 朱丽丽 arrives after 9:00


def test_the_seed_year_2020_end_to_end(app, live_server, tmp_path):  # noqa: F811
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == OFFICE_ZONE.key
    people = make_organisation()
    in_own_thread(lambda browser: the_year(browser, live_server.base_url, people, tmp_path), timeout=600)


def the_year(browser, base_url, people, tmp_path):
    office = Office(browser, base_url)
    try:
        plan_id = set_up_the_plan(office, people, tmp_path)
        training_meeting(office, people, plan_id)
        targets_and_monitoring(office, plan_id)
        evaluation_ids = self_evaluation(office, plan_id)
        frozen_report = review_and_approval(office, *evaluation_ids)
        report_to_the_finance_bureau(office, plan_id, frozen_report)
        advice_for_2021(office, plan_id)
    finally:
        office.close()


# 准备阶段: the plan, its stages, group, framework and projects ------------------------------


def set_up_the_plan(office, people, tmp_path):
    at(6, 8, 9, 0)
    desk = office.desk(OFFICE)
    page = desk.go("/plans/new")
    page.locator("#title").fill(demo.PLAN_TITLE)
    page.locator("#budget_year").fill("2019")
    page.locator("#run_year").fill("2020")
    page.locator("#office_section_id").select_option(label=demo.OFFICE_SECTION)
    page.locator("#basis_documents").fill("\n".join(demo.BASIS_DOCUMENTS))
    page.locator("#principles").fill(demo.PRINCIPLES)
    page.locator("#method").fill(demo.METHOD)
    page.locator("#requirements").fill(demo.REQUIREMENTS)
    page.locator("#targets_approval").select_option("yes")  # 绩效目标须经办公室审核
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r"/plans/\d+$"))
    plan_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("h1")).to_have_text(demo.PLAN_TITLE)

    # The seed's stages with their dates (准备阶段 6-10 → 6-30, 自评阶段 7-02 → 7-30, …).
    page.get_by_role("link", name="阶段时间").click()
    rows = page.locator("form tbody tr")
    expect(rows).to_have_count(len(DEFAULT_STAGE_DATES))
    for index, (kind, ((m1, d1), (m2, d2))) in enumerate(DEFAULT_STAGE_DATES.items()):
        row = rows.nth(index)
        row.locator("input[name$='-name']").fill(str(STAGE_NAMES[kind]))
        row.locator("input[name$='-start_date']").fill(f"2020-{m1:02d}-{d1:02d}")
        row.locator("input[name$='-due_date']").fill(f"2020-{m2:02d}-{d2:02d}")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(rf"/plans/{plan_id}$"))
    expect(page.get_by_test_id("stage-prepare")).to_contain_text("2020-06-10 → 2020-06-30")
    expect(page.get_by_test_id("stage-self_evaluate")).to_contain_text("2020-07-02 → 2020-07-30")
    expect(page.get_by_test_id("stage-prepare")).not_to_contain_text("进行中")  # 6月8日: not yet

    # The working group: 组长 姜立新, 副组长 闫洪涛 曲志清, 成员 任志华 王建华 李东阳 张玉坤 王旭 龚健.
    page.get_by_role("link", name="工作小组").click()

    def label(login):
        name, section = people[login]
        return f"{name}（{section or '—'}）"

    page.locator("#leader_id").select_option(label=label(demo.GROUP["leader"][0]))
    for role, field in (("deputy", "deputy_ids"), ("member", "member_ids")):
        fieldset = page.locator("fieldset").filter(has=page.locator(f"input[name='{field}']"))
        for login in demo.GROUP[role]:
            fieldset.get_by_label(label(login), exact=True).check()
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(rf"/plans/{plan_id}$"))
    group = page.locator(".card", has_text="评价工作小组")
    for role in ("leader", "deputy", "member"):
        for login in demo.GROUP[role]:
            expect(group).to_contain_text(people[login][0])
    for document in demo.BASIS_DOCUMENTS:
        expect(group).to_contain_text(document)

    # The seed is a 部门重点评价: the 重点评价 framework, adjusted by the office.
    page.get_by_role("link", name="指标体系").click()
    page.locator("form", has=page.locator("input[name='template'][value='key']")).get_by_role("button").click()
    expect_flash(page, "已保存指标体系")
    for name, weight in dc.PLAN_WEIGHT_CHANGES.items():
        row = page.get_by_test_id("framework").locator("tr", has=page.locator(f"input[name='name'][value='{name}']"))
        row.locator("input[name='weight']").fill(str(weight))
    page.get_by_role("button", name="保存", exact=True).click()
    expect_flash(page, "已保存指标体系")

    # The projects, from the import template the plan offers.
    page.goto(f"/plans/{plan_id}")
    page.get_by_role("link", name="导入项目").click()
    template = desk.download(page.get_by_test_id("template-link"))
    workbook_path = tmp_path / "projects.xlsx"
    fill_import_template(template, workbook_path)
    page.locator("#file").set_input_files(str(workbook_path))
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_url(re.compile(rf"/plans/{plan_id}$"))
    expect_flash(page, f"已导入 {len(demo.PROJECTS)} 个项目")
    for name, section, *_rest in demo.PROJECTS:
        expect(page.locator("tbody tr", has_text=name)).to_contain_text(section)

    # 6月8日: the dashboard counts down to the first stage.
    page.goto("/")
    expect(page.get_by_test_id("countdown")).to_contain_text("距“准备阶段”开始还有 2 天")
    page.goto(f"/plans/{plan_id}")

    # The work plan (工作方案) as the seed prints it.
    workplan = pdf_text(desk.download(page.get_by_test_id("workplan-pdf")))
    for part in ("工作方案", "组长：姜立新", "副组长：闫洪涛曲志清", "办公室设在规划财务科",
                 "（一）准备阶段（6月10日—6月30日）", "（二）自评阶段（7月2日—7月30日）",
                 "谁使用资金、谁负责绩效评价", squeeze(demo.METHOD), *map(squeeze, demo.BASIS_DOCUMENTS)):
        assert part in workplan, part
    return plan_id


def fill_import_template(template, path):
    """The office's rows in the app's own template: the demo's six projects, the mine
    project with the seed's leader, budget and target."""
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook[importer.SHEET_NAME]
    column = {key: index for index, key in enumerate(importer.KEYS, start=1)}
    for offset, (name, section, figures, _steps) in enumerate(demo.PROJECTS):
        row = importer.FIRST_DATA_ROW + offset
        sheet.cell(row, column["name"], name)
        sheet.cell(row, column["section"], section)
        if figures == "mine":
            sheet.cell(row, column["leader_name"], dc.MINE_LEADER)
            budget = dc.MINE_BUDGET
            sheet.cell(row, column["overall_target"], dc.MINE_TARGET)
        elif figures:
            budget = figures[0]
        else:
            continue
        for key in ("initial_budget", "annual_budget", "current_year"):
            sheet.cell(row, column[key], float(budget))
    workbook.save(path)


# The training meeting: notice, registration, QR sign-in on the phones -------------------------


def training_meeting(office, people, plan_id):
    at(6, 15, 10, 0)
    page = office.desk(OFFICE).go(f"/plans/{plan_id}")
    page.get_by_role("link", name="新建会议").click()
    page.locator("#title").fill(meeting_demo.TITLE)
    page.locator("#kind").select_option("training")
    page.locator("#place").fill(meeting_demo.PLACE)
    page.locator("#day").fill(meeting_demo.DAY.isoformat())
    page.locator("#start_time").fill(meeting_demo.STARTS.strftime("%H:%M"))
    page.locator("#end_time").fill(meeting_demo.ENDS.strftime("%H:%M"))
    page.locator("#addressee").fill(meeting_demo.ADDRESSEE)
    page.locator("#purpose").fill(meeting_demo.PURPOSE)
    page.locator("#issuer").fill(meeting_demo.ISSUER)
    page.locator("#issued_on").fill(meeting_demo.ISSUED_ON.isoformat())
    page.locator("#reply_by").fill("2020-06-18")
    page.get_by_test_id("save-meeting").click()
    page.wait_for_url(re.compile(r"/meetings/\d+/invitees$"))
    meeting_id = int(page.url.split("/")[-2])

    for login in meeting_demo.PARTICIPANTS:
        name, section = people[login]
        page.locator("input[name='user_ids']").locator("xpath=..").get_by_label(
            f"{name}（{section or '—'}）", exact=True).check()
    page.get_by_test_id("add-invitees").click()
    expect_flash(page, f"已添加 {len(meeting_demo.PARTICIPANTS)} 人")

    page.get_by_role("link", name="会议通知").click()
    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("published")).to_be_visible()
    notice = page.get_by_test_id("notice")
    expect(notice).to_contain_text("2020-06-20 09:00–11:30")
    expect(notice).to_contain_text(meeting_demo.PLACE)
    # The notice lists them in the order of the invitee form (by section), not the seed's.
    listed = page.get_by_test_id("participants").inner_text().split("　")
    assert sorted(listed) == sorted(people[login][0] for login in meeting_demo.PARTICIPANTS)

    # 培训登记: each participant answers on the notice page, on their phone (which stays logged
    # in for the meeting day) — except the latecomer, who answers from the office PC.
    at(6, 16, 14, 0)
    phones = {}
    for login in meeting_demo.PARTICIPANTS:
        device = office.new_context().new_page() if login == LATECOMER else office.phone()
        register(device, meeting_id, login)
        if login == LATECOMER:
            device.context.close()
        else:
            phones[login] = device
    page.reload()
    n = len(meeting_demo.PARTICIPANTS)
    expect(page.get_by_test_id("reply-counts")).to_have_text(f"已回复 {n} / {n}，参加 {n}")

    # The notice (关于召开……的通知) with its 培训登记表 holding the replies.
    notice = pdf_text(office.desk(OFFICE).download(page.get_by_test_id("notice-pdf")))
    for part in (f"关于召开{meeting_demo.TITLE}的通知", f"{meeting_demo.ADDRESSEE}：", "承财评价〔2020〕6号",
                 meeting_demo.PLACE,
                 "附件：培训登记表", meeting_demo.ISSUER, "2020年6月15日", "0314-2020620",
                 *(people[login][0] for login in meeting_demo.PARTICIPANTS)):
        assert part in notice, part
    assert "6月20日" in notice and "9:00" in notice

    # The meeting day. Before 8:00 (an hour before the start) the code leads to a refusal.
    at(6, 20, 7, 30)
    projector = office.desk(OFFICE).go(f"/meetings/{meeting_id}/projector")
    expect(projector.get_by_test_id("qr")).to_be_visible()
    url = scan_url(office, meeting_id)
    # The projector shows the same address under its QR code, whose image carries the token.
    expect(projector.get_by_test_id("qr-url")).to_have_text(url)
    assert "token=" + url.rsplit("/", 1)[1] in projector.get_by_test_id("qr").get_attribute("src")
    early = phones[MINE_STAFF]
    early.goto(url)
    expect(early.get_by_test_id("window")).to_contain_text("签到尚未开始，将于 08:00 开放")
    expect(early.get_by_test_id("signin-button")).to_have_count(0)

    at(6, 20, 8, 45)
    url = scan_url(office, meeting_id)
    for login, phone in phones.items():
        phone.goto(url)
        tap_sign_in(phone, people[login][0], late=False)
    # 朱丽丽 comes at 9:10, scans a newer code and logs in on her phone first.
    at(6, 20, 9, 10)
    phone = office.phone()
    phone.goto(scan_url(office, meeting_id))
    phone.get_by_test_id("login-to-sign-in").click()
    log_in(phone, LATECOMER)
    phone.wait_for_url(re.compile(r"/checkin/"))
    tap_sign_in(phone, people[LATECOMER][0], late=True)
    for device in [phone, *phones.values()]:
        device.context.close()

    projector.reload()
    expect(projector.get_by_test_id("count-signed-in")).to_have_text(str(n))
    late_name, late_unit = people[LATECOMER]
    expect(projector.get_by_test_id("board-late")).to_contain_text(f"{late_name} {late_unit} 09:10")
    office_name, office_unit = people[OFFICE]
    expect(projector.get_by_test_id("board-signed-in")).to_contain_text(f"{office_name} {office_unit} 08:45")
    expect(projector.get_by_test_id("board-pending").locator("li")).to_have_count(0)

    # The 签到表 with everyone's time, the latecomer marked late.
    page = office.desk(OFFICE).go(f"/meetings/{meeting_id}/attendance")
    sheet = pdf_text(office.desk(OFFICE).download(page.get_by_test_id("signin-sheet-pdf")))
    for part in ("签到表", meeting_demo.PLACE, "签名", "08:45", "09:10", "迟到",
                 *(people[login][0] for login in meeting_demo.PARTICIPANTS)):
        assert part in sheet, part
    return meeting_id


def scan_url(office, meeting_id):
    """The address the projector's QR code encodes, from the endpoint the projector polls."""
    token = office.desk(OFFICE).page.request.get(f"/meetings/{meeting_id}/signin/token.json").json()
    assert f"/meetings/{meeting_id}/scan/" in token["url"]
    return token["url"]


def register(page, meeting_id, login):
    """The participant sees an unread message (beside the folded menu on a phone), finds the
    notice among the messages and answers it."""
    page.goto("/auth/login")
    log_in(page, login)
    page.wait_for_url(re.compile(r"/$"))
    bells = page.get_by_test_id("bell").or_(page.get_by_test_id("bell-folded"))
    bell = bells.filter(visible=True)
    expect(bell).to_contain_text("1")
    bell.click()
    page.get_by_role("link", name=f"会议通知：{meeting_demo.TITLE}", exact=False).click()
    page.wait_for_url(re.compile(rf"/meetings/{meeting_id}$"))
    page.get_by_label("参加", exact=True).check()
    page.locator("#phone").fill("0314-2020620")
    page.get_by_test_id("reply").click()
    expect(page.get_by_test_id("my-reply")).to_contain_text("已回复：参加")


def tap_sign_in(phone, name, late):
    phone.get_by_test_id("signin-button").tap()
    signed = phone.get_by_test_id("signed-in")
    expect(signed).to_contain_text(name)
    if late:
        expect(signed).to_contain_text("迟到")
    else:
        expect(signed).not_to_contain_text("迟到")


# 自评阶段 ---------------------------------------------------------------------------------


# 准备阶段: 绩效目标 and the mid-year monitoring -------------------------------------------

# The mine project at 2019-06-30: 61.99 of 206.632万元 spent (30 % against 49.59 % of the year)
# and 120 of its 286 mines inspected, 253 expected by the year's end (88.46 % of the 100 %).
MONITORED = "2019-06-30"
MINES_SO_FAR, MINES_EXPECTED = "41.96", "88.46"
LAG_REASON = "部分矿山停产，排查进度滞后。"
LAG_CORRECTION = "督促中介机构增派人员，对复产矿山及时排查。"


def targets_and_monitoring(office, plan_id):
    at(6, 22, 9, 0)
    approver = office.desk(OFFICE).page
    for project, staff, content in ((MINE, MINE_STAFF, MINE_CONTENT), (LATE_PROJECT, LATE_STAFF, LATE_CONTENT)):
        desk = office.desk(staff)
        task = desk.nav("我的待办").get_by_test_id("task-list").locator("tr", has_text=project)
        expect(task).to_contain_text("设定绩效目标")
        task.get_by_role("link", name=project).click()
        desk.page.wait_for_url(re.compile(r"/evaluations/\d+$"))
        evaluation_id = int(desk.page.url.rsplit("/", 1)[1])
        targets = {name: values[:3] for name, values in content.indicators.items() if name != EXECUTION_RATE_NAME}
        file_and_approve_targets(desk.page, approver, evaluation_id, content.target, targets)

    at(6, 24, 10, 0)
    add_monitoring_date(approver, plan_id, MONITORED, "2019-07-10")
    staff = office.desk(MINE_STAFF).page
    answer = file_monitoring_report(
        staff, plan_id, MONITORED, MINE, "61.99", {"实际完成率": (MINES_SO_FAR, MINES_EXPECTED, LAG_REASON, LAG_CORRECTION)},
        execution_reason=LAG_REASON, execution_correction=LAG_CORRECTION)
    assert answer.status < 400, answer.status
    # The board warns of both: execution behind the year, and the mines expected to fall short.
    board = office.desk(OFFICE).go(f"/work/board?plan={plan_id}").get_by_test_id("monitoring-board")
    expect(board.locator(f"tr[data-project='{MINE}'] li[data-warning]")).to_have_count(2)


def self_evaluation(office, plan_id):
    at(7, 2, 9, 0)
    page = office.desk(OFFICE).go(f"/plans/{plan_id}")
    expect(page.get_by_test_id("stage-self_evaluate")).to_contain_text("进行中")
    page.get_by_role("button", name="全部开始自评").click()
    # Only the two projects whose targets were approved; the others wait for theirs.
    expect_flash(page, "已为 2 个项目开始自评")

    # The section finds the project in its inbox, due at the stage's end.
    at(7, 20, 10, 0)
    desk = office.desk(MINE_STAFF)
    inbox = desk.nav("我的待办")
    task = inbox.get_by_test_id("task-list").locator("tr", has_text=MINE)
    expect(task).to_contain_text("2020-07-30")
    expect(task).to_contain_text("剩余 10 天")
    page, evaluation_id = open_the_form(desk, task, MINE)
    fill_self_evaluation(page, MINE_CONTENT)
    expect(page.get_by_test_id("total")).to_contain_text("99.70")
    expect(page.get_by_test_id("grade")).to_have_text("优")
    expect(page.get_by_test_id("problems")).to_have_count(0)

    page.goto(f"/evaluations/{evaluation_id}")
    draft = pdf_text(desk.download(page.get_by_test_id("report-pdf")))
    assert "草稿" in draft
    # The report goes out in the department's name (its 署名), whichever section wrote it.
    for key_text in ("99.7", "优", DEPARTMENT, "3099"):
        assert key_text in draft, key_text
    page.get_by_test_id("action-submit").click()
    expect_flash(page, "当前状态：待复核")

    # After 7月30日 the other section's unfinished self-evaluation is overdue.
    at(7, 31, 9, 0)
    overdue = office.desk(OFFICE).go("/work/overdue").get_by_test_id("task-list")
    late = overdue.locator("tr", has_text=LATE_PROJECT)
    expect(late).to_contain_text("逾期 1 天")
    expect(late).to_have_class(re.compile("task-red"))
    expect(overdue).not_to_contain_text(MINE)

    # 王士学 fills it in late: his inbox says by how much.
    at(8, 3, 9, 0)
    desk = office.desk(LATE_STAFF)
    task = desk.nav("我的待办").get_by_test_id("task-list").locator("tr", has_text=LATE_PROJECT)
    expect(task).to_contain_text("逾期 4 天")
    page, late_id = open_the_form(desk, task, LATE_PROJECT)
    fill_self_evaluation(page, LATE_CONTENT)
    expect(page.get_by_test_id("total")).to_contain_text(LATE_SCORE)
    expect(page.get_by_test_id("grade")).to_have_text("优")
    page.goto(f"/evaluations/{late_id}")
    page.get_by_test_id("action-submit").click()
    expect_flash(page, "当前状态：待复核")
    return evaluation_id, late_id


def open_the_form(desk, task, project):
    """From the inbox's row ``task``, the project's evaluation page and then its form: (the
    page, the evaluation's id)."""
    task.get_by_role("link", name=project).click()
    page = desk.page
    page.wait_for_url(re.compile(r"/evaluations/\d+$"))
    evaluation_id = int(page.url.rsplit("/", 1)[1])
    page.get_by_role("link", name="填报自评表").click()
    return page, evaluation_id


def fill_self_evaluation(page, content):
    """Type the sheet into the form and save it once: a 定性 row shows its band and score
    fields as soon as its nature is chosen; the 预算执行率 is computed from the budget block,
    and the total shown before saving is the server's after."""
    for kind in ("total", "current_year"):
        for column in ("initial_budget", "annual_budget"):
            page.locator(f"input[name='funding-{kind}-{column}']").fill(content.budget)
        page.locator(f"input[name='funding-{kind}-executed']").fill(content.executed)
    page.locator("#leader_name").fill(content.leader)
    # The year's goal and the indicators' targets were approved in 准备阶段: shown, not typed.
    expect(page.get_by_test_id("approved-goal")).to_have_text(content.target)
    page.locator("#overall_achievement").fill(content.achievement)
    rate = (Decimal(content.executed) / Decimal(content.budget) * 100).quantize(Decimal("0.01"))
    for row, seed_name in indicator_rows(page, content):
        if seed_name == EXECUTION_RATE_NAME:
            expect(row.get_by_test_id("execution-rate")).to_have_text(f"{rate}%")
            continue
        nature, unit, target, actual, band = content.indicators[seed_name]
        if seed_name in content.names:  # the framework's name, made the project's own
            row.locator("input[name$='-name']").fill(content.names[seed_name])
        expect(row.get_by_test_id("fixed-target")).to_have_text(target)
        expect(row.locator("input[name$='-target']")).to_have_count(0)
        row.locator("input[name$='-actual']").fill(actual)
        if band is not None:
            row.locator("select[name$='-band']").select_option(band[0])
            row.locator("input[name$='-score']").fill(band[1])
    for key, text in content.texts.items():
        page.locator(f"#text-{key}").fill(text)
    shown = page.locator("[data-total]").inner_text()
    assert re.fullmatch(r"\d+\.\d\d", shown), shown
    page.get_by_test_id("save").click()
    expect_flash(page, "已保存")
    expect(page.get_by_test_id("problems")).to_have_count(0)
    expect(page.locator("[data-total]")).to_have_text(shown)


def indicator_rows(page, content):
    """(row, the indicator's name in demo_content) for every row of the form."""
    original = {new: old for old, new in content.names.items()}
    for row in page.get_by_test_id("indicators").locator("tbody tr").all():
        shown = row.get_attribute("data-indicator")
        yield row, original.get(shown, shown)


# 复核阶段 and approval -------------------------------------------------------------------


def review_and_approval(office, evaluation_id, late_id):
    at(8, 4, 9, 30)
    reviewer = office.desk(REVIEWER)
    page = reviewer.nav("复核")
    page.get_by_role("link", name=MINE).first.click()
    page.wait_for_url(re.compile(rf"/evaluations/{evaluation_id}"))
    page.goto(f"/evaluations/{evaluation_id}/review")
    findings = page.get_by_test_id("findings")
    expect(findings).to_contain_text(SEED_SLIP)
    page.goto(f"/evaluations/{evaluation_id}")
    page.locator("#comment").fill(f"项目概况中的{SEED_SLIP}与项目资金{CORRECTED}不一致，请核实修改。")
    page.get_by_test_id("action-return_for_revision").click()
    expect_flash(page, "当前状态：已退回")

    # The section corrects the overview and resubmits.
    at(8, 5, 10, 0)
    desk = office.desk(MINE_STAFF)
    page = desk.go(f"/evaluations/{evaluation_id}")
    expect(page.get_by_test_id("history")).to_contain_text(SEED_SLIP)
    page.get_by_role("link", name="填报自评表").click()
    overview = page.locator("#text-overview")
    overview.fill(dc.MINE_TEXT["overview"].replace(SEED_SLIP, CORRECTED))
    page.get_by_test_id("save").click()
    expect_flash(page, "已保存")
    expect(page.get_by_test_id("total")).to_contain_text("99.70")
    page.goto(f"/evaluations/{evaluation_id}")
    page.get_by_test_id("action-resubmit").click()
    expect_flash(page, "当前状态：待复核")

    # The reviewer sees what changed, nothing left to find, and passes it.
    at(8, 6, 9, 0)
    page = reviewer.go(f"/evaluations/{evaluation_id}/review")
    expect(page.get_by_test_id("changes")).to_contain_text(CORRECTED)
    expect(page.get_by_test_id("findings")).to_have_count(0)
    page.goto(f"/evaluations/{evaluation_id}")
    page.get_by_test_id("action-pass_review").click()
    expect_flash(page, "当前状态：待审批")
    page.goto(f"/evaluations/{late_id}")
    page.get_by_test_id("action-pass_review").click()
    expect_flash(page, "当前状态：待审批")

    # The group leader approves both at once: the reports are frozen.
    at(8, 20, 15, 0)
    leader = office.desk(LEADER)
    page = leader.nav("批量审批")
    page.get_by_label(MINE, exact=True).check()
    page.get_by_label(LATE_PROJECT, exact=True).check()
    page.get_by_role("button", name="审批通过所选项目").click()
    expect_flash(page, "已审批通过 2 个项目")
    page.goto(f"/evaluations/{evaluation_id}")
    expect(page.get_by_test_id("score")).to_have_text("99.70")
    frozen = leader.download(page.get_by_test_id("report-pdf"))
    final = pdf_text(frozen)
    assert "草稿" not in final
    for key_text in ("99.7", "优", CORRECTED, "172.743", "3099"):
        assert key_text in final, key_text
    assert SEED_SLIP not in final
    return frozen


# 报送财政局 -----------------------------------------------------------------------------


def report_to_the_finance_bureau(office, plan_id, frozen_report):
    at(8, 25, 10, 0)
    desk = office.desk(OFFICE)
    countdown = desk.go("/").get_by_test_id("countdown")
    expect(countdown).to_contain_text("报送财政局")
    expect(countdown).to_contain_text("距截止还有 6 天")
    page = desk.go(f"/submissions/?plan={plan_id}")
    page.get_by_role("button", name="报送所选项目").click()
    page.wait_for_url(re.compile(r"/submissions/\d+$"))
    expect_flash(page, "已报送 2 个项目")
    submission_url = page.url
    late_budget, late_executed = demo.PROJECTS[1][2]
    totals = (str(Decimal(dc.MINE_BUDGET) + Decimal(late_budget)),
              str(Decimal(dc.MINE_EXECUTED) + Decimal(late_executed)))
    mine_row = (MINE, MINE_SECTION, dc.MINE_BUDGET, dc.MINE_EXECUTED, "83.60%", "99.7", "优")
    late_row = (LATE_PROJECT, LATE_SECTION, late_budget, late_executed, "97.10%", LATE_SCORE, "优")
    summary = pdf_text(desk.download(page.get_by_test_id("summary-pdf")))
    for part in (*mine_row, *late_row, *totals):
        assert squeeze(part) in summary, part
    assert "优先保障" in summary  # both 优: the advice for the next budget goes with them

    # The finance bureau opens the batch and downloads the package.
    finance = office.desk(FINANCE)
    page = finance.nav("报送财政局")
    page.get_by_test_id("submissions").get_by_role("link").first.click()
    page.wait_for_url(submission_url)
    table = page.get_by_test_id("summary")
    for row in (mine_row, late_row):
        for text in row[1:]:
            expect(table.locator("tbody tr", has_text=row[0])).to_contain_text(text)
    for text in totals:
        expect(table.locator("tfoot")).to_contain_text(text)

    package = zipfile.ZipFile(io.BytesIO(finance.download(page.get_by_test_id("package-zip"))))
    names = package.namelist()
    # Reports are named by section and project (the file name drops the quotation marks).
    reports = {project: [n for n in names if n.endswith(".pdf") and f"-{section}-" in n]
               for project, section in ((MINE, MINE_SECTION), (LATE_PROJECT, LATE_SECTION))}
    assert all(len(found) == 1 for found in reports.values()), names
    # The mine project's report is the very file frozen at approval, byte for byte.
    assert package.read(reports[MINE][0]) == frozen_report
    late_report = pdf_text(package.read(reports[LATE_PROJECT][0]))
    for part in (DEPARTMENT, LATE_SCORE, "优"):
        assert part in late_report, part
    assert "草稿" not in late_report
    others = [n for n in names if n.endswith(".pdf") and n not in reports[MINE] + reports[LATE_PROJECT]]
    assert others, names  # the summary
    for name in others:
        text = pdf_text(package.read(name))
        for part in (*mine_row[1:], *late_row[1:]):
            assert squeeze(part) in text, (name, part)
    sums = package.read("SHA256SUMS.txt").decode()
    for name in names:
        if name != "SHA256SUMS.txt":
            assert f"{hashlib.sha256(package.read(name)).hexdigest()}  {name}" in sums, name


# 结果应用: the 2021 budget -------------------------------------------------------------------


def advice_for_2021(office, plan_id):
    at(9, 10, 10, 0)
    page = office.desk(OFFICE).page
    new_plan_id, advice, row = copy_to_next_year_and_read_advice(page, plan_id, MINE)
    assert new_plan_id != plan_id
    assert advice == "优先保障", advice
    assert "优" in row and "99.7" in row, row
