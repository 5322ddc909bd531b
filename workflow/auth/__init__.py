"""Signing in and out, changing one's password."""
from flask import Blueprint

bp = Blueprint("auth", __name__)


@bp.app_context_processor
def _directory_globals():
    """For the pages: whether the directory signs people in (the login page says so), and
    whose password it keeps (their menu has no 修改密码)."""
    from workflow.auth import directory

    return {"directory_sign_in": directory.enabled(), "password_in_directory": directory.handles}

from workflow.auth import routes  # noqa: E402,F401
