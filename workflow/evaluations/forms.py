from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import Optional

from workflow.forms import max_length


class TransitionForm(FlaskForm):
    trigger = HiddenField()
    version = IntegerField(validators=[Optional()])
    comment = TextAreaField(_l("意见"), validators=[Optional(), max_length(2000)])
