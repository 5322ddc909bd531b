from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import EqualTo

from workflow.forms import max_length, required


class LoginForm(FlaskForm):
    username = StringField(_l("登录名"), validators=[required(), max_length(64)])
    password = PasswordField(_l("密码"), validators=[required(), max_length(128)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("当前密码"), validators=[required(), max_length(128)])
    new_password = PasswordField(_l("新密码"), validators=[required(), max_length(128)])
    confirm = PasswordField(
        _l("确认新密码"),
        validators=[required(), EqualTo("new_password", message=_l("两次输入的新密码不一致。"))],
    )


class SetPasswordForm(FlaskForm):
    """The page of a one-time link: the person chooses their own password."""

    new_password = PasswordField(_l("新密码"), validators=[required(), max_length(128)])
    confirm = PasswordField(
        _l("确认新密码"),
        validators=[required(), EqualTo("new_password", message=_l("两次输入的新密码不一致。"))],
    )
