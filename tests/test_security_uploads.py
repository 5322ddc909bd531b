"""Hostile uploads, beyond what tests/test_evidence.py already proves for evidence files:
the same refusals for meeting attachments (wrong content whatever the name, above the
meeting limit, hostile names), HTML renamed .png for both, and a file that is two things at
once (a GIF that is also HTML) served only as an inert download. Every refusal answers with a
Chinese message, never a 500, and stores nothing."""
import io

import pytest
from sqlalchemy import func, select

from tests.conftest import login, post
from tests.factories import make_evaluation, make_setup
from tests.test_evidence import PDF
from tests.test_meetings import make_meeting
from workflow.extensions import db
from workflow.models import Attachment, MeetingAttachment
from workflow.selfeval import content

HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64 + b"PE\x00\x00"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
GIF_HTML = b"GIF89a/*\x01\x00\x01\x00*/=1;<html><script>alert(1)</script></html>"

WRONG = {
    "html renamed .png": (HTML, "照片.png", "image/png"),
    "exe renamed .pdf": (EXE, "通知.pdf", "application/pdf"),
    "svg with a handler renamed .png": (SVG, "图.png", "image/png"),
    "html renamed .xlsx": (HTML, "登记表.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
MEETING_REFUSAL = "附件只接受 PDF、图片（PNG/JPEG/GIF）、Word（doc/docx）和 Excel（xls/xlsx）文件。"
EVIDENCE_REFUSAL = "内容不是可接受的格式"


@pytest.fixture
def world(app):
    org, plan = make_setup()
    meeting = make_meeting(plan, org)
    evaluation = make_evaluation(plan, org, "self_evaluating")
    content.ensure_content(evaluation)
    db.session.commit()
    office, staff = app.test_client(), app.test_client()
    login(office, "office")
    login(staff, "staff_a")
    return {"meeting": meeting, "evaluation": evaluation, "office": office, "staff": staff}


def count(model):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def upload_to_meeting(world, data, name, content_type="application/octet-stream", title=""):
    return post(world["office"], f"/meetings/{world['meeting'].id}/attachments",
                {"title": title, "file": (io.BytesIO(data), name, content_type)},
                content_type="multipart/form-data", follow_redirects=True)


def upload_evidence(world, data, name, content_type="application/octet-stream"):
    return post(world["staff"], f"/evaluations/{world['evaluation'].id}/evidence",
                {"file": (io.BytesIO(data), name, content_type)}, content_type="multipart/form-data",
                follow_redirects=True)


@pytest.mark.parametrize("case", WRONG)
def test_wrong_content_is_refused_whatever_its_name(world, case):
    data, name, content_type = WRONG[case]
    response = upload_to_meeting(world, data, name, content_type)
    assert response.status_code == 422
    assert MEETING_REFUSAL in response.get_data(as_text=True)
    assert count(MeetingAttachment) == 0
    response = upload_evidence(world, data, name, content_type)
    assert response.status_code == 422
    assert EVIDENCE_REFUSAL in response.get_data(as_text=True)
    assert count(Attachment) == 0


def test_a_meeting_attachment_above_its_limit_is_refused(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "MEETING_ATTACHMENT_MAX_MB", 1)
    exactly = PDF + b"\x00" * (1024 * 1024 - len(PDF))
    response = upload_to_meeting(world, exactly + b"\x00", "议程.pdf")
    assert "附件不能超过 1 MB。" in response.get_data(as_text=True)
    assert count(MeetingAttachment) == 0
    response = upload_to_meeting(world, exactly, "议程.pdf")
    assert "已上传附件" in response.get_data(as_text=True)
    assert count(MeetingAttachment) == 1


@pytest.mark.parametrize("name, expected", [
    ("../../etc/passwd", "passwd.pdf"),
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("<script>.pdf", "script.pdf"),
    ("议程\x00.pdf.exe", "议程.pdf"),
    ("\x1b[31m红色\x07议程\x7f.pdf", "31m红色议程.pdf"),
    ("x" * 300 + ".pdf", "x" * 96 + ".pdf"),
    (".htaccess", "htaccess.pdf"),
])
def test_hostile_meeting_attachment_names_are_sanitised(world, name, expected):
    response = upload_to_meeting(world, PDF, name)
    assert response.status_code == 200
    assert "已上传附件" in response.get_data(as_text=True)
    attachment = db.session.scalar(select(MeetingAttachment))
    assert attachment.filename == expected
    download = world["staff"].get(f"/meetings/{world['meeting'].id}/attachments/{attachment.id}")
    assert download.status_code == 200
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "/" not in disposition.split("filename*=")[0] and "\n" not in disposition and "<" not in disposition


@pytest.mark.parametrize("name", ["\x00", "\x00\x01\x02", "\u202e", "   "])
def test_names_made_only_of_control_characters_never_fail(world, name):
    response = upload_to_meeting(world, PDF, name)
    body = response.get_data(as_text=True)
    # The browser sends no name for an empty one: "choose a file" (422); otherwise a fallback name.
    if count(MeetingAttachment):
        assert response.status_code == 200
        assert db.session.scalar(select(MeetingAttachment)).filename == "附件.pdf"
    else:
        assert response.status_code == 422
        assert "请选择要上传的文件。" in body


def test_a_gif_that_is_also_html_is_served_only_as_an_inert_download(world):
    """Judged by its first bytes it is a GIF, and it is stored as one; it can never be
    rendered as a page: served as image/gif, as an attachment, not sniffed, sandboxed."""
    upload_evidence(world, GIF_HTML, "页面.html")
    [stored] = db.session.scalars(select(Attachment)).all()
    assert stored.filename == "页面.gif" and stored.content_type == "image/gif"
    response = world["staff"].get(f"/evaluations/{world['evaluation'].id}/evidence/{stored.id}")
    assert response.status_code == 200
    assert response.mimetype == "image/gif"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
