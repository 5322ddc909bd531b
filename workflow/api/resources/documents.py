"""Every document as a download, for the same readers as the pages' download links and made by
the same functions: the report of an evaluation (the frozen copy once approved, a draft
before), the plan's 工作方案, a meeting's notice and 签到表, a submission's covering report
and its package (报送材料). The finance bureau's first download of a submission's summary PDF
or package is recorded as on the pages (from then on its 发文字号 is fixed)."""
from flask_babel import gettext as _
from flask_login import current_user

from workflow import files
from workflow.api.blueprints import ID, api_blueprint, binary, refusals
from workflow.evaluations.services import get_visible
from workflow.meetings import export
from workflow.meetings import services as meetings
from workflow.permissions import logged_in, roles
from workflow.plans import services as plans
from workflow.roles import Role
from workflow.submissions import services as submissions

bp = api_blueprint("documents", "文书下载（PDF、Word、Excel、ZIP）")

PDF = "application/pdf"
DOCX = files.DOCX.content_type
XLSX = files.XLSX.content_type
ZIP = "application/zip"
# The readers of the pages' links (plans.workplan_pdf, submissions.summary_pdf, meetings.signin_sheet).
plan_readers = roles(Role.OFFICE, Role.LEADER, Role.REVIEWER, Role.SECTION_STAFF, Role.FINANCE)
submission_readers = roles(Role.OFFICE, Role.LEADER, Role.FINANCE)
office_only = roles(Role.OFFICE)


def _report_name(evaluation, frozen):
    from workflow.documents.reports import download_name
    return download_name(evaluation, frozen)


@bp.route(f"/evaluations/<{ID}:evaluation_id>/report.pdf")
@binary(bp, PDF, description="the report: the signed PDF frozen at approval, a draft before")
@refusals(bp, 403, 404)
@logged_in
def report_pdf(evaluation_id):
    """The self-evaluation report as PDF, for whoever may see the evaluation."""
    from workflow.documents.reports import report_for_download

    evaluation = get_visible(evaluation_id, current_user)
    data, frozen = report_for_download(evaluation)
    return files.pdf_download(_report_name(evaluation, frozen), data)


@bp.route(f"/evaluations/<{ID}:evaluation_id>/report.docx")
@binary(bp, DOCX, description="the report as an editable Word file")
@refusals(bp, 403, 404)
@logged_in
def report_docx(evaluation_id):
    """The report as Word: from the approval snapshot once approved, a draft before."""
    from workflow.documents.word.report import report_docx_for_download

    evaluation = get_visible(evaluation_id, current_user)
    data, frozen = report_docx_for_download(evaluation)
    return files.docx_download(_report_name(evaluation, frozen), data)


@bp.route(f"/plans/<{ID}:plan_id>/workplan.pdf")
@binary(bp, PDF, description="the plan's 工作方案")
@refusals(bp, 404)
@plan_readers
def workplan_pdf(plan_id):
    """The plan's 工作方案 as an official-style PDF, from the plan as it stands."""
    from workflow.documents.workplan import render_workplan, workplan_filename

    plan = plans.get_plan(plan_id)
    return files.pdf_download(workplan_filename(plan), render_workplan(plan))


@bp.route(f"/plans/<{ID}:plan_id>/workplan.docx")
@binary(bp, DOCX, description="the plan's 工作方案 as Word")
@refusals(bp, 404)
@plan_readers
def workplan_docx(plan_id):
    """The plan's 工作方案 as an editable Word file."""
    from workflow.documents.word.workplan import render_workplan_docx
    from workflow.documents.workplan import workplan_filename

    plan = plans.get_plan(plan_id)
    return files.docx_download(workplan_filename(plan), render_workplan_docx(plan))


def _notice_title(meeting):
    return _("关于召开%(title)s的通知", title=meeting.title)


def _sheet_title(meeting):
    return _("%(title)s签到表", title=meeting.title)


@bp.route(f"/meetings/<{ID}:meeting_id>/notice.pdf")
@binary(bp, PDF, description="the notice with its registration form")
@refusals(bp, 403, 404)
@logged_in
def notice_pdf(meeting_id):
    """The meeting notice (关于召开……的通知) as PDF, for whoever may see the meeting."""
    from workflow.documents import meeting as meeting_documents

    meeting = meetings.get_visible(meeting_id, current_user)
    return files.pdf_download(_notice_title(meeting), meeting_documents.render_notice(meeting))


@bp.route(f"/meetings/<{ID}:meeting_id>/notice.docx")
@binary(bp, DOCX, description="the notice as Word")
@refusals(bp, 403, 404)
@logged_in
def notice_docx(meeting_id):
    """The notice with its registration form as an editable Word file."""
    from workflow.documents.word import meeting as meeting_word

    meeting = meetings.get_visible(meeting_id, current_user)
    return files.docx_download(_notice_title(meeting), meeting_word.render_notice_docx(meeting))


@bp.route(f"/meetings/<{ID}:meeting_id>/signin-sheet.xlsx")
@binary(bp, XLSX, description="the sign-in sheet as a workbook")
@refusals(bp, 404)
@office_only
def signin_sheet_xlsx(meeting_id):
    """The sign-in sheet (签到表) as it stands, as Excel."""
    meeting = meetings.get_meeting(meeting_id)
    return files.download_response(_sheet_title(meeting) + ".xlsx", XLSX, export.signin_sheet_xlsx(meeting))


@bp.route(f"/meetings/<{ID}:meeting_id>/signin-sheet.pdf")
@binary(bp, PDF, description="the sign-in sheet, its 签名 column empty for paper")
@refusals(bp, 404)
@office_only
def signin_sheet_pdf(meeting_id):
    """The sign-in sheet as an official-style PDF."""
    from workflow.documents import meeting as meeting_documents

    meeting = meetings.get_meeting(meeting_id)
    return files.pdf_download(_sheet_title(meeting), meeting_documents.render_signin_sheet(meeting))


@bp.route(f"/meetings/<{ID}:meeting_id>/signin-sheet.docx")
@binary(bp, DOCX, description="the sign-in sheet as Word")
@refusals(bp, 404)
@office_only
def signin_sheet_docx(meeting_id):
    """The sign-in sheet as an editable Word file."""
    from workflow.documents.word import meeting as meeting_word

    meeting = meetings.get_meeting(meeting_id)
    return files.docx_download(_sheet_title(meeting), meeting_word.render_signin_sheet_docx(meeting))


@bp.route(f"/submissions/<{ID}:submission_id>/summary.pdf")
@binary(bp, PDF, description="the covering report with the summary table")
@refusals(bp, 404)
@submission_readers
def summary_pdf(submission_id):
    """The covering report to the finance bureau with its summary table (汇总表)."""
    from workflow.documents.submission_summary import render_summary, summary_filename

    submission = submissions.get_submission(submission_id)
    submissions.mark_received(submission, current_user)
    return files.pdf_download(summary_filename(submission), render_summary(submission))


@bp.route(f"/submissions/<{ID}:submission_id>/summary.docx")
@binary(bp, DOCX, description="the covering report and summary table as Word")
@refusals(bp, 404)
@submission_readers
def summary_docx(submission_id):
    """The covering report and summary table as an editable Word file."""
    from workflow.documents.submission_summary import summary_filename
    from workflow.documents.word.submission_summary import render_summary_docx

    submission = submissions.get_submission(submission_id)
    return files.docx_download(summary_filename(submission), render_summary_docx(submission))


@bp.route(f"/submissions/<{ID}:submission_id>/package.zip")
@binary(bp, ZIP, description="summary PDF and workbook, the frozen reports, SHA256SUMS.txt")
@refusals(bp, 404)
@submission_readers
def package_zip(submission_id):
    """The whole package (报送材料) as one ZIP, streamed with its exact length."""
    from workflow.submissions import package

    submission = submissions.get_submission(submission_id)
    built = package.build(submission)   # a report that cannot be signed now: 503 signing_key
    submissions.mark_received(submission, current_user)
    return package.streamed_response(built)
