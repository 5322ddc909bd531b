"""Every API resource read with its role rules, meetings' replies and sign-ins, and the error
shape (JSON, stable code, Chinese message) for each kind of bad request."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.api_helpers import ApiClient, assert_error
from tests.factories import make_project, make_setup, walk_to
from tests.test_meetings import START, make_meeting
from workflow import clock
from workflow.extensions import db
from workflow.meetings import tokens
from workflow.models import MeetingInvitee, MeetingSignin

ROLES = ("office", "leader", "reviewer", "staff_a", "staff_b", "finance", "admin")


@pytest.fixture
def world(app):
    org, plan = make_setup()
    project = make_project(plan, "应急物资储备项目", org.section_a, org.office)
    make_project(plan, "危化品监管项目", org.section_b, org.office)
    api = {name: ApiClient(app, getattr(org, name)) for name in ROLES}
    return org, plan, project, api


def test_plans_stages_and_projects(world):
    org, plan, project, api = world
    for name in ("office", "leader", "reviewer", "staff_a", "finance"):
        plans = api[name].get("/api/v1/plans").get_json()
        assert [p["id"] for p in plans] == [plan.id]
    detail = api["staff_a"].get(f"/api/v1/plans/{plan.id}").get_json()
    assert detail["title"] == plan.title and detail["budget_year"] == 2019
    assert {m["group_role"] for m in detail["group"]} == {"leader", "deputy", "member"}
    stages = api["staff_a"].get(f"/api/v1/plans/{plan.id}/stages").get_json()
    assert [s["kind"] for s in stages] == [s.kind for s in plan.stages] and stages[0]["due_date"]
    projects = api["office"].get(f"/api/v1/plans/{plan.id}/projects").get_json()
    assert {p["name"] for p in projects} == {"应急物资储备项目", "危化品监管项目"}
    only_a = api["office"].get(f"/api/v1/plans/{plan.id}/projects?section={org.section_a.id}").get_json()
    assert [p["name"] for p in only_a] == ["应急物资储备项目"]
    assert only_a[0]["state"] == "preparing" and only_a[0]["state_label"] == "准备中"
    one = api["reviewer"].get(f"/api/v1/projects/{project.id}").get_json()
    assert one["evaluation_id"] == project.evaluation.id
    # The administrator manages people, not plans: the role mark refuses, as on the pages.
    assert_error(api["admin"].get("/api/v1/plans"), 403, "forbidden")
    assert_error(api["office"].get("/api/v1/plans/999999"), 404, "not_found")
    assert_error(api["office"].get(f"/api/v1/plans/{plan.id}/projects?section=abc"), 422, "invalid")


def test_each_reads_the_evaluations_the_pages_show_them(world):
    org, plan, project, api = world
    evaluation = project.evaluation
    for name in ("office", "leader", "reviewer", "staff_a"):
        read = api[name].get(f"/api/v1/evaluations/{evaluation.id}")
        assert read.status_code == 200, (name, read.get_json())
    for name in ("staff_b", "finance", "admin"):
        assert_error(api[name].get(f"/api/v1/evaluations/{evaluation.id}"), 403, "forbidden")
    # Each sees the buttons the page would show them.
    assert [t["trigger"] for t in api["office"].get(f"/api/v1/evaluations/{evaluation.id}/transitions").get_json()] \
        == ["open_self_evaluation"]
    assert api["staff_a"].get(f"/api/v1/evaluations/{evaluation.id}/transitions").get_json() == []
    history = api["staff_a"].get(f"/api/v1/evaluations/{evaluation.id}/history").get_json()
    assert history[0]["action"] == "create"


def test_the_inbox_is_the_users_own(world):
    org, plan, project, api = world
    tasks = api["staff_a"].get("/api/v1/tasks").get_json()
    assert [t["project"] for t in tasks] == ["应急物资储备项目"]
    assert tasks[0]["evaluation_id"] == project.evaluation.id and tasks[0]["label"] == "设定绩效目标"
    assert [t["project"] for t in api["staff_b"].get("/api/v1/tasks").get_json()] == ["危化品监管项目"]
    assert api["finance"].get("/api/v1/tasks").get_json() == []
    # Claiming: one's own section's task only, once.
    task_id = tasks[0]["id"]
    assert_error(api["staff_b"].post(f"/api/v1/tasks/{task_id}/claim"), 403, "forbidden")
    claimed = api["staff_a"].post(f"/api/v1/tasks/{task_id}/claim")
    assert claimed.status_code == 200 and claimed.get_json()["assignee"] == org.staff_a.full_name
    assert_error(api["staff_a"].post(f"/api/v1/tasks/{task_id}/claim"), 409, "duplicate")
    assert_error(api["staff_a"].post("/api/v1/tasks/999999/claim"), 404, "not_found")
    walk_to(project.evaluation, "submitted", org)
    assert [t["project"] for t in api["reviewer"].get("/api/v1/tasks").get_json()] == ["应急物资储备项目"]
    assert api["staff_a"].get("/api/v1/tasks?view=overdue").status_code == 200
    assert_error(api["staff_a"].get("/api/v1/tasks?view=everything"), 422, "invalid")


def test_meetings_replies_and_sign_ins(app, world):
    org, plan, project, api = world
    meeting = make_meeting(plan, org)  # invitees: staff_a, staff_a2, staff_b; published on 6月15日
    hidden = make_meeting(plan, org, invitees=[org.staff_b])
    draft = make_meeting(plan, org, publish=False)

    assert [m["id"] for m in api["staff_a"].get("/api/v1/meetings").get_json()] == [meeting.id]
    assert {m["id"] for m in api["office"].get("/api/v1/meetings").get_json()} == {meeting.id, hidden.id, draft.id}
    assert_error(api["staff_a"].get(f"/api/v1/meetings/{hidden.id}"), 403, "forbidden")
    detail = api["staff_a"].get(f"/api/v1/meetings/{meeting.id}").get_json()
    assert detail["invited"] is True and detail["my_reply"]["attending"] is None
    assert detail["place"] == "应急管理局2603会议室" and detail["registration_open"] is True

    # Registration (培训登记): the invitee answers; a refusal needs a reason.
    error = assert_error(api["staff_a"].put(f"/api/v1/meetings/{meeting.id}/registration",
                                            {"attending": False}), 422, "invalid")
    assert "原因" in error["message"]
    reply = api["staff_a"].put(f"/api/v1/meetings/{meeting.id}/registration",
                               {"attending": True, "name": "原立吉", "phone": "0314-2150000"})
    assert reply.status_code == 200 and reply.get_json()["attending"] is True
    assert_error(api["reviewer"].put(f"/api/v1/meetings/{meeting.id}/registration", {"attending": True}),
                 403, "forbidden")
    replies = api["office"].get(f"/api/v1/meetings/{meeting.id}/registrations").get_json()
    assert {(r["name"], r["response"]) for r in replies} >= {("原立吉", "attend")}
    assert sum(1 for r in replies if r["response"] is None) == 2
    assert_error(api["staff_a"].get(f"/api/v1/meetings/{meeting.id}/registrations"), 403, "forbidden")

    # Sign-in with the QR code's token, in the window; twice keeps the first.
    clock.freeze(START - timedelta(minutes=10))
    token = tokens.qr_token(meeting.id)
    first = api["staff_a"].post(f"/api/v1/meetings/{meeting.id}/signins", {"token": token})
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["created"] is True and first.get_json()["signin"]["late"] is False
    again = api["staff_a"].post(f"/api/v1/meetings/{meeting.id}/signins", {"token": token})
    assert again.get_json()["created"] is False
    assert_error(api["staff_b"].post(f"/api/v1/meetings/{meeting.id}/signins", {"token": "forged"}),
                 403, "token_refused")
    assert_error(api["reviewer"].post(f"/api/v1/meetings/{meeting.id}/signins", {"token": token}),
                 403, "not_invited")
    error = assert_error(api["staff_a"].post(f"/api/v1/meetings/{draft.id}/signins",
                                             {"token": tokens.qr_token(draft.id)}), 422, "invalid")
    assert "尚未发布" in error["message"]
    # 代签 by the office, with a note.
    staff_b_row = db.session.scalar(select(MeetingInvitee).where(MeetingInvitee.meeting_id == meeting.id,
                                                                 MeetingInvitee.user_id == org.staff_b.id))
    proxy = api["office"].post(f"/api/v1/meetings/{meeting.id}/signins/proxy",
                               {"invitee_id": staff_b_row.id, "note": "本人纸质签到"})
    assert proxy.status_code == 200 and proxy.get_json()["method"] == "proxy"
    assert_error(api["staff_a"].post(f"/api/v1/meetings/{meeting.id}/signins/proxy",
                                     {"invitee_id": staff_b_row.id, "note": "x"}), 403, "forbidden")
    board = api["office"].get(f"/api/v1/meetings/{meeting.id}/signins").get_json()
    assert board["summary"]["signed_in"] == 2 and board["summary"]["training_person_times"] == 2
    assert db.session.query(MeetingSignin).count() == 2
    assert_error(api["staff_a"].get(f"/api/v1/meetings/{meeting.id}/signins"), 403, "forbidden")
    # Sign-in closes after the window.
    clock.freeze(START + timedelta(hours=5))
    late = ApiClient(app, org.staff_a2)
    assert_error(late.post(f"/api/v1/meetings/{meeting.id}/signins", {"token": tokens.qr_token(meeting.id)}),
                 409, "window")
    assert db.session.query(MeetingSignin).count() == 2


def test_submissions_are_read_by_the_submission_roles(world):
    org, plan, project, api = world
    for name in ("office", "leader", "finance"):
        assert api[name].get("/api/v1/submissions").get_json() == []
    for name in ("reviewer", "staff_a", "admin"):
        assert_error(api[name].get("/api/v1/submissions"), 403, "forbidden")
    assert_error(api["finance"].get("/api/v1/submissions/999999"), 404, "not_found")
    assert_error(api["office"].get("/api/v1/submissions?plan=999999"), 404, "not_found")
    # Composing is the office's: an evaluation not (or no longer) approved is a Chinese 409.
    error = assert_error(api["office"].post("/api/v1/submissions", {
        "plan_id": plan.id, "evaluation_ids": [project.evaluation.id], "title": "报送"}), 409, "version_conflict")
    assert "已审批" in error["message"] or "未审批" in error["message"]
    assert_error(api["leader"].post("/api/v1/submissions", {
        "plan_id": plan.id, "evaluation_ids": [project.evaluation.id], "title": "报送"}), 403, "forbidden")


def test_errors_are_json_with_a_code_and_a_chinese_message(app, world):
    org, plan, project, api = world
    office = api["office"]
    assert_error(office.get("/api/v1/no-such-thing"), 404, "not_found")
    assert_error(office.client.get("/api/v1/no-such-thing"), 404, "not_found")
    response = office.client.delete("/api/v1/plans", headers=office.headers)
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]
    bad_json = office.client.post(f"/api/v1/evaluations/{project.evaluation.id}/transitions",
                                  data="{not json", content_type="application/json", headers=office.headers)
    assert_error(bad_json, 400, "bad_request")
    error = assert_error(office.post(f"/api/v1/evaluations/{project.evaluation.id}/transitions", {}), 422, "invalid")
    assert error["details"] == {"trigger": "此项为必填项。", "version": "此项为必填项。"}
    error = assert_error(office.post(f"/api/v1/evaluations/{project.evaluation.id}/transitions",
                                     {"trigger": "submit", "version": 0, "colour": "red"}), 422, "invalid")
    assert error["details"] == {"version": "应在 1 到 2147483647 之间。", "colour": "不认识的字段。"}
    error = assert_error(office.post(f"/api/v1/evaluations/{project.evaluation.id}/transitions",
                                     {"trigger": "fly", "version": 1}), 422, "invalid")
    assert "未知的操作" in error["message"]
    assert_error(office.get("/api/v1/evaluations/99999999999999999999"), 404, "not_found")
    assert_error(office.client.get("/api/v1/plans"), 401, "unauthorized")
    # The pages keep their HTML error pages.
    page = app.test_client().get("/no-such-page")
    assert page.status_code == 404 and not page.is_json


def test_chinese_travels_as_utf8_not_escapes(app, world):
    """curl users read the messages as they are; the JSON is the same either way."""
    response = app.test_client().get("/api/v1/plans")
    raw = response.get_data()
    assert "需要有效的 API 令牌".encode() in raw and b"\\u" not in raw
    assert response.mimetype == "application/json"
