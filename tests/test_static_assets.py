"""Static files: URLs carrying the content's hash, cached for a year under that hash and
revalidated otherwise, text files gzip-compressed, the icon at /favicon.ico. The security
headers stay on every answer."""
import gzip
import hashlib
import re
from pathlib import Path

from tests.test_security_headers import header_problems
from workflow import static_assets

STATIC = Path(__file__).resolve().parent.parent / "workflow" / "static"


def digest(path):
    return hashlib.sha256((STATIC / path).read_bytes()).hexdigest()[:12]


def test_pages_link_their_assets_under_the_hash_of_their_content(client):
    html = client.get("/auth/login").get_data(as_text=True)
    assets = dict(re.findall(r'(?:href|src)="/static/([^"?]+)\?v=([0-9a-f]{12})"', html))
    assert {"vendor/bootstrap/bootstrap.min.css", "css/app.css", "vendor/bootstrap/bootstrap.bundle.min.js",
            "js/page.js", "favicon.svg", "favicon.ico"} <= set(assets)
    for path, version in assets.items():
        assert version == digest(path), path
    assert not re.search(r'(?:href|src)="/static/[^"?]+"', html), "an asset without its hash"


def test_a_hashed_url_is_kept_a_year_and_any_other_is_revalidated(client):
    path = "css/app.css"
    current = client.get(f"/static/{path}?v={digest(path)}")
    assert current.status_code == 200
    assert current.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    for stale in (f"/static/{path}?v=000000000000", f"/static/{path}"):
        answer = client.get(stale)
        assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-cache", stale
        assert answer.headers.get("ETag")
    for answer in (current, answer):
        assert [p for p in header_problems(answer) if "cache" not in p] == []


def test_text_assets_are_compressed_for_a_browser_that_accepts_it(client):
    path = "vendor/bootstrap/bootstrap.min.css"
    url = f"/static/{path}?v={digest(path)}"
    plain = client.get(url)
    assert "Content-Encoding" not in plain.headers and plain.data == (STATIC / path).read_bytes()
    packed = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data) / 4
    assert gzip.decompress(packed.data) == plain.data
    assert packed.headers["ETag"] != plain.headers["ETag"]
    # An image is sent as it is (it is compressed already).
    icon = client.get(f"/static/favicon.ico?v={digest('favicon.ico')}", headers={"Accept-Encoding": "gzip"})
    assert icon.status_code == 200 and "Content-Encoding" not in icon.headers


def test_the_icon_answers_at_favicon_ico(client):
    answer = client.get("/favicon.ico")
    assert answer.status_code == 200 and answer.data == (STATIC / "favicon.ico").read_bytes()
    assert answer.mimetype == "image/vnd.microsoft.icon"


def test_the_version_follows_the_file(app, tmp_path):
    app.static_folder, folder = str(tmp_path), app.static_folder
    try:
        (tmp_path / "x.css").write_text("a{}")
        with app.test_request_context():
            first = static_assets.version("x.css")
            (tmp_path / "x.css").write_text("a{color:red}")
            assert static_assets.version("x.css") != first
            assert static_assets.version("no-such.css") is None
            assert static_assets.version("../etc/passwd") is None
    finally:
        app.static_folder = folder
