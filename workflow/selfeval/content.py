"""Reading an evaluation's content: creating its rows, and its canonical serialisation
(the form behind snapshots, the review diff, SHA-256 fingerprints and documents)."""
import hashlib
import json
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from workflow import numbers
from workflow.models import FundingRow, Indicator, NarrativeSection
from workflow.models.content import FUNDING_KINDS
from workflow.selfeval import department, framework, outline

FUNDING_LABELS = {
    "total": _l("年度资金总额"),
    "current_year": _l("其中：本年财政拨款"),
    "carry_over": _l("上年结转资金"),
    "other": _l("其他资金"),
}

FUNDING_COLUMNS = {
    "initial_budget": _l("年初预算数"),
    "annual_budget": _l("全年预算数"),
    "executed": _l("全年执行数"),
}

INDICATOR_FIELDS = {
    "name": _l("三级指标"),
    "nature": _l("指标性质"),
    "unit": _l("度量单位"),
    "target": _l("年度指标值"),
    "target_text": _l("年度指标值"),
    "explanation": _l("指标解释"),
    "basis": _l("目标值依据"),
    "actual": _l("实际完成值"),
    "actual_text": _l("实际完成值"),
    "band": _l("定性档次"),
    "score": _l("得分"),
    "applicable": _l("适用"),
    "deviation_reason": _l("偏差原因分析及改进措施"),
}


# Every funding kind, in the order serialisations list them (a department's after a project's).
_FUNDING_ORDER = FUNDING_KINDS + tuple(k for k in department.FUNDING_KINDS if k not in FUNDING_KINDS)


def funding_labels(evaluation):
    """{kind: label} of the budget rows the evaluation's form and report show, in order: a
    project's 资金来源, or a department's 基本支出 and 项目支出 (selfeval/department.py)."""
    return department.FUNDING_LABELS if department.is_department(evaluation) else FUNDING_LABELS


def report_outline(evaluation):
    """The outline the evaluation's report is written to: the plan's, or the department
    report's own (selfeval/department.py)."""
    if department.is_department(evaluation):
        return list(department.OUTLINE)
    return evaluation.project.plan.report_sections


def ensure_content(evaluation):
    """Give an evaluation its funding rows and indicators when it has none; True when it
    added any (the caller commits)."""
    added = False
    if not evaluation.funding_rows:
        evaluation.funding_rows = [FundingRow(kind=kind) for kind in funding_labels(evaluation)]
        added = True
    if not evaluation.indicators:
        if department.is_department(evaluation):
            evaluation.indicators = department.new_indicators()
        else:
            framework.copy_into(evaluation, evaluation.project.plan)
        added = True
    if not evaluation.project.plan.report_sections:
        framework.ensure_plan_framework(evaluation.project.plan)
        added = True
    if _prefill_preamble(evaluation):
        added = True
    return added


def default_preamble(evaluation):
    """The opening paragraph a report starts from (the writer may change it)."""
    project = evaluation.project
    return outline.preamble_text(project.plan.organisation, project.name, project.plan.basis_documents)


def _prefill_preamble(evaluation):
    """The preamble of an outline that has one is written for the section from the plan's
    basis documents, once: what the writer then makes of it (even nothing) is theirs."""
    if not any(section.key == outline.PREAMBLE for section in report_outline(evaluation)):
        return False
    if any(section.key == outline.PREAMBLE for section in evaluation.narrative):
        return False
    evaluation.narrative.append(NarrativeSection(key=outline.PREAMBLE, text=default_preamble(evaluation)))
    return True


def funding(evaluation):
    return {row.kind: row for row in evaluation.funding_rows}


def _number(value):
    return numbers.plain(value, empty=None)


def serialize(evaluation):
    """Plain data, stable across databases: strings for decimals, keys in a fixed order."""
    project = evaluation.project
    texts = {section.key: section.text for section in evaluation.narrative}
    data = {
        "project": {
            "name": project.name,
            "section": project.section.name if project.section else "",
            "leader_name": project.leader_name,
            "budget_year": project.budget_year,
            "overall_target": project.overall_target,
        },
        "overall_achievement": evaluation.overall_achievement,
        "funding": {
            row.kind: {column: _number(getattr(row, column)) for column in FUNDING_COLUMNS}
            for row in sorted(evaluation.funding_rows, key=lambda r: _FUNDING_ORDER.index(r.kind))
        },
        "indicators": [
            {
                "id": ind.id, "level1": ind.level1, "level2": ind.level2, "name": ind.name, "kind": ind.kind,
                "nature": ind.nature, "unit": ind.unit, "target": _number(ind.target), "target_text": ind.target_text,
                "actual": _number(ind.actual), "actual_text": ind.actual_text, "weight": _number(ind.weight),
                "band": ind.band, "score": _number(ind.score), "applicable": ind.applicable,
                "deviation_reason": ind.deviation_reason, "explanation": ind.explanation or "", "basis": ind.basis,
            }
            for ind in evaluation.indicators
        ],
        "narrative": {key: texts[key] for key in sorted(texts)},
        "total_score": _number(evaluation.total_score),
        "grade": evaluation.grade,
    }
    if department.is_department(evaluation):
        # Only a department's has the key, so a project's serialisation (and its SHA-256) is as it was.
        data["department"] = department.serialize(evaluation)
    return data


def fingerprint(data):
    """SHA-256 of the canonical JSON of ``data``."""
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def structured_amounts(evaluation):
    """Every amount (万元) the evaluation states in its structured fields."""
    amounts = set()
    for row in evaluation.funding_rows:
        for column in FUNDING_COLUMNS:
            value = getattr(row, column)
            if value is not None:
                amounts.add(Decimal(value))
    for ind in evaluation.indicators:
        if ind.unit in ("万元", "元"):
            for value in (ind.target, ind.actual):
                if value is not None:
                    amounts.add(Decimal(value) / (10000 if ind.unit == "元" else 1))
    return amounts
