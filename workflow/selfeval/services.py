"""Rules of the self-evaluation form: who may edit what and when, validation, the server's
scoring, completeness for submission, snapshots and the diff between them."""
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from workflow import clock, numbers, scoring, signals
from workflow.engine import audit
from workflow.engine.actions import CONCURRENT_CHANGE, get_evaluation
from workflow.engine.definition import state_def
from workflow.errors import ServiceError
from workflow.extensions import db
from workflow.models import NarrativeSection, Snapshot
from workflow.roles import Role
from workflow.selfeval import content, department
from workflow.selfeval import outline as report_outline
from workflow.selfeval.framework import EXECUTION_RATE
from workflow.targets import record as target_record


TEXT_LIMIT = 20000
SHORT_TEXT_LIMIT = 200
EXPLANATION_LIMIT = 2000  # 指标解释, as in the indicator library


def edit_refusal(evaluation, user):
    if Role.SECTION_STAFF not in user.roles or user.section_id != evaluation.project.section_id:
        return _("只有项目责任科室的经办人可以填报。")
    # Targets, budget and narrative may be written from 准备阶段 on; actual values only once
    # self-evaluation has opened. After submission the section waits; after approval the
    # evaluation is frozen until the leader returns it.
    if not state_def(evaluation.state).section_edits:
        if state_def(evaluation.state).frozen:
            return _("该评价已审批定稿，如需修改须由组长退回。")
        return _("自评已提交，复核期间不能修改；如需修改请先撤回或等待退回。")
    return None


def prepare(evaluation):
    """Make sure the evaluation has its rows before the form is shown."""
    if content.ensure_content(evaluation):
        db.session.commit()


def can_edit(evaluation, user):
    return edit_refusal(evaluation, user) is None


class _Errors(list):
    """The problems of one save, in order; ``where`` maps each field that has one (a key of
    edits.form_field: ("leader_name",), ("funding", kind, column), ("indicator", id, field),
    ("text", key)) to its first message, for the page to mark the field itself."""

    def __init__(self):
        super().__init__()
        self.where = {}

    def add(self, message, where=None):
        self.append(str(message))
        if where is not None:
            self.where.setdefault(where, str(message))


def _decimal(raw, label, errors, places=4, allow_negative=False, where=None):
    text = (raw or "").strip().replace(",", "").replace("，", "")
    if text == "":
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors.add(_("“%(field)s”应为数字。", field=label), where)
        return None
    if not value.is_finite():
        errors.add(_("“%(field)s”应为数字。", field=label), where)
        return None
    if value < 0 and not allow_negative:
        errors.add(_("“%(field)s”不能为负数。", field=label), where)
        return None
    if value.as_tuple().exponent < -places:
        errors.add(_("“%(field)s”最多保留 %(n)d 位小数。", field=label, n=places), where)
        return None
    if abs(value) >= Decimal("1e14"):
        errors.add(_("“%(field)s”数值过大。", field=label), where)
        return None
    return value


def _text(raw, label, errors, limit, where=None):
    text = (raw or "").strip()
    if len(text) > limit:
        errors.add(_("“%(field)s”不能超过 %(n)d 个字。", field=label, n=limit), where)
        return None
    return text


def _apply(evaluation, edit, errors):
    """Copy the edit onto the evaluation; every problem goes to ``errors``."""
    actuals = state_def(evaluation.state).actuals
    project = evaluation.project
    for attribute, label, limit, target in (
        ("leader_name", _("项目负责人"), 64, project),
        ("overall_target", _("年度总体目标"), TEXT_LIMIT, project),
        ("overall_achievement", _("实际完成情况"), TEXT_LIMIT, evaluation),
    ):
        raw = getattr(edit, attribute)
        if raw is not None:
            value = _text(raw, label, errors, limit, where=(attribute,))
            if value is not None:
                setattr(target, attribute, value)

    for row in evaluation.funding_rows:
        for column, raw in edit.funding.get(row.kind, {}).items():
            if column not in content.FUNDING_COLUMNS or raw is None or (column == "executed" and not actuals):
                continue
            label = f"{content.funding_labels(evaluation)[row.kind]} · {content.FUNDING_COLUMNS[column]}"
            value = _decimal(raw, label, errors, where=("funding", row.kind, column))
            if raw.strip() == "" or value is not None:
                setattr(row, column, value)

    indicators = {ind.id: ind for ind in evaluation.indicators}
    for change in edit.indicators:
        if change.id not in indicators:
            errors.add(_("指标 %(id)d 不属于该评价。", id=change.id))
            continue
        _apply_indicator(indicators[change.id], change, errors, actuals)

    if edit.tasks is not None and department.is_department(evaluation):
        department.apply_tasks(evaluation, edit.tasks, errors, actuals)

    sections = {section.key: section for section in evaluation.narrative}
    names = report_outline.labels(content.report_outline(evaluation))
    for key, raw in edit.narrative.items():
        if key not in names:
            errors.add(_("报告提纲中没有“%(key)s”一节。", key=key))
            continue
        text = _text(raw, names[key], errors, TEXT_LIMIT, where=("text", key))
        if text is None:
            continue
        if key in sections:
            sections[key].text = text
        elif text:
            evaluation.narrative.append(NarrativeSection(key=key, text=text))


def _value(ind, raw, field, errors):
    """年度指标值 / 实际完成值: a number, or a text for a qualitative indicator."""
    if raw is None:
        return
    label = f"{ind.name or ind.level2 or ind.level1} · {content.INDICATOR_FIELDS[field]}"
    where = ("indicator", ind.id, field)
    if ind.nature == scoring.QUALITATIVE:
        text = _text(raw, label, errors, SHORT_TEXT_LIMIT, where)
        if text is not None:
            setattr(ind, field + "_text", text)
            setattr(ind, field, None)
        return
    value = _decimal(raw, label, errors, where=where)
    if raw.strip() == "" or value is not None:
        setattr(ind, field, value)
        setattr(ind, field + "_text", "")


def _apply_indicator(ind, change, errors, actuals):
    label = ind.name or ind.level2 or ind.level1
    if change.applicable is not None:
        ind.applicable = change.applicable
    if ind.kind != EXECUTION_RATE:
        if change.nature is not None:
            try:
                new_nature = scoring.normalise_nature(change.nature) if change.nature.strip() else None
            except scoring.ScoringError:
                errors.add(_("“%(field)s”的指标性质无效。", field=label), ("indicator", ind.id, "nature"))
                return
            if new_nature != ind.nature:
                # A score belongs to the way it was given: a new 指标性质 starts unscored.
                ind.band, ind.score = None, None
            ind.nature = new_nature
        for attribute, limit in (("name", 100), ("unit", 16)):
            raw = getattr(change, attribute)
            if raw is not None:
                value = _text(raw, f"{label} · {content.INDICATOR_FIELDS[attribute]}", errors, limit,
                              ("indicator", ind.id, attribute))
                if value is not None:
                    setattr(ind, attribute, value)
        _value(ind, change.target, "target", errors)
        _target_notes(ind, change, label, errors)
    if not actuals:
        return
    if ind.kind != EXECUTION_RATE:
        # The execution rate's 实际完成值 and score are the budget block's (recompute): what
        # is posted for them is not the person's to set.
        _value(ind, change.actual, "actual", errors)
    if change.deviation_reason is not None:
        value = _text(change.deviation_reason,
                      f"{label} · {content.INDICATOR_FIELDS['deviation_reason']}", errors, TEXT_LIMIT,
                      ("indicator", ind.id, "deviation_reason"))
        if value is not None:
            ind.deviation_reason = value
    if ind.nature == scoring.QUALITATIVE and change.band is not None:
        band = change.band.strip() or None
        if band is not None and band not in scoring.BANDS:
            errors.add(_("“%(field)s”的定性档次无效。", field=label), ("indicator", ind.id, "band"))
            return
        score = _decimal(change.score, f"{label} · {content.INDICATOR_FIELDS['score']}", errors, places=2,
                         where=("indicator", ind.id, "score"))
        ind.band = band
        ind.score = None
        if band is not None and score is not None:
            try:
                ind.score = scoring.score_qualitative(band, score, ind.weight)
            except scoring.ScoringError as error:
                errors.add(f"{label}：{error}", ("indicator", ind.id, "score"))


def _target_notes(ind, change, label, errors):
    """指标解释 and 目标值依据, edited where the target is."""
    from workflow.library.terms import BASES

    if change.explanation is not None:
        value = _text(change.explanation, f"{label} · {content.INDICATOR_FIELDS['explanation']}", errors,
                      EXPLANATION_LIMIT, ("indicator", ind.id, "explanation"))
        if value is not None:
            ind.explanation = value
    if change.basis is not None:
        basis = change.basis.strip() or None
        if basis is not None and basis not in BASES:
            errors.add(_("“%(field)s”的目标值依据无效。", field=label), ("indicator", ind.id, "basis"))
        else:
            ind.basis = basis


def funding_rates(evaluation):
    """{资金来源: 执行率 (a ratio) or None}: each row's 全年执行数 ÷ 全年预算数, as the form shows it."""
    rates = {}
    for kind, row in content.funding(evaluation).items():
        rates[kind] = (scoring.execution_rate(row.annual_budget, row.executed)
                       if row.annual_budget is not None and row.executed is not None else None)
    return rates


def page_rules():
    """The scoring rules the form's script mirrors (static/js/selfeval.js), as plain data for
    a data-* attribute: the bands of a 定性 score, the grade boundaries, the deviation that asks
    for a reason. The same constants recompute() uses, so the two cannot drift apart."""
    return {
        "bands": {code: [str(low), str(high), code in scoring.INCLUSIVE_TOP_BANDS]
                  for code, (low, high) in scoring.BANDS.items()},
        "grades": [[str(lowest), str(scoring.GRADE_LABELS[code])] for lowest, code in scoring.GRADE_THRESHOLDS],
        "lowest_grade": str(scoring.GRADE_LABELS["poor"]),
        "deviation": str(scoring.DEVIATION_THRESHOLD),
        "full_marks": str(scoring.FULL_MARKS),
        "qualitative": scoring.QUALITATIVE,
        "execution_rate": EXECUTION_RATE,
    }


def recompute(evaluation):
    """The server's scores: quantitative rows from target and actual, the execution rate
    (its 实际完成值, a percentage, and its score) from the budget block; then the total
    (rescaled over applicable rows) and the grade. The page's script (static/js/selfeval.js)
    shows the same while one types; what is stored is what this computes."""
    total_row = content.funding(evaluation).get("total")
    for ind in evaluation.indicators:
        if not ind.applicable:
            ind.score = None
        elif ind.kind == EXECUTION_RATE:
            if total_row is not None and total_row.annual_budget is not None and total_row.executed is not None:
                ind.score = scoring.execution_rate_score(total_row.annual_budget, total_row.executed, ind.weight)
                ind.actual = numbers.percent(scoring.execution_rate(total_row.annual_budget, total_row.executed))
            else:
                ind.score = None
                ind.actual = None
        elif ind.nature == scoring.QUALITATIVE:
            if ind.band is None:
                ind.score = None  # a qualitative score needs its band
        elif ind.nature in (scoring.POSITIVE, scoring.NEGATIVE, scoring.EQUAL):
            if ind.target is not None and ind.actual is not None:
                ind.score = scoring.score_quantitative(ind.nature, ind.target, ind.actual, ind.weight)
            else:
                ind.score = None
    applicable = [ind for ind in evaluation.indicators if ind.applicable]
    if applicable and all(ind.score is not None for ind in applicable):
        evaluation.total_score = scoring.total(
            scoring.IndicatorScore(ind.weight, ind.score, ind.applicable) for ind in evaluation.indicators
        )
        evaluation.grade = scoring.grade(evaluation.total_score)
    else:
        evaluation.total_score = None
        evaluation.grade = None


def save(evaluation_id, user, edit, address=""):
    """Save an EvaluationEdit (a draft: blanks are fine, wrong values are not). Nothing is
    stored when any value is refused; the message lists every problem. ``edit.version``,
    when given, must be the version the person loaded."""
    evaluation = get_evaluation(evaluation_id)
    reason = edit_refusal(evaluation, user)
    if reason:
        raise ServiceError(reason, code="refused")
    if edit.version is not None and evaluation.version != edit.version:
        raise ServiceError(_("该评价已被他人修改，页面内容已过期。请刷新后重试。"), code=CONCURRENT_CHANGE)
    content.ensure_content(evaluation)
    if target_record.fixed(evaluation):
        # Submitted or approved targets change only through a 目标调整 request (workflow/targets/).
        fixed = target_record.fixed_changes(evaluation, edit)
        if fixed:
            db.session.rollback()
            raise ServiceError(_("绩效目标已提交审核或已批复，不能在自评表中修改（%(fields)s）；如需调整请提交目标调整申请。",
                                 fields="、".join(fixed)), code="refused")
    before = content.serialize(evaluation)
    errors = _Errors()
    _apply(evaluation, edit, errors)
    if errors:
        db.session.rollback()
        raise ServiceError("；".join(errors), code="invalid", fields=errors.where)
    recompute(evaluation)
    evaluation.updated_at = clock.now()  # bumps the version even when only child rows changed
    after = content.serialize(evaluation)
    changes = diff(before, after, evaluation)
    if evaluation.submitted_at is not None and changes:
        # After a first submission every change is on the record.
        audit.record(evaluation, user, "edit", evaluation.state, evaluation.state, address=address,
                     details={"changed": [change["field"] for change in changes]})
    try:
        # The review queue's counts of findings follow the content (its query flushes the
        # versioned UPDATE, hence inside the try).
        signals.evaluation_content_changed.send(evaluation)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise ServiceError(_("该评价已被他人修改，请刷新后重试。"), code=CONCURRENT_CHANGE) from None
    return changes


def completeness_problems(evaluation):
    """What must still be filled in before the evaluation can be submitted."""
    problems = []
    project = evaluation.project
    if not project.overall_target.strip():
        problems.append(_("请填写年度总体目标。"))
    if not evaluation.overall_achievement.strip():
        problems.append(_("请填写年度总体目标的实际完成情况。"))
    rows = content.funding(evaluation)
    total_row = rows.get("total")
    is_department = department.is_department(evaluation)
    total_label = content.funding_labels(evaluation)["total"]
    if total_row is None or total_row.annual_budget is None or total_row.executed is None:
        problems.append(_("请填写%(row)s的全年预算数和全年执行数。", row=total_label) if is_department
                        else _("请填写年度资金总额的全年预算数和全年执行数。"))
    else:
        for column in ("initial_budget", "annual_budget", "executed"):
            # The parts of the total: a project's 资金来源, a department's 基本支出 and 项目支出.
            parts = [getattr(row, column) for kind, row in rows.items() if kind != "total"]
            given = [p for p in parts if p is not None]
            whole = getattr(total_row, column)
            if given and whole is not None and sum(given, Decimal(0)) != whole:
                figures = dict(column=content.FUNDING_COLUMNS[column], parts=numbers.plain(sum(given, Decimal(0))),
                               total=numbers.plain(whole))
                problems.append(_("“%(column)s”各组成部分之和（%(parts)s）与%(whole)s（%(total)s）不一致。",
                                  whole=total_label, **figures) if is_department else
                                _("“%(column)s”各资金来源之和（%(parts)s）与年度资金总额（%(total)s）不一致。", **figures))
    for ind in evaluation.indicators:
        if not ind.applicable:
            continue
        label = ind.name or ind.level2 or ind.level1
        if ind.kind == EXECUTION_RATE:
            if ind.score is None:
                problems.append(_("“%(name)s”需要全年预算数和全年执行数才能计分。", name=label))
            continue
        if ind.nature is None:
            problems.append(_("“%(name)s”未选择指标性质。", name=label))
            continue
        if ind.nature == scoring.QUALITATIVE:
            if not ind.target_text or not ind.actual_text:
                problems.append(_("“%(name)s”请填写年度指标值和实际完成值。", name=label))
            if ind.score is None:
                problems.append(_("“%(name)s”请选择评价档次并打分。", name=label))
            continue
        if ind.target is None or ind.actual is None:
            problems.append(_("“%(name)s”请填写年度指标值和实际完成值。", name=label))
            continue
        if scoring.deviation_reason_required(ind.target, ind.actual) and not ind.deviation_reason.strip():
            problems.append(_("“%(name)s”偏差较大，请填写偏差原因分析及改进措施。", name=label))
    written = {section.key for section in evaluation.narrative if section.text.strip()}
    sections = content.report_outline(evaluation)
    names = report_outline.labels(sections)
    for outline in sections:
        if outline.required and outline.key not in written:
            problems.append(_("请填写报告的“%(title)s”部分。", title=names[outline.key]))
    if department.is_department(evaluation):
        problems.extend(department.problems(evaluation))
    return problems


def take_snapshot(evaluation, kind, actor):
    data = content.serialize(evaluation)
    snapshot = Snapshot(evaluation_id=evaluation.id, kind=kind, data=data, sha256=content.fingerprint(data),
                        created_by_id=actor.id if actor is not None else None)
    db.session.add(snapshot)
    return snapshot


def last_snapshot(evaluation, kind):
    return db.session.scalar(
        select(Snapshot).where(Snapshot.evaluation_id == evaluation.id, Snapshot.kind == kind)
        .order_by(Snapshot.id.desc()).limit(1)
    )


def _flatten(data, evaluation):
    """{(path): (label, value)} of the parts of a serialisation people compare."""
    titles = report_outline.labels(content.report_outline(evaluation))
    labels = content.funding_labels(evaluation)
    flat = {
        ("project", "leader_name"): (_("项目负责人"), data["project"]["leader_name"]),
        ("project", "overall_target"): (_("年度总体目标"), data["project"]["overall_target"]),
        ("overall_achievement",): (_("实际完成情况"), data["overall_achievement"]),
    }
    for kind, columns in data["funding"].items():
        for column, value in columns.items():
            flat[("funding", kind, column)] = (f"{labels.get(kind, kind)} · {content.FUNDING_COLUMNS[column]}", value)
    for ind in data["indicators"]:
        name = ind["name"] or ind["level2"] or ind["level1"]
        for field, label in content.INDICATOR_FIELDS.items():
            # .get: snapshots from before 指标解释 and 目标值依据 lack them.
            flat[("indicator", ind["id"], field)] = (f"{name} · {label}", ind.get(field))
    for key, text in data["narrative"].items():
        flat[("narrative", key)] = (titles.get(key, key), text)
    flat.update(department.flatten(data))
    return flat


def diff(before, after, evaluation):
    """The fields that differ between two serialisations, in form order."""
    old, new = _flatten(before, evaluation), _flatten(after, evaluation)
    changes = []
    for path in list(old) + [p for p in new if p not in old]:
        old_value = old.get(path, (None, None))[1]
        new_label, new_value = new.get(path, old.get(path))
        if (old_value or None) != (new_value or None):
            changes.append({"field": str(new_label), "old": old_value, "new": new_value})
    return changes


def changes_since_submission(evaluation):
    """What changed since the submission before: while the section is revising, its edits
    since the last submission; once resubmitted, the new submission against the previous one
    (what the reviewer asked for and got)."""
    snapshots = db.session.scalars(
        select(Snapshot).where(Snapshot.evaluation_id == evaluation.id, Snapshot.kind == "submission")
        .order_by(Snapshot.id.desc()).limit(2)
    ).all()
    if not snapshots:
        return []
    if state_def(evaluation.state).section_edits:
        return diff(snapshots[0].data, content.serialize(evaluation), evaluation)
    if len(snapshots) < 2:
        return []
    return diff(snapshots[1].data, snapshots[0].data, evaluation)
