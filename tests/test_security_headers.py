"""Security headers on every answer, and the session cookie's flags.

``header_problems`` is the one definition of what every answer must carry; the route table
(tests/test_route_table.py) applies it to every answer of every endpoint for every role, and
the tests here to the answers the table does not make: error pages, static files, a refused
CSRF token, the 413 page, and the cookie set at login."""
import io

from tests.conftest import PASSWORD, csrf_token, login, session_cookie
from tests.factories import make_user
from workflow.roles import Role


def csp_directives(policy):
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def header_problems(response):
    """What is missing from ``response``'s security headers ([] when nothing)."""
    headers = response.headers
    problems = []
    policy = headers.get("Content-Security-Policy")
    if not policy:
        return ["no Content-Security-Policy"]
    directives = csp_directives(policy)
    scripts = directives.get("script-src", directives.get("default-src"))
    if scripts is None:
        problems.append("CSP without script-src or default-src")
    elif any(source in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:") for source in scripts):
        problems.append(f"CSP script sources too wide: {scripts}")
    if directives.get("object-src", directives.get("default-src")) not in (["'none'"], ["'self'"]):
        problems.append("CSP lets plugins (object-src) load from elsewhere")
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if headers.get("X-Frame-Options") != "DENY" and directives.get("frame-ancestors") != ["'none'"]:
        problems.append("may be framed (no X-Frame-Options: DENY nor frame-ancestors 'none')")
    if headers.get("Referrer-Policy") not in ("same-origin", "no-referrer", "strict-origin",
                                              "strict-origin-when-cross-origin"):
        problems.append(f"Referrer-Policy {headers.get('Referrer-Policy')!r}")
    # Answers hold personal and unpublished data: no shared cache (a proxy) may keep them.
    cache = {part.strip().split("=")[0].lower() for part in headers.get("Cache-Control", "").split(",")}
    if not cache & {"no-store", "private"}:
        problems.append(f"a shared cache may keep it (Cache-Control {headers.get('Cache-Control')!r})")
    return problems



def cookie_flags(header):
    flags = {}
    for part in header.split(";")[1:]:
        key, _sep, value = part.strip().partition("=")
        flags[key.lower()] = value or True
    return flags


def test_the_page_policy_itself(client):
    response = client.get("/auth/login")
    directives = csp_directives(response.headers["Content-Security-Policy"])
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert header_problems(response) == []


def test_error_pages_static_files_and_refusals_carry_the_headers(app, client):
    make_user("zhangsan", roles=[Role.OFFICE])
    responses = {
        "404": client.get("/no-such-page"),
        "405": client.get("/auth/logout"),
        "static": client.get("/static/vendor/bootstrap/bootstrap.min.css"),
        "csrf refused": client.post("/auth/login", data={"username": "zhangsan", "password": PASSWORD}),
    }
    login(client, "zhangsan")
    token = csrf_token(client)
    app.config["MAX_CONTENT_LENGTH"], limit = 1024, app.config["MAX_CONTENT_LENGTH"]
    try:
        responses["413"] = client.post("/meetings/new", data={"csrf_token": token,
                                                               "file": (io.BytesIO(b"x" * 4096), "big.pdf")},
                                       content_type="multipart/form-data")
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    codes = {name: response.status_code for name, response in responses.items()}
    assert codes == {"404": 404, "405": 405, "static": 200, "csrf refused": 400, "413": 413}
    for name, response in responses.items():
        problems = header_problems(response)
        if name == "static":  # the vendored stylesheet may be cached, by anyone
            problems = [p for p in problems if "cache" not in p]
        assert problems == [], name


def test_the_check_finds_what_is_missing(app):
    """header_problems is the yardstick of the route table: it must fail bad answers."""
    from flask import Response

    bare = Response("x")
    assert header_problems(bare) == ["no Content-Security-Policy"]
    loose = Response("x", headers={"Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'"})
    problems = header_problems(loose)
    assert any("too wide" in p for p in problems)
    assert any("nosniff" in p for p in problems)
    assert any("framed" in p for p in problems)
    assert any("Referrer-Policy" in p for p in problems)
    assert any("shared cache" in p for p in problems)


def test_session_cookie_is_httponly_and_samesite(app, client):
    make_user("zhangsan")
    response = login(client, "zhangsan")
    flags = cookie_flags(session_cookie(app, response))
    assert flags.get("httponly") is True
    assert str(flags.get("samesite")).lower() == "lax"
    # Plain HTTP on the embedded default: a Secure cookie would never come back. Production
    # sets it (tests/test_auth.py test_production_app_sets_secure_cookies).
    assert "secure" not in flags


def test_the_pages_that_hold_a_set_password_link_are_never_stored(app, client):
    """The links page (the tokens, shown once) and the link's own page: no cache of any kind
    keeps them, and the token in the address never leaves the site in a Referer."""
    from tests.conftest import post, signed_in
    from tests.factories import make_section
    from workflow.auth import links
    from workflow.extensions import db

    admin = make_user("admin", roles=[Role.ADMIN])
    staff = make_user("yuanliji", roles=[Role.SECTION_STAFF], section=make_section())
    answer = post(signed_in(app, admin), f"/admin/users/{staff.id}/password-link")
    assert answer.status_code == 200
    with app.test_request_context():
        issued = links.issue(staff, admin)  # a second link (the first one is in the page)
    db.session.commit()
    path = "/auth/set-password/" + issued.url.rsplit("/", 1)[1]
    responses = {"links page": answer, "link": client.get(path), "unknown link": client.get("/auth/set-password/x")}
    assert [r.status_code for r in responses.values()] == [200, 200, 404]
    for name, response in responses.items():
        assert header_problems(response) == [], name
        assert "no-store" in response.headers["Cache-Control"], name
        assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer"), name
