"""The default scoring rules of a budget performance evaluation, as pure functions.

Everything here follows /work/shared/DOMAIN.md, sections "The self-evaluation form" and "Scoring
rules (defaults)". The module needs neither the database nor a Flask application: messages are
lazy strings (``flask_babel.lazy_gettext``), which render in Chinese, the default language, when
no request is active.

Numbers
    * Every value is a :class:`decimal.Decimal`; floats are refused with ``TypeError`` (a float
      cannot hold 0.1 exactly, and the amounts here must be exact). ``int`` and ``str`` are
      accepted and converted.
    * Amounts are in 万元 with at most four decimal places, i.e. to the yuan.
    * Scores are rounded to two decimal places with ROUND_HALF_UP (四舍五入). A score is never
      above its weight and never negative: the raw value is clamped to ``[0, weight]`` first, and
      should rounding half-up ever lift it above a weight that itself has more than two decimal
      places, it is rounded down instead.
    * Ratios (execution rate, deviation) are returned unrounded; round them where they are shown.
    * The arithmetic runs in a private decimal context, so a caller's ``decimal.getcontext()``
      changes cannot alter a score.

Where a rule varies by province (the deviation threshold, the grade boundaries) the default is
a keyword argument that the caller can override from the plan's settings.
"""
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

__all__ = [
    "ScoringError",
    "AMOUNT_QUANTUM",
    "SCORE_QUANTUM",
    "EXECUTION_RATE_WEIGHT",
    "execution_rate",
    "execution_rate_score",
    "POSITIVE",
    "NEGATIVE",
    "EQUAL",
    "QUALITATIVE",
    "NATURES",
    "NATURE_LABELS",
    "normalise_nature",
    "score_quantitative",
    "BANDS",
    "BAND_LABELS",
    "band_for",
    "score_qualitative",
    "DEVIATION_THRESHOLD",
    "deviation",
    "deviation_reason_required",
    "IndicatorScore",
    "FULL_MARKS",
    "validate_weights",
    "total",
    "GRADES",
    "GRADE_THRESHOLDS",
    "GRADE_LABELS",
    "grade",
    "SELF_EVALUATION_TEMPLATE",
    "KEY_EVALUATION_TEMPLATE",
    "KEY_EVALUATION_LEVEL1_RANGES",
    "copy_template",
    "level1_totals",
]


class ScoringError(ValueError):
    """A value that the scoring rules cannot accept; the message is Chinese (a lazy string)."""


# Numbers ---------------------------------------------------------------------------------

AMOUNT_QUANTUM = Decimal("0.0001")  # 万元 to four places = to the yuan
SCORE_QUANTUM = Decimal("0.01")
FULL_MARKS = Decimal("100")
ZERO = Decimal("0")
ONE = Decimal("1")
TWO = Decimal("2")

# Private context: 28 significant digits (Python's default), exact enough for any budget.
_CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN)


def _decimal(value, what="数值"):
    """``value`` as a finite Decimal; floats (and bools) are refused."""
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"scoring works on Decimal, not {type(value).__name__}: {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ScoringError(_l("%(what)s不是有效的数字：%(value)s", what=what, value=value)) from None
    else:
        raise TypeError(f"scoring works on Decimal, not {type(value).__name__}: {value!r}")
    if not result.is_finite():
        raise ScoringError(_l("%(what)s不是有效的数字：%(value)s", what=what, value=value))
    return result


def _places(value):
    """How many decimal places ``value`` is written with (trailing zeros count)."""
    exponent = value.as_tuple().exponent
    return -exponent if exponent < 0 else 0


def _amount(value, what):
    amount = _decimal(value, what)
    if amount < 0:
        raise ScoringError(_l("%(what)s不能为负数：%(value)s", what=what, value=amount))
    if _places(amount.normalize(_CONTEXT)) > 4:
        raise ScoringError(_l("%(what)s以万元为单位，最多保留四位小数（到元）：%(value)s", what=what, value=amount))
    return amount


def _weight(value):
    weight = _decimal(value, _l("分值"))
    if weight < 0:
        raise ScoringError(_l("分值不能为负数：%(value)s", value=weight))
    return weight


def _score(raw, weight):
    """Clamp ``raw`` to [0, weight] and round to 0.01 half-up, never rising above ``weight``."""
    clamped = min(max(raw, ZERO), weight)
    rounded = clamped.quantize(SCORE_QUANTUM, rounding=ROUND_HALF_UP, context=_CONTEXT)
    if rounded > weight:
        rounded = clamped.quantize(SCORE_QUANTUM, rounding=ROUND_DOWN, context=_CONTEXT)
    return rounded


# 预算执行率 --------------------------------------------------------------------------------

EXECUTION_RATE_WEIGHT = Decimal("10")


def execution_rate(annual_budget, executed):
    """执行率 = 全年执行数 ÷ 全年预算数 (DOMAIN.md, "项目资金（万元）" columns of the form).

    Both amounts are in 万元 with at most four decimal places and may not be negative
    (``ScoringError``). The ratio is returned unrounded (e.g. ``Decimal('0.8359…')`` for the
    seed's 172.743 of 206.632); it can exceed 1 when more was spent than budgeted. With a budget
    of 0 there is no rate: ``None``.
    """
    budget = _amount(annual_budget, _l("全年预算数"))
    spent = _amount(executed, _l("全年执行数"))
    if budget == 0:
        return None
    return _CONTEXT.divide(spent, budget)


def execution_rate_score(annual_budget, executed, weight=EXECUTION_RATE_WEIGHT):
    """预算执行率 score = 全年执行数 ÷ 全年预算数 × 分值, capped at the 分值 (DOMAIN.md, "Scoring
    rules (defaults)", first rule; the form gives the row 10 points).

    Overspending earns no more than the full weight; the score is never negative and is rounded
    to 0.01 half-up (the seed: 172.743 ÷ 206.632 × 10 = 8.3599… → 8.36). With a budget of 0 the
    rate is undefined and the indicator does not apply: ``None`` — record it with
    ``IndicatorScore(..., applicable=False)`` so that :func:`total` rescales.
    """
    weight = _weight(weight)
    rate = execution_rate(annual_budget, executed)
    if rate is None:
        return None
    return _score(_CONTEXT.multiply(rate, weight), weight)


# 指标性质 and quantitative indicators ---------------------------------------------------------

POSITIVE = ">="  # 正向指标: the more the better
NEGATIVE = "<="  # 反向指标: the less the better
EQUAL = "="  # 等于: the target itself
QUALITATIVE = "qualitative"  # 定性指标: the scorer picks a band

NATURES = (POSITIVE, NEGATIVE, EQUAL, QUALITATIVE)

NATURE_LABELS = {
    POSITIVE: _l("正向（≥）"),
    NEGATIVE: _l("反向（≤）"),
    EQUAL: _l("等于（=）"),
    QUALITATIVE: _l("定性"),
}

_NATURE_ALIASES = {
    ">=": POSITIVE,
    "≥": POSITIVE,
    "正向": POSITIVE,
    "<=": NEGATIVE,
    "≤": NEGATIVE,
    "反向": NEGATIVE,
    "=": EQUAL,
    "==": EQUAL,
    "等于": EQUAL,
    "qualitative": QUALITATIVE,
    "定性": QUALITATIVE,
}


# Every way the API and the form may write a 指标性质 (normalise_nature() reads them).
NATURE_SPELLINGS = tuple(_NATURE_ALIASES)


def normalise_nature(nature):
    """The canonical code for a 指标性质 written as on the form (≥ / ≤ / = / 定性) or as a code."""
    key = str(nature).strip()
    try:
        return _NATURE_ALIASES[key]
    except KeyError:
        raise ScoringError(_l("未知的指标性质：%(nature)s", nature=key)) from None


def score_quantitative(nature, target, actual, weight):
    """Score of a quantitative indicator (DOMAIN.md, "Scoring rules (defaults)").

    * 正向 (≥): actual ≥ target → full points, else actual ÷ target × points.
      Target 0: every actual ≥ 0 meets it (full points); a negative actual scores 0.
    * 反向 (≤): actual ≤ target → full points; between target and 2 × target →
      (1 − (actual − target) ÷ target) × points; 2 × target or more → 0.
      Target 0: actual ≤ 0 → full points, anything above 0 → 0 (there is no band to degrade in).
    * 等于 (=): not among the domain's rules, so this default is ours: actual = target → full
      points; otherwise the shortfall is treated proportionally, min(actual, target) ÷
      max(actual, target) × points, so missing or overshooting by the same ratio costs the
      same. Target 0: actual 0 → full points, anything else → 0.

    The target may not be negative (a proportional rule has no meaning then): ``ScoringError``.
    A negative actual (e.g. a growth rate that fell) is allowed and simply scores 0 where the
    formula would go below 0. The result is clamped to [0, weight] and rounded to 0.01 half-up.
    定性 indicators are scored with :func:`score_qualitative`.
    """
    nature = normalise_nature(nature)
    if nature == QUALITATIVE:
        raise ScoringError(_l("定性指标按档次评分，不能按公式计算"))
    weight = _weight(weight)
    target = _decimal(target, _l("年度指标值"))
    actual = _decimal(actual, _l("实际完成值"))
    if target < 0:
        raise ScoringError(_l("年度指标值不能为负数：%(value)s", value=target))

    ctx = _CONTEXT
    if nature == POSITIVE:
        if actual >= target:
            raw = weight
        else:  # here target > actual, so target > 0 unless actual < 0 = target
            raw = ZERO if target == 0 else ctx.multiply(ctx.divide(actual, target), weight)
    elif nature == NEGATIVE:
        if actual <= target:
            raw = weight
        elif target == 0 or actual >= ctx.multiply(TWO, target):
            raw = ZERO
        else:
            over = ctx.divide(ctx.subtract(actual, target), target)
            raw = ctx.multiply(ctx.subtract(ONE, over), weight)
    else:  # EQUAL
        if actual == target:
            raw = weight
        else:
            low, high = min(actual, target), max(actual, target)
            raw = ZERO if high <= 0 else ctx.multiply(ctx.divide(low, high), weight)
    return _score(raw, weight)


# 定性 indicators ---------------------------------------------------------------------------

# Each band is the share of the indicator's points a score inside it may take.
BANDS = {
    "achieved": (Decimal("0.80"), Decimal("1.00")),
    "partial": (Decimal("0.60"), Decimal("0.80")),
    "poor": (Decimal("0.00"), Decimal("0.60")),
}

BAND_LABELS = {
    "achieved": _l("达成年度指标"),
    "partial": _l("部分达成并具有一定效果"),
    "poor": _l("未达成且效果较差"),
}

# Bands whose upper bound belongs to them; the others stop just below it.
_INCLUSIVE_TOP = {"achieved"}
# The same, for the form's script (selfeval.services.page_rules).
INCLUSIVE_TOP_BANDS = frozenset(_INCLUSIVE_TOP)


def _band_bounds(band, weight):
    low, high = BANDS[band]
    return _CONTEXT.multiply(low, weight), _CONTEXT.multiply(high, weight)


def _in_band(band, score, weight):
    low, high = _band_bounds(band, weight)
    if band in _INCLUSIVE_TOP:
        return low <= score <= high
    return low <= score < high


def band_for(score, weight):
    """The band that holds ``score`` out of ``weight`` (see :func:`score_qualitative`)."""
    weight = _weight(weight)
    score = _decimal(score, _l("得分"))
    for band in BANDS:
        if _in_band(band, score, weight):
            return band
    raise ScoringError(_l("得分 %(score)s 超出 0 至 %(weight)s 分的范围", score=score, weight=weight))


def score_qualitative(band, score, weight):
    """Check the score a scorer picked for a 定性 indicator (DOMAIN.md, "Scoring rules
    (defaults)": 达成年度指标 80–100 % of the points, 部分达成并具有一定效果 60–80 %,
    未达成且效果较差 0–60 %).

    The domain's bands share their edges (80 %, 60 %); so that each score belongs to exactly one
    band, an edge belongs to the higher band: achieved = [80 %, 100 %], partial = [60 %, 80 %),
    poor = [0 %, 60 %). With 10 points, 8.00 is 达成 and 7.99 is 部分达成; 6.00 is 部分达成 and
    5.99 is 未达成.

    Scores are entered to two decimal places at most (a finer score could round across an
    edge). An unknown band, a score with more places, or a score outside the band raises
    ``ScoringError`` with a Chinese message. Returns the score as a Decimal with two places.
    """
    if band not in BANDS:
        raise ScoringError(_l("未知的定性评价档次：%(band)s", band=band))
    weight = _weight(weight)
    score = _decimal(score, _l("得分"))
    if _places(score.normalize(_CONTEXT)) > 2:
        raise ScoringError(_l("得分最多保留两位小数：%(score)s", score=score))
    if not _in_band(band, score, weight):
        low, high = _band_bounds(band, weight)
        if band in _INCLUSIVE_TOP:
            message = _l(
                "“%(band)s”档次的得分应在 %(low)s 至 %(high)s 分之间（含），当前为 %(score)s 分",
                band=BAND_LABELS[band], low=_score(low, weight), high=_score(high, weight), score=score,
            )
        else:
            message = _l(
                "“%(band)s”档次的得分应不低于 %(low)s 分且低于 %(high)s 分，当前为 %(score)s 分",
                band=BAND_LABELS[band], low=_score(low, weight), high=_score(high, weight), score=score,
            )
        raise ScoringError(message)
    return score.quantize(SCORE_QUANTUM, context=_CONTEXT)


# 偏差 -------------------------------------------------------------------------------------

DEVIATION_THRESHOLD = Decimal("0.30")


def deviation(target, actual):
    """Relative deviation |actual − target| ÷ |target| (DOMAIN.md, "Scoring rules (defaults)",
    the 偏差原因分析 rule), unrounded; ``None`` when the target is 0 (no relative deviation).
    The seed: 253 mines checked of 286 planned → 33 ÷ 286 = 0.1153… (about 11.5 %).
    """
    target = _decimal(target, _l("年度指标值"))
    actual = _decimal(actual, _l("实际完成值"))
    if target == 0:
        return None
    return _CONTEXT.divide(abs(_CONTEXT.subtract(actual, target)), abs(target))


def deviation_reason_required(target, actual, threshold=DEVIATION_THRESHOLD):
    """Whether 偏差原因分析及改进措施 must be filled in: a deviation of ``threshold`` (default
    30 %) or more from the target (DOMAIN.md, "Scoring rules (defaults)"). The threshold is a
    parameter because some provinces use other rules.

    Target 0: any actual other than 0 is an unbounded deviation and requires the analysis;
    actual 0 does not.
    """
    threshold = _decimal(threshold, _l("偏差阈值"))
    if threshold < 0:
        raise ScoringError(_l("偏差阈值不能为负数：%(value)s", value=threshold))
    ratio = deviation(target, actual)
    if ratio is None:
        return _decimal(actual, _l("实际完成值")) != 0
    return ratio >= threshold


# 总分 -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorScore:
    """One scored row: its 分值 (weight), its 得分 (score), and whether it applies.

    ``score`` may be ``None`` for a row that does not apply. Values are converted to Decimal.
    """

    weight: Decimal
    score: Decimal = None
    applicable: bool = True

    def __post_init__(self):
        object.__setattr__(self, "weight", _decimal(self.weight, _l("分值")))
        if self.score is not None:
            object.__setattr__(self, "score", _decimal(self.score, _l("得分")))


def validate_weights(weights):
    """The 分值 of all indicators must add to 100 (DOMAIN.md, "The self-evaluation form": 总分
    (100); "Both frameworks … weights must add to 100"). Negative weights are refused.
    Returns the sum; raises ``ScoringError`` with a Chinese message otherwise.
    """
    values = [_weight(weight) for weight in weights]
    sum_ = sum(values, ZERO)
    if sum_ != FULL_MARKS:
        raise ScoringError(_l("各指标分值合计应为 100 分，当前为 %(sum)s 分", sum=sum_))
    return sum_


def total(items):
    """总分: "Indicators that do not apply are dropped and the total is rescaled to 100"
    (DOMAIN.md, "Scoring rules (defaults)").

    total = Σ score (applicable) × 100 ÷ Σ weight (applicable), where the weights of all items,
    applicable or not, must add to 100 (:func:`validate_weights`). When every item applies this
    is simply the sum of the scores. Each applicable score must lie in [0, its weight].

    The total is rounded to 0.01 half-up, like every score: the form shows scores to two
    places, and the seed's 99.7 is 99.70 written short (``Decimal('99.70') == Decimal('99.7')``).
    Raises ``ScoringError`` when no item applies or a score is missing or out of range.
    """
    items = list(items)
    validate_weights(item.weight for item in items)
    applicable = [item for item in items if item.applicable]
    weight_sum = sum((item.weight for item in applicable), ZERO)
    if weight_sum == 0:
        raise ScoringError(_l("没有适用的指标，无法计算总分"))
    for item in applicable:
        if item.score is None:
            raise ScoringError(_l("适用的指标必须有得分"))
        if not ZERO <= item.score <= item.weight:
            raise ScoringError(
                _l("得分 %(score)s 超出 0 至 %(weight)s 分的范围", score=item.score, weight=item.weight)
            )
    score_sum = sum((item.score for item in applicable), ZERO)
    raw = _CONTEXT.divide(_CONTEXT.multiply(score_sum, FULL_MARKS), weight_sum)
    return _score(raw, FULL_MARKS)


# 评价等级 ----------------------------------------------------------------------------------

GRADES = ("excellent", "good", "fair", "poor")

# Lowest total of each grade, best first; anything below the last is 'poor'.
GRADE_THRESHOLDS = (
    (Decimal("90"), "excellent"),
    (Decimal("80"), "good"),
    (Decimal("60"), "fair"),
)

GRADE_LABELS = {
    "excellent": _l("优"),
    "good": _l("良"),
    "fair": _l("中"),
    "poor": _l("差"),
}


def grade(total_score, thresholds=GRADE_THRESHOLDS):
    """评价等级 (DOMAIN.md, "Scoring rules (defaults)"): 优 90–100, 良 80–<90, 中 60–<80,
    差 <60. Returns a code of :data:`GRADES`; show it with :data:`GRADE_LABELS`. The boundaries
    are exact (89.99 → 良, 90 → 优). ``thresholds`` lets a province use other boundaries.
    A total outside 0–100 raises ``ScoringError``.
    """
    value = _decimal(total_score, _l("总分"))
    if not ZERO <= value <= FULL_MARKS:
        raise ScoringError(_l("总分应在 0 至 100 分之间，当前为 %(total)s 分", total=value))
    for lowest, code in thresholds:
        if value >= _decimal(lowest):
            return code
    return "poor"


# Indicator templates -------------------------------------------------------------------------
# Both frameworks of DOMAIN.md as data the office copies into a plan and adjusts. Indicator
# names are the domain's own terms (and editable data once copied), so they are plain Chinese
# strings rather than translatable interface text. Each row: level1 (一级指标), level2 (二级指标),
# name (三级指标, a sensible default, or '' where the row is its own indicator), weight (分值).


def _row(level1, level2, name, weight):
    return {"level1": level1, "level2": level2, "name": name, "weight": Decimal(weight)}


# 单位自评 (项目支出绩效自评表): 预算执行率 10, 产出指标 50, 效益指标 30, 满意度指标 10.
SELF_EVALUATION_TEMPLATE = [
    _row("预算执行率", "", "", "10"),
    _row("产出指标", "数量指标", "计划任务完成数量", "20"),
    _row("产出指标", "质量指标", "质量达标率", "10"),
    _row("产出指标", "时效指标", "按期完成率", "10"),
    _row("产出指标", "成本指标", "成本控制在预算内", "10"),
    _row("效益指标", "经济效益", "经济效益发挥情况", "5"),
    _row("效益指标", "社会效益", "社会效益发挥情况", "15"),
    _row("效益指标", "生态效益", "生态效益发挥情况", "5"),
    _row("效益指标", "可持续影响", "长效管理机制建立情况", "5"),
    _row("满意度指标", "服务对象满意度", "服务对象满意度", "10"),
]

# 重点评价 (部门评价) framework: 决策 15, 过程 20, 产出 40, 效益 25 — each inside the domain's
# typical range (KEY_EVALUATION_LEVEL1_RANGES).
KEY_EVALUATION_TEMPLATE = [
    _row("决策", "项目立项", "立项依据充分性", "3"),
    _row("决策", "项目立项", "立项程序规范性", "2"),
    _row("决策", "绩效目标", "绩效目标合理性", "3"),
    _row("决策", "绩效目标", "绩效指标明确性", "2"),
    _row("决策", "资金投入", "预算编制科学性", "3"),
    _row("决策", "资金投入", "资金分配合理性", "2"),
    _row("过程", "资金管理", "资金到位率", "4"),
    _row("过程", "资金管理", "预算执行率", "4"),
    _row("过程", "资金管理", "资金使用合规性", "4"),
    _row("过程", "组织实施", "管理制度健全性", "4"),
    _row("过程", "组织实施", "制度执行有效性", "4"),
    _row("产出", "产出数量", "实际完成率", "15"),
    _row("产出", "产出质量", "质量达标率", "10"),
    _row("产出", "产出时效", "完成及时性", "8"),
    _row("产出", "产出成本", "成本节约率", "7"),
    _row("效益", "经济效益", "项目实施的经济效益", "4"),
    _row("效益", "社会效益", "项目实施的社会效益", "8"),
    _row("效益", "生态效益", "项目实施的生态效益", "4"),
    _row("效益", "可持续影响", "项目实施的可持续影响", "4"),
    _row("效益", "满意度", "服务对象满意度", "5"),
]

# DOMAIN.md: "typical weights around 决策 15–20, 过程 20–25, 产出 30–40, 效益 20–30".
KEY_EVALUATION_LEVEL1_RANGES = {
    "决策": (Decimal("15"), Decimal("20")),
    "过程": (Decimal("20"), Decimal("25")),
    "产出": (Decimal("30"), Decimal("40")),
    "效益": (Decimal("20"), Decimal("30")),
}


def copy_template(template):
    """Fresh dicts of a template, to adjust for a plan without touching the module's data."""
    return [dict(row) for row in template]


def level1_totals(template):
    """{一级指标: sum of its weights}, in the template's order."""
    totals = {}
    for row in template:
        totals[row["level1"]] = totals.get(row["level1"], ZERO) + _decimal(row["weight"])
    return totals
