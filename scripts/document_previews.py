"""Pictures of the documents for the README: the first page of each, from the demo data.

Loads the demo into a throwaway SQLite database, walks the seed's mine project on to
approval (so that its report is the frozen one) and reports the approved projects to the
finance bureau, renders every document kind and turns the chosen pages into PNG with
pdftoppm (poppler-utils). Writes into docs/documents/ (or the folder given):

    .venv/bin/python scripts/document_previews.py [folder]

The Word files (.docx) are pictured too, as LibreOffice renders them (`libreoffice --headless
--convert-to pdf`, then pdftoppm), into <folder>/word/. LibreOffice is not part of `make
setup` nor of the tests; install it once with `apt-get install libreoffice-writer-nogui` (the
script does when it runs as root with apt-get, or says so and pictures only the PDFs). The
official fonts the Word files name are not free, so for the pictures fontconfig maps each to
the stand-in the PDFs use (FONT_STAND_INS); Word or WPS on a clerk's computer uses the real ones.
"""
import contextlib
import io
import os
import shutil
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

# The official fonts the Word files name, and the free fonts that stand in for them in the
# pictures (the same the PDFs use).
FONT_STAND_INS = {
    "仿宋_GB2312": "Noto Serif CJK SC",
    "方正小标宋简体": "Noto Serif CJK SC",
    "宋体": "Noto Serif CJK SC",
    "黑体": "Noto Sans CJK SC",
    "楷体_GB2312": "AR PL UKai CN",
}


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
    pdfs = {
        "report": reports.report_for_download(mine)[0],
        "workplan": workplan.render_workplan(plan),
        "notice": meeting_documents.render_notice(meeting),
        "signin-sheet": meeting_documents.render_signin_sheet(meeting),
        "submission-summary": submission_summary.render_summary(submission),
    }
    return pdfs, word_documents(mine, plan, meeting, submission)


def word_documents(mine, plan, meeting, submission):
    """{name: .docx bytes} of every document kind (the approved report's copy among them)."""
    from workflow.documents.word import meeting as meeting_word
    from workflow.documents.word.report import report_docx_for_download
    from workflow.documents.word.submission_summary import render_summary_docx
    from workflow.documents.word.workplan import render_workplan_docx

    return {
        "report": report_docx_for_download(mine)[0],
        "workplan": render_workplan_docx(plan),
        "notice": meeting_word.render_notice_docx(meeting),
        "signin-sheet": meeting_word.render_signin_sheet_docx(meeting),
        "submission-summary": render_summary_docx(submission),
    }


def libreoffice():
    """The LibreOffice command, installing it when this runs as root with apt-get; None
    (with the reason printed) when it cannot be had."""
    found = shutil.which("libreoffice") or shutil.which("soffice")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        environment = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=environment)
        subprocess.run(["apt-get", "install", "-y", "-qq", "libreoffice-writer-nogui"], check=True, env=environment)
        return shutil.which("libreoffice") or shutil.which("soffice")
    print("LibreOffice is missing: `apt-get install libreoffice-writer-nogui` (as root) to picture the Word files.",
          file=sys.stderr)
    return None


def fontconfig_file(folder):
    """A fontconfig file: the system's configuration plus an alias from each official font
    name to its stand-in, so that LibreOffice draws the pictures in the PDFs' fonts."""
    aliases = "".join(f"<alias binding=\"same\"><family>{name}</family><prefer><family>{stand_in}</family></prefer></alias>"
                      for name, stand_in in FONT_STAND_INS.items())
    path = Path(folder) / "fonts.conf"
    path.write_text(f"<?xml version=\"1.0\"?><!DOCTYPE fontconfig SYSTEM \"fonts.dtd\"><fontconfig>"
                    f"<include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include>{aliases}</fontconfig>",
                    encoding="utf-8")
    return path


def word_pictures(documents, folder, target):
    """Each .docx as LibreOffice renders it, its pictured pages as PNG."""
    command = libreoffice()
    if command is None:
        return
    environment = dict(os.environ, FONTCONFIG_FILE=str(fontconfig_file(folder)))
    profile = Path(folder) / "libreoffice-profile"   # its own profile: no clash with a running one
    for name, data in documents.items():
        source = Path(folder) / f"{name}.docx"
        source.write_bytes(data)
        out = Path(folder) / "word"
        subprocess.run([command, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(out), str(source)], check=True, env=environment,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        pdf_pictures(out / f"{name}.pdf", [page for picture, page in PICTURES if picture == name], target, name)


def pdf_pictures(pdf, pages, target, name):
    """PNGs of the given pages; LAST is the last page (a table that follows a text of one or
    two pages), named -table."""
    from pypdf import PdfReader

    for page in pages:
        out = target / f"{name}-{page or 'table'}"
        page = page or len(PdfReader(str(pdf)).pages)
        subprocess.run(["pdftoppm", "-png", "-r", str(RESOLUTION), "-f", str(page), "-l", str(page),
                        "-singlefile", str(pdf), str(out)], check=True)
        print(f"{out}.png")


def main(argv):
    target = Path(argv[0]) if argv else ROOT / "docs" / "documents"
    target.mkdir(parents=True, exist_ok=True)
    from flask_migrate import upgrade

    from workflow import create_app

    with tempfile.TemporaryDirectory() as folder:
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/previews.sqlite3",
                                     "INSTANCE_PATH": folder})
        with app.app_context(), app.test_request_context():
            with contextlib.redirect_stderr(io.StringIO()):   # the migrations' log lines
                upgrade()
            pdfs, words = documents()
        for name, data in pdfs.items():
            pdf = Path(folder) / f"{name}.pdf"
            pdf.write_bytes(data)
            pdf_pictures(pdf, [page for picture, page in PICTURES if picture == name], target, name)
        (target / "word").mkdir(exist_ok=True)
        word_pictures(words, folder, target / "word")


if __name__ == "__main__":
    main(sys.argv[1:])
