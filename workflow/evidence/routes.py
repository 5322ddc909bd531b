from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workflow.errors import Forbidden, NotFound, ServiceError
from workflow.evaluations.services import visible_or_abort
from workflow.evidence import bp, services
from workflow.permissions import logged_in
from workflow.refusals import refused


def _back(evaluation):
    return redirect(url_for("evidence.index", evaluation_id=evaluation.id), code=303)


@bp.route("/<int:evaluation_id>/evidence", methods=["POST"])
@logged_in
def upload(evaluation_id):
    evaluation = visible_or_abort(evaluation_id, current_user)
    try:
        attachment = services.upload(evaluation, current_user, request.files.get("file"),
                                     indicator_id=request.form.get("indicator_id"),
                                     address=request.remote_addr)
    except ServiceError as error:
        return refused(error, "evidence.index", evaluation_id=evaluation.id)
    flash(_("已上传“%(name)s”。", name=attachment.filename), "success")
    return _back(evaluation)


@bp.route("/<int:evaluation_id>/evidence")
@logged_in
def index(evaluation_id):
    evaluation = visible_or_abort(evaluation_id, current_user)
    attachments = services.list_for(evaluation)
    return render_template(
        "evidence/list.html",
        evaluation=evaluation,
        project=evaluation.project,
        attachments=attachments,
        deletable={a.id for a in attachments if services.can_delete(a, evaluation, current_user)},
        indicators=services.indicator_choices(evaluation),
        indicator_labels=dict(services.indicator_choices(evaluation)),
        meetings=services.citable_meetings(evaluation),
        can_upload=services.can_upload(evaluation, current_user),
        max_mb=services.max_megabytes(),
        accepted=services.ACCEPTED_LABEL,
        accept_extensions=services.ACCEPT,
    )


@bp.route("/<int:evaluation_id>/evidence/meeting", methods=["POST"])
@logged_in
def cite_meeting(evaluation_id):
    evaluation = visible_or_abort(evaluation_id, current_user)
    try:
        attachment = services.cite_meeting(evaluation, current_user, request.form.get("meeting_id"),
                                           indicator_id=request.form.get("indicator_id"), address=request.remote_addr)
    except ServiceError as error:
        return refused(error, "evidence.index", evaluation_id=evaluation.id)
    flash(_("已引用“%(name)s”。", name=attachment.filename), "success")
    return _back(evaluation)


@bp.route("/<int:evaluation_id>/evidence/<int:attachment_id>")
@logged_in
def download(evaluation_id, attachment_id):
    evaluation = visible_or_abort(evaluation_id, current_user)
    try:
        attachment = services.for_download(evaluation, attachment_id, current_user)
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)
    return services.download_response(attachment)


@bp.route("/<int:evaluation_id>/evidence/<int:attachment_id>/delete", methods=["POST"])
@logged_in
def delete(evaluation_id, attachment_id):
    evaluation = visible_or_abort(evaluation_id, current_user)
    try:
        attachment = services.get_attachment(evaluation, attachment_id)
    except NotFound:
        abort(404)
    name = attachment.filename
    try:
        services.delete(attachment, current_user, address=request.remote_addr)
    except ServiceError as error:
        return refused(error, "evidence.index", evaluation_id=evaluation.id)
    flash(_("已删除“%(name)s”。", name=name), "success")
    return _back(evaluation)
