"""Form helpers shared by every feature: Chinese messages for the common validators, and
flashing a form's errors when it answers with a redirect."""
from flask import flash
from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired, Length


def required():
    return DataRequired(message=_l("此项为必填项。"))


def max_length(n):
    return Length(max=n, message=_l("不能超过 %(max)d 个字符。", max=n))


def length_between(low, high):
    return Length(min=low, max=high, message=_l("长度应在 %(min)d 到 %(max)d 个字符之间。", min=low, max=high))


def error_messages(errors):
    """The messages in ``form.errors``, also nested ones (a FieldList of FormFields gives a
    list with one dict per row, empty for a valid row)."""
    if isinstance(errors, dict):
        errors = list(errors.values())
    if isinstance(errors, (list, tuple)):
        for item in errors:
            yield from error_messages(item)
    else:
        yield str(errors)


def flash_errors(form):
    for message in error_messages(form.errors):
        flash(message, "danger")
