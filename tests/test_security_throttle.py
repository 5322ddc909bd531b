"""Login throttling, beyond tests/test_auth.py (which proves the account and address limits,
the right password refused while throttled, and the account's lock lifting after the window):
the login name's case cannot dodge the limit, the address lock lifts after its window too,
attempts made while locked do not prolong it, and a locked login answers the same whether the
password was right or wrong (no oracle). Driven by workflow.clock.freeze, never by waiting."""
from datetime import timedelta

from tests.factories import make_user
from tests.test_auth import T0, attempt, client_from, failures, is_signed_in, text, throttle_message
from workflow import clock


def test_the_login_names_case_cannot_dodge_the_limit(app, client):
    make_user("victim")
    clock.freeze(T0)
    spellings = ["Victim", "VICTIM", " victim ", "vIcTiM", "victim"]
    assert len(spellings) == app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for spelling in spellings:
        attempt(client, spelling, "Wrong-pass1")
    assert failures(username="victim") == len(spellings)
    for spelling in ("victim", "VICTIM"):
        response = attempt(client_from(app, "10.7.7.7"), spelling)  # the right password
        assert throttle_message(app) in text(response)
    assert not is_signed_in(client)


def test_the_address_lock_lifts_after_its_window(app):
    make_user("zhangsan")
    window = timedelta(minutes=app.config["LOGIN_WINDOW_MINUTES"])
    clock.freeze(T0)
    attacker = client_from(app, "203.0.113.9")
    for n in range(app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]):
        attempt(attacker, f"guess{n}", "Wrong-pass1")
    clock.freeze(T0 + window - timedelta(seconds=1))
    assert throttle_message(app) in text(attempt(attacker, "zhangsan"))
    clock.freeze(T0 + window + timedelta(seconds=1))
    assert attempt(attacker, "zhangsan").status_code == 302
    assert is_signed_in(attacker)


def test_attempts_while_locked_do_not_prolong_the_lock(app, client):
    make_user("zhangsan")
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    window = timedelta(minutes=app.config["LOGIN_WINDOW_MINUTES"])
    clock.freeze(T0)
    for _ in range(limit):
        attempt(client, "zhangsan", "Wrong-pass1")
    for minute in range(1, 15):
        clock.freeze(T0 + timedelta(minutes=minute))
        assert throttle_message(app) in text(attempt(client, "zhangsan", "Wrong-pass1"))
    assert failures(username="zhangsan") == limit  # refused before the password is looked at
    clock.freeze(T0 + window + timedelta(seconds=1))
    assert attempt(client, "zhangsan").status_code == 302


def test_a_locked_login_reveals_nothing_about_the_password(app, client):
    make_user("zhangsan")
    clock.freeze(T0)
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        attempt(client, "zhangsan", "Wrong-pass1")
    right = attempt(client_from(app, "10.1.1.1"), "zhangsan")
    wrong = attempt(client_from(app, "10.1.1.2"), "zhangsan", "Wrong-pass2")
    assert right.status_code == wrong.status_code == 200
    for response in (right, wrong):
        assert throttle_message(app) in text(response)
        assert "用户名或密码错误" not in text(response)
