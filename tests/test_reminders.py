"""Reminders on a frozen clock, mailed to a real SMTP server on the loopback interface
(aiosmtpd): due-soon reminders to the people who must act, overdue reminders with an
escalation to the office and the plan's 组长, each at most once."""
import threading
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from tests.factories import make_evaluation, make_group, make_setup, make_user
from tests.mail_server import deliver_outbox, free_port, smtp  # noqa: F401  (fixture)
from workflow import clock
from workflow.engine import reminders, tasks
from workflow.extensions import db
from workflow.models import Notification, OutboxMessage, ReminderLog, Task
from workflow.roles import Role

UTC = timezone.utc


def beijing_noon(month, day):
    return datetime(2020, month, day, 4, 0, tzinfo=UTC)  # 12:00 in Asia/Shanghai


def notifications_after(last_id):
    rows = db.session.scalars(select(Notification).where(Notification.id > last_id).order_by(Notification.id)).all()
    return [(n.user_id, n.text, n.link) for n in rows]


def last_notification_id():
    return db.session.scalar(select(func.max(Notification.id))) or 0


def address(user):
    return f"{user.username}@yjj.example.cn"


def test_due_soon_then_overdue_each_once(smtp):
    org, plan = make_setup()
    late = make_evaluation(plan, org, "self_evaluating", name="应急物资储备项目")  # due 07-30
    make_evaluation(plan, org, "submitted", name="应急指挥信息化平台运行维护项目")  # due 08-21: not yet
    link = tasks.evaluation_link(late.id)
    mark = last_notification_id()

    clock.freeze(beijing_noon(7, 28))
    summary = reminders.run()
    assert (summary.reminders, summary.escalations, summary.emails) == (1, 0, 2)
    (task,) = db.session.scalars(select(Task).where(Task.evaluation_id == late.id, Task.completed_at.is_(None)))
    assert summary.tasks == [(task.id, "due_soon")]
    text = "即将到期：填报并提交自评“应急物资储备项目”，截止日期 2020-07-30。"
    assert sorted(notifications_after(mark)) == sorted(
        [(org.staff_a.id, text, link), (org.staff_a2.id, text, link)])
    assert smtp.sent() == []  # queued in the outbox, not sent by the reminder run itself
    assert deliver_outbox().sent == 2
    assert sorted(smtp.sent()) == sorted(
        [(address(org.staff_a), f"【绩效评价】{text}", text + "\n"),
         (address(org.staff_a2), f"【绩效评价】{text}", text + "\n")])

    # The second run of the day sends nothing.
    mark = last_notification_id()
    again = reminders.run()
    assert (again.reminders, again.escalations, again.emails, again.tasks) == (0, 0, 0, [])
    assert deliver_outbox().sent == 0
    assert notifications_after(mark) == [] and len(smtp.sent()) == 2

    # Two days after the deadline: the overdue reminder, and the office and 组长 are told.
    clock.freeze(beijing_noon(8, 1))
    summary = reminders.run()
    assert (summary.reminders, summary.escalations, summary.emails) == (1, 1, 4)
    assert summary.tasks == [(task.id, "overdue")]
    overdue = "已逾期：填报并提交自评“应急物资储备项目”，截止日期 2020-07-30。"
    new = notifications_after(mark)
    assert sorted((user_id, text) for user_id, text, _link in new if text == overdue) == sorted(
        [(org.staff_a.id, overdue), (org.staff_a2.id, overdue)])
    escalations = [(user_id, text) for user_id, text, _link in new if text != overdue]
    assert sorted(user_id for user_id, _text in escalations) == sorted([org.office.id, org.leader.id])
    for _user_id, text in escalations:
        assert text.startswith("督办：填报并提交自评“应急物资储备项目”已逾期（截止 2020-07-30）")
        assert "原立吉" in text and "王建华" in text
    deliver_outbox()
    mails = smtp.sent()[2:]
    assert sorted(rcpt for rcpt, _s, _b in mails) == sorted(
        address(u) for u in (org.staff_a, org.staff_a2, org.office, org.leader))
    assert {s for rcpt, s, _b in mails if rcpt == address(org.leader)} == {"【绩效评价督办】应急物资储备项目"}
    assert {s for rcpt, s, _b in mails if rcpt == address(org.staff_a)} == {f"【绩效评价】{overdue}"}
    # Nobody else heard of it: not the other sections, reviewers or the outsider.
    told = {user_id for user_id, _t, _l in new}
    assert told == {org.staff_a.id, org.staff_a2.id, org.office.id, org.leader.id}

    # And only once.
    mark = last_notification_id()
    clock.freeze(beijing_noon(8, 2))
    again = reminders.run()
    assert (again.reminders, again.escalations, again.emails) == (0, 0, 0)
    deliver_outbox()
    assert notifications_after(mark) == [] and len(smtp.sent()) == 6
    assert db.session.scalar(select(func.count()).select_from(ReminderLog)) == 2


def test_review_reminders_go_to_the_working_group_and_escalate_to_its_leader(smtp):
    org, plan = make_setup(with_group=False)
    other_leader = make_user("other_leader", [Role.LEADER], None, full_name="另一位局领导")
    no_mail = make_user("no_mail", [Role.REVIEWER], org.office_section, full_name="龚健", email="")
    make_group(plan, org.leader, deputies=[org.reviewer], members=[org.reviewer2, no_mail])
    evaluation = make_evaluation(plan, org, "submitted")  # review due 08-21
    mark = last_notification_id()

    clock.freeze(beijing_noon(8, 19))
    summary = reminders.run()
    assert (summary.reminders, summary.emails) == (1, 2)  # no_mail has no address
    assert {user_id for user_id, _t, _l in notifications_after(mark)} == {org.reviewer.id, org.reviewer2.id,
                                                                         no_mail.id}
    deliver_outbox()
    assert sorted(rcpt for rcpt, _s, _b in smtp.sent()) == sorted([address(org.reviewer), address(org.reviewer2)])

    mark = last_notification_id()
    clock.freeze(beijing_noon(8, 22))
    summary = reminders.run()
    assert (summary.reminders, summary.escalations) == (1, 1)
    told = {user_id for user_id, _t, _l in notifications_after(mark)}
    assert told == {org.reviewer.id, org.reviewer2.id, no_mail.id, org.office.id, org.leader.id}
    assert other_leader.id not in told and org.outsider.id not in told
    assert evaluation.state == "submitted"


def test_reminders_without_mail_still_notify_in_the_app(app, smtp):
    app.config["MAIL_ENABLED"] = False
    org, plan = make_setup()
    make_evaluation(plan, org, "self_evaluating")
    mark = last_notification_id()
    clock.freeze(beijing_noon(7, 29))
    summary = reminders.run()
    assert (summary.reminders, summary.emails) == (1, 0)
    assert len(notifications_after(mark)) == 2
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0  # nothing queued
    assert deliver_outbox().enabled is False
    assert smtp.sent() == []


def test_an_unreachable_mail_server_does_not_stop_the_reminders(app, smtp):
    app.config["MAIL_PORT"] = free_port()  # nobody listens there
    org, plan = make_setup()
    make_evaluation(plan, org, "self_evaluating", name="项目甲")
    make_evaluation(plan, org, "self_evaluating", name="项目乙", section=org.section_b)
    mark = last_notification_id()
    clock.freeze(beijing_noon(7, 29))
    summary = reminders.run()
    assert (summary.reminders, summary.emails) == (2, 3)  # queued: nothing is lost
    assert len(notifications_after(mark)) == 3  # staff_a, staff_a2, staff_b
    assert reminders.run().reminders == 0
    passed = deliver_outbox()
    assert (passed.sent, passed.retrying) == (0, 3)
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert all(row.status == "pending" and row.attempts == 1 and "Connection refused" in row.last_error
               for row in rows), [(r.status, r.attempts, r.last_error) for r in rows]


@pytest.mark.commits  # threads race on committed rows
def test_two_overlapping_runs_remind_once(app, smtp):
    org, plan = make_setup()
    for i in range(4):
        make_evaluation(plan, org, "self_evaluating", name=f"项目{i}")
    clock.freeze(beijing_noon(7, 29))
    db.session.commit()
    barrier = threading.Barrier(2, timeout=30)
    results = []

    def run():
        with app.app_context():
            try:
                barrier.wait()
                results.append(reminders.run(today=datetime(2020, 7, 29).date()).reminders)
            except BaseException as error:  # noqa: BLE001 - reported below
                results.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 2 and all(isinstance(n, int) for n in results), results
    assert sum(results) == 4
    assert db.session.scalar(select(func.count()).select_from(ReminderLog)) == 4
    assert deliver_outbox().sent == 8
    assert len(smtp.sent()) == 8  # two staff of section A per task, once each


def test_flask_remind_prints_the_counts(app, smtp):
    org, plan = make_setup()
    make_evaluation(plan, org, "self_evaluating", name="项目甲")  # due 07-30: overdue on 08-01
    make_evaluation(plan, org, "submitted", name="项目乙")  # due 08-21
    clock.freeze(beijing_noon(8, 1))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["remind"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "提醒 1 条，督办 1 条，邮件 4 封。"
    result = runner.invoke(args=["remind"])
    assert result.output.strip() == "提醒 0 条，督办 0 条，邮件 0 封。"
    clock.freeze(beijing_noon(8, 19))
    result = runner.invoke(args=["remind"])
    assert result.output.strip() == "提醒 1 条，督办 0 条，邮件 2 封。"  # the two group reviewers
    assert smtp.sent() == []
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "已发送 6 封，待重试 0 封，放弃 0 封。"
    assert len(smtp.sent()) == 6
