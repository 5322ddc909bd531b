"""Who may see an evaluation, and the lists built on that rule."""
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import joinedload

from workflow.engine import actions
from workflow.engine.definition import state_def
from workflow.errors import Forbidden, NotFound
from workflow.extensions import db
from workflow.models import Evaluation, Project, Task
from workflow.roles import Role

# The finance bureau sees what has been reported to it, nothing before.


def can_view(evaluation, user):
    roles = user.roles
    if roles & {Role.OFFICE, Role.LEADER, Role.REVIEWER}:
        return True
    if Role.SECTION_STAFF in roles and user.section_id == evaluation.project.section_id:
        return True
    if Role.SECTION_STAFF in roles and user.section_id is not None and _owns_rectification(evaluation, user.section_id):
        return True  # a section charged with a rectification reads the evaluation behind it
    if Role.FINANCE in roles and state_def(evaluation.state).with_finance:
        return True
    return False


def sees_reported_only(user):
    """The finance bureau's users (with no role inside the department) see only what has
    been reported to them, in lists as on the evaluation page."""
    return Role.FINANCE in user.roles and not (
        user.roles & {Role.OFFICE, Role.LEADER, Role.REVIEWER, Role.SECTION_STAFF})


def _owns_rectification(evaluation, section_id):
    from workflow.models import Rectification

    return db.session.scalar(
        select(Rectification.id).where(Rectification.evaluation_id == evaluation.id,
                                       Rectification.section_id == section_id).limit(1)
    ) is not None


@cache
def _evaluation_query():
    """The evaluation with its project, section and plan in the same query (every evaluation
    page reads them); built once per process with a bound parameter, not for each page."""
    return select(Evaluation).options(
        joinedload(Evaluation.project).joinedload(Project.section),
        joinedload(Evaluation.project).joinedload(Project.plan),
    ).where(Evaluation.id == bindparam("evaluation_id"))


@cache
def _page_query():
    """The evaluation as _evaluation_query() reads it, with its open workflow task beside it
    (as tasks.open_task() finds it; there is at most one): the evaluation page shows both, in
    one query instead of two."""
    open_task = and_(Task.evaluation_id == Evaluation.id, Task.completed_at.is_(None), Task.rectification_id.is_(None))
    return _evaluation_query().add_columns(Task).outerjoin(Task, open_task).limit(1)


def _visible(evaluation, user):
    if evaluation is None:
        raise NotFound(_("评价不存在。"))
    if not can_view(evaluation, user):
        raise Forbidden(_("您无权查看该评价。"))
    return evaluation


def get_visible(evaluation_id, user):
    return _visible(db.session.scalar(_evaluation_query(), {"evaluation_id": evaluation_id}), user)


def visible_with_open_task(evaluation_id, user):
    """(evaluation, its open workflow task or None): what the evaluation page shows; the same
    refusals as get_visible()."""
    row = db.session.execute(_page_query(), {"evaluation_id": evaluation_id}).first()
    return _visible(row[0] if row else None, user), (row[1] if row else None)


def awaiting(trigger_state, plan_id=None):
    query = (
        select(Evaluation).join(Project, Evaluation.project_id == Project.id)
        .options(joinedload(Evaluation.project).joinedload(Project.section), joinedload(Evaluation.submitted_by))
        .where(Evaluation.state == trigger_state)
        .order_by(Project.section_id, Project.name)
    )
    if plan_id is not None:
        query = query.where(Project.plan_id == plan_id)
    return db.session.scalars(query).all()


def visible_or_abort(evaluation_id, user, find=get_visible):
    """For routes: the evaluation (or what ``find`` gives), or the 404 / 403 page."""
    from flask import abort

    try:
        return find(evaluation_id, user)
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)


def approvable_by(user):
    """Reviewed evaluations ``user`` may approve now (the bulk approval list)."""
    from workflow.engine.definition import TRANSITION_BY_TRIGGER

    approve = TRANSITION_BY_TRIGGER["approve"]
    return [e for e in awaiting("reviewed") if actions.refusal(e, approve, user) is None]
