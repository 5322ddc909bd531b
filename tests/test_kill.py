"""A worker killed with SIGKILL in the middle of a transition leaves the old state or the new
one, never half of it.

A child process (tests/kill_worker.py) fires the transition on the test database (SQLite or
PostgreSQL) and stops at a chosen point: just after the state change was flushed, with all
the effects flushed but not committed, or just after the commit. The test kills it there and
reads the database through a connection of its own: before the commit every table is exactly
as it was; after it, the evaluation's state, version, audit record, snapshot (with the frozen
PDF for an approval), tasks and notifications are all there, and nothing else changed. No
lock is left behind: the row can be locked at once (NOWAIT) and the next transition goes
through."""
import hashlib
import select as io_select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from tests import factories
from tests.pdf_checks import prepared_fonts  # noqa: F401  (session fixture: the fonts)
from workflow.engine import actions
from workflow.extensions import db
from workflow.models import Evaluation
from workflow.submissions import services as submissions

# Real commits: a worker process is killed mid-transition.
pytestmark = pytest.mark.commits


PROJECT_DIR = Path(__file__).resolve().parent.parent
# Bounds on waiting for the child (it starts the app; an approval renders a PDF) and for
# PostgreSQL to end the killed worker's backend. Not timings: only to never hang the suite.
CHILD_TIMEOUT = 120
BACKEND_GONE_TIMEOUT = 30

# trigger: (state walked to before, actor, state after)
CASES = {
    "submit": ("self_evaluating", "staff_a", "submitted"),
    "approve": ("reviewed", "leader", "approved"),
    # 报送: the submission batch and the evaluation's state go together.
    "report": ("approved", "office", "reported"),
}
UNCOMMITTED = ("mid_transition", "before_commit")
# Tables a transition writes; every other table must stay as it was even after the commit.
WRITTEN = {"evaluations", "audit_records", "snapshots", "tasks", "notifications", "submissions",
           "submission_items"}


def read_all(database_url):
    """Every row of every table, read through a new engine (a fresh connection)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return {table.name: sorted((dict(row) for row in connection.execute(
                text(f'SELECT * FROM "{table.name}"')).mappings()), key=repr)
                for table in db.metadata.sorted_tables}
    finally:
        engine.dispose()


def start_worker(app, database_url, evaluation_id, trigger, actor_id, point):
    """A worker that has started the application and waits for ``release``."""
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.kill_worker", database_url, app.instance_path,
         str(evaluation_id), trigger, str(actor_id), point],
        cwd=PROJECT_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    child.point = point
    return child


def _read_line(child):
    ready, _w, _x = io_select.select([child.stdout], [], [], CHILD_TIMEOUT)
    return child.stdout.readline() if ready else ""


def release_and_kill(child):
    """Let the worker fire its transition, wait until it says it stopped at its point, and
    SIGKILL it there. Returns the PostgreSQL backend pid it used (0 on SQLite, or after the
    commit)."""
    db.session.commit()  # the test holds no transaction while the worker runs
    try:
        assert _read_line(child).startswith("READY"), child.poll()
        child.stdin.write("go\n")
        child.stdin.flush()
        line = _read_line(child)
        assert line.startswith(f"STOPPED {child.point}"), (line, child.poll())
    finally:
        stop_worker(child)
    assert child.returncode == -signal.SIGKILL
    return int(line.split()[2])


def stop_worker(child):
    if child.poll() is None:
        child.send_signal(signal.SIGKILL)
    child.wait()
    for stream in (child.stdin, child.stdout, child.stderr):
        stream.close()


def assert_no_lock_left(database_url, evaluation_id, backend):
    """The killed worker's locks are gone: its PostgreSQL backend has ended and the row can be
    locked without waiting; on SQLite the write lock can be taken without waiting."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(url.database, timeout=0)
        try:
            connection.execute("BEGIN IMMEDIATE")  # fails at once if a writer holds the lock
            connection.rollback()
        finally:
            connection.close()
        return
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            deadline = time.monotonic() + BACKEND_GONE_TIMEOUT
            while connection.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                                     {"pid": backend}).scalar():
                assert time.monotonic() < deadline, "the killed worker's backend is still there"
                time.sleep(0.05)
            connection.rollback()
            assert not connection.execute(text("SELECT count(*) FROM pg_locks WHERE pid = :pid"),
                                          {"pid": backend}).scalar()
            locked = connection.execute(
                text("SELECT id FROM evaluations WHERE id = :id FOR UPDATE NOWAIT"), {"id": evaluation_id}
            ).scalar()
            assert locked == evaluation_id
            connection.rollback()
    finally:
        engine.dispose()


def assert_new_state(before, after, evaluation_id, trigger, from_state, to_state):
    changed = {name for name in after if after[name] != before[name]}
    assert changed <= WRITTEN, changed
    old = next(r for r in before["evaluations"] if r["id"] == evaluation_id)
    new = next(r for r in after["evaluations"] if r["id"] == evaluation_id)
    assert (new["state"], new["version"]) == (to_state, old["version"] + 1)

    def added(table):
        known = {r["id"] for r in before[table]}
        return [r for r in after[table] if r["id"] not in known]

    audit = added("audit_records")
    assert [(r["action"], r["from_state"], r["to_state"]) for r in audit] == [(trigger, from_state, to_state)]
    snapshots = added("snapshots")
    kind = {"submit": ["submission"], "approve": ["approval"], "report": []}[trigger]
    assert [r["kind"] for r in snapshots] == kind
    items = [r["evaluation_id"] for r in added("submission_items")]
    assert items == ([evaluation_id] if trigger == "report" else [])
    assert len(added("submissions")) == len(items)
    if trigger == "approve":
        pdf = bytes(snapshots[0]["pdf"])
        assert pdf.startswith(b"%PDF-") and hashlib.sha256(pdf).hexdigest() == snapshots[0]["pdf_sha256"]
    open_tasks = [r for r in after["tasks"] if r["evaluation_id"] == evaluation_id and r["completed_at"] is None]
    assert len(open_tasks) == 1 and open_tasks[0]["id"] in {r["id"] for r in added("tasks")}
    # Those who act next are told; after 报送 that is the office, who fired it itself.
    assert bool(added("notifications")) == (trigger != "report")


@pytest.mark.parametrize("trigger", CASES)
def test_a_worker_killed_during_a_transition_leaves_the_old_state_or_the_new_one(
        app, database_url, prepared_fonts, trigger):  # noqa: F811
    start, actor_part, end = CASES[trigger]
    org, plan = factories.make_setup()
    evaluation = factories.make_evaluation(plan, org, start)
    if trigger == "submit":
        factories.fill_complete(evaluation)
    evaluation_id, actor_id = evaluation.id, getattr(org, actor_part).id
    before = read_all(database_url)
    # Three workers start the application side by side, then fire one after the other.
    workers = [start_worker(app, database_url, evaluation_id, trigger, actor_id, point)
               for point in (*UNCOMMITTED, "after_commit")]
    try:
        for worker in workers[:-1]:
            backend = release_and_kill(worker)
            assert read_all(database_url) == before, f"killed at {worker.point}: part of the transition stayed"
            assert_no_lock_left(database_url, evaluation_id, backend)

        release_and_kill(workers[-1])
    finally:
        for worker in workers:
            stop_worker(worker)
    after = read_all(database_url)
    assert_new_state(before, after, evaluation_id, trigger, start, end)
    assert_no_lock_left(database_url, evaluation_id, 0)

    # The next transition goes through (a lock left behind would refuse it, not hang it).
    db.session.expire_all()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL lock_timeout = '10s'"))
    follow = {"submit": ("pass_review", org.reviewer), "approve": ("return_for_revision", org.leader),
              "report": ("apply", org.office)}[trigger]
    if trigger == "report":
        submissions.record_feedback(db.session.get(Evaluation, evaluation_id), "同意评价结论。", org.office)
    outcome = actions.perform(evaluation_id, follow[0], follow[1], comment="请补充说明。")
    assert outcome.from_state == end
