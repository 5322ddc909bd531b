"""Rules of the site-wide pages."""
from flask import current_app, session
from flask_babel import gettext as _

from workflow.errors import ServiceError
from workflow.extensions import db
from workflow.i18n import SESSION_KEY


def set_language(user, code):
    """Remember the language: on the account when logged in (it follows the person to any
    computer), in the session otherwise."""
    if code not in current_app.config["LANGUAGES"]:
        raise ServiceError(_("不支持该语言。"))
    session[SESSION_KEY] = code
    if user is not None and user.is_authenticated:
        user.locale = code
        db.session.commit()
