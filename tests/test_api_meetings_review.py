"""The API does what the meeting, review, evidence and document pages do, under the same rules:
a meeting set up, its invitees added, published, replied to and reminded; attachments; the
consistency findings (the seed's 206.4万元) and their explanation; review comments; evidence
uploaded, read, downloaded, cited and deleted; every document downloaded. Each operation for
the roles that may and 403 for those that may not; bad values 422 in Chinese, nothing changed."""
import io
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.api_helpers import ApiClient, assert_error
from tests.test_meetings import START, make_meeting
from workflow import clock, demo_content
from workflow.engine import actions
from workflow.extensions import db
from workflow.models import (
    Attachment,
    FindingNote,
    Meeting,
    MeetingAttachment,
    MeetingInvitee,
    ReviewComment,
    SubmissionItem,
)

ROLES = ("office", "leader", "reviewer", "staff_a", "staff_b", "finance", "admin")
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world(app):
    org, plan = factories.make_setup()
    api = {name: ApiClient(app, getattr(org, name)) for name in ROLES}
    return org, plan, api


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# Meetings ---------------------------------------------------------------------------------


def meeting_body(plan, **changes):
    body = {"plan_id": plan.id, "title": "预算重点项目绩效评价工作培训会议", "kind": "training",
            "starts_at": "2020-06-20T09:00:00+08:00", "ends_at": "2020-06-20T11:30:00+08:00",
            "place": "应急管理局2603会议室", "purpose": "学习绩效评价政策。", "reply_by": "2020-06-18"}
    body.update(changes)
    return body


def test_a_meeting_created_invited_published_and_replied_to_through_the_api(world):
    org, plan, api = world
    clock.freeze(START - timedelta(days=5))
    office = api["office"]
    for name in ("staff_a", "reviewer", "leader", "finance"):
        assert_error(api[name].post("/api/v1/meetings", meeting_body(plan)), 403, "forbidden")
    # Bad values: 422 in Chinese, nothing stored.
    for body, field in ((meeting_body(plan, kind="party"), "kind"), (meeting_body(plan, title="会" * 201), "title"),
                        (meeting_body(plan, starts_at="2020-06-20T09:00:00"), "starts_at"),
                        (meeting_body(plan, place="会议室\x00"), "place"),
                        # Word and Excel files are XML, which cannot hold most control characters.
                        (meeting_body(plan, title="培训\x0b会议"), "title"),
                        (meeting_body(plan, signin_opens_before=5000), "signin_opens_before")):
        error = assert_error(office.post("/api/v1/meetings", body), 422, "invalid")
        assert field in error["details"], error
    error = assert_error(office.post("/api/v1/meetings", meeting_body(plan, starts_at="2020-06-20 9点")), 422, "invalid")
    assert error["details"]["starts_at"] == "应为带时区的时间，如 2020-06-20T09:00:00+08:00。"
    error = assert_error(office.post("/api/v1/meetings", meeting_body(plan, starts_at="0001-01-01T00:00:00+08:00")),
                         422, "invalid")
    assert "1990" in error["details"]["starts_at"]
    error = assert_error(office.post("/api/v1/meetings", meeting_body(plan, ends_at="2020-06-20T08:00:00+08:00")),
                         422, "invalid")
    assert "结束时间应晚于开始时间" in error["message"]
    assert_error(office.post("/api/v1/meetings", meeting_body(plan, plan_id=999999)), 404, "not_found")
    assert count(Meeting) == 0

    created = office.post("/api/v1/meetings", meeting_body(plan))
    assert created.status_code == 201, created.get_json()
    meeting = created.get_json()
    assert meeting["published"] is False and meeting["starts_at"].startswith("2020-06-20T01:00:00")
    url = f"/api/v1/meetings/{meeting['id']}"

    changed = office.patch(url, {"place": "应急管理局2605会议室"})
    assert changed.status_code == 200 and changed.get_json()["meeting"]["place"] == "应急管理局2605会议室"
    assert changed.get_json()["changes"] == []  # not published: nobody to tell
    assert_error(office.patch(url, {"reply_by": "2020-06-25"}), 422, "invalid")
    assert_error(api["staff_a"].patch(url, {"place": "别处"}), 403, "forbidden")
    assert_error(office.patch("/api/v1/meetings/999999", {"kind": "nope"}), 404, "not_found")

    # Invitees: people, a whole section, a guest; nobody twice.
    assert_error(office.post(f"{url}/publish"), 422, "invalid")  # nobody invited yet
    assert_error(office.post(f"{url}/invitees", {}), 422, "invalid")
    error = assert_error(office.post(f"{url}/invitees", {"guest": {"name": "张三", "unit": "市财政局",
                                                                   "phone": "电话"}}), 422, "invalid")
    assert "guest.phone" in error["details"]
    assert_error(api["staff_a"].post(f"{url}/invitees", {"user_ids": [org.staff_a.id]}), 403, "forbidden")
    added = office.post(f"{url}/invitees", {"user_ids": [org.staff_b.id], "section_ids": [org.section_a.id],
                                            "guest": {"name": "张三", "unit": "市财政局", "phone": "+86 0314-2150000"}})
    assert added.status_code == 200, added.get_json()
    assert added.get_json()["added"] == 4
    invitees = office.get(f"{url}/invitees").get_json()
    assert [i["name"] for i in invitees] == [org.staff_b.full_name, org.staff_a.full_name, org.staff_a2.full_name, "张三"]
    assert invitees[3]["guest"] is True and invitees[3]["phone"] == "+86 0314-2150000"
    assert office.post(f"{url}/invitees", {"user_ids": [org.staff_b.id]}).get_json()["added"] == 0
    assert_error(api["staff_a"].get(f"{url}/invitees"), 403, "forbidden")
    assert_error(office.delete(f"{url}/invitees/999999"), 404, "not_found")
    assert office.delete(f"{url}/invitees/{invitees[0]['invitee_id']}").status_code == 204
    assert count(MeetingInvitee, MeetingInvitee.meeting_id == meeting["id"]) == 3

    # Not published: the invitees do not see it yet.
    assert_error(api["staff_a"].get(url), 403, "forbidden")
    assert_error(api["staff_a"].post(f"{url}/publish"), 403, "forbidden")
    published = office.post(f"{url}/publish")
    assert published.status_code == 200, published.get_json()
    assert published.get_json()["notified"] == 2 and published.get_json()["mailed"] >= 0
    assert published.get_json()["meeting"]["published"] is True
    assert_error(office.post(f"{url}/publish"), 409, "conflict")
    assert_error(office.delete(url), 409, "conflict")

    # The invitee replies; the office reads the replies and reminds the one still silent.
    assert api["staff_a"].get(url).get_json()["invited"] is True
    reply = api["staff_a"].put(f"{url}/registration", {"attending": True, "name": org.staff_a.full_name,
                                                      "phone": "0314-2150000"})
    assert reply.status_code == 200, reply.get_json()
    assert_error(api["staff_a"].put(f"{url}/registration", {"attending": True, "name": "名" * 65}), 422, "invalid")
    replies = office.get(f"{url}/registrations").get_json()
    assert {(r["name"], r["response"]) for r in replies if not r["guest"]} == {
        (org.staff_a.full_name, "attend"), (org.staff_a2.full_name, None)}
    assert_error(api["staff_a"].post(f"{url}/remind"), 403, "forbidden")
    reminded = office.post(f"{url}/remind")
    assert reminded.status_code == 200 and reminded.get_json()["reminded"] == 1
    assert [i["reminders"] for i in office.get(f"{url}/invitees").get_json() if i["user_id"] == org.staff_a2.id] == [1]
    # A change of place of the published meeting is announced.
    changed = office.patch(url, {"place": "应急管理局1号会议室"})
    assert changed.get_json()["changes"] and "1号会议室" in changed.get_json()["changes"][0]
    clock.freeze(START + timedelta(minutes=1))
    assert_error(office.post(f"{url}/remind"), 409, "conflict")

    # A draft may be deleted.
    draft = office.post("/api/v1/meetings", meeting_body(plan, title="动员会", kind="mobilisation")).get_json()
    assert_error(api["staff_a"].delete(f"/api/v1/meetings/{draft['id']}"), 403, "forbidden")
    assert office.delete(f"/api/v1/meetings/{draft['id']}").status_code == 204
    assert db.session.get(Meeting, draft["id"]) is None


def test_meeting_attachments(world):
    org, plan, api = world
    meeting = make_meeting(plan, org)  # staff_a, staff_a2, staff_b invited, published
    url = f"/api/v1/meetings/{meeting.id}/attachments"
    assert_error(api["staff_a"].upload(url, PDF, "议程.pdf"), 403, "forbidden")
    office = api["office"]
    error = assert_error(office.upload(url, b"MZ\x90\x00 not a document", "a.pdf"), 422, "invalid")
    assert "只接受" in error["message"]
    assert_error(office.client.post(url, data={}, headers=office.headers), 422, "invalid")
    assert count(MeetingAttachment) == 0
    stored = office.upload(url + "?title=培训议程", PDF, "议程.pdf")
    assert stored.status_code == 201, stored.get_json()
    attachment = stored.get_json()
    assert attachment["title"] == "培训议程" and attachment["content_type"] == "application/pdf"
    # The invitees see and download it; others do not.
    assert [a["id"] for a in api["staff_a"].get(url).get_json()] == [attachment["id"]]
    download = api["staff_a"].get(f"{url}/{attachment['id']}")
    assert download.status_code == 200 and download.data == PDF and download.mimetype == "application/pdf"
    assert_error(api["reviewer"].get(f"{url}/{attachment['id']}"), 403, "forbidden")
    assert_error(api["staff_a"].delete(f"{url}/{attachment['id']}"), 403, "forbidden")
    assert office.delete(f"{url}/{attachment['id']}").status_code == 204
    assert_error(office.get(f"{url}/{attachment['id']}"), 404, "not_found")


# Review: findings and comments ------------------------------------------------------------


def submitted_mine_project(org, plan):
    """The seed's mine project, filled with the seed's figures and submitted: its report says
    206.4万元 where the funding says 206.632."""
    demo_content.adjust_plan_framework(plan)
    evaluation = factories.make_project(plan, "2019年度金属非金属矿山“专家会诊”隐患排查项目", org.section_a,
                                        org.office).evaluation
    factories.walk_to(evaluation, "self_evaluating", org)
    demo_content.fill_mine_project(evaluation)
    db.session.commit()
    actions.perform(evaluation.id, "submit", org.staff_a)
    return evaluation


def test_a_reviewer_reads_the_206_4_finding_and_explains_it(world):
    org, plan, api = world
    evaluation = submitted_mine_project(org, plan)
    url = f"/api/v1/evaluations/{evaluation.id}/findings"
    findings = api["reviewer"].get(url)
    assert findings.status_code == 200, findings.get_json()
    assert [(f["code"], f["kind"], f["explained"]) for f in findings.get_json()] == [
        ("text_amount:206.4", "accuracy", False)]
    assert "206.4万元" in findings.get_json()[0]["message"]
    for name in ("office", "leader"):
        assert api[name].get(url).status_code == 200
    for name in ("staff_a", "finance", "admin"):
        assert_error(api[name].get(url), 403, "forbidden")
    assert_error(api["reviewer"].get("/api/v1/evaluations/999999/findings"), 404, "not_found")

    explain = f"{url}/text_amount:206.4/explanation"
    # Who may not act on the review hears 403 even with a bad body; the office is not a reviewer.
    assert_error(api["office"].post(explain, {"note": ""}), 403, "refused")
    assert_error(api["staff_a"].post(explain, {"note": "说明"}), 403, "forbidden")
    error = assert_error(api["reviewer"].post(explain, {"note": "说" * 2001}), 422, "invalid")
    assert "note" in error["details"]
    assert_error(api["reviewer"].post(explain, {}), 422, "invalid")
    assert_error(api["reviewer"].post(f"{url}/text_amount:999/explanation", {"note": "说明"}), 409, "conflict")
    assert count(FindingNote) == 0
    done = api["reviewer"].post(explain, {"note": "报告中为计划数，实际以206.632万元为准。"})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()[0]["explained"] is True and "206.632" in done.get_json()[0]["note"]
    assert api["leader"].get(url).get_json()[0]["explained"] is True


def test_the_plans_findings_name_the_projects_not_submitted(world):
    org, plan, api = world
    factories.make_project(plan, "危化品监管项目", org.section_b, org.office)
    submitted_mine_project(org, plan)
    result = api["reviewer"].get(f"/api/v1/plans/{plan.id}/findings")
    assert result.status_code == 200
    body = result.get_json()
    assert body["unsubmitted"] == 1 and [f["kind"] for f in body["findings"]] == ["completeness"]
    assert "危化品监管项目" in body["findings"][0]["message"]
    assert_error(api["staff_a"].get(f"/api/v1/plans/{plan.id}/findings"), 403, "forbidden")
    assert_error(api["reviewer"].get("/api/v1/plans/999999/findings"), 404, "not_found")


def test_review_comments(world):
    org, plan, api = world
    evaluation = factories.make_evaluation(plan, org, "submitted")
    url = f"/api/v1/evaluations/{evaluation.id}/comments"
    targets = api["reviewer"].get(f"/api/v1/evaluations/{evaluation.id}/comment-targets").get_json()
    assert targets[0] == {"target": "general", "label": "总体意见"}
    indicator = next(t for t in targets if t["target"].startswith("indicator:"))
    section = next(t for t in targets if t["target"].startswith("section:"))
    # Writers: who may act on the review now.
    assert_error(api["staff_a"].post(url, {"text": "意见"}), 403, "forbidden")
    assert_error(api["office"].post(url, {"text": "意见"}), 403, "refused")
    assert_error(api["reviewer"].post(url, {"text": ""}), 422, "invalid")
    error = assert_error(api["reviewer"].post(url, {"target": "elsewhere", "text": "意见"}), 422, "invalid")
    assert "target" in error["details"]
    error = assert_error(api["reviewer"].post(url, {"target": "indicator:999999", "text": "意见"}), 422, "invalid")
    assert "意见对象无效" in error["message"]
    assert count(ReviewComment) == 0
    for target, text in (("general", "总体较好。"), (indicator["target"], "请补充佐证。"), (section["target"], "请核对。")):
        made = api["reviewer"].post(url, {"target": target, "text": text})
        assert made.status_code == 201, made.get_json()
    made = made.get_json()
    assert made["target_label"] == section["label"] and made["author"] == org.reviewer.full_name
    # Readers: the group, the office and the project's own section; not finance, not others.
    for name in ("reviewer", "leader", "office", "staff_a"):
        read = api[name].get(url)
        assert [c["text"] for c in read.get_json()] == ["总体较好。", "请补充佐证。", "请核对。"], name
    assert_error(api["staff_b"].get(url), 403, "forbidden")
    assert_error(api["finance"].get(url), 403, "forbidden")


# Evidence ---------------------------------------------------------------------------------


def test_evidence_upload_list_download_cite_and_delete(world):
    org, plan, api = world
    evaluation = factories.make_evaluation(plan, org, "self_evaluating")
    url = f"/api/v1/evaluations/{evaluation.id}/evidence"
    staff = api["staff_a"]
    # Not the section's: refused before the body is looked at.
    assert_error(api["staff_b"].client.post(url, data={}, headers=api["staff_b"].headers), 403, "forbidden")
    assert_error(api["reviewer"].upload(url, PDF, "a.pdf"), 403, "refused")
    error = assert_error(staff.upload(url, b"<html>no</html>", "a.pdf"), 422, "invalid")
    assert "只接受" in error["message"]
    assert_error(staff.upload(url + "?indicator_id=999999", PDF, "a.pdf"), 422, "invalid")
    assert_error(staff.upload(url + "?indicator_id=abc", PDF, "a.pdf"), 422, "invalid")
    assert count(Attachment) == 0
    indicator = evaluation.indicators[0]
    stored = staff.upload(f"{url}?indicator_id={indicator.id}", PDF, "检查记录.pdf")
    assert stored.status_code == 201, stored.get_json()
    item = stored.get_json()
    assert item["filename"] == "检查记录.pdf" and item["indicator_id"] == indicator.id and item["may_delete"] is True

    # Readers: whoever may see the evaluation; not another section, not finance before it is reported.
    for name in ("staff_a", "office", "reviewer", "leader"):
        assert [e["id"] for e in api[name].get(url).get_json()] == [item["id"]], name
    for name in ("staff_b", "finance", "admin"):
        assert_error(api[name].get(url), 403, "forbidden")
        assert_error(api[name].get(f"{url}/{item['id']}"), 403, "forbidden")
    download = api["reviewer"].get(f"{url}/{item['id']}")
    assert download.status_code == 200 and download.data == PDF and download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]

    # Citing a published meeting of the plan keeps its 签到表.
    meeting = make_meeting(plan, org)
    draft = make_meeting(plan, org, publish=False)
    assert_error(staff.post(f"{url}/meeting", {"meeting_id": draft.id}), 422, "invalid")
    assert_error(staff.post(f"{url}/meeting", {"meeting_id": "x"}), 422, "invalid")
    assert_error(api["staff_b"].post(f"{url}/meeting", {"meeting_id": meeting.id}), 403, "forbidden")
    cited = staff.post(f"{url}/meeting", {"meeting_id": meeting.id})
    assert cited.status_code == 201, cited.get_json()
    assert cited.get_json()["content_type"] == XLSX and "签到表" in cited.get_json()["filename"]
    sheet = staff.get(f"{url}/{cited.get_json()['id']}")
    assert sheet.data[:2] == b"PK"

    # Deleting: not by those who may not edit; by the section.
    assert_error(api["reviewer"].delete(f"{url}/{item['id']}"), 403, "refused")
    assert_error(api["staff_b"].delete(f"{url}/{item['id']}"), 403, "forbidden")
    assert staff.delete(f"{url}/{item['id']}").status_code == 204
    assert_error(staff.delete(f"{url}/{item['id']}"), 404, "not_found")
    assert count(Attachment) == 1


def reported(org, plan):
    evaluation = factories.make_evaluation(plan, org, "reported")
    submission_id = db.session.scalar(select(SubmissionItem.submission_id).where(
        SubmissionItem.evaluation_id == evaluation.id))
    return evaluation, submission_id


def test_finance_reads_what_was_reported_and_nothing_before(world):
    org, plan, api = world
    before = factories.make_evaluation(plan, org, "self_evaluating", name="危化品监管项目")
    evaluation, _submission_id = reported(org, plan)
    assert_error(api["finance"].get(f"/api/v1/evaluations/{before.id}/evidence"), 403, "forbidden")
    assert_error(api["finance"].get(f"/api/v1/evaluations/{before.id}/report.pdf"), 403, "forbidden")
    assert api["finance"].get(f"/api/v1/evaluations/{evaluation.id}/evidence").status_code == 200
    report = api["finance"].get(f"/api/v1/evaluations/{evaluation.id}/report.pdf")
    assert report.status_code == 200 and report.data[:5] == b"%PDF-"
    # Reported: nobody uploads any more.
    assert_error(api["staff_a"].upload(f"/api/v1/evaluations/{evaluation.id}/evidence", PDF, "a.pdf"), 403, "refused")


# Documents --------------------------------------------------------------------------------


def test_documents_are_refused_to_who_may_not_read_them(world):
    """Refused before anything is rendered."""
    org, plan, api = world
    evaluation = factories.make_evaluation(plan, org, "self_evaluating")
    meeting = make_meeting(plan, org, invitees=[org.staff_b])
    for path in ("report.pdf", "report.docx"):
        assert_error(api["staff_b"].get(f"/api/v1/evaluations/{evaluation.id}/{path}"), 403, "forbidden")
        assert_error(api["finance"].get(f"/api/v1/evaluations/{evaluation.id}/{path}"), 403, "forbidden")
    for path in ("notice.pdf", "notice.docx"):
        assert_error(api["staff_a"].get(f"/api/v1/meetings/{meeting.id}/{path}"), 403, "forbidden")
    for path in ("signin-sheet.xlsx", "signin-sheet.pdf", "signin-sheet.docx"):
        assert_error(api["staff_b"].get(f"/api/v1/meetings/{meeting.id}/{path}"), 403, "forbidden")
    assert_error(api["admin"].get(f"/api/v1/plans/{plan.id}/workplan.pdf"), 403, "forbidden")
    for path in ("summary.pdf", "summary.docx", "package.zip"):
        assert_error(api["staff_a"].get(f"/api/v1/submissions/1/{path}"), 403, "forbidden")
        assert_error(api["office"].get(f"/api/v1/submissions/999999/{path}"), 404, "not_found")
    sheet = api["office"].get(f"/api/v1/meetings/{meeting.id}/signin-sheet.xlsx")  # a workbook, no rendering
    assert sheet.status_code == 200 and sheet.mimetype == XLSX and sheet.data[:2] == b"PK"


@pytest.mark.documents
def test_every_document_downloads_through_the_api(world):
    org, plan, api = world
    evaluation, submission_id = reported(org, plan)
    meeting = make_meeting(plan, org)
    downloads = {
        f"/api/v1/evaluations/{evaluation.id}/report.pdf": ("staff_a", "application/pdf"),
        f"/api/v1/evaluations/{evaluation.id}/report.docx": ("finance", DOCX),
        f"/api/v1/plans/{plan.id}/workplan.pdf": ("reviewer", "application/pdf"),
        f"/api/v1/plans/{plan.id}/workplan.docx": ("staff_b", DOCX),
        f"/api/v1/meetings/{meeting.id}/notice.pdf": ("staff_a", "application/pdf"),
        f"/api/v1/meetings/{meeting.id}/notice.docx": ("staff_b", DOCX),
        f"/api/v1/meetings/{meeting.id}/signin-sheet.xlsx": ("office", XLSX),
        f"/api/v1/meetings/{meeting.id}/signin-sheet.pdf": ("office", "application/pdf"),
        f"/api/v1/meetings/{meeting.id}/signin-sheet.docx": ("office", DOCX),
        f"/api/v1/submissions/{submission_id}/summary.pdf": ("leader", "application/pdf"),
        f"/api/v1/submissions/{submission_id}/summary.docx": ("office", DOCX),
        f"/api/v1/submissions/{submission_id}/package.zip": ("finance", "application/zip"),
    }
    for url, (name, content_type) in downloads.items():
        response = api[name].get(url)
        assert response.status_code == 200, (url, response.status_code, response.get_data()[:200])
        assert response.mimetype == content_type, url
        data = response.get_data()
        assert data[:5] == b"%PDF-" if content_type == "application/pdf" else data[:2] == b"PK", url
        assert "attachment" in response.headers["Content-Disposition"], url
        if content_type != "application/pdf":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                assert archive.testzip() is None, url
    # The finance bureau's download is recorded as on the pages: the 发文字号 is now fixed.
    from workflow.models import Submission

    db.session.expire_all()
    assert db.session.get(Submission, submission_id).received_at is not None
