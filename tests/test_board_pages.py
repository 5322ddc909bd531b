"""The progress board in pages (a city's plan has a thousand sections): its rules without HTTP
(the second page, worst first then by name; the filters by name and by urgency; the plan's
totals whatever the page and the filter), then the page through the test client (the page
links keep the plan and the filters, ?all=1 lists every section, bad numbers and filters)."""
import re
from datetime import datetime, timezone

import pytest

from tests.conftest import post, signed_in
from tests.factories import make_evaluation, make_project, make_section, make_setup, make_user, walk_to
from workflow import clock
from workflow.engine import board
from workflow.errors import ServiceError
from workflow.extensions import db
from workflow.roles import Role

# The sections' names: A and B contain 安全监督管理科, C is 应急指挥中心.
CENTRE, PLANNING = "应急指挥中心", "规划财务科室"


def four_sections():
    """Section A red (an overdue 自评), B yellow (reviews due soon), C and D green, on 2020-08-19."""
    org, plan = make_setup()
    make_evaluation(plan, org, "self_evaluating", name="甲一")
    make_evaluation(plan, org, "approved", name="甲二")
    make_evaluation(plan, org, "submitted", name="乙一", section=org.section_b)
    for n, (section_name, projects) in enumerate(((CENTRE, ["丙一"]), (PLANNING, ["丁一", "丁二"]))):
        section = make_section(section_name)
        staff = make_user(f"staff_{n}", [Role.SECTION_STAFF], section)
        people = {"office": org.office, "staff": staff, "reviewer": org.reviewer, "leader": org.leader}
        for name in projects:
            walk_to(make_project(plan, name, section, org.office).evaluation, "approved", people)
    clock.freeze(datetime(2020, 8, 19, 2, 0, tzinfo=timezone.utc))
    return org, plan


def labels(page):
    return [row.label for row in page.items]


def test_the_second_page_lists_the_next_sections_and_every_page_the_plans_totals():
    org, plan = four_sections()
    first, stages, totals = board.board(plan, 1, size=2)
    second, stages_2, totals_2 = board.board(plan, 2, size=2)
    assert labels(first) == [org.section_a.name, org.section_b.name]  # red, then yellow
    assert [row.mark for row in first.items] == ["red", "yellow"]
    assert labels(second) == [CENTRE, PLANNING]  # green, by name
    assert (first.total, first.pages, second.number) == (4, 2, 2)
    # The totals are the whole plan's on both pages, not the page's.
    assert (totals.total, totals.counts) == (6, {"self_evaluating": 1, "submitted": 1, "approved": 4})
    assert (totals_2.total, totals_2.counts) == (totals.total, totals.counts)
    assert sum(row.total for row in first.items) == 3
    assert [(row.key, row.total, row.overdue, row.due_soon) for row in stages] == [
        (row.key, row.total, row.overdue, row.due_soon) for row in stages_2]
    assert {row.key: row.mark for row in stages}["self_evaluate"] == "red"
    # Past the end: the last page.
    assert labels(board.board(plan, 9, size=2)[0]) == [CENTRE, PLANNING]


def test_the_filters_list_fewer_sections_and_leave_the_totals_whole():
    org, plan = four_sections()
    by_name, _stages, totals = board.board(plan, filters=board.Filters(name="安全监督"))
    assert labels(by_name) == [org.section_a.name, org.section_b.name] and by_name.total == 2
    assert totals.total == 6
    assert labels(board.board(plan, filters=board.Filters(name="指挥"))[0]) == [CENTRE]
    urgent = board.board(plan, filters=board.Filters(urgent=True))[0]
    assert labels(urgent) == [org.section_a.name, org.section_b.name]
    both = board.board(plan, filters=board.Filters(name="危险化学品", urgent=True))[0]
    assert labels(both) == [org.section_b.name]
    # A % or _ is a character of the name, not a wildcard; with nothing listed the totals stay.
    for text in ("%", "_", "科_", "/"):
        nothing, _stages, totals = board.board(plan, filters=board.Filters(name=text))
        assert (nothing.items, nothing.total, totals.total, totals.counts["approved"]) == ([], 0, 6, 4), text


def test_the_filters_are_read_from_the_query_arguments_or_refused():
    assert board.filters_from(None, None) == board.Filters("", False)
    assert board.filters_from("  指挥 ", "1") == board.Filters("指挥", True)
    assert board.filters_from("", "0") == board.Filters("", False)
    with pytest.raises(ServiceError, match="科室名称最多 50 个字"):
        board.filters_from("科" * 51, None)
    with pytest.raises(ServiceError, match="取值无效"):
        board.filters_from("", "yes")


# The page -------------------------------------------------------------------------------


@pytest.fixture
def many_sections():
    """27 sections of one project each, all green before the deadlines (so listed by name):
    two pages."""
    org, plan = make_setup()
    sections = [make_section(f"第{n:02d}科", commit=False) for n in range(1, 28)]
    db.session.commit()
    for n, section in enumerate(sections, 1):
        make_project(plan, f"项目{n:02d}", section, org.office)
    clock.freeze(datetime(2020, 6, 1, 2, 0, tzinfo=timezone.utc))
    return org, plan


def listed(html):
    return re.findall(r'<tr data-section="([^"]+)"', html)


def page_links(html):
    return {int(n): href.replace("&amp;", "&") for href, n in re.findall(r'href="([^"]+)" data-page="(\d+)"', html)}


def totals_row(html):
    row = html.split('data-testid="board-totals"')[1].split("</tr>")[0]
    return re.findall(r"<th[^>]*>([^<]*)</th>", row)


def test_the_board_in_pages_keeps_the_plan_and_the_filter(app, many_sections):
    org, plan = many_sections
    office = signed_in(app, org.office)
    first = office.get(f"/work/board?plan={plan.id}").get_data(as_text=True)
    assert listed(first) == [f"第{n:02d}科" for n in range(1, 26)]
    assert "第 1 / 2 页，共 27 项" in first
    assert totals_row(first)[-1] == "27"  # the whole plan's, on every page
    link = page_links(first)[2]
    assert f"plan={plan.id}" in link and "page=2" in link
    second = office.get(link).get_data(as_text=True)
    assert listed(second) == ["第26科", "第27科"] and totals_row(second)[-1] == "27"
    assert f"plan={plan.id}" in page_links(second)[1]

    # The filter: its box keeps the text, the page links keep both.
    filtered = office.get(f"/work/board?plan={plan.id}&q=第2").get_data(as_text=True)
    assert listed(filtered) == [f"第{n}科" for n in range(20, 28)]
    assert 'value="第2"' in filtered and totals_row(filtered)[-1] == "27"
    assert 'data-testid="pager"' not in filtered  # one page
    paged = office.get(f"/work/board?plan={plan.id}&q=科&urgent=0").get_data(as_text=True)
    link = page_links(paged)[2]
    assert "q=%E7%A7%91" in link and "urgent=0" in link and f"plan={plan.id}" in link
    urgent = office.get(f"/work/board?plan={plan.id}&urgent=1").get_data(as_text=True)
    assert listed(urgent) == [] and "没有符合筛选条件的科室。" in urgent and totals_row(urgent)[-1] == "27"
    assert 'id="board-urgent" name="urgent" value="1" checked' in urgent


def test_the_whole_board_on_one_page_for_printing(app, many_sections):
    org, plan = many_sections
    leader = signed_in(app, org.leader)
    first = leader.get(f"/work/board?plan={plan.id}").get_data(as_text=True)
    all_link = re.search(r'href="([^"]+)" data-testid="board-all"', first).group(1).replace("&amp;", "&")
    assert "all=1" in all_link and f"plan={plan.id}" in all_link
    whole = leader.get(all_link).get_data(as_text=True)
    assert len(listed(whole)) == 27 and 'data-testid="pager"' not in whole
    assert 'data-testid="board-paged"' in whole and "第 1 / 1 页，共 27 个科室" in whole
    assert len(listed(leader.get(f"/work/board?plan={plan.id}&all=1&q=第2").get_data(as_text=True))) == 8
    # As role-checked as the board itself.
    assert signed_in(app, org.staff_a).get(f"/work/board?plan={plan.id}&all=1").status_code == 403


@pytest.mark.parametrize("page, shown", [("abc", 1), ("0", 1), ("-3", 1), ("1.5", 1), ("99999999999", 1), ("7", 2)])
def test_a_bad_or_past_the_end_page_number_shows_a_page(app, many_sections, page, shown):
    org, plan = many_sections
    response = signed_in(app, org.reviewer).get(f"/work/board?plan={plan.id}&page={page}")
    assert response.status_code == 200
    assert f"第 {shown} / 2 页" in response.get_data(as_text=True)


@pytest.mark.parametrize("query, message", [
    ("q=" + "科" * 51, "科室名称最多 50 个字。"),
    ("urgent=yes", "“只看逾期或即将到期”的取值无效。"),
])
def test_a_bad_filter_is_refused_in_words_and_the_board_shown_unfiltered(app, many_sections, query, message):
    org, plan = many_sections
    response = signed_in(app, org.office).get(f"/work/board?plan={plan.id}&{query}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and 'data-testid="board-filter-error"' in html
    assert len(listed(html)) == 25 and totals_row(html)[-1] == "27"


def test_the_english_board_names_its_filter_and_pages(app, many_sections):
    org, plan = many_sections
    office = signed_in(app, org.office)
    assert post(office, "/language/en").status_code == 302
    html = office.get(f"/work/board?plan={plan.id}&q=第").get_data(as_text=True)
    assert "Only overdue or due soon" in html and "Show all (for printing)" in html
    assert "Page 1 of 2, 27 sections in all" in html
