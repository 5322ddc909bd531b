"""Burst of QR sign-ins against gunicorn with several workers, on PostgreSQL and on SQLite.

For each database: prepare it (the migrations, one meeting starting in ten minutes with N
invitees, published), start gunicorn (4 workers, a free port on 127.0.0.1), log every invitee
in with a cookie jar of their own, then let them all sign in within about ten seconds from
concurrent threads, as phones do: read the address of the QR code the projector shows (an
office client polls the token endpoint and the attendance board meanwhile), open it, and tap
签到 (a POST with the CSRF token). Afterwards the database is counted: every invitee exactly
once. Prints errors, lost and duplicate records and the p95 latency per database; the last line
is ``signin_burst_errors: <errors + lost + duplicates over both databases>``.

    .venv/bin/python bench/signin_burst.py [--invitees 200] [--workers 4] [--spread 8]
        [--postgres postgresql://postgres@127.0.0.1:5432] [--only sqlite|postgresql]

Only loopback addresses are used; every loop and wait is bounded. The PostgreSQL database is a
throwaway one created for the run and dropped afterwards; the SQLite file lives in a temporary
folder.
"""
import argparse
import http.cookiejar
import json
import os
import random
import re
import shutil
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from bench.server import gunicorn, p95, postgres_database  # noqa: E402

PASSWORD = "Burst-pass-2020"
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
SECRET = "signin-burst-secret-key"
REQUEST_TIMEOUT = 30




# The database --------------------------------------------------------------------------------




@contextmanager
def sqlite_database(folder):
    yield f"sqlite:///{folder / 'burst.sqlite3'}"


def prepare(database_url, instance, invitees):
    """The schema by the migrations, an office user, ``invitees`` users and one published
    meeting starting in ten minutes. Returns the meeting's id."""
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from workflow import clock, create_app
    from workflow.extensions import db
    from workflow.meetings import services
    from workflow.models import Section, User
    from workflow.plans import services as plans
    from workflow.roles import Role

    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": str(instance),
                                     "SECRET_KEY": SECRET, "MAIL_ENABLED": False})
    with app.app_context():
        upgrade()
        # One quick hash for everybody: the bench measures sign-in, not password hashing.
        password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        office_section = Section(name="规划财务科", is_office=True)
        sections = [Section(name=f"业务{n}科") for n in range(1, 11)]
        db.session.add_all([office_section, *sections])
        db.session.flush()
        office = User(username="office", full_name="闫洪涛", section_id=office_section.id, password_hash=password_hash)
        office.set_roles([Role.OFFICE])
        db.session.add(office)
        people = []
        for n in range(1, invitees + 1):
            user = User(username=f"p{n:04d}", full_name=f"参会人{n:04d}", section_id=sections[n % len(sections)].id,
                        password_hash=password_hash)
            user.set_roles([Role.SECTION_STAFF])
            people.append(user)
        db.session.add_all(people)
        db.session.commit()
        plan = plans.create_plan(plans.PlanData(title="压力测试方案", budget_year=2019, run_year=2020,
                                                office_section_id=office_section.id))
        now = clock.now()
        meeting = services.create_meeting(plan, services.MeetingData(
            title="签到压力测试培训会", starts_at=now + timedelta(minutes=10), ends_at=now + timedelta(hours=2),
            place="2603会议室"), office)
        services.add_invitees(meeting, office, [u.id for u in people])
        services.publish(meeting, office)
        meeting_id = meeting.id
        db.session.remove()
        db.engine.dispose()
    return meeting_id


def count_signins(database_url, meeting_id):
    """(rows, distinct users) of the meeting's sign-ins."""
    from sqlalchemy import create_engine, text

    from config import normalise_database_url

    engine = create_engine(normalise_database_url(database_url))
    try:
        with engine.connect() as connection:
            rows, people = connection.execute(text(
                "SELECT count(*), count(DISTINCT user_id) FROM meeting_signins WHERE meeting_id = :m"),
                {"m": meeting_id}).one()
    finally:
        engine.dispose()
    return rows, people


# The server ----------------------------------------------------------------------------------




# The clients ---------------------------------------------------------------------------------


class Client:
    """One phone: its own cookie jar."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, path_or_url, data=None):
        url = path_or_url if path_or_url.startswith("http") else self.base + path_or_url
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        with self.opener.open(urllib.request.Request(url, data=body), timeout=REQUEST_TIMEOUT) as response:
            return response.geturl(), response.read().decode("utf-8", "replace")

    def log_in(self, username):
        _url, page = self.request("/auth/login")
        token = CSRF.search(page).group(1)
        final, page = self.request("/auth/login", {"username": username, "password": PASSWORD, "csrf_token": token})
        if "/auth/login" in final:
            raise RuntimeError(f"login of {username} failed")


def run_burst(base, meeting_id, invitees, spread, seed=2020):
    """Log everyone in, then let them sign in spread over ``spread`` seconds. Returns a dict
    of results and latencies."""
    office = Client(base)
    office.log_in("office")
    clients = [Client(base) for _ in range(invitees)]
    failures = []
    lock = threading.Lock()

    def log_in_many(indexes):
        for index in indexes:
            try:
                clients[index].log_in(f"p{index + 1:04d}")
            except Exception as error:  # noqa: BLE001 - counted, reported
                with lock:
                    failures.append((index, f"login: {error}"))

    chunks = [list(range(start, invitees, 16)) for start in range(16)]
    threads = [threading.Thread(target=log_in_many, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    logged_out = {index for index, _message in failures}

    # The projector: the QR code's address and the board, polled as board.js does.
    current = {"url": None}
    stop = threading.Event()
    projector_errors = []

    def projector():
        rounds = 0
        while not stop.is_set() and rounds < 200:
            rounds += 1
            try:
                _url, body = office.request(f"/meetings/{meeting_id}/signin/token.json")
                current["url"] = json.loads(body)["url"]
                office.request(f"/meetings/{meeting_id}/attendance.json")
            except Exception as error:  # noqa: BLE001
                projector_errors.append(str(error))
            stop.wait(3)

    poller = threading.Thread(target=projector, daemon=True)
    poller.start()
    deadline = time.monotonic() + 30
    while current["url"] is None and time.monotonic() < deadline:
        time.sleep(0.05)
    if current["url"] is None:
        raise RuntimeError("the projector's token endpoint gave no address")

    results = {}
    scan_times, tap_times = [], []
    random.seed(seed)
    start_at = time.monotonic() + 0.5
    offsets = [random.uniform(0, spread) for _ in range(invitees)]

    def phone(index):
        if index in logged_out:
            return
        time.sleep(max(0.0, start_at + offsets[index] - time.monotonic()))
        client = clients[index]
        try:
            began = time.monotonic()
            final, page = client.request(current["url"])
            scanned = time.monotonic()
            token = CSRF.search(page).group(1)
            if 'data-testid="signin-button"' not in page:
                raise RuntimeError("no sign-in button: " + re.sub(r"\s+", " ", page)[:200])
            _final, page = client.request(final, {"action": "self", "csrf_token": token})
            done = time.monotonic()
            if "签到成功" not in page:
                raise RuntimeError("no success message")
            with lock:
                scan_times.append(scanned - began)
                tap_times.append(done - scanned)
                results[index] = "ok"
        except urllib.error.HTTPError as error:
            with lock:
                failures.append((index, f"HTTP {error.code}"))
        except Exception as error:  # noqa: BLE001
            with lock:
                failures.append((index, str(error)[:200]))

    burst_started = time.monotonic()
    threads = [threading.Thread(target=phone, args=(index,)) for index in range(invitees)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=spread + 120)
    burst_seconds = time.monotonic() - burst_started
    stop.set()
    poller.join(timeout=10)
    return {
        "ok": len(results),
        "failures": failures + [(-1, f"projector: {e}") for e in projector_errors],
        "scan": scan_times,
        "tap": tap_times,
        "seconds": burst_seconds,
    }




def bench(kind, database_context, args, folder):
    instance = folder / f"instance-{kind}"
    instance.mkdir()
    with database_context as url:
        meeting_id = prepare(url, instance, args.invitees)
        with gunicorn(url, instance, args.workers, folder / f"gunicorn-{kind}.log", SECRET,
                      app_env="development") as base:
            outcome = run_burst(base, meeting_id, args.invitees, args.spread)
        rows, people = count_signins(url, meeting_id)
    errors = len(outcome["failures"])
    lost = args.invitees - people
    duplicates = rows - people
    print(f"== {kind}: {args.invitees} invitees, {args.workers} gunicorn workers ==")
    print(f"signed in (clients told so): {outcome['ok']}; rows {rows}; distinct people {people}; "
          f"burst {outcome['seconds']:.1f} s")
    print(f"errors: {errors}  lost: {lost}  duplicates: {duplicates}")
    print(f"p95 scan (open the QR address): {p95(outcome['scan']) * 1000:.0f} ms; "
          f"p95 tap (POST 签到 + page): {p95(outcome['tap']) * 1000:.0f} ms; "
          f"max tap {max(outcome['tap'] or [0]) * 1000:.0f} ms")
    for index, message in outcome["failures"][:10]:
        print(f"  failure {index}: {message}")
    sys.stdout.flush()
    return errors + lost + duplicates


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invitees", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--spread", type=float, default=8.0, help="seconds over which the phones start")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432"))
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    if args.invitees < 1 or args.invitees > 2000 or args.workers < 1 or args.workers > 16:
        parser.error("--invitees must be 1..2000 and --workers 1..16")
    host = urllib.parse.urlsplit(args.postgres).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the bench talks to loopback addresses only")

    folder = Path(tempfile.mkdtemp(prefix="signin_burst_"))
    total = 0
    try:
        if args.only in (None, "postgresql"):
            total += bench("postgresql", postgres_database(args.postgres, "signin_burst"), args, folder)
        if args.only in (None, "sqlite"):
            total += bench("sqlite", sqlite_database(folder), args, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"signin_burst_errors: {total}")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
