"""The default scoring rules (workflow/scoring.py): properties over random Decimals, and the
seed's mine project (budget 206.632 万元, spent 172.743 万元, 286 mines planned, 253 checked,
total 99.7, grade 优) as worked examples."""
import re
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from workflow import scoring
from workflow.scoring import (
    BANDS,
    EQUAL,
    GRADE_LABELS,
    KEY_EVALUATION_LEVEL1_RANGES,
    KEY_EVALUATION_TEMPLATE,
    NEGATIVE,
    POSITIVE,
    QUALITATIVE,
    SELF_EVALUATION_TEMPLATE,
    IndicatorScore,
    ScoringError,
)

HAN = re.compile(r"[\u4e00-\u9fff]")
BUDGET = Decimal("206.632")
SPENT = Decimal("172.743")
PLANNED = Decimal("286")
CHECKED = Decimal("253")


def decimals(low, high, places):
    return st.decimals(
        min_value=Decimal(low), max_value=Decimal(high), places=places, allow_nan=False, allow_infinity=False
    )


amounts = decimals("0.0001", "100000", 4)
weights = decimals("0.01", "100", 2)
values = decimals("0", "100000", 4)
positive_values = decimals("0.0001", "100000", 4)


def assert_score(score, weight):
    assert isinstance(score, Decimal)
    assert Decimal("0") <= score <= weight
    assert score == score.quantize(Decimal("0.01"))


def assert_chinese(error):
    assert HAN.search(str(error.value)), str(error.value)


# Properties ----------------------------------------------------------------------------------


@given(budget=amounts, executed=decimals("0", "200000", 4), weight=weights)
def test_execution_rate_score_is_within_the_weight(budget, executed, weight):
    score = scoring.execution_rate_score(budget, executed, weight)
    assert_score(score, weight)
    if executed >= budget:
        assert score == weight


@given(nature=st.sampled_from([POSITIVE, NEGATIVE, EQUAL]), target=values, actual=values, weight=weights)
def test_quantitative_score_is_within_the_weight(nature, target, actual, weight):
    score = scoring.score_quantitative(nature, target, actual, weight)
    assert_score(score, weight)
    if actual == target:
        assert score == weight


@given(target=positive_values, actual=values, weight=weights)
def test_positive_score_follows_the_formula(target, actual, weight):
    score = scoring.score_quantitative(POSITIVE, target, actual, weight)
    if actual >= target:
        assert score == weight
    else:
        expected = (actual / target * weight).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
        assert score == min(expected, weight)


@given(target=positive_values, actual=values, weight=weights)
def test_negative_score_is_zero_from_twice_the_target(target, actual, weight):
    score = scoring.score_quantitative(NEGATIVE, target, actual, weight)
    if actual >= 2 * target:
        assert score == 0
    elif actual <= target:
        assert score == weight


@given(band=st.sampled_from(sorted(BANDS)), weight=weights, data=st.data())
def test_qualitative_score_inside_its_band_is_accepted(band, weight, data):
    low, high = BANDS[band]
    # Any two-place score between the band's bounds (top excluded for partial and poor).
    low_cents = int((low * weight * 100).to_integral_value(rounding="ROUND_CEILING"))
    high_exact = high * weight * 100
    high_cents = int(high_exact.to_integral_value(rounding="ROUND_FLOOR"))
    if band != "achieved" and high_cents == high_exact:
        high_cents -= 1
    assume(low_cents <= high_cents)
    score = Decimal(data.draw(st.integers(low_cents, high_cents))) / 100
    result = scoring.score_qualitative(band, score, weight)
    assert result == score
    assert_score(result, weight)
    assert scoring.band_for(score, weight) == band


@given(weight=weights, cents=st.integers(0, 10000))
def test_every_score_belongs_to_exactly_one_band(weight, cents):
    score = Decimal(cents) / 100
    assume(score <= weight)
    accepted = []
    for band in BANDS:
        try:
            scoring.score_qualitative(band, score, weight)
        except ScoringError:
            continue
        accepted.append(band)
    assert len(accepted) == 1
    assert accepted == [scoring.band_for(score, weight)]


@given(weight=weights, over=decimals("0.01", "100", 2))
def test_qualitative_score_above_the_weight_is_refused(weight, over):
    with pytest.raises(ScoringError):
        scoring.score_qualitative("achieved", weight + over, weight)


@st.composite
def weighted_items(draw):
    """Items whose weights, in cents, add to exactly 100, with random scores and applicability."""
    count = draw(st.integers(1, 12))
    cuts = sorted(draw(st.lists(st.integers(0, 10000), min_size=count - 1, max_size=count - 1)))
    bounds = [0, *cuts, 10000]
    items = []
    for start, end in zip(bounds, bounds[1:]):
        weight = Decimal(end - start) / 100
        score = Decimal(draw(st.integers(0, end - start))) / 100
        items.append(IndicatorScore(weight, score, draw(st.booleans())))
    assume(any(item.applicable and item.weight > 0 for item in items))
    return items


@given(items=weighted_items())
def test_total_is_within_0_and_100(items):
    result = scoring.total(items)
    assert Decimal("0") <= result <= Decimal("100")
    assert result == result.quantize(Decimal("0.01"))
    if all(item.applicable for item in items):
        assert result == sum(item.score for item in items)


@given(items=weighted_items())
def test_full_scores_total_100_whatever_is_dropped(items):
    perfect = [IndicatorScore(item.weight, item.weight, item.applicable) for item in items]
    assert scoring.total(perfect) == Decimal("100")


@given(items=weighted_items(), index=st.integers(0, 11))
def test_dropping_a_full_scored_indicator_keeps_a_perfect_total(items, index):
    perfect = [IndicatorScore(item.weight, item.weight) for item in items]
    assume(index < len(perfect) and len(perfect) > 1)
    assume(any(item.weight > 0 for i, item in enumerate(perfect) if i != index))
    assert scoring.total(perfect) == Decimal("100")
    dropped = list(perfect)
    dropped[index] = IndicatorScore(perfect[index].weight, None, applicable=False)
    assert scoring.total(dropped) == Decimal("100")


@given(items=weighted_items(), extra=decimals("0.01", "50", 2))
def test_total_refuses_weights_that_do_not_add_to_100(items, extra):
    items = [*items, IndicatorScore(extra, Decimal("0"))]
    with pytest.raises(ScoringError) as error:
        scoring.total(items)
    assert_chinese(error)


@given(total=decimals("0", "100", 2))
def test_grade_follows_the_bands(total):
    code = scoring.grade(total)
    if total >= 90:
        assert code == "excellent"
    elif total >= 80:
        assert code == "good"
    elif total >= 60:
        assert code == "fair"
    else:
        assert code == "poor"


@pytest.mark.parametrize(
    "total, code",
    [
        ("100", "excellent"),
        ("90", "excellent"),
        ("89.99", "good"),
        ("80", "good"),
        ("79.99", "fair"),
        ("60", "fair"),
        ("59.99", "poor"),
        ("0", "poor"),
    ],
)
def test_grade_boundaries_are_exact(total, code):
    assert scoring.grade(Decimal(total)) == code


def test_grade_labels_are_chinese():
    assert {code: str(label) for code, label in GRADE_LABELS.items()} == {
        "excellent": "优",
        "good": "良",
        "fair": "中",
        "poor": "差",
    }
    assert tuple(GRADE_LABELS) == scoring.GRADES


@pytest.mark.parametrize("total", ["-0.01", "100.01"])
def test_grade_refuses_totals_outside_0_to_100(total):
    with pytest.raises(ScoringError) as error:
        scoring.grade(Decimal(total))
    assert_chinese(error)


# The seed's mine project -----------------------------------------------------------------------


def test_seed_execution_rate():
    rate = scoring.execution_rate(BUDGET, SPENT)
    assert rate.quantize(Decimal("0.0001")) == Decimal("0.8360")
    assert rate == SPENT / BUDGET
    assert scoring.execution_rate_score(BUDGET, SPENT) == Decimal("8.36")
    assert scoring.execution_rate_score(BUDGET, SPENT, Decimal("10")) == Decimal("8.36")


def test_execution_rate_edges():
    assert scoring.execution_rate(Decimal("0"), Decimal("0")) is None
    assert scoring.execution_rate_score(Decimal("0"), Decimal("0")) is None
    assert scoring.execution_rate_score(BUDGET, BUDGET) == Decimal("10")
    assert scoring.execution_rate_score(BUDGET, BUDGET * 2) == Decimal("10")  # capped
    assert scoring.execution_rate_score(BUDGET, Decimal("0")) == Decimal("0")
    with pytest.raises(ScoringError) as error:
        scoring.execution_rate(Decimal("-1"), SPENT)
    assert_chinese(error)
    with pytest.raises(ScoringError) as error:
        scoring.execution_rate(BUDGET, Decimal("172.74301"))  # finer than a yuan
    assert_chinese(error)


def test_floats_are_refused():
    with pytest.raises(TypeError):
        scoring.execution_rate(206.632, SPENT)
    with pytest.raises(TypeError):
        scoring.score_quantitative(POSITIVE, PLANNED, 253.0, Decimal("10"))
    with pytest.raises(TypeError):
        IndicatorScore(10.0, Decimal("10"))


def test_positive_indicator_253_of_286_mines():
    assert scoring.score_quantitative(POSITIVE, PLANNED, CHECKED, Decimal("20")) == Decimal("17.69")
    assert scoring.score_quantitative(POSITIVE, PLANNED, CHECKED, Decimal("10")) == Decimal("8.85")
    assert scoring.score_quantitative("≥", PLANNED, PLANNED, Decimal("10")) == Decimal("10")
    assert scoring.score_quantitative(POSITIVE, PLANNED, Decimal("300"), Decimal("10")) == Decimal("10")


def test_negative_indicator_at_1_5_and_2_times_the_target():
    target, weight = Decimal("40"), Decimal("10")
    assert scoring.score_quantitative(NEGATIVE, target, Decimal("30"), weight) == Decimal("10")
    assert scoring.score_quantitative(NEGATIVE, target, target, weight) == Decimal("10")
    assert scoring.score_quantitative(NEGATIVE, target, Decimal("50"), weight) == Decimal("7.5")
    assert scoring.score_quantitative(NEGATIVE, target, Decimal("60"), weight) == Decimal("5")
    assert scoring.score_quantitative("≤", target, Decimal("80"), weight) == Decimal("0")
    assert scoring.score_quantitative(NEGATIVE, target, Decimal("120"), weight) == Decimal("0")


def test_target_zero_edges():
    weight = Decimal("5")
    assert scoring.score_quantitative(NEGATIVE, Decimal("0"), Decimal("0"), weight) == weight
    assert scoring.score_quantitative(NEGATIVE, Decimal("0"), Decimal("1"), weight) == Decimal("0")
    assert scoring.score_quantitative(POSITIVE, Decimal("0"), Decimal("0"), weight) == weight
    assert scoring.score_quantitative(POSITIVE, Decimal("0"), Decimal("-1"), weight) == Decimal("0")
    assert scoring.score_quantitative(EQUAL, Decimal("0"), Decimal("0"), weight) == weight
    assert scoring.score_quantitative(EQUAL, Decimal("0"), Decimal("3"), weight) == Decimal("0")
    assert scoring.score_quantitative(EQUAL, Decimal("0"), Decimal("-3"), weight) == Decimal("0")


def test_equal_indicator_is_proportional_both_ways():
    weight = Decimal("10")
    assert scoring.score_quantitative(EQUAL, Decimal("100"), Decimal("100"), weight) == weight
    assert scoring.score_quantitative(EQUAL, Decimal("100"), Decimal("80"), weight) == Decimal("8")
    assert scoring.score_quantitative(EQUAL, Decimal("100"), Decimal("125"), weight) == Decimal("8")


def test_quantitative_refusals():
    with pytest.raises(ScoringError) as error:
        scoring.score_quantitative(QUALITATIVE, PLANNED, CHECKED, Decimal("10"))
    assert_chinese(error)
    with pytest.raises(ScoringError) as error:
        scoring.score_quantitative("~", PLANNED, CHECKED, Decimal("10"))
    assert_chinese(error)
    with pytest.raises(ScoringError) as error:
        scoring.score_quantitative(POSITIVE, Decimal("-1"), CHECKED, Decimal("10"))
    assert_chinese(error)
    with pytest.raises(ScoringError) as error:
        scoring.score_quantitative(POSITIVE, PLANNED, CHECKED, Decimal("-10"))
    assert_chinese(error)


@pytest.mark.parametrize(
    "band, score",
    [
        ("achieved", "7.99"),
        ("achieved", "10.01"),
        ("partial", "8"),
        ("partial", "5.99"),
        ("poor", "6"),
        ("poor", "-0.01"),
        ("achieved", "9.995"),
    ],
)
def test_qualitative_band_errors_are_chinese(band, score):
    with pytest.raises(ScoringError) as error:
        scoring.score_qualitative(band, Decimal(score), Decimal("10"))
    assert isinstance(error.value, ValueError)
    assert_chinese(error)


def test_qualitative_band_edges():
    weight = Decimal("10")
    assert scoring.score_qualitative("achieved", Decimal("8"), weight) == Decimal("8.00")
    assert scoring.score_qualitative("achieved", Decimal("10"), weight) == Decimal("10")
    assert scoring.score_qualitative("partial", Decimal("6"), weight) == Decimal("6")
    assert scoring.score_qualitative("partial", Decimal("7.99"), weight) == Decimal("7.99")
    assert scoring.score_qualitative("poor", Decimal("0"), weight) == Decimal("0")
    assert scoring.score_qualitative("poor", Decimal("5.99"), weight) == Decimal("5.99")
    with pytest.raises(ScoringError) as error:
        scoring.score_qualitative("excellent", Decimal("9"), weight)
    assert_chinese(error)
    assert str(scoring.BAND_LABELS["partial"]) == "部分达成并具有一定效果"


def test_deviation_of_the_mines():
    small = scoring.deviation(PLANNED, CHECKED)
    assert small.quantize(Decimal("0.001")) == Decimal("0.115")
    assert not scoring.deviation_reason_required(PLANNED, CHECKED)
    large = scoring.deviation(PLANNED, Decimal("150"))
    assert large.quantize(Decimal("0.001")) == Decimal("0.476")
    assert scoring.deviation_reason_required(PLANNED, Decimal("150"))
    # Exactly 30 % requires the analysis; just under does not; the threshold is a setting.
    assert scoring.deviation_reason_required(Decimal("100"), Decimal("70"))
    assert scoring.deviation_reason_required(Decimal("100"), Decimal("130"))
    assert not scoring.deviation_reason_required(Decimal("100"), Decimal("70.01"))
    assert not scoring.deviation_reason_required(PLANNED, Decimal("150"), threshold=Decimal("0.5"))
    assert scoring.deviation_reason_required(PLANNED, CHECKED, threshold=Decimal("0.10"))


def test_deviation_with_target_zero():
    assert scoring.deviation(Decimal("0"), Decimal("5")) is None
    assert scoring.deviation_reason_required(Decimal("0"), Decimal("5"))
    assert not scoring.deviation_reason_required(Decimal("0"), Decimal("0"))


def test_validate_weights():
    assert scoring.validate_weights([Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]) == 100
    for bad in ([Decimal("50"), Decimal("49.99")], [Decimal("110"), Decimal("-10")], []):
        with pytest.raises(ScoringError) as error:
            scoring.validate_weights(bad)
        assert_chinese(error)


def test_total_refusals():
    with pytest.raises(ScoringError) as error:
        scoring.total([IndicatorScore(Decimal("100"), None, applicable=False)])
    assert_chinese(error)
    with pytest.raises(ScoringError) as error:
        scoring.total([IndicatorScore(Decimal("60"), Decimal("61")), IndicatorScore(Decimal("40"), Decimal("0"))])
    assert_chinese(error)
    with pytest.raises(ScoringError):
        scoring.total([IndicatorScore(Decimal("100"), None)])


def test_total_rescales_dropped_indicators():
    items = [
        IndicatorScore(Decimal("50"), Decimal("40")),
        IndicatorScore(Decimal("30"), Decimal("30")),
        IndicatorScore(Decimal("20"), None, applicable=False),
    ]
    assert scoring.total(items) == Decimal("87.5")  # 70 of 80 points, rescaled to 100
    thirds = [
        IndicatorScore(Decimal("30"), Decimal("20")),
        IndicatorScore(Decimal("70"), None, applicable=False),
    ]
    assert scoring.total(thirds) == Decimal("66.67")  # 66.666… half-up


@pytest.mark.parametrize("template", [SELF_EVALUATION_TEMPLATE, KEY_EVALUATION_TEMPLATE])
def test_templates_add_to_100(template):
    assert scoring.validate_weights(row["weight"] for row in template) == Decimal("100")
    for row in template:
        assert set(row) == {"level1", "level2", "name", "weight"}
        assert isinstance(row["weight"], Decimal) and row["weight"] > 0
        assert HAN.search(row["level1"])


def test_self_evaluation_template_follows_the_form():
    assert scoring.level1_totals(SELF_EVALUATION_TEMPLATE) == {
        "预算执行率": Decimal("10"),
        "产出指标": Decimal("50"),
        "效益指标": Decimal("30"),
        "满意度指标": Decimal("10"),
    }
    level2 = {row["level1"]: [] for row in SELF_EVALUATION_TEMPLATE}
    for row in SELF_EVALUATION_TEMPLATE:
        level2[row["level1"]].append(row["level2"])
    assert level2["产出指标"] == ["数量指标", "质量指标", "时效指标", "成本指标"]
    assert level2["效益指标"] == ["经济效益", "社会效益", "生态效益", "可持续影响"]
    assert level2["满意度指标"] == ["服务对象满意度"]


def test_key_evaluation_template_follows_the_framework():
    totals = scoring.level1_totals(KEY_EVALUATION_TEMPLATE)
    assert list(totals) == ["决策", "过程", "产出", "效益"]
    for level1, (low, high) in KEY_EVALUATION_LEVEL1_RANGES.items():
        assert low <= totals[level1] <= high, level1
    names = {(row["level1"], row["level2"], row["name"]) for row in KEY_EVALUATION_TEMPLATE}
    for name in ("资金到位率", "预算执行率", "资金使用合规性"):
        assert ("过程", "资金管理", name) in names
    for name in ("管理制度健全性", "制度执行有效性"):
        assert ("过程", "组织实施", name) in names
    level2 = {row["level2"] for row in KEY_EVALUATION_TEMPLATE}
    assert {"项目立项", "绩效目标", "资金投入", "满意度", "可持续影响"} <= level2


def test_copy_template_leaves_the_module_data_alone():
    copy = scoring.copy_template(SELF_EVALUATION_TEMPLATE)
    copy[0]["weight"] = Decimal("5")
    assert SELF_EVALUATION_TEMPLATE[0]["weight"] == Decimal("10")


def test_seed_mine_project_totals_99_7_grade_excellent():
    """One plausible sheet for the seed's project (the seed gives only the total, 99.7, 优).

    At the self-evaluation form's default 10 points the seed's 83.6 % execution rate alone would
    cost 1.64 points, so this sheet gives 预算执行率 1 point (scored by the rule: 0.84) and
    deducts 0.14 of 3 under 预算编制科学性 (定性, 达成年度指标) for the problem the seed itself
    names, 预算不准确. The 33 mines not checked had stopped production (the seed), so coverage of
    operating mines is 100 %; no 较大以上事故 happened (反向, target 0); everything else is full.
    """
    execution = scoring.execution_rate_score(BUDGET, SPENT, Decimal("1"))
    assert execution == Decimal("0.84")
    budgeting = scoring.score_qualitative("achieved", Decimal("2.86"), Decimal("3"))
    coverage = scoring.score_quantitative(POSITIVE, Decimal("100"), CHECKED / CHECKED * 100, Decimal("20"))
    serious_accidents = scoring.score_quantitative(NEGATIVE, Decimal("0"), Decimal("0"), Decimal("15"))
    items = [
        IndicatorScore(Decimal("1"), execution),
        IndicatorScore(Decimal("3"), budgeting),
        IndicatorScore(Decimal("20"), coverage),
        IndicatorScore(Decimal("15"), serious_accidents),
        IndicatorScore(Decimal("61"), Decimal("61")),  # the remaining indicators, full
    ]
    result = scoring.total(items)
    assert result == Decimal("99.7")
    assert str(result) == "99.70"
    assert scoring.grade(result) == "excellent"
    assert str(GRADE_LABELS[scoring.grade(result)]) == "优"
    # The deviation of the mines themselves (253 of 286) needs no 偏差原因分析.
    assert not scoring.deviation_reason_required(PLANNED, CHECKED)
