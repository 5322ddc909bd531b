"""The review page's hand-written forms (a finding's note, a comment): a refused value is named
by the service, its field marked and linked from the error summary; nothing saved.
(The other hand-written forms: tests/test_field_errors.py.)"""
from decimal import Decimal

import pytest

from tests import factories
from tests.conftest import post, signed_in
from tests.test_accessibility_pages import Elements
from tests.test_field_errors import assert_marked, summary_links
from tests.test_review import comment_count, indicator, reload, world  # noqa: F401 (a fixture)
from workflow.engine import actions
from workflow.errors import ServiceError
from workflow.extensions import db
from workflow.models import FindingNote
from workflow.review import checks, services

CODE = "text_amount:206.4"


@pytest.fixture
def flagged(world):
    org, plan = world
    evaluation = factories.make_evaluation(plan, org, "self_evaluating", name="有问题的项目")
    factories.fill_complete(evaluation)
    next(s for s in evaluation.narrative if s.key == "purpose").text = "利用剩余资金206.4万元。"
    indicator(evaluation, "数量指标").actual = Decimal("90")
    db.session.commit()
    actions.perform(evaluation.id, "submit", org.staff_a)
    return org, reload(evaluation.id)


def notes():
    return db.session.query(FindingNote).count()


def test_the_review_services_name_the_refused_field(flagged):
    org, evaluation = flagged
    with pytest.raises(ServiceError) as refused:
        checks.explain(evaluation, CODE, "  ", org.reviewer)
    assert list(refused.value.fields) == ["note"]
    with pytest.raises(ServiceError) as refused:
        services.add_comment(evaluation, org.reviewer, "general", "长" * 2001)
    assert list(refused.value.fields) == ["text"]
    with pytest.raises(ServiceError) as refused:
        services.add_comment(evaluation, org.reviewer, "nowhere", "请核对。")
    assert list(refused.value.fields) == ["target"]
    assert notes() == 0 and comment_count() == 0


def test_the_review_page_marks_the_refused_note_and_comment(app, flagged):
    org, evaluation = flagged
    reviewer = signed_in(app, org.reviewer)
    url = f"/evaluations/{evaluation.id}/review"
    answer = post(reviewer, url, {"action": "explain", "code": CODE, "note": " "})
    assert answer.status_code == 422
    page = Elements(answer.get_data(as_text=True))
    (note,) = [a for _t, a in page.tags if a.get("id") == f"note-{CODE}"]
    assert note["aria-invalid"] == "true" and "is-invalid" in note["class"]
    assert "请填写说明" in page.text_of[note["aria-describedby"]]
    assert summary_links(page) == [f"#note-{CODE}"]
    # The other finding's note is not marked.
    others = [a for _t, a in page.tags if a.get("name") == "note" and a["id"] != f"note-{CODE}"]
    assert others and all("aria-invalid" not in a for a in others)

    answer = post(reviewer, url, {"target": "general", "text": "长" * 2001})
    assert answer.status_code == 422
    page = Elements(answer.get_data(as_text=True))
    assert_marked(page, "text", "意见不能超过 2000 个字")
    assert summary_links(page) == ["#text"]
    assert notes() == 0 and comment_count() == 0
