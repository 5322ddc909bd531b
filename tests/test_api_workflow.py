"""An evaluation saved and walked through the workflow by the JSON API alone, with the same
rules as the pages: the section's own evaluations only, the roles of each transition, the
version the client read (a stale one is a 409), validation in Chinese with nothing saved."""
from datetime import datetime, timezone

import pytest

from tests.api_helpers import ApiClient, assert_error
from tests.factories import fill_complete, make_project, make_setup, walk_to
from workflow import clock
from workflow.extensions import db
from workflow.models import Evaluation


@pytest.fixture
def world(app):
    clock.freeze(datetime(2020, 6, 25, 2, 0, tzinfo=timezone.utc))  # 自评阶段
    org, plan = make_setup()
    evaluation = make_project(plan, "非煤矿山安全生产监管项目", org.section_a, org.office).evaluation
    clients = {name: ApiClient(app, getattr(org, name))
               for name in ("office", "staff_a", "staff_b", "reviewer", "leader", "finance", "admin")}
    return org, plan, evaluation, clients


def url(evaluation, tail=""):
    return f"/api/v1/evaluations/{evaluation.id}{tail}"


def fire(client, evaluation, trigger, version, comment=""):
    return client.post(url(evaluation, "/transitions"), {"trigger": trigger, "version": version, "comment": comment})


def test_the_whole_workflow_through_the_api(app, world):
    org, plan, evaluation, api = world
    # The office opens self-evaluation.
    read = api["office"].get(url(evaluation)).get_json()
    assert read["state"] == "preparing"
    assert "open_self_evaluation" in [t["trigger"] for t in read["transitions"]]
    response = fire(api["office"], evaluation, "open_self_evaluation", read["version"])
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["to_state"] == "self_evaluating"

    # The section reads its evaluation and saves part of it; the server scores.
    read = api["staff_a"].get(url(evaluation)).get_json()
    assert read["may_edit"] is True and read["problems"]
    rate_row = next(i for i in read["content"]["indicators"] if i["kind"] == "execution_rate")
    response = api["staff_a"].patch(url(evaluation), {
        "version": read["version"],
        "overall_achievement": "完成了年度目标。",
        "funding": {"total": {"initial_budget": "206.632", "annual_budget": "206.632", "executed": "172.743"}},
        "indicators": [{"id": rate_row["id"], "applicable": True}],
        "narrative": {plan.report_sections[0].key: "项目基本情况：内容。"},
    })
    assert response.status_code == 200, response.get_json()
    saved = response.get_json()
    assert saved["version"] > read["version"]
    assert saved["content"]["overall_achievement"] == "完成了年度目标。"
    assert saved["content"]["funding"]["total"]["executed"] == "172.743"
    assert saved["content"]["narrative"] == {plan.report_sections[0].key: "项目基本情况：内容。"}
    rate = next(i for i in saved["content"]["indicators"] if i["id"] == rate_row["id"])
    assert rate["score"] is not None  # computed by the server from the budget block

    # Incomplete: submission is refused, with the reason, and nothing moves.
    assert_error(fire(api["staff_a"], evaluation, "submit", saved["version"]), 403, "refused")
    db.session.expire_all()  # the API changed the row: read it afresh before filling it in
    fill_complete(db.session.get(Evaluation, evaluation.id))
    version = api["staff_a"].get(url(evaluation)).get_json()["version"]
    response = fire(api["staff_a"], evaluation, "submit", version)
    assert response.get_json()["to_state"] == "submitted"

    # The reviewer returns it (a comment is required), the section resubmits, review passes.
    version = response.get_json()["evaluation"]["version"]
    assert_error(fire(api["reviewer"], evaluation, "return_for_revision", version), 422, "invalid")
    response = fire(api["reviewer"], evaluation, "return_for_revision", version, "请补充佐证材料。")
    assert response.get_json()["to_state"] == "returned"
    version = api["staff_a"].get(url(evaluation)).get_json()["version"]
    response = fire(api["staff_a"], evaluation, "resubmit", version)
    assert response.get_json()["to_state"] == "submitted"
    version = response.get_json()["evaluation"]["version"]
    # A reviewer may not approve; the leader may not yet (the state is wrong).
    assert_error(fire(api["reviewer"], evaluation, "approve", version), 403, "refused")
    response = fire(api["reviewer"], evaluation, "pass_review", version)
    assert response.get_json()["to_state"] == "reviewed"
    version = response.get_json()["evaluation"]["version"]
    response = fire(api["leader"], evaluation, "approve", version)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["to_state"] == "approved"

    # Frozen: the section cannot save any more.
    version = response.get_json()["evaluation"]["version"]
    assert_error(api["staff_a"].patch(url(evaluation), {"version": version, "overall_achievement": "改"}),
                 403, "refused")

    # The office reports it to the finance bureau, which then reads it; feedback; applied.
    assert_error(api["finance"].get(url(evaluation)), 403, "forbidden")
    response = api["office"].post("/api/v1/submissions", {
        "plan_id": plan.id, "evaluation_ids": [evaluation.id], "title": "2019年度重点评价报送"})
    assert response.status_code == 201, response.get_json()
    submission = response.get_json()["submission"]
    assert submission["rows"][0]["total_score"] == saved_score(evaluation)
    assert api["finance"].get(url(evaluation)).get_json()["state"] == "reported"
    assert api["finance"].get(f"/api/v1/submissions/{submission['id']}").get_json()["rows"][0]["evaluation_id"] == evaluation.id
    response = api["office"].put(url(evaluation, "/feedback"), {"feedback": "同意评价结论。"})
    assert response.get_json()["finance_feedback"] == "同意评价结论。"
    version = response.get_json()["version"]
    response = fire(api["office"], evaluation, "apply", version)
    assert response.get_json()["to_state"] == "applied"

    history = api["staff_a"].get(url(evaluation, "/history")).get_json()
    assert [h["action"] for h in history if h["from_state"] != h["to_state"]][-7:] == [
        "submit", "return_for_revision", "resubmit", "pass_review", "approve", "report", "apply"]
    assert any(h["comment"] == "请补充佐证材料。" for h in history)


def saved_score(evaluation):
    db.session.expire_all()
    return format(db.session.get(Evaluation, evaluation.id).total_score, "f")


def test_a_stale_version_is_a_conflict_and_changes_nothing(world):
    org, plan, evaluation, api = world
    walk_to(evaluation, "self_evaluating", org)
    version = api["staff_a"].get(url(evaluation)).get_json()["version"]
    assert api["staff_a"].patch(url(evaluation), {"version": version, "overall_achievement": "第一稿"}).status_code == 200
    # A second client still holds the old version.
    assert_error(api["staff_a"].patch(url(evaluation), {"version": version, "overall_achievement": "旧稿"}),
                 409, "version_conflict")
    assert_error(fire(api["staff_a"], evaluation, "submit", version), 409, "version_conflict")
    # Who may never fire it hears that first, stale page or not.
    assert_error(fire(api["office"], evaluation, "return_for_revision", version, "x"), 403, "refused")
    db.session.expire_all()
    assert db.session.get(Evaluation, evaluation.id).overall_achievement == "第一稿"


def test_another_section_can_neither_read_nor_save_nor_fire(world):
    org, plan, evaluation, api = world
    walk_to(evaluation, "self_evaluating", org)
    version = db.session.get(Evaluation, evaluation.id).version
    assert_error(api["staff_b"].get(url(evaluation)), 403, "forbidden")
    assert_error(api["staff_b"].patch(url(evaluation), {"version": version, "overall_achievement": "越权"}),
                 403, "forbidden")
    assert_error(fire(api["staff_b"], evaluation, "submit", version), 403, "forbidden")
    assert_error(api["staff_b"].get(url(evaluation, "/history")), 403, "forbidden")
    # An administrator has no part in the workflow.
    assert_error(api["admin"].get(url(evaluation)), 403, "forbidden")
    # Only the office records the bureau's feedback: the role mark, before any service.
    assert_error(api["staff_a"].put(url(evaluation, "/feedback"), {"feedback": "x"}), 403, "forbidden")
    db.session.expire_all()
    assert db.session.get(Evaluation, evaluation.id).overall_achievement == ""
    assert_error(api["staff_a"].get("/api/v1/evaluations/999999"), 404, "not_found")


def test_bad_values_are_refused_in_chinese_and_nothing_is_saved(world):
    org, plan, evaluation, api = world
    walk_to(evaluation, "self_evaluating", org)
    read = api["staff_a"].get(url(evaluation)).get_json()
    error = assert_error(api["staff_a"].patch(url(evaluation), {
        "version": read["version"], "overall_achievement": "应当不被保存",
        "funding": {"total": {"annual_budget": "二百万"}}}), 422, "invalid")
    # Refused by the schema the document publishes: the field named, nothing saved.
    assert "funding.total.annual_budget" in error["message"] and "万元" in error["message"]
    error = assert_error(api["staff_a"].patch(url(evaluation), {
        "version": read["version"], "indicators": [{"id": 2147483647, "actual": "1"}]}), 422, "invalid")
    assert "2147483647" in error["message"]
    error = assert_error(api["staff_a"].patch(url(evaluation), {
        "version": read["version"], "narrative": {"no-such-section": "正文"}}), 422, "invalid")
    assert "no-such-section" in error["message"]
    # Refused by the request schema: a missing version, a wrong type, a NUL character.
    for body in ({"overall_achievement": "x"}, {"version": "1"}, {"version": read["version"], "overall_target": "a\x00b"}):
        error = assert_error(api["staff_a"].patch(url(evaluation), body), 422, "invalid")
        assert error["details"]
    db.session.expire_all()
    assert db.session.get(Evaluation, evaluation.id).overall_achievement == ""
    assert db.session.get(Evaluation, evaluation.id).version == read["version"]
