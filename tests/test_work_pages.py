"""The work pages: inbox, section queue, overdue and due-soon lists, claiming and handing
over tasks, the progress board, the dashboard, the notification bell, the audit export and
the calendar settings. Deadlines are checked on a frozen clock."""
import csv
import io
import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from tests.conftest import post, signed_in
from tests.factories import fill_complete, make_section, make_user, prepare_step
from workflow import clock
from workflow.engine import actions
from workflow.extensions import db as _db
from workflow.models import Notification, Task
from workflow.plans import services as plans
from workflow.roles import Role

# The default stages of 2020: 准备 06-10→06-30, 自评 07-02→07-30, 复核 08-03→08-21.
# 2020-07-28 10:00 in 承德 (UTC+8): 准备中 tasks (due 06-30) are 28 days overdue, 自评中 tasks
# (due 07-30) are due in 2 days (DUE_SOON_DAYS is 3), 待复核 tasks (due 08-21) are not urgent.
JULY_28 = datetime(2020, 7, 28, 2, 0, tzinfo=timezone.utc)

PATH = {
    "preparing": [],
    "self_evaluating": [("open_self_evaluation", "office")],
    "submitted": [("open_self_evaluation", "office"), ("submit", "staff")],
}


# Helpers --------------------------------------------------------------------------------


def text(response):
    return response.get_data(as_text=True)


def fresh():
    _db.session.commit()
    _db.session.expire_all()


def flashes(response):
    return [re.sub(r"\s+", " ", m).strip() for m in re.findall(r'role="alert">(.*?)</div>', text(response), re.S)]


def task_rows(response):
    """The task list's rows as (project name, row html)."""
    body = text(response).split('data-testid="task-list"')[1].split("</table>")[0]
    rows = re.findall(r'<tr class="task-(\w+)">(.*?)</tr>', body, re.S)
    return {re.search(r'/evaluations/\d+">([^<]+)</a>', html).group(1): (colour, html) for colour, html in rows}


@pytest.fixture
def world():
    office_section = make_section("规划财务科", is_office=True)
    section_a = make_section("非煤矿山安全监督管理科")
    section_b = make_section("危险化学品安全监督管理科")
    section_c = make_section("应急指挥中心")
    people = {
        "office": make_user("office", roles=[Role.OFFICE], section=office_section, full_name="闫洪涛"),
        "staff_a": make_user("staff_a", roles=[Role.SECTION_STAFF], section=section_a, full_name="原立吉"),
        "staff_a2": make_user("staff_a2", roles=[Role.SECTION_STAFF], section=section_a, full_name="王建华"),
        "staff_b": make_user("staff_b", roles=[Role.SECTION_STAFF], section=section_b, full_name="王士学"),
        "staff_c": make_user("staff_c", roles=[Role.SECTION_STAFF], section=section_c, full_name="张玉坤"),
        "reviewer": make_user("reviewer", roles=[Role.REVIEWER], section=office_section, full_name="任志华"),
        "leader": make_user("leader", roles=[Role.LEADER], full_name="姜立新"),
        "finance": make_user("finance", roles=[Role.FINANCE], full_name="市财政局绩效科"),
    }
    plan = plans.create_plan(plans.PlanData(
        title="承德市应急管理局2020年市级预算绩效部门重点评价工作方案", budget_year=2019, run_year=2020))
    return {"plan": plan, "section_a": section_a, "section_b": section_b, "section_c": section_c, **people}


def evaluation_in(world, state, name, section="a"):
    project = plans.add_project(world["plan"], name, world[f"section_{section}"].id, world["office"])
    actors = {"office": world["office"], "staff": world[f"staff_{section}"]}
    for trigger, who in PATH[state]:
        prepare_step(project.evaluation, trigger, actors)  # submission needs a complete form
        actions.perform(project.evaluation.id, trigger, actors[who])
    fresh()
    return project.evaluation


def open_task(evaluation):
    fresh()
    return _db.session.scalar(select(Task).where(Task.evaluation_id == evaluation.id, Task.completed_at.is_(None)))


@pytest.fixture
def spread(world):
    """Three sections, three states, three urgencies on 2020-07-28."""
    clock.freeze(JULY_28)
    return {
        "overdue": evaluation_in(world, "preparing", "金属非金属矿山隐患排查项目", "a"),
        "due_soon": evaluation_in(world, "self_evaluating", "危险化学品重大危险源监测预警项目", "b"),
        "calm": evaluation_in(world, "submitted", "应急指挥信息化平台运行维护项目", "c"),
    }


# Inbox and section queue ------------------------------------------------------------------


def test_inbox_lists_my_tasks_and_not_others(app, world):
    mine = evaluation_in(world, "self_evaluating", "应急物资储备项目", "a")
    theirs = evaluation_in(world, "self_evaluating", "危险化学品企业执法检查项目", "b")
    page = signed_in(app, world["staff_a"]).get("/work/inbox")
    assert page.status_code == 200
    rows = task_rows(page)
    assert set(rows) == {"应急物资储备项目"}
    assert "填报并提交自评" in rows["应急物资储备项目"][1]
    assert set(task_rows(signed_in(app, world["staff_b"]).get("/work/inbox"))) == {"危险化学品企业执法检查项目"}
    # Nothing for the reviewer until something is submitted.
    assert task_rows(signed_in(app, world["reviewer"]).get("/work/inbox")) == {}
    fill_complete(theirs)
    actions.perform(theirs.id, "submit", world["staff_b"])
    assert set(task_rows(signed_in(app, world["reviewer"]).get("/work/inbox"))) == {"危险化学品企业执法检查项目"}
    assert mine.id != theirs.id


def test_inbox_is_empty_for_finance(app, world):
    evaluation_in(world, "self_evaluating", "应急物资储备项目", "a")
    page = signed_in(app, world["finance"]).get("/work/inbox")
    assert page.status_code == 200
    assert "没有待办事项。" in text(page)


def test_section_queue_shows_only_my_section(app, world):
    evaluation_in(world, "preparing", "应急物资储备项目", "a")
    evaluation_in(world, "preparing", "危险化学品企业执法检查项目", "b")
    client = signed_in(app, world["staff_a"])
    assert set(task_rows(client.get("/work/section"))) == {"应急物资储备项目"}
    # Staff cannot look into another section's queue by changing the address.
    assert set(task_rows(client.get(f"/work/section?section={world['section_b'].id}"))) == {"应急物资储备项目"}


def test_office_sees_any_section_queue(app, world):
    evaluation_in(world, "preparing", "应急物资储备项目", "a")
    evaluation_in(world, "preparing", "危险化学品企业执法检查项目", "b")
    client = signed_in(app, world["office"])
    assert set(task_rows(client.get(f"/work/section?section={world['section_b'].id}"))) == {"危险化学品企业执法检查项目"}
    assert set(task_rows(client.get(f"/work/section?section={world['section_a'].id}"))) == {"应急物资储备项目"}
    assert task_rows(client.get("/work/section")) == {}  # the office's own section has no tasks


def test_section_queue_is_for_section_staff_and_office(app, world):
    assert signed_in(app, world["reviewer"]).get("/work/section").status_code == 403
    assert signed_in(app, world["finance"]).get("/work/section").status_code == 403
    homeless = make_user("homeless", roles=[Role.SECTION_STAFF], full_name="无科室")
    assert signed_in(app, homeless).get("/work/section").status_code == 404
    assert app.test_client().get("/work/section").status_code == 302


# Overdue and due soon ---------------------------------------------------------------------


def test_overdue_and_due_soon_on_a_frozen_clock(app, world, spread):
    office = signed_in(app, world["office"])
    overdue = task_rows(office.get("/work/overdue"))
    assert set(overdue) == {"金属非金属矿山隐患排查项目"}
    colour, html = overdue["金属非金属矿山隐患排查项目"]
    assert colour == "red" and "逾期 28 天" in html and "2020-06-30" in html
    due_soon = task_rows(office.get("/work/due-soon"))
    assert set(due_soon) == {"危险化学品重大危险源监测预警项目"}
    colour, html = due_soon["危险化学品重大危险源监测预警项目"]
    assert colour == "yellow" and "剩余 2 天" in html
    # Each person sees only their own.
    staff_b = signed_in(app, world["staff_b"])
    assert task_rows(staff_b.get("/work/overdue")) == {}
    assert set(task_rows(staff_b.get("/work/due-soon"))) == {"危险化学品重大危险源监测预警项目"}
    staff_a = signed_in(app, world["staff_a"])
    assert set(task_rows(staff_a.get("/work/overdue"))) == {"金属非金属矿山隐患排查项目"}
    assert task_rows(staff_a.get("/work/due-soon")) == {}


def test_lists_follow_the_clock(app, world, spread):
    office = signed_in(app, world["office"])
    clock.freeze(datetime(2020, 6, 20, 2, 0, tzinfo=timezone.utc))  # before every deadline
    assert task_rows(office.get("/work/overdue")) == {}
    clock.freeze(datetime(2020, 8, 25, 2, 0, tzinfo=timezone.utc))  # after the review deadline
    assert set(task_rows(office.get("/work/overdue"))) == {
        "金属非金属矿山隐患排查项目", "危险化学品重大危险源监测预警项目", "应急指挥信息化平台运行维护项目"}


def test_deadline_day_is_the_office_calendar_day(app, world):
    """23:30 UTC on 30 June is already 1 July in 承德: the 准备 task is then overdue."""
    evaluation_in(world, "preparing", "应急物资储备项目", "a")
    office = signed_in(app, world["office"])
    clock.freeze(datetime(2020, 6, 30, 15, 30, tzinfo=timezone.utc))  # 23:30 local, still 30 June
    assert task_rows(office.get("/work/overdue")) == {}
    clock.freeze(datetime(2020, 6, 30, 16, 30, tzinfo=timezone.utc))  # 00:30 local, 1 July
    assert set(task_rows(office.get("/work/overdue"))) == {"应急物资储备项目"}


# Claiming and handing over ------------------------------------------------------------------


def test_claim_through_the_page(app, world):
    evaluation = evaluation_in(world, "self_evaluating", "应急物资储备项目", "a")
    task = open_task(evaluation)
    staff_a = signed_in(app, world["staff_a"])
    response = post(staff_a, f"/work/tasks/{task.id}/claim", {}, follow_redirects=True)
    assert "已领取待办。" in flashes(response)
    assert open_task(evaluation).assignee_id == world["staff_a"].id
    assert "原立吉" in task_rows(staff_a.get("/work/inbox"))["应急物资储备项目"][1]
    # A claimed task leaves the colleague's inbox, and the colleague cannot take it over.
    staff_a2 = signed_in(app, world["staff_a2"])
    assert task_rows(staff_a2.get("/work/inbox")) == {}
    response = post(staff_a2, f"/work/tasks/{task.id}/claim", {}, follow_redirects=True)
    assert "您不能领取这项待办。" in flashes(response)
    assert open_task(evaluation).assignee_id == world["staff_a"].id
    again = post(staff_a, f"/work/tasks/{task.id}/claim", {}, follow_redirects=True)
    assert "这项待办已由您领取。" in flashes(again)


def test_claim_of_another_sections_task_is_refused(app, world):
    evaluation = evaluation_in(world, "self_evaluating", "应急物资储备项目", "a")
    task = open_task(evaluation)
    response = post(signed_in(app, world["staff_b"]), f"/work/tasks/{task.id}/claim", {}, follow_redirects=True)
    assert "您不能领取这项待办。" in flashes(response)
    assert open_task(evaluation).assignee_id is None
    assert post(signed_in(app, world["staff_b"]), "/work/tasks/999999/claim", {}).status_code == 404


def test_reassign_to_a_colleague_of_the_same_section(app, world):
    evaluation = evaluation_in(world, "self_evaluating", "应急物资储备项目", "a")
    task = open_task(evaluation)
    staff_a = signed_in(app, world["staff_a"])
    page = text(staff_a.get(f"/work/tasks/{task.id}/reassign"))
    assert "王建华" in page and "王士学" not in page
    response = post(staff_a, f"/work/tasks/{task.id}/reassign", {"colleague_id": str(world["staff_a2"].id)},
                    follow_redirects=True)
    assert "已转交给王建华。" in flashes(response)
    assert open_task(evaluation).assignee_id == world["staff_a2"].id
    fresh()
    notices = [n.text for n in _db.session.scalars(
        select(Notification).where(Notification.user_id == world["staff_a2"].id).order_by(Notification.id))]
    assert notices[-1] == "原立吉 将待办“填报并提交自评：应急物资储备项目”转交给您。"


def test_reassign_to_another_section_is_refused(app, world):
    evaluation = evaluation_in(world, "self_evaluating", "应急物资储备项目", "a")
    task = open_task(evaluation)
    response = post(signed_in(app, world["staff_a"]), f"/work/tasks/{task.id}/reassign",
                    {"colleague_id": str(world["staff_b"].id)}, follow_redirects=True)
    assert response.status_code == 422
    assert "不是有效的选择" in text(response)
    assert "Not a valid" not in text(response)
    assert open_task(evaluation).assignee_id is None


def test_reassign_refused_by_the_service_in_chinese(world):
    """Whatever the form offers, the rule itself holds."""
    from workflow.engine import tasks
    from workflow.errors import ServiceError

    evaluation = evaluation_in(world, "self_evaluating", "应急物资储备项目", "a")
    task = open_task(evaluation)
    with pytest.raises(ServiceError, match="只能转交给同一科室、具有相应角色的在用人员。"):
        tasks.reassign(task, world["staff_a"], world["staff_b"].id)


def test_reassign_page_is_closed_to_outsiders(app, world):
    evaluation = evaluation_in(world, "self_evaluating", "应急物资储备项目", "a")
    task = open_task(evaluation)
    assert signed_in(app, world["staff_b"]).get(f"/work/tasks/{task.id}/reassign").status_code == 403
    # The office may hand over any task.
    office = signed_in(app, world["office"])
    assert office.get(f"/work/tasks/{task.id}/reassign").status_code == 200
    response = post(office, f"/work/tasks/{task.id}/reassign", {"colleague_id": str(world["staff_a"].id)},
                    follow_redirects=True)
    assert "已转交给原立吉。" in flashes(response)


# Progress board ---------------------------------------------------------------------------


def board_rows(response, attribute):
    rows = {}
    for key, mark, html in re.findall(rf'<tr {attribute}="([^"]+)" data-mark="(\w+)">(.*?)</tr>', text(response), re.S):
        states = {s: int(n) for s, n in re.findall(r'data-state="(\w+)">(\d+)<', html)}
        counts = {c: int(n) for c, n in re.findall(r'data-count="(\w+)">(\d+)<', html)}
        rows[key] = {"mark": mark, "states": states, **counts}
    return rows


def test_progress_board_counts_and_marks(app, world, spread):
    evaluation_in(world, "preparing", "救灾物资项目", "c")  # overdue: section C turns red
    response = signed_in(app, world["office"]).get("/work/board")
    assert response.status_code == 200
    assert "承德市应急管理局2020年市级预算绩效部门重点评价工作方案" in text(response)
    sections = board_rows(response, "data-section")
    assert sections["非煤矿山安全监督管理科"] == {"mark": "red", "states": {"preparing": 1}, "total": 1}
    assert sections["危险化学品安全监督管理科"] == {"mark": "yellow", "states": {"self_evaluating": 1}, "total": 1}
    assert sections["应急指挥中心"] == {"mark": "red", "states": {"preparing": 1, "submitted": 1}, "total": 2}
    assert "规划财务科" not in sections  # no projects there
    stages = board_rows(response, "data-stage")
    assert stages["prepare"] == {"mark": "red", "states": {}, "total": 2, "overdue": 2, "due_soon": 0}
    assert stages["self_evaluate"] == {"mark": "yellow", "states": {}, "total": 1, "overdue": 0, "due_soon": 1}
    assert stages["review"] == {"mark": "green", "states": {}, "total": 1, "overdue": 0, "due_soon": 0}
    assert stages["report"]["mark"] == "green" and stages["report"]["total"] == 0
    # Worst first.
    order = re.findall(r'<tr data-section="([^"]+)"', text(response))
    assert order.index("危险化学品安全监督管理科") > order.index("非煤矿山安全监督管理科")


def test_progress_board_is_green_before_the_deadlines(app, world, spread):
    clock.freeze(datetime(2020, 6, 12, 2, 0, tzinfo=timezone.utc))
    response = signed_in(app, world["leader"]).get("/work/board")
    marks = {k: v["mark"] for k, v in board_rows(response, "data-section").items()}
    assert marks == {"非煤矿山安全监督管理科": "green", "危险化学品安全监督管理科": "green", "应急指挥中心": "green"}


def test_progress_board_picks_a_plan(app, world, spread):
    newer = plans.copy_plan(world["plan"])
    client = signed_in(app, world["reviewer"])
    newest = client.get("/work/board")
    assert newer.title in text(newest) and board_rows(newest, "data-section") == {}
    chosen = client.get(f"/work/board?plan={world['plan'].id}")
    assert "应急指挥中心" in board_rows(chosen, "data-section")
    assert client.get("/work/board?plan=999999").status_code == 404


@pytest.mark.parametrize("who", ["staff_a", "finance"])
def test_progress_board_is_for_office_leader_and_reviewers(app, world, who):
    assert signed_in(app, world[who]).get("/work/board").status_code == 403


# Dashboard --------------------------------------------------------------------------------


def test_dashboard_shows_plan_stage_countdown_and_inbox_count(app, world, spread):
    evaluation_in(world, "self_evaluating", "森林草原防灭火宣传培训项目", "a")
    page = text(signed_in(app, world["staff_a"]).get("/"))
    assert "承德市应急管理局2020年市级预算绩效部门重点评价工作方案" in page
    countdown = re.sub(r"\s+", " ", page.split('data-testid="countdown">')[1].split("</div>")[0])
    assert "自评阶段" in countdown and "距截止还有 2 天" in countdown
    assert re.search(r'data-testid="inbox-count">2<', page)
    assert re.search(r'data-testid="overdue-count">1<', page)
    current = re.search(r'<li class="timeline-h-item current">\s*<div class="fw-semibold">([^<]+)<', page)
    assert current.group(1) == "自评阶段"


def test_dashboard_between_stages_and_after_the_last(app, world):
    client = signed_in(app, world["office"])
    clock.freeze(datetime(2020, 7, 1, 2, 0, tzinfo=timezone.utc))  # 准备 ended 06-30, 自评 starts 07-02
    page = text(client.get("/"))
    assert "距“自评阶段”开始还有 1 天" in page
    clock.freeze(datetime(2021, 1, 5, 2, 0, tzinfo=timezone.utc))
    assert "各阶段均已结束" in text(client.get("/"))
    clock.freeze(datetime(2020, 12, 31, 2, 0, tzinfo=timezone.utc))  # last day of 结果应用
    assert "距截止还有 0 天" in text(client.get("/"))


def test_dashboard_follows_the_newest_plan(app, world):
    newer = plans.copy_plan(world["plan"])
    clock.freeze(datetime(2021, 6, 20, 2, 0, tzinfo=timezone.utc))
    page = text(signed_in(app, world["office"]).get("/"))
    assert newer.title in page and "准备阶段" in page and "距截止还有 10 天" in page


def test_dashboard_without_a_plan(app):
    user = make_user("lonely", roles=[Role.OFFICE], full_name="新同事")
    page = signed_in(app, user).get("/")
    assert page.status_code == 200
    assert 'data-testid="countdown"' not in text(page)
    assert re.search(r'data-testid="inbox-count">0<', text(page))


# Notifications ------------------------------------------------------------------------------


def unread(response):
    match = re.search(r'data-testid="unread-count">(\d+)<', text(response))
    return int(match.group(1)) if match else 0


def test_bell_counts_unread_and_mark_all_read_clears_it(app, world):
    evaluation = fill_complete(evaluation_in(world, "self_evaluating", "应急物资储备项目", "a"))
    reviewer = signed_in(app, world["reviewer"])
    assert unread(reviewer.get("/")) == 0
    submit = post(signed_in(app, world["staff_a"]), f"/evaluations/{evaluation.id}/transition",
                  {"trigger": "submit", "version": str(evaluation.version)}, follow_redirects=True)
    assert "已执行“提交复核”，当前状态：待复核。" in flashes(submit)
    assert unread(reviewer.get("/")) == 1
    # Both bells, the bar's and the folded one of a phone, say the count to a screen reader.
    assert text(reviewer.get("/")).count('aria-label="消息，1 条未读"') == 2
    page = reviewer.get("/work/notifications")
    assert "“应急物资储备项目”：提交复核（原立吉）。待办：复核自评" in text(page)
    assert f'href="/evaluations/{evaluation.id}"' in text(page)
    cleared = post(reviewer, "/work/notifications", {}, follow_redirects=True)
    assert unread(cleared) == 0
    assert unread(reviewer.get("/")) == 0
    fresh()
    assert all(n.read_at is not None for n in _db.session.scalars(
        select(Notification).where(Notification.user_id == world["reviewer"].id)))


def test_mark_all_read_touches_only_my_notifications(app, world):
    evaluation = fill_complete(evaluation_in(world, "self_evaluating", "应急物资储备项目", "a"))
    other_reviewer = make_user("reviewer2", roles=[Role.REVIEWER], full_name="龚健")
    actions.perform(evaluation.id, "submit", world["staff_a"])
    post(signed_in(app, world["reviewer"]), "/work/notifications", {})
    assert unread(signed_in(app, other_reviewer).get("/")) == 1


def test_mark_all_read_needs_the_csrf_token(app, world):
    evaluation = fill_complete(evaluation_in(world, "self_evaluating", "应急物资储备项目", "a"))
    actions.perform(evaluation.id, "submit", world["staff_a"])
    reviewer = signed_in(app, world["reviewer"])
    assert reviewer.post("/work/notifications").status_code == 400
    assert unread(reviewer.get("/")) == 1


# Audit export -------------------------------------------------------------------------------


def test_audit_export_for_the_office(app, world):
    evaluation = evaluation_in(world, "submitted", "应急物资储备项目", "a")
    other_plan = plans.copy_plan(world["plan"])
    plans.add_project(other_plan, "下一年度的项目", world["section_b"].id, world["office"])
    response = signed_in(app, world["office"]).get(f"/work/audit.csv?plan={world['plan'].id}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:4] == ["时间（北京时间）", "项目", "操作人", "操作"]
    actions_taken = [(row[1], row[2], row[3], row[4], row[5]) for row in rows[1:]]
    assert ("应急物资储备项目", "闫洪涛", "创建项目", "", "准备中") in actions_taken
    assert ("应急物资储备项目", "闫洪涛", "开始自评", "准备中", "自评中") in actions_taken
    assert ("应急物资储备项目", "原立吉", "提交复核", "自评中", "待复核") in actions_taken
    assert "下一年度的项目" not in body
    everything = signed_in(app, world["office"]).get("/work/audit.csv").get_data().decode("utf-8-sig")
    assert "下一年度的项目" in everything and "应急物资储备项目" in everything
    assert evaluation.id


@pytest.mark.parametrize("who", ["leader", "reviewer", "staff_a", "finance"])
def test_audit_export_is_for_the_office_only(app, world, who):
    evaluation_in(world, "submitted", "应急物资储备项目", "a")
    response = signed_in(app, world[who]).get("/work/audit.csv")
    assert response.status_code == 403
    assert "应急物资储备项目" not in text(response)


def test_audit_export_neutralises_formulas(app, world):
    evaluation = evaluation_in(world, "submitted", "应急物资储备项目", "a")
    actions.perform(evaluation.id, "return_for_revision", world["reviewer"], comment="=HYPERLINK(\"http://x\")")
    body = signed_in(app, world["office"]).get("/work/audit.csv").get_data().decode("utf-8-sig")
    comments = [row[6] for row in csv.reader(io.StringIO(body))][1:]
    assert "'=HYPERLINK(\"http://x\")" in comments


# Calendar ---------------------------------------------------------------------------------


def test_calendar_settings_show_a_working_feed_url(app, world):
    evaluation_in(world, "self_evaluating", "应急物资储备项目", "a")
    client = signed_in(app, world["staff_a"])
    page = client.get("/work/calendar")
    assert page.status_code == 200
    url = re.search(r'value="([^"]+)"[^>]*data-testid="feed-url"', text(page)).group(1)
    assert re.fullmatch(r"http://localhost/work/calendar/[A-Za-z0-9_\-]{20,}\.ics", url)
    # The same address on the next visit, and it serves a calendar without logging in.
    assert url in text(client.get("/work/calendar"))
    path = url.replace("http://localhost", "")
    feed = app.test_client().get(path)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert "BEGIN:VCALENDAR" in text(feed)
    # A new address replaces the old one.
    renewed = post(client, "/work/calendar", {}, follow_redirects=True)
    assert "已生成新的订阅地址，旧地址已失效。" in flashes(renewed)
    new_url = re.search(r'value="([^"]+)"[^>]*data-testid="feed-url"', text(renewed)).group(1)
    assert new_url != url
    assert app.test_client().get(path).status_code == 404


def test_calendar_settings_need_login(app):
    response = app.test_client().get("/work/calendar")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")
    assert app.test_client().get("/work/calendar/not-a-token.ics").status_code == 404


def test_a_completed_task_cannot_be_handed_over(app, world):
    """Not even by the office: the new holder would be told of work that is already done."""
    evaluation_in(world, "self_evaluating", "应急物资储备项目", "a")
    done = _db.session.scalar(select(Task).where(Task.state == "preparing"))
    assert done.completed_at is not None
    office = signed_in(app, world["office"])
    assert office.get(f"/work/tasks/{done.id}/reassign").status_code == 404
    response = post(office, f"/work/tasks/{done.id}/reassign", {"colleague_id": str(world["staff_a2"].id)})
    assert response.status_code == 404
    fresh()
    assert _db.session.get(Task, done.id).assignee_id is None
    assert _db.session.scalar(select(Notification).where(Notification.user_id == world["staff_a2"].id,
                                                         Notification.text.like("%转交给您%"))) is None



@pytest.mark.parametrize("referrer,expected", [
    ("http://localhost/work/section", "/work/section"),        # the page the button was on
    ("https://evil.example/phish", "/work/inbox"),             # another site: never
    ("javascript:alert(1)", "/work/inbox"),
    (None, "/work/inbox"),
])
def test_claim_goes_back_to_the_page_but_never_to_another_site(app, world, referrer, expected):
    """The Referer is whatever the client sent: an outside address must not become the
    redirect after claiming (an open redirect)."""
    evaluation = evaluation_in(world, "self_evaluating", "应急物资储备项目", "a")
    task = open_task(evaluation)
    headers = {"Referer": referrer} if referrer else {}
    response = post(signed_in(app, world["staff_a"]), f"/work/tasks/{task.id}/claim", {}, headers=headers)
    assert response.status_code == 302
    assert response.headers["Location"].removeprefix("http://localhost") == expected
