"""The submission summary PDF of a large batch rendered in-process, stage by stage.

Builds the template's data for --rows (2,000) projects in 100 sections (no database rows: a
stand-in submission, the rows made here), renders a small summary first to warm fontconfig and
the fonts, then renders the large one once and prints the CPU seconds of WeasyPrint's stages
(parsing the HTML, styles and layout, drawing and writing the PDF), the wall time, the pages,
the size and the process's peak resident memory. With --profile FILE the render runs under
cProfile and its statistics go to FILE (read them with ``python -m pstats FILE``). Last line:
``summary_render_cpu_seconds: <n>``.

    .venv/bin/python bench/summary_render.py [--rows 2000] [--profile /tmp/summary.prof]
"""
import argparse
import contextlib
import cProfile
import io
import resource
import sys
import tempfile
import time
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from workflow import create_app  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--profile", help="write cProfile statistics of the render to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
                                     "INSTANCE_PATH": folder})
        with app.app_context(), app.test_request_context():
            with contextlib.redirect_stderr(io.StringIO()):   # the migrations' log lines
                upgrade()
            from pypdf import PdfReader

            from workflow.documents import render, submission_summary
            from workflow.submissions.services import SummaryRow

            plan = SimpleNamespace(budget_year=2025, organisation="某市应急管理局")
            submission = SimpleNamespace(plan=plan, title=f"第二批报送（{args.rows}个项目）", document_number="",
                                         signer="局长", note="", created_at=datetime(2026, 3, 1, tzinfo=timezone.utc))
            rows = [SummaryRow(n, f"第{n:05d}号专项资金项目", f"业务{n % 100:03d}科", Decimal("120.5") + n,
                               Decimal("100.25") + n, Decimal("0.9"), Decimal("91.50"), "excellent")
                    for n in range(1, args.rows + 1)]
            charts = submission_summary.summary_charts(submission, rows)

            def html_of(some):
                return render.render_html("submission_summary.html",
                                          submission_summary.summary_data(submission, some) | {"charts": charts})

            render.render("submission_summary.html",
                          submission_summary.summary_data(submission, rows[:5]) | {"charts": charts})   # warm-up
            html = html_of(rows)
            fetcher = render.SafeURLFetcher()
            font_config = render.FontConfiguration()
            profile = cProfile.Profile() if args.profile else None
            began, cpu = time.perf_counter(), [time.process_time()]
            if profile:
                profile.enable()
            fonts_css = render.CSS(string=render.font_face_css(), font_config=font_config, url_fetcher=fetcher,
                                   base_url=render.TEMPLATE_DIR.as_uri() + "/")
            document = render.HTML(string=html, base_url=render.TEMPLATE_DIR.as_uri() + "/", url_fetcher=fetcher)
            cpu.append(time.process_time())
            laid_out = document.render(stylesheets=[fonts_css], font_config=font_config)
            cpu.append(time.process_time())
            pdf = laid_out.write_pdf()
            cpu.append(time.process_time())
            if profile:
                profile.disable()
                profile.dump_stats(args.profile)
            wall = time.perf_counter() - began
            pages = len(PdfReader(io.BytesIO(pdf)).pages)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"summary of {args.rows} rows: parse {cpu[1] - cpu[0]:.2f} s, styles and layout {cpu[2] - cpu[1]:.2f} s, "
          f"PDF {cpu[3] - cpu[2]:.2f} s (CPU); wall {wall:.2f} s; {pages} pages, {len(pdf) / 1024:.0f} KiB; "
          f"peak RSS {peak:.0f} MiB")
    print(f"summary_render_cpu_seconds: {cpu[3] - cpu[0]:.2f}")


if __name__ == "__main__":
    main()
