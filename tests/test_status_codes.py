"""Honest status codes: a refused POST answers 403 when it is not the person's to do, 409 when
the page was stale or the thing is already done, 422 when a value is wrong — on the pages with
the same page and its Chinese reason, in the API with its JSON error — and changes nothing.
Whether the person may act is answered before what they typed."""
import io
import re

import pytest
from sqlalchemy import func, select

from tests.api_helpers import ApiClient, assert_error
from tests.conftest import csrf_token, signed_in
from tests.factories import include_in_submission, make_evaluation, make_setup
from workflow.extensions import db
from workflow.models import Attachment, AuditRecord, Evaluation
from workflow.selfeval import content

HAN = re.compile(r"[\u4e00-\u9fff]")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(app):
    org, plan = make_setup()
    own = make_evaluation(plan, org, "self_evaluating")  # section A's
    reported = make_evaluation(plan, org, "approved", name="已报送项目")
    include_in_submission(reported, org.office)
    from workflow.engine import actions

    actions.perform(reported.id, "report", org.office)
    clients = {name: signed_in(app, getattr(org, name)) for name in ("staff_a", "staff_b", "reviewer", "finance")}
    return org, own, reported, clients


def observed(evaluation_id):
    """What any of these requests could change."""
    db.session.expire_all()
    evaluation = db.session.get(Evaluation, evaluation_id)
    return (evaluation.state, evaluation.version, content.serialize(evaluation),
            db.session.scalar(select(func.count()).select_from(AuditRecord)),
            db.session.scalar(select(func.count()).select_from(Attachment)))


def version_of(evaluation_id):
    db.session.expire_all()
    return str(db.session.get(Evaluation, evaluation_id).version)


def form_post(client, url, data, **kwargs):
    return client.post(url, data={"csrf_token": csrf_token(client), **data}, **kwargs)


def transition(client, evaluation_id, trigger, version=None, comment=""):
    return form_post(client, f"/evaluations/{evaluation_id}/transition",
                     {"trigger": trigger, "version": version or version_of(evaluation_id), "comment": comment})


def save_form(client, evaluation_id, version=None, **fields):
    return form_post(client, f"/evaluations/{evaluation_id}/form",
                     {"version": version or version_of(evaluation_id), **fields})


def upload(client, evaluation_id, data=PDF):
    return form_post(client, f"/evaluations/{evaluation_id}/evidence",
                     {"file": (io.BytesIO(data), "佐证.pdf")}, content_type="multipart/form-data")


# (who, what they post, on which evaluation, the status) — one row per kind of refusal.
PAGE_REFUSALS = [
    ("finance", "transition", "reported", 403),
    ("finance", "form", "reported", 403),
    ("finance", "evidence", "reported", 403),
    ("staff_b", "transition", "own", 403),   # another section's evaluation
    ("staff_b", "form", "own", 403),
    ("staff_b", "evidence", "own", 403),
    ("reviewer", "form-invalid", "own", 403),  # the right is asked before the values
    ("staff_a", "form-stale", "own", 409),
    ("staff_a", "transition-stale", "own", 409),
    ("staff_a", "form-invalid", "own", 422),
    ("staff_a", "transition-invalid", "own", 422),
    ("staff_a", "evidence-empty", "own", 422),
]


def send(client, what, evaluation_id):
    stale = str(int(version_of(evaluation_id)) - 1)
    return {
        "transition": lambda: transition(client, evaluation_id, "apply" if what == "transition" else "submit"),
        "form": lambda: save_form(client, evaluation_id, overall_achievement="越权改动"),
        "evidence": lambda: upload(client, evaluation_id),
        "form-invalid": lambda: save_form(client, evaluation_id, **{"funding-total-annual_budget": "二百万"}),
        "form-stale": lambda: save_form(client, evaluation_id, version=stale, overall_achievement="旧页面"),
        "transition-stale": lambda: transition(client, evaluation_id, "submit", version=stale),
        "transition-invalid": lambda: transition(client, evaluation_id, "submit", version="abc"),
        "evidence-empty": lambda: upload(client, evaluation_id, data=b""),
    }[what]()


@pytest.mark.parametrize("who, what, which, status", PAGE_REFUSALS,
                         ids=[f"{w}-{what}-{s}" for w, what, _x, s in PAGE_REFUSALS])
def test_a_refused_post_answers_its_status_with_a_chinese_page_and_changes_nothing(world, who, what, which, status):
    org, own, reported, clients = world
    evaluation_id = {"own": own.id, "reported": reported.id}[which]
    if what == "transition" and which == "own":
        from tests.factories import fill_complete

        fill_complete(db.session.get(Evaluation, evaluation_id))  # complete: only the section rule stops it
    before = observed(evaluation_id)
    response = send(clients[who], what, evaluation_id)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert "text/html" in response.content_type and HAN.search(response.get_data(as_text=True))
    assert observed(evaluation_id) == before


def test_the_refusal_is_shown_on_the_page_it_came_from(world):
    _org, own, _reported, clients = world
    response = transition(clients["staff_a"], own.id, "submit")  # the form is not complete
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "自评尚未填写完整" in page
    assert 'data-testid="history"' in page or "流转记录" in page  # the evaluation page itself, not an error page


# The API -------------------------------------------------------------------------------------


def test_the_api_asks_the_objects_rule_before_the_body(app, world):
    org, own, reported, _clients = world
    api = {name: ApiClient(app, getattr(org, name)) for name in ("staff_a", "reviewer", "finance")}
    url = f"/api/v1/evaluations/{own.id}"
    before = observed(own.id)
    # A body the schema refuses (no version, a wrong type): the reviewer may not save at all.
    assert_error(api["reviewer"].patch(url, {"version": "x", "overall_target": 5}), 403, "refused")
    assert_error(api["finance"].post(f"/api/v1/evaluations/{reported.id}/transitions", {"trigger": 5}),
                 403, "refused")
    # The section's own staff get the body's messages.
    error = assert_error(api["staff_a"].patch(url, {"version": "x"}), 422, "invalid")
    assert error["details"]
    version = int(version_of(own.id))
    assert_error(api["staff_a"].patch(url, {"version": version - 1, "overall_achievement": "旧"}), 409,
                 "version_conflict")
    assert_error(api["staff_a"].patch(url, {"version": version, "funding": {"total": {"executed": "x"}}}), 422,
                 "invalid")
    assert observed(own.id) == before
