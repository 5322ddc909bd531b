"""CSRF on every state-changing request.

Every rule of the url map accepting POST, PUT, PATCH or DELETE (except the JSON API under
/api/, which takes only bearer tokens and ignores cookies) is sent, by a user whom the route
table lets through, a request that would do something (a full form where one is needed) but
carries no CSRF token, or a forged one. It must be refused with the Chinese 400 page and change
nothing at all: every row of every table is compared before and after.

For the requests whose form is complete, the same request WITH the session's token is then
shown to change the database: the refusal, not a missing field, is what kept it unchanged.
And the exception is checked too: a signed-in browser's cookie alone opens no /api/ endpoint.
"""
import hashlib
import io

from flask import url_for
from sqlalchemy import select

from tests.conftest import csrf_token, login
from tests.test_route_table import (ADMIN, ANONYMOUS, EVERYONE, FINANCE, LEADER, OFFICE, PDF, REVIEWER, ROUTES, STAFF,
                                    STATE_CHANGING, build_world, is_api, url_rules, url_values)
from workflow.extensions import db

CSRF_MESSAGE = "表单的安全校验未通过"

# Who sends the request: the role that really acts there (the first of these the table allows).
PREFERENCE = (STAFF, OFFICE, LEADER, REVIEWER, ADMIN, FINANCE)
ACTOR = {
    "auth.login": ANONYMOUS,
    "review.review": REVIEWER,
    "work.claim": REVIEWER,
    "work.reassign": REVIEWER,
    "evaluations.transition": REVIEWER,
}


def actor_for(endpoint):
    if endpoint in ACTOR:
        return ACTOR[endpoint]
    allowed = ROUTES[endpoint]
    return next(role for role in PREFERENCE if role in allowed)


def payload(world, endpoint):
    """A form that does something at ``endpoint`` (with the token it would be accepted)."""
    org = world.org
    forms = {
        "auth.login": {"username": "staff_a", "password": "Passw0rd!x"},
        "auth.change_password": {"current_password": "Passw0rd!x", "new_password": "Neuer12345",
                                 "confirm": "Neuer12345"},
        "admin.new_user": {"username": "newcomer", "full_name": "新人", "section_id": str(org.section_a.id),
                           "roles": ["reviewer"], "active": "y", "password": "Temp12345"},
        "admin.edit_user": {"username": "target", "full_name": "改名后的用户", "section_id": str(org.section_b.id),
                            "roles": ["section_staff"], "active": "y"},
        "admin.reset_password": {"password": "Temp12345"},
        "admin.sections": {"name": "新设科室", "sort_order": "9"},
        "admin.edit_section": {"name": "改名后的科室", "sort_order": "1", "active": "y"},
        "plans.copy": {"run_year": "2021"},
        "plans.add_project": {"name": "新增项目", "section_id": str(org.section_a.id)},
        "plans.new": {"title": "新方案", "budget_year": "2020", "run_year": "2021", "office_section_id": ""},
        "meetings.add_invitees": {"guest_name": "来宾甲", "guest_unit": "市财政局"},
        "meetings.proxy": {"invitee_id": str(world.invitee.id), "note": "本人纸质签到"},
        "meetings.undo": {"note": "误签"},
        "meetings.reply": {"attending": "yes", "name": "原立吉", "unit": "非煤矿山安全监督管理科"},
        "meetings.upload": {"title": "议程二", "file": (io.BytesIO(PDF), "议程二.pdf")},
        "evidence.upload": {"file": (io.BytesIO(PDF), "佐证二.pdf")},
        "evaluations.transition": {"trigger": "return_for_revision", "comment": "请补充。",
                                   "version": str(world.evaluation.version)},
        "tokens.create": {"name": "新令牌"},
        "main.set_language": {},
    }
    return dict(forms.get(endpoint, {}))


# The requests whose payload is complete: with the token they change the database.
ACCEPTED_WITH_TOKEN = {
    "admin.new_user", "admin.edit_user", "admin.reset_password", "admin.toggle_active", "admin.sections",
    "admin.edit_section", "plans.copy", "plans.add_project", "plans.open_self_evaluation", "meetings.add_invitees",
    "meetings.upload", "meetings.delete_attachment", "meetings.remove_invitee",
    "meetings.undo", "tokens.create", "work.calendar_settings", "auth.login",
}


def fingerprint():
    """Every row of every table, hashed: any change anywhere shows."""
    db.session.expire_all()
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table)).all()
        digest.update(table.name.encode())
        for row in sorted(repr(tuple(row)) for row in rows):
            digest.update(row.encode())
    return digest.hexdigest()


def state_changing_rules(app):
    rules = [rule for rule in url_rules(app) if set(rule.methods) & set(STATE_CHANGING) and not is_api(rule)]
    return sorted(rules, key=lambda rule: (rule.endpoint == "auth.logout", rule.endpoint))


def client_for(app, world, identity, clients):
    if identity not in clients:
        client = app.test_client()
        if identity != ANONYMOUS:
            login(client, world.user_for(identity).username)
        else:
            client.get("/auth/login")  # a session with its own token exists
        clients[identity] = client
    return clients[identity]


def test_every_state_changing_request_needs_the_csrf_token(app):
    world = build_world()
    clients = {}
    rules = state_changing_rules(app)
    assert {"admin.new_user", "plans.add_project", "evaluations.transition", "meetings.proxy",
            "evidence.upload", "auth.logout"} <= {rule.endpoint for rule in rules}
    problems = []
    for rule in rules:  # sign everybody in first: a login writes to the database
        if rule.endpoint in ROUTES:
            client_for(app, world, actor_for(rule.endpoint), clients)
    baseline = fingerprint()  # nothing below may change it
    for rule in rules:
        if rule.endpoint not in ROUTES:
            continue  # tests/test_route_table.py names it
        identity = actor_for(rule.endpoint)
        client = client_for(app, world, identity, clients)
        with app.test_request_context():
            url = url_for(rule.endpoint, **url_values(world, rule.endpoint, rule.arguments))
        for method in sorted(set(rule.methods) & set(STATE_CHANGING)):
            for token in (None, "forged-token"):
                data = payload(world, rule.endpoint)
                if token is not None:
                    data["csrf_token"] = token
                response = client.open(url, method=method, data=data, content_type="multipart/form-data")
                now = fingerprint()
                changed, baseline = now != baseline, now
                body = response.get_data(as_text=True)
                if response.status_code != 400 or CSRF_MESSAGE not in body or changed:
                    problems.append(f"    {method} {url} ({rule.endpoint}) as {identity}, token {token!r}: "
                                    f"{response.status_code}, message {'shown' if CSRF_MESSAGE in body else 'missing'}, "
                                    f"database {'CHANGED' if changed else 'unchanged'}")
    assert not problems, "state-changing requests accepted without a valid CSRF token:\n" + "\n".join(problems)


def test_the_same_requests_with_the_token_do_change_the_database(app):
    """The control: the payloads above are complete, so the 400 was the CSRF check's doing."""
    world = build_world()
    clients = {}
    rules = {rule.endpoint: rule for rule in state_changing_rules(app)}
    missing = ACCEPTED_WITH_TOKEN - rules.keys()
    assert not missing, missing
    order = sorted(ACCEPTED_WITH_TOKEN, key=lambda e: (e.startswith("meetings.delete"), e))  # removals last
    with app.test_request_context():  # every address and form first: the requests remove objects
        requests = [(endpoint, url_for(endpoint, **url_values(world, endpoint, rules[endpoint].arguments)),
                     payload(world, endpoint)) for endpoint in order]
    unchanged = []
    for endpoint, url, data in requests:
        identity = actor_for(endpoint)
        client = client_for(app, world, identity, clients)
        data["csrf_token"] = csrf_token(client)
        before = fingerprint()
        response = client.post(url, data=data, content_type="multipart/form-data")
        if fingerprint() == before or response.status_code >= 400:
            unchanged.append(f"    POST {url} ({endpoint}) as {identity}: {response.status_code}, nothing changed")
        if endpoint == "auth.login":
            clients.pop(identity)
    assert not unchanged, "with the token these requests should have been accepted:\n" + "\n".join(unchanged)


def test_the_api_takes_no_cookies_so_needs_no_csrf_token(app):
    """The exception above holds: a browser's session cookie (all a forged cross-site request
    could carry) opens no /api/ endpoint; only the bearer token does."""
    world = build_world()
    office = app.test_client()
    login(office, "office")
    api_rules = [rule for rule in url_rules(app) if is_api(rule) and ROUTES.get(rule.endpoint) != EVERYONE]
    assert len(api_rules) > 10
    baseline = fingerprint()
    opened = []
    with app.test_request_context():
        requests = [(rule, method, url_for(rule.endpoint, **url_values(world, rule.endpoint, rule.arguments)))
                    for rule in api_rules for method in sorted(set(rule.methods) & {"GET", *STATE_CHANGING})]
    for rule, method, url in requests:
        response = office.open(url, method=method, json={} if method != "GET" else None)
        if response.status_code != 401:
            opened.append(f"    {method} {url} ({rule.endpoint}): {response.status_code}")
    assert not opened, "API endpoints answered a cookie-only request:\n" + "\n".join(opened)
    assert fingerprint() == baseline
