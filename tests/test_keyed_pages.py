"""A page of tasks found by its keys first (pagination.keyed_rows) holds exactly what the plain
query gives: the same tasks in the same order, the same total, the same window sums; a page
past the end still shows the last one."""
from datetime import timedelta

from sqlalchemy import bindparam, case, func

from tests.factories import make_plan, make_project, make_setup, make_user, walk_to
from workflow.engine import tasks
from workflow.extensions import db
from workflow.models import Task
from workflow.pagination import PAGE_SIZE, Pages, keyed_rows, paginate


def spread_due_dates(plan, org, count):
    """``count`` open tasks for section A's staff, due on various days (some the same day, so
    that the order falls back on the id, some without a date)."""
    for n in range(count):
        make_project(plan, f"项目{n:02d}", org.section_a, org.office)
    today = tasks.today()
    for n, task in enumerate(db.session.scalars(db.select(Task).order_by(Task.id))):
        task.due_date = None if n % 7 == 6 else today + timedelta(days=n % 5 - 2)
    db.session.commit()


def test_keyed_pages_match_the_plain_query(app):
    org, plan = make_setup()
    spread_due_dates(plan, org, 13)
    query = tasks.inbox_query(org.staff_a)
    everything = [task.id for task in tasks.inbox(org.staff_a)]
    assert len(everything) == 13
    for number in (1, 2, 3):
        plain = paginate(query, number, size=5)
        keyed = paginate(query, number, size=5, key=Task.id, rows_query=tasks._task_query())
        assert [t.id for t in keyed.items] == [t.id for t in plain.items] == everything[(number - 1) * 5:number * 5]
        assert (keyed.total, keyed.number) == (plain.total, plain.number) == (13, number)
    past_the_end = paginate(query, 9, size=5, key=Task.id, rows_query=tasks._task_query())
    assert (past_the_end.number, [t.id for t in past_the_end.items]) == (3, everything[10:])


def test_pages_of_a_statement_built_once_match_the_plain_query(app):
    org, plan = make_setup()
    spread_due_dates(plan, org, 13)
    everything = [task.id for task in tasks.inbox(org.staff_a)]
    # A condition whose value is given when the statement runs, as a bound parameter.
    pages = Pages(tasks.inbox_query(org.staff_a).where(Task.id >= bindparam("from_id")), Task.id,
                       tasks._task_query())
    mine = {"from_id": 0}
    for number in (1, 2, 3):
        page = pages.page(number, size=5, params=mine)
        assert [t.id for t in page.items] == everything[(number - 1) * 5:number * 5]
        assert (page.total, page.number) == (13, number)
    past_the_end = pages.page(9, size=5, params=mine)
    assert (past_the_end.number, [t.id for t in past_the_end.items]) == (3, everything[10:])
    nobody = pages.page(2, size=5, params={"from_id": max(everything) + 1})
    assert (nobody.number, nobody.items, nobody.total) == (1, [], 0)


def test_the_dashboard_summary_counts_the_whole_inbox(app):
    org, plan = make_setup()
    spread_due_dates(plan, org, 13)
    today = tasks.today()
    everything = tasks.inbox(org.staff_a)
    summary = tasks.inbox_summary(org.staff_a, today, days=1, first=4)
    assert [t.id for t in summary["next"]] == [t.id for t in everything[:4]]
    assert summary["count"] == 13
    assert summary["overdue"] == sum(1 for t in everything if t.due_date and t.due_date < today)
    assert summary["due_soon"] == sum(1 for t in everything if t.due_date and today <= t.due_date <= today + timedelta(days=1))
    assert 0 < summary["overdue"] < 13 and 0 < summary["due_soon"] < 13


def test_window_sums_come_as_the_last_columns_in_order(app):
    org, plan = make_setup()
    spread_due_dates(plan, org, 7)
    dated = case((Task.due_date.is_not(None), 1), else_=0)
    rows = db.session.execute(keyed_rows(tasks.inbox_query(org.staff_a), Task.id, 2,
                                         total=func.count(), dated=func.sum(dated))).all()
    assert len(rows) == 2
    assert [tuple(row[1:]) for row in rows] == [(7, 6), (7, 6)]


def test_the_inbox_page_lists_what_the_inbox_rule_gives_to_everyone(app):
    """The inbox's page and the dashboard's summary (keyed rows: the page's tasks found first)
    list exactly the tasks of tasks.inbox() for every role, inside and outside the working
    group, with a claimed task and for a user without any role."""
    org, plan = make_setup()
    other_plan = make_plan(title="没有工作组的方案")
    for n, state in enumerate(("self_evaluating", "submitted", "reviewed", "submitted", "preparing")):
        for chosen, section in ((plan, org.section_a), (other_plan, org.section_b)):
            walk_to(make_project(chosen, f"项目{n}{section.name}", section, org.office).evaluation, state, org)
    claimed = next(t for t in tasks.inbox(org.reviewer2) if t.role == "reviewer")
    tasks.claim(claimed, org.reviewer2)
    nobody = make_user("nobody", [], org.section_a)
    people = [org.office, org.leader, org.reviewer, org.reviewer2, org.outsider, org.staff_a, org.staff_b,
              org.admin, org.finance, nobody]
    for user in people:
        expected = [task.id for task in tasks.inbox(user)]
        page = tasks.inbox_page(user, 1)
        assert [row.id for row in page.items] == expected[:PAGE_SIZE], user.username
        assert page.total == len(expected), user.username
        summary = tasks.inbox_summary(user)
        assert ([row.id for row in summary["next"]], summary["count"]) == (expected[:5], len(expected))
    assert tasks.inbox(org.outsider) != tasks.inbox(org.reviewer2)
    assert claimed.id not in [task.id for task in tasks.inbox(org.reviewer)]
