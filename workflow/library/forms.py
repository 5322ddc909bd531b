from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField

from workflow import scoring
from workflow.library.terms import BASES, CATEGORIES


class EntryForm(FlaskForm):
    """One library entry. The service checks every value (with its own messages): choices
    are not validated here so that a wrong one gets the service's message."""

    category = SelectField(_l("项目类别"), choices=[("", _l("（请选择）"))] + list(CATEGORIES.items()),
                           validate_choice=False)
    level1 = StringField(_l("一级指标"))
    level2 = StringField(_l("二级指标"))
    name = StringField(_l("三级指标"))
    nature = SelectField(_l("指标性质"), choices=[("", _l("（请选择）"))] + list(scoring.NATURE_LABELS.items()),
                         validate_choice=False)
    unit = StringField(_l("度量单位"))
    target = StringField(_l("常用指标值"))
    basis = SelectField(_l("目标值依据"), choices=[("", "—")] + list(BASES.items()), validate_choice=False)
    explanation = TextAreaField(_l("指标解释"))
