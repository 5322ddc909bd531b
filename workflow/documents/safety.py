"""The URL fetcher documents are rendered with.

Why: document templates interpolate user text; were any of it to reach WeasyPrint as a URL
(an <img src>, a CSS url()), the default fetcher would read local files or reach network
addresses from the server (SSRF). This fetcher allows data: URIs and files under the
app's own document asset folders, and refuses everything else. Each refusal is recorded so
that tests (and logs) can see what was asked.
"""
import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from workflow.documents import fonts, office_fonts

LOGGER = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIR = ROOT / "templates" / "documents"
STATIC_DIR = ROOT / "workflow" / "static"


class RefusedURL(ValueError):
    """A document asked for a URL it may not have."""


def allowed_roots():
    return (TEMPLATE_DIR, STATIC_DIR, fonts.font_dir().resolve(), office_fonts.office_dir().resolve())


class SafeURLFetcher(URLFetcher):
    def __init__(self, roots=None):
        super().__init__(timeout=1, allowed_protocols=("data", "file"))
        self.roots = tuple(Path(root).resolve() for root in (roots or allowed_roots()))
        self.refused = []   # the URLs refused during this render, in order
        self.fetched = []

    def _refuse(self, url, why):
        self.refused.append(url)
        LOGGER.warning("document asked for %s: refused (%s)", url[:200], why)
        raise RefusedURL(f"refused: {why}")

    def fetch(self, url, headers=None):
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            self.fetched.append("data:")
            return super().fetch(url, headers)
        if scheme != "file":
            return self._refuse(url, f"scheme {scheme or '(none)'} not allowed")
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return self._refuse(url, "remote file host")
        # resolve() follows symlinks and removes .., so a path cannot climb out of a root.
        path = Path(unquote(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots) or not path.is_file():
            return self._refuse(url, "file outside the document assets")
        self.fetched.append(str(path))
        # WeasyPrint ignores a stylesheet unless its type says text/css.
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})
