"""The static files (CSS, scripts, fonts of the vendored libraries): versioned URLs, long-lived
caching and compression.

``url_for('static', filename=...)`` adds the file's content hash (``?v=<12 hex digits>``), so
the URL changes whenever the file does. An answer asked for under the file's current hash may
be kept for a year without asking again (``public, max-age=31536000, immutable``): the 316 KB
of Bootstrap and the app's CSS and scripts travel once, not revalidated on every page. Under
another hash or none the file is sent as before, to be revalidated (``no-cache``, its ETag).

Text files (CSS, JavaScript, SVG, JSON, source maps) go gzip-compressed to a browser that
accepts it, each compressed once per process. Pages themselves are not compressed here: a
reverse proxy does it (README, "Deploying"), and they are small beside the assets.
(``/favicon.ico``, asked for by browsers whatever a page links, is main.favicon's.)"""
import gzip
import hashlib
from pathlib import Path

from flask import current_app, request
from werkzeug.security import safe_join

IMMUTABLE = "public, max-age=31536000, immutable"
COMPRESSED_TYPES = frozenset({"text/css", "text/javascript", "application/javascript", "image/svg+xml",
                              "application/json", "text/plain"})
# Below this, gzip's header and the work cost more than they save.
MIN_COMPRESSED_SIZE = 1024

_versions = {}  # (path, mtime_ns, size) → hash
_compressed = {}  # (path, hash) → gzip bytes


def init_app(app):
    app.url_defaults(_add_version)
    app.after_request(_cache_and_compress)


def _path(filename):
    folder = current_app.static_folder
    joined = safe_join(folder, filename) if folder else None
    return Path(joined) if joined else None


def version(filename):
    """The first 12 hex digits of the file's SHA-256 (None when there is no such file). Looked
    up again only when the file's size or time changes (a deployment, or an edit under
    ``make run``)."""
    path = _path(filename)
    try:
        stat = path.stat() if path else None
    except OSError:
        return None
    if stat is None:
        return None
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    found = _versions.get(key)
    if found is None:
        found = _versions[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return found


def _add_version(endpoint, values):
    if endpoint == "static" and "filename" in values and "v" not in values:
        digest = version(values["filename"])
        if digest:
            values["v"] = digest


def _cache_and_compress(response):
    if request.endpoint != "static" or response.status_code != 200:
        return response
    filename = (request.view_args or {}).get("filename", "")
    current = version(filename)
    if current and request.args.get("v") == current:
        response.headers["Cache-Control"] = IMMUTABLE
    else:
        response.headers["Cache-Control"] = "no-cache"
    if current and response.mimetype in COMPRESSED_TYPES:
        response.vary.add("Accept-Encoding")
        if "gzip" in request.accept_encodings and "Content-Range" not in response.headers:
            _gzip(response, filename, current)
    return response


def _gzip(response, filename, current):
    key = (filename, current)
    body = _compressed.get(key)
    if body is None:
        data = _path(filename).read_bytes()
        if len(data) < MIN_COMPRESSED_SIZE:
            return
        body = _compressed[key] = gzip.compress(data, compresslevel=9, mtime=0)
    # The file's own iterable is replaced by the compressed bytes: close it first.
    if hasattr(response.response, "close"):
        response.response.close()
    response.direct_passthrough = False
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(etag + "-gzip", weak=weak)
