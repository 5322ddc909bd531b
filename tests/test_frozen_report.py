"""The report PDF frozen at approval: rendered once, stored with its SHA-256, served as is."""
import hashlib
import io

import pytest
from pypdf import PdfReader

from tests import factories
from tests.conftest import login
from tests.pdf_checks import prepared_fonts  # noqa: F401  (session fixture: the fonts)
from workflow.extensions import db
from workflow.models import Evaluation
from workflow.selfeval.services import last_snapshot

# These tests read reports WeasyPrint rendered (tests/conftest.py report_rendering).
pytestmark = pytest.mark.documents

PROJECT = "2019年度金属非金属矿山“专家会诊”隐患排查项目"


def text_of(pdf):
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "")


@pytest.fixture
def world(app, prepared_fonts):  # noqa: F811
    org, plan = factories.make_setup()
    return org, factories.make_seed_mine(org, plan)


approve = factories.approve


def download(app, user, evaluation):
    client = app.test_client()
    login(client, user.username, factories.PASSWORD)
    return client.get(f"/evaluations/{evaluation.id}/report.pdf")


def test_before_approval_the_report_is_a_watermarked_draft(app, world):
    org, evaluation = world
    response = download(app, org.staff_a, evaluation)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "草稿" in text_of(response.data)
    assert last_snapshot(evaluation, "approval") is None


def test_approval_renders_the_report_once_and_every_download_serves_those_bytes(app, world):
    org, evaluation = world
    approve(org, evaluation)
    snapshot = last_snapshot(evaluation, "approval")
    assert snapshot.pdf and snapshot.pdf_sha256 == hashlib.sha256(snapshot.pdf).hexdigest()
    text = text_of(snapshot.pdf)
    assert PROJECT.replace("“", "").replace("”", "")[:10] in text.replace("“", "").replace("”", "")
    assert "99.7" in text and "优" in text and "草稿" not in text
    first = download(app, org.reviewer, evaluation).data
    second = download(app, org.office, evaluation).data
    assert first == second == snapshot.pdf
    assert hashlib.sha256(first).hexdigest() == snapshot.pdf_sha256
    # Live data changed behind the frozen copy (as no page allows) does not change the PDF.
    row = db.session.get(Evaluation, evaluation.id)
    row.total_score = 1
    db.session.commit()
    assert download(app, org.staff_a, evaluation).data == snapshot.pdf


def test_the_report_is_served_only_to_those_who_may_see_the_evaluation(app, world):
    org, evaluation = world
    assert download(app, org.staff_b, evaluation).status_code == 403
    anonymous = app.test_client().get(f"/evaluations/{evaluation.id}/report.pdf")
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]
