from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import InputRequired, NumberRange, Optional, Regexp

from workflow.admin.forms import MultiCheckboxField
from workflow.forms import max_length, required
from workflow.meetings.services import DEFAULT_ADDRESSEE, KIND_LABELS, MAX_WINDOW_MINUTES

PHONE_RULE = Regexp(r"^[0-9+\-() ]*$", message=_l("联系电话只能包含数字、空格和 + - ( )。"))


def _entered():
    return InputRequired(message=_l("此项为必填项。"))


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


def _minutes(label):
    return IntegerField(label, validators=[_entered(), NumberRange(
        min=0, max=MAX_WINDOW_MINUTES,
        message=_l("分钟数应在 0 到 %(max)d 之间。", max=MAX_WINDOW_MINUTES))])


class MeetingForm(FlaskForm):
    plan_id = SelectField(_l("所属评价方案"), coerce=_optional_int, validators=[_entered()])
    title = StringField(_l("会议名称"), validators=[required(), max_length(200)],
                        description=_l("通知标题为“关于召开……的通知”，此处填写“……”部分。"
                                        "标题在通知中自动分行；要指定分行处，在该处输入“|”。"))
    kind = SelectField(_l("会议类型"))
    day = DateField(_l("会议日期"), validators=[_entered()])
    start_time = TimeField(_l("开始时间"), validators=[_entered()])
    end_time = TimeField(_l("结束时间"), validators=[_entered()])
    place = StringField(_l("会议地点"), validators=[required(), max_length(200)])
    organiser_section_id = SelectField(_l("主办科室"), coerce=_optional_int)
    addressee = StringField(_l("主送"), default=DEFAULT_ADDRESSEE, validators=[Optional(), max_length(200)])
    purpose = TextAreaField(_l("会议事由及依据"), validators=[Optional(), max_length(10000)])
    arrangements = TextAreaField(_l("其他事项"), validators=[Optional(), max_length(10000)])
    issuer = StringField(_l("落款"), validators=[Optional(), max_length(200)])
    issued_on = DateField(_l("成文日期"), validators=[Optional()])
    reply_by = DateField(_l("登记截止日期"), validators=[Optional()])
    allow_guests = BooleanField(_l("允许名单以外的来宾扫码签到"))
    signin_opens_before = _minutes(_l("会前多少分钟开放签到"))
    signin_closes_after = _minutes(_l("开始后多少分钟截止签到"))

    def __init__(self, *args, plans=(), sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = list(KIND_LABELS.items())
        self.plan_id.choices = [(p.id, p.title) for p in plans]
        self.organiser_section_id.choices = [(None, _l("（评价方案的办公室科室）"))] + [(s.id, s.name) for s in sections]


class InviteesForm(FlaskForm):
    user_ids = MultiCheckboxField(_l("人员"), coerce=int, invalid_message=_l("所选人员不存在。"))
    section_ids = MultiCheckboxField(_l("整个科室"), coerce=int, invalid_message=_l("所选科室不存在。"))
    guest_name = StringField(_l("来宾姓名"), validators=[Optional(), max_length(64)])
    guest_unit = StringField(_l("来宾单位"), validators=[Optional(), max_length(100)])
    guest_title = StringField(_l("来宾职务"), validators=[Optional(), max_length(64)])
    guest_phone = StringField(_l("来宾联系电话"), validators=[Optional(), max_length(32), PHONE_RULE])

    def __init__(self, *args, people=(), sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user_ids.choices = [(u.id, f"{u.full_name}（{u.section.name if u.section else '—'}）") for u in people]
        self.section_ids.choices = [(s.id, s.name) for s in sections]


class ReplyForm(FlaskForm):
    attending = RadioField(_l("是否参加"), validate_choice=False)
    reason = TextAreaField(_l("不能参加的原因"), validators=[Optional(), max_length(500)])
    name = StringField(_l("姓名"), validators=[required(), max_length(64)])
    unit = StringField(_l("科室"), validators=[Optional(), max_length(100)])
    title = StringField(_l("职务"), validators=[Optional(), max_length(64)])
    phone = StringField(_l("联系电话"), validators=[Optional(), max_length(32), PHONE_RULE])
    remarks = TextAreaField(_l("备注"), validators=[Optional(), max_length(500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.attending.choices = [("yes", _l("参加")), ("no", _l("不参加"))]


class AttachmentForm(FlaskForm):
    title = StringField(_l("附件名称"), validators=[Optional(), max_length(100)],
                        description=_l("如：培训登记表；留空则用文件名。"))
    file = FileField(_l("文件"))


class ProxyForm(FlaskForm):
    invitee_id = SelectField(_l("代签人员"), coerce=_optional_int, validators=[_entered()])
    arrived = StringField(_l("到场时间（时:分，留空为现在）"), validators=[Optional(), max_length(5)])
    note = StringField(_l("代签说明"), validators=[required(), max_length(200)],
                       description=_l("如：本人纸质签到、现场核对"))

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.invitee_id.choices = [(None, _l("（请选择）"))] + list(choices)


class UndoForm(FlaskForm):
    note = StringField(_l("撤销原因"), validators=[Optional(), max_length(200)])


class GuestForm(FlaskForm):
    action = HiddenField(default="guest")
    name = StringField(_l("姓名"), validators=[required(), max_length(64)])
    unit = StringField(_l("单位"), validators=[required(), max_length(100)])
    title = StringField(_l("职务"), validators=[Optional(), max_length(64)])
    phone = StringField(_l("联系电话"), validators=[Optional(), max_length(32), PHONE_RULE])


class ConfirmForm(FlaskForm):
    pass
