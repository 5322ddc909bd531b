"""Configuration from the environment, the database connection settings, and the error pages."""
import os
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

import config
from config import normalise_database_url
from tests.conftest import login, post
from tests.factories import make_user
from workflow import PROJECT_DIR, create_app
from workflow.extensions import db as _db
from workflow.models import User
from workflow.permissions import public
from workflow.roles import Role

# DATABASE_URL -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given, expected",
    [
        ("postgres://jx:secret@db.local:5432/jxpj", "postgresql+psycopg://jx:secret@db.local:5432/jxpj"),
        ("postgresql://jx:secret@db.local/jxpj", "postgresql+psycopg://jx:secret@db.local/jxpj"),
        ("postgresql://postgres@127.0.0.1:5432/test", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
        ("postgresql+psycopg://jx@db/jxpj", "postgresql+psycopg://jx@db/jxpj"),
        ("sqlite:////srv/jxpj/workflow.sqlite3", "sqlite:////srv/jxpj/workflow.sqlite3"),
        ("sqlite:///:memory:", "sqlite:///:memory:"),
    ],
)
def test_database_url_normalisation(given, expected):
    assert normalise_database_url(given) == expected


def _config_in_a_fresh_interpreter(tmp_path, expression, **env):
    """Import config.py with the given environment (it reads it at import time)."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "TEST_DATABASE_URL", "APP_ENV", "SECRET_KEY"}
    }
    environment.update(INSTANCE_PATH=str(tmp_path / "instance"), **env)
    result = subprocess.run(
        [sys.executable, "-c", f"import config; print({expression})"],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_database_url_from_the_environment_is_normalised(tmp_path):
    expression = "config.ProductionConfig.SQLALCHEMY_DATABASE_URI"
    assert (
        _config_in_a_fresh_interpreter(tmp_path, expression, DATABASE_URL="postgres://jx:pw@db/jxpj")
        == "postgresql+psycopg://jx:pw@db/jxpj"
    )
    assert (
        _config_in_a_fresh_interpreter(tmp_path, expression, DATABASE_URL="postgresql://jx:pw@db/jxpj")
        == "postgresql+psycopg://jx:pw@db/jxpj"
    )
    expression = "config.TestingConfig.SQLALCHEMY_DATABASE_URI"
    assert (
        _config_in_a_fresh_interpreter(tmp_path, expression, TEST_DATABASE_URL="postgres://p@h/t")
        == "postgresql+psycopg://p@h/t"
    )


def test_embedded_default_is_sqlite_under_the_instance_folder(tmp_path):
    uri = _config_in_a_fresh_interpreter(tmp_path, "config.DevelopmentConfig.SQLALCHEMY_DATABASE_URI")
    assert uri == f"sqlite:///{(tmp_path / 'instance').resolve() / 'workflow.sqlite3'}"


# Profiles -------------------------------------------------------------------------------


def test_unknown_app_env_raises(monkeypatch):
    with pytest.raises(RuntimeError, match="staging"):
        config.get_config("staging")
    monkeypatch.setenv("APP_ENV", "prod")
    with pytest.raises(RuntimeError, match="Unknown APP_ENV 'prod'"):
        config.get_config()
    with pytest.raises(RuntimeError, match="Unknown APP_ENV"):
        create_app()


def test_known_app_env_from_the_environment(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    assert config.get_config() is config.ProductionConfig
    monkeypatch.setenv("APP_ENV", "testing")
    assert config.get_config() is config.TestingConfig
    monkeypatch.delenv("APP_ENV")
    assert config.get_config() is config.DevelopmentConfig


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", None)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(
            "production",
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite3'}", "INSTANCE_PATH": str(tmp_path)},
        )


# The database connection ----------------------------------------------------------------


def _pragmas(connection):
    return {
        name: connection.execute(text(f"PRAGMA {name}")).scalar()
        for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")
    }


@pytest.mark.commits  # reads the engine's own connections
def test_test_database_connection_settings(app):
    engine = _db.engine
    if os.environ.get("TEST_DATABASE_URL"):
        assert engine.dialect.name == "postgresql"
        assert engine.dialect.driver == "psycopg"
        return
    assert engine.dialect.name == "sqlite"
    # conftest's drop_everything() leaves PRAGMA foreign_keys=OFF on the connection it
    # returns to the pool; start from fresh connections to see what the app sets up.
    engine.dispose()
    with engine.connect() as connection:
        assert _pragmas(connection) == {
            "journal_mode": "wal",
            "busy_timeout": app.config["SQLITE_BUSY_TIMEOUT_MS"],
            "foreign_keys": 1,
            "synchronous": 0,  # OFF: the tests' setting
        }


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path):
    """On every run, whatever TEST_DATABASE_URL says: a SQLite file of its own, and the
    busy timeout taken from the app's configuration."""
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'pragmas.sqlite3'}",
            "INSTANCE_PATH": str(tmp_path),
            "SQLITE_BUSY_TIMEOUT_MS": 4321,
            "SQLITE_SYNCHRONOUS": "FULL",  # what every configuration but the tests' says
        },
    )
    with app.app_context():
        try:
            with _db.engine.connect() as first, _db.engine.connect() as second:
                # Every pooled connection, not just the first one.
                for connection in (first, second):
                    assert _pragmas(connection) == {"journal_mode": "wal", "busy_timeout": 4321, "foreign_keys": 1,
                                                         "synchronous": 2}
        finally:
            _db.engine.dispose()


@pytest.mark.commits  # reads the engine's own connections
def test_foreign_keys_are_enforced(db):
    """A user in a section that does not exist is refused, on SQLite as on PostgreSQL."""
    db.engine.dispose()  # fresh connections: see test_test_database_connection_settings
    user = User(username="ghost", full_name="无科室", section_id=987654, password_hash="x")
    db.session.add(user)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(text("SELECT count(*) FROM users")) == 0


# Error pages ----------------------------------------------------------------------------


@pytest.fixture
def error_app(database_url, tmp_path):
    """A separate app on the same database: small uploads, a failing page, a page that
    forgot to declare who may see it, and exceptions turned into 500 pages."""
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_PATH": str(tmp_path),
            "MAX_CONTENT_LENGTH": 1024,
            "PROPAGATE_EXCEPTIONS": False,
        },
    )

    @public
    def boom():
        raise RuntimeError("deliberate failure for the 500 page")

    def undeclared():
        return "should never be shown"

    app.add_url_rule("/test-boom", "test_boom", boom)
    app.add_url_rule("/test-undeclared", "test_undeclared", undeclared)
    with app.app_context():
        yield app
        _db.session.remove()
        for engine in _db.engines.values():
            engine.dispose()


def _assert_chinese_error_page(response, code, title):
    assert response.status_code == code
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert '<html lang="zh-CN">' in body
    assert f'<div class="display-5 text-muted">{code}</div>' in body
    assert f"<h1 class=\"h3 mt-2\">{title}</h1>" in body
    assert "返回工作台" in body
    return body


def test_403_page(client, section):
    make_user("staff", roles=[Role.SECTION_STAFF], section=section, full_name="科员甲")
    login(client, "staff")
    response = client.get("/admin/users")
    body = _assert_chinese_error_page(response, 403, "无权访问")
    assert "请联系管理员" in body


def test_403_for_a_page_without_an_access_rule(error_app):
    response = error_app.test_client().get("/test-undeclared")
    _assert_chinese_error_page(response, 403, "无权访问")
    assert "should never be shown" not in response.get_data(as_text=True)


def test_404_page(client):
    body = _assert_chinese_error_page(client.get("/no-such-page"), 404, "页面不存在")
    assert "您访问的页面不存在或已被删除" in body


def test_405_page(client):
    response = client.get("/auth/logout")  # logging out is POST only
    body = _assert_chinese_error_page(response, 405, "请求方式不允许")
    assert "此页面不支持该操作方式" in body


def test_413_page(error_app):
    client = error_app.test_client()
    response = client.post(
        "/auth/login",
        data={"username": "x" * 4096, "password": "y"},
    )
    body = _assert_chinese_error_page(response, 413, "文件过大")
    assert "上传的内容超过了系统允许的大小" in body


def test_413_page_on_the_real_limit(client, app):
    """The configured limit of the normal app (MAX_UPLOAD_MB) answers 413 too."""
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit == int(os.environ.get("MAX_UPLOAD_MB") or 20) * 1024 * 1024
    response = client.post(
        "/auth/login",
        data=b"a=" + b"x" * (limit + 1),
        content_type="application/x-www-form-urlencoded",
    )
    _assert_chinese_error_page(response, 413, "文件过大")


def test_500_page(error_app, caplog):
    response = error_app.test_client().get("/test-boom")
    body = _assert_chinese_error_page(response, 500, "系统错误")
    assert "系统处理请求时出错" in body
    # The details go to the log, never to the page.
    assert "deliberate failure" not in body
    assert "Traceback" not in body
    assert any("deliberate failure" in str(record.exc_info[1]) for record in caplog.records if record.exc_info)


def test_error_pages_follow_the_chosen_language(app, client):
    """Chinese by default, but someone who picked English reads the error in English.

    Each request gets an application context of its own, as in production: Flask-Babel
    caches the locale on the app context, which the tests otherwise share between requests."""
    with app.app_context():
        assert '<html lang="zh-CN">' in client.get("/no-such-page").get_data(as_text=True)
    with app.app_context():
        post(client, "/language/en")
    with app.app_context():
        response = client.get("/no-such-page")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert '<html lang="en">' in body
    assert english("页面不存在") in body
    assert "页面不存在" not in body


def english(msgid):
    """The English catalogue's translation of ``msgid``, whatever wording was chosen."""
    with (PROJECT_DIR / "workflow/translations/en/LC_MESSAGES/messages.po").open("rb") as handle:
        message = read_po(handle).get(msgid)
    assert message is not None and message.string, f"no English translation for {msgid!r}"
    return message.string


def test_405_keeps_the_allow_header(client):
    response = client.get("/auth/logout")
    assert response.status_code == 405
    assert "POST" in response.headers.get("Allow", "")
    assert "请求方式不允许" in response.get_data(as_text=True)
