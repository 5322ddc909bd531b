"""The one permission layer: every endpoint declares who may reach it.

Views are marked with ``@public``, ``@logged_in`` or ``@roles(...)``. A ``before_request``
hook enforces the mark, so a view can never forget its check, and a view without a mark is
refused (deny by default). Pages and, later, the JSON API use the same marks. Rules that
depend on the object (the user's section, who submitted an evaluation) live in the services.
"""
from flask import abort, current_app, request
from flask_login import current_user

from workflow.roles import Role

ACCESS_ATTR = "_access_rule"
PUBLIC = "public"
LOGGED_IN = "logged_in"


def _mark(rule):
    def decorator(view):
        setattr(view, ACCESS_ATTR, rule)
        return view

    return decorator


public = _mark(PUBLIC)
logged_in = _mark(LOGGED_IN)


def roles(*allowed):
    """Reachable by users holding at least one of ``allowed``."""
    return _mark(frozenset(Role(role) for role in allowed))


def access_rule(endpoint, app=None):
    app = app or current_app
    view = app.view_functions.get(endpoint)
    if view is None:
        return None
    return getattr(view, ACCESS_ATTR, None)


def user_may(user, rule):
    """Whether ``user`` (possibly anonymous) passes ``rule``."""
    if rule == PUBLIC:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if rule == LOGGED_IN:
        return True
    if isinstance(rule, frozenset):
        return bool(user.roles & rule)
    return False


def may_visit(endpoint, user=None):
    """Used by the navigation: show a link only when the user may follow it."""
    return user_may(user if user is not None else current_user, access_rule(endpoint))


def enforce_access():
    """before_request hook."""
    if request.endpoint is None:  # 404 and 405 are answered by Flask itself
        return None
    if request.endpoint == "static":
        return None
    rule = access_rule(request.endpoint)
    if rule is None:
        current_app.logger.error("Endpoint %s declares no access rule; refused", request.endpoint)
        abort(403)
    if rule == PUBLIC:
        return None
    if not current_user.is_authenticated:
        from workflow.api.auth import is_api_request

        if is_api_request():
            abort(401)  # the API answers JSON, never a redirect to the login page
        return current_app.login_manager.unauthorized()
    if not user_may(current_user, rule):
        abort(403)
    return None

