from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional


class ReassignForm(FlaskForm):
    colleague_id = SelectField(_l("转交给"), coerce=int)


class DeputyForm(FlaskForm):
    principal_id = SelectField(_l("被代理人"), coerce=int)
    deputy_id = SelectField(_l("代理人"), coerce=int)
    starts_on = DateField(_l("开始日期"), validators=[InputRequired(message=_l("请填写开始日期。"))])
    ends_on = DateField(_l("结束日期"), validators=[InputRequired(message=_l("请填写结束日期。"))])
    reason = StringField(_l("事由"), validators=[Optional(), Length(max=200, message=_l("事由不能超过 200 个字。"))])
