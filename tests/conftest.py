"""Fixtures shared by every test.

The database is the real thing: an SQLite file, or PostgreSQL when TEST_DATABASE_URL is set
(``make test`` runs the suite once on each). The schema is built by the Alembic migrations,
never by ``create_all``, and every test starts from empty tables.
"""
import os
import re
from contextlib import contextmanager, nullcontext

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, make_url, select, text

from config import normalise_database_url
from workflow import clock, create_app, flow
from workflow.engine import workdays
from workflow.extensions import db as _db
from workflow.maintenance import audit_guard
from workflow.roles import Role

# The workflow is installed when an app is created; tests that parametrize over its states
# read it at collection, before any app exists.
flow.register()

PASSWORD = "Passw0rd!x"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def _database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def _private_postgres_database(url):
    """A database of this test run's own on the given server, so that two runs (two
    developers, or CI beside a developer) never drop each other's tables. Falls back to the
    given database when the role may not create databases."""
    base = make_url(url)
    name = f"{base.database}_run_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
            # The tests commit thousands of times and never need a commit to survive a crash
            # of the server: not waiting for the WAL flush makes each commit cheap.
            connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    except Exception:  # noqa: BLE001 - no CREATEDB right: share the given database
        admin.dispose()
        return url, None
    return base.set(database=name).render_as_string(hide_password=False), (admin, name)


def _drop_private_database(handle):
    admin, name = handle
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def drop_everything(engine):
    """Start from an empty database, whatever an earlier run left behind."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        else:
            connection.execute(text("PRAGMA foreign_keys=OFF"))
            names = connection.execute(
                text("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
            ).scalars().all()
            for name in names:
                connection.execute(text(f'DROP TABLE "{name}"'))
            connection.execute(text("PRAGMA foreign_keys=ON"))
    # Pooled connections must not keep any setting changed here.
    engine.dispose()


class IsolatedClient(FlaskClient):
    """Every request runs in its own application context, as it does in production.

    The autouse ``app_context`` fixture keeps one context open for the whole test; Flask
    would reuse it for test requests, so ``g`` (where Flask-Login caches the signed-in user,
    Flask-Babel the language, Flask-WTF the CSRF token) and the database session would leak
    from one request, or one client, into another. Data a request changed is read back in
    the test after ``db.session.expire_all()`` or a fresh query.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = _database_url(tmp_path_factory)
    if not url.startswith("postgresql"):
        yield url
        return
    url, handle = _private_postgres_database(url)
    yield url
    if handle is not None:
        _drop_private_database(handle)


SIGNING_DEPARTMENT = "承德市应急管理局"
SIGNING_PASSWORD = "test-signing-password"


@pytest.fixture(scope="session")
def signing_p12(tmp_path_factory):
    """The department's signing key for this test run: made once, in a folder of its own
    (never the instance folder's default)."""
    from workflow.documents.signing import make_pkcs12

    path = tmp_path_factory.mktemp("signing") / "department.p12"
    path.write_bytes(make_pkcs12(SIGNING_DEPARTMENT, SIGNING_PASSWORD))
    return path


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory, signing_p12):
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")),
            "DOCUMENT_SIGNING_P12": str(signing_p12),
            "DOCUMENT_SIGNING_P12_PASSWORD": SIGNING_PASSWORD,
        },
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        drop_everything(_db.engine)
        upgrade()
    return app


@pytest.fixture(autouse=True)
def app_context(app, request):
    """Every test runs inside an application context and leaves empty tables behind: inside
    one transaction rolled back at the end (every commit of the test is a savepoint), or,
    for a test marked ``commits``, with real commits and the tables emptied afterwards."""
    with app.app_context():
        if request.node.get_closest_marker("commits") is not None:
            yield
            _db.session.rollback()
            _db.session.remove()
            truncate_all()
        else:
            with rolled_back(app):
                yield
    clock.freeze(None)
    workdays.forget_cached_days_off()


def _plain_report(template, data):
    """A one-page A4 PDF standing for a report: made by pypdf in a millisecond where WeasyPrint
    takes a quarter of a second, carrying a digest of the report's data (so two contents still
    give two files)."""
    import hashlib
    import io
    import json

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595.28, 841.89)
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    writer.add_metadata({"/Title": str(data.get("title", template)), "/Subject": digest})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def report_rendering(request, monkeypatch):
    """Approval freezes the report: it is rendered and signed in every walk to 已审批, which
    was about a third of the workflow tests' time. Only tests about documents (marked
    ``documents``) render reports with WeasyPrint; elsewhere the report's pages are
    _plain_report's, and everything around them (signing, the SHA-256, storing, serving) runs
    as in production."""
    if request.node.get_closest_marker("documents") is None:
        from workflow.documents import reports

        monkeypatch.setattr(reports, "render", _plain_report)


@contextmanager
def rolled_back(app):
    """Run the test on one connection inside a transaction that is rolled back at the end.
    Every session of the test (each request of the test client has its own) is bound to that
    connection and turns its commits into savepoints ("create_savepoint"), so the code under
    test commits and rolls back as it does in production while nothing outlives the test.
    Cheaper than emptying every table after each test, and the reason commits here cost a
    savepoint instead of a transaction."""
    engine = _db.engine
    connection = engine.connect()
    if engine.dialect.name == "sqlite":
        # pysqlite opens transactions on its own, after SELECTs, and would let a savepoint
        # outside one commit: the driver is told to leave them to SQLAlchemy, which begins
        # one explicitly (SQLAlchemy's documented recipe for SAVEPOINT on pysqlite).
        driver = connection.connection.dbapi_connection
        driver_mode, driver.isolation_level = driver.isolation_level, None
        event.listen(connection, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
    transaction = connection.begin()
    engines = _db._app_engines[app]
    _db.session.remove()
    engines[None] = connection
    options = _db.session.session_factory.kw
    options["join_transaction_mode"] = "create_savepoint"
    try:
        yield
    finally:
        # Whatever state the test left the session in, the next test gets the engine back.
        engines[None] = engine
        del options["join_transaction_mode"]
        try:
            _db.session.remove()
        finally:
            if transaction.is_active:
                transaction.rollback()
            if engine.dialect.name == "sqlite":
                driver.isolation_level = driver_mode  # as the pool handed it out
            connection.close()


def truncate_all():
    """Empty every table. DELETE is much faster than TRUNCATE on PostgreSQL for the handful
    of rows a test leaves behind. The audit log's triggers refuse DELETE, so when the test
    left audit records the cleanup lifts them within its own transaction, exactly as a
    restore does (workflow/maintenance/audit_guard.py); they are in force again when it
    commits, for the next test."""
    audit_records = _db.metadata.tables["audit_records"]
    with _db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Lifting the guard locks audit_records: a connection the test left inside a
            # transaction would make the cleanup wait for ever; fail and say so instead.
            connection.exec_driver_sql("SET LOCAL lock_timeout = '20s'")
        guard = audit_guard.lifted(connection) if connection.execute(
            select(audit_records.c.id).limit(1)).first() else nullcontext()
        with guard:
            for table in reversed(_db.metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture
def db():
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


# Factories: one layer, tests/factories.py ------------------------------------------------


@pytest.fixture
def section():
    from tests.factories import make_section

    return make_section()


@pytest.fixture
def admin_user():
    from tests.factories import make_user

    return make_user("admin", roles=[Role.ADMIN], full_name="管理员甲")


# HTTP helpers ---------------------------------------------------------------------------


def csrf_token(client):
    """The CSRF token of the client's session, read from any page's meta tag."""
    page = client.get("/auth/login", follow_redirects=True)
    match = CSRF_META.search(page.get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1)


def post(client, url, data=None, follow_redirects=False, **kwargs):
    """POST a form the way a browser does, with the session's CSRF token."""
    payload = dict(data or {})
    payload.setdefault("csrf_token", csrf_token(client))
    return client.post(url, data=payload, follow_redirects=follow_redirects, **kwargs)


def login(client, username, password=PASSWORD):
    response = post(client, "/auth/login", {"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def signed_in(app, user, password=PASSWORD):
    """A new browser of its own (own cookies), logged in as ``user``."""
    client = app.test_client()
    login(client, user.username, password)
    return client


@pytest.fixture
def login_as(client):
    """``login_as(user)`` signs the shared test client in as that user."""

    def _login(user, password=PASSWORD):
        login(client, user.username, password)
        return client

    return _login


def session_cookie(app, response):
    """The Set-Cookie header of the session cookie in ``response`` (its flags are tested)."""
    name = app.config["SESSION_COOKIE_NAME"]
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(name + "="):
            return header
    raise AssertionError(f"no {name} cookie set")


def pytest_collection_modifyitems(items):
    """A test that uses the live server's Chromium (tests/live_server.py) is a browser test,
    marked or not: ``-m browser`` must see every one of them. A browser test drives the pages'
    script and layout, which the database does not change: it is also ``any_database``."""
    for item in items:
        definitions = getattr(item, "_fixtureinfo", None)
        browsers = definitions.name2fixturedefs.get("browser", ()) if definitions else ()
        if any(d.func.__module__ == "tests.live_server" for d in browsers):
            item.add_marker(pytest.mark.browser)
        fixtures = definitions.name2fixturedefs.values() if definitions else ()
        if any(d.func.__module__ == "tests.live_server" for group in fixtures for d in group):
            # The live server answers from threads of its own, on connections of its own.
            item.add_marker(pytest.mark.commits)
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.any_database)
