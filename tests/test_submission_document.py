"""The covering report to 市财政局 as a 上行文 (GB/T 9704-2012): its 发文字号 and 签发人, set by
the office (service, page, API) until the bureau has downloaded the submission; where the PDF
puts them, its 附件说明 and its 署名 and 成文日期, measured on the page; and the package,
the same bytes on every download."""
import hashlib
import io
import re
import struct
import time
import zipfile
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests import factories
from tests.api_helpers import ApiClient, assert_error
from tests.conftest import post, signed_in
from tests.pdf_checks import (BLOCK, assert_official_page, assert_signoff, prepared_fonts, squeeze, text_of,  # noqa: F401
                              words)
from workflow import clock
from workflow.documents import submission_summary
from workflow.errors import ServiceError
from workflow.extensions import db
from workflow.models import Submission
from workflow.selfeval.services import last_snapshot
from workflow.submissions import package, services
from workflow.zipdates import zip_time

CHAR = 16            # 3号: one character of the body, in points
LINE = 28.95         # the body's line pitch
LEFT, TOP, RIGHT, BOTTOM = BLOCK
COMPOSED = datetime(2020, 9, 1, 2, 0, tzinfo=timezone.utc)   # 10:00 in Beijing
NUMBER = "承应急〔2020〕12号"


@pytest.fixture
def world(app, prepared_fonts):  # noqa: F811
    """Two approved evaluations reported in one submission on 2020-09-01 10:00 (Beijing);
    the plan's 组长 is org.leader."""
    org, plan = factories.make_setup()
    evaluations = [factories.make_approved(plan, org, "应急物资储备项目", org.section_a, "100", "80"),
                   factories.make_approved(plan, org, "矿山隐患排查项目", org.section_b, "206.632", "172.743")]
    clock.freeze(COMPOSED)
    submission, refused = services.compose(plan, [e.id for e in evaluations], "2019年度第一批", "", org.office)
    assert not refused
    return org, plan, submission, evaluations   # conftest lets the clock run again afterwards


def reloaded(submission):
    db.session.commit()
    db.session.expire_all()
    return db.session.get(Submission, submission.id)


# The service ---------------------------------------------------------------------------------


def test_the_signer_defaults_to_the_groups_leader_and_the_number_is_empty(world):
    org, plan, submission, _evaluations = world
    assert submission.signer == org.leader.full_name and submission.signer
    assert submission.document_number == "" and submission.received_at is None
    # A plan without a working group: no signer to guess.
    lone = factories.make_plan(title="承德市应急管理局2021年度预算绩效评价工作方案")
    evaluation = factories.make_approved(lone, org, "森林防火项目", org.section_a, "10", "10")
    other, _refused = services.compose(lone, [evaluation.id], "第二批", "", org.office)
    assert other.signer == ""


def test_the_office_sets_number_and_signer(world):
    org, _plan, submission, _evaluations = world
    services.set_document(submission, f"  {NUMBER} ", " 姜立新 ", org.office)
    stored = reloaded(submission)
    assert (stored.document_number, stored.signer) == (NUMBER, "姜立新")
    # Both may be cleared again while the bureau has not downloaded the submission.
    services.set_document(stored, "", "", org.office)
    assert (reloaded(submission).document_number, reloaded(submission).signer) == ("", "")


@pytest.mark.parametrize("number, message", [
    ("承应急〔2020〕第12号", "不加“第”字"),
    ("承应急〔2020〕012号", "不编虚位"),
    ("承应急[2020]12号", "六角括号"),
    ("承应急（2020）12号", "六角括号"),
    ("承应急〔20〕12号", "四位数字"),
    ("承应急2020年12号", "机关代字〔年份〕序号号"),
    ("〔2020〕12号", "机关代字〔年份〕序号号"),
    ("承应急〔2020〕12", "机关代字〔年份〕序号号"),
    ("承应急〔2020〕0号", "不编虚位"),
    ("承" * 41, "不能超过 40 个字"),
])
def test_a_malformed_number_is_refused_with_its_reason_and_nothing_changes(world, number, message):
    org, _plan, submission, _evaluations = world
    services.set_document(submission, NUMBER, "姜立新", org.office)
    with pytest.raises(ServiceError) as refused:
        services.set_document(submission, number, "王建华", org.office)
    assert message in refused.value.message, refused.value.message
    stored = reloaded(submission)
    assert (stored.document_number, stored.signer) == (NUMBER, "姜立新")


@pytest.mark.parametrize("signer, message", [("姜" * 33, "不能超过 32 个字"), ("姜立\n新", "不能换行")])
def test_a_bad_signer_is_refused(world, signer, message):
    org, _plan, submission, _evaluations = world
    with pytest.raises(ServiceError) as refused:
        services.set_document(submission, NUMBER, signer, org.office)
    assert message in refused.value.message
    assert reloaded(submission).document_number == ""


def test_only_the_office_sets_them(world):
    org, _plan, submission, _evaluations = world
    for user in (org.leader, org.finance, org.staff_a, org.admin):
        with pytest.raises(ServiceError) as refused:
            services.set_document(submission, NUMBER, "姜立新", user)
        assert refused.value.code == "forbidden" and "只有办公室" in refused.value.message
    assert reloaded(submission).document_number == ""


def test_a_number_belongs_to_one_submission(world):
    org, plan, submission, _evaluations = world
    services.set_document(submission, NUMBER, "姜立新", org.office)
    evaluation = factories.make_approved(plan, org, "森林防火项目", org.section_a, "10", "10")
    other, _refused = services.compose(plan, [evaluation.id], "第二批", "", org.office)
    with pytest.raises(ServiceError) as refused:
        services.set_document(other, NUMBER, "姜立新", org.office)
    assert refused.value.code == "duplicate" and NUMBER in refused.value.message
    services.set_document(submission, NUMBER, "王建华", org.office)   # its own number again: fine


def test_the_bureaus_first_download_fixes_them(world):
    """Downloads by the office and the leader change nothing; the bureau's first records
    when, a later one does not move it, and from then on the office is refused."""
    org, _plan, submission, _evaluations = world
    services.mark_received(submission, org.office)
    services.mark_received(submission, org.leader)
    assert reloaded(submission).received_at is None
    services.set_document(submission, NUMBER, "姜立新", org.office)
    clock.freeze(COMPOSED + timedelta(days=2))
    services.mark_received(submission, org.finance)
    clock.freeze(COMPOSED + timedelta(days=3))
    services.mark_received(reloaded(submission), org.finance)
    stored = reloaded(submission)
    assert stored.received_at == COMPOSED + timedelta(days=2)
    with pytest.raises(ServiceError) as refused:
        services.set_document(stored, "承应急〔2020〕13号", "王建华", org.office)
    assert refused.value.code == services.LOCKED and "不能再修改" in refused.value.message
    assert (reloaded(submission).document_number, reloaded(submission).signer) == (NUMBER, "姜立新")


# The page --------------------------------------------------------------------------------------


def test_the_office_sets_them_on_the_submission_page(app, world):
    org, _plan, submission, _evaluations = world
    office = signed_in(app, org.office)
    page = office.get(f"/submissions/{submission.id}").get_data(as_text=True)
    form = re.search(r'<form[^>]*data-testid="document-form".*?</form>', page, re.S).group(0)
    assert f'action="/submissions/{submission.id}/document"' in form and 'name="csrf_token"' in form
    assert re.search(r'name="document_number"[^>]*value=""', form)
    assert re.search(rf'name="signer"[^>]*value="{org.leader.full_name}"', form)   # prefilled: the 组长

    response = post(office, f"/submissions/{submission.id}/document", {"document_number": NUMBER, "signer": "姜立新"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/submissions/{submission.id}")
    page = office.get(f"/submissions/{submission.id}").get_data(as_text=True)
    assert "已保存发文字号和签发人。" in page and f'value="{NUMBER}"' in page
    assert (reloaded(submission).document_number, reloaded(submission).signer) == (NUMBER, "姜立新")
    # The leader reads them, without a form.
    page = signed_in(app, org.leader).get(f"/submissions/{submission.id}").get_data(as_text=True)
    assert 'data-testid="document-form"' not in page and NUMBER in page and "姜立新" in page


def test_bad_input_on_the_page_says_why_and_keeps_what_was_typed(app, world):
    org, _plan, submission, _evaluations = world
    office = signed_in(app, org.office)
    response = post(office, f"/submissions/{submission.id}/document",
                    {"document_number": "承应急〔2020〕第12号", "signer": "王建华"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "发文字号的序号前不加“第”字" in page and 'value="承应急〔2020〕第12号"' in page and 'value="王建华"' in page
    stored = reloaded(submission)
    assert (stored.document_number, stored.signer) == ("", org.leader.full_name)


def test_others_are_refused_and_nothing_changes(app, world):
    org, _plan, submission, _evaluations = world
    for user in (org.leader, org.finance, org.staff_a, org.reviewer, org.admin):
        response = post(signed_in(app, user), f"/submissions/{submission.id}/document",
                        {"document_number": NUMBER, "signer": "某人"})
        assert response.status_code == 403, user.username
    # Without the CSRF token even the office is refused.
    office = signed_in(app, org.office)
    assert office.post(f"/submissions/{submission.id}/document",
                       data={"document_number": NUMBER, "signer": "某人"}).status_code == 400
    assert post(office, "/submissions/999999/document", {"document_number": NUMBER, "signer": ""}).status_code == 404
    stored = reloaded(submission)
    assert (stored.document_number, stored.signer) == ("", org.leader.full_name)


def test_after_the_bureaus_download_the_page_shows_them_fixed(app, world):
    org, _plan, submission, _evaluations = world
    office = signed_in(app, org.office)
    post(office, f"/submissions/{submission.id}/document", {"document_number": NUMBER, "signer": "姜立新"})
    assert signed_in(app, org.finance).get(f"/submissions/{submission.id}/summary.pdf").status_code == 200
    page = office.get(f"/submissions/{submission.id}").get_data(as_text=True)
    assert 'data-testid="document-form"' not in page and "不能再修改" in page and NUMBER in page
    response = post(office, f"/submissions/{submission.id}/document", {"document_number": "承应急〔2020〕13号",
                                                                       "signer": "王建华"})
    assert response.status_code == 409 and "市财政局已下载" in response.get_data(as_text=True)
    assert reloaded(submission).document_number == NUMBER


# The API -----------------------------------------------------------------------------------------


def test_the_api_sets_them_with_the_same_rules(app, world):
    org, _plan, submission, _evaluations = world
    url = f"/api/v1/submissions/{submission.id}/document"
    office = ApiClient(app, org.office)
    response = office.put(url, json={"document_number": NUMBER, "signer": "姜立新"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["document_number"], body["signer"], body["received_at"]) == (NUMBER, "姜立新", None)
    assert office.get(f"/api/v1/submissions/{submission.id}").get_json()["document_number"] == NUMBER

    assert_error(office.put(url, json={"document_number": "承应急〔2020〕第12号", "signer": "x"}), 422, "invalid")
    assert_error(office.put(url, json={"document_number": NUMBER}), 422, "invalid")   # signer required
    assert_error(ApiClient(app, org.leader).put(url, json={"document_number": NUMBER, "signer": "x"}), 403, "forbidden")
    assert_error(office.put("/api/v1/submissions/999999/document", json={"document_number": "", "signer": ""}),
                 404, "not_found")
    services.mark_received(submission, org.finance)
    assert_error(office.put(url, json={"document_number": "承应急〔2020〕13号", "signer": "x"}), 409, "locked")
    stored = reloaded(submission)
    assert (stored.document_number, stored.signer) == (NUMBER, "姜立新")


def test_the_openapi_document_states_the_shape(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    schema = spec["components"]["schemas"]["SubmissionDocumentInput"]["properties"]
    assert schema["document_number"]["maxLength"] == 40 and schema["signer"]["maxLength"] == 32
    pattern = re.compile(schema["document_number"]["pattern"])
    assert pattern.match(NUMBER) and pattern.match("")
    assert not any(pattern.match(bad) for bad in ("承应急〔2020〕第12号", "承应急〔2020〕012号", "承应急[2020]12号"))
    operation = spec["paths"]["/api/v1/submissions/{submission_id}/document"]["put"]
    assert "SubmissionDocumentInput" in str(operation["requestBody"])


# The PDF, measured ---------------------------------------------------------------------------------


def find(page, start):
    hits = [w for w in page if w[0].startswith(start)]
    assert hits, (start, [w[0] for w in page])
    return hits[0]


def same_line(a, b):
    return abs(a[2] - b[2]) < 1 and abs(a[4] - b[4]) < 1


def test_the_number_line_stands_above_the_title_as_the_standard_places_it(world):
    org, _plan, submission, _evaluations = world
    services.set_document(submission, NUMBER, "姜立新", org.office)
    pdf = submission_summary.render_summary(submission)
    first = words(pdf)[0]
    number, signer = find(first, NUMBER), find(first, "签发人：")
    assert signer[0] == "签发人：姜立新"
    assert same_line(number, signer)
    assert number[1] == pytest.approx(LEFT + CHAR, abs=1.0)        # one character from the left
    assert signer[3] == pytest.approx(RIGHT - CHAR, abs=1.5)       # one character from the right
    assert number[2] == pytest.approx(TOP, abs=4)                  # the first line of the page
    title = find(first, "关于报送2019年度预算项目")
    # Two blank lines between them: the title's first line about three body lines lower.
    assert 2 * LINE <= title[2] - number[4] <= 3 * LINE
    assert first.index(number) < first.index(title)
    assert_official_page(pdf)
    # Without them (nothing set yet) the title opens the page.
    services.set_document(submission, "", "", org.office)
    first = words(submission_summary.render_summary(submission))[0]
    assert first[0][0] == "关于报送2019年度预算项目" and "签发人" not in "".join(w[0] for w in first)


@pytest.mark.parametrize("plan_title, issuer", [
    # The issuer longer than the date with its two characters: it ends two from the right.
    ("承德市应急管理局安全生产委员会办公室2020年绩效评价工作方案", "承德市应急管理局安全生产委员会办公室"),
    # The date the longer: it ends two from the right and the short issuer moves left with it.
    ("应急管理局2020年绩效评价工作方案", "应急管理局"),
])
def test_issuer_and_date_where_the_rule_puts_them(world, plan_title, issuer):
    org, plan, submission, _evaluations = world
    plan.title = plan_title
    db.session.commit()
    pdf = submission_summary.render_summary(submission)
    page = next(p for p in words(pdf) if any(w[0] == "2020年9月1日" for w in p))
    note = find(page, "附件：")
    assert note[0] == "附件：2019年度第一批项目绩效评价结果汇总表"   # one line
    # By the rule (tests/pdf_checks.assert_signoff), one blank line under the 附件说明.
    name, day = assert_signoff(pdf, issuer, "2020年9月1日")
    if len(issuer) > 8:
        assert name.x1 > day.x1
    else:
        assert day.x1 > name.x1


def test_a_long_attachment_name_wraps_under_its_first_character(world):
    org, _plan, submission, _evaluations = world
    submission.title = "2019年度第一批（应急管理、安全生产、防灾减灾和综合执法各科室承担的专项资金项目）"
    db.session.commit()
    pdf = submission_summary.render_summary(submission)
    pages = words(pdf)
    page = next(p for p in pages if any(w[0].startswith("附件：") for w in p))
    assert pages.index(page) == 1   # this one does not fit under the text of the first page
    first = find(page, "附件：2019年度第一批")
    issuer = find(page, "承德市应急管理局")
    following = [w for w in page if first[2] < w[2] < issuer[2]]
    assert len(following) == 2, following   # the name takes three lines
    # "附件：" two characters in from the margin; each further line starts where the name does,
    # three characters (附件：) further right, not at the margin nor at the indent.
    assert first[1] == pytest.approx(LEFT + 2 * CHAR, abs=1.0)
    for line in following:
        assert line[1] == pytest.approx(first[1] + 3 * CHAR, abs=1.5), line
        assert line[2] - first[2] in (pytest.approx(LINE, abs=0.5), pytest.approx(2 * LINE, abs=0.5))
    text = squeeze("".join(w[0] for w in [first, *following]))
    assert text == f"附件：{submission.title}项目绩效评价结果汇总表"
    # The closing follows, by the rule, on a page with text: when it does not fit under the
    # text, the text's last paragraph goes over with it.
    assert_signoff(pdf, "承德市应急管理局", "2020年9月1日")
    last = find(page, "各项目的绩效评价报告随附报送。")
    assert first[2] - last[2] == pytest.approx(2 * LINE, abs=0.5)   # one blank line under the text


def test_the_attachments_title_is_a_title_and_the_unit_stays_small_at_the_right(world):
    _org, _plan, submission, _evaluations = world
    pages = words(submission_summary.render_summary(submission))
    # The annex's page: the one starting with 附件 (the charts' pages follow it).
    annex = next(page for page in pages if page and page[0][0] == "附件")
    assert annex[0][1] == pytest.approx(LEFT, abs=0.5)
    title = find(annex, "2019年度第一批项目绩效评价结果汇总表")
    body = find(pages[0], "市财政局：")
    # The size of the document's own title (2号, 22 pt), well above the body's 3号.
    heading = find(pages[0], "关于报送2019年度预算项目")
    assert title[4] - title[2] == pytest.approx(heading[4] - heading[2], abs=0.2)
    assert title[4] - title[2] > 1.3 * (body[4] - body[2])
    assert (title[1] + title[3]) / 2 == pytest.approx((LEFT + RIGHT) / 2, abs=1.5)   # centred
    unit = find(annex, "单位：万元")
    header = find(annex, "序号")
    assert title[4] < unit[2] < unit[4] < header[2]                      # between the title and the table
    assert unit[3] == pytest.approx(RIGHT, abs=1.0)                      # at the right
    assert (unit[4] - unit[2]) < 0.8 * (body[4] - body[2])               # small (12 pt)


# The package: the same bytes on every download -----------------------------------------------------


def local_header_time(data, info):
    """The (time, date) DOS words of an entry's local file header (zipfile reads the central
    directory's copy only)."""
    return struct.unpack_from("<HH", data, info.header_offset + 10)


def dos(date_time):
    year, month, day, hour, minute, second = date_time
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


def test_two_downloads_at_different_times_are_byte_identical(app, world, monkeypatch):
    """The package downloaded, then downloaded again an hour, a minute and three seconds
    later by the wall clock (the process's time functions and the app's clock both moved):
    the same bytes. Every entry is dated by what it holds, in both of its headers."""
    org, _plan, submission, evaluations = world
    services.set_document(submission, NUMBER, "姜立新", org.office)
    url = f"/submissions/{submission.id}/package.zip"

    first = signed_in(app, org.office).get(url).data
    real_time, real_localtime = time.time, time.localtime
    later = 3600 + 60 + 3
    monkeypatch.setattr(time, "time", lambda: real_time() + later)
    monkeypatch.setattr(time, "localtime", lambda seconds=None: real_localtime(
        real_time() + later if seconds is None else seconds))
    clock.freeze(COMPOSED + timedelta(days=30, seconds=later))
    second = signed_in(app, org.finance).get(url).data
    assert hashlib.sha256(second).hexdigest() == hashlib.sha256(first).hexdigest()
    assert second == first

    archive = zipfile.ZipFile(io.BytesIO(first))
    names = [info.filename for info in archive.infolist()]
    assert names[0].endswith(".pdf") and names[1].endswith(".xlsx") and names[-1] == "SHA256SUMS.txt"
    composed = zip_time(COMPOSED)
    assert composed == (2020, 9, 1, 10, 0, 0)   # the office's calendar and clock
    approvals = {last_snapshot(e, "approval").created_at for e in evaluations}
    for info in archive.infolist():
        if info.filename.startswith(package.REPORT_FOLDER):
            assert info.date_time in {zip_time(moment) for moment in approvals}, info
        else:
            assert info.date_time == composed, info
        assert local_header_time(first, info) == dos(info.date_time), info.filename

    # The workbook: its properties and its own entries from the submission, not the clock.
    workbook = archive.read(names[1])
    properties = load_workbook(io.BytesIO(workbook)).properties
    assert properties.created == properties.modified == COMPOSED.replace(tzinfo=None)
    assert {info.date_time for info in zipfile.ZipFile(io.BytesIO(workbook)).infolist()} == {composed}
    # The summary PDF: dated by the submission; with the number and the signer.
    summary = archive.read(names[0])
    metadata = PdfReader(io.BytesIO(summary)).metadata
    assert metadata["/CreationDate"].startswith("D:20200901020000") and metadata["/ModDate"] == metadata["/CreationDate"]
    assert NUMBER in squeeze(text_of(summary))


def test_a_changed_number_changes_the_package_and_only_then(app, world):
    """The bytes follow the submission: a new 发文字号 is a new summary PDF, nothing else."""
    org, _plan, submission, _evaluations = world
    before = b"".join(package.build(submission))
    services.set_document(submission, NUMBER, "姜立新", org.office)
    after = b"".join(package.build(reloaded(submission)))
    assert after != before
    old, new = zipfile.ZipFile(io.BytesIO(before)), zipfile.ZipFile(io.BytesIO(after))
    changed = [info.filename for info in new.infolist() if new.read(info) != old.read(info.filename)]
    assert changed == [new.infolist()[0].filename, "SHA256SUMS.txt"]
    assert b"".join(package.build(reloaded(submission))) == after


def test_the_notice_closes_by_the_same_rule(app, prepared_fonts):  # noqa: F811
    """The closing macros are shared: the meeting notice's 附件说明, issuer and date measured
    the same way (its issuer is the longer: it ends two characters from the right)."""
    from tests.test_meetings import make_meeting
    from workflow.documents import meeting as meeting_documents

    org, plan = factories.make_setup()
    plan.office_section_id = org.office_section.id
    db.session.commit()
    meeting = make_meeting(plan, org, issuer="承德市应急管理局绩效评价工作小组")
    pdf = meeting_documents.render_notice(meeting)
    note = find(words(pdf)[0], "附件：")
    assert note[0] == "附件：培训登记表" and note[1] == pytest.approx(LEFT + 2 * CHAR, abs=1.0)
    name, day = assert_signoff(pdf, "承德市应急管理局绩效评价工作小组", "2020年6月15日")
    assert name.x1 > day.x1
