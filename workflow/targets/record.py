"""The approved 绩效目标 of an evaluation: whether its targets are complete enough to submit,
the record kept at approval, and the rule that fixes them afterwards.

The record is a Snapshot of kind 'targets' (with its SHA-256): the year's goal and, per
indicator, 指标性质, 度量单位 and 年度指标值 as the office approved them. Each approved 目标调整
adds a new one, so the latest is what holds and the earlier ones are the history.
Targets are fixed from their submission (待审核目标) on, and after approval for good: the form
shows them read-only and save() refuses a posted change (fixed_changes)."""
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select

from workflow import numbers, scoring
from workflow.engine.definition import INITIAL_STATE
from workflow.extensions import db
from workflow.models import Snapshot
from workflow.selfeval import content
from workflow.selfeval.framework import EXECUTION_RATE

KIND = "targets"
SUBMITTED_STATE = "targets_submitted"


def label(ind):
    return ind.name or ind.level2 or ind.level1


def settable(ind):
    """An indicator with a target of its own (the 预算执行率's is the budget's: 100 %)."""
    return ind.kind != EXECUTION_RATE


def target_problems(evaluation):
    """What the section must still fill in before submitting its targets: the year's goal and
    every applicable indicator's 指标性质 and 年度指标值."""
    problems = []
    if not (evaluation.project.overall_target or "").strip():
        problems.append(_("请填写年度总体目标。"))
    for ind in evaluation.indicators:
        if not ind.applicable or not settable(ind):
            continue
        if ind.nature is None:
            problems.append(_("“%(name)s”未选择指标性质。", name=label(ind)))
        elif ind.nature == scoring.QUALITATIVE and not (ind.target_text or "").strip():
            problems.append(_("“%(name)s”请填写年度指标值。", name=label(ind)))
        elif ind.nature != scoring.QUALITATIVE and ind.target is None:
            problems.append(_("“%(name)s”请填写年度指标值。", name=label(ind)))
    return problems


def values_of(ind):
    """An indicator's target as the record keeps it."""
    return {"nature": ind.nature, "unit": ind.unit or "", "target": numbers.plain(ind.target, empty=None),
            "target_text": ind.target_text or ""}


def record_data(evaluation):
    return {
        "project": {"name": evaluation.project.name},
        "overall_target": evaluation.project.overall_target or "",
        "indicators": {str(ind.id): {"name": label(ind), **values_of(ind)}
                       for ind in evaluation.indicators if settable(ind)},
    }


def keep_approved(evaluation, actor):
    """Keep the targets as they are now as the approved record."""
    data = record_data(evaluation)
    snapshot = Snapshot(evaluation_id=evaluation.id, kind=KIND, data=data, sha256=content.fingerprint(data),
                        created_by_id=actor.id if actor is not None else None)
    db.session.add(snapshot)
    return snapshot


def approved(evaluation):
    """The latest approved record (a Snapshot), or None."""
    return db.session.scalar(
        select(Snapshot).where(Snapshot.evaluation_id == evaluation.id, Snapshot.kind == KIND)
        .order_by(Snapshot.id.desc()).limit(1))


def fixed(evaluation):
    """Whether the targets may no longer be edited on the form: submitted for approval, or
    approved (until then, and after a return, they are the section's to write). A plan without
    targets approval has neither (its option cannot change once a target was submitted:
    plans.services.update_plan), which costs no query."""
    if not evaluation.project.plan.targets_approval:
        return False
    if evaluation.state == SUBMITTED_STATE:
        return True
    return evaluation.state != INITIAL_STATE and approved(evaluation) is not None


def _same_number(raw, stored):
    text = (raw or "").strip().replace(",", "").replace("，", "")
    if text == "":
        return stored is None
    try:
        return stored is not None and Decimal(text) == Decimal(stored)
    except InvalidOperation:
        return False


def fixed_changes(evaluation, edit):
    """The fixed fields an EvaluationEdit (workflow/selfeval/edits.py) would change: [label]."""
    changed = []
    if edit.overall_target is not None and edit.overall_target.strip() != (evaluation.project.overall_target or "").strip():
        changed.append(_("年度总体目标"))
    indicators = {ind.id: ind for ind in evaluation.indicators}
    for change in edit.indicators:
        ind = indicators.get(change.id)
        if ind is None or not settable(ind):
            continue   # an unknown row is the form's to refuse; the 预算执行率's values are ignored
        fields = []
        if change.nature is not None:
            try:
                nature = scoring.normalise_nature(change.nature) if change.nature.strip() else None
            except scoring.ScoringError:
                nature = "invalid"
            if nature != ind.nature:
                fields.append(content.INDICATOR_FIELDS["nature"])
        if change.unit is not None and change.unit.strip() != (ind.unit or ""):
            fields.append(content.INDICATOR_FIELDS["unit"])
        if change.target is not None:
            same = (change.target.strip() == (ind.target_text or "") if ind.nature == scoring.QUALITATIVE
                    else _same_number(change.target, ind.target))
            if not same:
                fields.append(content.INDICATOR_FIELDS["target"])
        # The target's basis and explanation (the indicator library's fields) describe it: fixed with it.
        if change.basis is not None and (change.basis.strip() or None) != ind.basis:
            fields.append(content.INDICATOR_FIELDS["basis"])
        if change.explanation is not None and change.explanation.strip() != (ind.explanation or "").strip():
            fields.append(content.INDICATOR_FIELDS["explanation"])
        changed += [f"{label(ind)} · {field}" for field in fields]
    return changed


def value_text(values, natures=None):
    """A target as people read it: "≥ 286 座", "= 依据充分"; '—' when empty."""
    if values is None:
        return "—"
    if "overall_target" in values:
        return values["overall_target"] or "—"
    nature = values.get("nature")
    value = values.get("target_text") if nature == scoring.QUALITATIVE else values.get("target")
    sign = {scoring.POSITIVE: "≥", scoring.NEGATIVE: "≤", scoring.EQUAL: "="}.get(nature, "")
    text = " ".join(part for part in (sign, f"{value or '—'}{values.get('unit') or ''}") if part)
    return text if nature != scoring.QUALITATIVE else _("定性：%(value)s", value=value or "—")
