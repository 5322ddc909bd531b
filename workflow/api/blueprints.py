"""The API's blueprints (one per resource, each an OpenAPI tag) and what they share."""
from flask_smorest import Blueprint

from workflow.api import errors

PREFIX = "/api/v1"
# A path id: 32-bit, so that a huge number is 'not found' rather than a database error.
ID = "int(max=2147483647)"


def api_blueprint(name, description):
    blueprint = Blueprint(f"api_{name}", __name__, url_prefix=PREFIX, description=description)
    errors.register(blueprint)
    return blueprint


# The answers an operation may give besides its success, as documented for it (docs.py adds
# the ones every operation may give: 401, 403, 404, 429, and 409 for changes).
REFUSALS = {
    403: "无权执行：角色、科室或流程规则不允许",
    404: "资源不存在",
    409: "状态冲突（如已发布、已签到）或版本冲突",
    422: "提交的数据不符合要求（details 按字段说明）",
}


def refusals(blueprint, *statuses):
    """Document that the operation may answer ``statuses`` with the error shape."""
    from workflow.api.schemas import ErrorSchema

    def decorator(view):
        for status in statuses:
            view = blueprint.alt_response(status, schema=ErrorSchema, description=REFUSALS[status])(view)
        return view

    return decorator


def binary(blueprint, *content_types, description="the file"):
    """Document a download: the success answer is the file's bytes in one of ``content_types``."""
    content = {ct: {"schema": {"type": "string", "format": "binary"}} for ct in content_types}
    return blueprint.doc(responses={"200": {"description": description, "content": content}})
