"""Deadline day: every section saves its 自评表 several times and submits, on two app instances
behind nginx, while the reviewers read the review queue and the office the board.

On a throwaway PostgreSQL database of its own (``flask db upgrade``), the script builds one plan
with N business sections (default 200), each with its staff and one project whose evaluation
waits in 自评中 with the plan's indicators (a form of about 80 fields), plus reviewers, the
office and the 组长. It starts two app instances as the README's deployment does (gunicorn, 2
workers each, on two loopback ports, production profile, its access log), Debian's nginx in
front of them with the README's upstream and proxy directives (its own configuration, pid and
temporary files in a temporary folder), a real SMTP server on loopback (aiosmtpd) and the
outbox's sender on both "hosts" (``flask send-mail --loop``).

First one idle user saves its form some times through nginx (the baseline). Then, for
``--minutes`` (default 2), every section's staff logs in through nginx (the CSRF token from
the page), opens the form, fills every field it may write and saves it ``--saves`` times
(default 4) with pauses between, then submits on the evaluation page (every tenth section
clicks 提交 twice: one must be done, the other refused with 409); meanwhile the reviewers
page through the review queue and the office and the 组长 read the progress board, and the
reminders (``flask remind``) run on both hosts at once, queueing a due-soon mail for each
section. At the end the database is read back: each form against the last save its client was
told succeeded (lost saves), each evaluation's submit records (duplicate transitions) and open
tasks, and each outbox row against the messages the SMTP server received (each exactly once).

Prints the figures; the last two lines are ``deadline_errors: <n>`` (any 5xx, unexpected
status or page, connection error, lost save, duplicate or missing transition, mail not sent
exactly once) and ``deadline_p95_save_ratio: <p95 of a save under load ÷ the idle user's median
save>``. Target: 0 errors, 0 lost, ratio ≤ 5.

    .venv/bin/python bench/deadline.py [--minutes 2] [--sections 200] [--saves 4] [--quick]
        [--postgres postgresql://postgres@127.0.0.1:5432]

A save is the POST of the form and the page it redirects to (what the person waits for); a
submit is the POST of 提交 and the evaluation page it redirects to. Only loopback addresses are
used; every loop and wait is bounded. The database is dropped at the end and every process
the script started is stopped (also on failure).
"""
import argparse
import html
import os
import random
import resource
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from contextlib import ExitStack, contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path

import requests

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from bench.server import CSRF, free_port, p95, people_maker, postgres_database, stages_around, stop  # noqa: E402

PASSWORD = "Deadline-pass-2020"
SECRET = "deadline-bench-secret-key"
REQUEST_TIMEOUT = 60
IDLE_SAVES = 20
# Saves before the idle user's are counted: every worker of both hosts has then served the form
# and its save at least once (templates compiled, statements prepared).
IDLE_WARMUP = 8
REVIEWERS = 4

# The proxy directives of the README's deployment ("Deploying on PostgreSQL with several
# workers"), without its TLS: the bench speaks plain HTTP on loopback.
NGINX_SITE = """
upstream jxpj {{
{servers}
    keepalive 32;
}}
server {{
    listen 127.0.0.1:{port};
    client_max_body_size 25m;
    location / {{
        proxy_pass http://jxpj;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_read_timeout 120s;
    }}
}}
"""


# The database --------------------------------------------------------------------------------


def migrate(database_url, instance):
    """``flask db upgrade`` against the bench's database, as a release does."""
    env = dict(os.environ, APP_ENV="development", DATABASE_URL=database_url, INSTANCE_PATH=str(instance),
               SECRET_KEY=SECRET)
    env.pop("TEST_DATABASE_URL", None)
    subprocess.run([str(Path(sys.executable).with_name("flask")), "--app", "wsgi", "db", "upgrade"], cwd=PROJECT,
                   env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)


def build(database_url, instance, sections):
    """The plan, ``sections`` business sections with one staff and one project each (walked to
    自评中), the idle user's own section and project, reviewers, the office and the 组长.
    Returns {username: evaluation id} of the staff and the idle user's name and evaluation."""

    from tests import factories
    from workflow import clock, create_app
    from workflow.extensions import db
    from workflow.models import Section
    from workflow.plans import services as plans
    from workflow.roles import Role

    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": str(instance),
                                     "SECRET_KEY": SECRET, "MAIL_ENABLED": False})
    with app.app_context():
        today = clock.now().date()
        person = people_maker(PASSWORD)

        office_section = Section(name="规划财务科", is_office=True, sort_order=0)
        business = [Section(name=f"业务{n:03d}科", sort_order=n) for n in range(sections + 1)]
        db.session.add_all([office_section, *business])
        db.session.flush()
        office = person("office", "闫洪涛", [Role.OFFICE], office_section)
        leader = person("leader", "姜立新", [Role.LEADER], None)
        reviewers = [person(f"reviewer{n}", f"复核人{n}", [Role.REVIEWER], office_section)
                     for n in range(1, REVIEWERS + 1)]
        staff = [person(f"staff{n:03d}", f"经办人{n:03d}", [Role.SECTION_STAFF], section)
                 for n, section in enumerate(business)]
        db.session.commit()
        plan = plans.create_plan(plans.PlanData(title="预算绩效评价工作方案（截止日）", budget_year=today.year - 1,
                                                run_year=today.year, office_section_id=office_section.id))
        plans.set_group(plan, leader.id, [reviewers[0].id], [r.id for r in reviewers[1:]])
        # 自评 ends in two days: its tasks are due soon, so the reminders mail every section.
        plans.update_stages(plan, stages_around(today))
        walk = factories._paths()["self_evaluating"]
        evaluations = {}
        for user, section in zip(staff, business):
            project = plans.add_project(plan, f"{today.year - 1}年度{section.name}专项资金项目", section.id, office)
            actors = {"office": office, "staff": user, "reviewer": reviewers[0], "leader": leader}
            for trigger, part, comment in walk:
                factories.prepare_step(project.evaluation, trigger, actors)
                from workflow.engine import actions
                actions.perform(project.evaluation.id, trigger, actors[part], comment=comment)
            evaluations[user.username] = project.evaluation.id
        idle = staff[0].username
        idle_evaluation = evaluations.pop(idle)
        db.session.remove()
        db.engine.dispose()
    return evaluations, idle, idle_evaluation


def read_back(database_url, evaluation_ids):
    """What the database holds, per evaluation, in the form's field names; with the submit
    records and open tasks of each evaluation."""
    from sqlalchemy import bindparam, create_engine
    from sqlalchemy import text as sql

    from config import normalise_database_url

    def text(statement):
        return sql(statement).bindparams(bindparam("ids", expanding=True)) if ":ids" in statement else sql(statement)

    engine = create_engine(normalise_database_url(database_url))
    forms = {e: {} for e in evaluation_ids}
    try:
        with engine.connect() as connection:
            ids = {"ids": list(evaluation_ids)}
            for e, leader, target, achievement in connection.execute(text(
                    "SELECT e.id, p.leader_name, p.overall_target, e.overall_achievement FROM evaluations e "
                    "JOIN projects p ON p.id = e.project_id WHERE e.id IN :ids"), ids):
                forms[e].update(leader_name=leader, overall_target=target, overall_achievement=achievement)
            for e, kind, *columns in connection.execute(text(
                    "SELECT evaluation_id, kind, initial_budget, annual_budget, executed FROM funding_rows "
                    "WHERE evaluation_id IN :ids"), ids):
                for column, value in zip(("initial_budget", "annual_budget", "executed"), columns):
                    forms[e][f"funding-{kind}-{column}"] = value
            for e, i, name, nature, unit, target, actual, reason, explanation in connection.execute(text(
                    "SELECT evaluation_id, id, name, nature, unit, target, actual, deviation_reason, explanation "
                    "FROM indicators WHERE evaluation_id IN :ids"), ids):
                forms[e].update({f"ind-{i}-name": name, f"ind-{i}-nature": nature, f"ind-{i}-unit": unit,
                                 f"ind-{i}-target": target, f"ind-{i}-actual": actual,
                                 f"ind-{i}-deviation_reason": reason, f"ind-{i}-explanation": explanation})
            for e, key, body in connection.execute(text(
                    "SELECT evaluation_id, key, text FROM narrative_sections WHERE evaluation_id IN :ids"), ids):
                forms[e][f"text-{key}"] = body
            submits = dict(connection.execute(text(
                "SELECT evaluation_id, count(*) FROM audit_records WHERE action = 'submit' "
                "AND evaluation_id IN :ids GROUP BY evaluation_id"), ids).all())
            open_tasks = dict(connection.execute(text(
                "SELECT evaluation_id, count(*) FROM tasks WHERE completed_at IS NULL AND rectification_id IS NULL "
                "AND evaluation_id IN :ids GROUP BY evaluation_id"), ids).all())
            states = dict(connection.execute(text("SELECT id, state FROM evaluations WHERE id IN :ids"), ids).all())
            outbox = connection.execute(text("SELECT message_id, to_address, status FROM outbox")).all()
    finally:
        engine.dispose()
    return forms, submits, open_tasks, states, outbox


def same(stored, posted):
    """Whether a stored value is what was posted: amounts compared as numbers (PostgreSQL
    gives Decimal, SQLite a float), texts as the service stores them (stripped)."""
    posted = posted.strip()
    if stored is None:
        return posted == ""
    if isinstance(stored, (Decimal, int, float)):
        try:
            return Decimal(str(stored)) == Decimal(posted)
        except InvalidOperation:
            return False
    return stored == posted


# The processes -------------------------------------------------------------------------------


def _wait_for(url, process, log_path, what):
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{what} stopped:\n" + Path(log_path).read_text(errors="replace")[-3000:])
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer within 60 s")
        time.sleep(0.2)


@contextmanager
def process(command, log_path, env=None, cwd=PROJECT):
    """A process of the bench's own (its own process group) until the block ends."""
    with open(log_path, "wb") as log:
        child = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                 start_new_session=True)
    try:
        yield child
    finally:
        stop(child)


def app_env(database_url, instance, smtp_port):
    """The environment of one host, as the README's deployment sets it (production, behind one
    proxy, mail on), with plain-HTTP cookies for loopback."""
    env = dict(os.environ, APP_ENV="production", DATABASE_URL=database_url, SECRET_KEY=SECRET,
               INSTANCE_PATH=str(instance), PROXY_FIX_X_FOR="1", SESSION_COOKIE_SECURE="0",
               MAIL_ENABLED="1", MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_port))
    env.pop("TEST_DATABASE_URL", None)
    return env


def gunicorn_command(port, workers, access_log):
    """The README's gunicorn command, on a loopback port."""
    return [str(Path(sys.executable).with_name("gunicorn")), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
            "--access-logfile", str(access_log), "--logger-class", "workflow.access_log.Logger",
            "--timeout", "60", "--log-level", "warning", "wsgi:app"]


def nginx_config(folder, port, upstreams):
    """nginx's whole configuration, every path in ``folder``."""
    temp = folder / "temp"
    temp.mkdir()
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (temp / name).mkdir()
        # nginx started as root runs its workers as nobody, who writes the buffered bodies here.
        (temp / name).chmod(0o777)
    folder.chmod(0o755)
    temp.chmod(0o755)
    servers = "\n".join(f"    server 127.0.0.1:{p};" for p in upstreams)
    config = f"""
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {temp}/client_body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
{NGINX_SITE.format(servers=servers, port=port)}
}}
"""
    path = folder / "nginx.conf"
    path.write_text(config)
    return path


@contextmanager
def deployment(database_url, folder, smtp_port, workers, senders=True):
    """Two hosts (gunicorn and the mail sender each) behind nginx; yields nginx's base URL."""
    with ExitStack() as stack:
        ports = []
        for host in ("a", "b"):
            instance = folder / f"instance-{host}"
            instance.mkdir()
            env = app_env(database_url, instance, smtp_port)
            port = free_port()
            log = folder / f"gunicorn-{host}.log"
            child = stack.enter_context(process(gunicorn_command(port, workers, folder / f"access-{host}.log"),
                                                log, env))
            _wait_for(f"http://127.0.0.1:{port}/healthz", child, log, f"gunicorn {host}")
            ports.append(port)
            if senders:
                stack.enter_context(process(
                    [str(Path(sys.executable).with_name("flask")), "--app", "wsgi", "send-mail", "--loop",
                     "--interval", "2"], folder / f"send-mail-{host}.log", env))
        nginx_folder = folder / "nginx"
        nginx_folder.mkdir()
        port = free_port()
        config = nginx_config(nginx_folder, port, ports)
        log = nginx_folder / "stderr.log"
        child = stack.enter_context(process(
            ["nginx", "-c", str(config), "-p", str(nginx_folder), "-e", str(nginx_folder / "error.log"),
             "-g", "daemon off;"], log))
        _wait_for(f"http://127.0.0.1:{port}/healthz", child, nginx_folder / "error.log", "nginx")
        yield f"http://127.0.0.1:{port}", [folder / f"instance-{h}" for h in ("a", "b")]


def remind(database_url, instance, smtp_port, log_path):
    """``flask remind`` as cron runs it on one host."""
    return subprocess.Popen([str(Path(sys.executable).with_name("flask")), "--app", "wsgi", "remind"], cwd=PROJECT,
                            env=app_env(database_url, instance, smtp_port), stdout=open(log_path, "wb"),
                            stderr=subprocess.STDOUT, start_new_session=True)


# The clients ---------------------------------------------------------------------------------

FIELD = re.compile(r'<(input|textarea|select)\b([^>]*)>', re.S)
ATTRIBUTE = re.compile(r'([\w-]+)(?:="([^"]*)")?')


def form_fields(page):
    """{name: (tag, attributes)} of the 自评表's fields a person may write (not hidden, not
    read-only or disabled), and the version the page was loaded at."""
    start = page.find("<form method=\"post\" novalidate data-selfeval")
    if start < 0:
        raise Failure("no 自评表 on the page")
    body = page[start:page.find("</form>", start)]
    fields, version = {}, None
    for tag, attributes in FIELD.findall(body):
        attrs = {k: html.unescape(v or "") for k, v in ATTRIBUTE.findall(attributes)}
        name = attrs.get("name")
        if not name:
            continue
        if name == "version":
            version = attrs.get("value")
        if name in ("version", "csrf_token", "entry") or attrs.get("type") in ("hidden", "submit", "checkbox", "file"):
            continue
        if "readonly" in attrs or "disabled" in attrs:
            continue
        fields[name] = (tag, attrs)
    return fields, version


def fill(fields, round_number, username, rng):
    """Values for every field, complete enough to submit, different at every save."""
    values = {}
    mark = f"{username}第{round_number}次保存{rng.randrange(10**6):06d}"
    executed = Decimal("172.743") + Decimal(round_number) / 1000
    for name, (_tag, attrs) in fields.items():
        if name == "leader_name":
            values[name] = f"负责人{username[-3:]}"
        elif name == "overall_target":
            values[name] = f"完成年度任务（{mark}）。"
        elif name == "overall_achievement":
            values[name] = f"已完成年度目标（{mark}）。"
        elif name.startswith("funding-"):
            _prefix, kind, column = name.split("-")
            if kind in ("total", "current_year"):
                values[name] = str(executed) if column == "executed" else "206.632"
            else:
                values[name] = "0"
        elif name.startswith("ind-"):
            field = name.split("-", 2)[2]
            values[name] = {
                "nature": ">=", "target": "100", "actual": str(90 + round_number), "unit": "项",
                "deviation_reason": f"偏差原因（{mark}）", "explanation": f"指标解释（{mark}）",
                "name": attrs.get("value", "") or f"指标{name}", "basis": "",
            }.get(field, attrs.get("value", ""))
        elif name.startswith("text-"):
            values[name] = f"{name[5:]}：本项目全年预算 206.632 万元（{mark}）。"
    return values


class Failure(Exception):
    pass


def refusal(response):
    """The page's error message, or where it ended."""
    message = re.search(r'alert-danger[^>]*>(.*?)</div>', response.text, re.S)
    if message is None:
        return response.url
    return re.sub(r"<[^>]+>|\s+", " ", message.group(1)).strip()[:200]


class Person:
    """One browser through nginx: a requests session (cookies, keep-alive)."""

    def __init__(self, base, username, errors):
        self.base = base
        self.username = username
        self.http = requests.Session()
        self.errors = errors

    def get(self, path):
        response = self.http.get(self.base + path, timeout=REQUEST_TIMEOUT)
        self.expect(response, path)
        return response.text

    def post(self, path, data):
        response = self.http.post(self.base + path, data=data, timeout=REQUEST_TIMEOUT)
        self.expect(response, path)
        return response

    def expect(self, response, path):
        if response.status_code != 200:
            raise Failure(f"{self.username} {path}: HTTP {response.status_code}")
        if "/auth/login" in response.url and not path.startswith("/auth/login"):
            raise Failure(f"{self.username} {path}: sent back to the login page")

    def log_in(self):
        page = self.get("/auth/login")
        response = self.post("/auth/login", {"username": self.username, "password": PASSWORD,
                                             "csrf_token": CSRF.search(page).group(1)})
        if "/auth/login" in response.url:
            raise Failure(f"{self.username}: login refused")


class Staff(Person):
    def __init__(self, base, username, evaluation_id, errors):
        super().__init__(base, username, errors)
        self.evaluation_id = evaluation_id
        self.page = None
        self.saved = None  # the values of the last save the server confirmed
        self.saves, self.submits = [], []
        self.save_times = []  # when each save began, seconds into the rush
        self.fields_posted = 0
        self.submitted = False
        self.double_clicked = False

    def open_form(self):
        self.page = self.get(f"/evaluations/{self.evaluation_id}/form")

    def save(self, round_number, rng):
        fields, version = form_fields(self.page)
        values = fill(fields, round_number, self.username, rng)
        self.fields_posted = len(values)
        data = dict(values, version=version, csrf_token=CSRF.search(self.page).group(1))
        began = time.perf_counter()
        response = self.post(f"/evaluations/{self.evaluation_id}/form", data)
        elapsed = time.perf_counter() - began
        if not response.url.endswith(f"/evaluations/{self.evaluation_id}/form") or "已保存" not in response.text:
            raise Failure(f"{self.username} save {round_number}: not saved ({refusal(response)})")
        self.page = response.text
        self.saved = values
        return elapsed

    def submit(self, double_click=False):
        """提交 on the evaluation page. ``double_click``: the button is clicked twice, the
        second POST on a connection of its own while the first is under way (nginx may pass
        the two to different hosts): one must be done, the other refused as already done
        (409), never both."""
        page = self.get(f"/evaluations/{self.evaluation_id}")
        version = re.search(r'name="version" value="(\d+)"', page)
        if 'value="submit"' not in page or version is None:
            raise Failure(f"{self.username}: no 提交 button on the evaluation page")
        data = {"trigger": "submit", "version": version.group(1), "comment": "", "csrf_token": CSRF.search(page).group(1)}
        path = f"/evaluations/{self.evaluation_id}/transition"
        second = {}
        if double_click:
            other = requests.Session()
            other.cookies.update(self.http.cookies)

            def click_again():
                try:
                    second["response"] = other.post(self.base + path, data=data, timeout=REQUEST_TIMEOUT)
                except requests.RequestException as error:
                    second["error"] = error

            clicker = threading.Thread(target=click_again)
        began = time.perf_counter()
        if double_click:
            clicker.start()
        response = self.http.post(self.base + path, data=data, timeout=REQUEST_TIMEOUT)
        elapsed = time.perf_counter() - began
        responses = [response]
        if double_click:
            clicker.join(timeout=REQUEST_TIMEOUT + 5)
            if "response" not in second:
                raise Failure(f"{self.username}: the second 提交 failed ({second.get('error')})")
            responses.append(second["response"])
        done = [r for r in responses if r.status_code == 200 and "已执行" in r.text]
        others = [r for r in responses if r not in done]
        if len(done) != 1 or any(r.status_code != 409 for r in others):
            raise Failure(f"{self.username}: 提交 answered " + ", ".join(
                f"{r.status_code} ({'done' if r in done else refusal(r)})" for r in responses))
        self.submitted = True
        self.double_clicked = double_click
        return elapsed


def idle_baseline(base, username, evaluation_id, errors):
    """The median save of one user alone on the deployment, after warm-up saves."""
    person = Staff(base, username, evaluation_id, errors)
    person.log_in()
    person.open_form()
    rng = random.Random(1)
    times = [person.save(n, rng) for n in range(IDLE_WARMUP + IDLE_SAVES)][IDLE_WARMUP:]
    return statistics.median(times), person


def run_load(base, evaluations, saves, seconds, on_started=None):
    """Every staff saves ``saves`` times and submits within about ``seconds``; reviewers and the
    office read meanwhile. Returns (staff, readers' timings, errors)."""
    errors = []
    lock = threading.Lock()
    stop = threading.Event()
    rng = random.Random(2020)
    staff = [Staff(base, username, evaluation_id, errors) for username, evaluation_id in sorted(evaluations.items())]
    # Each person arrives within the first fifth and works through the rest at their own pace.
    plans = [(rng.uniform(0, seconds * 0.2), [rng.uniform(0.5, 1.5) for _ in range(saves + 1)], rng.randrange(10**9))
             for _ in staff]
    reads = {"review queue": [], "board": []}
    began = time.monotonic()

    def fail(message):
        with lock:
            errors.append(message)

    def work(person, arrival, paces, seed):
        person_rng = random.Random(seed)
        pause = (seconds * 0.75) / (saves + 1)
        try:
            time.sleep(max(0.0, began + arrival - time.monotonic()))
            person.log_in()
            person.open_form()
            for number in range(saves):
                stop.wait(pause * paces[number])
                at = time.monotonic() - began
                person.saves.append(person.save(number + 1, person_rng))
                person.save_times.append(at)
            stop.wait(pause * paces[saves] * 0.5)
            # Every tenth section clicks 提交 twice.
            person.submits.append(person.submit(double_click=int(person.username[-3:]) % 10 == 0))
        except (Failure, requests.RequestException, AttributeError) as error:
            fail(f"{person.username}: {type(error).__name__}: {error}"[:300])

    def read(person, paths, label, interval):
        try:
            person.log_in()
        except (Failure, requests.RequestException) as error:
            fail(f"{person.username}: {error}")
            return
        count = 0
        while not stop.is_set() and count < 2000:
            path = paths[count % len(paths)]
            count += 1
            try:
                started = time.perf_counter()
                person.get(path)
                with lock:
                    reads[label].append(time.perf_counter() - started)
            except (Failure, requests.RequestException) as error:
                fail(f"{person.username} {path}: {type(error).__name__}: {error}"[:300])
            stop.wait(interval)

    threads = [threading.Thread(target=work, args=(p, *plan)) for p, plan in zip(staff, plans)]
    queue_pages = ["/evaluations/review", "/evaluations/review?page=2", "/evaluations/review"]
    readers = [threading.Thread(target=read, args=(Person(base, f"reviewer{n}", errors), queue_pages,
                                                   "review queue", 2.0)) for n in range(1, REVIEWERS + 1)]
    readers += [threading.Thread(target=read, args=(Person(base, name, errors), ["/work/board"], "board", 3.0))
                for name in ("office", "leader")]
    for thread in readers + threads:
        thread.start()
    if on_started is not None:
        on_started()
    for thread in threads:
        thread.join(timeout=max(0.0, began + seconds * 3 + 120 - time.monotonic()))
    elapsed = time.monotonic() - began
    stop.set()
    for thread in readers:
        thread.join(timeout=REQUEST_TIMEOUT + 10)
    return staff, reads, errors, elapsed


# The mail ------------------------------------------------------------------------------------


@contextmanager
def smtp_server():
    from tests.mail_server import Collector, start_server

    collector = Collector()
    controller = start_server(collector)
    try:
        yield controller.port, collector
    finally:
        controller.stop()


def wait_for_outbox(database_url, seconds=90):
    """Until no message waits (the senders have passed over everything), bounded."""
    from sqlalchemy import create_engine, text

    from config import normalise_database_url

    engine = create_engine(normalise_database_url(database_url))
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                waiting = connection.execute(text("SELECT count(*) FROM outbox WHERE status = 'pending'")).scalar()
            if not waiting:
                return 0
            time.sleep(1)
        return waiting
    finally:
        engine.dispose()


# The run -------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=2.0, help="how long the sections take to save and submit")
    parser.add_argument("--sections", type=int, default=200)
    parser.add_argument("--saves", type=int, default=4, help="saves of each section's form before it submits")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers of each of the two instances")
    parser.add_argument("--quick", action="store_true", help="40 sections, 2 saves, 30 seconds: a quick look")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432"))
    args = parser.parse_args()
    if args.quick:
        args.sections, args.saves, args.minutes = 40, 2, 0.5
    if not (2 <= args.sections <= 1000 and 1 <= args.saves <= 20 and 0.2 <= args.minutes <= 30 and 1 <= args.workers <= 8):
        parser.error("a size is out of range (see --help)")
    if urllib.parse.urlsplit(args.postgres).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the bench talks to loopback addresses only")
    if shutil.which("nginx") is None:
        parser.error("nginx is not installed (scripts/system-packages.sh)")

    folder = Path(tempfile.mkdtemp(prefix="deadline_bench_"))
    try:
        with postgres_database(args.postgres, "bench_deadline") as url, smtp_server() as (smtp_port, mailbox):
            build_instance = folder / "instance-build"
            build_instance.mkdir()
            began = time.monotonic()
            migrate(url, build_instance)
            evaluations, idle_user, idle_evaluation = build(url, build_instance, args.sections)
            print(f"built in {time.monotonic() - began:.1f} s: {args.sections} sections, each with its staff and "
                  f"one evaluation in 自评中; {REVIEWERS} reviewers, the office, the 组长")
            sys.stdout.flush()
            load_before = os.getloadavg()
            children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            with deployment(url, folder, smtp_port, args.workers) as (base, instances):
                idle_errors = []
                idle_median, _idle = idle_baseline(base, idle_user, idle_evaluation, idle_errors)
                reminders = []

                def start_reminders():
                    # Cron on both hosts at once, a few seconds into the rush.
                    time.sleep(5)
                    reminders.extend(remind(url, instance, smtp_port, folder / f"remind-{n}.log")
                                     for n, instance in enumerate(instances))

                remind_thread = threading.Thread(target=start_reminders)
                client_before = resource.getrusage(resource.RUSAGE_SELF)
                staff, reads, errors, elapsed = run_load(base, evaluations, args.saves, args.minutes * 60,
                                                         on_started=remind_thread.start)
                client_after = resource.getrusage(resource.RUSAGE_SELF)
                load_after = os.getloadavg()
                remind_thread.join(timeout=30)
                remind_failures = 0
                for child in reminders:
                    if child.wait(timeout=120) != 0:
                        remind_failures += 1
                waiting = wait_for_outbox(url)
                server_errors = sum(len(re.findall(r'" 5\d\d ', (folder / f"access-{h}.log").read_text()))
                                    for h in ("a", "b"))
            # The hosts' processes (gunicorn and its workers, the senders, the reminders, nginx) are
            # counted once they have ended; PostgreSQL, a server of its own, is not.
            children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
            forms, submits, open_tasks, states, outbox = read_back(url, evaluations.values())
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    # Lost saves: a form whose stored values are not those of the last save its client was told
    # had succeeded.
    lost, lost_fields, compared = 0, 0, 0
    for person in staff:
        if person.saved is None:
            continue
        stored = forms[person.evaluation_id]
        compared += sum(1 for name in person.saved if name in stored)
        wrong = [name for name, value in person.saved.items() if name in stored and not same(stored[name], value)]
        missing = [name for name in person.saved if name not in stored and not name.startswith("ind-")]
        if wrong or missing:
            lost += 1
            lost_fields += len(wrong) + len(missing)
    submitted = [p for p in staff if p.submitted]
    duplicate_submits = sum(max(0, submits.get(p.evaluation_id, 0) - 1) for p in staff)
    missing_submits = sum(1 for p in submitted if submits.get(p.evaluation_id, 0) == 0
                          or states[p.evaluation_id] != "submitted")
    unreported_submits = sum(1 for p in staff if not p.submitted and submits.get(p.evaluation_id, 0))
    extra_tasks = sum(1 for count in open_tasks.values() if count > 1)

    received = Counter()
    for recipients, message in mailbox.messages:
        for recipient in recipients:
            received[(str(message["Message-ID"]), recipient)] += 1
    queued = Counter((message_id, address) for message_id, address, _status in outbox)
    mail_twice = sum(1 for key, n in received.items() if n > 1)
    mail_missing = sum(1 for key in queued if received.get(key, 0) == 0)
    mail_unknown = sum(1 for key in received if key not in queued)

    saves = [t for p in staff for t in p.saves]
    submit_times = [t for p in staff for t in p.submits]
    ratio = p95(saves) / idle_median if saves else float("nan")
    print(f"two instances × gunicorn {args.workers} workers behind nginx, PostgreSQL; {len(staff)} sections × "
          f"{args.saves} saves of {max(p.fields_posted for p in staff)} fields, then 提交, in {elapsed:.0f} s "
          f"(asked: {args.minutes * 60:.0f} s); {REVIEWERS} reviewers on the review queue, the office and the 组长 "
          f"on the board")
    print(f"idle user alone: median save {idle_median * 1000:.0f} ms ({IDLE_SAVES} saves)")
    print(f"saves: {len(saves)} done; median {statistics.median(saves) * 1000:.0f} ms, p95 {p95(saves) * 1000:.0f} ms, "
          f"max {max(saves) * 1000:.0f} ms" if saves else "saves: none")
    print(f"submits: {len(submit_times)} done; median {statistics.median(submit_times) * 1000:.0f} ms, "
          f"p95 {p95(submit_times) * 1000:.0f} ms" if submit_times else "submits: none")
    windows = {}
    for person in staff:
        for at, took in zip(person.save_times, person.saves):
            windows.setdefault(int(at // 15) * 15, []).append(took)
    print("saves by when they began: " + "; ".join(
        f"{start}–{start + 15} s: {len(times)}, p95 {p95(times) * 1000:.0f} ms" for start, times in sorted(windows.items())))
    for label, times in reads.items():
        if times:
            print(f"{label}: {len(times)} reads, median {statistics.median(times) * 1000:.0f} ms, "
                  f"p95 {p95(times) * 1000:.0f} ms")
    print(f"lost saves: {lost} forms ({lost_fields} fields; {compared} fields of {sum(1 for p in staff if p.saved)} "
          f"forms compared with their last save)")
    print(f"transitions: {sum(submits.values())} submit records for {len(submitted)} confirmed submits "
          f"({sum(1 for p in submitted if p.double_clicked)} of them clicked twice: one done, one refused); "
          f"duplicates {duplicate_submits}, missing {missing_submits}, unconfirmed {unreported_submits}; "
          f"evaluations with more than one open task {extra_tasks}")
    print(f"mail: {len(queued)} queued by the reminders on both hosts, {sum(received.values())} received; "
          f"twice {mail_twice}, never {mail_missing}, unknown {mail_unknown}, still waiting {waiting}; "
          f"reminder runs failed {remind_failures}")
    print(f"5xx in the access logs: {server_errors}")

    def cpu(after, before):
        return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime

    print(f"CPU: the clients {cpu(client_after, client_before):.0f} s during the rush, the two hosts and nginx "
          f"{cpu(children_after, children_before):.0f} s in all, over {elapsed:.0f} s on {os.cpu_count()} cores; "
          f"load average {load_before[0]:.1f} before the deployment started, {load_after[0]:.1f} at the end "
          f"of the rush")
    all_errors = errors + idle_errors
    for message in all_errors[:15]:
        print(f"  error: {message}")
    total = (len(all_errors) + server_errors + lost + duplicate_submits + missing_submits + unreported_submits
             + extra_tasks + mail_twice + mail_missing + mail_unknown + waiting + remind_failures
             + (0 if queued else 1))
    print(f"deadline_errors: {total}")
    print(f"deadline_p95_save_ratio: {ratio:.2f}")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
