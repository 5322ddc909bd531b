from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField


class ReassignForm(FlaskForm):
    colleague_id = SelectField(_l("转交给"), coerce=int)
