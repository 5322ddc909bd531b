"""Long lists come in pages: the task lists and the review queue show PAGE_SIZE rows with
previous / next links, and the review queue names the first unsubmitted projects and says how
many more there are."""
import re

from tests.conftest import signed_in
from tests.factories import make_evaluation, make_project, make_setup
from workflow.pagination import PAGE_SIZE, page_number
from workflow.review import routes as review_routes
from workflow.review import services as review


def task_names(response):
    body = response.get_data(as_text=True).split('data-testid="task-list"')[1].split("</table>")[0]
    return re.findall(r'/evaluations/\d+">([^<]+)</a>', body)


def test_the_inbox_shows_one_page_at_a_time(app):
    org, plan = make_setup()
    names = [f"项目{n:02d}" for n in range(PAGE_SIZE + 3)]
    for name in names:
        make_project(plan, name, org.section_a, org.office)  # each waits in 准备中 for section A
    client = signed_in(app, org.staff_a)

    first = client.get("/work/inbox")
    html = first.get_data(as_text=True)
    assert len(task_names(first)) == PAGE_SIZE
    assert f"第 1 / 2 页，共 {PAGE_SIZE + 3} 项" in html
    assert 'href="/work/inbox?page=2"' in html and "上一页" not in html

    second = client.get("/work/inbox?page=2")
    assert len(task_names(second)) == 3
    assert set(task_names(first)) | set(task_names(second)) == set(names)
    assert 'href="/work/inbox?page=1"' in second.get_data(as_text=True)
    # A page past the end shows the last one; a page that is not a number, the first.
    assert task_names(client.get("/work/inbox?page=9")) == task_names(second)
    assert task_names(client.get("/work/inbox?page=x")) == task_names(first)


def test_a_short_list_has_no_pager(app):
    org, plan = make_setup()
    make_project(plan, "应急物资储备项目", org.section_a, org.office)
    html = signed_in(app, org.staff_a).get("/work/inbox").get_data(as_text=True)
    assert 'data-testid="pager"' not in html


def test_the_section_queue_keeps_its_section_across_pages(app):
    org, plan = make_setup()
    for n in range(PAGE_SIZE + 1):
        make_project(plan, f"项目{n:02d}", org.section_b, org.office)
    html = signed_in(app, org.office).get(f"/work/section?section={org.section_b.id}").get_data(as_text=True)
    assert f"/work/section?section={org.section_b.id}&amp;page=2" in html


def test_review_queue_pages_keep_the_order_and_the_findings(app):
    org, plan = make_setup()
    evaluations = [make_evaluation(plan, org, "submitted", name=f"待复核项目{n}") for n in range(3)]
    first, second = review.queue_page(1, size=2), review.queue_page(2, size=2)
    assert (first.total, first.pages, second.number) == (3, 2, 2)
    ids = [e.id for e, _open, _all in first.items + second.items]
    assert ids == [e.id for e, _open, _all in review.queue()] == [e.id for e in evaluations]
    assert [row[1:] for row in first.items + second.items] == [row[1:] for row in review.queue()]


def test_review_queue_names_the_first_unsubmitted_projects_and_counts_the_rest(app, monkeypatch):
    org, plan = make_setup()
    for n in range(4):
        make_project(plan, f"未提交项目{n}", org.section_a, org.office)
    monkeypatch.setattr(review_routes, "PLAN_FINDINGS_SHOWN", 3)
    html = signed_in(app, org.reviewer).get("/evaluations/review").get_data(as_text=True)
    assert html.count("尚未提交自评。") == 4  # three named, and the line for the rest
    assert "……另有 1 个项目尚未提交自评。" in html


def test_page_numbers_from_the_query_string():
    assert [page_number(raw) for raw in (None, "", "0", "-1", "abc", "3", "100001")] == [1, 1, 1, 1, 1, 3, 1]
