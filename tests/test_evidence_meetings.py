"""A meeting's attendance cited as evidence of an indicator (e.g. 培训人次)."""
import io

import pytest
from openpyxl import load_workbook

from tests import factories
from tests.conftest import login, post
from tests.test_meetings import bj, make_meeting
from workflow import clock
from workflow.errors import ServiceError
from workflow.evidence import services as evidence
from workflow.extensions import db
from workflow.meetings import services as meetings
from workflow.models import Attachment, MeetingInvitee


@pytest.fixture
def setup(app):
    org, plan = factories.make_setup()
    evaluation = factories.make_evaluation(plan, org, "self_evaluating")
    meeting = make_meeting(plan, org)
    invitee = db.session.scalar(db.select(MeetingInvitee).where(MeetingInvitee.meeting_id == meeting.id,
                                                                 MeetingInvitee.user_id == org.staff_b.id))
    clock.freeze(bj(6, 20, 9, 5))
    meetings.proxy_sign_in(meeting, invitee.id, org.office, "本人纸质签到")
    return org, plan, evaluation, meeting


def indicator_of(evaluation):
    return next(i for i in evaluation.indicators if i.kind != "execution_rate")


def test_the_sign_in_sheet_is_stored_as_evidence_of_an_indicator(setup):
    org, plan, evaluation, meeting = setup
    indicator = indicator_of(evaluation)
    attachment = evidence.cite_meeting(evaluation, org.staff_a, meeting.id, indicator_id=str(indicator.id))
    assert attachment.indicator_id == indicator.id
    assert attachment.filename.endswith("签到表（签到1人次）.xlsx") and meeting.title in attachment.filename
    assert attachment.content_type.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(attachment.data)).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert org.staff_b.full_name in cells
    assert evidence.detect_type(attachment.data).code == "xlsx"  # a real workbook, by content


def test_only_published_meetings_of_the_same_plan_and_only_editors(setup):
    org, plan, evaluation, meeting = setup
    other_plan = factories.make_plan(title="另一方案", run_year=2021, budget_year=2020)
    foreign = make_meeting(other_plan, org)
    draft = make_meeting(plan, org, publish=False)
    before = db.session.scalar(db.select(db.func.count()).select_from(Attachment))
    for meeting_id in (foreign.id, draft.id, 999999, "abc", None):
        with pytest.raises(ServiceError) as refused:
            evidence.cite_meeting(evaluation, org.staff_a, meeting_id)
        assert "只能引用本方案已发布的会议" in refused.value.message
    with pytest.raises(ServiceError):
        evidence.cite_meeting(evaluation, org.staff_b, meeting.id)  # another section
    assert db.session.scalar(db.select(db.func.count()).select_from(Attachment)) == before
    assert [m.id for m in evidence.citable_meetings(evaluation)] == [meeting.id]


def test_citing_through_the_evidence_page(setup, app):
    org, plan, evaluation, meeting = setup
    client = app.test_client()
    login(client, org.staff_a.username, factories.PASSWORD)
    page = client.get(f"/evaluations/{evaluation.id}/evidence").get_data(as_text=True)
    assert "引用会议签到记录" in page and meeting.title in page
    response = post(client, f"/evaluations/{evaluation.id}/evidence/meeting", {"meeting_id": str(meeting.id)},
                    follow_redirects=True)
    assert "签到表（签到1人次）" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Attachment)
                             .where(Attachment.evaluation_id == evaluation.id)) == 1
