"""Render each document kind several times and print the median seconds per kind.

Kinds, all on the demo data (the seed's 2020 plan) in a throwaway SQLite database:
- report: the seed's mine project's self-evaluation report (~4 pages, scoring table);
- report_signed: the same rendered and signed by the department, as approval freezes it
  (signing.sign; the key loaded once per process, as in a running server);
- signing_only: signing the rendered seed report alone;
- report_30_pages: the same with its narrative repeated, ~30 pages;
- report_full_system_fonts: the seed report with the full CFF fonts only (for comparison);
- workplan: the plan's 工作方案;
- submission_summary: the covering report and table of a batch of 6 projects;
- submission_summary_300: the same for a batch of 300 projects (~10 pages of table);
- notice, signin_sheet: the training meeting's notice and 签到表 (when the meetings
  documents are present);
- package_300: the whole ZIP of a submission of 300 approved evaluations, downloaded
  through the app (GET /submissions/<id>/package.zip) and read to the last byte.

For the package, one report is rendered and its bytes stored in each of the 300 approval
snapshots (as approval would have, 300 times); the evaluations, snapshots and the
submission are written straight into the database, which is what the workflow leaves
behind. One warm-up run first for every kind, as a running server has fontconfig and the
fonts loaded. The last two lines are ``pdf_report_signed_median_s: <the seed report rendered
and signed>`` and ``pdf_report_median_s: <median seconds of the seed report>``.

    .venv/bin/python bench/pdf.py [--runs 7] [--package-runs 3]
"""
import argparse
import contextlib
import copy
import hashlib
import io
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from sqlalchemy import select

from workflow import create_app

PROJECT = "2019年度金属非金属矿山“专家会诊”隐患排查项目"
PACKAGE_SIZE = 300
SMALL_BATCH = 6


def pages(pdf):
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


CPU = {}   # the median CPU seconds of this process per call, by the last result's id


def timed(call, runs):
    """(median seconds, the last result) of ``runs`` calls after one warm-up call. The
    median CPU seconds go to CPU: less at the mercy of a machine shared with other work."""
    result = call()
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = call()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    CPU[id(result)] = statistics.median(cpu)
    return statistics.median(times), result


def long_variant(data, times=20):
    """The report with each narrative section repeated ``times`` times."""
    data = copy.deepcopy(data)
    for section in data["sections"]:
        section["paragraphs"] = section["paragraphs"] * times
    return data


def demo_world():
    """The demo data: (plan, the mine project's evaluation, the office user)."""
    from workflow.demo import load_demo
    from workflow.extensions import db
    from workflow.models import Project, User
    from workflow.plans import services as plans

    load_demo()
    plan = plans.current_plan()
    mine = db.session.scalar(select(Project).where(Project.plan_id == plan.id, Project.name == PROJECT)).evaluation
    office = db.session.scalar(select(User).where(User.username == "yanhongtao"))
    return plan, mine, office


def approved_batch(plan, model, office, pdf, count, title, prefix):
    """A submission of ``count`` evaluations in 已报送, each with an approval snapshot holding
    ``model``'s data under its own project name and ``pdf`` as its frozen report."""
    from workflow.extensions import db
    from workflow.models import Evaluation, Project, Section, Snapshot, Submission, SubmissionItem
    from workflow.selfeval import content

    sections = db.session.scalars(select(Section).where(Section.is_office.is_(False)).order_by(Section.id)).all()
    base = content.serialize(model)
    sha = hashlib.sha256(pdf).hexdigest()
    submission = Submission(plan_id=plan.id, title=title, note="", created_by_id=office.id)
    for number in range(1, count + 1):
        section = sections[number % len(sections)]
        name = f"{prefix}第{number:03d}号项目"
        project = Project(plan_id=plan.id, name=name, section_id=section.id, budget_year=plan.budget_year)
        evaluation = Evaluation(state="reported", total_score=model.total_score, grade=model.grade,
                                plan_id=plan.id, section_id=section.id)
        project.evaluation = evaluation
        data = copy.deepcopy(base)
        data["project"].update(name=name, section=section.name)
        snapshot = Snapshot(kind="approval", data=data, sha256=content.fingerprint(data), pdf=pdf, pdf_sha256=sha,
                            created_by_id=office.id)
        db.session.add_all([project, evaluation])
        db.session.flush()
        snapshot.evaluation_id = evaluation.id
        db.session.add(snapshot)
        db.session.flush()
        submission.items.append(SubmissionItem(evaluation_id=evaluation.id, snapshot_id=snapshot.id))
    db.session.add(submission)
    db.session.commit()
    return submission


def meeting_kinds(plan, runs):
    """The meetings' documents, when that part of the application is present."""
    try:
        from workflow.documents.meeting import render_notice, render_signin_sheet
    except ImportError:
        return {}
    from workflow.extensions import db
    from workflow.models import Meeting

    meeting = db.session.scalar(select(Meeting).where(Meeting.plan_id == plan.id).order_by(Meeting.id).limit(1))
    if meeting is None:
        return {}
    results = {}
    for kind, call in (("notice", lambda: render_notice(meeting)), ("signin_sheet", lambda: render_signin_sheet(meeting))):
        median, pdf = timed(call, runs)
        results[kind] = (median, f"{pages(pdf)} pages")
    return results


def package_kind(app, submission, runs):
    """Median seconds to download the whole package through the app, its size, and the peak
    of Python memory while it streams (it must not hold the whole ZIP)."""
    client = app.test_client()
    response = client.post("/auth/login", data={"username": "yanhongtao", "password": "demo2020"})
    assert response.status_code in (302, 303), response.status_code
    url = f"/submissions/{submission.id}/package.zip"

    def download():
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response.data

    median, data = timed(download, runs)
    cpu = []   # CPU seconds of this process per download: less at the mercy of a shared machine
    for _ in range(runs):
        started = time.process_time()
        download()
        cpu.append(time.process_time() - started)
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    entries = len(archive.infolist())
    size = len(data)
    del data, archive

    # Peak Python memory of one download read chunk by chunk and not kept: while the route
    # makes the summaries (WeasyPrint's layout of the 300-row table), then while the 300
    # frozen reports stream (PDF_BATCH of them at a time, not the whole ZIP).
    tracemalloc.start()
    response = client.get(url, buffered=False)
    held, preparing = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    streamed = sum(len(chunk) for chunk in response.response)
    response.close()
    streaming = tracemalloc.get_traced_memory()[1] - held   # above what the request already held
    tracemalloc.stop()
    # (The workbook's timestamp can change its compressed size by a byte between downloads.)
    assert streamed == int(response.headers["Content-Length"]), (streamed, response.headers["Content-Length"])
    return median, (f"{entries} entries, {size / 1048576:.1f} MB, CPU {statistics.median(cpu):.3f} s, "
                    f"peak Python memory {preparing / 1048576:.1f} MB making the summaries, "
                    f"{streaming / 1048576:.1f} MB more while streaming the reports")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--package-runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
                                     "INSTANCE_PATH": folder, "WTF_CSRF_ENABLED": False})
        with app.app_context():
            with contextlib.redirect_stderr(io.StringIO()):   # the migrations' log lines
                upgrade()
            from workflow.documents import fonts, reports, signing, submission_summary, workplan
            from workflow.documents.render import render

            prepared = [font.family for font, _path in fonts.available()]
            print(f"prepared fonts: {', '.join(prepared) or 'none (run scripts/prepare_fonts.py)'}")
            with app.test_request_context():
                plan, mine, office = demo_world()
            data = reports.report_data(mine)
            results = {}

            def document(kind, call, runs=args.runs):
                median, pdf = timed(call, runs)
                results[kind] = (median, f"{pages(pdf)} pages, CPU {CPU[id(pdf)]:.3f} s")

            document("report", lambda: render("report.html", data))
            # As approval freezes it: rendered, then signed (the default key, made in the
            # throwaway instance folder on first use, loaded once).
            key = signing.current_key(department="承德市应急管理局")
            document("report_signed", lambda: signing.sign(render("report.html", data), key))
            rendered = render("report.html", data)
            document("signing_only", lambda: signing.sign(rendered, key))
            document("report_30_pages", lambda: render("report.html", long_variant(data)))
            # For comparison: the full CFF system fonts only (no prepared fonts), fewer runs.
            with tempfile.TemporaryDirectory() as empty:
                os.environ["DOCUMENT_FONT_DIR"], saved = empty, os.environ.get("DOCUMENT_FONT_DIR")
                try:
                    document("report_full_system_fonts", lambda: render("report.html", data), min(3, args.runs))
                finally:
                    if saved is None:
                        del os.environ["DOCUMENT_FONT_DIR"]
                    else:
                        os.environ["DOCUMENT_FONT_DIR"] = saved
            document("workplan", lambda: workplan.render_workplan(plan))

            frozen = reports.render_frozen_report(mine)   # one signed report, stored in every snapshot below
            small = approved_batch(plan, mine, office, frozen, SMALL_BATCH, "2019年度第一批", "示例")
            large = approved_batch(plan, mine, office, frozen, PACKAGE_SIZE, "2019年度第二批", "批量")
            with app.test_request_context():
                document("submission_summary", lambda: submission_summary.render_summary(small))
                document("submission_summary_300", lambda: submission_summary.render_summary(large),
                         min(3, args.runs))
                results.update(meeting_kinds(plan, args.runs))
            results["package_300"] = package_kind(app, large, args.package_runs)
    for kind, (median, what) in results.items():
        print(f"{kind}: {what}, median {median:.3f} s")
    print(f"pdf_report_signed_median_s: {results['report_signed'][0]:.3f}")
    print(f"pdf_report_median_s: {results['report'][0]:.3f}")


if __name__ == "__main__":
    main()
