"""Script payloads never run: typed into the main forms in Chromium, or stored through the
services in every other text field, then shown on the pages that display them.

Two defences, each checked on its own: the Content-Security-Policy (no 'unsafe-inline' /
'unsafe-eval' for scripts, so an injected script would be blocked anyway) and escaping (the
payload appears as text; no element it would create exists in the page). A payload that ran
sets ``window.__xss`` or opens a dialog; neither may happen on any page.

Also: no template contains an inline ``<script>`` (without src) or an on*= handler attribute,
so the policy never has to be loosened for the app's own pages."""
import re

import pytest

from tests.factories import fill_complete, make_project, make_setup, walk_to
from tests.live_server import live_server  # noqa: F401  (fixture)
from tests.test_meetings import bj, make_meeting
from tests.test_meetings_browser import in_own_thread, log_in
from workflow import PROJECT_DIR, clock
from workflow.engine import actions
from workflow.extensions import db
from workflow.meetings import services as meetings
from workflow.tokens import services as api_tokens

pytestmark = pytest.mark.browser

SCRIPT = "<script>window.__xss=1</script>"
IMG = "<img src=x onerror=window.__xss=1>"
SVG = '"><svg onload=window.__xss=1>'
ALERT = "<img src=y onerror=alert(1)>"
PAYLOAD = SCRIPT + IMG + SVG + ALERT  # 122 characters: for fields of 200 or more
SHORT = SCRIPT + IMG + SVG  # 94 characters: for fields of 100
NOW = bj(6, 20, 9, 0)
# Elements the payloads would create if they were not escaped.
INJECTED = "script:not([src]), img[src='x'], img[src='y'], svg[onload]"


@pytest.fixture
def world():
    """The seed's people with payloads in names a page shows everywhere (a section, a
    person), a plan and project named with them, an evaluation whose report sections and
    review comments carry them (returned with a payload comment, so the section is notified),
    and a meeting whose title, place and arrangements carry them, with a guest named so."""
    org, plan = make_setup()
    org.section_a.name = "科室" + SVG + IMG[:30]
    org.staff_a.full_name = SVG + "原立吉"
    plan.title = "方案" + PAYLOAD
    meeting = make_meeting(plan, org, title="培训" + PAYLOAD, place=PAYLOAD, arrangements=PAYLOAD, publish=False)
    meetings.add_invitees(meeting, org.office, guest=meetings.GuestData(SVG + "来宾", IMG[:40]))
    meetings.publish(meeting, org.office)  # on 2020-06-15
    meetings.reply(meeting, org.staff_a, meetings.ReplyData(attending=True, name=SVG + "原立吉", unit=IMG[:40],
                                                            remarks=PAYLOAD))
    api_tokens.create(org.staff_a, PAYLOAD[:64])
    clock.freeze(NOW)  # the meeting's morning, for the whole test: its board is live
    guest = next(invitee for invitee in meeting.invitees if invitee.guest_name)
    meetings.proxy_sign_in(meeting, guest.id, org.office, "代签" + PAYLOAD[:60])
    evaluation = make_project(plan, "项目" + PAYLOAD, org.section_a, org.office).evaluation
    walk_to(evaluation, "self_evaluating", org)
    fill_complete(evaluation)
    for section in evaluation.narrative:
        section.text = PAYLOAD
    for indicator in evaluation.indicators:
        indicator.name = SHORT
        indicator.deviation_reason = PAYLOAD
    evaluation.project.overall_target = PAYLOAD
    evaluation.overall_achievement = PAYLOAD
    db.session.commit()
    actions.perform(evaluation.id, "submit", org.staff_a)
    actions.perform(evaluation.id, "return_for_revision", org.reviewer, comment="退回" + PAYLOAD)
    actions.perform(evaluation.id, "resubmit", org.staff_a)
    db.session.commit()
    return org, plan, evaluation, meeting


def test_payloads_typed_or_stored_never_run(live_server, world):  # noqa: F811
    org, plan, evaluation, meeting = world
    ids = {"plan": plan.id, "evaluation": evaluation.id, "meeting": meeting.id}
    in_own_thread(lambda browser: scenario(browser, live_server, ids), timeout=180)


class Watched:
    """A signed-in browser context whose pages report any dialog and any payload that ran."""

    def __init__(self, browser, server, username):
        self.context = browser.new_context(base_url=server.base_url, locale="zh-CN")
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.dialogs = []
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.page.goto("/auth/login")
        log_in(self.page, username)
        self.page.wait_for_url(re.compile(r"/$"))

    def visit(self, path, must_show=None):
        response = self.page.goto(path)
        assert response.status < 400, (path, response.status)
        self.check(path)
        if must_show:
            # Escaped: the payload is on the page as text.
            assert must_show in self.page.locator("body").inner_text(), (path, must_show)

    def check(self, where):
        self.page.wait_for_load_state("load")
        assert self.page.evaluate("typeof window.__xss") == "undefined", f"a payload ran on {where}"
        assert self.dialogs == [], f"a dialog opened on {where}: {self.dialogs}"
        assert self.page.locator(INJECTED).count() == 0, f"a payload became an element on {where}"

    def close(self):
        self.context.close()


def scenario(browser, server, ids):
    plan, evaluation, meeting = ids["plan"], ids["evaluation"], ids["meeting"]
    office = Watched(browser, server, "office")
    # Typed into the forms ---------------------------------------------------------------
    office.page.goto(f"/plans/{plan}")
    project_form = office.page.locator(f"form[action$='/plans/{plan}/projects']")
    project_form.locator("#name").fill("新项目" + PAYLOAD)
    project_form.locator("#section_id").select_option(index=1)
    project_form.locator("button[type=submit]").click()
    office.check("the plan page after adding a project")
    office.page.goto(f"/meetings/{meeting}/invitees")
    office.page.locator("#guest_name").fill(SVG[:60])
    office.page.locator("#guest_unit").fill(IMG)
    office.page.locator("[data-testid=add-invitees]").click()
    office.check("the invitees page after adding a guest")
    office.page.goto("/plans/new")
    office.page.locator("#title").fill("新方案" + PAYLOAD)
    office.page.locator("#title").press("Enter")
    office.check("the new plan")

    reviewer = Watched(browser, server, "reviewer")
    reviewer.page.goto(f"/evaluations/{evaluation}/review")
    reviewer.page.locator("#text").fill("意见" + PAYLOAD)
    reviewer.page.get_by_role("button", name="添加意见").click()
    reviewer.check("the review page after a comment")

    # Shown everywhere they appear ---------------------------------------------------------
    for path, shown in [
        ("/", None), ("/plans/", "方案" + SCRIPT), (f"/plans/{plan}", "新项目" + SCRIPT),
        (f"/evaluations/{evaluation}", "项目" + SCRIPT), ("/evaluations/review", None), ("/work/board", None),
        ("/work/inbox", None), ("/meetings/", "培训" + SCRIPT), (f"/meetings/{meeting}", IMG),
        (f"/meetings/{meeting}/invitees", SVG[:60]), (f"/meetings/{meeting}/attendance", None),
        (f"/meetings/{meeting}/edit", None), (f"/plans/{plan}/edit", None), ("/work/overdue", None),
        (f"/meetings/{meeting}/attendance", SVG + "来宾"),
    ]:
        office.visit(path, shown)
    # The projector's board is redrawn by static/js/board.js from attendance.json.
    office.visit(f"/meetings/{meeting}/projector")
    for _poll in range(2):  # after the second poll's answer, the first one's rows are drawn
        with office.page.expect_response(lambda r: r.url.endswith("/attendance.json"), timeout=15_000):
            pass
    office.check("the projector's board after a refresh")
    assert SVG + "来宾" in office.page.locator("body").inner_text()
    for path, shown in [(f"/evaluations/{evaluation}/review", "意见" + SCRIPT),
                        (f"/evaluations/{evaluation}", "退回" + SCRIPT), ("/evaluations/review", "项目" + SCRIPT)]:
        reviewer.visit(path, shown)
    staff = Watched(browser, server, "staff_a")
    for path, shown in [("/work/notifications", "项目" + SCRIPT), (f"/evaluations/{evaluation}/form", None),
                        (f"/evaluations/{evaluation}", "退回" + SCRIPT), (f"/meetings/{meeting}", "培训" + SCRIPT),
                        ("/work/section", None), (f"/evaluations/{evaluation}/evidence", None), ("/", None),
                        ("/account/tokens/", SCRIPT)]:
        staff.visit(path, shown)
    admin = Watched(browser, server, "admin")
    admin.visit("/admin/users", SVG + "原立吉")
    admin.visit("/admin/sections", "科室" + SVG)
    for watched in (office, reviewer, staff, admin):
        watched.close()


# The policy and the templates -----------------------------------------------------------

TEMPLATES = PROJECT_DIR / "templates"
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.I)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I | re.S)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def html_templates():
    # Document templates (templates/documents) feed WeasyPrint, which runs no script at all.
    return sorted(p for p in TEMPLATES.rglob("*.html") if "documents" not in p.relative_to(TEMPLATES).parts)


def test_templates_hold_no_inline_script_nor_handler():
    found = []
    for path in html_templates():
        source = path.read_text(encoding="utf-8")
        for pattern, what in ((INLINE_SCRIPT, "inline <script>"), (HANDLER, "on*= handler"),
                              (JAVASCRIPT_URL, "javascript: URL")):
            for match in pattern.finditer(source):
                line = source.count("\n", 0, match.start()) + 1
                found.append(f"    {path.relative_to(PROJECT_DIR)}:{line}: {what}: {match.group(0)[:80]}")
    assert len(html_templates()) > 40
    assert not found, "templates that need 'unsafe-inline':\n" + "\n".join(found)


def test_the_template_check_finds_what_it_looks_for():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert INLINE_SCRIPT.search('<script type="module">x()</script>')
    assert not INLINE_SCRIPT.search('<script src="{{ url_for(\'static\', filename=\'js/app.js\') }}" defer></script>')
    assert HANDLER.search('<button class="btn"\n  onclick="go()">')
    assert HANDLER.search("<body onload=init()>")
    assert not HANDLER.search('<a href="/x" data-confirm="确定？">')
    assert JAVASCRIPT_URL.search('<a href="javascript:void(0)">')


def test_every_page_policy_forbids_inline_and_eval_scripts(client):
    """Every answer's policy, including those of the route table's requests (which check it
    through tests/test_security_headers.header_problems), and here the raw value."""
    response = client.get("/auth/login")
    policy = response.headers["Content-Security-Policy"]
    script_src = next(part.split()[1:] for part in policy.split(";") if part.split()[:1] == ["script-src"])
    assert script_src == ["'self'"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_static_scripts_do_not_evaluate_strings():
    """The app's own scripts: no eval, no new Function, no string timers, no innerHTML built
    from data (vendored libraries aside)."""
    scripts = sorted((PROJECT_DIR / "workflow" / "static" / "js").glob("*.js"))
    assert scripts
    risky = re.compile(r"\beval\s*\(|new\s+Function\s*\(|set(?:Timeout|Interval)\s*\(\s*['\"`]|\.innerHTML\s*=|"
                       r"insertAdjacentHTML|document\.write")
    found = [f"{path.name}: {m.group(0)}" for path in scripts for m in risky.finditer(path.read_text(encoding="utf-8"))]
    assert not found, found
