"""Rules of mid-year monitoring: the plan's monitoring dates and threshold (the office's),
who may read and write a section's report, saving a draft and submitting it, and the lists
the pages read. The warning rule itself is warnings.py; services take plain typed values
(forms.py turns the pages' input into them)."""
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from workflow import clock, scoring
from workflow.engine import audit
from workflow.engine.definition import state_def
from workflow.errors import Forbidden, NotFound, ServiceError
from workflow.evaluations.services import sees_reported_only
from workflow.extensions import db
from workflow.models import Evaluation, FundingRow, Project
from workflow.models.monitoring import IndicatorProgress, MonitoringDate, MonitoringReport
from workflow.monitoring import warnings
from workflow.roles import Role
from workflow.selfeval.framework import EXECUTION_RATE

audit.OTHER_ACTIONS.setdefault("monitoring_submit", _l("报送运行监控情况"))

TEXT_LIMIT = 5000
SHORT_TEXT_LIMIT = 200
LAG_POINTS_RANGE = (Decimal(0), Decimal(100))
READERS = frozenset({Role.OFFICE, Role.LEADER, Role.REVIEWER})


# The plan's monitoring dates and threshold (the office's pages) ---------------------------

def get_date(monitoring_date_id):
    found = db.session.get(MonitoringDate, monitoring_date_id)
    if found is None:
        raise NotFound(_("监控时点不存在。"))
    return found


def _check_dates(plan, as_of, due_date, ignore=None):
    if as_of is None or due_date is None:
        raise ServiceError(_("请填写监控时点和报送截止日期。"))
    if as_of.year != plan.budget_year:
        raise ServiceError(_("监控时点应在被评价的预算年度（%(year)d 年）内。", year=plan.budget_year))
    if due_date < as_of:
        raise ServiceError(_("报送截止日期不能早于监控时点。"))
    for other in plan.monitoring_dates:
        if other is not ignore and other.as_of == as_of:
            raise ServiceError(_("该方案已有 %(day)s 的监控时点。", day=as_of.isoformat()), code="duplicate")


def add_date(plan, as_of, due_date):
    _check_dates(plan, as_of, due_date)
    monitoring_date = MonitoringDate(plan_id=plan.id, as_of=as_of, due_date=due_date)
    db.session.add(monitoring_date)
    _commit_unique()
    return monitoring_date


def update_date(monitoring_date, as_of, due_date):
    _check_dates(monitoring_date.plan, as_of, due_date, ignore=monitoring_date)
    if as_of != monitoring_date.as_of and _has_submitted(monitoring_date):
        raise ServiceError(_("已有科室报送了该时点的监控情况，不能再改监控时点。"), code="conflict")
    monitoring_date.as_of, monitoring_date.due_date = as_of, due_date
    _commit_unique()
    return monitoring_date


def remove_date(monitoring_date):
    if _has_submitted(monitoring_date):
        raise ServiceError(_("已有科室报送了该时点的监控情况，不能删除。"), code="conflict")
    db.session.delete(monitoring_date)
    db.session.commit()


def set_lag_points(plan, points):
    if points is None or not (LAG_POINTS_RANGE[0] <= points <= LAG_POINTS_RANGE[1]):
        raise ServiceError(_("预警线应在 0 到 100 个百分点之间。"))
    if points.as_tuple().exponent < -2:
        raise ServiceError(_("预警线最多保留两位小数。"))
    plan.monitoring_lag_points = points
    db.session.commit()


def _has_submitted(monitoring_date):
    return db.session.scalar(select(MonitoringReport.id).where(
        MonitoringReport.monitoring_date_id == monitoring_date.id, MonitoringReport.state == "submitted").limit(1)
    ) is not None


def _commit_unique():
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError(_("该方案已有这一天的监控时点。"), code="duplicate") from None


# Who reads and writes a report ------------------------------------------------------------

def can_read(evaluation, user):
    """The office, the 组长 and the reviewers read every section's report; a section's staff
    only their own section's."""
    if user.roles & READERS:
        return True
    return Role.SECTION_STAFF in user.roles and user.section_id == evaluation.project.section_id


def write_refusal(report_or_none, evaluation, user):
    """Why ``user`` may not write the report of ``evaluation`` now, or None."""
    if Role.SECTION_STAFF not in user.roles or user.section_id != evaluation.project.section_id:
        return _("只有项目责任科室的经办人可以填报运行监控情况。")
    if report_or_none is not None and report_or_none.submitted:
        return _("该监控情况已报送，不能再修改。")
    here = state_def(evaluation.state)
    if here.actuals or here.under_review or here.frozen:
        return _("该项目已开始自评，不能再填报运行监控情况。")
    return None


def evaluations_of(monitoring_date, user):
    """The plan's evaluations whose reports ``user`` may read, by section and name."""
    query = (select(Evaluation).join(Project, Project.id == Evaluation.project_id)
             .options(joinedload(Evaluation.project).joinedload(Project.section))
             .where(Project.plan_id == monitoring_date.plan_id).order_by(Project.section_id, Project.name))
    if not user.roles & READERS:
        if Role.SECTION_STAFF not in user.roles or user.section_id is None:
            return []
        query = query.where(Project.section_id == user.section_id)
    return db.session.scalars(query).all()


def report_of(monitoring_date, evaluation):
    return db.session.scalar(select(MonitoringReport).where(
        MonitoringReport.monitoring_date_id == monitoring_date.id, MonitoringReport.evaluation_id == evaluation.id))


def reports_by_evaluation(monitoring_date):
    return {r.evaluation_id: r for r in db.session.scalars(
        select(MonitoringReport).where(MonitoringReport.monitoring_date_id == monitoring_date.id))}


def readable(monitoring_date, evaluation_id, user):
    """(evaluation, its report or None) at ``monitoring_date``, for ``user``; NotFound or
    Forbidden otherwise."""
    evaluation = db.session.get(Evaluation, evaluation_id)
    if evaluation is None or evaluation.project.plan_id != monitoring_date.plan_id:
        raise NotFound(_("评价不存在。"))
    if not can_read(evaluation, user):
        raise Forbidden(_("您无权查看其他科室的运行监控情况。"))
    return evaluation, report_of(monitoring_date, evaluation)


def monitored_indicators(evaluation):
    """The indicators a report follows: the applicable ones, but the execution rate (the
    report's executed figure is that one)."""
    return [ind for ind in evaluation.indicators if ind.applicable and ind.kind != EXECUTION_RATE]


def annual_budget(evaluation):
    """全年预算数 of the evaluation's 年度资金总额 row, or None."""
    return db.session.scalar(select(FundingRow.annual_budget).where(
        FundingRow.evaluation_id == evaluation.id, FundingRow.kind == "total"))


# Saving and submitting ----------------------------------------------------------------

@dataclass
class ProgressEdit:
    indicator_id: int
    value: object = None  # Decimal, or text for a 定性 indicator; None: left blank
    expected: Decimal | None = None
    expected_met: bool | None = None
    reason: str = ""
    correction: str = ""


@dataclass
class ReportEdit:
    executed: Decimal | None = None
    execution_reason: str = ""
    execution_correction: str = ""
    progress: list = field(default_factory=list)  # ProgressEdit
    version: int | None = None
    # What the form could not read (Chinese): a message, or (the form's field name, message).
    errors: list = field(default_factory=list)


def _text(value, label, limit, errors, name):
    text = (value or "").strip()
    if len(text) > limit:
        errors.append((name, _("“%(field)s”不能超过 %(n)d 个字。", field=label, n=limit)))
    return text


def _refused(problems):
    """The error of a save refused for ``problems`` (messages, or (field name, message) for
    those a field holds): every message in its text, the fields' in ServiceError.fields, under
    the report form's names (forms.report_edit), for the page to mark each field."""
    pairs = [problem if isinstance(problem, tuple) else (None, problem) for problem in problems]
    return ServiceError("；".join(str(message) for _name, message in pairs), code="invalid",
                        fields={name: str(message) for name, message in pairs if name})


def _apply(report, evaluation, edit, errors):
    report.executed = edit.executed
    report.execution_reason = _text(edit.execution_reason, _("执行偏差原因"), TEXT_LIMIT, errors,
                                     "execution_reason")
    report.execution_correction = _text(edit.execution_correction, _("执行纠偏措施"), TEXT_LIMIT, errors,
                                         "execution_correction")
    indicators = {ind.id: ind for ind in monitored_indicators(evaluation)}
    rows = {row.indicator_id: row for row in report.progress}
    for change in edit.progress:
        indicator = indicators.get(change.indicator_id)
        if indicator is None:
            errors.append(_("指标 %(id)d 不属于该项目。", id=change.indicator_id))
            continue
        row = rows.get(indicator.id)
        if row is None:
            row = IndicatorProgress(indicator_id=indicator.id)
            report.progress.append(row)
            rows[indicator.id] = row
        label = indicator.name or indicator.level2 or indicator.level1
        prefix = f"ind-{indicator.id}-"
        if indicator.nature == scoring.QUALITATIVE:
            row.value, row.expected = None, None
            row.value_text = _text(change.value if isinstance(change.value, str) else "", label,
                                   SHORT_TEXT_LIMIT, errors, prefix + "value")
            row.expected_met = change.expected_met
        else:
            if isinstance(change.value, str) and change.value.strip():
                errors.append((prefix + "value", _("“%(field)s”的完成值应为数字。", field=label)))
            row.value = change.value if isinstance(change.value, Decimal) else None
            row.value_text = ""
            row.expected, row.expected_met = change.expected, None
        row.reason = _text(change.reason, _("%(name)s · 偏差原因", name=label), TEXT_LIMIT, errors,
                           prefix + "reason")
        row.correction = _text(change.correction, _("%(name)s · 纠偏措施", name=label), TEXT_LIMIT, errors,
                               prefix + "correction")


UNREAD = object()  # alerts() reads the budget itself


def alerts(report, evaluation=None, budget=UNREAD):
    """The warnings of ``report`` as it stands (warnings.py has the rule); ``budget``: the
    evaluation's 全年预算数 when the caller has it."""
    evaluation = evaluation or report.evaluation
    indicators = {ind.id: ind for ind in monitored_indicators(evaluation)}
    progress = [(indicators[row.indicator_id], row.expected, row.expected_met)
                for row in report.progress if row.indicator_id in indicators]
    monitoring_date = report.monitoring_date or db.session.get(MonitoringDate, report.monitoring_date_id)
    return warnings.warnings_of(monitoring_date.as_of, monitoring_date.plan.monitoring_lag_points,
                                annual_budget(evaluation) if budget is UNREAD else budget, report.executed, progress)


def submission_problems(report, evaluation):
    """What must be filled in before the report can be submitted: the executed figure, each
    indicator's progress and expected year-end value, and the reason and correction of every
    warning. Each with the report form's field it asks for: (field name, message)."""
    problems = []
    if report.executed is None:
        problems.append(("executed", _("请填写截至监控时点的累计执行数。")))
    rows = {row.indicator_id: row for row in report.progress}
    for indicator in monitored_indicators(evaluation):
        row = rows.get(indicator.id)
        label = indicator.name or indicator.level2 or indicator.level1
        # The first of the row's fields that is blank.
        prefix = f"ind-{indicator.id}-"
        if indicator.nature == scoring.QUALITATIVE:
            if row is None or not row.value_text or row.expected_met is None:
                blank = "value" if row is None or not row.value_text else "met"
                problems.append((prefix + blank, _("“%(name)s”请填写目前进展并选择预计能否完成。", name=label)))
        elif row is None or row.value is None or row.expected is None:
            blank = "value" if row is None or row.value is None else "expected"
            problems.append((prefix + blank, _("“%(name)s”请填写截至监控时点完成值和预计全年完成值。", name=label)))
    for alert in alerts(report, evaluation):
        if alert.kind == warnings.EXECUTION:
            if not report.execution_reason or not report.execution_correction:
                blank = "execution_reason" if not report.execution_reason else "execution_correction"
                problems.append((blank, _("预算执行进度滞后，请填写偏差原因和纠偏措施。")))
        else:
            row = rows[alert.indicator_id]
            if not row.reason or not row.correction:
                name = row.indicator.name or row.indicator.level2 or row.indicator.level1
                blank = "reason" if not row.reason else "correction"
                problems.append((f"ind-{row.indicator_id}-{blank}",
                                 _("“%(name)s”预计不能完成年度指标，请填写偏差原因和纠偏措施。", name=name)))
    return problems


def save(monitoring_date, evaluation_id, user, edit, submit=False, address=""):
    """Save the section's report as a draft (blanks are fine, wrong values are not) or, with
    ``submit``, submit it: then every figure, and the reason and correction of every warning,
    are required. Nothing is stored when anything is refused."""
    evaluation, report = readable(monitoring_date, evaluation_id, user)
    reason = write_refusal(report, evaluation, user)
    if reason:
        raise ServiceError(reason, code="refused")
    if report is not None and edit.version is not None and report.version != edit.version:
        raise ServiceError(_("该监控情况已被他人修改，页面内容已过期。请刷新后重试。"), code="concurrent_change")
    if report is None:
        report = MonitoringReport(monitoring_date=monitoring_date, evaluation_id=evaluation.id,
                                  created_by_id=user.id, execution_reason="", execution_correction="")
        db.session.add(report)
    errors = list(edit.errors)
    _apply(report, evaluation, edit, errors)
    if not errors and submit:
        errors = submission_problems(report, evaluation)
    if errors:
        db.session.rollback()
        raise _refused(errors)
    report.updated_at = clock.now()
    flag_modified(report, "updated_at")  # an UPDATE, so the version moves even when only rows changed
    if submit:
        report.state = "submitted"
        report.submitted_by_id, report.submitted_at = user.id, clock.now()
        audit.record(evaluation, user, "monitoring_submit", evaluation.state, evaluation.state, address=address,
                     details={"as_of": monitoring_date.as_of.isoformat(),
                              "warnings": [alert.text for alert in alerts(report, evaluation)]})
    try:
        db.session.commit()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        raise ServiceError(_("该监控情况已被他人修改，请刷新后重试。"), code="concurrent_change") from None
    return report


# What the lists show ------------------------------------------------------------------

@dataclass
class Flagged:
    """A submitted report with its warnings, for the lists."""

    report: MonitoringReport
    evaluation: Evaluation
    alerts: list

    @property
    def project(self):
        return self.evaluation.project


def _submitted(query):
    return db.session.scalars(
        query.where(MonitoringReport.state == "submitted")
        .options(joinedload(MonitoringReport.monitoring_date).joinedload(MonitoringDate.plan),
                 joinedload(MonitoringReport.evaluation).joinedload(Evaluation.project).joinedload(Project.section),
                 # The rows the rule reads, a query each for all reports (not one per report).
                 joinedload(MonitoringReport.evaluation).selectinload(Evaluation.indicators),
                 joinedload(MonitoringReport.evaluation).selectinload(Evaluation.funding_rows),
                 selectinload(MonitoringReport.progress))
    ).unique().all()


def _flagged(reports):
    found = []
    for report in reports:
        total = next((row for row in report.evaluation.funding_rows if row.kind == "total"), None)
        report_alerts = alerts(report, report.evaluation, budget=total.annual_budget if total else None)
        if report_alerts:
            found.append(Flagged(report, report.evaluation, report_alerts))
    found.sort(key=lambda f: (f.project.section.sort_order, f.project.section_id, f.project.name))
    return found


def date_warnings(monitoring_date):
    """Every warning of the submitted reports at ``monitoring_date`` (the office's list)."""
    return _flagged(_submitted(select(MonitoringReport).where(
        MonitoringReport.monitoring_date_id == monitoring_date.id)))


def last_submitted(evaluation_id):
    """The evaluation's last submitted report (the latest monitoring date), or None."""
    return db.session.scalar(
        select(MonitoringReport).join(MonitoringDate, MonitoringDate.id == MonitoringReport.monitoring_date_id)
        .where(MonitoringReport.evaluation_id == evaluation_id, MonitoringReport.state == "submitted")
        .order_by(MonitoringDate.as_of.desc()).limit(1))


def current_warnings(plan, viewer=None):
    """The warnings standing for ``plan``: each evaluation's last submitted report's. The
    finance bureau (sees_reported_only) sees only what was reported to it."""
    reports = _submitted(select(MonitoringReport).join(MonitoringDate, MonitoringDate.id == MonitoringReport.monitoring_date_id)
                         .where(MonitoringDate.plan_id == plan.id))
    latest = {}
    for report in reports:
        held = latest.get(report.evaluation_id)
        if held is None or report.monitoring_date.as_of > held.monitoring_date.as_of:
            latest[report.evaluation_id] = report
    chosen = list(latest.values())
    if viewer is not None and sees_reported_only(viewer):
        chosen = [r for r in chosen if state_def(r.evaluation.state).with_finance]
    return _flagged(chosen)


def as_json(flagged):
    """The warnings for /overview/data.json."""
    return [{"project": f.project.name, "section": f.project.section.name,
             "as_of": f.report.monitoring_date.as_of.isoformat(),
             "warnings": [{"kind": a.kind, "text": a.text} for a in f.alerts]} for f in flagged]


