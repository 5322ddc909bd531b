"""The access log of `make run` does not keep the secrets some addresses carry."""
import socket
import subprocess
import sys
import time
import urllib.request

from workflow.access_log import redact


def probe(environ, start_response):
    """The smallest WSGI app: the test is about the log line, not the app."""
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def free_port():
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return probe_socket.getsockname()[1]


def test_redact_hides_calendar_and_sign_in_tokens_only():
    assert redact("GET /work/calendar/AbC-123_x.ics HTTP/1.1") == "GET /work/calendar/[redacted] HTTP/1.1"
    assert redact("/meetings/7/scan/eyJ0.abc?x=1") == "/meetings/7/scan/[redacted]?x=1"
    assert redact("/meetings/7/checkin/p4ss") == "/meetings/7/checkin/[redacted]"
    assert redact("POST /auth/set-password/WR7b1Bx-QRc_n8 HTTP/1.1") == "POST /auth/set-password/[redacted] HTTP/1.1"
    assert redact("GET /work/inbox?page=2 HTTP/1.1") == "GET /work/inbox?page=2 HTTP/1.1"


def test_gunicorn_logs_the_request_without_the_token(tmp_path):
    """A real gunicorn with the logger class: the request is logged, the token is not."""
    port = free_port()
    log = tmp_path / "access.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--logger-class", "workflow.access_log.Logger", "--access-logfile", str(log),
         "tests.test_access_log:probe"],
        stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/work/calendar/SeCrEt-token-123.ics", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=10)
    text = log.read_text()
    assert "/work/calendar/[redacted]" in text
    assert "SeCrEt-token-123" not in text
