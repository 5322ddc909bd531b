"""Office files opened before they are kept (workflow/office_files.py), for every upload route
that takes one: evidence (佐证材料), meeting attachments, the project import and the people import.

A fake workbook (a ZIP with only [Content_Types].xml, or with an ``xl/`` part that is no
workbook), a fake Word file, a 200 kB deflate bomb inflating to 200 MB, a part compressed
more than 100:1, and a ZIP whose central directory lies about a part's size (so that zipfile
alone would read 1 kB of a 200 MB stream) are refused with a Chinese message and store
nothing; a real workbook and a real Word document are accepted. Each route answers a refusal as
it answers every other refused upload: its page with the message, and 422.
"""
import functools
import io
import struct
import zipfile
import zlib
from types import SimpleNamespace

import pytest
from flask import current_app
from sqlalchemy import func, select

from tests.conftest import post, signed_in
from tests.factories import make_evaluation, make_setup
from tests.test_evidence import CONTENT_TYPES, PDF, docx_bytes, ole_bytes, xlsx_bytes
from tests.test_excel import upload_file
from tests.test_meetings import make_meeting
from tests.test_security_uploads import EVIDENCE_REFUSAL, MEETING_REFUSAL
from workflow import files, office_files
from workflow.extensions import db
from workflow.models import Attachment, MeetingAttachment, Project, Section, User
from workflow.selfeval import content

MB = 1024 * 1024
SHEET = "xl/worksheets/sheet1.xml"


# Building the files -----------------------------------------------------------------------


def zip_of(parts):
    """A ZIP of ``parts`` {name: text or bytes, or an int: that many zero bytes, streamed}."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            if isinstance(body, int):
                with archive.open(name, "w") as part:
                    for _ in range(body // MB):
                        part.write(bytes(MB))
            else:
                archive.writestr(name, body)
    return buffer.getvalue()


@functools.cache
def bomb():
    """About 200 kB that inflate to 200 MB: a workbook's directory, a sheet of zeros."""
    return zip_of({"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": "<workbook/>", SHEET: 200 * MB})


def ratio_bomb():
    """2 MB of zeros in one part: within the 50 MB, but compressed about 1000:1."""
    return zip_of({"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": "<workbook/>", SHEET: 2 * MB})


def lie_about(data, name, size, crc=None):
    """``data`` with the part ``name`` declared (local header and central directory) to be
    ``size`` bytes with ``crc`` (default: the CRC of that many zeros, so zipfile believes it)."""
    out = bytearray(data)
    encoded = name.encode()
    crc = zlib.crc32(bytes(size)) if crc is None else crc
    for signature, name_at, crc_at, size_at in ((b"PK\x03\x04", 30, 14, 22), (b"PK\x01\x02", 46, 16, 24)):
        position = out.find(signature)
        while position != -1:
            start = position + name_at
            if out[start:start + len(encoded)] == encoded:
                struct.pack_into("<I", out, position + crc_at, crc)
                struct.pack_into("<I", out, position + size_at, size)
            position = out.find(signature, position + 4)
    return bytes(out)


@functools.cache
def lying_bomb():
    """The bomb whose directory says its sheet is 1 kB (with the CRC of 1 kB of zeros)."""
    return lie_about(bomb(), SHEET, 1024)


def fake_workbook():
    return zip_of({"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": "<workbook/>"})


def fake_docx():
    return zip_of({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": "<w:document/>"})


def only_content_types():
    return zip_of({"[Content_Types].xml": CONTENT_TYPES})


# The routes -------------------------------------------------------------------------------


@pytest.fixture
def world(app):
    org, plan = make_setup()
    meeting = make_meeting(plan, org)
    evaluation = make_evaluation(plan, org, "self_evaluating")
    content.ensure_content(evaluation)
    db.session.commit()
    return SimpleNamespace(org=org, plan=plan, meeting=meeting, evaluation=evaluation,
                           office=signed_in(app, org.office), staff=signed_in(app, org.staff_a))


def count(model):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def to_evidence(world, data, name):
    response = post(world.staff, f"/evaluations/{world.evaluation.id}/evidence",
                    {"file": (io.BytesIO(data), name)}, content_type="multipart/form-data", follow_redirects=True)
    return response, count(Attachment)


def to_meeting(world, data, name):
    response = post(world.office, f"/meetings/{world.meeting.id}/attachments",
                    {"title": "", "file": (io.BytesIO(data), name)}, content_type="multipart/form-data",
                    follow_redirects=True)
    return response, count(MeetingAttachment)


def to_import(world, data, name):
    response = post(world.office, f"/excel/plans/{world.plan.id}/import", {"file": (io.BytesIO(data), name)},
                    content_type="multipart/form-data")
    return response, count(Project) - 1  # the world's own project


def to_people_import(world, data, name):
    if getattr(world, "admin", None) is None:
        world.admin = signed_in(current_app._get_current_object(), world.org.admin)
    people, sections = count(User), count(Section)
    response = post(world.admin, "/admin/people/import", {"file": (io.BytesIO(data), name)},
                    content_type="multipart/form-data")
    return response, (count(User) - people) + (count(Section) - sections)


ROUTES = {"evidence": to_evidence, "meeting attachment": to_meeting, "project import": to_import,
          "people import": to_people_import}
REFUSED_STATUS = {"evidence": 422, "meeting attachment": 422, "project import": 422, "people import": 422}

NOT_A_WORKBOOK = "文件不是有效的 Excel 工作簿，未保存。"
IMPORT_NOT_A_WORKBOOK = "上传的文件不是有效的 Excel 工作簿（.xlsx），请使用下载的导入模板。"
# The project import reads .xlsx, .xls, .ods and .csv (workflow/excel/sheets.py).
PROJECTS_UNKNOWN = "无法识别上传的文件。请上传导入模板填好后的文件"
PROJECTS_DAMAGED = "上传的文件已损坏，无法打开。请上传导入模板填好后的文件"
TOO_LARGE = "文件解压后超过 50 MB，未保存。"
RATIO = "文件中有部分的压缩比超过 100:1（疑似压缩炸弹），未保存。"

# name: (build, file name, {route: the message}, or one message for every route)
REFUSED = {
    "only [Content_Types].xml": (only_content_types, "登记表.xlsx",
                                 {"evidence": EVIDENCE_REFUSAL, "meeting attachment": MEETING_REFUSAL,
                                  "project import": PROJECTS_UNKNOWN, "people import": IMPORT_NOT_A_WORKBOOK}),
    "fake workbook": (fake_workbook, "登记表.xlsx",
                      {"evidence": NOT_A_WORKBOOK, "meeting attachment": NOT_A_WORKBOOK,
                       "project import": PROJECTS_DAMAGED, "people import": IMPORT_NOT_A_WORKBOOK}),
    "fake Word document": (fake_docx, "议程.docx",
                           {"evidence": "文件不是有效的 Word 文档，未保存。",
                            "meeting attachment": "文件不是有效的 Word 文档，未保存。",
                            "project import": PROJECTS_UNKNOWN, "people import": IMPORT_NOT_A_WORKBOOK}),
    "200 MB deflate bomb": (bomb, "明细.xlsx", TOO_LARGE),
    "part compressed 1000:1": (ratio_bomb, "明细.xlsx", RATIO),
    "central directory lying about a size": (lying_bomb, "明细.xlsx", RATIO),
}


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("case", REFUSED)
def test_what_does_not_open_within_the_limits_is_refused_and_not_kept(world, route, case):
    build, name, message = REFUSED[case]
    message = message[route] if isinstance(message, dict) else message
    response, kept = ROUTES[route](world, build(), name)
    assert response.status_code == REFUSED_STATUS[route]
    assert message in response.get_data(as_text=True)
    assert kept == 0


@pytest.mark.parametrize("route", ["evidence", "meeting attachment"])
def test_a_lying_directory_is_refused_at_a_lowered_total_limit(app, world, monkeypatch, route):
    monkeypatch.setitem(app.config, "OFFICE_MAX_UNCOMPRESSED_MB", 1)
    response, kept = ROUTES[route](world, lying_bomb(), "明细.xlsx")
    assert "文件解压后超过 1 MB，未保存。" in response.get_data(as_text=True)
    assert kept == 0


@pytest.mark.parametrize("route, build, name", [
    ("evidence", xlsx_bytes, "资金明细.xlsx"),
    ("evidence", docx_bytes, "情况说明.docx"),
    ("meeting attachment", xlsx_bytes, "培训登记表.xlsx"),
    ("meeting attachment", docx_bytes, "议程.docx"),
])
def test_real_office_files_are_kept(world, route, build, name):
    data = build()
    response, kept = ROUTES[route](world, data, name)
    assert response.status_code == 200
    assert "已上传" in response.get_data(as_text=True)
    assert kept == 1


def test_a_real_people_workbook_is_imported(world):
    from tests.people_workbook import fill

    template = signed_in(current_app._get_current_object(), world.org.admin).get("/admin/people/template.xlsx").data
    data = fill(template, [("新同事", "xintongshi", "新科室", "科员", "", "", "科室经办人")])
    response, kept = to_people_import(world, data, "人员.xlsx")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert kept == 2  # the person and the section


def test_a_real_workbook_is_imported(world):
    template = world.office.get(f"/excel/plans/{world.plan.id}/projects-template.xlsx").data
    data = upload_file(template, [["导入的项目", world.org.section_a.name]])
    response, kept = to_import(world, data, "项目.xlsx")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert kept == 1


# The check, without HTTP ------------------------------------------------------------------


@pytest.mark.parametrize("build, file_type", [
    (xlsx_bytes, files.XLSX), (docx_bytes, files.DOCX), (lambda: ole_bytes("Workbook"), files.XLS),
    (lambda: PDF, files.PDF),
])
def test_real_files_pass(build, file_type):
    data = build()
    assert files.detect_type(data) is file_type
    assert office_files.check(data, file_type) is None


@pytest.mark.parametrize("case, reason", [
    ("only [Content_Types].xml", "invalid"), ("fake workbook", "invalid"), ("200 MB deflate bomb", "too_large"),
    ("part compressed 1000:1", "ratio"), ("central directory lying about a size", "ratio"),
])
def test_each_refusal_names_its_reason(case, reason):
    with pytest.raises(office_files.OfficeFileRefused) as refused:
        office_files.check(REFUSED[case][0](), files.XLSX)
    assert refused.value.reason == reason


def test_zipfile_alone_would_believe_the_lying_directory():
    """Why the check inflates the parts itself: zipfile stops at the declared size and finds
    the CRC right, so the 200 MB behind it go unnoticed until Excel opens the file."""
    with zipfile.ZipFile(io.BytesIO(lying_bomb())) as archive:
        assert archive.read(SHEET) == bytes(1024)
        assert sum(info.file_size for info in archive.infolist()) < 2048


@pytest.mark.parametrize("limit_mb", [1, 50])
def test_never_more_is_inflated_than_the_limits_allow(app, monkeypatch, limit_mb):
    """Counted on the real inflater: at most the total limit (or the ratio's cap, whichever
    is smaller) and one byte, however much the bytes would give."""
    monkeypatch.setitem(app.config, "OFFICE_MAX_UNCOMPRESSED_MB", limit_mb)
    produced = []
    real = zlib.decompressobj

    class Counting:
        def __init__(self, *args):
            self._inflater = real(*args)

        def decompress(self, data, max_length=0):
            out = self._inflater.decompress(data, max_length)
            produced.append(len(out))
            return out

        def __getattr__(self, name):
            return getattr(self._inflater, name)

    monkeypatch.setattr(office_files.zlib, "decompressobj", Counting)
    with pytest.raises(office_files.OfficeFileRefused):
        office_files.check(lying_bomb(), files.XLSX)
    compressed = next(i.compress_size for i in zipfile.ZipFile(io.BytesIO(lying_bomb())).infolist()
                      if i.filename == SHEET)
    cap = min(limit_mb * MB, max(office_files.RATIO_FLOOR, 100 * compressed))
    assert cap < sum(produced) <= cap + 1 + 2048  # the small parts before it, then the sheet up to the cap


def test_a_part_whose_size_or_crc_is_not_as_declared_is_refused():
    data = xlsx_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(SHEET)
    for lie in (lie_about(data, SHEET, info.file_size + 1, info.CRC), lie_about(data, SHEET, info.file_size, 0)):
        with pytest.raises(office_files.OfficeFileRefused) as refused:
            office_files.check(lie, files.XLSX)
        assert refused.value.reason == "invalid"


def test_too_many_parts_are_refused(app, monkeypatch):
    data = xlsx_bytes()
    parts = len(zipfile.ZipFile(io.BytesIO(data)).infolist())
    monkeypatch.setitem(app.config, "OFFICE_MAX_PARTS", parts - 1)
    with pytest.raises(office_files.OfficeFileRefused) as refused:
        office_files.check(data, files.XLSX)
    assert refused.value.reason == "parts"
    monkeypatch.setitem(app.config, "OFFICE_MAX_PARTS", parts)
    office_files.check(data, files.XLSX)
