"""目标调整: after approval a change of the 绩效目标 is a request of the project's section with a
reason, which the office approves or refuses. Until it is approved nothing changes; approval
applies it to the indicators and adds a new approved record (record.py). Each request and
decision is on the evaluation's audit trail and notified to whoever must act or asked."""
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from workflow import clock, numbers, scoring, signals
from workflow.engine import audit, notify, tasks
from workflow.engine.actions import CONCURRENT_CHANGE, get_evaluation
from workflow.engine.definition import state_def
from workflow.errors import Forbidden, NotFound, ServiceError
from workflow.extensions import db
from workflow.models import Evaluation, Project, TargetChange, User, UserRole
from workflow.roles import Role
from workflow.targets import record

REASON_LIMIT = 2000
TEXT_LIMIT = 200  # a qualitative 年度指标值
UNIT_LIMIT = 16
GOAL_LIMIT = 20000
GOAL = None  # the indicator_id of the item that changes the 年度总体目标


@dataclass
class IndicatorTarget:
    """The new target asked for one indicator, as typed (None: not sent, keep it)."""

    indicator_id: int
    nature: str | None = None
    unit: str | None = None
    target: str | None = None


# Who may ask, and when ----------------------------------------------------------------------

def request_refusal(evaluation, user):
    """Why ``user`` may not ask to change the targets of ``evaluation`` now, or None."""
    project = evaluation.project
    if Role.SECTION_STAFF not in user.roles or user.section_id != project.section_id:
        return _("只有项目责任科室的经办人可以申请调整绩效目标。")
    if record.approved(evaluation) is None:
        return _("该项目的绩效目标尚未批复，无需申请调整。")
    if not state_def(evaluation.state).section_edits or evaluation.state == record.SUBMITTED_STATE:
        return _("该评价已提交复核或已审批，不能再调整绩效目标。")
    if pending(evaluation) is not None:
        return _("该项目已有待审核的目标调整申请，请等待办公室审核。")
    return None


def pending(evaluation):
    return db.session.scalar(select(TargetChange).where(
        TargetChange.evaluation_id == evaluation.id, TargetChange.status == "pending").limit(1))


def refusal_code(evaluation, user):
    project = evaluation.project
    if Role.SECTION_STAFF not in user.roles or user.section_id != project.section_id:
        return "refused"
    return "conflict"


# Reading what was typed ---------------------------------------------------------------------

def _number(raw, name, errors, field):
    text = (raw or "").strip().replace(",", "").replace("，", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0 or value.as_tuple().exponent < -4 or value >= Decimal("1e14"):
        errors.append((field, _("“%(name)s”的新年度指标值应为不小于 0、最多 4 位小数的数字。", name=name)))
        return None
    return value


def _new_values(ind, asked, errors):
    """The indicator's target after the change (record.values_of's shape), or None on error
    (to ``errors``, with the field it is in: (the form's name ind-<id>-nature|unit|target, message))."""
    name = record.label(ind)
    prefix = f"ind-{ind.id}-"
    nature = ind.nature
    if asked.nature is not None:
        try:
            nature = scoring.normalise_nature(asked.nature) if asked.nature.strip() else None
        except scoring.ScoringError:
            nature = "invalid"
        if nature is None or nature == "invalid":
            errors.append((prefix + "nature", _("“%(name)s”请选择有效的指标性质。", name=name)))
            return None
    unit = ind.unit or "" if asked.unit is None else asked.unit.strip()
    if len(unit) > UNIT_LIMIT:
        errors.append((prefix + "unit", _("“%(name)s”的度量单位不能超过 %(n)d 个字。", name=name, n=UNIT_LIMIT)))
        return None
    if nature == scoring.QUALITATIVE:
        text = (ind.target_text or "") if asked.target is None else asked.target.strip()
        if ind.nature != scoring.QUALITATIVE and asked.target is None:
            text = ""
        if not text or len(text) > TEXT_LIMIT:
            errors.append((prefix + "target",
                           _("“%(name)s”请填写新的年度指标值（不超过 %(n)d 个字）。", name=name, n=TEXT_LIMIT)))
            return None
        return {"nature": nature, "unit": unit, "target": None, "target_text": text}
    if asked.target is None:
        if ind.target is None:
            errors.append((prefix + "target", _("“%(name)s”请填写新的年度指标值。", name=name)))
            return None
        value = ind.target
    else:
        value = _number(asked.target, name, errors, prefix + "target")
        if value is None:
            return None
    return {"nature": nature, "unit": unit, "target": numbers.plain(value, empty=None), "target_text": ""}


def _office_people():
    return db.session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.OFFICE.value, User.active.is_(True))).all()


# The request --------------------------------------------------------------------------------

def request_change(evaluation_id, user, indicators=(), overall_target=None, reason="", address=""):
    """File a 目标调整 request: ``indicators`` [IndicatorTarget], ``overall_target`` the new
    year's goal (None: unchanged). Nothing changes on the evaluation until the office approves.
    A refused value is named by the request form's field (ServiceError.fields: reason,
    overall_target, ind-<id>-nature|unit|target → message), for the page to mark it."""
    evaluation = get_evaluation(evaluation_id)
    refusal = request_refusal(evaluation, user)
    if refusal:
        raise ServiceError(refusal, code=refusal_code(evaluation, user))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("请填写调整原因。"), fields={"reason": _("请填写调整原因。")})
    if len(reason) > REASON_LIMIT:
        message = _("调整原因不能超过 %(n)d 个字。", n=REASON_LIMIT)
        raise ServiceError(message, fields={"reason": message})
    own = {ind.id: ind for ind in evaluation.indicators if record.settable(ind)}
    errors, items = [], []
    if overall_target is not None:
        goal = overall_target.strip()
        old_goal = evaluation.project.overall_target or ""
        if not goal:
            errors.append(("overall_target", _("年度总体目标不能为空。")))
        elif len(goal) > GOAL_LIMIT:
            errors.append(("overall_target", _("年度总体目标不能超过 %(n)d 个字。", n=GOAL_LIMIT)))
        elif goal != old_goal.strip():
            items.append({"indicator_id": GOAL, "name": _("年度总体目标"),
                          "old": {"overall_target": old_goal}, "new": {"overall_target": goal}})
    for asked in indicators:
        ind = own.get(asked.indicator_id)
        if ind is None:
            errors.append(_("指标 %(id)s 不属于该项目或不能调整。", id=asked.indicator_id))
            continue
        new = _new_values(ind, asked, errors)
        old = record.values_of(ind)
        if new is not None and new != old:
            items.append({"indicator_id": ind.id, "name": record.label(ind), "old": old, "new": new})
    if errors:
        pairs = [error if isinstance(error, tuple) else (None, error) for error in errors]
        raise ServiceError("；".join(str(message) for _field, message in pairs),
                           fields={field: str(message) for field, message in pairs if field})
    if not items:
        raise ServiceError(_("没有需要调整的内容：新目标与已批复的目标相同。"))
    change = TargetChange(evaluation_id=evaluation.id, items=items, reason=reason, status="pending",
                          requested_by_id=user.id, requested_at=clock.now(), decision_comment="")
    db.session.add(change)
    audit.record(evaluation, user, "target_change_request", evaluation.state, evaluation.state, reason, address,
                 details={"items": [item["name"] for item in items]})
    project, by = evaluation.project.name, user.full_name

    def text():
        return _("“%(project)s”：%(by)s 申请调整绩效目标，待办公室审核。", project=project, by=by)

    notify.notify([u for u in _office_people() if u.id != user.id], text, tasks.evaluation_link(evaluation.id))
    db.session.commit()
    return change


# The office's decision ----------------------------------------------------------------------

def get_change(change_id):
    change = db.session.get(TargetChange, change_id)
    if change is None:
        raise NotFound(_("目标调整申请不存在。"))
    return change


def _apply(evaluation, change, actor):
    indicators = {ind.id: ind for ind in evaluation.indicators}
    for item in change.items:
        if item["indicator_id"] is GOAL:
            evaluation.project.overall_target = item["new"]["overall_target"]
            continue
        ind = indicators.get(item["indicator_id"])
        if ind is None:
            raise ServiceError(_("“%(name)s”已不在该项目的指标中，不能按申请调整。", name=item["name"]), code="conflict")
        new = item["new"]
        if new["nature"] != ind.nature:
            ind.band, ind.score = None, None   # a score belongs to the way it was given
        ind.nature, ind.unit = new["nature"], new["unit"]
        ind.target = Decimal(new["target"]) if new["target"] is not None else None
        ind.target_text = new["target_text"]
    from workflow.selfeval.services import recompute

    recompute(evaluation)
    evaluation.updated_at = clock.now()   # a form open on the old targets is now out of date
    record.keep_approved(evaluation, actor)


def decide(change_id, user, approve, comment="", address=""):
    """The office approves (the change is applied and becomes the approved record) or refuses
    (nothing changes) a pending request."""
    change = get_change(change_id)
    if Role.OFFICE not in user.roles:
        raise Forbidden(_("只有评价办公室可以审核目标调整申请。"))
    if change.status != "pending":
        raise ServiceError(_("该目标调整申请已处理。"), code="conflict")
    comment = (comment or "").strip()
    if len(comment) > REASON_LIMIT:
        raise ServiceError(_("意见不能超过 2000 个字。"))
    if not approve and not comment:
        raise ServiceError(_("不同意调整时必须填写意见。"))
    evaluation = change.evaluation
    if approve and (not state_def(evaluation.state).section_edits or evaluation.state == record.SUBMITTED_STATE):
        raise ServiceError(_("该评价已提交复核或已审批，不能再调整绩效目标；可不同意该申请。"), code="conflict")
    try:
        if approve:
            _apply(evaluation, change, user)
        change.status = "approved" if approve else "refused"
        change.decided_by_id, change.decided_at, change.decision_comment = user.id, clock.now(), comment
        audit.record(evaluation, user, "target_change_approved" if approve else "target_change_refused",
                     evaluation.state, evaluation.state, comment, address,
                     details={"items": [item["name"] for item in change.items]})
        project, by = evaluation.project.name, user.full_name

        def text():
            if approve:
                return _("“%(project)s”：办公室（%(by)s）同意调整绩效目标。", project=project, by=by)
            return _("“%(project)s”：办公室（%(by)s）不同意调整绩效目标。意见：%(comment)s", project=project, by=by,
                     comment=comment)

        notify.notify([change.requested_by], text, tasks.evaluation_link(evaluation.id))
        if approve:
            signals.evaluation_content_changed.send(evaluation)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise ServiceError(_("该评价已被他人修改，请刷新后重试。"), code=CONCURRENT_CHANGE) from None
    except ServiceError:
        db.session.rollback()
        raise
    return change


# Reading ------------------------------------------------------------------------------------

@dataclass
class HistoryRow:
    change: TargetChange
    name: str
    old: str
    new: str


def changes_of(evaluation):
    """The evaluation's requests, oldest first."""
    return db.session.scalars(
        select(TargetChange).where(TargetChange.evaluation_id == evaluation.id)
        .options(joinedload(TargetChange.requested_by), joinedload(TargetChange.decided_by))
        .order_by(TargetChange.requested_at, TargetChange.id)).all()


def rows(change):
    """[(name, old text, new text)] of one request."""
    return [(item["name"], record.value_text(item["old"]), record.value_text(item["new"])) for item in change.items]


def status_label(change):
    return {"pending": _("待审核"), "approved": _("同意"), "refused": _("不同意")}[change.status]


def pending_queue():
    """The requests waiting for the office, oldest first, with their project."""
    return db.session.scalars(
        select(TargetChange).join(Evaluation, TargetChange.evaluation_id == Evaluation.id)
        .join(Project, Evaluation.project_id == Project.id)
        .where(TargetChange.status == "pending")
        .options(joinedload(TargetChange.evaluation).joinedload(Evaluation.project).joinedload(Project.section),
                 joinedload(TargetChange.requested_by))
        .order_by(TargetChange.requested_at, TargetChange.id)).all()


def recently_decided(limit=20):
    return db.session.scalars(
        select(TargetChange).where(TargetChange.status != "pending")
        .options(joinedload(TargetChange.evaluation).joinedload(Evaluation.project),
                 joinedload(TargetChange.requested_by), joinedload(TargetChange.decided_by))
        .order_by(TargetChange.decided_at.desc(), TargetChange.id.desc()).limit(limit)).all()


def report_rows(evaluation):
    """What the report's 目标调整情况 prints (called in the document's language): the decided
    requests, oldest first. [{name, old, new, reason, requested, decision}]"""
    printed = []
    if not evaluation.project.plan.targets_approval:
        return printed
    for change in changes_of(evaluation):
        if change.status == "pending":
            continue
        for name, old, new in rows(change):
            printed.append({
                "name": name, "old": old, "new": new, "reason": change.reason,
                "requested": f"{change.requested_by.full_name if change.requested_by else ''} "
                             f"{tasks.local_day(change.requested_at).isoformat()}",
                "decision": str(status_label(change)) + (f"（{change.decision_comment}）" if change.decision_comment else ""),
            })
    return printed
