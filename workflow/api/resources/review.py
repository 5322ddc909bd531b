"""The review (复核) through the API, with the rules of the review page: the consistency
findings of an evaluation and of a plan (review.checks), their explanation, and the review
comments (review.services): readers as the pages, writers only who may act on the review now."""
from flask_babel import gettext as _
from flask_login import current_user

from workflow.api import guards, present
from workflow.api.blueprints import ID, api_blueprint, refusals
from workflow.api.schemas import (
    CommentInput,
    CommentSchema,
    CommentTargetSchema,
    ExplanationInput,
    FindingSchema,
    PlanFindingsSchema,
)
from workflow.evaluations.services import get_visible
from workflow.permissions import logged_in, roles
from workflow.plans import services as plans
from workflow.review import checks, services
from workflow.roles import Role

bp = api_blueprint("review", "复核：一致性核查结果、说明与复核意见")
# The roles of the review pages (review.queue, review.review).
reviewers = roles(Role.REVIEWER, Role.LEADER, Role.OFFICE)
# A code names a check and its object (text_amount:206.4, quantity:17): short, no slash.
CODE = "string(maxlength=64)"


def _findings(evaluation):
    return [present.finding(f) for f in checks.evaluation_findings(evaluation)]


def _may_review(evaluation_id, **_path):
    """The review's writers (who may comment or explain now), before the body's 422."""
    evaluation = get_visible(evaluation_id, current_user)
    if not services.may_comment(evaluation, current_user):
        guards.refuse_unless(_("当前不能对该评价提出复核意见。"))


@bp.route(f"/evaluations/<{ID}:evaluation_id>/findings")
@bp.response(200, FindingSchema(many=True))
@refusals(bp, 403, 404)
@reviewers
def list_findings(evaluation_id):
    """The evaluation's consistency findings (项目资金的准确性, 项目数量的完整性), computed now,
    each with its explanation if a reviewer gave one. A finding informs; it never blocks."""
    return _findings(get_visible(evaluation_id, current_user))


@bp.route(f"/evaluations/<{ID}:evaluation_id>/findings/<{CODE}:code>/explanation", methods=["POST"])
@guards.rule_before_body(_may_review)
@bp.arguments(ExplanationInput)
@bp.response(200, FindingSchema(many=True))
@refusals(bp, 403, 404, 409, 422)
@reviewers
def explain_finding(data, evaluation_id, code):
    """Explain a finding (it stays listed, marked explained, and no longer counts as open).
    Only who may act on the review now; 409 when the finding no longer exists."""
    evaluation = get_visible(evaluation_id, current_user)
    checks.explain(evaluation, code, data["note"], current_user)
    return _findings(get_visible(evaluation_id, current_user))


@bp.route(f"/plans/<{ID}:plan_id>/findings")
@bp.response(200, PlanFindingsSchema)
@refusals(bp, 404)
@reviewers
def plan_findings(plan_id):
    """项目数量的完整性 of the whole plan: the projects whose self-evaluation is not submitted."""
    plan = plans.get_plan(plan_id)
    found, count = checks.plan_findings_and_count(plan)
    return {"plan_id": plan.id, "unsubmitted": count, "findings": [present.finding(f) for f in found]}


@bp.route(f"/evaluations/<{ID}:evaluation_id>/comment-targets")
@bp.response(200, CommentTargetSchema(many=True))
@refusals(bp, 403, 404)
@reviewers
def list_comment_targets(evaluation_id):
    """What a comment may be about: ``general``, each report section, each indicator."""
    evaluation = get_visible(evaluation_id, current_user)
    return [{"target": value, "label": str(label)} for value, label in services.comment_targets(evaluation)]


@bp.route(f"/evaluations/<{ID}:evaluation_id>/comments")
@bp.response(200, CommentSchema(many=True))
@refusals(bp, 403, 404)
@logged_in
def list_comments(evaluation_id):
    """The review comments, oldest first: for the working group, the office and the project's
    own section; not for the finance bureau (they are internal)."""
    evaluation = get_visible(evaluation_id, current_user)
    if not services.may_read_comments(evaluation, current_user):
        guards.refuse_unless(_("复核意见仅供评价工作组、评价办公室和项目责任科室查看。"))
    return [present.comment(row, label) for row, label in services.comments(evaluation)]


@bp.route(f"/evaluations/<{ID}:evaluation_id>/comments", methods=["POST"])
@guards.rule_before_body(_may_review)
@bp.arguments(CommentInput)
@bp.response(201, CommentSchema)
@refusals(bp, 403, 404, 422)
@reviewers
def add_comment(data, evaluation_id):
    """A review comment on the evaluation, a report section or an indicator (``target``, one
    of …/comment-targets); only who may act on the review now."""
    evaluation = get_visible(evaluation_id, current_user)
    comment = services.add_comment(evaluation, current_user, data["target"], data["text"])
    labels = dict(services.comment_targets(evaluation))
    return present.comment(comment, labels.get(comment.target, comment.target))
