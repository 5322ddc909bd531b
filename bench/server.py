"""What the bench scripts share: a free loopback port, a throwaway PostgreSQL database, the
app under gunicorn on that port, and the p95 of a list of timings."""
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


# The token every page carries for its forms (templates/base.html), read by the benches' clients.
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def stop(process):
    """Stop a process started in a session of its own, and all its children: TERM, then KILL
    after 30 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def people_maker(password):
    """``person(username, full_name, roles, section)``: a user added to the session. Everybody
    shares one quick hash of ``password``: the benches measure pages, not password hashing."""
    from werkzeug.security import generate_password_hash

    from workflow.extensions import db
    from workflow.models import User

    password_hash = generate_password_hash(password, method="pbkdf2:sha256:1000")

    def person(username, full_name, roles, section):
        user = User(username=username, full_name=full_name, section_id=section.id if section else None,
                    password_hash=password_hash, email=f"{username}@example.cn")
        user.set_roles(roles)
        db.session.add(user)
        return user

    return person


def stages_around(today):
    """The plan's stages placed around ``today`` for plans.update_stages: 准备 over (its tasks
    overdue), 自评 ending in two days (due soon), the rest ahead."""
    from datetime import timedelta

    def days(start, end):
        return today + timedelta(days=start), today + timedelta(days=end)

    return {
        "prepare": ("准备阶段", *days(-60, -30)),
        "self_evaluate": ("自评阶段", *days(-28, 2)),
        "review": ("复核阶段", *days(3, 25)),
        "report": ("报送阶段", *days(26, 40)),
        "apply": ("结果应用", *days(41, 90)),
    }


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def postgres_database(server_url, prefix):
    """A database of this run's own on the server (dropped afterwards), so a bench never
    touches the test database or another run's."""
    from sqlalchemy import create_engine, make_url, text

    from config import normalise_database_url

    base = make_url(normalise_database_url(server_url.rstrip("/") + "/postgres"))
    name = f"{prefix}_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def gunicorn(database_url, instance, workers, log_path, secret, app_env="production", extra=()):
    """The app under gunicorn on a free port until the block ends; yields its base URL.
    The secure-cookie flag is off: the benches speak plain HTTP on loopback. ``extra``: more
    gunicorn options (a later option wins over the same one here, e.g. --timeout)."""
    port = free_port()
    env = dict(os.environ, APP_ENV=app_env, DATABASE_URL=database_url, SECRET_KEY=secret,
               INSTANCE_PATH=str(instance), MAIL_ENABLED="0", SESSION_COOKIE_SECURE="0")
    env.pop("TEST_DATABASE_URL", None)
    binary = Path(sys.executable).with_name("gunicorn")
    command = [str(binary) if binary.exists() else "gunicorn", "--workers", str(workers), "--bind",
               f"127.0.0.1:{port}", "--timeout", "60", "--log-level", "warning", *extra, "wsgi:app"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError("gunicorn stopped:\n" + Path(log_path).read_text(errors="replace")[-3000:])
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        stop(process)


def p95(values):
    if not values:
        return float("nan")
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[18]
