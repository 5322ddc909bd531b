"""绩效评价工作台: the application factory."""
import logging
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from config import INSTANCE_DIR, get_config

PROJECT_DIR = Path(__file__).resolve().parent.parent


def create_app(config_name=None, overrides=None):
    config = get_config(config_name)
    instance_dir = Path((overrides or {}).get("INSTANCE_PATH", INSTANCE_DIR))
    instance_dir.mkdir(parents=True, exist_ok=True)
    app = Flask(
        __name__,
        instance_path=str(instance_dir),
        template_folder=str(PROJECT_DIR / "templates"),
    )
    from workflow import input_guard

    # Before any route and hook: ids beyond INTEGER find no route, NUL characters are refused.
    input_guard.init_app(app)
    app.config.from_object(config)
    if overrides:
        app.config.update(overrides)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.secret_key(instance_dir)
    if app.config["PROXY_FIX_X_FOR"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=1)

    from workflow.auth import directory

    directory.check_settings(app.config)  # directory sign-in, when LDAP_URL is set
    _init_extensions(app)
    # The workflow is declared above the features and installed into the engine here.
    from workflow import flow

    flow.register()
    _register_blueprints(app)

    from workflow import static_assets, web

    web.init_app(app)
    static_assets.init_app(app)

    from workflow import cli

    cli.init_app(app)

    if not app.debug and not app.testing:
        app.logger.setLevel(logging.INFO)
    return app


def _init_extensions(app):
    from workflow import i18n, read_only
    from workflow.extensions import babel, csrf, db, login_manager, migrate

    db.init_app(app)
    read_only.init_app(app, db)
    migrate.init_app(app, db, directory=str(PROJECT_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=None)
    i18n.init_app(app)
    login_manager.init_app(app)

    from workflow.auth import services as auth_services

    from workflow.api import auth as api_auth

    # Pages: the session. API paths: only a bearer token (workflow/api/auth.py says why).
    login_manager.user_loader(api_auth.session_loader(auth_services.load_user))
    login_manager.request_loader(api_auth.load_from_request)
    login_manager.login_view = "auth.login"
    login_manager.login_message = i18n.LOGIN_REQUIRED_MESSAGE
    login_manager.login_message_category = "warning"
    # Import the models so that Alembic and the metadata see every table.
    import workflow.models  # noqa: F401


def _register_blueprints(app):
    from workflow.admin import bp as admin_bp
    from workflow.auth import bp as auth_bp
    from workflow.department import bp as department_bp
    from workflow.evaluations import bp as evaluations_bp
    from workflow.evidence import bp as evidence_bp
    from workflow.excel import bp as excel_bp
    from workflow.library import bp as library_bp
    from workflow.main import bp as main_bp
    from workflow.meetings import bp as meetings_bp
    from workflow.monitoring import bp as monitoring_bp
    from workflow.overview import bp as overview_bp
    from workflow.plans import bp as plans_bp
    from workflow.results import bp as results_bp
    from workflow.review import bp as review_bp
    from workflow.selfeval import bp as selfeval_bp
    from workflow.submissions import bp as submissions_bp
    from workflow.targets import bp as targets_bp
    from workflow.tokens import bp as tokens_bp
    from workflow.verify import bp as verify_bp
    from workflow.work import bp as work_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(plans_bp, url_prefix="/plans")
    app.register_blueprint(results_bp, url_prefix="/plans")
    app.register_blueprint(evaluations_bp, url_prefix="/evaluations")
    app.register_blueprint(evidence_bp, url_prefix="/evaluations")
    app.register_blueprint(selfeval_bp, url_prefix="/evaluations")
    app.register_blueprint(review_bp, url_prefix="/evaluations")
    app.register_blueprint(submissions_bp, url_prefix="/submissions")
    app.register_blueprint(targets_bp, url_prefix="/targets")
    app.register_blueprint(work_bp, url_prefix="/work")
    app.register_blueprint(overview_bp, url_prefix="/overview")
    app.register_blueprint(meetings_bp, url_prefix="/meetings")
    app.register_blueprint(monitoring_bp, url_prefix="/monitoring")
    app.register_blueprint(excel_bp, url_prefix="/excel")
    app.register_blueprint(library_bp, url_prefix="/library")
    app.register_blueprint(tokens_bp, url_prefix="/account/tokens")
    app.register_blueprint(verify_bp, url_prefix="/verify")
    app.register_blueprint(department_bp, url_prefix="/department")

    from workflow import api

    api.init_app(app)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: WAL so readers never block the writer, commits synced as configured, a busy timeout instead of instant
    'database is locked' errors, and foreign keys enforced as on PostgreSQL."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    from flask import current_app

    try:
        timeout = current_app.config["SQLITE_BUSY_TIMEOUT_MS"]
        synchronous = current_app.config["SQLITE_SYNCHRONOUS"]
    except RuntimeError:
        timeout, synchronous = 15000, "FULL"
    if synchronous not in ("FULL", "NORMAL", "OFF"):
        synchronous = "FULL"
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA synchronous={synchronous}")
    cursor.execute(f"PRAGMA busy_timeout={int(timeout)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
