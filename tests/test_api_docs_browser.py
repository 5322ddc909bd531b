"""The API docs page in Chromium: Swagger UI runs under the app's Content-Security-Policy
from vendored files only, takes a personal token and calls the API with it."""
from tests.api_helpers import token_for
from tests.factories import make_setup
from tests.live_server import browser, live_server, page  # noqa: F401  (fixtures)


def test_swagger_ui_lists_the_operations_and_calls_the_api_with_a_token(page, live_server):
    org, plan = make_setup()
    raw = token_for(org.office)
    console, requests = [], []
    page.on("console", lambda message: console.append((message.type, message.text)))
    page.on("request", lambda request: requests.append(request.url))

    page.goto("/api/v1/docs")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() >= 20
    page.click("button.authorize")
    page.fill(".auth-container input", raw)
    page.click(".auth-btn-wrapper button.authorize")
    page.click("button.btn-done")
    page.locator("#operations-api_plans-get_api_v1_plans .opblock-summary").click()
    page.click("button.try-out__btn")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/plans")) as answer:
        page.click("button.execute")
    assert answer.value.status == 200
    assert [p["title"] for p in answer.value.json()] == [plan.title]

    # Nothing from outside the app, and no Content-Security-Policy violation.
    assert [url for url in requests if not url.startswith(live_server.base_url)] == []
    assert not [text for kind, text in console if "Content Security Policy" in text or "Refused" in text]
