"""The JSON API under /api/v1 (flask-smorest): the same services and the same access marks as
the pages, personal bearer tokens instead of the session, JSON errors, and an OpenAPI 3
document generated from the views and schemas.

    Authorization: Bearer jxpj_…      (tokens: /account/tokens)
    GET /api/v1/openapi.json          the OpenAPI document
    GET /api/v1/docs                  Swagger UI, vendored under static/vendor/swagger-ui
"""
import flask_smorest

from workflow.api.schemas import ErrorSchema

RESOURCES = ("plans", "frameworks", "imports", "days_off", "evaluations", "tasks", "meetings", "submissions",
             "review", "evidence", "documents")

SECURITY_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "个人 API 令牌（在“API 令牌”页面创建）：Authorization: Bearer jxpj_…",
}


class Api(flask_smorest.Api):
    """flask-smorest's Api without its app-wide parts: the document is served by our own view
    (which declares its access rule like every view), and errors are JSON only on API paths
    (the pages keep their HTML error pages)."""

    ERROR_SCHEMA = ErrorSchema

    def _register_doc_blueprint(self):
        pass

    def _register_error_handlers(self):
        pass


api = Api()


def init_app(app):
    from importlib import import_module

    from workflow.api import docs
    from workflow.api.blueprints import DATE, DateConverter, date_parameter
    from workflow.extensions import csrf

    app.config.setdefault("API_TITLE", "绩效评价工作台 API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "security": [{"bearerAuth": []}],
        "info": {"description": "绩效评价工作台的 JSON 接口。权限与页面完全相同：令牌代表其所有者本人。"
                                "错误均为 JSON：{\"error\": {\"code\": …, \"message\": …}}。"},
    })
    api.init_app(app)
    # Chinese as UTF-8, not \uXXXX escapes: readable in curl and logs, and the same JSON.
    app.json.ensure_ascii = False
    api.spec.components.security_scheme("bearerAuth", SECURITY_SCHEME)
    app.url_map.converters[DATE] = DateConverter
    api.register_converter(DateConverter, date_parameter)
    for name in RESOURCES:
        blueprint = import_module(f"workflow.api.resources.{name}").bp
        # Bearer requests need no CSRF token: a browser never adds the header by itself, and a
        # request with only the session cookie is refused (workflow/api/auth.py).
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)
    app.register_blueprint(docs.bp, url_prefix="/api/v1")
