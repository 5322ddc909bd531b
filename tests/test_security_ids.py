"""Numbers beyond the database's INTEGER, in an address or a query string, answer 404 or are
ignored, never a 500 (they used to fail inside SQLite with OverflowError and inside
PostgreSQL with 'integer out of range'): workflow/ids.py."""
import pytest
from flask import url_for
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter

from tests.conftest import login
from tests.test_route_table import STATE_CHANGING, build_world, url_rules
from workflow.ids import MAX_INTEGER, BoundedParameters

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
