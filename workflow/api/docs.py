"""The OpenAPI document and its Swagger UI page (assets vendored, no CDN)."""
from flask import Blueprint, jsonify, render_template

from workflow.permissions import public

bp = Blueprint("api_docs", __name__)

# Every operation may answer these; the body is always the error shape of errors.py.
COMMON_ERRORS = {
    "401": "缺少或无效的 API 令牌",
    "403": "无权执行（角色、科室或流程规则）",
    "404": "资源不存在",
    "429": "请求过于频繁",
}


def document():
    """The OpenAPI 3 document, generated from the views and schemas."""
    from workflow.api import api

    spec = api.spec.to_dict()
    for path in spec.get("paths", {}).values():
        for method, operation in path.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for status, description in COMMON_ERRORS.items():
                responses.setdefault(status, {
                    "description": description,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                })
            if method != "get":
                responses.setdefault("409", {
                    "description": "版本冲突（数据已被他人修改）或状态冲突",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                })
    return spec


@bp.route("/openapi.json")
@public
def openapi_json():
    return jsonify(document())


@bp.route("/docs")
@public
def docs():
    return render_template("api/docs.html")
