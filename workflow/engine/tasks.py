"""Tasks: created when an evaluation enters a state, completed when it leaves (or, for one
member of a committee, when they have given their opinion).

Who may act on a task is rights.py's rule: its assignee once someone has claimed it (or it
was reassigned, or made for one committee member); before that, every holder of its role,
restricted to the project's section for section tasks; never the submitter for review and
approval; a deputy wherever the person they stand in for may.
"""
from functools import cache

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, case, func, select
from sqlalchemy.orm import contains_eager, joinedload

from workflow import clock
from workflow.engine import delegations, rights, workdays
from workflow.engine.definition import state_def
from workflow.errors import Forbidden, NotFound, ServiceError
from workflow.extensions import db
from workflow.models import Evaluation, Project, Section, Task, User
from workflow.pagination import keyed_rows, paginate
from workflow.roles import Role

GROUP_TASK_ROLES = rights.GROUP_TASK_ROLES


def evaluation_link(evaluation_id):
    """The evaluation page's path, also outside a request (CLI reminders)."""
    from flask import has_request_context, url_for

    if has_request_context():
        return url_for("evaluations.detail", evaluation_id=evaluation_id)
    return f"/evaluations/{evaluation_id}"


def local_day(moment):
    """The office's calendar day of ``moment`` (deadlines are dates in the plan's local time)."""
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def today():
    return local_day(clock.now())


RECTIFICATION = "rectification"  # the state name of a 问题整改 task


def label(task):
    """What the task asks for, in the user's language."""
    if task.state == RECTIFICATION:
        return _("问题整改")
    return state_def(task.state).task_label


def labels_of(tasks):
    """label() of each state among ``tasks`` (a list's rows), translated once per state."""
    labels = {}
    for task in tasks:
        if task.state not in labels:
            labels[task.state] = str(label(task))
    return labels


def due_date_for(evaluation, state_name, entered_on=None):
    """When the task of ``state_name`` falls due: the end of the state's stage, moved to a
    working day; for a state due after entering it, the plan's period in working days after
    ``entered_on`` (today by default)."""
    definition = state_def(state_name)
    plan = evaluation.project.plan
    if definition.due_after_entering:
        return workdays.add(entered_on or today(), plan.return_working_days)
    if definition.stage is None:
        return None
    stage = plan.stage(definition.stage)
    return workdays.on_or_after(stage.due_date) if stage is not None else None


def refresh_due_dates(plan_id=None):
    """Recompute the due dates of the open workflow tasks (of one plan, or all): after the
    plan's stage dates or return period, or the office's days off, changed."""
    query = (select(Task).join(Evaluation, Task.evaluation_id == Evaluation.id)
             .where(Task.completed_at.is_(None), Task.rectification_id.is_(None)))
    if plan_id is not None:
        query = query.where(Evaluation.plan_id == plan_id)
    workdays.forget_cached_days_off()
    for task in db.session.scalars(query):
        task.due_date = due_date_for(task.evaluation, task.state, entered_on=local_day(task.created_at))


@cache
def _open_task_query():
    """Built once per process, the evaluation a bound parameter (every evaluation page asks)."""
    return select(Task).where(Task.evaluation_id == bindparam("evaluation_id"), Task.completed_at.is_(None),
                              Task.rectification_id.is_(None)).limit(1)


def open_task(evaluation):
    """The open workflow task of the evaluation (rectification tasks run beside it)."""
    return db.session.scalar(_open_task_query(), {"evaluation_id": evaluation.id})


def complete_open_tasks(evaluation, actor, assignee=None):
    """Complete the evaluation's open workflow tasks (only ``assignee``'s: one committee
    member's opinion is given)."""
    now = clock.now()
    query = select(Task).where(Task.evaluation_id == evaluation.id, Task.completed_at.is_(None),
                               Task.rectification_id.is_(None))
    if assignee is not None:
        query = query.where(Task.assignee_id == assignee.id)
    for task in db.session.scalars(query):
        task.completed_at = now
        task.completed_by_id = actor.id if actor is not None else None


def create_tasks(evaluation):
    """The tasks of the evaluation's current state, for whoever must act next: one for every
    holder of the role, or one for each member the state names (a committee)."""
    definition = state_def(evaluation.state)
    if definition.actor is None:
        return []
    assignees = definition.assignees(evaluation) if definition.assignees else None
    fields = dict(
        evaluation_id=evaluation.id,
        state=evaluation.state,
        role=definition.actor.value,
        section_id=evaluation.project.section_id if definition.section_task else None,
        due_date=due_date_for(evaluation, evaluation.state),
    )
    created = [Task(**fields)] if assignees is None else [Task(**fields, assignee_id=user_id) for user_id in assignees]
    db.session.add_all(created)
    return created


def is_overdue(on):
    """SQL: an open task's due date has passed on ``on`` (urgency()'s red)."""
    return Task.due_date < on


def is_due_soon(on, until):
    """SQL: an open task is due from ``on`` to ``until``, the end of the due-soon window
    (urgency()'s yellow)."""
    return and_(Task.due_date >= on, Task.due_date <= until)


def actionable_by(user):
    """SQL condition: open tasks ``user`` may act on, in their own place or as a deputy
    (needs Task joined to Evaluation): rights.py's rule."""
    return rights.actionable_by(user)


# The lists' order: by due date, undated last, then as created.
ROW_ORDER = (Task.due_date.is_(None), Task.due_date, Task.id)


@cache
def _task_query():
    """Tasks with what every list shows: the project, its section, the assignee. Evaluation
    and project come from the query's own joins (one join each, not two); the assignee's
    roles are read only if asked for. Built once per process: a SELECT is immutable (where()
    and the like return new ones) and holds no data, only the shape of the query."""
    return (
        select(Task)
        .join(Task.evaluation)
        .join(Evaluation.project)
        .options(
            contains_eager(Task.evaluation).contains_eager(Evaluation.project).joinedload(Project.section),
            joinedload(Task.assignee).lazyload(User.role_rows),
        )
        .order_by(*ROW_ORDER)
    )


def inbox_query(user):
    """我的待办, as a query (pages take one page of it)."""
    return _task_query().where(actionable_by(user))


def section_queue_query(section_id):
    """The open tasks of one section (claimed or not)."""
    return _task_query().where(Task.completed_at.is_(None), Task.section_id == section_id)


def overdue_query(user=None, on=None):
    on = on or today()
    query = _task_query().where(Task.completed_at.is_(None), is_overdue(on))
    return query.where(actionable_by(user)) if user is not None else query


def due_soon_query(user=None, on=None, days=None):
    on = on or today()
    query = _task_query().where(Task.completed_at.is_(None), is_due_soon(on, workdays.due_soon_until(on, days)))
    return query.where(actionable_by(user)) if user is not None else query


@cache
def _row_query():
    """What a task list shows of each task, its project, section and assignee, as plain rows
    in the lists' order: a page's rows are only shown, so no ORM objects (task, evaluation,
    project, section, user) are built for them."""
    return (
        select(Task.id, Task.state, Task.evaluation_id, Task.due_date, Task.completed_at, Task.assignee_id,
               Project.name.label("project_name"), Section.name.label("section_name"),
               User.full_name.label("assignee_name"))
        .join(Task.evaluation)
        .join(Evaluation.project)
        .outerjoin(Project.section)
        .outerjoin(Task.assignee)
        .order_by(*ROW_ORDER)
    )


def _actionable_rows(user):
    """The tasks ``user`` may act on, in the lists' order, with only the joins the rule needs:
    what a page's keys are found in before _row_query() reads their rows."""
    return select(Task).join(Task.evaluation).where(actionable_by(user)).order_by(*ROW_ORDER)


def page(query, number):
    """One page of a task list (inbox_query() and the like) as plain rows (_row_query(), with
    ``total`` among them). A page past the end shows the last page."""
    return paginate(query, number, key=Task.id, rows_query=_row_query(), whole_rows=True)


def inbox_page(user, number):
    """One page of 我的待办."""
    return page(_actionable_rows(user), number)


def inbox(user):
    """我的待办."""
    return db.session.scalars(inbox_query(user)).all()


def section_queue(section_id):
    return db.session.scalars(section_queue_query(section_id)).all()


def overdue(user=None, on=None):
    return db.session.scalars(overdue_query(user, on)).all()


def due_soon(user=None, on=None, days=None):
    return db.session.scalars(due_soon_query(user, on, days)).all()


def inbox_summary(user, on=None, days=None, first=5):
    """What the dashboard shows of the inbox, without loading it: the first ``first`` tasks
    (plain rows, as page()'s) and, computed by the database over the whole inbox in the same
    query (window aggregates), the number of tasks, of overdue ones and of those due soon
    (the rules of urgency())."""
    on = on or today()
    sums = urgency_sums(on, workdays.due_soon_until(on, days))
    rows = db.session.execute(keyed_rows(_actionable_rows(user), Task.id, first, rows_query=_row_query(),
                                         total=func.count(), **sums)).all()
    if not rows:
        return {"count": 0, "overdue": 0, "due_soon": 0, "next": []}
    return {"count": rows[0].total, "overdue": rows[0].overdue or 0, "due_soon": rows[0].due_soon or 0,
            "next": rows}


def watches_everything(user):
    """The office and the leader follow every task of the plan, not only their own."""
    return bool(user.roles & {Role.OFFICE, Role.LEADER})


def overdue_for(user, on=None):
    return overdue(None if watches_everything(user) else user, on)


def due_soon_for(user, on=None):
    return due_soon(None if watches_everything(user) else user, on)


def overdue_query_for(user, on=None):
    return overdue_query(None if watches_everything(user) else user, on)


def due_soon_query_for(user, on=None):
    return due_soon_query(None if watches_everything(user) else user, on)


def urgency_sums(on, until):
    """SQL aggregates: how many of the rows are overdue on ``on`` and how many due soon (to
    ``until``), as {"overdue": ..., "due_soon": ...}."""
    return {"overdue": func.sum(case((is_overdue(on), 1), else_=0)),
            "due_soon": func.sum(case((is_due_soon(on, until), 1), else_=0))}


def urgency(task, on=None, days=None):
    """red: overdue, yellow: due within the due-soon window, green: otherwise."""
    on = on or today()
    if task.due_date is None or task.completed_at is not None:
        return "green"
    if task.due_date < on:
        return "red"
    if task.due_date <= workdays.due_soon_until(on, days):
        return "yellow"
    return "green"


def get_task(task_id):
    task = db.session.get(Task, task_id)
    if task is None:
        raise NotFound(_("待办事项不存在。"))
    return task


def may_act(task, user):
    if task.completed_at is not None:
        return False
    return db.session.scalar(
        select(Task.id).join(Evaluation, Task.evaluation_id == Evaluation.id)
        .join(Project, Evaluation.project_id == Project.id)
        .where(Task.id == task.id, actionable_by(user))
    ) is not None


def claim(task, user):
    """Take a task so that colleagues see someone is on it."""
    if not may_act(task, user):
        raise Forbidden(_("您不能领取这项待办。"))
    if task.assignee_id == user.id:
        raise ServiceError(_("这项待办已由您领取。"), code="duplicate")
    task.assignee_id = user.id
    task.claimed_at = clock.now()
    db.session.commit()


def eligible_colleagues(task):
    """Who a task may be handed to: rights.py's rule for each active user, as if nobody had
    claimed the task."""
    return rights.colleagues_for(task)


def reassign(task, actor, colleague_id):
    """Hand a task to a colleague (someone on leave): the current holder, anyone who may act
    on it, or the office may do so."""
    if not (may_act(task, actor) or Role.OFFICE in actor.roles):
        raise Forbidden(_("您不能转交这项待办。"))
    colleague = next((u for u in eligible_colleagues(task) if u.id == colleague_id), None)
    if colleague is None:
        raise ServiceError(_("只能转交给同一科室、具有相应角色的在用人员。"))
    from workflow.engine import notify

    task.assignee_id = colleague.id
    task.claimed_at = clock.now()
    if colleague.id != actor.id:
        notify.notify(
            [colleague],
            lambda: _("%(name)s 将待办“%(task)s：%(project)s”转交给您。", name=actor.full_name,
                      task=label(task), project=task.evaluation.project.name),
            evaluation_link(task.evaluation_id),
        )
    db.session.commit()
    return colleague


def users_to_act(task):
    """The people a task concerns: its assignee, or everyone who could take it, and whoever
    stands in for them today."""
    if task.assignee_id is not None:
        people = [task.assignee] if task.assignee.active else []
    else:
        people = eligible_colleagues(task)
    deputies = delegations.deputies_of(people)
    return list({user.id: user for user in people + deputies}.values())
