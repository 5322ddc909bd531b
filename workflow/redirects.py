"""Where to go after a small POST (a language switch, claiming a task): back to the page the
button was on, but never to another site (the Referer header is whatever the client sent)."""
from urllib.parse import urlsplit

from flask import redirect, request, url_for


def back(default_endpoint, **values):
    target = request.referrer or ""
    parts = urlsplit(target)
    if parts.scheme not in ("", "http", "https") or (parts.netloc and parts.netloc != request.host):
        target = ""
    return redirect(target or url_for(default_endpoint, **values))
