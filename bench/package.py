"""The submission package (报送材料) of a city's year: 2,000 approved evaluations in one ZIP.

Builds, in a throwaway PostgreSQL database of its own, a plan whose evaluations were approved
and reported in two submissions, one of --small (200) and one of --large (2,000) evaluations,
each with its approval snapshot and its frozen report. The frozen reports are stand-ins of
--report-kib (200 KiB, a real report's size) of random bytes each, with their SHA-256: the
package renders nothing per evaluation, it streams the stored bytes (checked against their
SHA-256), so what it does with a stand-in is what it does with a report; rendering 2,200 real
reports would take hours. The summary PDF and workbook of each package are the real ones,
made on each download.

Then gunicorn (one sync worker) serves the app against that database, the office logs in and
downloads each package through the web route (/submissions/<id>/package.zip), reading the
streamed response in 1 MiB pieces into a temporary file. The small package is downloaded once
first to warm the worker (imports, fonts); then the small one again, the large one for the
first time (its summary PDF rendered: WeasyPrint's share grows with the table) and the large
one again (the summary kept from the first time, documents.render.render_kept). Printed for
each: the time of the download (request to last byte), its size, the worker's resident memory
before, and the growth of its peak (VmHWM, reset before each download through
/proc/<pid>/clear_refs) during it. Each ZIP is opened and its entries and checksums counted.
Last lines: ``package_first_seconds: <the large package's first download>``,
``package_seconds: <its download again>`` and ``package_peak_growth_ratio: <its growth ÷ the
small one's, both downloaded again>``. Target: ≤ 30 s and the memory flat (the growth not
following the package's size).

    .venv/bin/python bench/package.py [--small 200] [--large 2000] [--report-kib 200]
        [--postgres postgresql://postgres@127.0.0.1:5432]
"""
import argparse
import hashlib
import http.cookiejar
import logging
import os
import shutil
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import zipfile
from decimal import Decimal
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from bench.server import CSRF, gunicorn, postgres_database  # noqa: E402

PASSWORD = "Package-pass-2020"
SECRET = "package-bench-secret-key"
SECTIONS = 100
CHUNK = 1 << 20


def build(database_url, instance, args):
    """The plan and its two submissions; returns their ids and the office's user name."""
    import copy

    from flask_migrate import upgrade
    from sqlalchemy import insert
    from werkzeug.security import generate_password_hash

    from workflow import clock, create_app
    from workflow.extensions import db
    from workflow.models import Evaluation, Project, Section, Snapshot, Submission, SubmissionItem, User
    from workflow.plans import services as plans
    from workflow.roles import Role
    from workflow.selfeval import content

    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": str(instance),
                                     "SECRET_KEY": SECRET, "MAIL_ENABLED": False})
    with app.app_context():
        logging.disable(logging.INFO)
        try:
            upgrade()
        finally:
            logging.disable(logging.NOTSET)
        now = clock.now()
        office_section = Section(name="规划财务科", is_office=True, sort_order=0)
        sections = [Section(name=f"业务{n:03d}科", sort_order=n) for n in range(1, SECTIONS + 1)]
        db.session.add_all([office_section, *sections])
        db.session.flush()
        office = User(username="office", full_name="办公室", section_id=office_section.id, email="office@example.cn",
                      password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"))
        office.set_roles([Role.OFFICE])
        db.session.add(office)
        db.session.commit()
        plan = plans.create_plan(plans.PlanData(title="全市预算绩效评价工作方案（报送包测试）", budget_year=now.year - 1,
                                                run_year=now.year, office_section_id=office_section.id))
        # One real evaluation's frozen data is the pattern of every snapshot.
        pattern = plans.add_project(plan, "样例项目", sections[0].id, office).evaluation
        content.ensure_content(pattern)
        db.session.commit()
        data = content.serialize(pattern)

        submissions = {}
        for size, title in ((args.small, "第一批报送"), (args.large, "第二批报送")):
            offset = sum(submissions_size for submissions_size, _id in submissions.values())
            numbers = range(offset + 1, offset + size + 1)
            project_ids = db.session.scalars(insert(Project).returning(Project.id, sort_by_parameter_order=True), [
                dict(plan_id=plan.id, name=f"第{n:05d}号专项资金项目", section_id=sections[n % SECTIONS].id,
                     budget_year=plan.budget_year, leader_name="负责人", overall_target="完成年度任务。", created_at=now)
                for n in numbers]).all()
            evaluation_ids = db.session.scalars(insert(Evaluation).returning(
                Evaluation.id, sort_by_parameter_order=True), [
                dict(project_id=project_id, plan_id=plan.id, section_id=sections[n % SECTIONS].id, state="reported",
                     version=6, updated_at=now, overall_achievement="基本完成年度目标。", total_score=Decimal("91.50"),
                     grade="excellent")
                for n, project_id in zip(numbers, project_ids)]).all()
            submission = Submission(plan_id=plan.id, title=f"{title}（{size}个项目）", created_by_id=office.id,
                                    signer="局长")
            db.session.add(submission)
            db.session.flush()
            # The snapshots (with their reports) in batches: never all the bytes in memory.
            for start in range(0, size, 100):
                snapshot_rows = []
                for n, evaluation_id in list(zip(numbers, evaluation_ids))[start:start + 100]:
                    frozen = copy.deepcopy(data)
                    frozen["project"].update(name=f"第{n:05d}号专项资金项目", section=sections[n % SECTIONS].name)
                    pdf = b"%PDF-1.7\n" + os.urandom(args.report_kib * 1024 - 9)
                    snapshot_rows.append(dict(evaluation_id=evaluation_id, kind="approval", data=frozen,
                                              sha256=content.fingerprint(frozen), created_at=now,
                                              created_by_id=office.id, pdf=pdf,
                                              pdf_sha256=hashlib.sha256(pdf).hexdigest()))
                snapshot_ids = db.session.scalars(insert(Snapshot).returning(
                    Snapshot.id, sort_by_parameter_order=True), snapshot_rows).all()
                db.session.execute(insert(SubmissionItem), [
                    dict(submission_id=submission.id, evaluation_id=row["evaluation_id"], snapshot_id=snapshot_id)
                    for row, snapshot_id in zip(snapshot_rows, snapshot_ids)])
                db.session.commit()
            submissions[size] = (size, submission.id)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
        result = {size: submission_id for size, (_size, submission_id) in submissions.items()}
        db.session.remove()
        db.engine.dispose()
    return result


def memory_of(pid):
    """(VmRSS, VmHWM) of process ``pid`` in KiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values["VmRSS"], values["VmHWM"]


def reset_peak(pid):
    """The process's peak resident size (VmHWM) set back to its current size (Linux)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def worker_of(pid_file):
    """The pid of gunicorn's one worker (the master's only child)."""
    master = int(Path(pid_file).read_text())
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    if len(children) != 1:
        raise RuntimeError(f"expected one gunicorn worker, found {children}")
    return int(children[0])


class Client:
    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def open(self, path, data=None, timeout=30):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        return self.opener.open(urllib.request.Request(self.base + path, data=body), timeout=timeout)

    def log_in(self, username):
        with self.open("/auth/login") as response:
            token = CSRF.search(response.read().decode()).group(1)
        with self.open("/auth/login", {"username": username, "password": PASSWORD, "csrf_token": token}) as response:
            if "/auth/login" in response.geturl():
                raise RuntimeError("login failed")


def download(client, submission_id, target, worker):
    """(seconds, bytes, RSS before KiB, peak growth KiB) of one download into ``target``."""
    rss_before, _peak = memory_of(worker)
    reset_peak(worker)
    began = time.perf_counter()
    with client.open(f"/submissions/{submission_id}/package.zip", timeout=300) as response, open(target, "wb") as out:
        if response.status != 200 or response.headers.get("Content-Type") != "application/zip":
            raise RuntimeError(f"package {submission_id}: HTTP {response.status} {response.headers.get('Content-Type')}")
        announced = int(response.headers["Content-Length"])
        received = 0
        while piece := response.read(CHUNK):
            out.write(piece)
            received += len(piece)
    elapsed = time.perf_counter() - began
    _rss, peak = memory_of(worker)
    if received != announced:
        raise RuntimeError(f"package {submission_id}: {received} bytes of {announced}")
    return elapsed, received, rss_before, peak - rss_before


def check(target, evaluations):
    """The ZIP opens, holds a report per evaluation, and its SHA256SUMS.txt lists every file."""
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        sums = archive.read("SHA256SUMS.txt").decode().splitlines()
    reports = [name for name in names if name.startswith("绩效评价报告/")]
    if len(reports) != evaluations or len(sums) != len(names) - 1:
        raise RuntimeError(f"{len(reports)} reports and {len(sums)} checksums for {evaluations} evaluations")
    return len(names)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=200)
    parser.add_argument("--large", type=int, default=2000)
    parser.add_argument("--report-kib", type=int, default=200)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432"))
    args = parser.parse_args()
    if not (10 <= args.small < args.large <= 5000 and 1 <= args.report_kib <= 2048):
        parser.error("a size is out of range (see --help)")
    if urllib.parse.urlsplit(args.postgres).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the bench talks to loopback addresses only")

    folder = Path(tempfile.mkdtemp(prefix="package_bench_"))
    results = {}
    try:
        instance = folder / "instance"
        instance.mkdir()
        with postgres_database(args.postgres, "package_bench") as url:
            began = time.monotonic()
            submissions = build(url, instance, args)
            print(f"built in {time.monotonic() - began:.1f} s: {args.small + args.large} reported evaluations in two "
                  f"submissions, frozen reports of {args.report_kib} KiB")
            sys.stdout.flush()
            pid_file = folder / "gunicorn.pid"
            with gunicorn(url, instance, 1, folder / "gunicorn.log", SECRET,
                          extra=("--timeout", "300", "--pid", str(pid_file))) as base:
                worker = worker_of(pid_file)
                client = Client(base)
                client.log_in("office")
                target = folder / "package.zip"
                download(client, submissions[args.small], target, worker)   # warm-up (and the small summary kept)
                runs = ((args.small, "again"), (args.large, "first"), (args.large, "again"))
                for size, which in runs:
                    results[size, which] = download(client, submissions[size], target, worker)
                    entries = check(target, size)
                    seconds, received, rss, growth = results[size, which]
                    print(f"package of {size:5d} evaluations, {which:5s} download: {seconds:6.2f} s  "
                          f"{received / 2**20:7.1f} MiB  {entries} entries  worker RSS before {rss / 1024:6.1f} MiB  "
                          f"peak growth {growth / 1024:6.1f} MiB")
                    sys.stdout.flush()
                    target.unlink()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    small_growth, large_growth = results[args.small, "again"][3], results[args.large, "again"][3]
    print(f"package_first_seconds: {results[args.large, 'first'][0]:.2f}")
    print(f"package_seconds: {results[args.large, 'again'][0]:.2f}")
    print(f"package_peak_growth_ratio: {large_growth / max(small_growth, 1):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
