"""The charts of the 报送汇总表: the SVG module (workflow/documents/charts.py) on its own, the
numbers of a batch with the years reported before it, and the PDF with its chart page
(marked ``documents``: rendered by WeasyPrint)."""
import io
import os
from datetime import datetime, timezone
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from pypdf import PdfReader

from tests import factories
from tests.pdf_checks import prepared_fonts  # noqa: F401  (fixture)
from workflow import clock
from workflow.documents import charts, submission_summary
from workflow.submissions import services

SVG = "{http://www.w3.org/2000/svg}"
DUMP = os.environ.get("SUMMARY_CHARTS_PDF")  # where to keep the PDF to look at it


def parsed(svg):
    return ElementTree.fromstring(svg)


def texts(svg):
    return [node.text for node in parsed(svg).iter(f"{SVG}text")]


# The SVG module, pure ----------------------------------------------------------------------------

def test_horizontal_bars():
    svg = charts.horizontal_bars("执行率", [("科室甲", Decimal("85.40")), ("<科室乙>", None), ("科室丙", Decimal("120"))],
                                 "%", reference=Decimal("92.5"))
    root = parsed(svg)  # well-formed: the "<" of a label is escaped
    assert root.find(f"{SVG}title").text == "执行率"
    assert len(root.findall(f"{SVG}rect")) == 2  # no bar for the row without a value
    labels = texts(svg)
    assert {"科室甲", "<科室乙>", "85.4%", "120%", "—"} <= set(labels)
    assert "200%" in labels  # the axis reaches past the largest value
    assert len([n for n in root.iter(f"{SVG}line") if n.get("stroke-dasharray")]) == 1  # the total's line
    assert svg == charts.horizontal_bars("执行率", [("科室甲", Decimal("85.40")), ("<科室乙>", None),
                                                 ("科室丙", Decimal("120"))], "%", reference=Decimal("92.5"))


def test_vertical_bars_count_in_whole_numbers():
    svg = charts.vertical_bars("等级", [("优", 3), ("良", 1), ("中", 0), ("差", 0)])
    labels = texts(svg)
    assert labels[:5] == ["0", "1", "2", "3", "4"]  # the axis: whole numbers
    assert {"优", "良", "中", "差"} <= set(labels)
    assert len(parsed(svg).findall(f"{SVG}rect")) == 4


def test_lines_skip_the_missing_years():
    svg = charts.lines("得分", ["2017", "2018", "2019"],
                       [("项目甲", [Decimal("90"), None, Decimal("95.5")]), ("项目乙", [None, None, Decimal("80")])])
    root = parsed(svg)
    assert len(root.findall(f"{SVG}path")) == 1  # 项目乙 has one point: no line, a dot
    assert len(root.findall(f"{SVG}circle")) == 3
    assert {"2017", "2018", "2019", "项目甲", "项目乙"} <= set(texts(svg))


def test_font_family_with_quotes_stays_well_formed():
    svg = charts.vertical_bars("等级", [("优", 1)], font_family='"FangSong GB2312", "Noto Serif CJK SC", serif')
    assert parsed(svg).get("font-family") == '"FangSong GB2312", "Noto Serif CJK SC", serif'


# The numbers of a batch ---------------------------------------------------------------------------

@pytest.fixture
def batches(db):
    """2018's batch (reported in 2019) and 2019's batch, with a project in both."""
    org, plan = factories.make_setup()
    earlier_plan = factories.make_plan(run_year=2019, budget_year=2018)
    old = factories.make_approved(earlier_plan, org, "应急物资储备项目", org.section_a, "50", "45")
    clock.freeze(datetime(2019, 9, 1, 2, 0, tzinfo=timezone.utc))
    earlier, _ = services.compose(earlier_plan, [old.id], "2018年度第一批", "", org.office)
    clock.freeze(datetime(2020, 9, 1, 2, 0, tzinfo=timezone.utc))
    evaluations = [factories.make_approved(plan, org, "应急物资储备项目", org.section_a, "100", "80"),
                   factories.make_approved(plan, org, "矿山隐患排查项目", org.section_b, "206.632", "172.743")]
    submission, _ = services.compose(plan, [e.id for e in evaluations], "2019年度第一批", "", org.office)
    return org, submission, earlier, old, evaluations


def test_the_numbers_of_a_batch(batches):
    org, submission, earlier, old, evaluations = batches
    numbers = submission_summary.chart_numbers(submission, services.rows_of(submission))
    assert numbers["execution"] == [(org.section_a.name, Decimal("80.00")), (org.section_b.name, Decimal("83.60"))]
    assert numbers["total_rate"] == Decimal("82.43")
    assert sum(n for _code, n in numbers["grades"]) == 2
    assert [code for code, _n in numbers["grades"]] == ["excellent", "good", "fair", "poor"]
    assert numbers["years"] == [2018, 2019]
    assert numbers["rates"] == [("应急物资储备项目", [Decimal("90.00"), Decimal("80.00")]),
                                ("矿山隐患排查项目", [None, Decimal("83.60")])]
    assert numbers["scores"][0] == ("应急物资储备项目", [old.total_score, evaluations[0].total_score])
    # The earlier batch knows nothing of the later one.
    earlier_numbers = submission_summary.chart_numbers(earlier, services.rows_of(earlier))
    assert earlier_numbers["years"] == [2018]


# The PDF ----------------------------------------------------------------------------------------------

@pytest.mark.documents
def test_the_pdf_has_the_charts_on_pages_of_their_own(batches, prepared_fonts):  # noqa: F811
    org, submission, *_ = batches
    pdf = submission_summary.render_summary(submission)
    reader = PdfReader(io.BytesIO(pdf))
    pages = [page.extract_text() for page in reader.pages]
    table = max(i for i, text in enumerate(pages) if "汇总表" in text)
    last = "".join(pages[table + 1:])  # the charts' pages, after the table
    open(DUMP, "wb").write(pdf) if DUMP else None
    for title in ("各科室预算执行率", "评价等级分布", "各项目历年得分", "各项目历年预算执行率"):
        assert title in last, title
    # The pictures' own text, drawn in the document's fonts: labels, values, years.
    for text in (org.section_a.name, "80%", "83.6%", "优", "2018", "2019", "应急物资储备项目"):
        assert text in last.replace("\n", ""), text
    assert 1 <= len(pages) - table - 1 <= 2
    # The same batch is the same file.
    assert submission_summary.render_summary(submission) == pdf
