"""What the office sends to set up a plan (the plan, its stages, working group, indicator
framework, projects, the project import and the office's days off), and what it gets back.

The limits are the services' own (workflow/plans/services.py, days_off.py,
selfeval/framework.py), so that the OpenAPI document says exactly what the server accepts."""
from flask_babel import lazy_gettext as _l
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from workflow.api.schemas import Id, SafeString
from workflow.engine.opinions import RULES
from workflow.library.terms import CATEGORIES
from workflow.models.plans import STAGE_KINDS
from workflow.plans import days_off
from workflow.plans import services as plans
from workflow.selfeval import framework

YEAR = validate.Range(min=2000, max=2100)


class PlanInput(Schema):
    """A new plan (POST: title and the two years required) or a change (PATCH: only the keys
    sent change). A new plan gets the default stages and the 单位自评 framework."""

    title = SafeString(required=True, validate=validate.Length(min=1, max=plans.TITLE_LIMIT),
                       metadata={"description": "方案名称；要指定工作方案标题的分行处，在该处写“|”"})
    budget_year = fields.Integer(strict=True, required=True, validate=YEAR, metadata={"description": "被评价的预算年度"})
    run_year = fields.Integer(strict=True, required=True, validate=YEAR,
                              metadata={"description": "评价实施年度（不早于预算年度）"})
    basis_documents = fields.List(SafeString(validate=validate.Length(max=plans.DOCUMENT_LIMIT)),
                                  metadata={"description": "依据文件，每项一份"})
    principles = SafeString(validate=validate.Length(max=plans.TEXT_LIMITS["principles"]))
    method = SafeString(validate=validate.Length(max=plans.TEXT_LIMITS["method"]))
    requirements = SafeString(validate=validate.Length(max=plans.TEXT_LIMITS["requirements"]))
    office_section_id = Id(allow_none=True, metadata={"description": "办公室所在科室；新方案不填时为办公室"})
    return_working_days = fields.Integer(strict=True, validate=validate.Range(*plans.RETURN_DAYS),
                                         metadata={"description": "退回修改期限（工作日）"})
    review_rule = fields.String(validate=validate.OneOf(RULES),
                                metadata={"description": "one 一人复核 | quorum 会签（指定人数）| all 会签（全部）"})
    review_quorum = fields.Integer(strict=True, validate=validate.Range(min=2, max=20))
    approval_required = fields.Boolean(metadata={"description": "复核通过后是否须组长审批"})
    targets_approval = fields.Boolean(metadata={"description": "绩效目标是否须经办公室审核后方可开始自评"})


class PlanChangeInput(PlanInput):
    """A change of the plan (used with partial=True: only the keys sent change)."""


class CopyInput(Schema):
    run_year = fields.Integer(strict=True, required=True, validate=YEAR,
                              metadata={"description": "新方案的评价年度；日期按年顺延"})


class StageInput(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(STAGE_KINDS))
    name = SafeString(required=True, validate=validate.Length(min=1, max=plans.STAGE_NAME_LIMIT))
    start_date = fields.Date(required=True, allow_none=True)
    due_date = fields.Date(required=True, allow_none=True)


class StagesInput(Schema):
    """The stages sent are saved (each kind once); open tasks move with the new due dates."""

    stages = fields.List(fields.Nested(StageInput), required=True,
                         validate=validate.Length(min=1, max=len(STAGE_KINDS)))



class GroupInput(Schema):
    """The whole working group (replaces the old one): active users, each once."""

    leader_id = Id(required=True, allow_none=True, metadata={"description": "组长，null 为未指定"})
    deputy_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=200))
    member_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=200))


class IndicatorRowInput(Schema):
    level1 = SafeString(required=True, validate=validate.Length(min=1, max=framework.LEVEL_LIMIT))
    level2 = SafeString(load_default="", validate=validate.Length(max=framework.LEVEL_LIMIT))
    name = SafeString(load_default="", validate=validate.Length(max=framework.NAME_LIMIT))
    weight = SafeString(required=True, validate=validate.Regexp(
        r"^[0-9]{1,3}(\.[0-9]{1,2})?$", error=str(_l("分值应为大于 0、最多两位小数的数字。"))),
        metadata={"description": "分值（十进制字符串，最多两位小数）；各行之和须为 100"})


class FrameworkInput(Schema):
    indicators = fields.List(fields.Nested(IndicatorRowInput), required=True,
                             validate=validate.Length(min=1, max=500))


class TemplateInput(Schema):
    template = fields.String(required=True, validate=validate.OneOf(tuple(framework.TEMPLATES)),
                             metadata={"description": "self 单位自评 | key 部门重点评价"})


class LibraryQuery(Schema):
    q = SafeString(load_default="", validate=validate.Length(max=framework.QUERY_LIMIT),
                   metadata={"description": "三级指标名称中的文字"})


CATEGORY_DESCRIPTION = "项目类别: " + " | ".join(CATEGORIES) + "; its indicators start from the library; null: none"


class ProjectInput(Schema):
    name = SafeString(required=True, validate=validate.Length(min=1, max=plans.PROJECT_NAME_LIMIT))
    section_id = Id(required=True, metadata={"description": "在用的责任科室"})
    category = SafeString(allow_none=True, load_default=None, validate=validate.OneOf(("", *CATEGORIES)),
                          metadata={"description": CATEGORY_DESCRIPTION})


class ProjectEditInput(Schema):
    """Only the keys sent change; the section only before the self-evaluation is submitted."""

    name = SafeString(validate=validate.Length(min=1, max=plans.PROJECT_NAME_LIMIT))
    section_id = Id()
    leader_name = SafeString(validate=validate.Length(max=plans.LEADER_LIMIT))
    overall_target = SafeString(validate=validate.Length(max=plans.TARGET_LIMIT))
    category = SafeString(allow_none=True, validate=validate.OneOf(("", *CATEGORIES)),
                          metadata={"description": CATEGORY_DESCRIPTION})


class ImportInput(Schema):
    file = Upload(required=True, metadata={
        "description": "the filled 项目导入模板: .xlsx, .xls, .ods, or .csv in UTF-8 or GB18030"})


class DayOffInput(Schema):
    day = fields.Date(required=True, metadata={"description": "a working day"})
    note = SafeString(load_default="", validate=validate.Length(max=days_off.NOTE_LIMIT))


# Answers -----------------------------------------------------------------------------------


class TemplateSchema(Schema):
    key = fields.String()
    label = fields.String()


class IndicatorRowSchema(Schema):
    level1 = fields.String()
    level2 = fields.String()
    name = fields.String()
    weight = fields.String()
    kind = fields.String(metadata={"description": "standard | execution_rate (预算执行率)"})


class FrameworkSchema(Schema):
    template = fields.String(metadata={"description": "the template the framework was last copied from"})
    indicators = fields.List(fields.Nested(IndicatorRowSchema))
    totals = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"description": "一级指标 → 分值"})
    templates = fields.List(fields.Nested(TemplateSchema))
    refreshed = fields.Integer(metadata={"description": "after a change: evaluations not yet filled that follow it"})


class LibraryItemSchema(Schema):
    name = fields.String()
    level1 = fields.String()
    level2 = fields.String()
    unit = fields.String()
    nature = fields.String(allow_none=True)


class RefusedSchema(Schema):
    evaluation_id = fields.Integer()
    reason = fields.String()


class OpenedSchema(Schema):
    opened = fields.List(fields.Integer(), metadata={"description": "evaluation ids now 自评中"})
    refused = fields.List(fields.Nested(RefusedSchema))


class DayOffSchema(Schema):
    day = fields.Date()
    note = fields.String()
