"""Rules of evidence (佐证材料): who may upload, delete and download, which files are
accepted, and how they are named and served.

A file is accepted by what it is, never by what it is called or what the browser says it
is: its first bytes (and, for Office documents, the ZIP or OLE2 directory, read without
extracting anything) decide its type, and the stored name and content type follow from
that type. A Word or Excel file is then opened within size and ratio limits before it is
kept (workflow/office_files.py). The bytes go into the database, so every app process sees
the same files."""
import hashlib

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from workflow import files, office_files
from workflow.engine import audit
from workflow.engine.definition import state_def
from workflow.errors import Forbidden, NotFound, ServiceError
from workflow.evaluations.services import can_view
from workflow.extensions import db
from workflow.models import Attachment, Evaluation, Indicator
from workflow.files import ACCEPT, ACCEPTED_LABEL, DOCX, FILE_TYPES, detect_type  # noqa: F401 (used by routes, tests)
from workflow.selfeval.services import edit_refusal

FALLBACK_NAME = "佐证材料"


def sanitise_filename(name, extension):
    return files.sanitise_filename(name, extension, FALLBACK_NAME)


def display_name(name):
    return files.display_name(name, FALLBACK_NAME)


# Rules ----------------------------------------------------------------------------------


def max_bytes():
    return current_app.config["EVIDENCE_MAX_MB"] * 1024 * 1024


def max_megabytes():
    return files.upload_limit_mb("EVIDENCE_MAX_MB")


def can_upload(evaluation, user):
    return edit_refusal(evaluation, user) is None


def can_delete(attachment, evaluation, user):
    """Editors may remove any evidence, the uploader their own, only while the evaluation is
    editable (and only while the uploader may still see it)."""
    if attachment.evaluation_id != evaluation.id or not state_def(evaluation.state).section_edits:
        return False
    if edit_refusal(evaluation, user) is None:
        return True
    return attachment.uploaded_by_id == user.id and can_view(evaluation, user)


def _indicator(evaluation, indicator_id):
    if indicator_id in (None, ""):
        return None
    try:
        number = int(str(indicator_id).strip())
    except ValueError:
        raise ServiceError(_("所选绩效指标无效。")) from None
    indicator = db.session.get(Indicator, number)
    if indicator is None or indicator.evaluation_id != evaluation.id:
        raise ServiceError(_("所选绩效指标不属于该评价。"))
    return indicator


def _read(file_storage):
    """The upload's bytes, reading at most one byte beyond the limit."""
    limit = max_bytes()
    data = file_storage.stream.read(limit + 1)
    if len(data) > limit:
        raise ServiceError(_("文件“%(name)s”超过 %(mb)d MB，请压缩或拆分后再上传。",
                             name=display_name(file_storage.filename),
                             mb=current_app.config["EVIDENCE_MAX_MB"]))
    if not data:
        raise ServiceError(_("上传的文件是空的。"))
    return data


def _lock_and_recheck(evaluation, user):
    """Close the race with a concurrent submission: the evaluation's row is locked (on
    SQLite the pending insert already holds the write lock) and its state read afresh."""
    fresh = db.session.execute(
        select(Evaluation).where(Evaluation.id == evaluation.id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    return edit_refusal(fresh, user)


def upload(evaluation, user, file_storage, indicator_id=None, address=""):
    """Store one evidence file; raise ServiceError (nothing stored) when it is refused."""
    reason = edit_refusal(evaluation, user)
    if reason:
        raise ServiceError(reason, code="refused")
    if file_storage is None or not (file_storage.filename or "").strip():
        raise ServiceError(_("请选择要上传的文件。"))
    indicator = _indicator(evaluation, indicator_id)
    data = _read(file_storage)
    file_type = detect_type(data)
    if file_type is None:
        raise ServiceError(_("文件“%(name)s”的内容不是可接受的格式。只接受 %(types)s。",
                             name=display_name(file_storage.filename),
                             types=ACCEPTED_LABEL))
    office_files.check(data, file_type)  # a Word or Excel file must open within the limits
    return _store(evaluation, user, indicator, data, file_type,
                  sanitise_filename(file_storage.filename, file_type.extension), address)


def _store(evaluation, user, indicator, data, file_type, filename, address):
    attachment = Attachment(
        evaluation_id=evaluation.id,
        indicator_id=indicator.id if indicator is not None else None,
        filename=filename,
        content_type=file_type.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        uploaded_by_id=user.id,
    )
    db.session.add(attachment)
    db.session.flush()
    reason = _lock_and_recheck(evaluation, user)
    if reason:
        db.session.rollback()
        raise ServiceError(reason, code="refused")
    if evaluation.submitted_at is not None:
        # After a first submission every change is on the record (as for the form).
        audit.record(evaluation, user, "evidence_upload", evaluation.state, evaluation.state, address=address,
                     details={"attachment": attachment.id, "filename": attachment.filename,
                              "sha256": attachment.sha256, "size": attachment.size})
    db.session.commit()
    return attachment


def citable_meetings(evaluation):
    """The published meetings of the evaluation's plan, whose sign-in record may be cited."""
    from workflow.models import Meeting

    return db.session.scalars(
        select(Meeting).where(Meeting.plan_id == evaluation.project.plan_id, Meeting.published_at.is_not(None))
        .order_by(Meeting.starts_at)
    ).all()


def cite_meeting(evaluation, user, meeting_id, indicator_id=None, address=""):
    """A meeting's attendance as evidence (e.g. of 培训人次): its 签到表 as it stands now is
    stored with the evaluation like an uploaded file, named with the number signed in."""
    from workflow.files import XLSX
    from workflow.meetings import export
    from workflow.meetings.services import attendance_summary

    reason = edit_refusal(evaluation, user)
    if reason:
        raise ServiceError(reason, code="refused")
    meeting = next((m for m in citable_meetings(evaluation) if str(m.id) == str(meeting_id or "")), None)
    if meeting is None:
        raise ServiceError(_("只能引用本方案已发布的会议。"))
    indicator = _indicator(evaluation, indicator_id)
    signed = attendance_summary(meeting).training_person_times
    filename = files.sanitise_filename(
        _("%(title)s签到表（签到%(n)d人次）", title=meeting.title, n=signed), XLSX.extension, FALLBACK_NAME)
    return _store(evaluation, user, indicator, export.signin_sheet_xlsx(meeting), XLSX, filename, address)


def list_for(evaluation):
    """The evaluation's evidence, oldest first, without the bytes."""
    return db.session.scalars(
        select(Attachment).options(joinedload(Attachment.uploaded_by))
        .where(Attachment.evaluation_id == evaluation.id)
        .order_by(Attachment.uploaded_at, Attachment.id)
    ).all()


def indicator_choices(evaluation):
    """(id, label) of the evaluation's indicators for the upload form."""
    choices = []
    for ind in evaluation.indicators:
        parts = [p for p in (ind.level1, ind.level2, ind.name) if p]
        choices.append((ind.id, " · ".join(dict.fromkeys(parts))))
    return choices


def get_attachment(evaluation, attachment_id):
    """The attachment ``attachment_id`` of ``evaluation``; NotFound when it belongs elsewhere."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.evaluation_id != evaluation.id:
        raise NotFound(_("佐证材料不存在。"))
    return attachment


def for_download(evaluation, attachment_id, user):
    if not can_view(evaluation, user):
        raise Forbidden(_("您无权查看该评价。"))
    return get_attachment(evaluation, attachment_id)


def delete(attachment, user, address=""):
    evaluation = db.session.get(Evaluation, attachment.evaluation_id)
    if not can_delete(attachment, evaluation, user):
        if not state_def(evaluation.state).section_edits:
            raise ServiceError(edit_refusal(evaluation, user) or _("当前状态下不能删除佐证材料。"), code="refused")
        raise ServiceError(_("只有上传人或项目责任科室的经办人可以删除佐证材料。"), code="refused")
    details = {"attachment": attachment.id, "filename": attachment.filename, "sha256": attachment.sha256}
    db.session.delete(attachment)
    db.session.flush()
    fresh = db.session.execute(
        select(Evaluation).where(Evaluation.id == evaluation.id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    if not state_def(fresh.state).section_edits:
        db.session.rollback()
        raise ServiceError(edit_refusal(fresh, user) or _("当前状态下不能删除佐证材料。"), code="refused")
    if fresh.submitted_at is not None:
        audit.record(fresh, user, "evidence_delete", fresh.state, fresh.state, address=address, details=details)
    db.session.commit()


def download_response(attachment):
    return files.download_response(attachment.filename, attachment.content_type, attachment.data)
