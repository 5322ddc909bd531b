"""The 验真 page (/verify/): upload a PDF, learn whether this system froze it."""
import io

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.conftest import csrf_token, signed_in
from tests.pdf_checks import prepared_fonts  # noqa: F401  (session fixture: the fonts)
from tests.test_signing import changed_inside_the_signed_range
from workflow.extensions import db
from workflow.models import Attachment, AuditRecord, Snapshot
from workflow.selfeval.services import last_snapshot

# These tests read reports WeasyPrint rendered (tests/conftest.py report_rendering).
pytestmark = pytest.mark.documents

URL = "/verify/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def upload(client, data, name="报告.pdf", token=True):
    payload = {"file": (io.BytesIO(data), name, "application/pdf")}
    if token:
        payload["csrf_token"] = csrf_token(client)
    return client.post(URL, data=payload, content_type="multipart/form-data")


def verdict(response):
    page = response.get_data(as_text=True)
    for value in ("issued", "modified", "unknown"):
        if f'data-verdict="{value}"' in page:
            return value
    return None


def stored_rows():
    return tuple(db.session.scalar(select(func.count()).select_from(model)) for model in (Snapshot, Attachment, AuditRecord))


@pytest.fixture
def approved():
    org, plan = factories.make_setup()
    evaluation = factories.make_evaluation(plan, org, "approved", name="应急物资储备项目")
    return org, evaluation, last_snapshot(evaluation, "approval").pdf


def test_the_page_recognises_the_frozen_report_refuses_a_changed_byte_and_does_not_know_others(app, approved):
    org, evaluation, frozen = approved
    client = signed_in(app, org.office)
    before = stored_rows()

    response = upload(client, frozen)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and verdict(response) == "issued"
    assert "本系统出具的文件" in page and "应急物资储备项目" in page and "姜立新" in page
    assert evaluation.project.plan.title in page and org.section_a.name in page
    assert f'href="/evaluations/{evaluation.id}"' in page          # the office may open it
    assert "完好" in page and "承德市应急管理局" in page            # the signature and its signer

    response = upload(client, changed_inside_the_signed_range(frozen))
    assert response.status_code == 200 and verdict(response) == "modified"
    assert "已被修改" in response.get_data(as_text=True)

    response = upload(client, draft_of(evaluation))
    assert response.status_code == 200 and verdict(response) == "unknown"
    assert "不是本系统出具的文件" in response.get_data(as_text=True)

    assert stored_rows() == before   # nothing about the uploads is kept


def draft_of(evaluation):
    from workflow.documents.reports import render_report

    return render_report(evaluation, draft=True)


def test_the_finance_bureau_may_verify_and_sees_no_link_it_may_not_follow(app, approved):
    org, evaluation, frozen = approved
    client = signed_in(app, org.finance)
    page = client.get("/").get_data(as_text=True)
    assert f'href="{URL}"' in page                                   # in the navigation
    assert client.get(URL).status_code == 200
    response = upload(client, frozen)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and verdict(response) == "issued"
    assert "应急物资储备项目" in page
    # Not yet reported to the bureau: the evaluation is not theirs to open.
    assert client.get(f"/evaluations/{evaluation.id}").status_code in (403, 404)
    assert f'href="/evaluations/{evaluation.id}"' not in page


def test_what_is_not_a_pdf_is_refused_with_a_message_and_nothing_stored(app):
    org, _plan = factories.make_setup()
    client = signed_in(app, org.staff_a)
    before = stored_rows()
    response = upload(client, PNG, name="照片.pdf")
    assert response.status_code == 422 and verdict(response) is None
    assert "不是 PDF 文件" in response.get_data(as_text=True)
    assert upload(client, b"", name="空.pdf").status_code == 422
    response = client.post(URL, data={"csrf_token": csrf_token(client)}, content_type="multipart/form-data")
    assert response.status_code == 422 and "请选择要验真的 PDF 文件" in response.get_data(as_text=True)
    assert stored_rows() == before


def test_garbage_dressed_as_a_pdf_is_answered_not_a_500(app):
    org, _plan = factories.make_setup()
    client = signed_in(app, org.reviewer)
    for data in (b"%PDF-1.7\n" + bytes(range(256)) * 40,
                 b"%PDF-1.4\n1 0 obj << /Type /Sig /Contents <3082ffff00> >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF"):
        response = upload(client, data)
        assert response.status_code == 200 and verdict(response) == "unknown"


def test_too_large_an_upload_is_refused(app, monkeypatch):
    org, _plan = factories.make_setup()
    client = signed_in(app, org.office)
    monkeypatch.setitem(app.config, "VERIFY_MAX_MB", 1)
    response = upload(client, b"%PDF-1.7\n" + b"0" * (1024 * 1024))
    assert response.status_code == 422 and "超过 1 MB" in response.get_data(as_text=True)


def test_without_the_csrf_token_or_signed_out_nothing_is_checked(app, approved):
    org, _evaluation, frozen = approved
    anonymous = app.test_client()
    response = anonymous.get(URL)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    client = signed_in(app, org.office)
    response = upload(client, frozen, token=False)
    assert response.status_code == 400 and verdict(response) is None  # no CSRF token


def test_with_the_key_unusable_the_page_still_knows_frozen_reports_by_their_hash(app, approved, tmp_path, monkeypatch):
    org, _evaluation, frozen = approved
    client = signed_in(app, org.office)
    monkeypatch.setitem(app.config, "DOCUMENT_SIGNING_P12", str(tmp_path / "gone.p12"))
    response = upload(client, frozen)
    assert response.status_code == 200 and verdict(response) == "issued"
    assert "无法读取或校验文件中的签名" in response.get_data(as_text=True)
