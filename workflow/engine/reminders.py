"""Reminders for tasks falling due or overdue, run by `flask --app wsgi remind` from cron.

Each task gets at most one reminder per threshold: the (task, threshold) row in
reminder_logs is written first, under a unique key, so a second run (or two overlapping
runs on different hosts) sends nothing new. Overdue tasks are escalated to the office and
the group leader."""
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from workflow.engine import notify, outbox, tasks, workdays
from workflow.extensions import db
from workflow.models import PlanMember, ReminderLog, Task, User, UserRole
from workflow.roles import Role

DUE_SOON = "due_soon"
OVERDUE = "overdue"


@dataclass
class Summary:
    reminders: int = 0
    escalations: int = 0
    emails: int = 0
    tasks: list = field(default_factory=list)


def _threshold(task, today, days):
    if task.due_date < today:
        return OVERDUE
    if task.due_date <= workdays.due_soon_until(today, days):
        return DUE_SOON
    return None


def _claim(task, threshold):
    """Record the reminder before sending it; False when it was already recorded."""
    try:
        with db.session.begin_nested():
            db.session.add(ReminderLog(task_id=task.id, threshold=threshold))
    except IntegrityError:
        return False
    return True


def _escalation_targets(task):
    office = db.session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.OFFICE.value, User.active.is_(True))
    ).all()
    leaders = db.session.scalars(
        select(User).join(PlanMember, PlanMember.user_id == User.id)
        .where(PlanMember.plan_id == task.evaluation.project.plan_id, PlanMember.group_role == "leader")
    ).all()
    if not leaders:
        leaders = db.session.scalars(
            select(User).join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.LEADER.value, User.active.is_(True))
        ).all()
    return list({u.id: u for u in office + leaders}.values())


def run(today=None):
    today = today or tasks.today()
    days = current_app.config["DUE_SOON_DAYS"]
    summary = Summary()
    open_tasks = db.session.scalars(
        select(Task).where(Task.completed_at.is_(None), Task.due_date.is_not(None)).order_by(Task.id)
    ).all()
    for task in open_tasks:
        threshold = _threshold(task, today, days)
        if threshold is None or not _claim(task, threshold):
            continue
        project = task.evaluation.project.name
        due = task.due_date.isoformat()
        link = tasks.evaluation_link(task.evaluation_id)
        recipients = tasks.users_to_act(task)
        # Messages are functions, run by notify() and enqueue() right here in each reader's
        # language (the command itself runs in the default one). The mail is queued in the
        # transaction of the reminder log's row, and sent by `flask send-mail`.
        overdue = threshold == OVERDUE

        def text():
            if overdue:
                return _("已逾期：%(task)s“%(project)s”，截止日期 %(due)s。", task=tasks.label(task), project=project, due=due)
            return _("即将到期：%(task)s“%(project)s”，截止日期 %(due)s。", task=tasks.label(task), project=project, due=due)

        notify.notify(recipients, text, link)
        summary.emails += outbox.enqueue(recipients, lambda: _("【绩效评价】%(text)s", text=text()), text)
        summary.reminders += 1
        if overdue:
            targets = [u for u in _escalation_targets(task) if u not in recipients]

            def escalation():
                people = "、".join(u.full_name for u in recipients) or _("（无人）")
                return _("督办：%(task)s“%(project)s”已逾期（截止 %(due)s），经办人：%(people)s。",
                         task=tasks.label(task), project=project, due=due, people=people)

            notify.notify(targets, escalation, link)
            summary.emails += outbox.enqueue(
                targets, lambda: _("【绩效评价督办】%(project)s", project=project), escalation)
            summary.escalations += 1
        summary.tasks.append((task.id, threshold))
        db.session.commit()
    return summary
