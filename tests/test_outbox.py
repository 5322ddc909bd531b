"""The outbox against a real SMTP server on loopback (aiosmtpd): mail is queued with what
caused it, a page never waits for SMTP, a stopped server loses nothing and each message goes
once when it is back, back-off and giving up on a frozen clock, claims as leases (SKIP LOCKED
on PostgreSQL, a conditional UPDATE on SQLite), two senders at once, the office's page and
its retry buttons, and `flask send-mail` once and as a long-running process."""
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event, func, select, update

from tests.conftest import login, post
from tests.factories import make_setup
from tests.mail_server import Collector, Overlap, deliver_outbox, free_port, smtp, start_server, use_server  # noqa: F401 - smtp is a fixture
from tests.test_meetings import make_meeting
from workflow import PROJECT_DIR, clock
from workflow.engine import mailer, outbox
from workflow.extensions import db
from workflow.models import AuditRecord, Notification, OutboxMessage

T0 = datetime(2020, 6, 15, 3, 0, tzinfo=timezone.utc)  # 11:00 in Beijing, the notice's day


# Real commits: senders run in threads and processes of their own.
pytestmark = pytest.mark.commits


@pytest.fixture
def server_down(app):
    """Mail on, pointed at a port of 127.0.0.1 where nobody listens (yet): yields the port."""
    port = free_port()
    saved = use_server(app, port)
    try:
        yield port
    finally:
        app.config.update(saved)


@pytest.fixture
def server(smtp):
    """A real SMTP server on loopback (tests/mail_server.py's): what it received."""
    return smtp


def rows():
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def address(user):
    return f"{user.username}@yjj.example.cn"


def office_client(app, org):
    client = app.test_client()
    login(client, org.office.username)
    return client


def queue(users, subject="【绩效评价】测试", body="正文"):
    count = outbox.enqueue(users, subject, body)
    db.session.commit()
    return count


# (a) A notice published while the server is stopped --------------------------------------


def test_a_notice_published_with_the_server_stopped_is_kept_and_goes_once_when_it_is_back(app, server_down):
    org, plan = make_setup()
    meeting = make_meeting(plan, org, publish=False)  # staff_a, staff_a2, staff_b
    clock.freeze(T0)
    office = office_client(app, org)
    started = time.monotonic()
    response = post(office, f"/meetings/{meeting.id}/publish", follow_redirects=True)
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert "已通知 3 人，邮件 3 封已加入发送队列" in response.get_data(as_text=True)
    assert elapsed < 3, elapsed

    # Nothing lost: a row per invitee, in the same transaction as the publication.
    queued = rows()
    assert sorted(m.to_address for m in queued) == sorted(address(u) for u in (org.staff_a, org.staff_a2, org.staff_b))
    assert {(m.status, m.attempts, m.subject) for m in queued} == {("pending", 0, "【会议通知】预算重点项目绩效评价工作培训会议")}
    assert all(m.body.startswith("关于召开预算重点项目绩效评价工作培训会议的通知") for m in queued)

    # The sender finds the server down: each message has its attempt and the error.
    summary = deliver_outbox()
    assert (summary.sent, summary.retrying, summary.failed) == (0, 3, 0)
    for message in rows():
        assert (message.status, message.attempts, message.sent_at, message.claimed_by) == ("pending", 1, None, None)
        assert f"127.0.0.1:{server_down}" in message.last_error and "Connection refused" in message.last_error
        assert message.next_attempt_at == T0 + timedelta(minutes=1)

    # The office sees them, with the attempts and the error; nobody else may look.
    page = office.get("/work/outbox")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert text.count('data-status="pending"') == 4  # the three rows and the count's badge
    assert text.count('data-attempts="1"') == 3 and text.count("Connection refused") == 3
    for name in ("原立吉", "王建华", "王士学"):
        assert name in text
    staff = app.test_client()
    login(staff, org.staff_a.username)
    assert staff.get("/work/outbox").status_code == 403
    assert "/work/outbox" not in staff.get("/work/inbox").get_data(as_text=True)
    assert "/work/outbox" in office.get("/work/inbox").get_data(as_text=True)

    # The server comes back; the back-off still holds the messages for a minute.
    collector = Collector()
    controller = start_server(collector, port=server_down)
    try:
        assert deliver_outbox().attempts == 0 and collector.sent() == []
        clock.freeze(T0 + timedelta(minutes=1))
        assert deliver_outbox().sent == 3
        for later in (T0 + timedelta(minutes=1), T0 + timedelta(days=1)):
            clock.freeze(later)
            assert deliver_outbox().attempts == 0
    finally:
        controller.stop()
    assert sorted(rcpt for rcpt, _s, _b in collector.sent()) == sorted(m.to_address for m in queued)
    assert sorted(collector.headers("Message-ID")) == sorted(m.message_id for m in queued)
    assert {(m.status, m.attempts, m.sent_at) for m in rows()} == {("sent", 2, T0 + timedelta(minutes=1))}
    assert "没有未发送的邮件" in office.get("/work/outbox").get_data(as_text=True)


def test_a_server_that_never_answers_holds_neither_the_page_nor_the_sender_long(app):
    """A listener that accepts connections and never greets: connecting would wait for the
    socket timeout (10 s), but publishing does not connect at all."""
    silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    saved = use_server(app, silent.getsockname()[1])
    try:
        org, plan = make_setup()
        meeting = make_meeting(plan, org, publish=False)
        office = office_client(app, org)
        started = time.monotonic()
        response = post(office, f"/meetings/{meeting.id}/publish")
        assert response.status_code in (302, 303)
        assert time.monotonic() - started < 3
        assert len(rows()) == 3

        # The sender tries once per pass, not once per message.
        app.config["MAIL_TIMEOUT_SECONDS"] = 1
        started = time.monotonic()
        assert deliver_outbox().retrying == 3
        assert time.monotonic() - started < 2.5
        assert all("timed out" in m.last_error and m.attempts == 1 for m in rows()), [m.last_error for m in rows()]
    finally:
        app.config.update(saved)
        silent.close()


# (c) Back-off and giving up ----------------------------------------------------------------


def test_the_back_off_doubles_from_a_minute_up_to_an_hour(app):
    assert [outbox.backoff(n).total_seconds() for n in range(1, 10)] == [
        60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]


def test_a_failed_message_is_not_tried_before_its_time_and_is_given_up_after_the_last_attempt(app, server_down):
    app.config["MAIL_MAX_ATTEMPTS"] = 4
    org, _plan = make_setup()
    clock.freeze(T0)
    assert queue([org.staff_a]) == 1
    moment = T0
    for attempt, wait in ((1, 60), (2, 120), (3, 240)):
        assert deliver_outbox().retrying == 1
        (message,) = rows()
        assert (message.attempts, message.last_attempt_at) == (attempt, moment)
        assert message.next_attempt_at == moment + timedelta(seconds=wait)
        clock.freeze(moment + timedelta(seconds=wait - 1))  # a second early: not tried
        assert deliver_outbox().attempts == 0 and rows()[0].attempts == attempt
        moment += timedelta(seconds=wait)
        clock.freeze(moment)

    mark = db.session.scalar(select(func.max(Notification.id))) or 0
    summary = deliver_outbox()
    assert (summary.retrying, summary.failed) == (0, 1)
    (message,) = rows()
    assert (message.status, message.attempts) == ("failed", 4)
    told = db.session.scalars(select(Notification).where(Notification.id > mark)).all()
    assert [(n.user_id, n.text, n.link) for n in told] == [
        (org.office.id, "1 封邮件未能发送，请在“邮件发送”中查看并重试。", "/work/outbox")]
    clock.freeze(moment + timedelta(days=30))
    assert deliver_outbox().attempts == 0  # given up stays given up

    # "Retry now": a fresh schedule, tried at the next pass.
    outbox.retry(message.id, org.office)
    (message,) = rows()
    assert (message.status, message.attempts, message.next_attempt_at) == ("pending", 0, moment + timedelta(days=30))
    assert "Connection refused" in message.last_error  # what went wrong stays readable
    collector = Collector()
    controller = start_server(collector, port=server_down)
    try:
        assert deliver_outbox().sent == 1
    finally:
        controller.stop()
    assert [rcpt for rcpt, _s, _b in collector.sent()] == [address(org.staff_a)]
    assert db.session.scalar(select(AuditRecord.action).order_by(AuditRecord.id.desc()).limit(1)) == "mail_retry"


def test_a_refusal_for_good_is_given_up_at_once_and_the_rest_still_go(app):
    class Refusing(Collector):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address.startswith("staff_b@"):
                return "550 5.1.1 No such mailbox"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    collector = Refusing()
    controller = start_server(collector)
    saved = use_server(app, controller.port)
    try:
        org, _plan = make_setup()
        queue([org.staff_a, org.staff_b, org.staff_a2])
        summary = deliver_outbox()
    finally:
        app.config.update(saved)
        controller.stop()
    assert (summary.sent, summary.retrying, summary.failed) == (2, 0, 1)
    by_address = {m.to_address: m for m in rows()}
    refused = by_address[address(org.staff_b)]
    assert (refused.status, refused.attempts) == ("failed", 1)
    assert "550" in refused.last_error and "No such mailbox" in refused.last_error
    assert sorted(rcpt for rcpt, _s, _b in collector.sent()) == sorted([address(org.staff_a), address(org.staff_a2)])


# Claims: leases, SKIP LOCKED, a crash between delivery and marking -------------------------


def test_a_claim_is_a_lease_that_a_dead_sender_leaves_to_run_out(app, server_down):
    org, _plan = make_setup()
    clock.freeze(T0)
    queue([org.staff_a, org.staff_b])
    first = outbox.claim_next("sender-a", T0)
    second = outbox.claim_next("sender-b", T0)
    assert first.id != second.id
    assert outbox.claim_next("sender-c", T0) is None  # both are held
    lease = T0 + timedelta(seconds=app.config["MAIL_CLAIM_SECONDS"])
    assert (first.claimed_by, first.claimed_until) == ("sender-a", lease)
    assert outbox.claim_next("sender-c", lease - timedelta(seconds=1)) is None
    # Neither sender finished: at the end of the lease another takes them again.
    again = outbox.claim_next("sender-c", lease)
    assert again.id == first.id and again.claimed_by == "sender-c"
    assert outbox.claim_next("sender-c", lease).id == second.id


def test_a_row_locked_by_another_sender_is_passed_over_not_waited_for(app, server_down):
    """PostgreSQL: FOR UPDATE SKIP LOCKED. SQLite: no row locks; the claim's conditional
    UPDATE decides (a candidate taken meanwhile is skipped for the next)."""
    org, _plan = make_setup()
    clock.freeze(T0)
    queue([org.staff_a, org.staff_b])
    first_id, second_id = [m.id for m in rows()]
    if db.engine.dialect.name == "postgresql":
        statement = str(select(OutboxMessage.id).with_for_update(skip_locked=True).compile(dialect=db.engine.dialect))
        assert statement.endswith("FOR UPDATE SKIP LOCKED")
        with db.engine.connect() as other:   # another host's sender, in the middle of its claim
            other.execute(select(OutboxMessage.id).where(OutboxMessage.id == first_id).with_for_update())
            started = time.monotonic()
            claimed = outbox.claim_next("me", T0)
            assert time.monotonic() - started < 2
            assert claimed.id == second_id
            other.rollback()
    else:
        # Another sender claims the first candidate between this one's read and its UPDATE.
        def claim_first_elsewhere(conn, cursor, statement, parameters, context, executemany):
            if statement.startswith("UPDATE outbox SET claimed_by") and not claim_first_elsewhere.done:
                claim_first_elsewhere.done = True
                with db.engine.begin() as other:
                    other.execute(update(OutboxMessage).where(OutboxMessage.id == first_id)
                                  .values(claimed_by="other", claimed_until=T0 + timedelta(minutes=5)))
        claim_first_elsewhere.done = False
        event.listen(db.engine, "before_cursor_execute", claim_first_elsewhere)
        try:
            claimed = outbox.claim_next("me", T0)
        finally:
            event.remove(db.engine, "before_cursor_execute", claim_first_elsewhere)
        assert claim_first_elsewhere.done and claimed.id == second_id
    assert {m.id: m.claimed_by for m in rows()}[second_id] == "me"


class Crash(Exception):
    """A sender dying between the server's acceptance and the mark."""


def test_a_sender_that_dies_after_delivery_leaves_the_message_to_be_sent_again_at_least_once(app, server):
    org, _plan = make_setup()
    clock.freeze(T0)
    queue([org.staff_a])

    def die_at_the_mark(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("UPDATE outbox SET status"):
            raise Crash()

    event.listen(db.engine, "before_cursor_execute", die_at_the_mark)
    try:
        with pytest.raises(Crash):
            deliver_outbox()
    finally:
        event.remove(db.engine, "before_cursor_execute", die_at_the_mark)
    db.session.rollback()
    assert len(server.sent()) == 1
    (message,) = rows()
    assert message.status == "pending" and message.claimed_by is not None
    assert deliver_outbox().attempts == 0  # the dead sender's lease holds
    clock.freeze(T0 + timedelta(seconds=app.config["MAIL_CLAIM_SECONDS"]))
    assert deliver_outbox().sent == 1
    # At least once: it went twice, with one Message-ID, so the reader's client can tell.
    assert len(server.sent()) == 2 and len(set(server.headers("Message-ID"))) == 1
    assert rows()[0].status == "sent"


# (b) Two senders at once --------------------------------------------------------------------


def test_two_senders_at_once_deliver_each_message_once(app):
    collector = Overlap()
    controller = start_server(collector)
    saved = use_server(app, controller.port)
    try:
        org, _plan = make_setup()
        users = [org.office, org.leader, org.reviewer, org.reviewer2, org.outsider, org.staff_a, org.staff_a2,
                 org.staff_b, org.admin, org.finance]
        for n in range(3):
            queue(users, subject=f"第{n}封", body=f"正文{n}")
        expected = sorted((address(u), f"第{n}封") for u in users for n in range(3))
        barrier = threading.Barrier(2, timeout=30)
        results = []

        def sender():
            with app.app_context():
                try:
                    barrier.wait()
                    results.append(deliver_outbox())
                except BaseException as error:  # noqa: BLE001 - reported below
                    results.append(error)
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=sender) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        app.config.update(saved)
        controller.stop()
    assert len(results) == 2 and all(isinstance(r, mailer.Summary) for r in results), results
    assert collector.overlapped, "the two senders never had messages in flight at the same time"
    assert all(r.sent > 0 for r in results) and sum(r.sent for r in results) == 30
    assert sorted((rcpt, subject) for rcpt, subject, _b in collector.sent()) == expected
    assert {(m.status, m.attempts) for m in rows()} == {("sent", 1)}


def test_the_long_running_sender_delivers_what_comes_in_until_it_is_stopped(app, server):
    org, _plan = make_setup()
    queue([org.staff_a])
    stop = threading.Event()
    passes = []

    def run():
        with app.app_context():
            mailer.run_forever(0.05, stop, passes.append)

    thread = threading.Thread(target=run)
    thread.start()
    try:
        wait_for(lambda: len(server.sent()) == 1)
        queue([org.staff_b], subject="第二封")
        wait_for(lambda: len(server.sent()) == 2)
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
    assert [(rcpt, subject) for rcpt, subject, _b in server.sent()] == [
        (address(org.staff_a), "【绩效评价】测试"), (address(org.staff_b), "第二封")]
    assert [p.sent for p in passes] == [1, 1]


def wait_for(condition, seconds=15):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


# The message itself --------------------------------------------------------------------------


def test_the_message_carries_its_reader_its_time_and_its_own_message_id(app, server):
    org, _plan = make_setup()
    clock.freeze(T0)
    queue([org.staff_a], subject="【会议通知】培训", body="请准时参加。")
    clock.freeze(T0 + timedelta(hours=1))
    deliver_outbox()
    (message,) = server.messages
    rcpts, email = message
    assert rcpts == [address(org.staff_a)]
    assert str(email["To"]) == f"原立吉 <{address(org.staff_a)}>"
    assert str(email["From"]) == app.config["MAIL_DEFAULT_SENDER"]
    assert email["Date"].datetime == T0  # when it was written
    assert str(email["Message-ID"]) == rows()[0].message_id
    assert email.get_content().replace("\r\n", "\n") == "请准时参加。\n"


def test_nothing_is_queued_while_mail_is_off(app, server):
    app.config["MAIL_ENABLED"] = False
    org, plan = make_setup()
    make_meeting(plan, org)  # published
    assert rows() == []
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0 and result.output.strip() == "邮件未启用（MAIL_ENABLED），不发送。"
    assert server.sent() == []


# The office's page and its buttons -----------------------------------------------------------


def test_retry_now_is_the_offices_with_a_csrf_token_and_refuses_what_is_sent_or_in_hand(app, server_down):
    app.config["MAIL_MAX_ATTEMPTS"] = 1
    org, _plan = make_setup()
    clock.freeze(T0)
    queue([org.staff_a, org.staff_b, org.staff_a2])
    assert deliver_outbox().failed == 3
    failed_id, other_id, third_id = [m.id for m in rows()]
    office = office_client(app, org)
    page = office.get("/work/outbox").get_data(as_text=True)
    assert page.count('data-status="failed"') == 4 and "全部重试（3 封）" in page

    # Without the token, or by someone else: refused, nothing changed.
    assert office.post(f"/work/outbox/{failed_id}/retry").status_code == 400
    staff = app.test_client()
    login(staff, org.staff_a.username)
    assert post(staff, f"/work/outbox/{failed_id}/retry").status_code == 403
    assert post(staff, "/work/outbox/retry-failed").status_code == 403
    assert post(office, "/work/outbox/999999/retry").status_code == 404
    assert {m.status for m in rows()} == {"failed"}

    clock.freeze(T0 + timedelta(minutes=5))
    response = post(office, f"/work/outbox/{failed_id}/retry")
    assert response.status_code == 303
    message = db.session.get(OutboxMessage, failed_id)
    db.session.refresh(message)
    assert (message.status, message.attempts, message.next_attempt_at) == ("pending", 0, T0 + timedelta(minutes=5))

    # A message a sender holds, or one already sent, is not retried.
    outbox.claim_next("sender-a", T0 + timedelta(minutes=5))
    response = post(office, f"/work/outbox/{failed_id}/retry")
    assert response.status_code == 409 and "正在发送" in response.get_data(as_text=True)
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == failed_id)
                       .values(status="sent", claimed_by=None, claimed_until=None))
    db.session.commit()
    response = post(office, f"/work/outbox/{failed_id}/retry")
    assert response.status_code == 409 and "已发送" in response.get_data(as_text=True)

    # All the failed ones at once.
    response = post(office, "/work/outbox/retry-failed", follow_redirects=True)
    assert "2 封发送失败的邮件将在下一次发送时重试" in response.get_data(as_text=True)
    assert {m.id: m.status for m in rows()} == {failed_id: "sent", other_id: "pending", third_id: "pending"}


# `flask send-mail --loop` as a process of its own ---------------------------------------------


def test_flask_send_mail_loop_runs_as_a_process_and_stops_on_sigterm(app, server, database_url, tmp_path):
    org, _plan = make_setup()
    queue([org.staff_a])
    environment = {**os.environ, "APP_ENV": "testing", "TEST_DATABASE_URL": database_url,
                   "INSTANCE_PATH": str(tmp_path), "MAIL_ENABLED": "1", "MAIL_SERVER": "127.0.0.1",
                   "MAIL_PORT": str(app.config["MAIL_PORT"])}
    child = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "send-mail", "--loop", "--interval", "1"],
        cwd=PROJECT_DIR, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: len(server.sent()) == 1 or child.poll() is not None, seconds=30)
        queue([org.staff_b])
        wait_for(lambda: len(server.sent()) == 2 or child.poll() is not None, seconds=30)
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
        output, errors = child.communicate(timeout=30)
    assert child.returncode == 0, errors
    assert [rcpt for rcpt, _s, _b in server.sent()] == [address(org.staff_a), address(org.staff_b)]
    lines = output.strip().splitlines()
    assert lines[0] == "邮件发送进程已启动，每 1 秒检查一次。" and lines[-1] == "邮件发送进程已停止。"
    assert lines.count("已发送 1 封，待重试 0 封，放弃 0 封。") == 2
    assert {m.status for m in rows()} == {"sent"}
