"""The group's re-check (复核): 项目数量的完整性 and 项目资金的准确性.

Every check returns findings; a finding informs the reviewer and never blocks a decision. A
reviewer may mark a finding as explained (FindingNote); it stays listed, marked so.
"""
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import Integer, bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload

from workflow import numbers, scoring, signals
from workflow.engine.definition import states_where
from workflow.extensions import db
from workflow.models import Evaluation, FindingNote, Plan, Project, Section
from workflow.models.evaluations import derived_update
from workflow.review import text_figures
from workflow.selfeval import content
from workflow.selfeval.framework import EXECUTION_RATE

# Numbers written with 万元 or 元 in the narrative: "206.4万元", "1,234.5 元", "172.743万".
# A bare 万 followed by another Chinese character is a count, not money: "2万人次", "3万册".
AMOUNT_IN_TEXT = re.compile(
    r"(\d{1,3}(?:[,，]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(万元|万(?![\u4e00-\u9fff])|元)")
# A stated rate tolerance: the form shows rates to two decimals of a percent.
RATE_TOLERANCE = Decimal("0.01")
QUANTITY_LEVEL2 = ("数量指标", "产出数量")


@dataclass
class Finding:
    code: str  # stable per evaluation, so that an explanation sticks to it
    kind: str  # completeness | accuracy
    message: str
    explained: bool = False
    note: str = ""


def _amounts_in_text(text):
    for match in AMOUNT_IN_TEXT.finditer(text or ""):
        number, unit = match.groups()
        try:
            value = Decimal(number.replace(",", "").replace("，", ""))
        except InvalidOperation:
            continue
        in_wan = value if unit in ("万元", "万") else value / 10000
        yield match.group(0), in_wan


def _matches(amount, known):
    """A written amount matches a structured one when that one, rounded to the precision
    the text used, is the same number: "172.7万元" matches 172.743; "206.4万元" does not
    match 206.632."""
    exponent = amount.normalize().as_tuple().exponent
    quantum = Decimal(1).scaleb(min(exponent, 0))
    return any(k.quantize(quantum, rounding=ROUND_HALF_UP) == amount for k in known)


def notes_by_evaluation(evaluation_ids):
    """{evaluation id: {code: FindingNote}} for many evaluations in one query."""
    notes = {}
    if evaluation_ids:
        for note in db.session.scalars(select(FindingNote).where(FindingNote.evaluation_id.in_(evaluation_ids))):
            notes.setdefault(note.evaluation_id, {})[note.code] = note
    return notes


def evaluation_findings(evaluation, notes=None):
    """The findings of one evaluation. ``notes`` ({code: FindingNote}) when the caller has
    read the explanations already (the review queue reads a whole page's at once)."""
    findings = []
    rows = content.funding(evaluation)
    total_row = rows.get("total")

    # Accuracy: execution not above budget.
    for kind, row in rows.items():
        if row.annual_budget is not None and row.executed is not None and row.executed > row.annual_budget:
            findings.append(Finding(f"over_budget:{kind}", "accuracy", _(
                "“%(row)s”全年执行数 %(executed)s 万元超过全年预算数 %(budget)s 万元。",
                row=content.funding_labels(evaluation).get(kind, kind), executed=numbers.plain(row.executed), budget=numbers.plain(row.annual_budget))))
    # Accuracy: funding rows add up to the total.
    if total_row is not None:
        for column, label in content.FUNDING_COLUMNS.items():
            parts = [getattr(row, column) for kind, row in rows.items() if kind != "total"]
            given = [p for p in parts if p is not None]
            whole = getattr(total_row, column)
            if given and whole is not None and sum(given, Decimal(0)) != whole:
                findings.append(Finding(f"parts:{column}", "accuracy", _(
                    "“%(column)s”各资金来源合计 %(parts)s 万元，与年度资金总额 %(total)s 万元不符。",
                    column=label, parts=numbers.plain(sum(given, Decimal(0))), total=numbers.plain(whole))))
    # Accuracy: the stated execution rate equals the computed one.
    for ind in evaluation.indicators:
        if ind.kind != EXECUTION_RATE or ind.actual is None or total_row is None:
            continue
        if total_row.annual_budget and total_row.executed is not None:
            computed = scoring.execution_rate(total_row.annual_budget, total_row.executed) * 100
            if abs(computed - ind.actual) > RATE_TOLERANCE:
                findings.append(Finding("execution_rate", "accuracy", _(
                    "填报的预算执行率 %(stated)s%% 与按资金计算的 %(computed)s%% 不一致。",
                    stated=numbers.plain(ind.actual), computed=computed.quantize(Decimal("0.01")))))
    # Accuracy: amounts in the narrative that match none of the structured amounts.
    known = content.structured_amounts(evaluation)
    seen = set()
    texts = [(s.key, s.text) for s in evaluation.narrative] + [
        ("overall_achievement", evaluation.overall_achievement), ("overall_target", evaluation.project.overall_target)]
    for key, text in texts:
        for written, amount in _amounts_in_text(text):
            if amount in seen or _matches(amount, known):
                continue
            seen.add(amount)
            findings.append(Finding(f"text_amount:{numbers.plain(amount)}", "accuracy", _(
                "报告中的金额“%(written)s”与填报的资金数据均不一致，请核对。", written=written)))
    # Accuracy: scores, grades, rates and counts written in the text (text_figures.py).
    findings += [Finding(code, "accuracy", message) for code, message in text_figures.findings(evaluation, total_row, texts)]
    # Completeness: planned against actual quantities, explained when they differ.
    for ind in evaluation.indicators:
        if not ind.applicable or ind.level2 not in QUANTITY_LEVEL2 or ind.target is None or ind.actual is None:
            continue
        if ind.actual != ind.target and not ind.deviation_reason.strip():
            findings.append(Finding(f"quantity:{ind.id}", "completeness", _(
                "“%(name)s”计划 %(target)s%(unit)s，实际 %(actual)s%(unit)s，差异未说明原因。",
                name=ind.name or ind.level2, target=numbers.plain(ind.target), actual=numbers.plain(ind.actual), unit=ind.unit)))
    if notes is None:
        notes = notes_by_evaluation([evaluation.id]).get(evaluation.id, {})
    for finding in findings:
        if finding.code in notes:
            finding.explained, finding.note = True, notes[finding.code].note
    return findings


def _counts(findings):
    """(open, all): what the review queue shows of an evaluation's findings."""
    return sum(1 for f in findings if not f.explained), len(findings)


@signals.evaluation_content_changed.connect
def _content_changed(evaluation, notes=None):
    refresh_findings(evaluation, notes)


def refresh_findings(evaluation, notes=None):
    """Compute the evaluation's findings and store their counts on it (findings_open,
    findings_total), which the review queue reads instead of the content. Every service that
    writes what the checks read (the form, the project's overall target, the import, the demo,
    each submission) sends signals.evaluation_content_changed after its changes and before it
    commits, and an explanation calls it; returns (open, all).

    A new evaluation gets the counts in its INSERT. A stored one gets them by a plain UPDATE
    that neither bumps the optimistic-lock version nor touches updated_at: the counts are
    derived data, and an explanation must not make an open form look outdated."""
    if evaluation.id is None:   # not in the database yet
        counts = _counts(evaluation_findings(evaluation, notes if notes is not None else {}))
        evaluation.findings_open, evaluation.findings_total = counts
        return counts
    counts = _counts(evaluation_findings(evaluation, notes))
    if (evaluation.findings_open, evaluation.findings_total) != counts:
        _store({evaluation.id: counts})
        # Read again from the row when next asked for, not written by the next flush.
        db.session.expire(evaluation, ["findings_open", "findings_total"])
    return counts


def _store(counts, only_unknown=False):
    """Write {evaluation id: (open, all)} in one statement. ``only_unknown`` keeps counts a
    concurrent write stored meanwhile (they were computed from newer content)."""
    table = Evaluation.__table__
    statement = (
        derived_update().where(table.c.id == bindparam("row_id"))
        .values(findings_open=bindparam("open_count"), findings_total=bindparam("all_count"))
    )
    if only_unknown:
        statement = statement.where(table.c.findings_total.is_(None))
    db.session.execute(statement, [
        {"row_id": evaluation_id, "open_count": open_count, "all_count": all_count}
        for evaluation_id, (open_count, all_count) in counts.items()
    ])


def store_unknown_counts(evaluations):
    """Compute and store the counts of those of ``evaluations`` (anything with their id and
    findings_total, such as the review queue's rows) that have none yet (NULL: from before the
    counts were kept), their content loaded in a fixed number of queries whatever their
    number. True when it stored any (the caller commits)."""
    unknown = [e.id for e in evaluations if e.findings_total is None]
    if not unknown:
        return False
    loaded, notes = _with_content(unknown)
    _store({e.id: _counts(evaluation_findings(e, notes.get(e.id, {}))) for e in loaded}, only_unknown=True)
    return True


def recount(evaluation_ids):
    """Compute the counts of the evaluations ``evaluation_ids`` again and store those that
    differ from the stored ones (a direct change to the database bypassed the services);
    returns how many differed (the caller commits)."""
    loaded, notes = _with_content(evaluation_ids)
    wrong = {}
    for evaluation in loaded:
        counts = _counts(evaluation_findings(evaluation, notes.get(evaluation.id, {})))
        if (evaluation.findings_open, evaluation.findings_total) != counts:
            wrong[evaluation.id] = counts
    if wrong:
        _store(wrong)
    return len(wrong)


def _with_content(evaluation_ids):
    """The evaluations with what the checks read, and their explanations, in a fixed number of
    queries whatever their number."""
    loaded = db.session.scalars(
        select(Evaluation).where(Evaluation.id.in_(evaluation_ids)).options(
            selectinload(Evaluation.funding_rows), selectinload(Evaluation.indicators),
            selectinload(Evaluation.narrative), joinedload(Evaluation.project).joinedload(Project.plan))
    ).unique().all()
    return loaded, notes_by_evaluation(evaluation_ids)


def _unsubmitted(plan_id, plan_column=Project.plan_id):
    """The evaluations of plan ``plan_id`` (a value or a bound parameter) not submitted yet,
    the plan read from ``plan_column`` (the project's, or the evaluation's copy of it)."""
    return (plan_column == plan_id, Evaluation.state.in_(states_where("section_edits")))


def plan_findings(plan, limit=None):
    """项目数量的完整性 for the whole plan: projects without a submitted self-evaluation (the
    first ``limit`` of them by name)."""
    return plan_findings_and_count(plan, limit)[0]


@cache
def _plan_findings_query(limited, current=False):
    """Built once per process (the review queue runs it on every view): the plan (a bound
    parameter, or with ``current`` the current plan) and the ``limit`` given when it runs. A
    large plan has hundreds of unsubmitted projects: the first ones come from the (plan, name)
    index and stop at the limit, only their names read (and the plan's title), and the number
    from a count computed once beside them (a window count would join and sort every one of
    them)."""
    from workflow.plans.services import current_plan_id  # plans' services use the checks

    plan_id = current_plan_id() if current else bindparam("plan_id")
    # Counted from the evaluations' own copy of their plan (one index, no join with the
    # plan's projects).
    total = (
        select(func.count()).select_from(Evaluation).where(*_unsubmitted(plan_id, Evaluation.plan_id)).scalar_subquery()
    )
    query = (
        select(Project.id, Project.name, Section.name, Plan.title, total)
        .join(Evaluation, Evaluation.project_id == Project.id).join(Section, Project.section_id == Section.id)
        .join(Plan, Project.plan_id == Plan.id)
        .where(*_unsubmitted(plan_id)).order_by(Project.name, Project.id)
    )
    return query.limit(bindparam("limit", type_=Integer)) if limited else query


def _plan_findings(rows):
    # The message looked up once and filled in for each of the (up to fifty) projects: what
    # gettext(message, **values) does, without asking for the catalogue every time.
    message = _("“%(name)s”（%(section)s）尚未提交自评。")
    return [Finding(f"not_submitted:{project_id}", "completeness", message % {"name": name, "section": section})
            for project_id, name, section, _title, _n in rows]


def plan_findings_and_count(plan, limit=None):
    """(the first ``limit`` findings of plan_findings(), how many there are in all), from one
    query (_plan_findings_query)."""
    params = {"plan_id": plan.id} if limit is None else {"plan_id": plan.id, "limit": limit}
    rows = db.session.execute(_plan_findings_query(limit is not None), params).all()
    return _plan_findings(rows), (rows[0][-1] if rows else 0)


def current_plan_findings(limit):
    """(the current plan's title, the first ``limit`` findings of plan_findings(), how many
    there are in all) from one query, without reading the plan first (the review queue shows
    no more of it); (None, [], 0) when every project of the plan (or no plan) is submitted."""
    rows = db.session.execute(_plan_findings_query(True, current=True), {"limit": limit}).all()
    if not rows:
        return None, [], 0
    return rows[0][3], _plan_findings(rows), rows[0][-1]


def explain(evaluation, code, note, actor):
    """Mark a finding as explained; the explanation is kept with its author. A refused note is
    named (ServiceError.fields {"note": message})."""
    from workflow.errors import ServiceError
    from workflow.review.services import may_comment

    # The same people who may comment: a reviewer of the plan's working group while the
    # evaluation is under review, never on their own submission (an explained finding no
    # longer counts as open in the queue).
    if not may_comment(evaluation, actor):
        raise ServiceError(_("当前不能对该评价提出复核意见。"), code="refused")
    note = (note or "").strip()
    if not note:
        raise ServiceError(_("请填写说明。"), fields={"note": _("请填写说明。")})
    if len(note) > 2000:
        raise ServiceError(_("说明不能超过 2000 个字。"), fields={"note": _("说明不能超过 2000 个字。")})
    # One explanation at a time per evaluation: each recounts with the others' notes seen.
    db.session.execute(select(Evaluation.id).where(Evaluation.id == evaluation.id).with_for_update())
    if code not in {f.code for f in evaluation_findings(evaluation)}:
        # Gone since it was read (the content changed): the page or the caller is out of date.
        raise ServiceError(_("该核查结果已不存在，请刷新页面。"), code="conflict")
    existing = db.session.scalar(select(FindingNote).where(FindingNote.evaluation_id == evaluation.id, FindingNote.code == code))
    if existing is None:
        db.session.add(FindingNote(evaluation_id=evaluation.id, code=code, note=note, author_id=actor.id))
    else:
        existing.note, existing.author_id = note, actor.id
    db.session.flush()
    refresh_findings(evaluation)
    db.session.commit()
