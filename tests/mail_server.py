"""A real SMTP server on the loopback interface (aiosmtpd) for the tests that mail, and
``deliver_outbox()``: the pass of the outbox's sender that `flask send-mail` runs."""
import asyncio
import socket
import threading
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from workflow.engine import mailer

MAIL_KEYS = ("MAIL_ENABLED", "MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_USERNAME",
             "MAIL_PASSWORD", "MAIL_TIMEOUT_SECONDS", "MAIL_MAX_ATTEMPTS")


class Collector:
    """An aiosmtpd handler keeping every message it is given."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content, policy=default_policy)
        await self.received(message)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    async def received(self, message):
        """Before a message is accepted (a subclass may wait here)."""

    def sent(self):
        """[(recipient address, subject, body)] in the order received."""
        with self.lock:
            return [(rcpt, str(m["Subject"]), m.get_content()) for rcpts, m in self.messages for rcpt in rcpts]

    def headers(self, name):
        with self.lock:
            return [str(m[name]) for _rcpts, m in self.messages]


class Overlap(Collector):
    """Holds the first message until a second arrives on another connection (or 5 s pass), so
    that two senders are proven to have had messages in flight at the same time."""

    def __init__(self):
        super().__init__()
        self.in_flight = 0
        self.overlapped = False
        self.second = None

    async def received(self, message):
        if self.second is None:
            self.second = asyncio.Event()
        self.in_flight += 1
        try:
            if self.in_flight >= 2:
                self.overlapped = True
                self.second.set()
            elif not self.overlapped:
                try:
                    await asyncio.wait_for(self.second.wait(), 5)
                except asyncio.TimeoutError:
                    pass
        finally:
            self.in_flight -= 1


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(handler, port=None, **options):
    controller = Controller(handler, hostname="127.0.0.1", port=port or free_port(), **options)
    controller.start()
    return controller


def use_server(app, port, **settings):
    """Point the app's mail at 127.0.0.1:``port``; returns the settings to put back."""
    saved = {key: app.config[key] for key in MAIL_KEYS}
    app.config.update(MAIL_ENABLED=True, MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False,
                      MAIL_USE_SSL=False, MAIL_USERNAME=None, **settings)
    return saved


@pytest.fixture
def smtp(app):
    collector = Collector()
    controller = start_server(collector)
    saved = use_server(app, controller.port)
    try:
        yield collector
    finally:
        app.config.update(saved)
        controller.stop()


def deliver_outbox():
    """What `flask --app wsgi send-mail` does: one pass of the sender."""
    return mailer.deliver()
