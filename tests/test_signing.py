"""The department's signature on the report frozen at approval (workflow/documents/signing.py)
and the 验真 rule (workflow/verify/services.py), without HTTP."""
import hashlib
import io
import os
import re
import stat

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from tests import factories
from tests.conftest import SIGNING_DEPARTMENT, SIGNING_PASSWORD, post, signed_in
from tests.pdf_checks import prepared_fonts  # noqa: F401  (session fixture: the fonts)
from workflow.documents import signing
from workflow.documents.reports import render_report, report_for_download
from workflow.engine import actions
from workflow.errors import ServiceError
from workflow.extensions import db
from workflow.models import Evaluation
from workflow.selfeval.services import last_snapshot
from workflow.submissions import package
from workflow.verify import services as verify

# These tests read reports WeasyPrint rendered (tests/conftest.py report_rendering).
pytestmark = pytest.mark.documents


def changed_inside_the_signed_range(pdf):
    """``pdf`` with one byte of its first content stream changed: the rendered part, which
    the signature's first byte range covers (the signature is appended after it)."""
    position = pdf.index(b"stream", 100) + 20
    assert position < pdf.rindex(b"/Contents <")
    changed = bytearray(pdf)
    changed[position] ^= 0x01
    return bytes(changed)


def department_certificate(signing_p12):
    _key, certificate, _others = pkcs12.load_key_and_certificates(signing_p12.read_bytes(),
                                                                  SIGNING_PASSWORD.encode())
    return certificate


@pytest.fixture
def approved():
    org, plan = factories.make_setup()
    evaluation = factories.make_evaluation(plan, org, "approved", name="应急物资储备项目")
    return org, evaluation, last_snapshot(evaluation, "approval")


def test_approval_freezes_the_report_signed_and_pyhanko_validates_the_signature(approved, signing_p12):
    org, evaluation, snapshot = approved
    signed = snapshot.pdf
    assert snapshot.pdf_sha256 == hashlib.sha256(signed).hexdigest()
    assert report_for_download(evaluation) == (signed, True)   # downloads serve the signed bytes

    signatures = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    assert len(signatures) == 1
    certificate = department_certificate(signing_p12)
    anchor = asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))
    status = validate_pdf_signature(signatures[0], ValidationContext(trust_roots=[anchor]))
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.signing_cert.dump() == anchor.dump()
    assert status.signing_cert.subject.native["common_name"] == SIGNING_DEPARTMENT
    assert status.signing_cert.subject.native["organization_name"] == SIGNING_DEPARTMENT

    result = signing.verify(signed)
    assert result.sound and result.trusted and SIGNING_DEPARTMENT in result.signer
    assert result.signed_at is not None


def test_verify_knows_the_frozen_report_and_which_evaluation_it_is(approved):
    org, evaluation, snapshot = approved
    outcome = verify.check(snapshot.pdf, org.office)
    assert outcome.verdict == verify.ISSUED and outcome.signature.sound
    report = outcome.report
    assert report.evaluation_id == evaluation.id and report.project_name == "应急物资储备项目"
    assert report.section_name == org.section_a.name and report.plan_title == evaluation.project.plan.title
    assert report.approved_by == "姜立新" and report.approved_at == snapshot.created_at
    assert report.may_open and not report.superseded
    # Another section's staff learns what the file is, without a way into the evaluation.
    assert verify.check(snapshot.pdf, org.staff_b).report.may_open is False


def test_one_byte_changed_inside_the_signed_range_reads_modified(approved):
    org, _evaluation, snapshot = approved
    outcome = verify.check(changed_inside_the_signed_range(snapshot.pdf), org.office)
    assert outcome.verdict == verify.MODIFIED and outcome.report is None
    assert outcome.signature.ours and not outcome.signature.intact


def test_content_appended_after_the_signature_reads_modified(approved):
    org, _evaluation, snapshot = approved
    outcome = verify.check(snapshot.pdf + b"\n%%appended\n", org.office)
    assert outcome.verdict == verify.MODIFIED
    assert outcome.signature.intact and not outcome.signature.whole_file


def test_a_report_too_damaged_to_parse_is_still_known_as_ours_and_modified(approved):
    org, _evaluation, snapshot = approved
    broken = snapshot.pdf[:-120]   # the cross-reference section and trailer cut off
    outcome = verify.check(broken, org.office)
    assert outcome.verdict == verify.MODIFIED and outcome.signature.ours
    assert not outcome.signature.intact


def test_an_unrelated_pdf_is_not_known(approved):
    org, evaluation, _snapshot = approved
    draft = render_report(evaluation, draft=True)   # a real PDF, never frozen nor signed
    outcome = verify.check(draft, org.office)
    assert outcome.verdict == verify.UNKNOWN and not outcome.signature.signed
    garbage = verify.check(b"%PDF-1.7\n" + os.urandom(2000), org.office)
    assert garbage.verdict == verify.UNKNOWN and not garbage.signature.readable


def test_a_pdf_signed_by_another_key_is_not_ours(approved, tmp_path):
    org, evaluation, _snapshot = approved
    path = tmp_path / "other.p12"
    path.write_bytes(signing.make_pkcs12(SIGNING_DEPARTMENT, "other"))   # same name, another key
    other = signing.sign(render_report(evaluation, draft=True), signing.load_key(path, b"other"))
    outcome = verify.check(other, org.office)
    assert outcome.verdict == verify.UNKNOWN
    assert outcome.signature.signed and not outcome.signature.ours


def test_a_report_superseded_by_a_later_approval_is_still_known_and_marked(approved):
    org, evaluation, first = approved
    earlier = first.pdf
    actions.perform(evaluation.id, "return_for_revision", org.leader, comment="请补充佐证材料。")
    actions.perform(evaluation.id, "resubmit", org.staff_a)
    actions.perform(evaluation.id, "pass_review", org.reviewer)
    actions.perform(evaluation.id, "approve", org.leader)
    later = last_snapshot(evaluation, "approval")
    assert later.id != first.id and later.pdf != earlier
    outcome = verify.check(earlier, org.office)
    assert outcome.verdict == verify.ISSUED and outcome.report.superseded
    assert verify.check(later.pdf, org.office).report.superseded is False


def test_the_package_catch_up_signs_the_reports_it_renders(approved):
    org, evaluation, snapshot = approved
    factories.include_in_submission(evaluation, org.office)
    snapshot.pdf, snapshot.pdf_sha256 = None, None   # an approval from before reports were frozen
    db.session.commit()
    submission = evaluation_submission(evaluation)
    assert package.freeze_missing_reports(submission) == 1
    db.session.refresh(snapshot)
    assert snapshot.pdf_sha256 == hashlib.sha256(snapshot.pdf).hexdigest()
    assert signing.verify(snapshot.pdf).sound
    assert verify.check(snapshot.pdf, org.office).verdict == verify.ISSUED


def evaluation_submission(evaluation):
    from sqlalchemy import select

    from workflow.models import Submission, SubmissionItem

    return db.session.scalar(select(Submission).join(SubmissionItem)
                             .where(SubmissionItem.evaluation_id == evaluation.id))


# The key -------------------------------------------------------------------------------------


def test_the_default_key_is_made_once_in_the_departments_name(tmp_path):
    assert signing.ensure_default_key(tmp_path, "承德市应急管理局") is True
    p12_path, password_path = signing.default_paths(tmp_path)
    made = p12_path.read_bytes()
    for path in (p12_path, password_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(p12_path.parent.stat().st_mode) == 0o700
    assert signing.ensure_default_key(tmp_path, "别的名字") is False
    assert p12_path.read_bytes() == made   # never replaced: earlier signatures stay verifiable

    _key, certificate, _others = pkcs12.load_key_and_certificates(made, password_path.read_bytes().strip())
    assert certificate.subject == certificate.issuer   # self-signed
    names = {a.oid._name: a.value for a in certificate.subject}
    assert names["commonName"] == names["organizationName"] == "承德市应急管理局"
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    years = (certificate.not_valid_after_utc - certificate.not_valid_before_utc).days / 365
    assert years > 20


def test_without_a_configured_key_the_default_is_made_on_first_use(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "DOCUMENT_SIGNING_P12", None)
    monkeypatch.setitem(app.config, "DEPARTMENT_NAME", "")
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    key = signing.current_key(department="某市某局")
    assert signing.default_paths(tmp_path)[0].exists()
    assert key.certificate.subject.native["common_name"] == "某市某局"
    assert signing.current_key().fingerprint == key.fingerprint   # the same key afterwards


def test_a_configured_key_that_cannot_be_opened_fails_loudly(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "DOCUMENT_SIGNING_P12_PASSWORD", "wrong")
    with pytest.raises(signing.SigningKeyError):
        signing.current_key()
    monkeypatch.setitem(app.config, "DOCUMENT_SIGNING_P12", str(tmp_path / "missing.p12"))
    with pytest.raises(signing.SigningKeyError):
        signing.current_key()
    assert not (tmp_path / "missing.p12").exists()   # a configured key is never made up


def test_an_approval_whose_report_cannot_be_signed_is_refused_and_changes_nothing(app, tmp_path, monkeypatch):
    org, plan = factories.make_setup()
    evaluation = factories.make_evaluation(plan, org, "reviewed")
    monkeypatch.setitem(app.config, "DOCUMENT_SIGNING_P12", str(tmp_path / "missing.p12"))
    with pytest.raises(ServiceError) as refused:
        actions.perform(evaluation.id, "approve", org.leader)
    assert refused.value.code == "signing_key" and "签名" in refused.value.message
    db.session.expire_all()
    assert db.session.get(Evaluation, evaluation.id).state == "reviewed"
    assert last_snapshot(evaluation, "approval") is None
    # Through the page: the leader reads why, no 500.
    client = signed_in(app, org.leader)
    page = client.get(f"/evaluations/{evaluation.id}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    response = post(client, f"/evaluations/{evaluation.id}/transition",
                    {"trigger": "approve", "version": version}, follow_redirects=True)
    # The server cannot sign now (503), and says so on the evaluation's page.
    assert response.status_code == 503 and "报告无法签名" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Evaluation, evaluation.id).state == "reviewed"


def test_checking_a_pdf_makes_no_key(app, approved, tmp_path, monkeypatch):
    org, _evaluation, snapshot = approved
    monkeypatch.setitem(app.config, "DOCUMENT_SIGNING_P12", None)
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    outcome = verify.check(changed_inside_the_signed_range(snapshot.pdf), org.office)
    assert outcome.verdict == verify.UNKNOWN and outcome.signature.signed and not outcome.signature.ours
    assert not signing.default_paths(tmp_path)[0].exists()
