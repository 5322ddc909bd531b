"""Who may see an evaluation, and the lists built on that rule."""
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from workflow.engine import actions
from workflow.engine.definition import states_where
from workflow.errors import Forbidden, NotFound
from workflow.extensions import db
from workflow.models import Evaluation, Project
from workflow.roles import Role

# The finance bureau sees what has been reported to it, nothing before.
FINANCE_STATES = states_where("with_finance")


def can_view(evaluation, user):
    roles = user.roles
    if roles & {Role.OFFICE, Role.LEADER, Role.REVIEWER}:
        return True
    if Role.SECTION_STAFF in roles and user.section_id == evaluation.project.section_id:
        return True
    if Role.SECTION_STAFF in roles and user.section_id is not None and _owns_rectification(evaluation, user.section_id):
        return True  # a section charged with a rectification reads the evaluation behind it
    if Role.FINANCE in roles and evaluation.state in FINANCE_STATES:
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


def get_visible(evaluation_id, user):
    evaluation = db.session.scalar(_evaluation_query(), {"evaluation_id": evaluation_id})
    if evaluation is None:
        raise NotFound(_("评价不存在。"))
    if not can_view(evaluation, user):
        raise Forbidden(_("您无权查看该评价。"))
    return evaluation


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


def visible_or_abort(evaluation_id, user):
    """For routes: the evaluation, or the 404 / 403 page."""
    from flask import abort

    from workflow.errors import NotFound

    try:
        return get_visible(evaluation_id, user)
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)


def approvable_by(user):
    """Reviewed evaluations ``user`` may approve now (the bulk approval list)."""
    from workflow.engine.definition import TRANSITION_BY_TRIGGER

    approve = TRANSITION_BY_TRIGGER["approve"]
    return [e for e in awaiting("reviewed") if actions.refusal(e, approve, user) is None]
