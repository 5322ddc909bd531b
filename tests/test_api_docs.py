"""The OpenAPI document is generated from the code and valid; the docs page runs Swagger UI
from vendored files only (no CDN, no inline script)."""
import re
from pathlib import Path

from openapi_spec_validator import validate

STATIC = Path(__file__).resolve().parent.parent / "workflow" / "static"


def test_the_openapi_document_is_valid_and_complete(app):
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    spec = response.get_json()
    validate(spec)  # raises on any violation of OpenAPI 3
    assert spec["openapi"].startswith("3.")
    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert spec["security"] == [{"bearerAuth": []}]
    # Every API route of the app is in the document, with its methods.
    documented = {(path, method.upper()) for path, item in spec["paths"].items() for method in item
                  if method in ("get", "post", "put", "patch", "delete")}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api_") and not rule.endpoint.startswith("api_docs."):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
            routed |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed and routed == documented
    # Errors are documented with the one error shape.
    operation = spec["paths"]["/api/v1/evaluations/{evaluation_id}/transitions"]["post"]
    assert operation["responses"]["409"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert "TransitionInput" in operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]


def test_the_docs_page_loads_its_vendored_assets(app):
    client = app.test_client()
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
    # No address outside the app, and no inline script.
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", html)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assets = re.findall(r"(?:src|href)=\"(/static/[^\"]+)\"", html)
    # Each under its content's hash (?v=…, workflow/static_assets.py).
    assert {a.split("/")[-1].split("?v=")[0] for a in assets} == {"swagger-ui.css", "swagger-ui-bundle.js", "api-docs.js", "favicon.svg"}
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200 and len(response.data) > 200, asset
        response.close()
    initialiser = (STATIC / "js" / "api-docs.js").read_text()
    assert "validatorUrl: null" in initialiser  # Swagger UI must not call the public validator
    assert "Apache License" in (STATIC / "vendor" / "swagger-ui" / "LICENSE").read_text()
    assert 'data-spec-url="/api/v1/openapi.json"' in html
