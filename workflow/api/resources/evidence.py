"""Evidence (佐证材料) through the API, with the rules of the evidence page
(evidence.services): whoever may see the evaluation lists and downloads its files (the finance
bureau only what was reported to it); who may edit it uploads and cites a meeting's 签到表;
editors and the uploader delete while it is editable."""
from flask import request
from flask_login import current_user

from workflow import files
from workflow.api import guards, present
from workflow.api.blueprints import ID, api_blueprint, binary, refusals
from workflow.api.schemas import CiteMeetingInput, EvidenceQuery, EvidenceSchema, FileInput
from workflow.evaluations.services import get_visible
from workflow.evidence import services
from workflow.permissions import logged_in
from workflow.selfeval.services import edit_refusal

bp = api_blueprint("evidence", "佐证材料")


def _may_upload(evaluation_id):
    guards.refuse_unless(edit_refusal(get_visible(evaluation_id, current_user), current_user))


def _present(attachment, evaluation):
    return present.evidence(attachment, services.can_delete(attachment, evaluation, current_user))


@bp.route(f"/evaluations/<{ID}:evaluation_id>/evidence")
@bp.response(200, EvidenceSchema(many=True))
@refusals(bp, 403, 404)
@logged_in
def list_evidence(evaluation_id):
    """The evaluation's evidence, oldest first (without the bytes)."""
    evaluation = get_visible(evaluation_id, current_user)
    return [_present(a, evaluation) for a in services.list_for(evaluation)]


@bp.route(f"/evaluations/<{ID}:evaluation_id>/evidence", methods=["POST"])
@guards.rule_before_body(_may_upload)
@bp.arguments(EvidenceQuery, location="query", as_kwargs=True)
@bp.arguments(FileInput, location="files")
@bp.response(201, EvidenceSchema)
@refusals(bp, 403, 404, 422)
@logged_in
def upload_evidence(data, evaluation_id, indicator_id=None):
    """Upload one file (multipart/form-data, the file in ``file``), accepted by its content
    within EVIDENCE_MAX_MB; only while the caller may edit the evaluation."""
    evaluation = get_visible(evaluation_id, current_user)
    attachment = services.upload(evaluation, current_user, data["file"], indicator_id=indicator_id,
                                 address=request.remote_addr)
    return _present(attachment, evaluation)


@bp.route(f"/evaluations/<{ID}:evaluation_id>/evidence/meeting", methods=["POST"])
@guards.rule_before_body(_may_upload)
@bp.arguments(CiteMeetingInput)
@bp.response(201, EvidenceSchema)
@refusals(bp, 403, 404, 422)
@logged_in
def cite_meeting(data, evaluation_id):
    """Cite a published meeting of the plan (e.g. for 培训人次): its 签到表 as it stands now is
    kept as evidence, named with the number signed in."""
    evaluation = get_visible(evaluation_id, current_user)
    attachment = services.cite_meeting(evaluation, current_user, data["meeting_id"],
                                       indicator_id=data.get("indicator_id"), address=request.remote_addr)
    return _present(attachment, evaluation)


@bp.route(f"/evaluations/<{ID}:evaluation_id>/evidence/<{ID}:attachment_id>")
@binary(bp, *(t.content_type for t in files.FILE_TYPES), description="the file as stored")
@refusals(bp, 403, 404)
@logged_in
def download_evidence(evaluation_id, attachment_id):
    """One evidence file, for whoever may see the evaluation."""
    evaluation = get_visible(evaluation_id, current_user)
    return services.download_response(services.for_download(evaluation, attachment_id, current_user))


@bp.route(f"/evaluations/<{ID}:evaluation_id>/evidence/<{ID}:attachment_id>", methods=["DELETE"])
@bp.response(204)
@refusals(bp, 403, 404)
@logged_in
def delete_evidence(evaluation_id, attachment_id):
    """Delete a file: editors any, the uploader their own, only while the evaluation is editable."""
    evaluation = get_visible(evaluation_id, current_user)
    services.delete(services.get_attachment(evaluation, attachment_id), current_user, address=request.remote_addr)
