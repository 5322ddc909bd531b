"""The outbox's sender: `flask --app wsgi send-mail` runs one pass (cron, every minute),
`--loop` runs passes until stopped. Any number of senders on any number of hosts may run at
once: each message is claimed by one (workflow/engine/outbox.py)."""
import os
import smtplib
import socket
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from flask import current_app

from workflow import clock
from workflow.engine import outbox
from workflow.extensions import db

# Errors of one message's refusal, as opposed to the server being out of reach.
REFUSALS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


@dataclass
class Summary:
    enabled: bool = True
    sent: int = 0
    retrying: int = 0  # failed in this pass, to be tried again after the back-off
    failed: int = 0    # given up in this pass

    @property
    def attempts(self):
        return self.sent + self.retrying + self.failed


def sender_name():
    """Who holds a claim: host, process and this pass (for the page and the logs)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _permanent(error):
    """A refusal the server means for good (5xx): another attempt cannot succeed."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(code >= 500 for code, _text in error.recipients.values())
    return isinstance(error, REFUSALS) and getattr(error, "smtp_code", 0) >= 500


def _describe(error):
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{rcpt}: {code} {_text(text)}" for rcpt, (code, text) in error.recipients.items())
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_text(error.smtp_error)}"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _text(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _email(message, config):
    email = EmailMessage()
    email["From"] = config["MAIL_DEFAULT_SENDER"]
    email["To"] = formataddr((message.to_name, message.to_address))
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at)  # when it was written, not when it left
    email["Message-ID"] = message.message_id
    email.set_content(message.body)
    return email


class _Connection:
    """One SMTP connection for a pass, opened at the first message. When the server cannot
    be reached, every message of the pass records that (one try per pass, not per message:
    a server that times out would otherwise hold the pass for minutes)."""

    def __init__(self, config):
        self.config = config
        self.smtp = None
        self.unreachable = None

    def _open(self):
        config = self.config
        connection_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
        smtp = connection_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT_SECONDS"])
        try:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, email):
        """None when the server accepted it, else (error text, permanent)."""
        if self.unreachable:
            return self.unreachable, False
        if self.smtp is None:
            try:
                self.smtp = self._open()
            except (OSError, smtplib.SMTPException) as error:
                where = f"{self.config['MAIL_SERVER']}:{self.config['MAIL_PORT']}"
                self.unreachable = f"{where}: {_describe(error)}"
                return self.unreachable, False
        try:
            self.smtp.send_message(email)
        except REFUSALS as error:
            return _describe(error), _permanent(error)
        except (OSError, smtplib.SMTPException) as error:
            self.close()  # the connection may be dead: the next message opens a new one
            return _describe(error), False
        return None

    def close(self):
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None


def deliver():
    """One pass: deliver every message that is due, each claimed first. Returns a Summary."""
    config = current_app.config
    if not config["MAIL_ENABLED"]:
        return Summary(enabled=False)
    sender = sender_name()
    summary = Summary()
    connection = _Connection(config)
    try:
        while (message := outbox.claim_next(sender, clock.now())) is not None:
            result = connection.send(_email(message, config))
            now = clock.now()
            if result is None:
                outbox.mark_sent(message, now)  # only now: a crash before this resends it
                summary.sent += 1
                continue
            error, permanent = result
            current_app.logger.warning("Mail %d to %s failed (attempt %d): %s", message.id, message.to_address,
                                       message.attempts + 1, error)
            if outbox.record_failure(message, error, now, permanent):
                summary.failed += 1
            else:
                summary.retrying += 1
    finally:
        connection.close()
    if summary.failed:
        outbox.tell_office(summary.failed)
    return summary


def run_forever(interval, stop, report=None):
    """Passes every ``interval`` seconds until ``stop`` (a threading.Event) is set. A pass
    that fails (the database away) is logged and the next one tries again."""
    while not stop.is_set():
        try:
            summary = deliver()
            if report is not None and summary.attempts:
                report(summary)
        except Exception:  # noqa: BLE001 - a long-running sender outlives one bad pass
            current_app.logger.exception("The mail sender's pass failed")
            db.session.rollback()
        finally:
            db.session.remove()
        stop.wait(interval)
