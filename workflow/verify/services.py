"""验真: is an uploaded PDF a report this system froze at approval, and is it untouched?

The rule, in order:
(a) its SHA-256 is a frozen report's (an approval snapshot's pdf_sha256) → 本系统出具的文件:
    which evaluation, approved when and by whom, and the state of its signature;
(b) else it carries a signature by this system's certificate (a frozen report with bytes
    changed, or with something appended) → 已被修改;
(c) else → 不是本系统出具的文件.
Nothing about the upload is stored or logged: the bytes are read, hashed, checked, forgotten.
"""
import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from workflow import files
from workflow.documents import signing
from workflow.errors import ServiceError
from workflow.evaluations.services import can_view
from workflow.extensions import db
from workflow.models import Evaluation, Project, Snapshot, User

LOGGER = logging.getLogger(__name__)

ISSUED = "issued"          # 本系统出具的文件
MODIFIED = "modified"      # 已被修改
UNKNOWN = "unknown"        # 不是本系统出具的文件


@dataclass(frozen=True)
class FrozenReport:
    """The evaluation a recognised PDF was frozen for, as it was at approval."""

    evaluation_id: int
    project_name: str
    section_name: str
    plan_title: str
    approved_at: datetime
    approved_by: str
    superseded: bool          # a later approval froze another report for the evaluation
    may_open: bool            # the user may see the evaluation (the page links to it then)


@dataclass(frozen=True)
class Outcome:
    verdict: str
    sha256: str
    size: int
    signature: signing.Verification = field(default_factory=signing.Verification)
    report: FrozenReport | None = None


def max_megabytes():
    return files.upload_limit_mb("VERIFY_MAX_MB")


def read_pdf(file_storage):
    """The upload's bytes if it is a PDF within the limit (read at most one byte beyond);
    else ServiceError with the reason."""
    if file_storage is None or not (file_storage.filename or "").strip():
        raise ServiceError(_("请选择要验真的 PDF 文件。"))
    limit = max_megabytes() * 1024 * 1024
    data = file_storage.stream.read(limit + 1)
    if len(data) > limit:
        raise ServiceError(_("文件超过 %(mb)d MB，不是本系统出具的报告。", mb=max_megabytes()))
    if not data:
        raise ServiceError(_("上传的文件是空的。"))
    if files.detect_type(data) is not files.PDF:
        raise ServiceError(_("文件“%(name)s”不是 PDF 文件。验真只接受 PDF。",
                             name=files.display_name(file_storage.filename, "文件")))
    return data


def _frozen_report(sha256, user):
    """The FrozenReport of the approval snapshot whose report has this SHA-256, or None
    (one query for the snapshot and its approver, the evaluation with its project and plan
    loaded by id)."""
    row = db.session.execute(
        select(Snapshot.id, Snapshot.evaluation_id, Snapshot.data, Snapshot.created_at, User.full_name)
        .outerjoin(User, User.id == Snapshot.created_by_id)
        .where(Snapshot.kind == "approval", Snapshot.pdf_sha256 == sha256)
        .order_by(Snapshot.id.desc()).limit(1)
    ).first()
    if row is None:
        return None
    evaluation = db.session.scalar(
        select(Evaluation).options(joinedload(Evaluation.project).joinedload(Project.plan))
        .where(Evaluation.id == row.evaluation_id)
    )
    frozen_project = (row.data or {}).get("project") or {}
    later = db.session.scalar(
        select(Snapshot.id).where(Snapshot.evaluation_id == evaluation.id, Snapshot.kind == "approval",
                                  Snapshot.id > row.id).limit(1)
    )
    return FrozenReport(
        evaluation_id=evaluation.id,
        project_name=frozen_project.get("name") or evaluation.project.name,
        section_name=frozen_project.get("section") or "",
        plan_title=evaluation.project.plan.title,
        approved_at=row.created_at,
        approved_by=row.full_name or "",
        superseded=later is not None,
        may_open=can_view(evaluation, user),
    )


def check(data, user):
    """The Outcome of the PDF ``data`` for ``user`` (who only decides whether the evaluation
    is linked)."""
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        signature = signing.verify(data)
    except signing.SigningKeyError:
        # Without the key nobody can say whose signature it is; the SHA-256 still answers.
        LOGGER.exception("验真 without the signing key")
        signature = signing.Verification(readable=False)
    report = _frozen_report(sha256, user)
    if report is not None:
        verdict = ISSUED
    elif signature.ours:
        verdict = MODIFIED
    else:
        verdict = UNKNOWN
    return Outcome(verdict, sha256, len(data), signature, report)
