from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import InputRequired, NumberRange

from workflow.forms import max_length, required
from workflow.results.advice import ADVICE_LIMIT, DECIMALS


class AdviceSettingsForm(FlaskForm):
    """The plan's 预算安排建议 per grade and the decimals of a score in the reports' text."""

    excellent = StringField(_l("优"), validators=[required(), max_length(ADVICE_LIMIT)])
    good = StringField(_l("良"), validators=[required(), max_length(ADVICE_LIMIT)])
    fair = StringField(_l("中"), validators=[required(), max_length(ADVICE_LIMIT)])
    poor = StringField(_l("差"), validators=[required(), max_length(ADVICE_LIMIT)])
    score_text_decimals = IntegerField(
        _l("报告中得分的小数位数"),
        validators=[InputRequired(message=_l("此项为必填项。")),
                    NumberRange(min=DECIMALS[0], max=DECIMALS[1],
                                message=_l("报告中得分的小数位数应在 %(min)d 到 %(max)d 之间。"))])
