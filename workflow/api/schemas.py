"""The API's request and response shapes (marshmallow), from which the OpenAPI document is
generated. Responses are built as plain dicts by workflow/api/present.py and dumped here."""
import re
from datetime import timezone

from flask_babel import lazy_gettext as _l
from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, post_load, validate

from workflow import scoring
from workflow.document_number import DOCUMENT_NUMBER_MAX, DOCUMENT_NUMBER_PATTERN, SIGNER_MAX
from workflow.engine.actions import COMMENT_LIMIT
from workflow.engine.definition import TRANSITION_BY_TRIGGER
from workflow.library.terms import BASES
from workflow.meetings.services import MAX_WINDOW_MINUTES, PHONE, TEXT_LIMIT as MEETING_TEXT_LIMIT
from workflow.models.meetings import MEETING_KINDS
from workflow.selfeval import edits
from workflow.selfeval.department import TASK_LIMIT, TASK_NAME_LIMIT, TASK_TEXT_LIMIT
from workflow.selfeval.services import SHORT_TEXT_LIMIT, TEXT_LIMIT

NO_NUL = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"  # the characters check_text() refuses
# An amount in 万元 as the API takes it: up to 14 digits before the point and 4 after (the
# yuan), no sign, no thousands separator; "" clears it. The server refuses anything else.
AMOUNT = r"^$|^[0-9]{1,14}(\.[0-9]{1,4})?$"
# A qualitative score (0–100 of the indicator's points, at most 2 decimals); "" clears it.
SCORE = r"^$|^[0-9]{1,3}(\.[0-9]{1,2})?$"
XML_ILLEGAL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f]")
MAX_ID = 2**31 - 1  # ids are 32-bit integers; larger numbers are refused, never sent to the database
ID_RANGE = validate.Range(min=1, max=MAX_ID)


class SafeString(fields.String):
    """Text that every database can store and every document can print: no NUL character, no
    other control character that XML cannot hold (Word and Excel files are XML: U+0001–U+0008,
    U+000B, U+000C, U+000E–U+001F; tab, LF and CR are text), and valid Unicode (a lone
    surrogate from JSON '\\ud800' cannot be encoded). Refused with 422, never a 500."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A field with a pattern of its own (which excludes NUL) documents that one.
        if not any(isinstance(v, validate.Regexp) for v in self.validators):
            self.metadata = {"pattern": NO_NUL, **self.metadata}

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        check_text(text)
        return text


def check_text(text):
    if "\x00" in text:
        raise ValidationError(str(_l("不能包含空字符（\\u0000）。")))
    if XML_ILLEGAL.search(text):
        raise ValidationError(str(_l("不能包含控制字符（制表符和换行符除外）。")))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(str(_l("包含无效的 Unicode 字符。"))) from None


# A telephone number as meetings.services accepts it.
PHONE_RULE = validate.Regexp(PHONE, error=str(_l("联系电话只能包含数字、空格和 + - ( )。")))


def Id(strict=True, **kwargs):  # noqa: N802 - a field factory
    """An id: strict in JSON bodies (no "1" for 1); query strings are text, hence not there."""
    return fields.Integer(strict=strict, validate=ID_RANGE, **kwargs)


class ErrorBody(Schema):
    code = fields.String(required=True, metadata={"description": "stable error code, e.g. forbidden, not_found, version_conflict, invalid"})
    message = fields.String(required=True, metadata={"description": "message for people (Chinese by default)"})
    details = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"description": "field → problem, for 422"})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBody, required=True)


# Plans -----------------------------------------------------------------------------------


class StageSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    name = fields.String()
    start_date = fields.Date(allow_none=True)
    due_date = fields.Date(allow_none=True)


class MemberSchema(Schema):
    user_id = fields.Integer()
    full_name = fields.String()
    group_role = fields.String(metadata={"description": "leader 组长 | deputy 副组长 | member 成员"})


class PlanSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    budget_year = fields.Integer()
    run_year = fields.Integer()
    basis_documents = fields.List(fields.String())
    principles = fields.String()
    method = fields.String()
    requirements = fields.String()
    office_section = fields.String(allow_none=True)
    result_summary = fields.String()
    return_working_days = fields.Integer(metadata={"description": "退回修改期限：退回后多少个工作日内须重新提交"})
    review_rule = fields.String(validate=validate.OneOf(("one", "quorum", "all")),
                                metadata={"description": "复核方式：one 一人复核 | quorum 会签（review_quorum 人通过）| all 会签（全部通过）"})
    review_quorum = fields.Integer(validate=validate.Range(min=2, max=20))
    approval_required = fields.Boolean(metadata={"description": "复核通过后是否须组长审批"})
    targets_approval = fields.Boolean(metadata={"description": "绩效目标是否须经办公室审核后方可开始自评"})


class PlanDetailSchema(PlanSchema):
    stages = fields.List(fields.Nested(StageSchema))
    group = fields.List(fields.Nested(MemberSchema))


class ProjectQuery(Schema):
    section = Id(strict=False, metadata={"description": "only the projects of this section (科室) id"})


class ProjectSchema(Schema):
    id = fields.Integer()
    plan_id = fields.Integer()
    name = fields.String()
    section_id = fields.Integer()
    section = fields.String()
    budget_year = fields.Integer()
    leader_name = fields.String()
    category = fields.String(allow_none=True, metadata={"description": "项目类别 (workflow/library/terms.CATEGORIES)"})
    evaluation_id = fields.Integer(allow_none=True)
    state = fields.String(allow_none=True)
    state_label = fields.String(allow_none=True)
    total_score = fields.String(allow_none=True)
    grade = fields.String(allow_none=True)


# Evaluations ------------------------------------------------------------------------------


class TransitionSchema(Schema):
    trigger = fields.String()
    label = fields.String()
    dest = fields.String()
    comment_required = fields.Boolean()


class EvaluationSchema(Schema):
    id = fields.Integer()
    version = fields.Integer(metadata={"description": "send it back with a save or a transition (optimistic locking)"})
    state = fields.String()
    state_label = fields.String()
    project = fields.Nested(ProjectSchema)
    submitted_by = fields.String(allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)
    total_score = fields.String(allow_none=True)
    grade = fields.String(allow_none=True)
    finance_feedback = fields.String()
    may_edit = fields.Boolean()
    problems = fields.List(fields.String(), metadata={"description": "what is missing before it may be submitted"})
    transitions = fields.List(fields.Nested(TransitionSchema), metadata={"description": "what the caller may do now"})
    content = fields.Dict(metadata={"description": "the self-evaluation: project, funding, indicators, narrative"})


def Amount():  # noqa: N802 - a field factory
    return SafeString(allow_none=True, validate=validate.Regexp(AMOUNT, error=str(_l("金额应为不超过 4 位小数的非负数（万元）。"))),
                      metadata={"description": "万元, e.g. \"206.632\"; null or \"\" clears it"})


class FundingValues(Schema):
    initial_budget = Amount()
    annual_budget = Amount()
    executed = Amount()


class FundingInput(Schema):
    total = fields.Nested(FundingValues)
    current_year = fields.Nested(FundingValues)
    carry_over = fields.Nested(FundingValues)
    other = fields.Nested(FundingValues)
    # A department evaluation's (部门整体): 基本支出 and 项目支出, parts of its total.
    basic = fields.Nested(FundingValues)
    project = fields.Nested(FundingValues)


class DepartmentTaskInput(Schema):
    """One main task (主要任务) of a department evaluation; the limits are selfeval.department's."""
    id = Id(allow_none=True, metadata={"description": "a main task of this evaluation (else 422); null: a new one"})
    name = SafeString(required=True, validate=validate.Length(max=TASK_NAME_LIMIT),
                      metadata={"description": "\"\" removes the task"})
    achievement = SafeString(validate=validate.Length(max=TASK_TEXT_LIMIT), metadata={
        "description": "完成情况 (from self-evaluation on)"})
    project_ids = fields.List(Id(), validate=validate.Length(max=500), metadata={
        "description": "the plan's projects serving it (else 422)"})


class IndicatorInput(Schema):
    """One indicator's change; the limits are selfeval.services' own."""
    id = Id(required=True, metadata={"description": "an indicator of this evaluation (else 422)"})
    applicable = fields.Boolean()
    nature = SafeString(allow_none=True, validate=validate.OneOf(("", *scoring.NATURE_SPELLINGS)),
                        metadata={"description": "指标性质: ≥ / ≤ / = / 定性 (or their codes); \"\" clears it"})
    name = SafeString(validate=validate.Length(max=100))
    unit = SafeString(validate=validate.Length(max=16))
    target = SafeString(allow_none=True, validate=validate.Length(max=SHORT_TEXT_LIMIT), metadata={
        "description": "年度指标值: a number for ≥ ≤ =, a text for 定性"})
    actual = SafeString(allow_none=True, validate=validate.Length(max=SHORT_TEXT_LIMIT), metadata={
        "description": "实际完成值: a number for ≥ ≤ =, a text for 定性; ignored for the 预算执行率 row, "
                       "whose rate is computed from the funding rows"})
    deviation_reason = SafeString(validate=validate.Length(max=TEXT_LIMIT))
    explanation = SafeString(validate=validate.Length(max=2000), metadata={"description": "指标解释"})
    basis = SafeString(allow_none=True, validate=validate.OneOf(("", *BASES)),
                       metadata={"description": "目标值依据: plan 计划标准 | industry 行业标准 | history 历史标准 | other 其他标准"})
    band = SafeString(allow_none=True, validate=validate.OneOf(("", *scoring.BANDS)),
                      metadata={"description": "定性档次 (定性 only): achieved 80–100 % | partial 60–80 % | poor 0–60 %"})
    score = SafeString(allow_none=True, validate=validate.Regexp(SCORE, error=str(_l("分数最多保留 2 位小数。"))),
                       metadata={"description": "得分 of a 定性 row, inside its band; ignored elsewhere (the server "
                                                "computes every other score)"})


class EvaluationSaveSchema(Schema):
    """A draft save. Only the keys sent are changed; amounts are decimal strings (万元)."""

    version = fields.Integer(strict=True, required=True, validate=ID_RANGE)
    leader_name = SafeString(validate=validate.Length(max=64))
    overall_target = SafeString(validate=validate.Length(max=TEXT_LIMIT))
    overall_achievement = SafeString(validate=validate.Length(max=TEXT_LIMIT))
    funding = fields.Nested(FundingInput)
    indicators = fields.List(fields.Nested(IndicatorInput), validate=validate.Length(max=500))
    tasks = fields.List(fields.Nested(DepartmentTaskInput), validate=validate.Length(max=TASK_LIMIT),
                        metadata={"description": "a department evaluation's main tasks (ignored for a project's)"})
    # Keys are checked against the plan's outline by the service (an unknown one is its 422):
    # OpenAPI 3.0 cannot state a rule for keys, so the schema adds none of its own.
    narrative = fields.Dict(keys=fields.String(validate=validate.Length(max=64)),
                            values=SafeString(validate=validate.Length(max=TEXT_LIMIT)),
                            metadata={"description": "report section key (of the plan's outline, else 422) → text"})

    @post_load
    def make_edit(self, data, **kwargs):
        return edits.from_api(data)


class Triggers(validate.OneOf):
    """The workflow's triggers, read when asked: the flow is registered when the app is made,
    after this module is imported (and the document is generated later still)."""

    def __init__(self):
        super().__init__((), error=str(_l("未知的操作。")))

    @property
    def choices(self):
        return tuple(TRANSITION_BY_TRIGGER)

    @choices.setter
    def choices(self, _value):
        pass


class TransitionInput(Schema):
    trigger = fields.String(required=True, validate=Triggers(), metadata={
        "description": "one of the evaluation's transitions (GET …/transitions lists the caller's now)"})
    version = fields.Integer(strict=True, required=True, validate=ID_RANGE)
    comment = SafeString(load_default="", validate=validate.Length(max=COMMENT_LIMIT))


class TransitionOutcome(Schema):
    evaluation = fields.Nested(EvaluationSchema)
    from_state = fields.String()
    to_state = fields.String()


class HistorySchema(Schema):
    at = fields.DateTime()
    actor = fields.String(allow_none=True)
    action = fields.String()
    from_state = fields.String(allow_none=True)
    to_state = fields.String(allow_none=True)
    comment = fields.String()


class FeedbackInput(Schema):
    feedback = SafeString(required=True, validate=validate.Length(max=5000))


# Review: consistency findings and comments ------------------------------------------------

FINDING_KINDS = ("completeness", "accuracy")
# A comment's target: fixed ("general") or of the evaluation (its report sections and
# indicators, listed by GET /evaluations/{id}/comment-targets).
COMMENT_TARGET = r"^(general|section:[A-Za-z0-9_]{1,32}|indicator:[0-9]{1,10})$"


class FindingSchema(Schema):
    code = fields.String(metadata={"description": "stable per evaluation, e.g. text_amount:206.4, over_budget:total, quantity:<indicator id>"})
    kind = fields.String(validate=validate.OneOf(FINDING_KINDS), metadata={
        "description": "completeness 项目数量的完整性 | accuracy 项目资金的准确性"})
    message = fields.String()
    explained = fields.Boolean()
    note = fields.String(metadata={"description": "the reviewer's explanation, \"\" while open"})


class ExplanationInput(Schema):
    note = SafeString(required=True, validate=validate.Length(min=1, max=2000))


class PlanFindingsSchema(Schema):
    plan_id = fields.Integer()
    unsubmitted = fields.Integer(metadata={"description": "how many projects have not submitted their self-evaluation"})
    findings = fields.List(fields.Nested(FindingSchema))


class CommentTargetSchema(Schema):
    target = fields.String(metadata={"description": "general | section:<key> | indicator:<id>"})
    label = fields.String()


class CommentSchema(Schema):
    id = fields.Integer()
    target = fields.String()
    target_label = fields.String()
    text = fields.String()
    author = fields.String(allow_none=True)
    created_at = fields.DateTime()


class CommentInput(Schema):
    target = SafeString(load_default="general", validate=[
        validate.Length(max=48),
        validate.Regexp(COMMENT_TARGET, error=str(_l("意见对象应为 general、section:<章节> 或 indicator:<指标编号>。")))],
        metadata={"description": "general 总体意见 | section:<key> | indicator:<id>: one of GET …/comment-targets"})
    text = SafeString(required=True, validate=validate.Length(min=1, max=2000))


# Evidence (佐证材料) ----------------------------------------------------------------------


class EvidenceSchema(Schema):
    id = fields.Integer()
    evaluation_id = fields.Integer()
    indicator_id = fields.Integer(allow_none=True)
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_by = fields.String(allow_none=True)
    uploaded_at = fields.DateTime()
    may_delete = fields.Boolean(metadata={"description": "the caller may delete it now"})


class FileInput(Schema):
    file = Upload(required=True, metadata={"description": "PDF, PNG, JPEG, GIF, Word (doc/docx) or Excel (xls/xlsx), "
                                                          "judged by its content"})


class EvidenceQuery(Schema):
    indicator_id = Id(strict=False, metadata={"description": "the indicator of this evaluation the file supports"})


class CiteMeetingInput(Schema):
    meeting_id = Id(required=True, metadata={"description": "a published meeting of the evaluation's plan"})
    indicator_id = Id(allow_none=True)


# Tasks ------------------------------------------------------------------------------------


class TaskQuery(Schema):
    view = fields.String(load_default="inbox", validate=validate.OneOf(["inbox", "overdue", "due_soon"]))


class TaskSchema(Schema):
    id = fields.Integer()
    label = fields.String()
    state = fields.String()
    evaluation_id = fields.Integer()
    project = fields.String()
    section = fields.String(allow_none=True)
    role = fields.String()
    assignee = fields.String(allow_none=True)
    due_date = fields.Date(allow_none=True)
    urgency = fields.String(allow_none=True)
    created_at = fields.DateTime()


# Meetings ---------------------------------------------------------------------------------


class ReplySchema(Schema):
    attending = fields.Boolean(allow_none=True)
    reason = fields.String()
    name = fields.String()
    unit = fields.String()
    title = fields.String()
    phone = fields.String()
    remarks = fields.String()
    responded_at = fields.DateTime(allow_none=True)


class SigninSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    unit = fields.String()
    signed_at = fields.DateTime()
    late = fields.Boolean()
    method = fields.String()
    guest = fields.Boolean()
    note = fields.String()


class MeetingSchema(Schema):
    id = fields.Integer()
    plan_id = fields.Integer()
    title = fields.String()
    kind = fields.String()
    kind_label = fields.String()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    place = fields.String()
    published = fields.Boolean()


class MeetingDetailSchema(MeetingSchema):
    addressee = fields.String()
    purpose = fields.String()
    arrangements = fields.String()
    reply_by = fields.Date(allow_none=True)
    allow_guests = fields.Boolean()
    registration_open = fields.Boolean()
    invited = fields.Boolean(metadata={"description": "the caller is on the list"})
    my_reply = fields.Nested(ReplySchema, allow_none=True)
    my_signin = fields.Nested(SigninSchema, allow_none=True)
    summary = fields.Dict()


class ReplyInput(Schema):
    attending = fields.Boolean(required=True)
    # The limits of meetings.services.reply.
    reason = SafeString(load_default="", validate=validate.Length(max=500))
    name = SafeString(load_default="", validate=validate.Length(max=64))
    unit = SafeString(load_default="", validate=validate.Length(max=100))
    title = SafeString(load_default="", validate=validate.Length(max=64))
    phone = SafeString(load_default="", validate=[validate.Length(max=32), PHONE_RULE])
    remarks = SafeString(load_default="", validate=validate.Length(max=500))


class RegistrationSchema(Schema):
    invitee_id = fields.Integer()
    guest = fields.Boolean()
    name = fields.String()
    unit = fields.String()
    title = fields.String()
    phone = fields.String()
    response = fields.String(allow_none=True, metadata={"description": "attend | absent | null (no answer yet)"})
    reason = fields.String()
    remarks = fields.String()
    responded_at = fields.DateTime(allow_none=True)


class SigninInput(Schema):
    token = SafeString(required=True, validate=validate.Length(min=1, max=400),
                       metadata={"description": "the token of the sign-in QR code (the last part of its address)"})


class SigninCodeSchema(Schema):
    token = fields.String(metadata={"description": "send it to POST …/signins (it changes every period)"})
    url = fields.String(metadata={"description": "the address the projector's QR code encodes"})
    expires_in = fields.Integer(metadata={"description": "seconds until this code is replaced"})
    period = fields.Integer(metadata={"description": "seconds each code lasts"})
    window = fields.String(validate=validate.OneOf(("not_open", "open", "closed")),
                           metadata={"description": "whether sign-in is open now"})


class SigninOutcome(Schema):
    created = fields.Boolean(metadata={"description": "false when the caller had signed in before (the first time counts)"})
    signin = fields.Nested(SigninSchema)


class ProxyInput(Schema):
    invitee_id = Id(required=True)
    note = SafeString(required=True, validate=validate.Length(max=200))


class AttendanceSchema(Schema):
    summary = fields.Dict()
    signins = fields.List(fields.Nested(SigninSchema))


class Moment(fields.AwareDateTime):
    """A time with its offset (2020-06-20T09:00:00+08:00), kept in UTC; years outside
    1990–2100 are refused (a meeting happens in real time, and far years overflow), which the
    document says with a pattern on the year."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("metadata", {})["pattern"] = r"^(199[0-9]|20[0-9][0-9]|2100)-"
        super().__init__(*args, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        if not 1990 <= moment.year <= 2100:
            raise ValidationError(str(_l("时间应在 1990 年到 2100 年之间。")))
        return moment.astimezone(timezone.utc)


def _minutes():
    return fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_WINDOW_MINUTES))


class MeetingUpdate(Schema):
    """The meeting's fields (as on the meeting form); a PATCH changes only those sent."""

    title = SafeString(validate=validate.Length(min=1, max=200), metadata={
        "description": "the “……” of 关于召开……的通知; “|” marks where the title breaks"})
    kind = fields.String(validate=validate.OneOf(MEETING_KINDS), metadata={
        "description": "training 培训会 | mobilisation 动员会 | review 评审会 | other 其他"})
    starts_at = Moment()
    ends_at = Moment()
    place = SafeString(validate=validate.Length(min=1, max=200))
    organiser_section_id = Id(allow_none=True, metadata={"description": "主办科室; null: the plan's office section"})
    addressee = SafeString(validate=validate.Length(max=200), metadata={"description": "主送"})
    purpose = SafeString(validate=validate.Length(max=MEETING_TEXT_LIMIT), metadata={"description": "会议事由及依据"})
    arrangements = SafeString(validate=validate.Length(max=MEETING_TEXT_LIMIT), metadata={"description": "其他事项"})
    issuer = SafeString(validate=validate.Length(max=200), metadata={"description": "落款"})
    issued_on = fields.Date(allow_none=True, metadata={"description": "成文日期 (null: the day of publication)"})
    reply_by = fields.Date(allow_none=True, metadata={"description": "登记截止日期, not after the meeting's day"})
    allow_guests = fields.Boolean()
    signin_opens_before = _minutes()
    signin_closes_after = _minutes()


class MeetingInput(MeetingUpdate):
    plan_id = Id(required=True)
    title = SafeString(required=True, validate=validate.Length(min=1, max=200))
    starts_at = Moment(required=True)
    ends_at = Moment(required=True)
    place = SafeString(required=True, validate=validate.Length(min=1, max=200))


class InviteeSchema(Schema):
    invitee_id = fields.Integer()
    user_id = fields.Integer(allow_none=True)
    guest = fields.Boolean()
    name = fields.String()
    unit = fields.String()
    title = fields.String()
    phone = fields.String()
    response = fields.String(allow_none=True, metadata={"description": "attend | absent | null (no answer yet)"})
    reminders = fields.Integer()
    signed_in = fields.Boolean()


class GuestInput(Schema):
    name = SafeString(required=True, validate=validate.Length(min=1, max=64))
    unit = SafeString(required=True, validate=validate.Length(min=1, max=100))
    title = SafeString(load_default="", validate=validate.Length(max=64))
    phone = SafeString(load_default="", validate=[validate.Length(max=32), PHONE_RULE])


class InviteesInput(Schema):
    """People, whole sections (their active users as of now) and an external guest; people
    already on the list are skipped."""

    user_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=1000))
    section_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=100))
    guest = fields.Nested(GuestInput)  # left out when there is none (a null would be documented as any object)


class InviteesOutcome(Schema):
    added = fields.Integer()
    invitees = fields.List(fields.Nested(InviteeSchema))


class PublishOutcome(Schema):
    notified = fields.Integer(metadata={"description": "people told in the app"})
    mailed = fields.Integer(metadata={"description": "emails queued in the outbox"})
    meeting = fields.Nested(MeetingDetailSchema)


class RemindOutcome(Schema):
    reminded = fields.Integer()
    mailed = fields.Integer()


class MeetingUpdateOutcome(Schema):
    meeting = fields.Nested(MeetingDetailSchema)
    changes = fields.List(fields.String(), metadata={"description": "what the invitees were told (time, place)"})


class MeetingAttachmentSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    uploaded_at = fields.DateTime()


class AttachmentQuery(Schema):
    title = SafeString(validate=validate.Length(max=100), metadata={
        "description": "as the notice lists it, e.g. 培训登记表; default: the file's name"})


# Submissions ------------------------------------------------------------------------------


class SubmissionQuery(Schema):
    plan = Id(strict=False)


class SummaryRowSchema(Schema):
    evaluation_id = fields.Integer()
    project = fields.String()
    section = fields.String()
    budget = fields.String(allow_none=True)
    executed = fields.String(allow_none=True)
    execution_rate = fields.String(allow_none=True)
    total_score = fields.String(allow_none=True)
    grade = fields.String(allow_none=True)


class SubmissionSchema(Schema):
    id = fields.Integer()
    plan_id = fields.Integer()
    title = fields.String()
    note = fields.String()
    document_number = fields.String(metadata={"description": "发文字号, \"\" until the office sets it"})
    signer = fields.String(metadata={"description": "签发人"})
    received_at = fields.DateTime(allow_none=True, metadata={
        "description": "the finance bureau's first download; from then on document_number and signer are fixed"})
    created_by = fields.String(allow_none=True)
    created_at = fields.DateTime()
    items = fields.Integer()


class SubmissionDetailSchema(SubmissionSchema):
    rows = fields.List(fields.Nested(SummaryRowSchema))
    totals = fields.Dict()


class SubmissionInput(Schema):
    plan_id = Id(required=True)
    evaluation_ids = fields.List(Id(), required=True, validate=validate.Length(min=1, max=1000))
    title = SafeString(required=True, validate=validate.Length(max=200))
    note = SafeString(load_default="", validate=validate.Length(max=5000))


class SubmissionDocumentInput(Schema):
    """The covering report's 发文字号 (like 承应急〔2020〕12号, or "" for none yet) and 签发人."""
    document_number = SafeString(required=True, validate=[
        validate.Length(max=DOCUMENT_NUMBER_MAX),
        validate.Regexp(f"^$|{DOCUMENT_NUMBER_PATTERN}",
                        error=str(_l("发文字号应写作“机关代字〔年份〕序号号”，如“承应急〔2020〕12号”。")))])
    signer = SafeString(required=True, validate=validate.Length(max=SIGNER_MAX))


class SubmissionOutcome(Schema):
    submission = fields.Nested(SubmissionDetailSchema)
    refused = fields.List(fields.Dict())
