"""What the database cannot hold, sent in a request, is answered without a 500 (workflow/input_guard.py):

* numbers beyond the database's INTEGER, in an address or a query string, answer 404 or are
  ignored (they used to fail inside SQLite with OverflowError and inside PostgreSQL with
  'integer out of range');
* a NUL character in a form field, a query parameter or the address is refused with a Chinese
  400 page and changes nothing (PostgreSQL refuses NUL in text: a 500 there before)."""
import pytest
from flask import url_for
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter

from tests.conftest import csrf_token, login
from tests.test_route_table import ANONYMOUS, STATE_CHANGING, build_world, url_rules
from workflow.input_guard import MAX_INTEGER, BoundedParameters

HUGE = (MAX_INTEGER + 1, 2**63, 10**20)


@pytest.mark.parametrize("number", HUGE)
def test_an_id_beyond_integer_in_the_address_finds_no_route(app, number):
    build_world()
    client = app.test_client()
    login(client, "office")
    answers = {}
    for rule in url_rules(app):
        ints = {name for name, converter in rule._converters.items() if isinstance(converter, IntegerConverter)}
        if not ints:
            continue
        with app.test_request_context():
            path = url_for(rule.endpoint, **{name: number if name in ints else "x" for name in rule.arguments})
        method = next((m for m in ("GET", *STATE_CHANGING) if m in rule.methods), "GET")
        answers[f"{method} {path}"] = client.open(path, method=method).status_code
    assert len(answers) > 50
    # 404, or 405 where another rule of the same path answers other methods: no view runs.
    wrong = {request: code for request, code in answers.items() if code not in (404, 405)}
    assert not wrong, wrong


def test_the_largest_integer_still_matches(app):
    world = build_world()
    client = app.test_client()
    login(client, "office")
    assert client.get(f"/plans/{MAX_INTEGER}").status_code == 404  # matched; no such plan
    assert client.get(f"/plans/{world.plan.id}").status_code == 200


QUERIES = [
    ("office", "/plans/{plan}?section={n}"),
    ("admin", "/admin/users?section={n}"),
    ("office", "/submissions/?plan={n}"),
    ("office", "/work/board?plan={n}"),
    ("office", "/work/section?section={n}"),
    ("office", "/work/audit.csv?plan={n}"),
    ("office", "/meetings/new?plan_id={n}"),
]


@pytest.mark.parametrize("number", HUGE)
def test_a_number_beyond_integer_in_the_query_is_ignored(app, number):
    world = build_world()
    clients = {}
    for who, pattern in QUERIES:
        if who not in clients:
            clients[who] = app.test_client()
            login(clients[who], who)
        url = pattern.format(plan=world.plan.id, n=number)
        assert clients[who].get(url).status_code == 200, url


def test_bounded_parameters():
    params = BoundedParameters(MultiDict({"a": str(MAX_INTEGER), "b": str(MAX_INTEGER + 1), "c": "-5", "d": "x",
                                          "e": str(-(2**31) - 1)}))
    assert params.get("a", type=int) == MAX_INTEGER
    assert params.get("b", type=int) is None
    assert params.get("b", 7, type=int) == 7
    assert params.get("b") == str(MAX_INTEGER + 1)  # untyped reads are untouched
    assert params.get("c", type=int) == -5
    assert params.get("d", type=int) is None
    assert params.get("e", type=int) is None


# NUL characters ------------------------------------------------------------------------

NUL_MESSAGE = "提交的内容含有空字符（U+0000），无法保存。请删除后重试。"


def nul_requests(world):
    """(who, method, url, form) carrying a NUL: each used to be a 500 on PostgreSQL."""
    plan, evaluation = world.plan, world.evaluation
    return [
        (ANONYMOUS, "POST", "/auth/login", {"username": "staff_a\x00", "password": "Passw0rd!x"}),
        (ANONYMOUS, "POST", "/auth/login", {"username": "staff_a", "password": "Passw0rd!x\x00"}),
        (ANONYMOUS, "GET", "/work/calendar/%00.ics", None),
        ("admin", "GET", "/admin/users?q=%00", None),
        ("admin", "POST", "/admin/sections", {"name": "新科室\x00", "sort_order": "1"}),
        ("admin", "POST", f"/admin/users/{world.target.id}", {"username": "target", "full_name": "名\x00",
                                                             "section_id": str(world.org.section_b.id), "active": "y"}),
        ("office", "POST", f"/plans/{plan.id}/edit", {"title": "方案\x00", "budget_year": "2019", "run_year": "2020"}),
        ("office", "POST", f"/plans/{plan.id}/projects", {"name": "项目\x00", "section_id": str(world.org.section_a.id)}),
        ("office", "POST", f"/meetings/{world.meeting.id}/invitees", {"guest_name": "来宾\x00", "guest_unit": "单位"}),
        ("reviewer", "POST", f"/evaluations/{evaluation.id}/review", {"target": "overall", "text": "意见\x00"}),
        ("office", "GET", "/plans/?\x00=1", None),
    ]


def test_a_nul_character_is_refused_in_chinese_and_changes_nothing(app):
    from tests.test_security_csrf import fingerprint

    world = build_world()
    clients = {}
    for who in ("admin", "office", "reviewer"):
        clients[who] = app.test_client()
        login(clients[who], who)
    clients[ANONYMOUS] = app.test_client()
    before = fingerprint()
    wrong = []
    for who, method, url, form in nul_requests(world):
        client = clients[who]
        data = None if form is None else {**form, "csrf_token": csrf_token(client)}
        response = client.open(url, method=method, data=data)
        body = response.get_data(as_text=True)
        if response.status_code != 400 or NUL_MESSAGE not in body:
            wrong.append(f"    {method} {url} as {who}: {response.status_code}")
    assert not wrong, "\n".join(wrong)
    assert fingerprint() == before


def test_the_same_requests_without_the_nul_are_accepted(app):
    """The control: with the NUL taken out, none of them is refused as a bad request."""
    world = build_world()
    clients = {who: app.test_client() for who in ("admin", "office", "reviewer", ANONYMOUS)}
    for who in ("admin", "office", "reviewer"):
        login(clients[who], who)
    for who, method, url, form in nul_requests(world):
        client = clients[who]
        url = url.replace("%00", "x").replace("\x00", "x")
        data = None if form is None else {**{k: v.replace("\x00", "") for k, v in form.items()},
                                          "csrf_token": csrf_token(client)}
        response = client.open(url, method=method, data=data)
        assert response.status_code < 500 and NUL_MESSAGE not in response.get_data(as_text=True), (url, who)
        assert response.status_code != 400, (url, who, response.status_code)


def test_the_api_keeps_its_own_json_refusal(app):
    from workflow.tokens import services as api_tokens

    world = build_world()
    _row, raw = api_tokens.create(world.org.staff_a, "测试")
    response = app.test_client().patch(f"/api/v1/evaluations/{world.evaluation.id}", json={"overall_achievement": "a\x00"},
                                       headers={"Authorization": f"Bearer {raw}"})
    # The evaluation is under review: not the section's to save, which is answered before the
    # body (the NUL's own 422 for an editable one: tests/test_api_workflow.py).
    assert response.status_code == 403
    assert response.is_json
