"""The Alembic migrations build the schema the models describe, on SQLite and PostgreSQL.

Each test works on its own empty database (a temporary SQLite file, or a throwaway
PostgreSQL database when TEST_DATABASE_URL is set) with its own app, so the session's
database, which every other test uses, is never dropped or downgraded.
"""
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, make_url, text

from workflow import PROJECT_DIR, create_app
from workflow.extensions import db as _db

# Real commits: the migrations run on the engine itself.
pytestmark = pytest.mark.commits


MIGRATIONS = PROJECT_DIR / "migrations"
# The tables of the first revision; later revisions add theirs (checked against the models).
FOUNDATION_TABLES = {"sections", "users", "user_roles", "login_failures"}


def head_revision():
    heads = ScriptDirectory(str(MIGRATIONS)).get_heads()
    assert len(heads) == 1, f"the migrations must have exactly one head, found {heads}"
    return heads[0]


def model_tables():
    return set(_db.metadata.tables)


def version_in_database():
    with _db.engine.connect() as connection:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()


def table_names():
    return set(inspect(_db.engine).get_table_names())


def schema_differences():
    """What autogenerate would put in a new revision: must be nothing."""
    with _db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        return compare_metadata(context, _db.metadata)


@pytest.fixture
def fresh_app(database_url, tmp_path):
    """An app on a new, empty database of the same kind as the test database."""
    url = make_url(database_url)
    throwaway = None
    if url.get_backend_name() == "postgresql":
        throwaway = f"test_migrations_{uuid.uuid4().hex[:12]}"
        admin_engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin_engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{throwaway}"'))
        fresh_url = url.set(database=throwaway).render_as_string(hide_password=False)
    else:
        fresh_url = f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    app = create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": fresh_url, "INSTANCE_PATH": str(tmp_path / "instance")},
    )
    try:
        with app.app_context():
            yield app
            _db.session.remove()
            for engine in _db.engines.values():
                engine.dispose()
    finally:
        if throwaway:
            with admin_engine.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{throwaway}" WITH (FORCE)'))
            admin_engine.dispose()


def test_fresh_database_is_really_separate(fresh_app, database_url):
    assert _db.engine.url.render_as_string(hide_password=False) != database_url
    assert table_names() == set()


def test_upgrade_from_empty_to_head(fresh_app):
    assert table_names() == set()
    upgrade()
    assert version_in_database() == [head_revision()]
    tables = table_names()
    assert FOUNDATION_TABLES <= tables
    # Every model's table, and nothing else but Alembic's bookkeeping.
    assert tables == model_tables() | {"alembic_version"}


def test_models_and_migrations_agree(fresh_app):
    """Nobody may change a model without a migration (or create tables behind its back)."""
    upgrade()
    differences = schema_differences()
    assert differences == [], (
        "the models and the migrations differ; write a migration "
        "(flask --app wsgi db migrate -m '...') and review it:\n"
        + "\n".join(repr(difference) for difference in differences)
    )


def test_downgrade_to_base_and_upgrade_again(fresh_app):
    upgrade()
    # Data does not stop a downgrade (foreign keys included).
    with _db.engine.begin() as connection:
        connection.execute(text("INSERT INTO sections (name, is_office, active, sort_order) VALUES ('办公室', false, true, 10)"))
    downgrade(revision="base")
    assert table_names() <= {"alembic_version"}, "downgrade to base left tables behind"
    assert version_in_database() == []

    upgrade()
    assert version_in_database() == [head_revision()]
    assert table_names() == model_tables() | {"alembic_version"}
    assert schema_differences() == []
    # A clean slate: the old rows went with the dropped tables.
    with _db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM sections")).scalar() == 0


def test_every_revision_downgrades_one_step_at_a_time(fresh_app):
    """Walk down the chain one revision at a time, then back up: each downgrade undoes
    exactly its own upgrade."""
    upgrade()
    script = ScriptDirectory(str(MIGRATIONS))
    revisions = list(script.walk_revisions())  # head first
    for revision in revisions:
        assert version_in_database() == [revision.revision]
        downgrade(revision="-1")
    assert version_in_database() == []
    upgrade()
    assert version_in_database() == [head_revision()]


def test_session_database_is_at_head():
    """The database every other test uses was built by the migrations and is at head."""
    assert version_in_database() == [head_revision()]
    assert table_names() == model_tables() | {"alembic_version"}


def test_0011_splits_numbered_outline_titles_into_chapters_and_back(fresh_app):
    """Outlines written with typed numbers become chapters and part titles without numbers,
    with a preamble first; the downgrade writes the numbers back as they were."""
    upgrade(revision="0010")
    old = [("overview", "一、基本情况（一）项目概况", 0), ("goals", "（二）项目绩效目标", 1),
           ("purpose", "二、绩效评价工作开展情况（一）绩效评价目的", 2), ("funding", "（二）项目资金实际使用等情况", 3),
           ("conclusion", "三、综合评价情况及评价结论", 4), ("problems", "四、问题（一）存在的问题", 5)]
    with _db.engine.begin() as connection:
        connection.execute(text("INSERT INTO plans (id, title, budget_year, run_year, basis_documents, principles, method,"
                                " requirements, framework, result_summary, created_at) VALUES (1, '方案', 2019, 2020, '[]',"
                                " '', '', '', 'self', '', '2020-06-01 00:00:00')"))
        for key, title, order in old:
            connection.execute(text("INSERT INTO plan_report_sections (plan_id, key, title, hint, required, sort_order)"
                                    " VALUES (1, :key, :title, '', true, :order)"), {"key": key, "title": title, "order": order})
    upgrade(revision="0011")
    with _db.engine.connect() as connection:
        rows = connection.execute(text("SELECT key, chapter, title, cites_annex FROM plan_report_sections"
                                       " ORDER BY sort_order")).all()
    assert [tuple(row) for row in rows] == [
        ("preamble", "", "", False),
        ("overview", "基本情况", "项目概况", False), ("goals", "基本情况", "项目绩效目标", False),
        ("purpose", "绩效评价工作开展情况", "绩效评价目的", False),
        ("funding", "绩效评价工作开展情况", "项目资金实际使用等情况", False),
        ("conclusion", "综合评价情况及评价结论", "", True), ("problems", "问题", "存在的问题", False)]
    downgrade(revision="0010")
    with _db.engine.connect() as connection:
        back = connection.execute(text("SELECT key, title, sort_order FROM plan_report_sections ORDER BY sort_order")).all()
    assert [tuple(row) for row in back] == old


def test_0014_keeps_every_plans_stages_and_sections(fresh_app):
    """0014 adds columns to plans through Alembic's batch mode, which on SQLite copies the
    table and drops the old one: with foreign keys on, that drop cascaded to every stage. The
    migrations run with foreign keys off (migrations/env.py), and nothing is lost."""
    upgrade(revision="0013")
    with _db.engine.begin() as connection:
        connection.execute(text("INSERT INTO plans (id, title, budget_year, run_year, basis_documents, principles, method,"
                                " requirements, framework, result_summary, created_at) VALUES (1, '方案', 2019, 2020, '[]',"
                                " '', '', '', 'self', '', '2020-06-01 00:00:00')"))
        connection.execute(text("INSERT INTO stages (plan_id, kind, name, sort_order) VALUES (1, 'prepare', '准备阶段', 0)"))

    def counts():
        with _db.engine.connect() as connection:
            return [connection.execute(text(f"SELECT count(*) FROM {name}")).scalar()
                    for name in ("plans", "stages", "plan_report_sections")]

    before = counts()
    assert before[:2] == [1, 1]
    upgrade()
    assert counts() == before
    with _db.engine.connect() as connection:
        assert connection.execute(text("SELECT review_rule FROM plans")).scalar() == "one"


def test_0015_drops_the_session_version_in_place_keeping_users_and_what_refers_to_them(fresh_app):
    """0015 drops users.session_version without Alembic's batch copy of users: on SQLite the
    copy drops the old table under the foreign keys, whose ON DELETE CASCADE would take every
    user's roles and tokens with it."""
    upgrade(revision="0014")
    with _db.engine.begin() as connection:
        connection.execute(text("INSERT INTO users (id, username, full_name, title, phone, email, active,"
                                " password_hash, must_change_password, session_version, created_at)"
                                " VALUES (1, 'zhangsan', '张三', '', '', '', true, 'x', false, 3, '2020-06-01 00:00:00')"))
        connection.execute(text("INSERT INTO user_roles (user_id, role) VALUES (1, 'reviewer')"))
        connection.execute(text("INSERT INTO api_tokens (user_id, name, token_hash, hint, created_at)"
                                " VALUES (1, '接口', 'hash', 'jxpj_abcd', '2020-06-01 00:00:00')"))

    def rows():
        with _db.engine.connect() as connection:
            return [connection.execute(text(f"SELECT count(*) FROM {name}")).scalar()
                    for name in ("users", "user_roles", "api_tokens")]

    upgrade(revision="0015")
    assert rows() == [1, 1, 1]
    assert "session_version" not in {c["name"] for c in inspect(_db.engine).get_columns("users")}
    assert "user_sessions" in table_names()
    downgrade(revision="0014")
    assert rows() == [1, 1, 1]
    with _db.engine.connect() as connection:
        assert connection.execute(text("SELECT session_version FROM users")).scalar() == 1
