from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import Email, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from workflow.forms import max_length, required
from workflow.roles import Role


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, invalid_message=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message

    def pre_validate(self, form):
        # WTForms' own message for an unknown value has no Chinese translation.
        if self.invalid_message is None:
            return super().pre_validate(form)
        acceptable = {choice[0] for choice in self.choices}
        if any(value not in acceptable for value in self.data or ()):
            raise ValidationError(self.invalid_message)
        return None


def _section_choice(value):
    """'' means no section; anything else must be a whole number."""
    if value in (None, "", "None"):
        return None
    return int(value)


class UserForm(FlaskForm):
    username = StringField(
        _l("登录名"),
        validators=[
            required(),
            max_length(64),
            Regexp(r"^[A-Za-z0-9_.\-]+$", message=_l("登录名只能包含字母、数字、点、下划线和连字符。")),
        ],
    )
    full_name = StringField(_l("姓名"), validators=[required(), max_length(64)])
    section_id = SelectField(_l("科室"), coerce=_section_choice, validate_choice=True)
    title = StringField(_l("职务"), validators=[Optional(), max_length(64)])
    phone = StringField(
        _l("联系电话"),
        validators=[
            Optional(),
            max_length(32),
            Regexp(r"^[0-9+\-() ]+$", message=_l("联系电话只能包含数字、空格和 + - ( )。")),
        ],
    )
    email = StringField(
        _l("电子邮箱"),
        validators=[Optional(), max_length(254), Email(message=_l("电子邮箱格式不正确。"), check_deliverability=False)],
    )
    roles = MultiCheckboxField(_l("角色"), choices=[], invalid_message=_l("角色无效。"))
    active = BooleanField(_l("在用"), default=True)

    def __init__(self, *args, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.section_id.choices = [(None, _l("（无科室）"))] + [(s.id, s.name) for s in sections]
        self.roles.choices = [(role.value, role.label) for role in Role]


class NewUserForm(UserForm):
    password = PasswordField(_l("初始密码"), validators=[required(), max_length(128)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("新的临时密码"), validators=[required(), max_length(128)])


class SectionForm(FlaskForm):
    name = StringField(_l("科室名称"), validators=[required(), max_length(64)])
    is_office = BooleanField(_l("评价工作小组办公室所在科室"))
    active = BooleanField(_l("在用"), default=True)
    sort_order = IntegerField(
        _l("排序"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=9999, message=_l("排序应为 0 到 9999 之间的整数。"))],
    )


class ConfirmForm(FlaskForm):
    """An empty form: only the CSRF token, for buttons that change something."""
