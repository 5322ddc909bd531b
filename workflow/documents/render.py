"""Rendering a document template to PDF bytes.

Templates get plain data (dicts, lists, strings, numbers), never ORM objects, so that a
template cannot lazily load or reach anything it was not given. Autoescaping is on: user
text appears as text.
"""
import hashlib

from flask import current_app
from flask_babel import force_locale
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from workflow.documents import fonts, justify, office_fonts
from workflow.documents.safety import TEMPLATE_DIR, SafeURLFetcher

# Chinese lines justified between characters (GB/T 9704's lines fill the text block).
justify.install()

_environment = Environment(
    loader=FileSystemLoader(str(TEMPLATE_DIR)),
    autoescape=select_autoescape(["html", "htm", "xml"], default_for_string=True),
    undefined=StrictUndefined,   # a misspelt field fails loudly instead of printing nothing
    trim_blocks=True,
    lstrip_blocks=True,
)


def document_language():
    """The documents' language: the application's default (Chinese), not the reader's. A
    report frozen at approval must not depend on the language the approver reads screens in,
    and paper sent to the bureau is Chinese."""
    return force_locale(current_app.config["BABEL_DEFAULT_LOCALE"])


def font_face_css():
    """@font-face rules for the prepared fonts and the office's own, and the font stack of
    each role: the office's font first (when its folder has one and DOCUMENT_FONT_<ROLE> does
    not set the role's stack), then the prepared font and its fallbacks."""
    rules = [f'@font-face {{ font-family: "{font.family}"; src: url("{path.resolve().as_uri()}"); }}'
             for font, path in fonts.available()]
    stacks = fonts.font_stacks()
    configured = fonts.configured_stacks()
    for role, office in office_fonts.office_fonts().items():
        if role in configured:
            continue
        rules.append(f'@font-face {{ font-family: "{office.family}"; src: url("{office.path.resolve().as_uri()}"); }}')
        stacks[role] = f'"{office.family}", {stacks[role]}'
    # Roles by element and by class, so templates choose a role, never a font.
    rules.append(f"body {{ font-family: {stacks['body']}; }}")
    rules.append(f".font-title, h1 {{ font-family: {stacks['title']}; }}")
    rules.append(f".font-heading, h2, th {{ font-family: {stacks['heading']}; }}")
    rules.append(f".font-kai, h3 {{ font-family: {stacks['kai']}; }}")
    rules.append(f"@page {{ @bottom-right {{ font-family: {stacks['body']}; }} "
                 f"@bottom-left {{ font-family: {stacks['body']}; }} }}")
    return "\n".join(rules)


def render_html(template_name, data):
    return _environment.get_template(template_name).render(data=data)


def render(template_name, data, fetcher=None):
    """PDF bytes of ``template_name`` (under templates/documents/) filled with ``data``.

    Pass a SafeURLFetcher to inspect what the document asked for afterwards."""
    return _pdf(render_html(template_name, data), fetcher)


def render_kept(template_name, data):
    """render(), kept in the database under the SHA-256 of the HTML, the style sheets and the
    font rules it is made from: a document downloaded again unchanged (a submission's summary,
    whose table of a large batch takes WeasyPrint longest) is read instead of rendered. The
    same key is the same bytes, so a kept PDF never goes stale; a change of the data, the
    templates, the styles or the fonts is a new key."""
    from sqlalchemy.exc import IntegrityError

    from workflow.extensions import db
    from workflow.models import RenderedDocument

    html = render_html(template_name, data)
    digest = hashlib.sha256(html.encode())
    digest.update(font_face_css().encode())
    for sheet in sorted(TEMPLATE_DIR.glob("*.css")):
        digest.update(sheet.read_bytes())
    # A font file replaced under the same name (the office's own fonts) is a new key too.
    for path in [path for _font, path in fonts.available()] + [font.path for font in office_fonts.office_fonts().values()]:
        stat = path.stat()
        digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    key = digest.hexdigest()
    kept = db.session.get(RenderedDocument, key)
    if kept is not None:
        return kept.pdf
    pdf = _pdf(html)
    try:
        with db.session.begin_nested():
            db.session.add(RenderedDocument(key=key, pdf=pdf))
        db.session.commit()
    except IntegrityError:   # rendered at the same time by another request: the same bytes
        db.session.rollback()
    return pdf


def _pdf(html, fetcher=None):
    fetcher = fetcher or SafeURLFetcher()
    font_config = FontConfiguration()
    fonts_css = CSS(string=font_face_css(), font_config=font_config, url_fetcher=fetcher,
                    base_url=TEMPLATE_DIR.as_uri() + "/")
    document = HTML(string=html, base_url=TEMPLATE_DIR.as_uri() + "/", url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[fonts_css], font_config=font_config)

