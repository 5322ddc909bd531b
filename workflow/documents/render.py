"""Rendering a document template to PDF bytes.

Templates get plain data (dicts, lists, strings, numbers), never ORM objects, so that a
template cannot lazily load or reach anything it was not given. Autoescaping is on: user
text appears as text.
"""

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
    fetcher = fetcher or SafeURLFetcher()
    html = render_html(template_name, data)
    font_config = FontConfiguration()
    fonts_css = CSS(string=font_face_css(), font_config=font_config, url_fetcher=fetcher,
                    base_url=TEMPLATE_DIR.as_uri() + "/")
    document = HTML(string=html, base_url=TEMPLATE_DIR.as_uri() + "/", url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[fonts_css], font_config=font_config)

