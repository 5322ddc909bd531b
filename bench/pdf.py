"""Render each document kind several times and print the median seconds per kind.

Kinds: the seed report (the demo mine project, ~4 pages of A4 in the official layout with
its scoring table) and a ~30-page variant of it made by repeating its narrative. The data
is built once in a throwaway SQLite database; only rendering is timed (one warm-up render
first, as a running server has fontconfig and the fonts loaded). The last line is
``pdf_report_median_s: <median seconds of the seed report>``.

    .venv/bin/python bench/pdf.py [--runs 7]
"""
import argparse
import contextlib
import copy
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade

from workflow import create_app, demo_content

PROJECT = "2019年度金属非金属矿山“专家会诊”隐患排查项目"


def seed_report_data():
    from tests import factories
    from workflow.documents import reports

    org, plan = factories.make_setup()
    demo_content.adjust_plan_framework(plan)
    project = factories.make_project(plan, PROJECT, org.section_a, org.office)
    demo_content.fill_mine_project(project.evaluation)
    return reports.report_data(project.evaluation)


def long_variant(data, times=20):
    """The report with each narrative section repeated ``times`` times."""
    data = copy.deepcopy(data)
    for section in data["sections"]:
        section["paragraphs"] = section["paragraphs"] * times
    return data


def pages(pdf):
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def measure(data, runs):
    from workflow.documents.render import render

    pdf = render("report.html", data)   # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        render("report.html", data)
        times.append(time.perf_counter() - started)
    return statistics.median(times), pages(pdf)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
                                     "INSTANCE_PATH": folder})
        with app.app_context():
            with contextlib.redirect_stderr(io.StringIO()):   # the migrations' log lines
                upgrade()
            from workflow.documents import fonts

            prepared = [font.family for font, _path in fonts.available()]
            print(f"prepared fonts: {', '.join(prepared) or 'none (run scripts/prepare_fonts.py)'}")
            data = seed_report_data()
            results = {"report": measure(data, args.runs), "report_30_pages": measure(long_variant(data), args.runs)}
            # For comparison: the full CFF system fonts only (no prepared fonts), fewer runs.
            with tempfile.TemporaryDirectory() as empty:
                os.environ["DOCUMENT_FONT_DIR"], saved = empty, os.environ.get("DOCUMENT_FONT_DIR")
                try:
                    results["report_full_system_fonts"] = measure(data, min(3, args.runs))
                finally:
                    if saved is None:
                        del os.environ["DOCUMENT_FONT_DIR"]
                    else:
                        os.environ["DOCUMENT_FONT_DIR"] = saved
    for kind, (median, page_count) in results.items():
        print(f"{kind}: {page_count} pages, median {median:.3f} s")
    print(f"pdf_report_median_s: {results['report'][0]:.3f}")


if __name__ == "__main__":
    main()
