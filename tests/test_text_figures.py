"""Scores, grades, execution rates and counts written in the report's text are checked against
the figures (workflow/review/text_figures.py, through checks.evaluation_findings): the seed's
"得分为99.7分" and "测评结果为优" pass at the plan's one decimal; "98.5分", a wrong grade, a
wrong rate and a wrong count are flagged, one finding each; an ambiguous count says nothing."""
from decimal import Decimal

import pytest

from tests import factories
from workflow.extensions import db as _db
from workflow.models import Evaluation
from workflow.review import checks

D = Decimal


@pytest.fixture
def seed(app):
    org = factories.make_org()
    plan = factories.make_seed_plan(org)
    return factories.make_seed_mine(org, plan)


def at_99_67(evaluation):
    """The seed's table as the issue reads it (99.67): 预算编制科学性 at 2.83 of 3 instead of 2.86."""
    from workflow import scoring
    from workflow.selfeval import services

    row = next(i for i in evaluation.indicators if i.name == "预算编制科学性")
    row.score = scoring.score_qualitative(row.band, D("2.83"), row.weight)
    services.recompute(evaluation)
    return reload(evaluation)


def reload(evaluation):
    _db.session.commit()
    _db.session.expire_all()
    return _db.session.get(Evaluation, evaluation.id)


def text_codes(evaluation):
    return sorted(f.code for f in checks.evaluation_findings(reload(evaluation))
                  if f.code.split(":")[0] in ("text_score", "text_grade", "text_rate", "text_count"))


def findings_of(evaluation, prefix):
    return [f for f in checks.evaluation_findings(reload(evaluation)) if f.code.startswith(prefix)]


def rewrite(evaluation, key, old, new):
    section = next(s for s in evaluation.narrative if s.key == key)
    assert old in section.text
    section.text = section.text.replace(old, new)


def test_the_seed_report_passes_at_one_decimal(seed):
    assert seed.total_score == D("99.70") and seed.grade == "excellent"
    assert seed.project.plan.score_text_decimals == 1
    conclusion = next(s.text for s in seed.narrative if s.key == "conclusion")
    assert "得分为99.7分" in conclusion and "测评结果为优" in conclusion
    assert text_codes(seed) == []
    seed = at_99_67(seed)
    assert seed.total_score == D("99.67")
    assert text_codes(seed) == []


def test_a_score_the_computation_does_not_give_is_flagged(seed):
    seed = at_99_67(seed)
    rewrite(seed, "conclusion", "得分为99.7分", "得分为98.5分")
    found = findings_of(seed, "text_score")
    assert [f.code for f in found] == ["text_score:98.5"]
    assert found[0].kind == "accuracy"
    assert "得分为98.5分" in found[0].message and "99.67" in found[0].message and "99.7" in found[0].message


def test_the_exact_total_passes_and_the_plan_sets_the_precision(seed):
    seed = at_99_67(seed)
    rewrite(seed, "conclusion", "得分为99.7分", "得分为99.67分")
    assert text_codes(seed) == []
    rewrite(seed, "conclusion", "得分为99.67分", "得分为100分")
    assert text_codes(seed) == ["text_score:100"]
    seed.project.plan.score_text_decimals = 0   # a plan that prints whole points: 99.67 → 100
    assert text_codes(seed) == []
    rewrite(seed, "conclusion", "得分为100分", "得分为99.7分")
    assert text_codes(seed) == ["text_score:99.7"]


def test_the_score_of_a_part_is_not_taken_for_the_total(seed):
    decision = sum((i.score for i in seed.indicators if i.level1 == "决策"), D(0))
    rate = next(i for i in seed.indicators if i.name == "预算执行率")
    assert decision > 10 and 0 < rate.score < 1
    rewrite(seed, "management", "有序组织项目实施。",
            f"有序组织项目实施，决策指标得分{decision}分，预算执行率得分{rate.score.normalize()}分。")
    assert text_codes(seed) == []
    rewrite(seed, "management", f"决策指标得分{decision}分", "决策指标得分12.5分")
    assert text_codes(seed) == ["text_score:12.5"]


@pytest.mark.parametrize("written, code", [("测评结果为良", "text_grade:good"), ("评价等级为差", "text_grade:poor"),
                                           ("评价等级为“中”", "text_grade:fair")])
def test_a_wrong_grade_is_flagged(seed, written, code):
    rewrite(seed, "conclusion", "测评结果为优", written)
    found = findings_of(seed, "text_grade")
    assert [f.code for f in found] == [code]
    assert written in found[0].message and "优" in found[0].message


def test_the_right_grade_written_otherwise_passes(seed):
    rewrite(seed, "conclusion", "测评结果为优", "评价等级为优秀")
    assert text_codes(seed) == []


@pytest.mark.parametrize("written", ["执行率83.6%", "预算执行率为83.60%", "执行率为84%"])
def test_the_right_rate_at_its_own_precision_passes(seed, written):
    rewrite(seed, "management", "有序组织项目实施。", f"有序组织项目实施，{written}。")
    assert text_codes(seed) == []


@pytest.mark.parametrize("written, code", [("执行率83.5%", "text_rate:83.5"), ("预算执行率为86.30%", "text_rate:86.3")])
def test_a_wrong_rate_is_flagged(seed, written, code):
    rewrite(seed, "management", "有序组织项目实施。", f"有序组织项目实施，{written}。")
    found = findings_of(seed, "text_rate")
    assert [f.code for f in found] == [code]
    assert written in found[0].message and "83.60%" in found[0].message


def test_a_count_is_checked_against_the_indicator_of_its_unit(seed):
    # The seed's 3099 hazards (排查整治事故隐患数量, 条) pass; a count that is neither the
    # actual nor the target value is flagged, once.
    assert "排查整治隐患3099条" in next(s.text for s in seed.narrative if s.key == "overview")
    rewrite(seed, "overview", "排查整治隐患3099条", "排查整治隐患3100条")
    found = findings_of(seed, "text_count")
    hazards = next(i for i in seed.indicators if i.name == "排查整治事故隐患数量")
    assert [f.code for f in found] == [f"text_count:{hazards.id}:3100"]
    assert "3100条" in found[0].message and "排查整治事故隐患数量" in found[0].message and "3099" in found[0].message


def test_the_mines_inspected_against_an_indicator_in_mines(seed):
    mines = next(i for i in seed.indicators if i.name == "在产矿山排查完成率")
    mines.name, mines.unit, mines.target, mines.actual = "排查矿山数量", "座", D(286), D(253)
    assert text_codes(seed) == []   # "实际排查金属非金属矿山253座" is the actual value
    rewrite(seed, "overview", "实际排查金属非金属矿山253座", "实际排查金属非金属矿山250座")
    assert text_codes(seed) == [f"text_count:{mines.id}:250"]


def test_an_ambiguous_count_says_nothing(seed):
    # Two indicators count in 条 and neither is named in the clause: no finding.
    other = next(i for i in seed.indicators if i.name == "服务对象满意度")
    other.name, other.unit, other.target, other.actual = "整改通知书数量", "条", D(10), D(12)
    rewrite(seed, "overview", "排查整治隐患3099条", "排查整治隐患3100条")
    assert text_codes(seed) == []
    # Named in its clause, the count is that indicator's again.
    rewrite(seed, "overview", "排查整治隐患3100条", "排查整治事故隐患数量3100条")
    hazards = next(i for i in seed.indicators if i.name == "排查整治事故隐患数量")
    assert text_codes(seed) == [f"text_count:{hazards.id}:3100"]


def test_text_findings_are_counted_for_the_review_queue(seed):
    rewrite(seed, "conclusion", "得分为99.7分", "得分为98.5分")
    evaluation = reload(seed)
    assert checks.refresh_findings(evaluation)[1] == len(checks.evaluation_findings(evaluation))
    assert any(f.code == "text_score:98.5" for f in checks.evaluation_findings(evaluation))
