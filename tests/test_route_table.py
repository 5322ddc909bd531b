"""The route × role table: who may pass each endpoint's permission check, in ONE table.

Every rule of the url map (except ``static``) must have exactly one row in ROUTES, and every
row must name a rule that exists: a new route without a row, or a row left behind by a removed
route, fails ``test_every_route_has_exactly_one_row``, which lists them.

For anonymous users and one user per role, every endpoint is requested (GET for GET routes, a
POST carrying a valid CSRF token for POST routes, the bearer token for /api/) with the ids of
real objects, and the answer is classified by the permission layer's verdict:

* denied  = the view never ran, and the answer is 403 (signed in), a redirect to the login page
  (anonymous, pages) or 401 (anonymous, API);
* allowed = the view ran (whatever it then decided about the object: an object rule of a
  service may still say 403 or 404), and never a 500.

The table is also compared with the marks (``workflow.permissions.access_rule``) so the two
cannot drift apart. Every answer also carries the security headers.
"""
import functools
import io
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import pytest
from flask import url_for
from werkzeug.datastructures import FileStorage

from tests.conftest import csrf_token, login
from tests.factories import fill_complete, make_project, make_setup, make_user, walk_to
from tests.test_meetings import bj, make_meeting
from tests.test_security_headers import header_problems
from workflow import clock
from workflow.engine import actions
from workflow.evidence import services as evidence
from workflow.extensions import db
from workflow.meetings import services as meetings
from workflow.meetings import tokens as meeting_tokens
from workflow.monitoring import services as monitoring
from workflow.models import Rectification, Submission, Task
from workflow.permissions import LOGGED_IN, PUBLIC, access_rule
from workflow.roles import Role

# Who ------------------------------------------------------------------------------------

ANONYMOUS = "anonymous"
ADMIN = Role.ADMIN.value
OFFICE = Role.OFFICE.value
LEADER = Role.LEADER.value
REVIEWER = Role.REVIEWER.value
STAFF = Role.SECTION_STAFF.value
FINANCE = Role.FINANCE.value

SIGNED_IN = frozenset(role.value for role in Role)  # any role (the mark @logged_in)
EVERYONE = SIGNED_IN | {ANONYMOUS}  # the mark @public
IDENTITIES = (ANONYMOUS, *sorted(SIGNED_IN))


def only(*who):
    return frozenset(who)


# THE TABLE: one row per endpoint, who may pass its permission check. -----------------------

ROUTES = {
    # Sign-in and the pages everyone needs
    "auth.login": EVERYONE,
    "auth.logout": SIGNED_IN,
    "auth.change_password": SIGNED_IN,
    "auth.set_password": EVERYONE,  # the one-time link's token decides (workflow/auth/links.py)
    "main.healthz": EVERYONE,
    "main.favicon": EVERYONE,
    "main.set_language": EVERYONE,
    "main.dashboard": SIGNED_IN,
    "main.workflow_help": SIGNED_IN,
    "main.workflow_diagram": SIGNED_IN,
    # Administration
    "admin.users": only(ADMIN),
    "admin.new_user": only(ADMIN),
    "admin.edit_user": only(ADMIN),
    "admin.reset_password": only(ADMIN),
    "admin.toggle_active": only(ADMIN),
    "admin.sections": only(ADMIN),
    "admin.edit_section": only(ADMIN),
    "admin.import_people": only(ADMIN),
    "admin.people_template": only(ADMIN),
    "admin.people_export": only(ADMIN),
    "admin.password_link": only(ADMIN),
    # Plans (工作方案), stages, group, framework, projects
    "plans.index": only(OFFICE, LEADER, REVIEWER, STAFF, FINANCE),
    "plans.detail": only(OFFICE, LEADER, REVIEWER, STAFF, FINANCE),
    "plans.indicator_library": only(OFFICE, LEADER, REVIEWER, STAFF),
    "plans.new": only(OFFICE),
    "plans.edit": only(OFFICE),
    "plans.copy": only(OFFICE),
    "plans.stages": only(OFFICE),
    "plans.group": only(OFFICE),
    "plans.days_off": only(OFFICE),
    "plans.remove_day_off": only(OFFICE),
    "plans.framework_page": only(OFFICE),
    "plans.add_project": only(OFFICE),
    "plans.edit_project": only(OFFICE),
    "plans.open_self_evaluation": only(OFFICE),
    "results.plan_results": only(OFFICE, LEADER, REVIEWER),
    "results.settings": only(OFFICE),
    "results.choose_previous": only(OFFICE),
    # Mid-year monitoring (运行监控): the office sets the dates; sections report (object rules in the services)
    "monitoring.plan_index": only(OFFICE, LEADER, REVIEWER, STAFF),
    "monitoring.add_date": only(OFFICE),
    "monitoring.settings": only(OFFICE),
    "monitoring.edit_date": only(OFFICE),
    "monitoring.remove_date": only(OFFICE),
    "monitoring.date_page": only(OFFICE, LEADER, REVIEWER, STAFF),
    "monitoring.date_warnings": only(OFFICE, LEADER, REVIEWER),
    "monitoring.report": only(OFFICE, LEADER, REVIEWER, STAFF),
    "library.index": only(OFFICE, LEADER, REVIEWER, STAFF),
    "library.add": only(OFFICE),
    "library.edit": only(OFFICE),
    "library.retire": only(OFFICE),
    "library.add_to_evaluation": SIGNED_IN,
    "department.create": only(OFFICE),
    # Excel
    "excel.import_projects": only(OFFICE),
    "excel.projects_template": only(OFFICE),
    "excel.summary": only(OFFICE, LEADER, REVIEWER, FINANCE),
    "excel.self_evaluation": SIGNED_IN,  # the evaluation's own rules decide (services)
    # Evaluations: page, form, evidence, transitions (object rules in the services)
    "evaluations.detail": SIGNED_IN,
    "evaluations.report_pdf": SIGNED_IN,
    "evaluations.report_docx": SIGNED_IN,
    "evaluations.transition": SIGNED_IN,
    "evaluations.approvals": only(LEADER),
    "selfeval.form": SIGNED_IN,
    "evidence.index": SIGNED_IN,
    "evidence.upload": SIGNED_IN,
    "evidence.download": SIGNED_IN,
    "evidence.delete": SIGNED_IN,
    "evidence.cite_meeting": SIGNED_IN,
    "review.queue": only(OFFICE, LEADER, REVIEWER),
    "review.review": only(OFFICE, LEADER, REVIEWER),
    # Reporting to the finance bureau and what follows
    "submissions.index": only(OFFICE, LEADER, FINANCE),
    "submissions.detail": only(OFFICE, LEADER, FINANCE),
    "submissions.compose": only(OFFICE),
    "submissions.set_document": only(OFFICE),
    "submissions.recall": only(OFFICE),
    "submissions.feedback": only(OFFICE),
    "submissions.plan_result": only(OFFICE),
    "submissions.add_rectification": only(OFFICE),
    "submissions.close_rectification": only(OFFICE, STAFF),
    # Approved targets: 目标调整 requests and the office's decisions
    "targets.request_change": only(STAFF),
    "targets.queue": only(OFFICE),
    "targets.decide": only(OFFICE),
    "targets.approve_many": only(OFFICE),
    "verify.index": SIGNED_IN,  # 验真: anyone signed in, the finance bureau too
    # Tasks, board, notifications, calendar, audit export
    "work.inbox": SIGNED_IN,
    "work.section_queue": only(OFFICE, STAFF),
    "work.due_soon": SIGNED_IN,
    "work.overdue": SIGNED_IN,
    "work.progress_board": only(OFFICE, LEADER, REVIEWER),
    # The overview (概览): charts with their tables, and the JSON they are drawn from
    "overview.index": only(OFFICE, LEADER, FINANCE),
    "overview.data": only(OFFICE, LEADER, FINANCE),
    "work.claim": SIGNED_IN,
    "work.reassign": SIGNED_IN,
    "work.deputies_page": SIGNED_IN,
    "work.cancel_deputy": SIGNED_IN,  # the service refuses other people's delegations
    "work.notifications": SIGNED_IN,
    "work.calendar_settings": SIGNED_IN,
    "work.calendar_feed": EVERYONE,  # the secret token in the address is the credential
    "work.audit_export": only(OFFICE),
    "work.outbox_page": only(OFFICE),
    "work.retry_mail": only(OFFICE),
    "work.retry_failed_mail": only(OFFICE),
    # Meetings: the office manages; invitees see and reply (object rules in the services)
    "meetings.index": SIGNED_IN,
    "meetings.detail": SIGNED_IN,
    "meetings.download": SIGNED_IN,
    "meetings.reply": SIGNED_IN,
    "meetings.summary_json": SIGNED_IN,
    "meetings.new": only(OFFICE),
    "meetings.edit": only(OFFICE),
    "meetings.delete": only(OFFICE),
    "meetings.publish": only(OFFICE),
    "meetings.invitees": only(OFFICE),
    "meetings.add_invitees": only(OFFICE),
    "meetings.remove_invitee": only(OFFICE),
    "meetings.remind": only(OFFICE),
    "meetings.upload": only(OFFICE),
    "meetings.delete_attachment": only(OFFICE),
    "meetings.projector": only(OFFICE),
    "meetings.qr_svg": only(OFFICE),
    "meetings.token_json": only(OFFICE),
    "meetings.attendance": only(OFFICE),
    "meetings.attendance_json": only(OFFICE),
    "meetings.proxy": only(OFFICE),
    "meetings.undo": only(OFFICE),
    "meetings.signin_sheet": only(OFFICE),
    # The QR code's address and the phone's page: the rotating token is checked by the service,
    # and the tap itself needs a login (decided by the view, which keeps the pass for after it).
    "meetings.scan": EVERYONE,
    "meetings.checkin": EVERYONE,
    "meetings.checkin_submit": EVERYONE,
    "meetings.notice_pdf": SIGNED_IN,
    "meetings.notice_docx": SIGNED_IN,
    "meetings.signin_sheet_pdf": only(OFFICE),
    "meetings.signin_sheet_docx": only(OFFICE),
    # Documents of plans and submissions
    "plans.workplan_pdf": only(OFFICE, LEADER, REVIEWER, STAFF, FINANCE),
    "plans.workplan_docx": only(OFFICE, LEADER, REVIEWER, STAFF, FINANCE),
    "submissions.summary_pdf": only(OFFICE, LEADER, FINANCE),
    "submissions.summary_docx": only(OFFICE, LEADER, FINANCE),
    "submissions.package_zip": only(OFFICE, LEADER, FINANCE),
    # Personal API tokens
    "tokens.index": SIGNED_IN,
    "tokens.create": SIGNED_IN,
    "tokens.revoke": SIGNED_IN,
    # The JSON API (/api/v1, bearer tokens only): the pages' rules, the same marks
    "api_docs.docs": EVERYONE,
    "api_docs.openapi_json": EVERYONE,
    "api_plans.list_plans": only(OFFICE, LEADER, REVIEWER, STAFF, FINANCE),
    "api_plans.get_plan": only(OFFICE, LEADER, REVIEWER, STAFF, FINANCE),
    "api_plans.list_stages": only(OFFICE, LEADER, REVIEWER, STAFF, FINANCE),
    "api_plans.list_projects": only(OFFICE, LEADER, REVIEWER, STAFF, FINANCE),
    "api_plans.get_project": only(OFFICE, LEADER, REVIEWER, STAFF, FINANCE),
    "api_plans.create_plan": only(OFFICE),
    "api_plans.update_plan": only(OFFICE),
    "api_plans.copy_plan": only(OFFICE),
    "api_plans.put_stages": only(OFFICE),
    "api_plans.get_group": only(OFFICE, LEADER, REVIEWER, STAFF, FINANCE),
    "api_plans.put_group": only(OFFICE),
    "api_plans.add_project": only(OFFICE),
    "api_plans.update_project": only(OFFICE),
    "api_plans.open_self_evaluation": only(OFFICE),
    "api_frameworks.get_framework": only(OFFICE),
    "api_frameworks.put_framework": only(OFFICE),
    "api_frameworks.reset_framework": only(OFFICE),
    "api_frameworks.indicator_library": only(OFFICE, STAFF, REVIEWER, LEADER),
    "api_imports.import_template": only(OFFICE),
    "api_imports.import_projects": only(OFFICE),
    "api_days_off.list_days_off": only(OFFICE),
    "api_days_off.add_day_off": only(OFFICE),
    "api_days_off.remove_day_off": only(OFFICE),
    "api_evaluations.get_evaluation": SIGNED_IN,
    "api_evaluations.save_evaluation": SIGNED_IN,
    "api_evaluations.get_history": SIGNED_IN,
    "api_evaluations.list_transitions": SIGNED_IN,
    "api_evaluations.fire_transition": SIGNED_IN,
    "api_evaluations.put_feedback": only(OFFICE),
    "api_tasks.list_tasks": SIGNED_IN,
    "api_tasks.claim_task": SIGNED_IN,
    "api_meetings.list_meetings": SIGNED_IN,
    "api_meetings.get_meeting": SIGNED_IN,
    "api_meetings.put_registration": SIGNED_IN,
    "api_meetings.sign_in": SIGNED_IN,
    "api_meetings.list_registrations": only(OFFICE),
    "api_meetings.list_signins": only(OFFICE),
    "api_meetings.signin_code": only(OFFICE),
    "api_meetings.proxy_sign_in": only(OFFICE),
    "api_submissions.list_submissions": only(OFFICE, LEADER, FINANCE),
    "api_submissions.get_submission": only(OFFICE, LEADER, FINANCE),
    "api_submissions.create_submission": only(OFFICE),
    "api_submissions.put_document": only(OFFICE),
    "api_meetings.create_meeting": only(OFFICE),
    "api_meetings.update_meeting": only(OFFICE),
    "api_meetings.delete_meeting": only(OFFICE),
    "api_meetings.publish_meeting": only(OFFICE),
    "api_meetings.remind_silent": only(OFFICE),
    "api_meetings.list_invitees": only(OFFICE),
    "api_meetings.add_invitees": only(OFFICE),
    "api_meetings.remove_invitee": only(OFFICE),
    "api_meetings.list_attachments": SIGNED_IN,
    "api_meetings.upload_attachment": only(OFFICE),
    "api_meetings.download_attachment": SIGNED_IN,
    "api_meetings.delete_attachment": only(OFFICE),
    "api_review.list_findings": only(OFFICE, LEADER, REVIEWER),
    "api_review.explain_finding": only(OFFICE, LEADER, REVIEWER),
    "api_review.plan_findings": only(OFFICE, LEADER, REVIEWER),
    "api_review.list_comment_targets": only(OFFICE, LEADER, REVIEWER),
    "api_review.list_comments": SIGNED_IN,
    "api_review.add_comment": only(OFFICE, LEADER, REVIEWER),
    "api_evidence.list_evidence": SIGNED_IN,
    "api_evidence.upload_evidence": SIGNED_IN,
    "api_evidence.cite_meeting": SIGNED_IN,
    "api_evidence.download_evidence": SIGNED_IN,
    "api_evidence.delete_evidence": SIGNED_IN,
    "api_documents.report_pdf": SIGNED_IN,
    "api_documents.report_docx": SIGNED_IN,
    "api_documents.workplan_pdf": only(OFFICE, LEADER, REVIEWER, STAFF, FINANCE),
    "api_documents.workplan_docx": only(OFFICE, LEADER, REVIEWER, STAFF, FINANCE),
    "api_documents.notice_pdf": SIGNED_IN,
    "api_documents.notice_docx": SIGNED_IN,
    "api_documents.signin_sheet_xlsx": only(OFFICE),
    "api_documents.signin_sheet_pdf": only(OFFICE),
    "api_documents.signin_sheet_docx": only(OFFICE),
    "api_documents.summary_pdf": only(OFFICE, LEADER, FINANCE),
    "api_documents.summary_docx": only(OFFICE, LEADER, FINANCE),
    "api_documents.package_zip": only(OFFICE, LEADER, FINANCE),
}

# Requested last, in this order: they remove objects other rows use, or end the session.
LAST = ("evidence.delete", "api_evidence.delete_evidence", "meetings.undo", "meetings.remove_invitee",
        "api_meetings.remove_invitee", "meetings.delete_attachment", "api_meetings.delete_attachment",
        "meetings.delete", "api_meetings.delete_meeting", "monitoring.remove_date", "tokens.revoke", "admin.toggle_active", "auth.logout")
# (tokens.revoke revokes the identity's own API token, token_id 1: after the API's requests.)
STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")


def url_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def is_api(rule):
    return rule.rule.startswith("/api/")


def expected_from_mark(rule):
    """Who the endpoint's mark lets through, in the table's terms."""
    if rule == PUBLIC:
        return EVERYONE
    if rule == LOGGED_IN:
        return SIGNED_IN
    if isinstance(rule, frozenset):
        return frozenset(role.value for role in rule)
    return frozenset()  # no mark: refused to everybody


# The table is complete and agrees with the marks -----------------------------------------


def test_every_route_has_exactly_one_row(app):
    endpoints = {rule.endpoint for rule in url_rules(app)}
    missing = sorted(endpoints - ROUTES.keys())
    stale = sorted(ROUTES.keys() - endpoints)
    problems = []
    if missing:
        rules = {rule.endpoint: rule.rule for rule in url_rules(app)}
        problems.append("endpoints without a row in tests/test_route_table.py ROUTES (add one each):\n"
                        + "\n".join(f"    {name}  ({rules[name]})  mark: {sorted(expected_from_mark(access_rule(name, app)))}"
                                    for name in missing))
    if stale:
        problems.append("rows for endpoints that no longer exist (remove them):\n"
                        + "\n".join(f"    {name}" for name in stale))
    assert not problems, "\n".join(problems)


def test_the_table_agrees_with_the_marks(app):
    disagree = []
    for endpoint, allowed in sorted(ROUTES.items()):
        if endpoint not in app.view_functions:
            continue  # reported by test_every_route_has_exactly_one_row
        marked = expected_from_mark(access_rule(endpoint, app))
        if marked != allowed:
            disagree.append(f"    {endpoint}: table {sorted(allowed)} but marked {sorted(marked)}")
    assert not disagree, "the table and the @public/@logged_in/@roles marks differ:\n" + "\n".join(disagree)


def test_table_rows_use_only_known_identities():
    for endpoint, allowed in ROUTES.items():
        assert allowed and allowed <= EVERYONE, endpoint
        # A page open to anonymous users is open to everybody signed in as well.
        assert ANONYMOUS not in allowed or allowed == EVERYONE, endpoint


# The world the requests act on --------------------------------------------------------

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")
NOW = bj(6, 20, 9, 0)  # the meeting's morning: its sign-in window is open


@dataclass
class World:
    """A plan with its group, an evaluation in 待复核 with an evidence file, a published
    meeting with invitees, an attachment and a sign-in, a submission, a rectification item, an
    open task, one user per role and a target user for the admin pages (so that they never
    touch the people signed in)."""

    org: object
    plan: object
    evaluation: object
    evidence: object
    meeting: object
    invitee: object
    meeting_attachment: object
    signin: object
    submission: object
    rectification: object
    task: object
    target: object
    monitoring_date: object

    def user_for(self, role):
        return {
            ADMIN: self.org.admin,
            OFFICE: self.org.office,
            LEADER: self.org.leader,
            REVIEWER: self.org.reviewer,
            STAFF: self.org.staff_a,
            FINANCE: self.org.finance,
        }[role]


def build_world():
    """Objects through the services where cheap; the submission and the rectification are
    plain rows (reaching 已报送 would render the frozen report PDF; only their ids matter)."""
    org, plan = make_setup()
    meeting = make_meeting(plan, org)  # published, staff_a, staff_a2 and staff_b invited
    clock.freeze(NOW)
    evaluation = make_project(plan, "应急物资储备项目", org.section_a, org.office).evaluation
    walk_to(evaluation, "self_evaluating", org)
    fill_complete(evaluation)
    attachment = evidence.upload(evaluation, org.staff_a, FileStorage(io.BytesIO(PDF), filename="佐证.pdf"))
    actions.perform(evaluation.id, "submit", org.staff_a)
    meeting_attachment = meetings.add_attachment(meeting, org.office,
                                                 FileStorage(io.BytesIO(PDF), filename="议程.pdf"), "议程")
    signin = meetings.proxy_sign_in(meeting, meeting.invitees[1].id, org.office, "本人纸质签到")
    submission = Submission(plan_id=plan.id, title="报送财政局", created_by_id=org.office.id)
    rectification = Rectification(evaluation_id=evaluation.id, problem="佐证材料不全", section_id=org.section_a.id,
                                  due_date=date(2020, 9, 30), created_by_id=org.office.id)
    db.session.add_all([submission, rectification])
    org.staff_a.calendar_token = "calendar-token-of-staff-a"
    db.session.commit()
    task = db.session.query(Task).filter_by(evaluation_id=evaluation.id, completed_at=None).first()
    target = make_user("target", [Role.SECTION_STAFF], org.section_b, full_name="被管理的用户")
    monitoring_date = monitoring.add_date(plan, date(2019, 6, 30), date(2019, 7, 10))
    return World(org=org, plan=plan, evaluation=evaluation, evidence=attachment, meeting=meeting,
                 invitee=meeting.invitees[0], meeting_attachment=meeting_attachment, signin=signin,
                 submission=submission, rectification=rectification, task=task, target=target,
                 monitoring_date=monitoring_date)


def url_values(world, endpoint, arguments):
    """A real object's id for every argument of ``endpoint``'s rule."""
    by_endpoint = {
        ("meetings.download", "attachment_id"): world.meeting_attachment.id,
        ("meetings.delete_attachment", "attachment_id"): world.meeting_attachment.id,
        ("api_meetings.download_attachment", "attachment_id"): world.meeting_attachment.id,
        ("api_meetings.delete_attachment", "attachment_id"): world.meeting_attachment.id,
        ("api_review.explain_finding", "code"): "text_amount:206.4",
        ("meetings.scan", "token"): meeting_tokens.qr_token(world.meeting.id),
        ("work.calendar_feed", "token"): world.org.staff_a.calendar_token,
        ("auth.set_password", "token"): "no-such-link",
    }
    common = {
        "section_id": world.org.section_b.id,
        "user_id": world.target.id,
        "plan_id": world.plan.id,
        "project_id": world.evaluation.project_id,
        "evaluation_id": world.evaluation.id,
        "attachment_id": world.evidence.id,
        "meeting_id": world.meeting.id,
        "invitee_id": world.invitee.id,
        "signin_id": world.signin.id,
        "pass_token": meeting_tokens.issue_pass(world.meeting.id),
        "submission_id": world.submission.id,
        "rectification_id": world.rectification.id,
        "task_id": world.task.id,
        "token_id": 1,
        "delegation_id": 1,
        "message_id": 1,
        "monitoring_date_id": world.monitoring_date.id,
        "change_id": 1,
        "day": "2020-10-12",
        "code": "zh_CN",
        "id": world.evaluation.id,
        "entry_id": NO_SUCH_ID,  # the library's entries: the view runs and answers 404
    }
    values = {}
    for name in arguments:
        if (endpoint, name) in by_endpoint:
            values[name] = by_endpoint[(endpoint, name)]
        elif name in common:
            values[name] = common[name]
        else:
            raise KeyError(f"no value for <{name}> of {endpoint}: add one to url_values() in tests/test_route_table.py")
    return values


# Documents are rendered by their own tests; here they get an object that does not exist, so
# that the view runs (the permission layer let the request through) without rendering a document.
DOCUMENT_SUFFIXES = (".pdf", ".docx", ".zip")
NO_SUCH_ID = 2_000_000_000


def build_url(app, world, rule):
    values = url_values(world, rule.endpoint, rule.arguments)
    if rule.rule.endswith(DOCUMENT_SUFFIXES):
        values = {name: NO_SUCH_ID if isinstance(value, int) else value for name, value in values.items()}
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def request_plan(app):
    """(rule, method) for every request to make, the LAST endpoints at the end."""
    def order(rule):
        return (LAST.index(rule.endpoint) + 1 if rule.endpoint in LAST else 0, rule.endpoint, rule.rule)

    plan = []
    for rule in sorted(url_rules(app), key=order):
        for method in ("GET", *STATE_CHANGING):
            if method in rule.methods:
                plan.append((rule, method))
    return plan


@contextmanager
def views_reached(app):
    """Record which views actually ran: the permission layer refuses in a before_request
    hook, so a refused request never reaches its view. The wrappers keep the views' marks
    (functools.wraps copies them), so the permission layer reads exactly the same rules."""
    reached = []
    originals = dict(app.view_functions)

    def recording(endpoint, view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            reached.append(endpoint)
            return view(*args, **kwargs)

        return wrapper

    for endpoint, view in originals.items():
        app.view_functions[endpoint] = recording(endpoint, view)
    try:
        yield reached
    finally:
        app.view_functions.update(originals)


def client_for(app, world, identity):
    """A browser of its own (cookies) for pages, and the headers for /api/."""
    client = app.test_client()
    api_headers = {}
    if identity != ANONYMOUS:
        user = world.user_for(identity)
        login(client, user.username)
        from workflow.tokens import services as api_tokens

        _row, raw = api_tokens.create(user, "路由权限表测试")
        api_headers = {"Authorization": f"Bearer {raw}"}
    return client, api_headers


def is_login_redirect(response):
    return response.status_code in (301, 302, 303) and response.headers.get("Location", "").startswith("/auth/login")


def verdict(response, ran, identity, api):
    """'denied', 'allowed' or a description of an answer that is neither."""
    if response.status_code >= 500:
        return f"server error {response.status_code}"
    if ran:
        return "allowed"
    if identity == ANONYMOUS:
        if (api and response.status_code == 401) or (not api and is_login_redirect(response)):
            return "denied"
        return f"refused anonymously with {response.status_code} {response.headers.get('Location', '')}"
    if response.status_code == 403:
        return "denied"
    return f"view not reached, answered {response.status_code} {response.headers.get('Location', '')}"


def send(client, rule, method, url, token, api_headers):
    """GET, or a state-changing request with the session's CSRF token; bearer on /api/."""
    if is_api(rule):
        return client.open(url, method=method, headers=api_headers, json={} if method in STATE_CHANGING else None)
    if method in STATE_CHANGING:
        return client.open(url, method=method, data={"csrf_token": token})
    return client.open(url, method=method)


@pytest.mark.parametrize("identity", IDENTITIES)
def test_each_identity_passes_exactly_the_rows_of_the_table(app, identity):
    world = build_world()
    client, api_headers = client_for(app, world, identity)
    token = csrf_token(client)
    wrong, bad_headers = [], []
    made = 0
    with views_reached(app) as reached:
        for rule, method in request_plan(app):
            if rule.endpoint not in ROUTES:
                continue  # reported by test_every_route_has_exactly_one_row
            made += 1
            url = build_url(app, world, rule)
            reached.clear()
            expected = "allowed" if identity in ROUTES[rule.endpoint] else "denied"
            try:
                response = send(client, rule, method, url, token, api_headers)
            except Exception as error:  # noqa: BLE001 - the testing app propagates a 500's cause
                db.session.rollback()
                wrong.append(f"    {method} {url} ({rule.endpoint}): expected {expected}, got server error "
                             f"{type(error).__name__}: {error}")
                continue
            got = verdict(response, rule.endpoint in reached, identity, is_api(rule))
            if got != expected:
                wrong.append(f"    {method} {url} ({rule.endpoint}): expected {expected}, got {got}")
            problems = header_problems(response)
            if problems:
                bad_headers.append(f"    {method} {url} ({rule.endpoint}) {response.status_code}: {problems}")
    assert made >= len(ROUTES) - 5, made  # every row was requested (rows of removed routes aside)
    assert not wrong, f"as {identity}, answers that contradict the table:\n" + "\n".join(wrong)
    assert not bad_headers, f"as {identity}, answers without the security headers:\n" + "\n".join(bad_headers)
