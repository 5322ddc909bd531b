"""The shape of a 发文字号 (GB/T 9704-2012 7.2.4): 机关代字, the year in full inside 六角括号
〔〕, then the number without 第 and without leading zeros, and 号 — 承应急〔2020〕12号. One
pattern for the service's check and the API's schema (the OpenAPI document shows it)."""
import re

from flask_babel import gettext as _

DOCUMENT_NUMBER_MAX = 40
SIGNER_MAX = 32
DOCUMENT_NUMBER_PATTERN = r"^[\u3400-\u9fff]{1,16}〔[12][0-9]{3}〕[1-9][0-9]{0,5}号$"
_DOCUMENT_NUMBER = re.compile(DOCUMENT_NUMBER_PATTERN)


def document_number_problem(number):
    """Why ``number`` is not a 发文字号 (a sentence for the person typing it), or None."""
    if _DOCUMENT_NUMBER.match(number):
        return None
    if "第" in number:
        return _("发文字号的序号前不加“第”字，如“承应急〔2020〕12号”。")
    if re.search(r"[\[\]()（）【】〔〕]", number) and not re.search(r"〔[12][0-9]{3}〕", number):
        return _("发文字号的年份应为四位数字，写在六角括号“〔〕”内，如“承应急〔2020〕12号”。")
    if re.search(r"〕0", number):
        return _("发文字号的序号不编虚位（不以 0 开头），如“承应急〔2020〕12号”。")
    return _("发文字号应写作“机关代字〔年份〕序号号”，如“承应急〔2020〕12号”。")
