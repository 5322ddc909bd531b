"""schemathesis against the OpenAPI document: requests generated from the schemas, valid and
invalid, sent to the WSGI app directly (no network) with the tokens of the office and of a
section, over real data (path ids of existing plans, evaluations, meetings, submissions, and
unknown ones); no operation may answer with a server error."""
import io

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from werkzeug.datastructures import FileStorage

from tests.api_helpers import token_for
from tests.conftest import _plain_report
from tests.factories import make_evaluation, make_setup
from tests.test_meetings import make_meeting
from tests.test_route_table import PDF
from workflow import clock
from workflow.engine import tasks
from workflow.evidence import services as evidence
from workflow.meetings import services as meetings
from workflow.review import checks

EXAMPLES_PER_OPERATION = 15  # ~60 operations × 15: the whole run takes well under a minute


def isolated(app):
    """The app as schemathesis calls it: each request in an application context of its own,
    as in production (see IsolatedClient in tests/conftest.py), so nothing leaks between them."""

    def wsgi(environ, start_response):
        with app.app_context():
            return app(environ, start_response)

    return wsgi


def world():
    """What the generated requests find: both kinds of evaluation the section edits, one
    reported (with its submission), one under review with a finding, a published meeting with
    an attachment, evidence; the office's and a section's token."""
    org, plan = make_setup()
    editing = make_evaluation(plan, org, "self_evaluating", name="应急物资储备项目")
    preparing = make_evaluation(plan, org, "preparing", name="危化品监管项目")
    reported = make_evaluation(plan, org, "reported", name="安全生产宣传项目")
    submitted = make_evaluation(plan, org, "submitted", name="执法装备项目")
    meeting = make_meeting(plan, org)
    attachment = meetings.add_attachment(meeting, org.office, FileStorage(io.BytesIO(PDF), filename="议程.pdf"))
    evidence_file = evidence.upload(editing, org.staff_a, FileStorage(io.BytesIO(PDF), filename="佐证.pdf"))
    clock.freeze(None)
    from workflow.models import SubmissionItem
    from workflow.extensions import db

    submission_id = db.session.query(SubmissionItem).filter_by(evaluation_id=reported.id).one().submission_id
    ids = {
        "plan_id": [plan.id], "project_id": [editing.project_id, reported.project_id],
        "evaluation_id": [editing.id, preparing.id, reported.id, submitted.id], "meeting_id": [meeting.id],
        "submission_id": [submission_id],
        "task_id": [tasks.open_task(e).id for e in (editing, preparing, reported)],
        "day": ["2020-10-12"],
        "invitee_id": [meeting.invitees[0].id],
        "attachment_id": [attachment.id, evidence_file.id],
        "code": [f.code for f in checks.evaluation_findings(submitted)] or ["text_amount:206.4"],
    }
    headers = [{"Authorization": f"Bearer {token_for(user)}"} for user in (org.office, org.staff_a)]
    return ids, headers


def cases(operation, ids):
    """Cases with each real id of the operation's path, and (positive only) generated ids."""
    names = [p.name for p in operation.path_parameters]
    choices = [dict(zip(names, values)) for values in _product([ids[name] for name in names])]
    strategies = [operation.as_strategy()]
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        for fixed in choices:
            strategies.append(operation.as_strategy(mode, path_parameters=fixed or None))
    return st.one_of(strategies)


def _product(lists):
    if not lists:
        return [()]
    return [(head, *tail) for head in lists[0] for tail in _product(lists[1:])]


@pytest.fixture
def quick_documents(monkeypatch):
    """The PDFs of the plan, the meeting and the submission as the report's stand-in (the
    conftest's _plain_report): the operations run hundreds of times here, and rendering is
    tested by the documents' own tests (and tests/test_api_meetings_review.py)."""
    from workflow.documents import meeting, submission_summary, workplan

    for module in (meeting, workplan):
        monkeypatch.setattr(module, "render", _plain_report)
    monkeypatch.setattr(submission_summary, "render_kept", _plain_report)  # kept by its hash


def test_no_operation_answers_a_server_error(app, quick_documents):
    ids, headers = world()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", isolated(app))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    # schemathesis' pytest plugin (lazy schemas) does not run under pytest 9 yet, so the
    # operations are driven with Hypothesis directly; the check is schemathesis' own.
    for operation in operations:

        @given(case=cases(operation, ids), auth=st.sampled_from(headers))
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def no_server_error(case, auth):
            case.call_and_validate(headers=auth, checks=[not_a_server_error])

        no_server_error()


@pytest.mark.any_database  # the request schema's verdict, before any query
def test_what_the_document_allows_the_parser_accepts(app):
    """Positive data, generated from the document alone, is never refused by the request
    schema (a 422 with field details): the document says what the server accepts. It may still
    be refused by the rules (403, 404, 409, or a 422 without details — an indicator of another
    evaluation, a section the outline lacks), as the document's answers say."""
    ids, headers = world()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", isolated(app))
    operations = [result.ok() for result in schema.get_all_operations()]
    refused_by_the_schema = []
    for operation in operations:
        names = [p.name for p in operation.path_parameters]
        fixed = [dict(zip(names, values)) for values in _product([ids[name] for name in names])]
        strategy = st.one_of([operation.as_strategy(GenerationMode.POSITIVE, path_parameters=f or None)
                              for f in fixed])

        @given(case=strategy, auth=st.sampled_from(headers))
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def accepted(case, auth):
            response = case.call(headers=auth)
            assert response.status_code < 500, (operation.label, response.status_code)
            if response.status_code == 422:
                body = response.json()
                # The request schema's own refusal (the rules' answers word it otherwise).
                if body["error"]["message"].startswith("提交的数据不符合要求"):
                    refused_by_the_schema.append((operation.label, body["error"]["details"], case.body))

        accepted()
    assert refused_by_the_schema == [], "\n".join(f"{op}: {details}" for op, details, _body in refused_by_the_schema)
