from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField

from workflow.forms import max_length, required


class TokenForm(FlaskForm):
    name = StringField(_l("令牌名称"), validators=[required(), max_length(64)])
