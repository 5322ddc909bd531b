"""Form helpers shared by every feature: Chinese messages for the common validators."""
from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired, Length


def required():
    return DataRequired(message=_l("此项为必填项。"))


def max_length(n):
    return Length(max=n, message=_l("不能超过 %(max)d 个字符。", max=n))


def length_between(low, high):
    return Length(min=low, max=high, message=_l("长度应在 %(min)d 到 %(max)d 个字符之间。", min=low, max=high))
