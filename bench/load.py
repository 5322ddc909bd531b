"""The busy pages under a large plan, against a trivial endpoint of the same app.

Builds, in a throwaway PostgreSQL database of its own, one plan of a large bureau (scale 1):
100 business sections, 2,000 projects whose evaluations are spread over every workflow state
(with their indicators, funding rows, report sections, tasks both done and open, review
comments, rectifications), 50,000 audit records, 200 users holding the various roles (office,
组长, reviewers who also work in a section, section staff, finance, admin) and their
notifications. ``--scale N`` multiplies every size by N; from scale 2 the evaluations and
audit records are spread over up to five years of plans: the current one, whose pages are
measured, holds half of them, and the earlier years' evaluations are finished (已应用, their
tasks done). Scale 10 is a city: 1,000 sections, 20,000 evaluations (10,000 this year),
500,000 audit records, 2,000 users, five years of plans. The schema comes from the migrations (flask_migrate.upgrade); the rows are
bulk inserts, so building takes some seconds. Then gunicorn (2 workers by default) serves the
app against that database on a free loopback port, and one client per person logs in.

Each round requests, one after the other, the trivial endpoint (/healthz, which does no work
of its own: like every request of a logged-in client it only passes the session and loads the
session's user, one query) and every measured page: the dashboard (/), the inbox
(/work/inbox), an evaluation page, the review queue and the progress board, each as the
people who use it (a section's staff, a reviewer, the office, the 组长). After warm-up
rounds, the median and p95 of many sequential rounds are printed, one line per page, with the
ratio of its median to the trivial endpoint's median; the last line is
``load_worst_median_ratio: <the largest of those ratios>``. Target: every ratio ≤ 3. Beside
each page is the number of SQL statements one view of it sends (counted in this process
through the app's test client, as tests/test_sql_counts.py counts them): the same at every
scale, or rows are being loaded one by one.

    .venv/bin/python bench/load.py [--scale 1] [--rounds 200] [--warmup 20] [--workers 2]
        [--sections 100] [--evaluations 2000] [--audit 50000] [--users 200]
        [--postgres postgresql://postgres@127.0.0.1:5432]

Only loopback addresses are used and every wait is bounded. The database is created for the
run and dropped afterwards (also on failure); gunicorn's log goes to a temporary folder that
is removed at the end.
"""
import argparse
import http.cookiejar
import logging
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from bench.server import CSRF, gunicorn, p95, people_maker, postgres_database, stages_around  # noqa: E402

PASSWORD = "Load-pass-2020"
SECRET = "load-bench-secret-key"
REQUEST_TIMEOUT = 30

# How the 2,000 evaluations spread over the states (shares of the total).
STATE_SHARES = (
    ("preparing", 0.10), ("self_evaluating", 0.25), ("submitted", 0.15), ("returned", 0.05),
    ("reviewed", 0.15), ("approved", 0.10), ("reported", 0.10), ("applied", 0.10),
)


def _steps(walk):
    """The tests' walk to a state (tests/factories.PATHS: trigger, who, comment) as
    (trigger, from, to, who), the states taken from the workflow definition itself."""
    from workflow.engine.definition import TRANSITION_BY_TRIGGER

    steps, current = [], "preparing"
    for trigger, part, _comment in walk:
        dest = TRANSITION_BY_TRIGGER[trigger].dest
        steps.append((trigger, current, dest, part))
        current = dest
    return steps


def _transitions():
    """The transitions that lead from 准备中 to each state: (trigger, from, to, who). Known once
    the app is made (its flow registers the transitions)."""
    from tests.factories import _paths

    return {state: _steps(walk) for state, walk in _paths().items()}


# The database --------------------------------------------------------------------------------


def _spread(total, shares):
    """``total`` split by ``shares``; the rounding rest goes to the first share."""
    counts = [int(total * share) for _name, share in shares]
    counts[0] += total - sum(counts)
    return counts


def _year_shares(args):
    """(evaluations, audit records) of each plan, the current one first: at scale 1 one plan;
    from scale 2 the current plan holds half of everything and up to four earlier years share
    the rest (five years of plans at scale 10)."""
    years = min(5, max(1, args.scale))
    if years == 1:
        return [(args.evaluations, args.audit)]
    past = years - 1
    current = (args.evaluations // 2, args.audit // 2)
    rest = ((args.evaluations - current[0]) // past, (args.audit - current[1]) // past)
    return [current] + [rest] * past


def _fill(db, plan, states, audit_total, context):
    """The projects and evaluations of ``plan`` in ``states`` (one each) with their content,
    tasks, ``audit_total`` audit records, review comments, rectifications: bulk inserts
    (SQLAlchemy core executemany). Returns the evaluation ids and the project rows."""
    from sqlalchemy import insert

    from workflow.engine.definition import state_def
    from workflow.models import (
        AuditRecord, Evaluation, FundingRow, Indicator, NarrativeSection, Project, Rectification, ReviewComment, Task,
    )
    from workflow.models.content import FUNDING_KINDS
    from workflow.roles import Role
    from workflow.selfeval.framework import EXECUTION_RATE

    c = context
    paths = c.paths
    rng, sections, staff_of, now, today = c.rng, c.sections, c.staff_of, c.now, c.today
    offices, reviewers, leader = c.offices, c.reviewers, c.leader
    due_of = {stage.kind: stage.due_date for stage in plan.stages}
    plan_indicators = list(plan.indicators)
    outline = list(plan.report_sections)
    # The transitions of a finished year happened in that year; the current plan's, lately.
    now = now if plan.run_year == today.year else now.replace(year=plan.run_year, month=11, day=30)

    project_rows = [dict(plan_id=plan.id, name=f"{plan.budget_year}年度第{n:05d}号专项资金项目",
                         section_id=sections[n % len(sections)].id, budget_year=plan.budget_year,
                         leader_name=f"负责人{n % 97}", created_at=now,
                         overall_target=f"完成第{n}号项目年度任务，预算 {100 + n % 50}.5 万元。")
                    for n in range(len(states))]
    project_ids = db.session.scalars(
        insert(Project).returning(Project.id, sort_by_parameter_order=True), project_rows).all()
    evaluation_rows = []
    for n, (project_id, state) in enumerate(zip(project_ids, states)):
        section_id = project_rows[n]["section_id"]
        submitter = rng.choice(staff_of[section_id]) if len(paths[state]) >= 2 else None
        scored = state in ("reviewed", "approved", "reported", "applied")
        evaluation_rows.append(dict(
            project_id=project_id, plan_id=plan.id, section_id=section_id, state=state, version=len(paths[state]) + 1,
            submitted_by_id=submitter.id if submitter else None, submitted_at=now if submitter else None,
            updated_at=now, overall_achievement="基本完成年度目标。" if state != "preparing" else "",
            total_score=Decimal("91.50") if scored else None, grade="excellent" if scored else None,
            finance_feedback="同意评价结论。" if state == "applied" else ""))
    evaluation_ids = db.session.scalars(
        insert(Evaluation).returning(Evaluation.id, sort_by_parameter_order=True), evaluation_rows).all()

    # Content: funding rows, the plan's indicators, the report's sections.
    funding, indicators, narrative = [], [], []
    for n, evaluation_id in enumerate(evaluation_ids):
        filled = states[n] != "preparing"
        budget = Decimal(100 + n % 50) + Decimal("0.5")
        executed = (budget * Decimal("0.9")).quantize(Decimal("0.0001")) if filled else None
        for kind in FUNDING_KINDS:
            amount = budget if kind in ("total", "current_year") else (Decimal(0) if filled else None)
            funding.append(dict(evaluation_id=evaluation_id, kind=kind, initial_budget=amount, annual_budget=amount,
                                executed=executed if kind in ("total", "current_year") else amount))
        for p in plan_indicators:
            rate = p.kind == EXECUTION_RATE
            indicators.append(dict(
                evaluation_id=evaluation_id, level1=p.level1, level2=p.level2, name=p.name, weight=p.weight,
                kind=p.kind, sort_order=p.sort_order, nature=None if rate else ">=", unit="%" if rate else "项",
                target=Decimal(100), actual=(Decimal(90) if rate else Decimal(95)) if filled else None,
                score=(p.weight * Decimal("0.9")).quantize(Decimal("0.01")) if filled else None,
                deviation_reason="", applicable=True))
        if filled:
            narrative += [dict(evaluation_id=evaluation_id, key=s.key,
                               text=f"{s.title}：本项目全年预算 {budget} 万元，执行 206.4万元，详见附表。")
                          for s in outline]
    for rows, model in ((funding, FundingRow), (indicators, Indicator), (narrative, NarrativeSection)):
        _insert(db, model, rows)

    # Tasks: the done ones of the way so far and the open one of the current state.
    # Audit records: the transitions of the way, then edits up to the requested total.
    actors = {"office": offices[0], "reviewer": reviewers[1], "leader": leader}
    users = c.users_by_id
    task_rows, audit_rows = [], []
    for n, (evaluation_id, state) in enumerate(zip(evaluation_ids, states)):
        section_id = project_rows[n]["section_id"]
        submitter = evaluation_rows[n]["submitted_by_id"]
        who = dict(actors, staff=users[submitter] if submitter else staff_of[section_id][0])
        at = now - timedelta(days=50)
        audit_rows.append(dict(evaluation_id=evaluation_id, actor_id=offices[0].id, at=at, action="create",
                               to_state="preparing", comment="", address="127.0.0.1"))
        for trigger, source, target, part in paths[state]:
            at += timedelta(days=2)
            definition = state_def(source)
            task_rows.append(dict(evaluation_id=evaluation_id, state=source, role=definition.actor.value,
                                  section_id=section_id if definition.section_task else None,
                                  due_date=due_of[definition.stage], created_at=at - timedelta(days=2),
                                  completed_at=at, completed_by_id=who[part].id))
            audit_rows.append(dict(evaluation_id=evaluation_id, actor_id=who[part].id, at=at, action=trigger,
                                   from_state=source, to_state=target, address="127.0.0.1",
                                   comment="请补充佐证材料。" if trigger == "return_for_revision" else ""))
        definition = state_def(state)
        if definition.actor is not None:
            claimed = definition.section_task and rng.random() < 0.1
            task_rows.append(dict(evaluation_id=evaluation_id, state=state, role=definition.actor.value,
                                  section_id=section_id if definition.section_task else None,
                                  due_date=due_of[definition.stage], created_at=at,
                                  assignee_id=rng.choice(staff_of[section_id]).id if claimed else None,
                                  claimed_at=now if claimed else None))
    edits = max(audit_total - len(audit_rows), 0)
    for evaluation_index in rng.choices(range(len(evaluation_ids)), k=edits):
        section_id = project_rows[evaluation_index]["section_id"]
        audit_rows.append(dict(evaluation_id=evaluation_ids[evaluation_index],
                               actor_id=rng.choice(staff_of[section_id]).id,
                               at=now - timedelta(days=rng.randint(1, 49), minutes=rng.randint(0, 1440)),
                               action="edit", comment="", address="127.0.0.1",
                               details={"fields": ["indicators"]}))
    _insert(db, Task, task_rows)
    _insert(db, AuditRecord, audit_rows)

    # Review comments on the returned ones; rectifications of reported ones, with their tasks.
    comments, rectifications = [], []
    for n, (evaluation_id, state) in enumerate(zip(evaluation_ids, states)):
        if state in ("returned", "submitted", "reviewed") and n % 2 == 0:
            comments.append(dict(evaluation_id=evaluation_id, target="general", text="请核对资金数据。",
                                 author_id=reviewers[1].id, created_at=now))
        if state in ("reported", "applied") and n % 2 == 0:
            rectifications.append(dict(evaluation_id=evaluation_id, problem="绩效目标设置不够细化。",
                                       measure="细化下年度绩效目标。", section_id=project_rows[n]["section_id"],
                                       due_date=today + timedelta(days=30 + n % 30), created_by_id=offices[0].id,
                                       created_at=now, closed_at=now if state == "applied" else None))
    _insert(db, ReviewComment, comments)
    if rectifications:
        rectification_ids = db.session.scalars(
            insert(Rectification).returning(Rectification.id, sort_by_parameter_order=True), rectifications).all()
        _insert(db, Task, [
            dict(evaluation_id=row["evaluation_id"], state="rectification", role=Role.SECTION_STAFF.value,
                 section_id=row["section_id"], due_date=row["due_date"], rectification_id=rectification_id,
                 created_at=now, completed_at=row["closed_at"])
            for rectification_id, row in zip(rectification_ids, rectifications)])
    db.session.commit()
    return evaluation_ids, project_rows


def _insert(db, model, rows, chunk=10000):
    """``rows`` into ``model``'s table, ``chunk`` rows per executemany."""
    from sqlalchemy import insert

    for start in range(0, len(rows), chunk):
        db.session.execute(insert(model), rows[start:start + chunk])


def build(database_url, instance, args):
    """The large plan. Returns what the clients need: user names and evaluation ids."""
    from types import SimpleNamespace

    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from workflow import clock, create_app
    from workflow.extensions import db
    from workflow.models import AuditRecord, Evaluation, Indicator, Notification, Plan, Section, Task, User
    from workflow.plans import services as plans
    from workflow.roles import Role

    rng = random.Random(2020)
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": str(instance),
                                     "SECRET_KEY": SECRET, "MAIL_ENABLED": False})
    with app.app_context():
        logging.disable(logging.INFO)  # Alembic's progress lines would bury the figures
        try:
            upgrade()
        finally:
            logging.disable(logging.NOTSET)
        now = clock.now()
        today = now.date()

        # People: the office section and the business sections; the users.
        office_section = Section(name="规划财务科", is_office=True, sort_order=0)
        sections = [Section(name=f"业务{n:04d}科", sort_order=n) for n in range(1, args.sections + 1)]
        db.session.add_all([office_section, *sections])
        db.session.flush()
        person = people_maker(PASSWORD)

        admin = person("admin", "系统管理员", [Role.ADMIN], None)
        leader = person("leader", "姜立新", [Role.LEADER], None)
        finance = person("finance", "市财政局绩效科", [Role.FINANCE], None)
        offices = [person(f"office{n}", f"办公室{n}", [Role.OFFICE, Role.REVIEWER], office_section) for n in range(1, 4)]
        reviewers = [person(f"reviewer{n:02d}", f"复核人{n:02d}", [Role.REVIEWER, Role.SECTION_STAFF],
                            sections[(n - 1) * len(sections) // 16]) for n in range(1, 17)]
        staff_count = max(args.users - 3 - len(offices) - len(reviewers), len(sections))
        staff = [person(f"staff{n:04d}", f"经办人{n:04d}", [Role.SECTION_STAFF], sections[(n - 1) % len(sections)])
                 for n in range(1, staff_count + 1)]
        db.session.commit()
        users = [admin, leader, finance, *offices, *reviewers, *staff]
        staff_of = {}
        for user in staff + reviewers:
            staff_of.setdefault(user.section_id, []).append(user)
        context = SimpleNamespace(rng=rng, sections=sections, staff_of=staff_of, now=now, today=today,
                                  offices=offices, reviewers=reviewers, leader=leader,
                                  users_by_id={user.id: user for user in users}, paths=_transitions())

        # Earlier years first (finished: every evaluation 已应用, its tasks done), then the
        # current plan, the newest, which the pages show.
        shares = _year_shares(args)
        for years_ago in range(len(shares) - 1, 0, -1):
            past = plans.create_plan(plans.PlanData(
                title=f"{today.year - years_ago - 1}年度预算绩效评价工作方案", budget_year=today.year - years_ago - 1,
                run_year=today.year - years_ago, office_section_id=office_section.id))
            plans.set_group(past, leader.id, [offices[0].id, reviewers[0].id],
                            [u.id for u in offices[1:] + reviewers[1:]])
            _fill(db, past, ["applied"] * shares[years_ago][0], shares[years_ago][1], context)
        plan = plans.create_plan(plans.PlanData(title="大型单位预算绩效评价工作方案（负载测试）", budget_year=today.year - 1,
                                                run_year=today.year, office_section_id=office_section.id))
        plans.set_group(plan, leader.id, [offices[0].id, reviewers[0].id],
                        [u.id for u in offices[1:] + reviewers[1:]])
        # Its stages around today: 准备 is over (its tasks are overdue), 自评 ends in two days
        # (due soon), the rest lies ahead.
        plans.update_stages(plan, stages_around(today))
        current_states = []
        for (state, _share), count in zip(STATE_SHARES, _spread(shares[0][0], STATE_SHARES)):
            current_states += [state] * count
        rng.shuffle(current_states)
        evaluation_ids, project_rows = _fill(db, plan, current_states, shares[0][1], context)
        states = current_states
        _insert(db, Notification, [
            dict(user_id=user.id, text=f"“2019年度第{k:05d}号专项资金项目”：复核通过。待办：审批复核结果",
                 link=f"/evaluations/{evaluation_ids[k % len(evaluation_ids)]}",
                 created_at=now - timedelta(hours=k), read_at=None if k % 3 == 0 else now)
            for user in users for k in range(50)])
        db.session.commit()
        # Fresh planner statistics, as autovacuum would have them on a database in use.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")

        # Whom to measure as, and which evaluation pages they open.
        section_user = next(u for u in staff if u.section_id == sections[1].id)
        own = [evaluation_ids[n] for n in range(len(states))
               if project_rows[n]["section_id"] == section_user.section_id and states[n] == "self_evaluating"]
        # One with a review comment (_fill comments every other one), at every scale alike.
        under_review = [evaluation_ids[n] for n in range(len(states)) if states[n] == "submitted" and n % 2 == 0]
        counts = {
            "sections": len(sections) + 1,
            "users": db.session.scalar(select(func.count()).select_from(User)),
            "plans": db.session.scalar(select(func.count()).select_from(Plan)),
            "evaluations": db.session.scalar(select(func.count()).select_from(Evaluation)),
            "in the current plan": len(evaluation_ids),
            "audit records": db.session.scalar(select(func.count()).select_from(AuditRecord)),
            "tasks": db.session.scalar(select(func.count()).select_from(Task)),
            "indicators": db.session.scalar(select(func.count()).select_from(Indicator)),
            "notifications": len(users) * 50,
        }
        people = {"section": section_user.username, "reviewer": reviewers[1].username,
                  "office": offices[0].username, "leader": leader.username}
        db.session.remove()
        db.engine.dispose()
    return people, {"section": own[0], "reviewer": under_review[len(under_review) // 2]}, counts


# The server ----------------------------------------------------------------------------------




# The client ----------------------------------------------------------------------------------


class Client:
    """One person's browser: its own cookie jar."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        with self.opener.open(urllib.request.Request(self.base + path, data=body), timeout=REQUEST_TIMEOUT) as response:
            return response.geturl(), response.status, response.read()

    def timed(self, path):
        began = time.perf_counter()
        url, status, body = self.request(path)
        elapsed = time.perf_counter() - began
        if status != 200 or "/auth/login" in url:
            raise RuntimeError(f"{path}: HTTP {status} at {url}")
        return elapsed, body

    def log_in(self, username):
        _url, _status, page = self.request("/auth/login")
        token = CSRF.search(page.decode()).group(1)
        final, _status, _page = self.request("/auth/login", {"username": username, "password": PASSWORD,
                                                             "csrf_token": token})
        if "/auth/login" in final:
            raise RuntimeError(f"login of {username} failed")


def pages_of(evaluations):
    """The measured pages: (label, whose client, path), the trivial endpoint first."""
    return [
        ("trivial endpoint /healthz", "section", "/healthz"),
        ("dashboard / (section staff)", "section", "/"),
        ("dashboard / (reviewer)", "reviewer", "/"),
        ("dashboard / (office)", "office", "/"),
        ("dashboard / (leader)", "leader", "/"),
        ("inbox /work/inbox (section staff)", "section", "/work/inbox"),
        ("inbox /work/inbox (reviewer)", "reviewer", "/work/inbox"),
        ("inbox /work/inbox (office)", "office", "/work/inbox"),
        ("evaluation page (section staff, own project)", "section", f"/evaluations/{evaluations['section']}"),
        ("evaluation page (reviewer, under review)", "reviewer", f"/evaluations/{evaluations['reviewer']}"),
        ("review queue /evaluations/review (reviewer)", "reviewer", "/evaluations/review"),
        ("progress board /work/board (leader)", "leader", "/work/board"),
        ("progress board /work/board (office)", "office", "/work/board"),
    ]


def statement_counts(database_url, instance, people, evaluations):
    """{label: SQL statements of one view of the page}, counted in this process (the app's
    test client against the same database, SQLAlchemy's before_cursor_execute) after one
    warm-up view, as tests/test_sql_counts.py counts them on a small plan."""
    from sqlalchemy import event

    from workflow import create_app
    from workflow.extensions import db

    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": str(instance),
                                     "SECRET_KEY": SECRET, "MAIL_ENABLED": False, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        engine = db.engine
    # The requests outside any app context of ours: each pushes its own, so that the user
    # Flask-Login keeps on ``g`` is each client's.
    counts, clients, statements = {}, {}, []
    for part, username in people.items():
        clients[part] = app.test_client()
        response = clients[part].post("/auth/login", data={"username": username, "password": PASSWORD})
        if response.status_code != 302 or "/auth/login" in response.headers.get("Location", ""):
            raise RuntimeError(f"login of {username} failed (statement counts)")

    def count(_connection, _cursor, _statement, _parameters, _context, _executemany):
        statements.append(1)

    for label, part, path in pages_of(evaluations):
        clients[part].get(path)  # warm-up
        event.listen(engine, "before_cursor_execute", count)
        try:
            status = clients[part].get(path).status_code
        finally:
            event.remove(engine, "before_cursor_execute", count)
        if status != 200:
            raise RuntimeError(f"{path} as {part}: HTTP {status} (statement counts)")
        counts[label] = len(statements)
        statements.clear()
    engine.dispose()
    return counts


def measure(base, people, evaluations, rounds, warmup):
    """{label: [seconds]} over ``rounds`` interleaved rounds after ``warmup`` ones."""
    clients = {part: Client(base) for part in people}
    for part, username in people.items():
        clients[part].log_in(username)
    pages = pages_of(evaluations)
    times = {label: [] for label, _part, _path in pages}
    sizes = {}
    for number in range(warmup + rounds):
        for label, part, path in pages:
            elapsed, body = clients[part].timed(path)
            if number >= warmup:
                times[label].append(elapsed)
                sizes[label] = len(body)
    return times, sizes




def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scale", type=int, default=1,
                        help="N times scale 1's sizes (100 sections, 2,000 evaluations, 50,000 audit records, "
                             "200 users; from 2, up to five years of plans); a size given below wins")
    parser.add_argument("--sections", type=int)
    parser.add_argument("--evaluations", type=int)
    parser.add_argument("--audit", type=int)
    parser.add_argument("--users", type=int)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432"))
    args = parser.parse_args()
    if not 1 <= args.scale <= 20:
        parser.error("--scale is from 1 to 20")
    for name, base in (("sections", 100), ("evaluations", 2000), ("audit", 50000), ("users", 200)):
        if getattr(args, name) is None:
            setattr(args, name, base * args.scale)
    if not (2 <= args.rounds <= 10000 and 0 <= args.warmup <= 1000 and 1 <= args.workers <= 16
            and 16 <= args.sections <= 2000 and 100 <= args.evaluations <= 100000 and 0 <= args.audit <= 2000000
            and 40 <= args.users <= 5000):
        parser.error("a size is out of range (see --help)")
    if urllib.parse.urlsplit(args.postgres).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the bench talks to loopback addresses only")

    folder = Path(tempfile.mkdtemp(prefix="load_bench_"))
    try:
        instance = folder / "instance"
        instance.mkdir()
        with postgres_database(args.postgres, "load_bench") as url:
            began = time.monotonic()
            people, evaluations, counts = build(url, instance, args)
            built = time.monotonic() - began
            print(f"built in {built:.1f} s: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
            sys.stdout.flush()
            statements = statement_counts(url, instance, people, evaluations)
            with gunicorn(url, instance, args.workers, folder / "gunicorn.log", SECRET) as base:
                times, sizes = measure(base, people, evaluations, args.rounds, args.warmup)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    print(f"scale {args.scale}; gunicorn {args.workers} workers, PostgreSQL; {args.rounds} sequential rounds after "
          f"{args.warmup} warm-up; SQL: the page's statements")
    labels = list(times)
    trivial = statistics.median(times[labels[0]])
    worst = 0.0
    for label in labels:
        median = statistics.median(times[label])
        ratio = median / trivial
        if label != labels[0]:
            worst = max(worst, ratio)
        print(f"{label:48s} median {median * 1000:7.2f} ms  p95 {p95(times[label]) * 1000:7.2f} ms  "
              f"ratio {ratio:5.2f}  SQL {statements[label]:3d}  ({sizes[label] // 1024} KiB)")
    print(f"load_worst_median_ratio: {worst:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
