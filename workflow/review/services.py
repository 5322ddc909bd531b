"""Review comments and the review queue."""
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager, joinedload, load_only

from workflow.engine.definition import states_where
from workflow.errors import ServiceError
from workflow.extensions import db
from workflow.models import Evaluation, Project, ReviewComment, Section, User
from workflow.pagination import PAGE_SIZE, paginate
from workflow.review import checks
from workflow.roles import Role

REVIEW_STATES = states_where("under_review")


def may_comment(evaluation, user):
    """Reviewers while it is under review; the leader while it waits for approval; never on
    one's own submission. When the plan has a working group, only its members (review and
    approval belong to the group, as in the engine's rules)."""
    if evaluation.submitted_by_id == user.id:
        return False
    if evaluation.state == "submitted":
        allowed = Role.REVIEWER in user.roles
    elif evaluation.state == "reviewed":
        allowed = bool(user.roles & {Role.REVIEWER, Role.LEADER})
    else:
        allowed = False
    if not allowed:  # decided without reading the group
        return False
    members = {m.user_id for m in evaluation.project.plan.members}
    return not members or user.id in members


def comment_targets(evaluation):
    """[(value, label)]: the whole evaluation, each report section, each indicator."""
    targets = [("general", _("总体意见"))]
    targets += [(f"section:{s.key}", s.title) for s in evaluation.project.plan.report_sections]
    targets += [(f"indicator:{i.id}", i.name or i.level2 or i.level1) for i in evaluation.indicators]
    return targets


def add_comment(evaluation, user, target, text):
    if not may_comment(evaluation, user):
        raise ServiceError(_("当前不能对该评价提出复核意见。"))
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("请填写意见。"))
    if len(text) > 2000:
        raise ServiceError(_("意见不能超过 2000 个字。"))
    if target not in dict(comment_targets(evaluation)):
        raise ServiceError(_("意见对象无效。"))
    comment = ReviewComment(evaluation_id=evaluation.id, target=target, text=text, author_id=user.id)
    db.session.add(comment)
    db.session.commit()
    return comment


@cache
def _comments_query():
    """Built once per process with a bound parameter (a SELECT holds no data). Of the author
    the pages show the name only: the rest of the user's row is not read."""
    return (
        select(ReviewComment)
        .options(joinedload(ReviewComment.author).load_only(User.full_name).lazyload(User.role_rows))
        .where(ReviewComment.evaluation_id == bindparam("evaluation_id"))
        .order_by(ReviewComment.created_at, ReviewComment.id)
    )


def comments(evaluation):
    rows = db.session.scalars(_comments_query(), {"evaluation_id": evaluation.id}).all()
    if not rows:
        return []  # no labels to look up
    labels = dict(comment_targets(evaluation))
    return [(row, labels.get(row.target, row.target)) for row in rows]


def may_read_comments(evaluation, user):
    """The working group and the office, and the project's own section (who must act on
    them); not the finance bureau: review comments are internal."""
    if user.roles & {Role.OFFICE, Role.LEADER, Role.REVIEWER}:
        return True
    return Role.SECTION_STAFF in user.roles and user.section_id == evaluation.project.section_id


def comments_for(evaluation, user):
    """The comments ``user`` may read (what the evaluation page shows)."""
    return comments(evaluation) if may_read_comments(evaluation, user) else []


def _queue_query(plan_id=None):
    """The ids of the evaluations under review, in the queue's order. Only ids: sorting and
    counting hundreds of rows needs no more than the state and the project's name."""
    query = (
        select(Evaluation.id).join(Evaluation.project)
        .where(Evaluation.state.in_(REVIEW_STATES)).order_by(Evaluation.state, Project.name, Evaluation.id)
    )
    if plan_id is not None:
        query = query.where(Project.plan_id == plan_id)
    return query


@cache
def _rows_query():
    """Built once per process, the ids an expanding bound parameter. Only the columns the queue
    shows (and the version the ORM keeps): not the evaluations' and projects' long texts nor
    the submitters' whole rows."""
    return (
        select(Evaluation).join(Evaluation.project)
        .options(load_only(Evaluation.state, Evaluation.version, Evaluation.project_id, Evaluation.submitted_by_id,
                           Evaluation.findings_open, Evaluation.findings_total),
                 contains_eager(Evaluation.project).load_only(Project.name, Project.section_id)
                 .joinedload(Project.section).load_only(Section.name),
                 joinedload(Evaluation.submitted_by).load_only(User.full_name).lazyload(User.role_rows))
        .where(Evaluation.id.in_(bindparam("ids", expanding=True)))
    )


def _rows(ids):
    """The evaluations ``ids`` in that order, with what the queue shows, in one query. Not their
    content: the counts of findings are stored on them (checks.refresh_findings)."""
    if not ids:
        return []
    found = db.session.scalars(_rows_query(), {"ids": list(ids)}).all()
    by_id = {evaluation.id: evaluation for evaluation in found}
    return [by_id[i] for i in ids if i in by_id]


def _with_findings(ids):
    """[(evaluation, open findings, all findings)] of the evaluations ``ids``, from the counts
    stored on them. Those not known yet (NULL) are computed, stored and committed first, and
    the rows read again: the next view only reads."""
    evaluations = _rows(ids)
    if checks.store_unknown_counts(evaluations):
        db.session.commit()
        evaluations = _rows(ids)
    return [(e, e.findings_open, e.findings_total) for e in evaluations]


def queue(plan_id=None):
    """Evaluations under review with the number of open findings of each."""
    return _with_findings(db.session.scalars(_queue_query(plan_id)).all())


def queue_page(number=1, plan_id=None, size=PAGE_SIZE):
    """One page of the queue: its items are (evaluation, open findings, all findings)."""
    page = paginate(_queue_query(plan_id), number, size)
    page.items = _with_findings(page.items)
    return page
