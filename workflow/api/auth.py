"""Who is calling the API: only a personal token in ``Authorization: Bearer``.

The session cookie is ignored on API paths. A cookie is sent by the browser on its own, so an
API that accepted it would need CSRF tokens; the API accepts only the bearer token, which no
other site can make a browser send, and a request with only a cookie is answered 401.
Once the token names the user, Flask-Login logs them in for this request, and the one
permission layer (workflow/permissions.py and the services) applies exactly as for pages.
"""
from flask import has_request_context, request

API_PREFIX = "/api/"


def is_api_request():
    return has_request_context() and request.path.startswith(API_PREFIX)


def session_loader(load_user):
    """Wrap the pages' session loader: no session user on API paths."""

    def load(user_id):
        if is_api_request():
            return None
        return load_user(user_id)

    return load


def bearer_token():
    scheme, _sep, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return raw.strip() or None


def load_from_request(req):
    """Flask-Login's request loader: the user behind a valid bearer token, on API paths."""
    if not is_api_request():
        return None
    raw = bearer_token()
    if raw is None:
        return None
    from workflow.tokens.services import user_for

    return user_for(raw)
