"""Language choice: Chinese unless the user picked English; the choice is remembered on the
user's record (and in the session before logging in)."""
from flask import current_app, g, has_request_context, session
from flask_babel import Domain
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
