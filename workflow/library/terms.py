"""The fixed terms of the indicator library: the kinds of project (项目类别) and the basis of
a target (目标值依据, 财预〔2021〕101号). Codes are stored; labels are what people read. The one
place these lists live: the project form, the import template, the API, the library pages and
the 自评表 all read them from here."""
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

CATEGORIES = {
    "training": _l("培训类"),
    "meeting": _l("会议类"),
    "purchase": _l("购置类"),
    "service": _l("政府购买服务"),
    "inspection": _l("检查整治类"),
    "other": _l("其他"),
}

BASES = {
    "plan": _l("计划标准"),
    "industry": _l("行业标准"),
    "history": _l("历史标准"),
    "other": _l("其他标准"),
}

CATEGORY_LIMIT = 16
BASIS_LIMIT = 16


def category_code(text):
    """The code of a category written as its code or its Chinese label (the import
    template's); None when it is none of them."""
    key = str(text or "").strip()
    if key in CATEGORIES:
        return key
    with force_locale("zh_CN"):
        return next((code for code, label in CATEGORIES.items() if str(label) == key), None)


def chinese_labels():
    """The categories' Chinese labels, in order (the import template's list)."""
    with force_locale("zh_CN"):
        return [str(label) for label in CATEGORIES.values()]


def category_label(code):
    return CATEGORIES.get(code, "") if code else ""


def basis_label(code):
    return BASES.get(code, "") if code else ""
