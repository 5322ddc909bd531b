"""The submission to the finance bureau on paper: the summary PDF (covering report and table)
and the package, one streamed ZIP with the summary PDF and workbook, each evaluation's report
exactly as frozen at approval, and their SHA-256 list; who may fetch them."""
import hashlib
import io
import re
import zipfile
from decimal import Decimal
from urllib.parse import unquote

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import event

from tests import factories
from tests.conftest import signed_in
from tests.pdf_checks import (assert_every_glyph_drawn, assert_official_page, prepared_fonts,  # noqa: F401
                              squeeze, text_of)
from workflow import scoring
from workflow.documents import submission_summary
from workflow.extensions import db
from workflow.models import Snapshot
from workflow.selfeval.services import last_snapshot
from workflow.submissions import package, services

PROJECTS = (  # (name, section, 全年预算数, 全年执行数)
    ("应急物资储备项目", "a", "100", "80"),
    ("2019年度金属非金属矿山“专家会诊”隐患排查项目", "b", "206.632", "172.743"),
    ("危险化学品重大危险源监测预警项目", "b", "85.6", "83.12"),
)


@pytest.fixture
def world(app, prepared_fonts):  # noqa: F811
    """Three approved evaluations reported in one submission, one more approved for a
    second, one-item submission."""
    org, plan = factories.make_setup()
    sections = {"a": org.section_a, "b": org.section_b}
    evaluations = [factories.make_approved(plan, org, name, sections[key], budget, executed)
                   for name, key, budget, executed in PROJECTS]
    submission, refused = services.compose(plan, [e.id for e in evaluations], "2019年度第一批",
                                           "请审核。\n如有问题请联系规划财务科。", org.office)
    assert not refused
    return org, plan, submission, evaluations


def unzip(data):
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None   # every entry's CRC checks out
    return archive


# The summary PDF ---------------------------------------------------------------------------


def test_summary_pdf_holds_the_batch_figures_on_the_official_page(world):
    _org, _plan, submission, _evaluations = world
    rows = services.rows_of(submission)
    pdf = submission_summary.render_summary(submission)
    text = squeeze(text_of(pdf))
    for part in ("关于报送2019年度预算项目绩效评价结果的报告", "市财政局：", "承德市应急管理局", "2019年度第一批",
                 "请审核。", "本次报送项目3个", "全年预算数合计392.232万元", "全年执行数合计335.863万元",
                 "附件", "2019年度第一批项目绩效评价结果汇总表", "合计（3个项目）",
                 "应急物资储备项目", "危险化学品重大危险源监测预警项目", "非煤矿山安全监督管理科", "危险化学品安全监督管理科",
                 "100.00", "80.00", "206.632", "172.743", "85.60", "83.12", "80.00%", "83.60%", "97.10%", "85.63%"):
        assert squeeze(part) in text, part
    assert "专家会诊" in text
    for row in rows:   # each score and grade as the frozen snapshot has it
        assert f"{row.score:.2f}" in text
        assert str(row.grade_label) in text
    assert_official_page(pdf)
    assert_every_glyph_drawn(pdf)
    # A paper for the bureau: in Chinese whatever language the reader's screens speak.
    with force_locale("en"):
        assert str(scoring.GRADE_LABELS["excellent"]) == "Excellent"
        data = submission_summary.summary_data(submission)
    assert {row["grade"] for row in data["rows"]} <= {"优", "良", "中", "差"}
    assert data["grades"] and not re.search(r"[A-Za-z]", data["grades"])


def test_the_summary_is_rendered_once_and_read_again_while_nothing_it_shows_changed(world, monkeypatch):
    from sqlalchemy import func, select

    from workflow.documents import render
    from workflow.models import RenderedDocument

    org, _plan, submission, _evaluations = world
    first = submission_summary.render_summary(submission)
    assert db.session.scalar(select(func.count()).select_from(RenderedDocument)) == 1

    def no_render(*_args):
        raise AssertionError("rendered again")

    with monkeypatch.context() as patched:
        patched.setattr(render, "_pdf", no_render)
        assert submission_summary.render_summary(submission) == first
    # What the summary shows changed: a new document, kept beside the first.
    services.set_document(submission, "承应急〔2020〕12号", "王建国", org.office)
    second = submission_summary.render_summary(submission)
    assert second != first and "承应急〔2020〕12号" in squeeze(text_of(second))
    assert db.session.scalar(select(func.count()).select_from(RenderedDocument)) == 2


def test_a_long_summary_table_repeats_its_header_on_every_page(world):
    """A batch too long for one page: each page of the table starts with its header, rows are
    not split, and the totals close the last page."""
    from pypdf import PdfReader

    _org, _plan, submission, _evaluations = world
    row = services.rows_of(submission)[1]
    rows = [services.SummaryRow(row.evaluation_id, f"第{n:02d}号项目", row.section, row.budget, row.executed,
                                row.rate, row.score, row.grade) for n in range(1, 61)]
    pdf = submission_summary.render_summary(submission, rows)
    pages = [squeeze(page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]
    # The table starts on the page of its own after the covering report (附件, then its title).
    annex = next(i for i, text in enumerate(pages) if text.startswith("附件") and not text.startswith("附件："))
    # ... up to the charts' pages, which follow it (workflow/documents/charts.py).
    charts = next(i for i, text in enumerate(pages) if text.startswith("各科室预算执行率"))
    table_pages = pages[annex:charts]
    assert len(table_pages) >= 2
    for text in table_pages:
        assert "序号项目名称责任科室全年预算数全年执行数执行率得分评价等级" in text
    assert all(f"第{n:02d}号项目" in "".join(table_pages) for n in range(1, 61))
    assert "合计（60个项目）" in table_pages[-1]
    assert_official_page(pdf)


# The package -------------------------------------------------------------------------------


def expected_names(submission):
    rows = services.rows_of(submission)
    reports = [f"绩效评价报告/{n:03d}-{row.section}-{row.project}绩效评价报告.pdf".replace("“", "").replace("”", "")
               for n, row in enumerate(rows, start=1)]
    return ["2019年度第一批-报送汇总表.pdf", "2019年度第一批-报送汇总表.xlsx", *reports, "SHA256SUMS.txt"]


def test_package_holds_exactly_the_frozen_reports_and_the_summaries(app, world):
    org, _plan, submission, evaluations = world
    response = signed_in(app, org.finance).get(f"/submissions/{submission.id}/package.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.is_streamed
    body = response.data
    assert int(response.headers["Content-Length"]) == len(body)
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="')
    assert unquote(re.search(r"filename\*=UTF-8''(\S+)", disposition).group(1)) == "2019年度第一批-报送材料.zip"

    archive = unzip(body)
    names = [info.filename for info in archive.infolist()]
    assert names == expected_names(submission)
    assert all(info.flag_bits & 0x800 for info in archive.infolist() if not info.filename.isascii())  # UTF-8 names

    # Each report is the approval snapshot's PDF, byte for byte, and matches its SHA-256.
    rows = services.rows_of(submission)
    by_id = {e.id: e for e in evaluations}
    for name, row in zip(names[2:-1], rows):
        snapshot = last_snapshot(by_id[row.evaluation_id], "approval")
        data = archive.read(name)
        assert data == snapshot.pdf
        assert hashlib.sha256(data).hexdigest() == snapshot.pdf_sha256

    # SHA256SUMS.txt lists every other entry with its hash (sha256sum -c format).
    sums = archive.read("SHA256SUMS.txt").decode("utf-8").splitlines()
    assert len(sums) == len(names) - 1
    for line in sums:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest

    # A second download, by someone else, carries the same reports.
    again = unzip(signed_in(app, org.leader).get(f"/submissions/{submission.id}/package.zip").data)
    assert [again.read(name) for name in names[2:-1]] == [archive.read(name) for name in names[2:-1]]

    # The summary PDF is the batch's.
    assert "合计（3个项目）" in squeeze(text_of(archive.read(names[0])))

    # The workbook: one row per evaluation, numbers as numbers, then the totals.
    sheet = load_workbook(io.BytesIO(archive.read(names[1]))).active
    assert sheet["A1"].value == "2019年度第一批项目绩效评价结果汇总表"  # its own title, the plan's below
    assert sheet["A2"].value == submission.plan.title
    assert [c.value for c in sheet[3]][:4] == ["序号", "项目名称", "责任科室", "全年预算数\n（万元）"]
    table = [[c.value for c in row] for row in sheet.iter_rows(min_row=4, max_row=6)]
    assert [r[1] for r in table] == [row.project for row in rows]
    assert [r[2] for r in table] == [row.section for row in rows]
    assert [Decimal(str(r[3])) for r in table] == [row.budget for row in rows]
    assert [Decimal(str(r[4])) for r in table] == [row.executed for row in rows]
    assert [Decimal(str(r[6])) for r in table] == [row.score for row in rows]
    assert [r[7] for r in table] == [str(row.grade_label) for row in rows]
    assert all(c.value is None for c in sheet[7])  # the 合计 below the table, after a blank row
    total = [c.value for c in sheet[8]]
    assert total[0] == "合计（3 个项目）"
    assert Decimal(str(total[3])) == Decimal("392.232") and Decimal(str(total[4])) == Decimal("335.863")


@pytest.mark.commits  # counts the statements, which the test's savepoints would add to
def test_package_reads_the_frozen_pdfs_in_batches_not_one_by_one(world, monkeypatch):
    """No query per evaluation: the same number of statements for one evaluation as for
    three, and the PDFs come PDF_BATCH at a time."""
    org, plan, submission, _evaluations = world
    single = factories.make_approved(plan, org, "森林草原防灭火宣传培训项目", org.section_a, "10", "10")
    small, _refused = services.compose(plan, [single.id], "第二批", "", org.office)

    def statements(target):
        db.session.expire_all()
        seen = []

        def record(_conn, _cursor, statement, *_args):
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            b"".join(package.build(target))
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return seen

    three, one = statements(submission), statements(small)
    assert len(three) == len(one), (three, one)
    pdf_reads = [s for s in three if re.search(r"snapshots\.pdf\b", s) and "length" not in s.lower()]
    assert len(pdf_reads) == 1

    monkeypatch.setattr(package, "PDF_BATCH", 2)
    built = package.build(submission)
    b"".join(built)
    assert built.source.queries == 2   # 3 PDFs, 2 at a time


def test_a_tampered_frozen_pdf_is_never_sent(world):
    _org, _plan, submission, evaluations = world
    snapshot = last_snapshot(evaluations[1], "approval")
    snapshot.pdf = snapshot.pdf.replace(b"%PDF-", b"%PDF-", 1) + b"\n% changed"
    db.session.commit()
    built = package.build(submission)
    with pytest.raises(package.FrozenPDFMismatch):
        b"".join(built)


def test_an_approval_without_a_frozen_pdf_gets_one_once(world):
    """Approvals made before reports were frozen: the package renders the report once and
    stores it, so every later package serves those bytes."""
    _org, _plan, submission, evaluations = world
    snapshot = last_snapshot(evaluations[0], "approval")
    snapshot.pdf, snapshot.pdf_sha256 = None, None
    db.session.commit()
    first = unzip(b"".join(package.build(submission)))
    stored = db.session.get(Snapshot, snapshot.id)
    assert stored.pdf and stored.pdf_sha256 == hashlib.sha256(stored.pdf).hexdigest()
    name = expected_names(submission)[2]
    assert first.read(name) == stored.pdf
    assert unzip(b"".join(package.build(submission))).read(name) == stored.pdf


def test_summary_and_package_are_served_to_the_submission_readers_only(app, world):
    """The office, the leader and the finance bureau; nobody else; unknown ids are 404."""
    org, _plan, submission, _evaluations = world
    for user in (org.office, org.leader, org.finance):
        response = signed_in(app, user).get(f"/submissions/{submission.id}/summary.pdf")
        assert response.status_code == 200 and response.mimetype == "application/pdf", user.username
        assert "2019年度第一批" in squeeze(text_of(response.data))
    for user in (org.staff_a, org.staff_b, org.reviewer, org.admin):
        client = signed_in(app, user)
        for document in ("summary.pdf", "package.zip"):
            assert client.get(f"/submissions/{submission.id}/{document}").status_code == 403, (user.username, document)
    for user, document in ((org.office, "package.zip"), (org.finance, "summary.pdf")):
        client = signed_in(app, user)
        assert client.get(f"/submissions/999999/{document}").status_code == 404
        assert client.get(f"/submissions/0/{document}").status_code == 404
    for document in ("summary.pdf", "package.zip"):
        anonymous = app.test_client().get(f"/submissions/{submission.id}/{document}")
        assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]


def test_submission_page_links_the_package_and_the_summary(app, world):
    org, _plan, submission, _evaluations = world
    page = signed_in(app, org.finance).get(f"/submissions/{submission.id}").get_data(as_text=True)
    assert f'href="/submissions/{submission.id}/package.zip"' in page
    assert "data-download-progress" in page and "<progress" in page
    assert f'href="/submissions/{submission.id}/summary.pdf"' in page
    assert page.count('<script src="/static/js/download.js') == 1
    assert "script" not in re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None   # no inline script (CSP)
    assert signed_in(app, org.finance).get("/static/js/download.js").status_code == 200
