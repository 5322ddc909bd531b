"""Accessibility the server renders (no browser): errors tied to their fields, in the WTForms
forms and in the 自评表; fields named by their row; the landmarks, the skip link and the print
header of every page; the board's marks told apart by shape and words, not only colour.
tests/test_accessibility_browser.py runs axe-core over the same pages in Chromium."""
import re
from html.parser import HTMLParser

import pytest

from tests import factories
from tests.conftest import post, signed_in
from tests.test_meetings_pages import form_data
from workflow import demo_content
from workflow.extensions import db
from workflow.models import Evaluation


class Elements(HTMLParser):
    """Every start tag's attributes, and the text inside each element with an id."""

    def __init__(self, html):
        super().__init__()
        self.tags, self.text_of, self._open = [], {}, []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag not in ("input", "meta", "link", "br", "img", "hr"):
            self._open.append(attributes.get("id"))
            if attributes.get("id"):
                self.text_of[attributes["id"]] = ""

    def handle_endtag(self, tag):
        if tag not in ("input", "meta", "link", "br", "img", "hr") and self._open:
            self._open.pop()

    def handle_data(self, data):
        for element_id in self._open:
            if element_id:
                self.text_of[element_id] += data

    def find(self, tag, **wanted):
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in wanted.items())]


@pytest.fixture
def mine(app):
    org, plan = factories.make_setup()
    demo_content.adjust_plan_framework(plan)
    project = factories.make_project(plan, factories.SEED_MINE, org.section_a, org.office)
    factories.walk_to(project.evaluation, "self_evaluating", org)
    return org, project.evaluation.id


def test_every_page_has_landmarks_a_skip_link_and_a_print_header(app, mine):
    org, _evaluation_id = mine
    page = Elements(signed_in(app, org.staff_a).get("/").get_data(as_text=True))
    skip = page.find("a", **{"class": "skip-link"})
    assert skip and skip[0]["href"] == "#main"
    assert page.find("main", id="main")
    assert page.find("header") and page.find("footer")
    assert [a.get("aria-label") for a in page.find("nav")] and all(a.get("aria-label") for a in page.find("nav"))
    # The print header: the page's title and the time it is printed.
    assert "工作台 · 绩效评价工作台" in page.text_of.get("main", "")
    assert re.search(r"打印时间：\d{4}-\d\d-\d\d \d\d:\d\d", page.text_of["main"])
    # The live region that announces a form's errors.
    assert any("data-form-errors" in a and a.get("role") == "alert" for _t, a in page.tags)


def test_a_refused_wtforms_field_is_marked_and_described_by_its_message(app):
    org, plan = factories.make_setup()
    office = signed_in(app, org.office)
    response = post(office, "/meetings/new", form_data(plan_id=str(plan.id), title=""))
    assert response.status_code == 422
    page = Elements(response.get_data(as_text=True))
    (title,) = page.find("input", name="title")
    assert title["aria-invalid"] == "true" and "is-invalid" in title["class"]
    message_id = title["aria-describedby"].split()[0]
    assert message_id == "title-error" and page.text_of[message_id].strip()
    # The fields that are fine are not marked.
    (place,) = page.find("input", name="place")
    assert "aria-invalid" not in place and "is-invalid" not in place["class"]


def test_a_bad_amount_in_the_self_evaluation_marks_its_field_and_saves_nothing(app, mine):
    org, evaluation_id = mine
    staff = signed_in(app, org.staff_a)
    form = Elements(staff.get(f"/evaluations/{evaluation_id}/form").get_data(as_text=True))
    version = form.find("input", name="version")[0]["value"]
    response = post(staff, f"/evaluations/{evaluation_id}/form", {
        "version": version, "funding-total-initial_budget": "12O.5", "funding-total-annual_budget": "-3",
        "leader_name": "李四"})
    assert response.status_code == 422
    page = Elements(response.get_data(as_text=True))
    for name, says in (("funding-total-initial_budget", "应为数字"), ("funding-total-annual_budget", "不能为负数")):
        (field,) = page.find("input", name=name)
        assert field["id"] == name and field["aria-invalid"] == "true" and "is-invalid" in field["class"], name
        assert says in page.text_of[field["aria-describedby"]], name
        assert field["value"] != ""  # what was typed is shown again
    # The summary: announced, focusable, one link to each field.
    (summary,) = [a for _t, a in page.tags if "data-error-summary" in a]
    assert summary["role"] == "alert" and summary["tabindex"] == "-1"
    links = [a["href"] for a in page.find("a", **{"class": "alert-link"})]
    assert links == ["#funding-total-initial_budget", "#funding-total-annual_budget"]
    # A field that was fine is not marked; nothing was saved (the leader's name neither).
    (leader,) = page.find("input", name="leader_name")
    assert "aria-invalid" not in leader
    db.session.expire_all()
    assert db.session.get(Evaluation, evaluation_id).project.leader_name != "李四"


def test_the_self_evaluations_row_fields_are_named_by_their_row(app, mine):
    org, evaluation_id = mine
    page = Elements(signed_in(app, org.staff_a).get(f"/evaluations/{evaluation_id}/form").get_data(as_text=True))
    actuals = [a["aria-label"] for a in page.find("input") if a.get("name", "").endswith("-actual")]
    assert len(actuals) > 5 and len(set(actuals)) == len(actuals)
    assert all(label.startswith("实际完成值 · ") for label in actuals)
    names = [a["aria-label"] for a in page.find("input") if re.fullmatch(r"ind-\d+-name", a.get("name", ""))]
    assert len(set(names)) == len(names)
    funding = [a["aria-label"] for a in page.find("input") if a.get("name", "").startswith("funding-")]
    assert "年初预算数 · 年度资金总额" in funding and len(set(funding)) == len(funding)


def test_the_boards_marks_differ_in_shape_and_say_their_state(app, mine):
    org, _evaluation_id = mine
    html = signed_in(app, org.office).get("/work/board").get_data(as_text=True)
    legend = Elements(html)
    assert {"mark-dot mark-red", "mark-dot mark-yellow", "mark-dot mark-green"} <= {
        a.get("class") for a in legend.find("span")}
    row = html.split(f'<tr data-section="{factories.SECTION_A}"')[1].split("</tr>")[0]
    assert re.search(r'<span class="visually-hidden">(已逾期|即将到期|正常)</span>', row)
    assert f'<th scope="row">{factories.SECTION_A}</th>' in row
