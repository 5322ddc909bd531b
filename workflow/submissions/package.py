"""The submission package (报送材料): one ZIP with the summary PDF, the summary workbook, each
evaluation's report exactly as frozen at approval, and a SHA256SUMS.txt the bureau can check
the files against (``sha256sum -c``).

The ZIP is streamed, never built in memory: entries are stored (PDFs and XLSX are compressed
already), so zipstream-ng knows the archive's exact length before the first byte and the
response carries a Content-Length the browser's progress bar reads against. The frozen PDFs
are read from the database in batches of PDF_BATCH as the stream reaches them (one query per
batch, not one per evaluation, and never all of them at once), and each is checked against
its stored SHA-256 before it is sent. Nothing is rendered per evaluation: the reports are the
stored bytes; only the summary PDF and workbook are made per download.
"""
import hashlib
import logging
from dataclasses import dataclass

from flask import Response, stream_with_context
from sqlalchemy import func, select
from zipstream import ZIP_STORED

from workflow import files
from workflow.errors import ServiceError
from workflow.extensions import db
from workflow.models import Snapshot, SubmissionItem
from workflow.submissions import services
from workflow.zipdates import DatedZipStream, zip_time

LOGGER = logging.getLogger(__name__)

PDF_BATCH = 20   # frozen PDFs per query: ~20 × 100–300 KB in memory at a time
REPORT_FOLDER = "绩效评价报告"
SUMS_NAME = "SHA256SUMS.txt"


class FrozenPDFMismatch(RuntimeError):
    """A stored report no longer matches the SHA-256 recorded at approval."""


@dataclass(frozen=True)
class FrozenReport:
    evaluation_id: int
    snapshot_id: int
    name: str       # the entry's name inside the ZIP
    size: int
    sha256: str
    frozen_at: object   # the approval snapshot's time: the entry's date


def _frozen_rows(submission):
    """(evaluation_id, snapshot_id, size, sha256, created_at) per item, in the submission's
    order; the sizes come from the database (length of the stored bytes), the bytes stay there."""
    return db.session.execute(
        select(SubmissionItem.evaluation_id, Snapshot.id, func.length(Snapshot.pdf), Snapshot.pdf_sha256,
               Snapshot.created_at)
        .join(Snapshot, SubmissionItem.snapshot_id == Snapshot.id)
        .where(SubmissionItem.submission_id == submission.id)
        .order_by(SubmissionItem.id)
    ).all()


def freeze_missing_reports(submission):
    """Approvals made before reports were frozen have a snapshot without a PDF: render, sign
    and store those once (the evaluation's data is frozen since approval), so that every later
    package serves the same bytes. Returns how many were rendered; normally none."""
    from workflow.documents.reports import render_frozen_report

    missing = db.session.scalars(
        select(SubmissionItem).join(Snapshot, SubmissionItem.snapshot_id == Snapshot.id)
        .where(SubmissionItem.submission_id == submission.id, Snapshot.pdf_sha256.is_(None))
    ).all()
    try:
        for item in missing:
            pdf = render_frozen_report(item.evaluation, serialized=item.snapshot.data,
                                       issued_at=item.snapshot.created_at)
            item.snapshot.pdf, item.snapshot.pdf_sha256 = pdf, hashlib.sha256(pdf).hexdigest()
    except ServiceError:   # the key cannot sign: none of them is stored half done
        db.session.rollback()
        raise
    if missing:
        db.session.commit()
    return len(missing)


def report_entry_name(number, row):
    """绩效评价报告/001-科室-项目名称绩效评价报告.pdf (numbered: names stay unique and sorted)."""
    name = files.sanitise_filename(f"{number:03d}-{row.section}-{row.project}绩效评价报告", "pdf",
                                   fallback=f"{number:03d}-绩效评价报告")
    return f"{REPORT_FOLDER}/{name}"


def frozen_reports(submission, rows):
    """The FrozenReport of each row of ``rows`` (services.rows_of, same order)."""
    by_evaluation = {evaluation_id: (snapshot_id, size, sha, frozen_at)
                     for evaluation_id, snapshot_id, size, sha, frozen_at in _frozen_rows(submission)}
    reports = []
    for number, row in enumerate(rows, start=1):
        snapshot_id, size, sha, frozen_at = by_evaluation[row.evaluation_id]
        reports.append(FrozenReport(row.evaluation_id, snapshot_id, report_entry_name(number, row), size, sha,
                                    frozen_at))
    return reports


class _PDFSource:
    """Hands out the frozen PDFs in the order they were listed, fetching PDF_BATCH at a time
    and forgetting each once handed out."""

    def __init__(self, snapshot_ids, batch=None):
        self.order = list(snapshot_ids)
        self.position = {snapshot_id: index for index, snapshot_id in enumerate(self.order)}
        self.batch = batch or PDF_BATCH
        self.cache = {}
        self.queries = 0

    def take(self, snapshot_id):
        if snapshot_id not in self.cache:
            start = self.position[snapshot_id]
            ids = self.order[start:start + self.batch]
            self.cache = dict(db.session.execute(select(Snapshot.id, Snapshot.pdf).where(Snapshot.id.in_(ids))).all())
            self.queries += 1
        return self.cache.pop(snapshot_id)


def _checked(source, report):
    """The entry's bytes, only if they are what was approved."""
    data = source.take(report.snapshot_id)
    if hashlib.sha256(data).hexdigest() != report.sha256:
        LOGGER.error("frozen report of evaluation %s does not match its SHA-256", report.evaluation_id)
        raise FrozenPDFMismatch(f"evaluation {report.evaluation_id}")
    yield data


def checksums(entries):
    """sha256sum's format: one "<hex>  <name>" line per file."""
    return "".join(f"{sha}  {name}\n" for name, sha in entries)


@dataclass
class Package:
    stream: DatedZipStream
    filename: str
    reports: list
    source: _PDFSource

    def __len__(self):
        return len(self.stream)

    def __iter__(self):
        return iter(self.stream)


def build(submission):
    """The package of ``submission``: a sized ZipStream (iterate it to get the bytes) and the
    download's name. Only the summary PDF and workbook are made here; the reports' bytes
    are read while streaming."""
    from workflow.documents.submission_summary import render_summary, summary_filename
    from workflow.excel.submission import submission_workbook

    freeze_missing_reports(submission)
    rows = services.rows_of(submission)
    reports = frozen_reports(submission, rows)
    base = files.sanitise_filename(summary_filename(submission), "pdf").removesuffix(".pdf")
    summary_pdf = render_summary(submission, rows)
    summary_xlsx = submission_workbook(submission, rows, services.totals(rows))

    # The same submission is the same bytes on every download: every entry is dated by what
    # it holds (the summaries and the checksums by the submission, each report by its
    # approval), the workbook and the summary PDF carry the submission's time, and the
    # entries come in the submission's order.
    composed = zip_time(submission.created_at)
    stream = DatedZipStream(compress_type=ZIP_STORED, sized=True)
    stream.comment = submission.title
    listed = [(f"{base}.pdf", hashlib.sha256(summary_pdf).hexdigest()),
              (f"{base}.xlsx", hashlib.sha256(summary_xlsx).hexdigest())]
    listed += [(report.name, report.sha256) for report in reports]
    stream.add_dated(summary_pdf, f"{base}.pdf", composed)
    stream.add_dated(summary_xlsx, f"{base}.xlsx", composed)
    source = _PDFSource(report.snapshot_id for report in reports)
    for report in reports:
        stream.add_dated(_checked(source, report), report.name, zip_time(report.frozen_at), size=report.size)
    stream.add_dated(checksums(listed), SUMS_NAME, composed)
    filename = files.sanitise_filename(f"{submission.title}-报送材料", "zip", fallback="报送材料")
    return Package(stream, filename, reports, source)


def streamed_response(built):
    """The package as a download streamed from ``built`` while the request's context (and
    its database session) lives, with its exact length."""
    response = Response(stream_with_context(iter(built)), mimetype="application/zip")
    response.headers["Content-Length"] = str(len(built))
    response.headers["Content-Disposition"] = files.content_disposition(built.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
