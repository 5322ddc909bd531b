"""Evidence (佐证材料): accepted and refused files (judged by their content), names, sizes,
who may upload, delete and download, the download's headers, and the request limit."""
import hashlib
import io
import re
import struct
import zipfile
import zlib
from urllib.parse import quote

import pytest
from PIL import Image
from sqlalchemy import func, select, update
from werkzeug.datastructures import FileStorage

from tests.conftest import login, post
from tests.factories import make_evaluation, make_setup
from workflow.evidence import services
from workflow.extensions import db as _db
from workflow.models import Attachment, AuditRecord, Evaluation
from workflow.selfeval import content

# Small real files -----------------------------------------------------------------------

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


def png_bytes(width=2, height=2):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


def pillow_bytes(fmt):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


def zip_bytes(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return buffer.getvalue()


CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                 'package/2006/content-types"/>')


def docx_bytes(extra=None):
    """A real Word document (python-docx), with ``extra`` parts added to its package."""
    import docx

    document = docx.Document()
    document.add_paragraph("佐证")
    buffer = io.BytesIO()
    document.save(buffer)
    if not extra:
        return buffer.getvalue()
    with zipfile.ZipFile(buffer) as archive:
        entries = {info.filename: archive.read(info) for info in archive.infolist()}
    entries.update(extra)
    return zip_bytes(entries)


def xlsx_bytes():
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active["A1"] = "预算执行率"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def ole_bytes(stream_name):
    """A minimal OLE2 compound file (512-byte sectors: FAT, directory, one 4 KB stream)
    whose root holds one stream, e.g. WordDocument (.doc) or Workbook (.xls)."""
    header = bytearray(512)
    header[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<III", header, 0x2C, 1, 1, 0)  # one FAT sector; directory at sector 1
    struct.pack_into("<IIIII", header, 0x38, 4096, END, 0, END, 0)
    struct.pack_into("<109I", header, 0x4C, 0, *([FREE] * 108))
    fat = [FATSECT, END] + list(range(3, 10)) + [END]
    fat += [FREE] * (128 - len(fat))

    def entry(name, kind, child=NOSTREAM, start=END, size=0):
        encoded = (name + "\0").encode("utf-16-le") if name else b""
        block = bytearray(128)
        block[:len(encoded)] = encoded
        struct.pack_into("<HBB", block, 64, len(encoded), kind, 1)
        struct.pack_into("<III", block, 68, NOSTREAM, NOSTREAM, child)
        struct.pack_into("<IQ", block, 116, start, size)
        return bytes(block)

    directory = (entry("Root Entry", 5, child=1) + entry(stream_name, 2, start=2, size=4096)
                 + entry("", 0) + entry("", 0))
    return bytes(header) + struct.pack("<128I", *fat) + directory + b"\x00" * 4096


OFFICE_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# Setup ----------------------------------------------------------------------------------


@pytest.fixture
def setup():
    """An evaluation of section A in 自评中 with its indicators, and a second evaluation."""
    org, plan = make_setup()
    evaluation = make_evaluation(plan, org, "self_evaluating")
    other = make_evaluation(plan, org, "self_evaluating", name="安全生产执法项目", section=org.section_b)
    for e in (evaluation, other):
        content.ensure_content(e)
    _db.session.commit()
    return org, evaluation, other


def client_for(app, user=None):
    client = app.test_client()
    if user is not None:
        login(client, user.username)
    return client


def url(evaluation, *parts):
    return "/".join([f"/evaluations/{evaluation.id}/evidence", *map(str, parts)])


def upload(client, evaluation, data, name, content_type="application/octet-stream", **fields):
    payload = {"file": (io.BytesIO(data), name, content_type), **fields}
    return post(client, url(evaluation), payload, content_type="multipart/form-data")


def stored(evaluation):
    _db.session.expire_all()
    return _db.session.scalars(
        select(Attachment).where(Attachment.evaluation_id == evaluation.id).order_by(Attachment.id)
    ).all()


def flashed(client, evaluation):
    return client.get(url(evaluation)).get_data(as_text=True)


def refusal(response, status):
    """The page a refused upload or delete answers with: its status, and the evidence page
    with the reason above it."""
    assert response.status_code == status
    return response.get_data(as_text=True)


# Accepted files -------------------------------------------------------------------------


@pytest.mark.parametrize("kind, name, build, content_type, extension", [
    ("pdf", "自评报告.pdf", lambda: PDF, "application/pdf", "pdf"),
    ("png", "现场照片.png", png_bytes, "image/png", "png"),
    ("jpeg", "现场照片.jpeg", lambda: pillow_bytes("JPEG"), "image/jpeg", "jpg"),
    ("gif", "示意图.gif", lambda: pillow_bytes("GIF"), "image/gif", "gif"),
    ("docx", "情况说明.docx", docx_bytes, OFFICE_TYPES["docx"], "docx"),
    ("xlsx", "资金明细.xlsx", xlsx_bytes, OFFICE_TYPES["xlsx"], "xlsx"),
    ("doc", "旧版说明.doc", lambda: ole_bytes("WordDocument"), "application/msword", "doc"),
    ("xls", "旧版台账.xls", lambda: ole_bytes("Workbook"), "application/vnd.ms-excel", "xls"),
])
def test_good_uploads_are_stored_byte_for_byte(app, setup, kind, name, build, content_type, extension):
    org, evaluation, _other = setup
    data = build()
    client = client_for(app, org.staff_a)
    response = upload(client, evaluation, data, name, content_type="text/plain")  # the browser's word is ignored
    assert response.status_code == 303
    [attachment] = stored(evaluation)
    assert attachment.content_type == content_type
    assert attachment.filename == name.rsplit(".", 1)[0] + "." + extension
    assert attachment.data == data
    assert attachment.size == len(data)
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert attachment.uploaded_by_id == org.staff_a.id
    assert attachment.indicator_id is None
    download = client.get(url(evaluation, attachment.id))
    assert download.status_code == 200
    assert download.data == data
    assert download.mimetype == content_type
    assert "已上传" in flashed(client, evaluation)


def test_detected_type_names_the_file_whatever_it_was_called(app, setup):
    org, evaluation, _other = setup
    client = client_for(app, org.staff_a)
    upload(client, evaluation, png_bytes(), "扫描件.pdf", content_type="application/pdf")
    [attachment] = stored(evaluation)
    assert attachment.filename == "扫描件.png"
    assert attachment.content_type == "image/png"


def test_upload_for_an_indicator_of_the_evaluation(app, setup):
    org, evaluation, _other = setup
    indicator = evaluation.indicators[0]
    client = client_for(app, org.staff_a)
    upload(client, evaluation, PDF, "指标佐证.pdf", indicator_id=str(indicator.id))
    [attachment] = stored(evaluation)
    assert attachment.indicator_id == indicator.id
    page = client.get(url(evaluation)).get_data(as_text=True)
    assert "指标佐证.pdf" in page
    assert indicator.level1 in page


# Refused files --------------------------------------------------------------------------

REFUSED = {
    "html named .pdf": (b"<!doctype html><html><script>alert(1)</script></html>", "报告.pdf"),
    "pdf magic later in the file": (b"<html>%PDF-1.4</html>", "报告.pdf"),
    "exe": (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64 + b"PE\x00\x00", "setup.pdf"),
    "svg": (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "图.svg"),
    "plain zip": (zip_bytes({"readme.txt": "hello"}), "材料.docx"),
    "zip with content types but no office part": (zip_bytes({"[Content_Types].xml": CONTENT_TYPES, "ppt/x.xml": "<x/>"}), "材料.docx"),
    "macro-enabled document": (docx_bytes({"word/vbaProject.bin": "macro"}), "材料.docx"),
    "truncated zip": (docx_bytes()[:60], "材料.docx"),
    "ole without word or excel stream": (ole_bytes("PowerPoint Document"), "旧版.doc"),
    "bare ole header": (bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 100, "旧版.xls"),
    "text": ("这是一段文字".encode(), "说明.txt"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_wrong_types_are_refused(app, setup, case):
    org, evaluation, _other = setup
    data, name = REFUSED[case]
    client = client_for(app, org.staff_a)
    response = upload(client, evaluation, data, name, content_type="application/pdf")
    assert "内容不是可接受的格式" in refusal(response, 422)
    assert stored(evaluation) == []


def test_detect_type_reads_no_compressed_data(monkeypatch):
    """A package whose one entry would inflate to 50 MB is judged by its directory only:
    no entry is ever opened."""
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", b"\x00" * (50 * 1024 * 1024))
    assert len(bomb.getvalue()) < 200 * 1024

    def refuse(*args, **kwargs):
        raise AssertionError("an entry was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", refuse)
    assert services.detect_type(bomb.getvalue()) == services.DOCX


def test_too_large_is_refused_even_below_the_request_limit(app, setup, monkeypatch):
    org, evaluation, _other = setup
    monkeypatch.setitem(app.config, "EVIDENCE_MAX_MB", 1)
    assert app.config["MAX_CONTENT_LENGTH"] > 2 * 1024 * 1024
    client = client_for(app, org.staff_a)
    exactly = PDF + b"\x00" * (1024 * 1024 - len(PDF))
    assert "超过 1 MB" in refusal(upload(client, evaluation, exactly + b"\x00", "大文件.pdf"), 422)
    assert stored(evaluation) == []
    upload(client, evaluation, exactly, "刚好.pdf")
    assert [a.size for a in stored(evaluation)] == [1024 * 1024]


def test_empty_file_is_refused(app, setup):
    org, evaluation, _other = setup
    client = client_for(app, org.staff_a)
    assert "上传的文件是空的" in refusal(upload(client, evaluation, b"", "空.pdf"), 422)
    assert stored(evaluation) == []


def test_no_file_chosen(app, setup):
    org, evaluation, _other = setup
    client = client_for(app, org.staff_a)
    response = post(client, url(evaluation), {"indicator_id": ""}, content_type="multipart/form-data")
    assert "请选择要上传的文件" in refusal(response, 422)
    assert stored(evaluation) == []


def test_above_the_request_limit_answers_the_chinese_413_page(app, setup, monkeypatch):
    org, evaluation, _other = setup
    client = client_for(app, org.staff_a)
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get(url(evaluation)).get_data(as_text=True))[1]
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    response = client.post(url(evaluation), data={"csrf_token": token,
                                                  "file": (io.BytesIO(PDF + b"\x00" * 100 * 1024), "大.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    body = response.get_data(as_text=True)
    assert "文件过大" in body and "上传的内容超过了系统允许的大小" in body
    assert stored(evaluation) == []


# Names ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name, expected", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("/var/www/绩效 自评报告.pdf", "绩效_自评报告.pdf"),
    ("<script>.pdf", "script.pdf"),
    (".htaccess", "htaccess.pdf"),
    ("...", "佐证材料.pdf"),
    ("报告\x00.pdf.exe", "报告.pdf"),
    ("x" * 300 + ".pdf", "x" * 96 + ".pdf"),
    ("中" * 300, "中" * 96 + ".pdf"),
])
def test_hostile_names_are_sanitised(app, setup, name, expected):
    org, evaluation, _other = setup
    client = client_for(app, org.staff_a)
    upload(client, evaluation, PDF, name)
    [attachment] = stored(evaluation)
    assert attachment.filename == expected
    assert len(attachment.filename) <= 100


@pytest.mark.parametrize("name, expected", [
    ("a\\b\\c.pdf", "c.pdf"),
    ("C:\\Users\\张三\\绩效 自评报告.pdf", "绩效_自评报告.pdf"),
    ("..\\..\\windows\\win.ini", "win.ini.pdf"),
    ('"><img src=x onerror=alert(1)>.pdf', "img_srcx_onerroralert(1).pdf"),
    ("a\r\nContent-Type: text/html.pdf", "html.pdf"),
])
def test_names_the_test_client_cannot_send(app, setup, name, expected):
    """Werkzeug unescapes backslashes in a multipart file name (a\\b\\c.pdf arrives as
    abc.pdf) and its test client cannot send quotes or line breaks in one (browsers send them
    percent-encoded), so the service is given such names directly; over HTTP no separator
    survives either way."""
    org, evaluation, _other = setup
    staff = _db.session.get(type(org.staff_a), org.staff_a.id)
    attachment = services.upload(evaluation, staff, FileStorage(io.BytesIO(PDF), filename=name))
    assert attachment.filename == expected
    if "\\" in name:
        upload(client_for(app, org.staff_a), evaluation, PDF, name)
        assert len(stored(evaluation)) == 2
    assert all("\\" not in a.filename and "/" not in a.filename for a in stored(evaluation))


@pytest.mark.parametrize("name", ["", "   ", "/", "\\", "\x00\x01", "..", "<>|?*"])
def test_names_are_never_empty(name):
    assert services.sanitise_filename(name, "pdf") == "佐证材料.pdf"


# Who may upload -------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["submitted", "reviewed", "approved"])
def test_no_upload_once_submitted(app, state):
    org, plan = make_setup()
    evaluation = make_evaluation(plan, org, state)
    client = client_for(app, org.staff_a)
    page = refusal(upload(client, evaluation, PDF, "补充.pdf"), 403)
    assert stored(evaluation) == []
    assert "不能修改" in page or "如需修改" in page
    assert 'data-testid="upload-form"' not in page


def test_upload_after_return_is_allowed_and_audited(app):
    org, plan = make_setup()
    evaluation = make_evaluation(plan, org, "returned")
    client = client_for(app, org.staff_a)
    upload(client, evaluation, PDF, "补充材料.pdf")
    [attachment] = stored(evaluation)
    records = _db.session.scalars(select(AuditRecord).where(AuditRecord.action == "evidence_upload")).all()
    assert [(r.evaluation_id, r.actor_id, r.details["sha256"]) for r in records] == [
        (evaluation.id, org.staff_a.id, attachment.sha256)]


@pytest.mark.commits  # threads race on committed rows
def test_submission_racing_an_upload_wins(app, setup):
    """The state is read again under a lock after the row is written: an upload that
    passed the first check while the evaluation was being submitted is refused."""
    org, evaluation, _other = setup
    staff = _db.session.get(type(org.staff_a), org.staff_a.id)
    assert evaluation.state == "self_evaluating"
    with _db.engine.begin() as connection:  # another process submits meanwhile
        connection.execute(update(Evaluation).where(Evaluation.id == evaluation.id).values(state="submitted"))
    assert evaluation.state == "self_evaluating"  # this session has not noticed
    with pytest.raises(services.ServiceError):
        services.upload(evaluation, staff, FileStorage(io.BytesIO(PDF), filename="迟到.pdf"))
    assert stored(evaluation) == []


@pytest.mark.parametrize("who", ["reviewer", "office", "leader", "staff_b"])
def test_others_cannot_upload(app, setup, who):
    org, evaluation, _other = setup
    client = client_for(app, getattr(org, who))
    response = upload(client, evaluation, PDF, "越权.pdf")
    assert response.status_code in (303, 403)
    if who == "staff_b":
        assert response.status_code == 403  # cannot even see the evaluation
    assert stored(evaluation) == []


def test_forged_indicator_of_another_evaluation_is_refused(app, setup):
    org, evaluation, other = setup
    client = client_for(app, org.staff_a)
    forged = upload(client, evaluation, PDF, "伪造.pdf", indicator_id=str(other.indicators[0].id))
    assert "不属于该评价" in refusal(forged, 422)
    assert stored(evaluation) == []
    injected = upload(client, evaluation, PDF, "伪造.pdf", indicator_id="1 OR 1=1")
    assert "所选绩效指标无效" in refusal(injected, 422)
    assert stored(evaluation) == []
    upload(client, evaluation, PDF, "伪造.pdf", indicator_id="999999")
    assert stored(evaluation) == []


# Who may download -----------------------------------------------------------------------


@pytest.fixture
def uploaded(app, setup):
    org, evaluation, other = setup
    client = client_for(app, org.staff_a)
    upload(client, evaluation, PDF, "绩效 自评报告（终稿）.pdf")
    [attachment] = stored(evaluation)
    return org, evaluation, other, attachment


def test_download_headers(app, uploaded):
    org, evaluation, _other, attachment = uploaded
    response = client_for(app, org.staff_a).get(url(evaluation, attachment.id))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    name = "绩效_自评报告（终稿）.pdf"
    assert attachment.filename == name
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(name, safe='')}" in disposition
    assert 'filename="' in disposition and disposition.isascii()
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    cache = {part.strip() for part in response.headers["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache
    assert response.headers["Content-Length"] == str(len(PDF))


@pytest.mark.parametrize("who", ["staff_a", "staff_a2", "reviewer", "reviewer2", "office", "leader"])
def test_people_who_see_the_evaluation_can_download(app, uploaded, who):
    org, evaluation, _other, attachment = uploaded
    response = client_for(app, getattr(org, who)).get(url(evaluation, attachment.id))
    assert response.status_code == 200
    assert response.data == PDF


@pytest.mark.parametrize("who", ["staff_b", "finance", "admin"])
def test_outsiders_cannot_download(app, uploaded, who):
    org, evaluation, _other, attachment = uploaded
    client = client_for(app, getattr(org, who))
    assert client.get(url(evaluation, attachment.id)).status_code == 403
    assert client.get(url(evaluation)).status_code == 403


def test_anonymous_cannot_download(app, uploaded):
    _org, evaluation, _other, attachment = uploaded
    response = app.test_client().get(url(evaluation, attachment.id))
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
    assert PDF not in response.data


def test_attachment_of_another_evaluation_is_not_found(app, uploaded):
    org, _evaluation, other, attachment = uploaded
    client = client_for(app, org.office)
    assert client.get(url(other, attachment.id)).status_code == 404
    assert client.get(url(other, attachment.id + 1000)).status_code == 404
    staff_b = client_for(app, org.staff_b)  # may see the other evaluation, not this file
    assert staff_b.get(url(other, attachment.id)).status_code == 404
    assert post(staff_b, url(other, attachment.id, "delete")).status_code == 404
    assert len(stored(_evaluation)) == 1


def test_list_page(app, uploaded):
    org, evaluation, _other, attachment = uploaded
    staff = client_for(app, org.staff_a).get(url(evaluation)).get_data(as_text=True)
    assert attachment.filename in staff
    assert 'data-testid="upload-form"' in staff
    assert f'data-testid="delete-{attachment.id}"' in staff
    assert 'enctype="multipart/form-data"' in staff and 'name="csrf_token"' in staff
    assert "style=" not in staff and "<script>" not in staff
    reviewer = client_for(app, org.reviewer).get(url(evaluation)).get_data(as_text=True)
    assert attachment.filename in reviewer
    assert 'data-testid="upload-form"' not in reviewer
    assert f'data-testid="delete-{attachment.id}"' not in reviewer


# Deleting -------------------------------------------------------------------------------


def test_uploader_and_fellow_editors_may_delete(app, uploaded):
    org, evaluation, _other, attachment = uploaded
    client = client_for(app, org.staff_a2)
    response = post(client, url(evaluation, attachment.id, "delete"))
    assert response.status_code == 303
    assert stored(evaluation) == []
    assert "已删除" in flashed(client, evaluation)


def test_reviewer_may_not_delete(app, uploaded):
    org, evaluation, _other, attachment = uploaded
    client = client_for(app, org.reviewer)
    post(client, url(evaluation, attachment.id, "delete"))
    assert len(stored(evaluation)) == 1
    assert post(client_for(app, org.staff_b), url(evaluation, attachment.id, "delete")).status_code == 403
    assert len(stored(evaluation)) == 1


def test_no_delete_once_submitted(app):
    org, plan = make_setup()
    evaluation = make_evaluation(plan, org, "submitted")
    attachment = Attachment(evaluation_id=evaluation.id, filename="报告.pdf", content_type="application/pdf",
                            size=len(PDF), sha256=hashlib.sha256(PDF).hexdigest(), data=PDF,
                            uploaded_by_id=org.staff_a.id)  # uploaded before the submission
    _db.session.add(attachment)
    _db.session.commit()
    client = client_for(app, org.staff_a)
    page = refusal(post(client, url(evaluation, attachment.id, "delete")), 403)
    assert len(stored(evaluation)) == 1
    assert "复核期间不能修改" in page
    assert f'data-testid="delete-{attachment.id}"' not in page


def test_delete_needs_csrf(app, uploaded):
    org, evaluation, _other, attachment = uploaded
    response = client_for(app, org.staff_a).post(url(evaluation, attachment.id, "delete"))
    assert response.status_code == 400
    assert len(stored(evaluation)) == 1


@pytest.mark.commits  # other processes read what the test stored
def test_many_processes_see_the_same_bytes(app, uploaded):
    """The bytes live in the database: a fresh connection reads them back."""
    _org, _evaluation, _other, attachment = uploaded
    with _db.engine.connect() as connection:
        data, digest = connection.execute(
            select(Attachment.data, Attachment.sha256).where(Attachment.id == attachment.id)).one()
    assert bytes(data) == PDF and digest == hashlib.sha256(PDF).hexdigest()
    assert _db.session.scalar(select(func.count()).select_from(Attachment)) == 1
