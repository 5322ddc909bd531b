"""Scores, grades, execution rates and counts written in the report's text, checked against
the figures (the same way checks.py checks the 万元 amounts): one finding per mismatch.

- "得分为99.7分" against the computed total (Evaluation.total_score) at the plan's display
  precision (Plan.score_text_decimals; the seed prints one decimal: 99.67 → 99.7); the exact
  total written out in full ("99.67分") is right too, and so is the score of an indicator or
  of a first-level indicator at the precision written (the analysis: "决策指标得分19.86分").
- "测评结果为优" / "评价等级为优" against the grade.
- "执行率83.6%" / "预算执行率为83.60%" against the rate computed from the budget block, at the
  precision the text used.
- A count ("实际排查金属非金属矿山253座") against the quantitative indicator whose unit it
  carries: the one indicator of that unit, or, when several share it, the one whose name is
  in the same clause; when that leaves not exactly one, nothing is said. It is right when it
  is the indicator's 实际完成值 or its 年度指标值 (a text states both: "计划286座，实际253座").
"""
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import gettext as _

from workflow import numbers, scoring

NUMBER = r"(\d+(?:\.\d+)?)"
SCORE_IN_TEXT = re.compile(r"(?:综合得分|得分|总分|评分)\s*(?:为|是|达到|：|:)?\s*" + NUMBER + r"\s*分")
GRADE_WORDS = {"优秀": "excellent", "优": "excellent", "良好": "good", "良": "good", "中等": "fair", "中": "fair",
               "差": "poor"}
GRADE_IN_TEXT = re.compile(
    r"(?:测评结果|评价结果|评价等级|评定等级|评价结论|等级)\s*(?:为|是|：|:|评定为|定为)\s*[“\"「『]?(优秀|优|良好|良|中等|中|差)"
    r"[”\"」』]?(?![\u4e00-\u9fff]|[”\"」』])")
RATE_IN_TEXT = re.compile(r"(?:预算|资金)?执行率\s*(?:为|是|达到|达|：|:)?\s*" + NUMBER + r"\s*[%％]")
# Units a count may not carry: amounts (checked on their own), rates and percentages.
NOT_COUNTS = ("%", "％", "万元", "元")
CLAUSE_END = re.compile(r"[，。；;！？!?\n,]")


def _decimal(text):
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _at_precision_of(written, value):
    """``value`` rounded to the decimals ``written`` has."""
    exponent = min(written.as_tuple().exponent, 0)
    return value.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP)


def _part_scores(evaluation):
    """The scores of the parts a report's analysis may state ("决策指标得分19.86分"): each
    indicator's and each first-level indicator's."""
    scored = [i for i in evaluation.indicators if i.applicable and i.score is not None]
    levels = {}
    for ind in scored:
        levels[ind.level1] = levels.get(ind.level1, Decimal(0)) + ind.score
    return [i.score for i in scored] + list(levels.values())


def score_findings(evaluation, texts, decimals):
    total = evaluation.total_score
    if total is None:
        return []
    shown = total.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    parts = _part_scores(evaluation)
    findings, seen = [], set()
    for _key, text in texts:
        for match in SCORE_IN_TEXT.finditer(text or ""):
            written = _decimal(match.group(1))
            if written is None or written in seen or written == shown or written == total:
                continue
            if any(_at_precision_of(written, part) == written for part in parts):
                continue  # a part's score, not the total
            seen.add(written)
            findings.append(("text_score:" + numbers.plain(written), _(
                "报告中的得分“%(written)s”与计算的总分 %(total)s 分（保留 %(n)d 位小数为 %(shown)s 分）不一致，请核对。",
                written=match.group(0), total=numbers.plain(total), n=decimals, shown=shown)))
    return findings


def grade_findings(evaluation, texts):
    if evaluation.grade is None:
        return []
    findings, seen = [], set()
    for _key, text in texts:
        for match in GRADE_IN_TEXT.finditer(text or ""):
            written = GRADE_WORDS[match.group(1)]
            if written == evaluation.grade or written in seen:
                continue
            seen.add(written)
            findings.append((f"text_grade:{written}", _(
                "报告中的评价等级“%(written)s”与按总分评定的等级“%(grade)s”不一致，请核对。",
                written=match.group(0), grade=scoring.GRADE_LABELS[evaluation.grade])))
    return findings


def rate_findings(total_row, texts):
    if total_row is None or not total_row.annual_budget or total_row.executed is None:
        return []
    computed = scoring.execution_rate(total_row.annual_budget, total_row.executed) * 100
    findings, seen = [], set()
    for _key, text in texts:
        for match in RATE_IN_TEXT.finditer(text or ""):
            written = _decimal(match.group(1))
            if written is None or written in seen or _at_precision_of(written, computed) == written:
                continue
            seen.add(written)
            findings.append(("text_rate:" + numbers.plain(written), _(
                "报告中的执行率“%(written)s”与按资金计算的 %(computed)s%% 不一致，请核对。",
                written=match.group(0), computed=computed.quantize(Decimal("0.01")))))
    return findings


def _countable(indicators):
    return [i for i in indicators if i.applicable and i.nature and i.nature != scoring.QUALITATIVE
            and (i.unit or "").strip() and not any(part in i.unit for part in NOT_COUNTS)
            and (i.actual is not None or i.target is not None)]


def _clause(text, start, end):
    before = [m.end() for m in CLAUSE_END.finditer(text, 0, start)]
    after = CLAUSE_END.search(text, end)
    return text[(before[-1] if before else 0):(after.start() if after else len(text))]


def count_findings(indicators, texts):
    by_unit = {}
    for ind in _countable(indicators):
        by_unit.setdefault(ind.unit.strip(), []).append(ind)
    if not by_unit:
        return []
    units = sorted(by_unit, key=len, reverse=True)  # 人次 before 人
    pattern = re.compile(r"(?<![\d.])" + NUMBER + r"\s*(" + "|".join(re.escape(u) for u in units) + ")")
    findings, seen = [], set()
    for _key, text in texts:
        for match in pattern.finditer(text or ""):
            written, unit = _decimal(match.group(1)), match.group(2)
            if written is None:
                continue
            candidates = by_unit[unit]
            if len(candidates) > 1:
                clause = _clause(text, match.start(), match.end())
                candidates = [i for i in candidates if i.name and i.name in clause]
            if len(candidates) != 1:
                continue  # ambiguous: no finding
            ind = candidates[0]
            known = [v for v in (ind.actual, ind.target) if v is not None]
            if any(_at_precision_of(written, v) == written for v in known) or (ind.id, written) in seen:
                continue
            seen.add((ind.id, written))
            findings.append((f"text_count:{ind.id}:{numbers.plain(written)}", _(
                "报告中的“%(written)s”与指标“%(name)s”的实际完成值 %(actual)s%(unit)s、年度指标值 %(target)s%(unit)s 均不一致，请核对。",
                written=match.group(0), name=ind.name or ind.level2, unit=ind.unit,
                actual=numbers.plain(ind.actual) if ind.actual is not None else "—",
                target=numbers.plain(ind.target) if ind.target is not None else "—")))
    return findings


def findings(evaluation, total_row, texts):
    """(code, message) of every mismatch in ``texts`` ([(key, text)]), for checks.py."""
    decimals = evaluation.project.plan.score_text_decimals
    return (score_findings(evaluation, texts, decimals) + grade_findings(evaluation, texts)
            + rate_findings(total_row, texts) + count_findings(evaluation.indicators, texts))
