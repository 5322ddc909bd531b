"""Language choice: Chinese unless the user picked English; the choice is remembered on the
user's record (and in the session before logging in)."""
from flask import current_app, g, has_request_context, session
from flask_babel import Domain, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

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
    the cache). The answer is kept in ``g`` with the locale it was found for: the same
    catalogue for the rest of the request, a fresh look-up if the locale changed
    (flask_babel.refresh()), and nothing kept across requests."""

    def get_translations(self):
        if not g:  # no app context: Flask-Babel's own answer (no translation)
            return super().get_translations()
        locale = get_locale()
        memo = g.get("_i18n_translations")
        if memo is not None and memo[0] is locale and memo[1] is self:
            return memo[2]
        translations = super().get_translations()
        g._i18n_translations = (locale, self, translations)
        return translations
