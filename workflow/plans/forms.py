from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as wtforms_translations
from wtforms import DateField, FieldList, Form, FormField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional

from workflow.admin.forms import MultiCheckboxField
from workflow.forms import max_length, required
from workflow.library.terms import CATEGORIES


def _entered():
    """Required for numbers and choices. DataRequired (``required()``) would replace the
    parse error of 'abc' by "此项为必填项。" and refuse 0: check that something was entered
    and let the field's own message say what is wrong with it."""
    return InputRequired(message=_l("此项为必填项。"))


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


def _yes_no(value):
    """The plan's flag (a bool, from the plan) or the form's yes/no."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


class PlanForm(FlaskForm):
    title = StringField(_l("方案名称"), validators=[required(), max_length(200)],
                        description=_l("标题在工作方案中自动分行；要指定分行处，在该处输入“|”。"))
    budget_year = IntegerField(
        _l("被评价的预算年度"),
        validators=[_entered(), NumberRange(min=2000, max=2100, message=_l("年度应在 2000 到 2100 之间。"))],
    )
    run_year = IntegerField(
        _l("评价实施年度"),
        validators=[_entered(), NumberRange(min=2000, max=2100, message=_l("年度应在 2000 到 2100 之间。"))],
    )
    office_section_id = SelectField(_l("办公室所在科室"), coerce=_optional_int)
    return_working_days = IntegerField(
        _l("退回修改期限（工作日）"), default=5,
        validators=[Optional(), NumberRange(min=1, max=60, message=_l("退回修改期限应在 1 到 60 个工作日之间。"))],
        description=_l("退回的评价须在退回后这么多个工作日内重新提交（不早于退回当天）。"),
    )
    review_rule = SelectField(
        _l("复核方式"), default="one",
        choices=[("one", _l("一人复核")), ("quorum", _l("会签：小组内指定人数通过")), ("all", _l("会签：小组复核人全部通过"))],
        description=_l("会签时每位复核人各有一项待办，各自给出意见；任何一人退回即结束本轮复核。"))
    review_quorum = IntegerField(
        _l("会签通过人数"), default=2,
        validators=[Optional(), NumberRange(min=2, max=20, message=_l("会签通过人数应在 2 到 20 之间。"))])
    approval_required = SelectField(
        _l("组长审批"), default="yes", coerce=_yes_no, choices=[("yes", _l("复核通过后由组长审批")), ("no", _l("复核通过即为审批通过"))])
    targets_approval = SelectField(
        _l("绩效目标审核"), default="no", coerce=_yes_no,
        choices=[("no", _l("科室填报目标后即可开始自评")), ("yes", _l("绩效目标须经办公室审核"))],
        description=_l("须审核时，各科室在准备阶段提交绩效目标，办公室批复后才能开始自评；批复后的目标只能经目标调整申请修改。"))
    basis_documents = TextAreaField(_l("依据文件（每行一份）"), validators=[Optional(), max_length(5000)])
    principles = TextAreaField(_l("评价原则"), validators=[Optional(), max_length(5000)])
    method = TextAreaField(_l("评价方法及工作流程"), validators=[Optional(), max_length(5000)])
    requirements = TextAreaField(_l("工作要求"), validators=[Optional(), max_length(10000)])

    def __init__(self, *args, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.office_section_id.choices = [(None, _l("（未指定）"))] + [(s.id, s.name) for s in sections]


class DayOffForm(FlaskForm):
    day = DateField(_l("日期"), validators=[_entered()])
    note = StringField(_l("说明"), validators=[Optional(), max_length(100)])


class StageRowForm(Form):
    """One row of the stages form. A plain ``Form`` (the CSRF token is the outer form's),
    which by itself would answer WTForms' built-in messages ("Not a valid date value.") in
    English: take the translations the way FlaskForm does."""

    class Meta:
        def get_translations(self, form):
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return wtforms_translations

    kind = HiddenField()
    name = StringField(_l("阶段名称"), validators=[required(), max_length(64)])
    start_date = DateField(_l("开始日期"), validators=[Optional()])
    due_date = DateField(_l("截止日期"), validators=[Optional()])


class StagesForm(FlaskForm):
    stages = FieldList(FormField(StageRowForm))


class GroupForm(FlaskForm):
    leader_id = SelectField(_l("组长"), coerce=_optional_int)
    # WTForms' own message for an unknown person has no Chinese translation.
    deputy_ids = MultiCheckboxField(_l("副组长"), coerce=int, invalid_message=_l("所选人员不存在。"))
    member_ids = MultiCheckboxField(_l("成员"), coerce=int, invalid_message=_l("所选人员不存在。"))

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(u.id, f"{u.full_name}（{u.section.name if u.section else '—'}）") for u in people]
        self.leader_id.choices = [(None, _l("（未指定）"))] + choices
        self.deputy_ids.choices = choices
        self.member_ids.choices = choices


class ProjectForm(FlaskForm):
    name = StringField(_l("项目名称"), validators=[required(), max_length(200)])
    section_id = SelectField(_l("责任科室"), coerce=_optional_int, validators=[_entered()])
    # 项目类别 (workflow/library/terms.CATEGORIES): its indicators start from the library.
    category = SelectField(_l("项目类别"), validators=[Optional()], validate_choice=False,  # the service's message
                           choices=[("", _l("（未分类）"))] + list(CATEGORIES.items()))

    def __init__(self, *args, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.section_id.choices = [(None, _l("（请选择）"))] + [(s.id, s.name) for s in sections]


class CopyPlanForm(FlaskForm):
    run_year = IntegerField(
        _l("新方案的评价年度"),
        validators=[_entered(), NumberRange(min=2000, max=2100, message=_l("年度应在 2000 到 2100 之间。"))],
    )


class ProjectEditForm(ProjectForm):
    leader_name = StringField(_l("项目负责人"), validators=[Optional(), max_length(64)])
    overall_target = TextAreaField(_l("年度总体目标"), validators=[Optional(), max_length(5000)])
