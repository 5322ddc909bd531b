from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import AnyOf, Optional

from workflow.forms import max_length


class ChangeRequestForm(FlaskForm):
    """A 目标调整 request: the reason (the new values are the rows ``ind-<id>-nature|unit|target``
    and ``overall_target``, read by routes._asked)."""

    reason = TextAreaField(_l("调整原因"), validators=[Optional(), max_length(2000)])


class DecisionForm(FlaskForm):
    decision = HiddenField(validators=[AnyOf(("approve", "refuse"), message=_l("请选择同意或不同意。"))])
    comment = TextAreaField(_l("意见"), validators=[Optional(), max_length(2000)])
