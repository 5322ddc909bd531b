"""Submissions to the finance bureau (报送): the same roles as the submission pages; the
office composes one from approved evaluations, which reports each of them."""
from flask import request
from flask_login import current_user

from workflow.api import present
from workflow.api.blueprints import ID, api_blueprint, refusals
from workflow.api.schemas import (
    SubmissionDetailSchema,
    SubmissionDocumentInput,
    SubmissionInput,
    SubmissionOutcome,
    SubmissionQuery,
    SubmissionSchema,
)
from workflow.permissions import roles
from workflow.plans import services as plans
from workflow.roles import Role
from workflow.submissions import services

bp = api_blueprint("submissions", "报送财政局")
submission_readers = roles(Role.OFFICE, Role.LEADER, Role.FINANCE)


def _detail(submission):
    rows = services.rows_of(submission)
    return present.submission_detail(submission, rows, services.totals(rows))


@bp.route("/submissions")
@bp.arguments(SubmissionQuery, location="query", as_kwargs=True)
@bp.response(200, SubmissionSchema(many=True))
@submission_readers
def list_submissions(plan=None):
    """Submissions, newest first; of one plan with ``plan``."""
    return [present.submission(s) for s in services.list_submissions(plans.get_plan(plan) if plan else None)]


@bp.route(f"/submissions/<{ID}:submission_id>")
@refusals(bp, 403, 404)
@bp.response(200, SubmissionDetailSchema)
@submission_readers
def get_submission(submission_id):
    """One submission with its summary table, built from the frozen snapshots."""
    return _detail(services.get_submission(submission_id))


@bp.route("/submissions", methods=["POST"])
@refusals(bp, 403, 404, 409, 422)
@bp.arguments(SubmissionInput)
@bp.response(201, SubmissionOutcome)
@roles(Role.OFFICE)
def create_submission(data):
    """The office reports approved evaluations of a plan (each becomes 已报送)."""
    plan = plans.get_plan(data["plan_id"])
    submission, refused = services.compose(plan, data["evaluation_ids"], data["title"], data["note"],
                                           current_user, request.remote_addr)
    return {"submission": _detail(submission),
            "refused": [{"evaluation_id": i, "reason": reason} for i, reason in refused]}


@bp.route(f"/submissions/<{ID}:submission_id>/document", methods=["PUT"])
@refusals(bp, 403, 404, 409, 422)
@bp.arguments(SubmissionDocumentInput)
@bp.response(200, SubmissionSchema)
@roles(Role.OFFICE)
def put_document(data, submission_id):
    """The office sets the covering report's 发文字号 and 签发人 (a report to 市财政局 shows both
    above its title). Refused with 409 once the finance bureau has downloaded the submission,
    or when another submission has the number."""
    submission = services.set_document(services.get_submission(submission_id), data["document_number"],
                                       data["signer"], current_user)
    return present.submission(submission)
