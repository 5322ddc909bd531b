"""Configuration: every setting comes from the environment.

`APP_ENV` picks the profile: ``development`` (the embedded default: SQLite under
``instance/``, a secret key generated once and kept there), ``production`` (PostgreSQL or
SQLite given by ``DATABASE_URL``, ``SECRET_KEY`` required, secure cookies) or ``testing``.
"""
import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance")).resolve()


def _env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _env_bool(name, default=False):
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def normalise_database_url(url):
    """Let operators write the usual ``postgresql://`` URL; we ship the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def embedded_secret_key(instance_dir=INSTANCE_DIR):
    """The embedded default keeps one random key under instance/ so sessions survive restarts."""
    path = Path(instance_dir) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


class Config:
    APP_ENV = "development"
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'workflow.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = _env_int("SQLITE_BUSY_TIMEOUT_MS", 15000)
    # FULL: every commit is on disk before the page answers (a submitted form survives a power
    # cut). The tests turn it OFF: a killed process loses nothing either way, only the machine's
    # crash would, and there the fsync of every commit only slows the suite.
    SQLITE_SYNCHRONOUS = "FULL"

    SECRET_KEY = os.environ.get("SECRET_KEY")

    # Sessions: signed cookies (nothing in process memory), expiring after a working day.
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=_env_int("SESSION_LIFETIME_MINUTES", 480))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True

    # Login throttling, counted in the database so it holds across workers and hosts.
    LOGIN_WINDOW_MINUTES = _env_int("LOGIN_WINDOW_MINUTES", 15)
    LOGIN_MAX_FAILURES_PER_ACCOUNT = _env_int("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5)
    LOGIN_MAX_FAILURES_PER_ADDRESS = _env_int("LOGIN_MAX_FAILURES_PER_ADDRESS", 20)
    PASSWORD_MIN_LENGTH = _env_int("PASSWORD_MIN_LENGTH", 8)
    PASSWORD_HASH_METHOD = "scrypt"  # Werkzeug's default: deliberately slow
    # One-time links to set one's own password (new people, 重置密码链接): valid this many days.
    PASSWORD_LINK_DAYS = _env_int("PASSWORD_LINK_DAYS", 7)
    # The address people reach the app by, for links sent by mail or shown as a QR code
    # (MEETING_PUBLIC_URL when unset, then the address of the request that made the link).
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "")

    # Uploads (evidence files come later); Flask answers 413 above this.
    MAX_CONTENT_LENGTH = _env_int("MAX_UPLOAD_MB", 20) * 1024 * 1024
    EVIDENCE_MAX_MB = _env_int("EVIDENCE_MAX_MB", 20)  # one evidence file (佐证材料)
    # An uploaded Word or Excel file (evidence, meeting attachment, project import) is opened
    # before it is kept (workflow/office_files.py): at most this much inflated in all, no part
    # inflating more than this many times its compressed size, at most this many parts.
    OFFICE_MAX_UNCOMPRESSED_MB = _env_int("OFFICE_MAX_UNCOMPRESSED_MB", 50)
    OFFICE_MAX_RATIO = _env_int("OFFICE_MAX_RATIO", 100)
    OFFICE_MAX_PARTS = _env_int("OFFICE_MAX_PARTS", 1000)

    # Mail (reminders and notices).
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "jxpj@localhost")
    MAIL_ENABLED = _env_bool("MAIL_ENABLED", False)
    # The outbox's sender (flask --app wsgi send-mail): a socket timeout per SMTP step, the
    # back-off after a failed attempt (doubling from the first delay up to the longest), the
    # attempts before giving up, how long a sender's claim on a message holds (a sender that
    # died releases it after this), and how often the long-running sender looks for mail.
    MAIL_TIMEOUT_SECONDS = _env_int("MAIL_TIMEOUT_SECONDS", 10)
    MAIL_RETRY_FIRST_SECONDS = _env_int("MAIL_RETRY_FIRST_SECONDS", 60)
    MAIL_RETRY_MAX_SECONDS = _env_int("MAIL_RETRY_MAX_SECONDS", 3600)
    MAIL_MAX_ATTEMPTS = _env_int("MAIL_MAX_ATTEMPTS", 12)
    MAIL_CLAIM_SECONDS = _env_int("MAIL_CLAIM_SECONDS", 300)
    MAIL_POLL_SECONDS = _env_int("MAIL_POLL_SECONDS", 30)

    # The department's signature on the reports frozen at approval: a PKCS#12 the office
    # configures (path and password), or by default a self-signed key in the department's name
    # (DEPARTMENT_NAME, else the plan's 主管部门) made once under instance/signing/. The 验真
    # page reads uploads up to VERIFY_MAX_MB.
    DOCUMENT_SIGNING_P12 = os.environ.get("DOCUMENT_SIGNING_P12") or None
    DOCUMENT_SIGNING_P12_PASSWORD = os.environ.get("DOCUMENT_SIGNING_P12_PASSWORD") or None
    DEPARTMENT_NAME = os.environ.get("DEPARTMENT_NAME", "").strip()
    VERIFY_MAX_MB = _env_int("VERIFY_MAX_MB", 20)

    # Tasks due within this many days are listed as 即将到期 and get a reminder.
    DUE_SOON_DAYS = _env_int("DUE_SOON_DAYS", 3)

    # Meetings: the sign-in window's defaults (minutes before / after the start), the QR code's
    # rotation period and how many earlier periods are still accepted, how long a scanned code
    # lets the phone finish signing in (a login included), the projector's refresh, the
    # address phones reach the app at (when the projector PC uses another), attachment size.
    MEETING_SIGNIN_OPENS_BEFORE_MINUTES = _env_int("MEETING_SIGNIN_OPENS_BEFORE_MINUTES", 60)
    MEETING_SIGNIN_CLOSES_AFTER_MINUTES = _env_int("MEETING_SIGNIN_CLOSES_AFTER_MINUTES", 30)
    SIGNIN_TOKEN_PERIOD_SECONDS = _env_int("SIGNIN_TOKEN_PERIOD_SECONDS", 45)
    SIGNIN_TOKEN_GRACE_PERIODS = _env_int("SIGNIN_TOKEN_GRACE_PERIODS", 2)
    SIGNIN_PASS_SECONDS = _env_int("SIGNIN_PASS_SECONDS", 300)
    MEETING_BOARD_REFRESH_SECONDS = _env_int("MEETING_BOARD_REFRESH_SECONDS", 3)
    MEETING_PUBLIC_URL = os.environ.get("MEETING_PUBLIC_URL", "")
    # The name every iCal UID ends in (task-3@jxpj): the installation's, fixed, never the host
    # name of a request, so that a calendar subscribed through two addresses sees each event
    # once. Set it to the office's server name when two installations feed one calendar.
    CALENDAR_UID_DOMAIN = os.environ.get("CALENDAR_UID_DOMAIN", "").strip() or "jxpj"
    MEETING_ATTACHMENT_MAX_MB = _env_int("MEETING_ATTACHMENT_MAX_MB", 10)

    # Directory sign-in (LDAP / Active Directory), off unless LDAP_URL is set
    # (workflow/auth/directory.py; README, "Directory sign-in"). The search account (anonymous
    # when unset) finds the login name under the base DN with the filter; the person's own
    # password is then checked by binding as them. Group mappings ("group=role,..." and
    # "group=科室名,...") make roles and sections follow the directory's groups at every
    # sign-in; LDAP_LOCAL_USERS keep the app's own password (the administrator's way in).
    LDAP_URL = os.environ.get("LDAP_URL", "").strip()
    LDAP_START_TLS = _env_bool("LDAP_START_TLS", False)
    LDAP_CA_CERT_FILE = os.environ.get("LDAP_CA_CERT_FILE") or None
    LDAP_TIMEOUT_SECONDS = _env_int("LDAP_TIMEOUT_SECONDS", 5)
    LDAP_BIND_DN = os.environ.get("LDAP_BIND_DN", "")
    LDAP_BIND_PASSWORD = os.environ.get("LDAP_BIND_PASSWORD", "")
    LDAP_BASE_DN = os.environ.get("LDAP_BASE_DN", "")
    LDAP_USER_FILTER = os.environ.get("LDAP_USER_FILTER") or "(uid={login})"
    LDAP_NAME_ATTRIBUTE = os.environ.get("LDAP_NAME_ATTRIBUTE") or "cn"
    LDAP_EMAIL_ATTRIBUTE = os.environ.get("LDAP_EMAIL_ATTRIBUTE") or "mail"
    LDAP_PHONE_ATTRIBUTE = os.environ.get("LDAP_PHONE_ATTRIBUTE") or "telephoneNumber"
    LDAP_TITLE_ATTRIBUTE = os.environ.get("LDAP_TITLE_ATTRIBUTE") or "title"
    LDAP_GROUP_BASE_DN = os.environ.get("LDAP_GROUP_BASE_DN", "")
    LDAP_GROUP_FILTER = os.environ.get("LDAP_GROUP_FILTER") or "(member={dn})"
    LDAP_GROUP_NAME_ATTRIBUTE = os.environ.get("LDAP_GROUP_NAME_ATTRIBUTE") or "cn"
    LDAP_GROUP_ROLES = os.environ.get("LDAP_GROUP_ROLES", "")
    LDAP_GROUP_SECTIONS = os.environ.get("LDAP_GROUP_SECTIONS", "")
    LDAP_LOCAL_USERS = os.environ.get("LDAP_LOCAL_USERS", "")

    # Language: Chinese by default, English available.
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("APP_TIMEZONE", "Asia/Shanghai")
    LANGUAGES = {"zh_CN": "中文", "en": "English"}

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session, which expires itself
    WTF_I18N_ENABLED = True

    # Behind a reverse proxy in production: how many proxies to trust for the client address.
    PROXY_FIX_X_FOR = _env_int("PROXY_FIX_X_FOR", 0)

    @classmethod
    def secret_key(cls, instance_dir):
        """The key to sign sessions with; refuse to start when it is missing. (Read per app,
        never stored on the class: two apps with two instance folders keep two keys.)"""
        return cls.SECRET_KEY or embedded_secret_key(instance_dir)


class DevelopmentConfig(Config):
    pass


class ProductionConfig(Config):
    APP_ENV = "production"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PREFERRED_URL_SCHEME = "https"

    @classmethod
    def secret_key(cls, instance_dir):
        if not cls.SECRET_KEY:
            raise RuntimeError("SECRET_KEY must be set in production (APP_ENV=production).")
        return cls.SECRET_KEY


class TestingConfig(Config):
    APP_ENV = "testing"
    TESTING = True
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("TEST_DATABASE_URL") or "sqlite:///:memory:"
    )
    SECRET_KEY = "testing-secret-key"
    # Hundreds of test users: a fast hash keeps the suite quick; production keeps scrypt.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    SQLITE_SYNCHRONOUS = "OFF"
    SERVER_NAME = None


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}


def get_config(name=None):
    name = name or os.environ.get("APP_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"Unknown APP_ENV {name!r}; use one of {', '.join(CONFIGS)}") from None
