"""The package download in a real browser (Debian's Chromium through Playwright): the office
clicks 下载报送材料（ZIP） on the submission page; static/js/download.js fetches the stream,
reads it against Content-Length and saves it under the Chinese name the server gave, with
no Content-Security-Policy complaint."""
import io
import zipfile

import pytest
from playwright.sync_api import expect

from tests.live_server import live_server  # noqa: F401  (fixture)
from tests.pdf_checks import prepared_fonts  # noqa: F401  (fixture)
from tests.test_meetings_browser import in_own_thread, log_in
from tests.test_submission_package import expected_names
from tests import factories
from workflow.submissions import services

pytestmark = pytest.mark.browser


@pytest.fixture
def submission(app, prepared_fonts):  # noqa: F811
    org, plan = factories.make_setup()
    evaluations = [factories.make_approved(plan, org, "应急物资储备项目", org.section_a, "100", "80"),
                   factories.make_approved(plan, org, "危险化学品重大危险源监测预警项目", org.section_b, "85.6", "83.12")]
    submission, _refused = services.compose(plan, [e.id for e in evaluations], "2019年度第一批", "", org.office)
    return submission


def test_the_package_downloads_through_the_progress_script(live_server, submission):  # noqa: F811
    names = expected_names(submission)
    outcome = {}

    def scenario(browser):
        context = browser.new_context(base_url=live_server.base_url, locale="zh-CN", accept_downloads=True)
        context.set_default_timeout(20_000)
        page = context.new_page()
        problems = []
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.goto("/auth/login")
        log_in(page, "office")
        page.wait_for_url(lambda url: "/auth/login" not in url)
        page.goto(f"/submissions/{submission.id}")
        with page.expect_download() as info:
            page.get_by_test_id("package-zip").click()
        download = info.value
        outcome["name"] = download.suggested_filename
        with open(download.path(), "rb") as handle:
            outcome["data"] = handle.read()
        # Only the script writes this line: the link was not simply followed.
        expect(page.locator("[data-download-text]")).to_have_text("下载完成。")
        outcome["problems"] = problems
        context.close()

    in_own_thread(scenario)
    assert outcome["name"] == "2019年度第一批-报送材料.zip"
    archive = zipfile.ZipFile(io.BytesIO(outcome["data"]))
    assert archive.testzip() is None
    assert [info.filename for info in archive.infolist()] == names
    assert not [p for p in outcome["problems"] if "Content Security Policy" in p], outcome["problems"]
