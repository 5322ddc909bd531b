"""Review comments and the review queue."""
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from workflow.engine import rights
from workflow.engine.definition import state_def, states_where
from workflow.errors import ServiceError
from workflow.extensions import db
from workflow.models import Evaluation, Project, ReviewComment, Section, User
from workflow.pagination import PAGE_SIZE, Pages
from workflow.review import checks
from workflow.roles import Role
from workflow.selfeval import content, outline

def may_comment(evaluation, user):
    """Whoever may act on the evaluation's review now (rights.py's rule): a reviewer of the
    plan's working group while it waits for review, the 组长 while it waits for approval,
    their deputies; never on one's own submission."""
    state = state_def(evaluation.state)
    if not state.under_review or not rights.holds_role(user, state.actor):
        return False  # decided without asking the database
    return rights.acting_identity(evaluation, state.actor, user) is not None


def comment_targets(evaluation):
    """[(value, label)]: the whole evaluation, each report section, each indicator."""
    targets = [("general", _("总体意见"))]
    sections = content.report_outline(evaluation)
    names = outline.labels(sections)
    targets += [(f"section:{s.key}", names[s.key]) for s in sections]
    targets += [(f"indicator:{i.id}", i.name or i.level2 or i.level1) for i in evaluation.indicators]
    return targets


def add_comment(evaluation, user, target, text):
    """A reviewer's comment on ``target``; a refused value is named (ServiceError.fields:
    "text" or "target" → message)."""
    if not may_comment(evaluation, user):
        raise ServiceError(_("当前不能对该评价提出复核意见。"), code="refused")
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("请填写意见。"), fields={"text": _("请填写意见。")})
    if len(text) > 2000:
        raise ServiceError(_("意见不能超过 2000 个字。"), fields={"text": _("意见不能超过 2000 个字。")})
    if target not in dict(comment_targets(evaluation)):
        raise ServiceError(_("意见对象无效。"), fields={"target": _("意见对象无效。")})
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


# The queue's order: what waits for the reviewers first, then what waits for the leader.
QUEUE_ORDER = (Evaluation.state, Project.name, Evaluation.id)


def _under_review(query, plan_id=None):
    """``query`` limited to the evaluations under review (of plan ``plan_id``: a value or a
    bound parameter)."""
    query = query.where(Evaluation.state.in_(states_where("under_review")))
    return query if plan_id is None else query.where(Project.plan_id == plan_id)


def _queue_query(plan_id=None):
    """The ids of the evaluations under review, in the queue's order. Only ids: sorting and
    counting hundreds of rows needs no more than the state and the project's name."""
    return _under_review(select(Evaluation.id).join(Evaluation.project).order_by(*QUEUE_ORDER), plan_id)


@cache
def _rows_query():
    """Built once per process, without conditions: what the queue shows of an evaluation, as
    plain rows (id, state, findings_open, findings_total, project, section, submitted_by).
    Not ORM entities: the queue only shows them and changes none."""
    return (
        select(Evaluation.id, Evaluation.state, Evaluation.findings_open, Evaluation.findings_total,
               Project.name.label("project"), Section.name.label("section"), User.full_name.label("submitted_by"))
        .select_from(Evaluation).join(Evaluation.project).join(Project.section).outerjoin(Evaluation.submitted_by)
        .order_by(*QUEUE_ORDER)
    )


def _store_unknown(rows):
    """Compute, store and commit the counts of those of ``rows`` that have none yet (NULL: from
    before the counts were kept). True when it did: the caller reads the rows again, and the
    next view only reads."""
    if not checks.store_unknown_counts(rows):
        return False
    db.session.commit()
    return True


def _with_counts(rows):
    """[(row, open findings, all findings)]: the counts stored on the evaluations, not their
    content (checks.refresh_findings keeps the counts up to date)."""
    return [(row, row.findings_open, row.findings_total) for row in rows]


def queue(plan_id=None):
    """Evaluations under review (rows of _rows_query()) with the number of open findings of each."""
    query = _under_review(_rows_query(), plan_id)
    rows = db.session.execute(query).all()
    if _store_unknown(rows):
        rows = db.session.execute(query).all()
    return _with_counts(rows)


@cache
def _pages(of_one_plan):
    """Built once per process (for the whole queue, or for a plan given as ``plan_id``): one
    statement, the page's ids found on evaluations and projects only and only their rows read
    with section and submitter (pagination.keyed_rows)."""
    plan_id = bindparam("plan_id") if of_one_plan else None
    return Pages(_queue_query(plan_id), Evaluation.id, _rows_query(), whole_rows=True)


def queue_page(number=1, plan_id=None, size=PAGE_SIZE):
    """One page of the queue: its items are (row of _rows_query(), open findings, all findings)."""
    pages = _pages(plan_id is not None)
    params = {} if plan_id is None else {"plan_id": plan_id}
    page = pages.page(number, size, params)
    if _store_unknown(page.items):
        page = pages.page(number, size, params)
    page.items = _with_counts(page.items)
    return page
