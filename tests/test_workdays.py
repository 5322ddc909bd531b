"""Deadlines count the office's working days: China's public holidays and their 调休 Saturdays
and Sundays (chinese-calendar), the office's own days off, and a returned evaluation's period
counted from its return."""
from datetime import date, datetime, timezone

from tests.conftest import post
from tests.factories import make_evaluation, make_setup
from workflow import clock
from workflow.engine import reminders, tasks, workdays
from workflow.extensions import db
from workflow.models import OfficeDayOff, Task
from workflow.plans import days_off
from workflow.plans import services as plans

UTC = timezone.utc


def at(day, hour=2):
    """A moment on ``day`` in the office's morning (UTC+8)."""
    clock.freeze(datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC))


def open_task(evaluation):
    return db.session.scalars(select_open(evaluation)).one()


def select_open(evaluation):
    from sqlalchemy import select

    return select(Task).where(Task.evaluation_id == evaluation.id, Task.completed_at.is_(None))


# The calendar itself --------------------------------------------------------------------


def test_the_2020_national_day_week_and_its_worked_weekend_days(app):
    assert not workdays.is_working_day(date(2020, 10, 1))
    assert not workdays.is_working_day(date(2020, 10, 8))
    assert workdays.is_working_day(date(2020, 9, 27))    # Sunday, worked for the holiday (调休)
    assert workdays.is_working_day(date(2020, 10, 10))   # Saturday, worked for the holiday
    assert not workdays.is_working_day(date(2020, 10, 11))
    # A deadline on the holiday moves to the first working day after it.
    assert workdays.on_or_after(date(2020, 10, 1)) == date(2020, 10, 9)
    assert workdays.on_or_after(date(2020, 9, 30)) == date(2020, 9, 30)
    # From Friday 9/25, the next working day is the 调休 Sunday.
    assert workdays.add(date(2020, 9, 25), 1) == date(2020, 9, 27)
    # 5 working days after Monday 9/28: 9/29, 9/30, (holiday), 10/9, 10/10 (Saturday), 10/12.
    assert workdays.add(date(2020, 9, 28), 5) == date(2020, 10, 12)


def test_a_year_the_package_does_not_know_falls_back_to_weekdays(app):
    assert workdays.known_year(2020)
    assert not workdays.known_year(2035)
    assert workdays.add(date(2035, 1, 5), 1) == date(2035, 1, 8)   # Friday → Monday
    assert workdays.on_or_after(date(2035, 1, 6)) == date(2035, 1, 8)


def test_the_offices_days_off_are_skipped_too(app):
    org, _plan = make_setup()
    at(date(2020, 9, 1))
    days_off.add(date(2020, 9, 28), "本单位休息", org.office)
    assert not workdays.is_working_day(date(2020, 9, 28), {date(2020, 9, 28)})
    assert workdays.add(date(2020, 9, 25), 2) == date(2020, 9, 29)   # Sunday 9/27, then 9/29


def test_due_soon_counts_working_days(app):
    """On 9/30 the next three working days run to 10/12: a task due that day is yellow,
    though it is twelve calendar days away."""
    org, plan = make_setup()
    at(date(2020, 9, 1))
    evaluation = make_evaluation(plan, org, "submitted")
    task = open_task(evaluation)
    task.due_date = date(2020, 10, 12)
    assert workdays.due_soon_until(date(2020, 9, 30), 3) == date(2020, 10, 12)
    assert tasks.urgency(task, on=date(2020, 9, 30), days=3) == "yellow"
    assert tasks.urgency(task, on=date(2020, 9, 28), days=3) == "green"


# Tasks ------------------------------------------------------------------------------------


def test_a_stage_due_in_the_holiday_gives_tasks_due_after_it(app):
    org, plan = make_setup()
    review = plan.stage("review")
    rows = {s.kind: (s.name, s.start_date, s.due_date) for s in plan.stages}
    rows["review"] = (review.name, review.start_date, date(2020, 10, 1))
    plans.update_stages(plan, rows)
    at(date(2020, 9, 1))
    evaluation = make_evaluation(plan, org, "submitted")
    assert open_task(evaluation).due_date == date(2020, 10, 9)


def test_a_returned_evaluation_is_due_five_working_days_after_its_return(app):
    """Returned on 8/4, after the 自评阶段 ended on 7/30: due 8/11, not 7/30 (overdue the
    moment it was created), and no reminder or escalation that day."""
    org, plan = make_setup()
    at(date(2020, 7, 20))
    evaluation = make_evaluation(plan, org, "submitted")
    at(date(2020, 8, 4))
    from workflow.engine import actions

    actions.perform(evaluation.id, "return_for_revision", org.reviewer, comment="请补充佐证材料。")
    task = open_task(evaluation)
    assert task.state == "returned"
    assert task.due_date == date(2020, 8, 11)
    assert task.due_date > tasks.today()
    assert tasks.urgency(task) == "green"
    summary = reminders.run(today=date(2020, 8, 4))
    assert task.id not in {t.id for t in summary.tasks}
    assert summary.escalations == 0


def returned_on(day):
    """An evaluation submitted some days before ``day`` and returned on it: (org, plan, it)."""
    from workflow.engine import actions

    org, plan = make_setup()
    at(date(2020, 9, 10))
    evaluation = make_evaluation(plan, org, "submitted")
    at(day)
    actions.perform(evaluation.id, "return_for_revision", org.reviewer, comment="请补充。")
    return org, plan, evaluation


def test_a_return_before_the_holiday_counts_past_it(app):
    _org, _plan, evaluation = returned_on(date(2020, 9, 28))
    assert open_task(evaluation).due_date == date(2020, 10, 12)


def test_days_off_and_the_return_period_move_open_deadlines(app):
    org, plan, evaluation = returned_on(date(2020, 9, 28))
    days_off.add(date(2020, 10, 12), "临时闭馆", org.office)
    assert open_task(evaluation).due_date == date(2020, 10, 13)
    days_off.remove(date(2020, 10, 12))
    assert open_task(evaluation).due_date == date(2020, 10, 12)
    data = plans.PlanData(title=plan.title, budget_year=plan.budget_year, run_year=plan.run_year,
                          return_working_days=3)
    plans.update_plan(plan, data)
    assert open_task(evaluation).due_date == date(2020, 10, 9)   # 9/29, 9/30, 10/9


def test_days_off_refuse_what_is_not_a_working_day_or_already_there(app):
    import pytest

    from workflow.errors import ServiceError

    org, _plan = make_setup()
    with pytest.raises(ServiceError, match="本就不是工作日"):
        days_off.add(date(2020, 10, 1), "", org.office)
    days_off.add(date(2020, 10, 12), "", org.office)
    with pytest.raises(ServiceError, match="已登记为休息日"):
        days_off.add(date(2020, 10, 12), "", org.office)
    with pytest.raises(ServiceError, match="不能超过"):
        days_off.add(date(2020, 10, 13), "长" * 101, org.office)
    assert db.session.query(OfficeDayOff).count() == 1


def test_plan_refuses_a_return_period_out_of_range(app):
    import pytest

    from workflow.errors import ServiceError

    _org, plan = make_setup()
    data = plans.PlanData(title=plan.title, budget_year=plan.budget_year, run_year=plan.run_year,
                          return_working_days=0)
    with pytest.raises(ServiceError, match="退回修改期限"):
        plans.update_plan(plan, data)
    db.session.rollback()
    assert plan.return_working_days == 5


# Pages ------------------------------------------------------------------------------------


def test_the_office_keeps_its_days_off_on_a_page(app, client, login_as):
    org, _plan = make_setup()
    at(date(2020, 9, 1))
    login_as(org.office)
    assert client.get("/plans/days-off").status_code == 200
    response = post(client, "/plans/days-off", {"day": "2020-09-28", "note": "本单位休息"}, follow_redirects=True)
    assert "已登记休息日" in response.get_data(as_text=True)
    assert db.session.get(OfficeDayOff, date(2020, 9, 28)).note == "本单位休息"
    bad = post(client, "/plans/days-off", {"day": "2020-10-01"}, follow_redirects=True)
    assert "本就不是工作日" in bad.get_data(as_text=True)
    assert post(client, "/plans/days-off", {"day": "不是日期"}).status_code == 422
    assert db.session.query(OfficeDayOff).count() == 1
    assert post(client, "/plans/days-off/2020-09-28/delete").status_code == 302
    assert db.session.query(OfficeDayOff).count() == 0
    assert post(client, "/plans/days-off/2020-09-28/delete").status_code == 404
    assert post(client, "/plans/days-off/garbage/delete").status_code == 404


def test_only_the_office_keeps_days_off(app, client, login_as):
    org, _plan = make_setup()
    login_as(org.staff_a)
    assert client.get("/plans/days-off").status_code == 403
    assert post(client, "/plans/days-off", {"day": "2020-09-28"}).status_code == 403
    assert db.session.query(OfficeDayOff).count() == 0


def test_the_plan_page_says_when_the_year_is_not_known(app, client, login_as):
    org, plan = make_setup()
    login_as(org.office)
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert 'data-testid="workdays-unknown"' not in page
    assert "5 个工作日内重新提交" in page
    plan.run_year, plan.budget_year = 2035, 2034
    db.session.commit()
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert 'data-testid="workdays-unknown"' in page and "2035" in page
