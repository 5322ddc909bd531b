"""Pictures of the documents for the README: the first page of each, from the demo data.

Loads the demo into a throwaway SQLite database, walks the seed's mine project on to
approval (so that its report is the frozen one) and reports the approved projects to the
finance bureau, renders every document kind and turns the chosen pages into PNG with
pdftoppm (poppler-utils). Writes into docs/documents/ (or the folder given):

    .venv/bin/python scripts/document_previews.py [folder]
"""
import contextlib
import io
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# (file name, page) for each picture; the notice's second page is its 培训登记表, the summary's
# last page its table (LAST: the covering report may take one page or two).
LAST = 0
PICTURES = (
    ("report", 1), ("workplan", 1), ("notice", 1), ("notice", 2), ("signin-sheet", 1),
    ("submission-summary", 1), ("submission-summary", LAST),
)
RESOLUTION = 60   # dpi: an A4 page becomes about 500 × 700 pixels


def documents():
    """{name: PDF bytes} of every document kind, made from the demo data."""
    from sqlalchemy import select

    from workflow import demo
    from workflow.documents import meeting as meeting_documents
    from workflow.documents import reports, submission_summary, workplan
    from workflow.engine import actions
    from workflow.extensions import db
    from workflow.models import Meeting, Plan, Project, User
    from workflow.submissions import services as submissions

    demo.load_demo()
    users = {u.username: u for u in db.session.scalars(select(User))}
    plan = db.session.scalar(select(Plan))
    mine = db.session.scalar(select(Project).where(Project.name.contains("矿山"))).evaluation
    actions.perform(mine.id, "pass_review", users["renzhihua"], comment="数据完整。", address="preview")
    actions.perform(mine.id, "approve", users["jianglixin"], address="preview")
    ready = [e.id for e in submissions.ready_to_report(plan)]
    submission, _refused = submissions.compose(plan, ready, "2020年市级预算绩效部门重点评价结果报送", "",
                                     users["yanhongtao"], address="preview")
    submissions.set_document(submission, "承应急〔2020〕12号", submission.signer, users["yanhongtao"])
    meeting = db.session.scalar(select(Meeting))
    return {
        "report": reports.report_for_download(mine)[0],
        "workplan": workplan.render_workplan(plan),
        "notice": meeting_documents.render_notice(meeting),
        "signin-sheet": meeting_documents.render_signin_sheet(meeting),
        "submission-summary": submission_summary.render_summary(submission),
    }


def main(argv):
    target = Path(argv[0]) if argv else ROOT / "docs" / "documents"
    target.mkdir(parents=True, exist_ok=True)
    from flask_migrate import upgrade
    from pypdf import PdfReader

    from workflow import create_app

    with tempfile.TemporaryDirectory() as folder:
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/previews.sqlite3",
                                     "INSTANCE_PATH": folder})
        with app.app_context(), app.test_request_context():
            with contextlib.redirect_stderr(io.StringIO()):   # the migrations' log lines
                upgrade()
            pdfs = documents()
        for name, page in PICTURES:
            pdf = Path(folder) / f"{name}.pdf"
            pdf.write_bytes(pdfs[name])
            out = target / f"{name}-{page or 'table'}"
            page = page or len(PdfReader(io.BytesIO(pdfs[name])).pages)
            subprocess.run(["pdftoppm", "-png", "-r", str(RESOLUTION), "-f", str(page), "-l", str(page),
                            "-singlefile", str(pdf), str(out)], check=True)
            print(f"{out}.png")


if __name__ == "__main__":
    main(sys.argv[1:])
