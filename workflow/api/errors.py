"""Every API error is JSON: ``{"error": {"code": "...", "message": "..."}}``.

The code is stable (clients branch on it); the message is for people, in the user's language
(Chinese by default). Services raise ServiceError with their own code; HTTP errors (bad JSON,
unknown path, wrong method, validation of the request by the schemas) get theirs here.
"""
import re

from flask import jsonify
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from workflow.errors import ServiceError, status_of

# HTTP status → (stable code, message) for errors that do not come from a service.
HTTP_ERRORS = {
    400: ("bad_request", _l("请求格式有误（例如 JSON 无法解析）。")),
    401: ("unauthorized", _l("需要有效的 API 令牌：请在请求头中提供 Authorization: Bearer <令牌>。")),
    403: ("forbidden", _l("您没有执行此操作的权限。")),
    404: ("not_found", _l("请求的资源不存在。")),
    405: ("method_not_allowed", _l("该地址不支持此请求方式。")),
    409: ("version_conflict", _l("数据已被他人修改，请重新读取后再试。")),
    413: ("too_large", _l("请求内容超过了系统允许的大小。")),
    415: ("unsupported_media_type", _l("请求内容的类型不受支持，请使用 application/json。")),
    422: ("invalid", _l("提交的数据不符合要求。")),
    429: ("throttled", _l("请求过于频繁，请稍后再试。")),
    500: ("server_error", _l("系统处理请求时出错，已记录日志。")),
}

# Codes renamed for the API: the pages call a stale version a 'concurrent change'.
PUBLIC_CODE = {"concurrent_change": "version_conflict"}


def error_response(status, code, message, details=None):
    body = {"error": {"code": code, "message": str(message)}}
    if details:
        body["error"]["details"] = details
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def service_error(error):
    """A ServiceError raised by a service, as the API answers it."""
    status = status_of(error)
    return error_response(status, PUBLIC_CODE.get(error.code, error.code), error.message)


def http_error(error):
    """An HTTPException (or any exception reaching the 500 handler) as JSON."""
    status = error.code if isinstance(error, HTTPException) and error.code else 500
    code, message = HTTP_ERRORS.get(status, HTTP_ERRORS[500 if status >= 500 else 400])
    details = None
    data = getattr(error, "data", None)  # webargs puts the schema's messages here
    if isinstance(data, dict) and data.get("messages"):
        details = _flatten(data["messages"])
        if status == 422:
            message = _("提交的数据不符合要求：%(fields)s", fields="；".join(
                f"{field} {text}" for field, text in details.items()))
        else:
            message = str(message)
    response = error_response(status, code, message, details)
    if isinstance(error, HTTPException) and status == 405:
        for name, value in error.get_headers():
            if name.lower() == "allow":
                response.headers["Allow"] = value
    return response


# marshmallow's messages (English) as the API says them. Unknown ones pass unchanged.
FIELD_MESSAGES = {
    "Missing data for required field.": _l("此项为必填项。"),
    "Field may not be null.": _l("不能为 null。"),
    "Unknown field.": _l("不认识的字段。"),
    "Invalid input type.": _l("类型不对。"),
    "Invalid type.": _l("类型不对。"),
    "Not a valid integer.": _l("应为整数。"),
    "Not a valid number.": _l("应为数字。"),
    "Not a valid string.": _l("应为字符串。"),
    "Not a valid utf-8 string.": _l("应为 UTF-8 字符串。"),
    "Not a valid boolean.": _l("应为 true 或 false。"),
    "Not a valid list.": _l("应为数组。"),
    "Not a valid mapping type.": _l("应为对象。"),
    "Not a valid date.": _l("应为日期（YYYY-MM-DD）。"),
    "Not a valid datetime.": _l("应为带时区的时间，如 2020-06-20T09:00:00+08:00。"),
    "Not a valid aware datetime.": _l("应为带时区的时间，如 2020-06-20T09:00:00+08:00。"),
    "Number too large.": _l("数值过大。"),
    "Invalid JSON body.": _l("JSON 无法解析。"),
}
FIELD_PATTERNS = (
    (re.compile(r"^Longer than maximum length (\d+)\.$"), _l("不能超过 %(a)s 个字符。")),
    (re.compile(r"^Shorter than minimum length (\d+)\.$"), _l("至少需要 %(a)s 个字符。")),
    (re.compile(r"^Length must be between (\d+) and (\d+)\.$"), _l("长度应在 %(a)s 到 %(b)s 之间。")),
    (re.compile(r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$"),
     _l("应在 %(a)s 到 %(b)s 之间。")),
    (re.compile(r"^Must be greater than or equal to (\S+)\.$"), _l("应不小于 %(a)s。")),
    (re.compile(r"^Must be one of: (.*)\.$"), _l("应为以下之一：%(a)s。")),
)


def field_message(text):
    if text in FIELD_MESSAGES:
        return str(FIELD_MESSAGES[text])
    for pattern, message in FIELD_PATTERNS:
        match = pattern.match(text)
        if match:
            groups = match.groups() + ("",)
            return str(message) % {"a": groups[0], "b": groups[1]}
    return text


def _flatten(messages, prefix=""):
    """webargs' nested messages ({"json": {"version": ["…"]}}) as {"version": "…"}."""
    flat = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = str(key) if prefix == "" else f"{prefix}.{key}"
            if prefix == "" and key in ("json", "query", "path", "form", "headers", "files"):
                name = ""
            flat.update(_flatten(value, name))
    elif isinstance(messages, (list, tuple)):
        if all(isinstance(m, str) for m in messages):
            flat[prefix or "body"] = " ".join(field_message(m) for m in messages)
        else:
            for index, value in enumerate(messages):
                flat.update(_flatten(value, f"{prefix}[{index}]" if prefix else str(index)))
    else:
        flat[prefix or "body"] = field_message(str(messages))
    return flat


def register(blueprint):
    """Errors raised inside the API's views (the app-wide pages keep their HTML)."""
    blueprint.register_error_handler(ServiceError, service_error)
    for status in HTTP_ERRORS:
        blueprint.register_error_handler(status, http_error)
