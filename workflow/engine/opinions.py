"""Committee review (会签): each reviewer's opinion in the evaluation's current round, and how
many passes the plan's rule asks for. The flow (workflow/flow.py) records an opinion with
every pass or return of a reviewer and moves on when enough have passed."""
from sqlalchemy import func, select

from workflow.engine import rights
from workflow.extensions import db
from workflow.models import ReviewOpinion
from workflow.roles import Role

RULES = ("one", "quorum", "all")


def record(evaluation, act, verdict):
    db.session.add(ReviewOpinion(
        evaluation_id=evaluation.id, round=evaluation.review_round, reviewer_id=act.identity.id,
        acting_id=act.actor.id if act.acting_for else None, verdict=verdict, comment=act.comment))


def given(evaluation, user):
    """Whether ``user`` gave an opinion in the current round."""
    return db.session.scalar(select(ReviewOpinion.id).where(
        ReviewOpinion.evaluation_id == evaluation.id, ReviewOpinion.round == evaluation.review_round,
        ReviewOpinion.reviewer_id == user.id).limit(1)) is not None


def passes(evaluation):
    """The distinct reviewers who passed the current round."""
    return db.session.scalar(
        select(func.count(func.distinct(ReviewOpinion.reviewer_id)))
        .where(ReviewOpinion.evaluation_id == evaluation.id, ReviewOpinion.round == evaluation.review_round,
               ReviewOpinion.verdict == "pass")) or 0


def committee(evaluation):
    """The reviewers of a round: everyone who may take a reviewer's task of the evaluation
    (rights.py: the working group's reviewers, not the submitter)."""
    return [user.id for user in rights.people_for(evaluation, Role.REVIEWER)]


def needed(evaluation):
    """How many distinct passes end the round: one; the plan's quorum (at most the committee);
    or every member of the committee."""
    plan = evaluation.project.plan
    if plan.review_rule == "one":
        return 1
    members = len(committee(evaluation)) or 1
    return members if plan.review_rule == "all" else min(plan.review_quorum, members)


def of(evaluation):
    """Every opinion given on the evaluation, round by round."""
    return db.session.scalars(
        select(ReviewOpinion).where(ReviewOpinion.evaluation_id == evaluation.id)
        .order_by(ReviewOpinion.round, ReviewOpinion.at, ReviewOpinion.id)).all()
