"""Language choice: Chinese unless the user picked English; the choice is remembered on the
user's record (and in the session before logging in)."""
from datetime import date, datetime

from flask import current_app, g, has_request_context, session
from flask_babel import Domain, format_date, format_datetime, get_timezone
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pytz import UTC

LOGIN_REQUIRED_MESSAGE = _l("请先登录。")
SESSION_KEY = "locale"


def select_locale():
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and background work speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    chosen = session.get(SESSION_KEY)
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


class RequestDomain(Domain):
    """Flask-Babel's message domain, looking the catalogue up once per request.

    Every translated text of a page (a hundred on a busy one) asks the domain for the
    catalogue, which Flask-Babel finds again each time (the context, the locale, its name,
    the cache). The answer is kept in ``g`` with the locale object it was found for, as
    Flask-Babel keeps it for the request (``g._flask_babel.babel_locale``): force_locale() or
    refresh() replace that object, and the catalogue is looked up again. Should Flask-Babel
    keep the locale elsewhere one day, nothing is remembered and every text asks Flask-Babel,
    as before: slower, never wrong. Nothing is kept across requests (``g`` is per request)."""

    def get_translations(self):
        try:
            request_g = g._get_current_object()
        except RuntimeError:  # no app context: Flask-Babel's own answer (no translation)
            return super().get_translations()
        locale = getattr(getattr(request_g, "_flask_babel", None), "babel_locale", None)
        memo = getattr(request_g, "_i18n_translations", None)
        if locale is not None and memo is not None and memo[0] is locale and memo[1] is self:
            return memo[2]
        translations = super().get_translations()  # settles the request's locale
        locale = getattr(getattr(request_g, "_flask_babel", None), "babel_locale", None)
        request_g._i18n_translations = (locale, self, translations)
        return translations


# The date patterns the templates use are numbers only: no month or day names, no AM/PM, the
# same digits in every language. Babel parses and applies each pattern for the locale, about
# a hundred calls per date; a page shows dozens (an evaluation's history, the timelines).
# These give exactly Babel's text for those patterns (years of four digits), in the user's
# time zone as Flask-Babel's filters do; any other pattern goes to Flask-Babel.
_NUMERIC_PATTERNS = {
    "yyyy-MM-dd HH:mm": "{0.year:04d}-{0.month:02d}-{0.day:02d} {0.hour:02d}:{0.minute:02d}",
    "yyyy-MM-dd": "{0.year:04d}-{0.month:02d}-{0.day:02d}",
    "MM-dd": "{0.month:02d}-{0.day:02d}",
}


def _user_zone():
    """The request's time zone as Flask-Babel settled it (``g._flask_babel.babel_tzinfo``, which
    its refresh() drops), read without the four context look-ups of get_timezone(); asked of
    Flask-Babel when not settled yet or when Flask-Babel keeps it elsewhere one day."""
    try:
        request_g = g._get_current_object()
    except RuntimeError:  # no app context
        return get_timezone()
    zone = getattr(getattr(request_g, "_flask_babel", None), "babel_tzinfo", None)
    return zone if zone is not None else get_timezone()


def _to_user_timezone(value):
    """As Flask-Babel's to_user_timezone() (a naive value is UTC), without its normalize():
    astimezone() into a pytz zone already takes the offset in force at that instant (normalize
    is for arithmetic across a change of offset), and a page converts dozens of timestamps."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(_user_zone())


def datetimeformat(value, format=None):  # noqa: A002 - Flask-Babel's name
    pattern = _NUMERIC_PATTERNS.get(format)
    if pattern is None or not isinstance(value, datetime) or not 1000 <= value.year <= 9999:
        return format_datetime(value, format)
    return pattern.format(_to_user_timezone(value))


def dateformat(value, format=None):  # noqa: A002 - Flask-Babel's name
    pattern = _NUMERIC_PATTERNS.get(format)
    if pattern is None or "H" in format or not isinstance(value, date) or not 1000 <= value.year <= 9999:
        return format_date(value, format)
    if isinstance(value, datetime):
        value = _to_user_timezone(value).date()
    return pattern.format(value)


def init_app(app):
    """The template filters for numeric dates (after Flask-Babel's, which they replace), and
    a warning at start-up for a language whose catalogue was not compiled."""
    app.jinja_env.filters.update(datetimeformat=datetimeformat, dateformat=dateformat)
    for problem in uncompiled_catalogues(app):
        app.logger.warning("%s", problem)


def uncompiled_catalogues(app):
    """Every offered language whose messages.mo is missing or older than its messages.po:
    without this, such a checkout silently shows Chinese under "English"."""
    from pathlib import Path

    problems = []
    directory = Path(app.root_path) / "translations"
    for code in app.config["LANGUAGES"]:
        if code == app.config["BABEL_DEFAULT_LOCALE"]:
            continue  # the msgids are the default language's text
        po = directory / code / "LC_MESSAGES" / "messages.po"
        mo = po.with_suffix(".mo")
        if not mo.exists():
            problems.append(f"translations: {mo} is missing; run `make translations` ({code} shows Chinese)")
        elif po.exists() and mo.stat().st_mtime < po.stat().st_mtime:
            problems.append(f"translations: {mo} is older than {po.name}; run `make translations`")
    return problems
