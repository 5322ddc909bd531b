"""A real HTTP server for the test app, and Debian's Chromium driven by Playwright.

The browser tests talk to the session's ``app`` (same database as every other test) served
by Werkzeug on a free port of 127.0.0.1, in a background thread of the pytest process. Each
request runs in its own thread and its own application context, so the test's session and
the server's sessions are separate: commit test data before the browser needs it.

Use the fixtures by importing them into a test module::

    from tests.live_server import browser, live_server, page  # noqa: F401

or the pieces directly: ``with LiveServer(app) as server: server.url("/auth/login")``.
"""
import os
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class LiveServer:
    """Serve a WSGI app on ``host`` and a free port until ``stop()``."""

    def __init__(self, app, host="127.0.0.1", port=0):
        self.app = app
        self.host = host
        self.requested_port = port
        self._server = None
        self._thread = None

    @property
    def port(self):
        if self._server is None:
            raise RuntimeError("the live server is not running")
        return self._server.server_port

    @property
    def base_url(self):
        return f"http://{self.host}:{self.port}"

    def url(self, path="/"):
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def start(self):
        if self._server is not None:
            return self
        # Port 0: the operating system picks a free port; no race between probing and binding.
        self._server = make_server(self.host, self.requested_port, self.app, threaded=True)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"live-server-{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self):
        if self._server is None:
            return
        self._server.shutdown()
        self._thread.join(timeout=10)
        self._server.server_close()
        self._server = None
        self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()


def launch_chromium(playwright, **options):
    """Start Debian's Chromium (never a browser downloaded by ``playwright install``).

    A missing browser is a failure, not a skip: the browser tests are part of the suite."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: the browser tests need Debian's "
            "chromium package (apt-get install chromium). Do not run `playwright install`.",
            pytrace=False,
        )
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, **options)


@pytest.fixture(scope="session")
def live_server(app):
    """The session's app served over HTTP; ``live_server.url('/auth/login')``."""
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module. Module scope, not session: each module that imports the
    fixture gets a definition of its own, and two sync Playwright instances alive at once in
    one thread fail ("using Playwright Sync API inside the asyncio loop")."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) per test, its base URL set to the live server.

    Chinese is the default of the app; the browser asks for Chinese like the bureau's PCs."""
    context = browser.new_context(base_url=live_server.base_url, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
