"""The 自评表 in one pass: amounts shown as typed (workflow/numbers.py), computed values
(预算执行率, the scores of computed indicators) that the server fills in whatever is posted,
the 定性 rows' 评价档次 and 得分 on the first load, and the rules the page's script mirrors.
Services without HTTP; the page through the test client."""
import json
import re
from decimal import Decimal
from html import unescape

import pytest

from tests import factories
from tests.conftest import post, signed_in
from tests.test_seed_project import VERSION_RE, form_fields, rendered_names
from workflow import demo_content, numbers, scoring
from workflow.extensions import db as _db
from workflow.models import Evaluation
from workflow.selfeval import content, services
from workflow.selfeval.edits import EvaluationEdit, IndicatorEdit
from workflow.selfeval.framework import EXECUTION_RATE

SEED_MINE = factories.SEED_MINE


@pytest.fixture
def seed(app):
    """The seed's mine project under the office's adjusted framework, opened for
    self-evaluation, nothing filled in yet."""
    org, plan = factories.make_setup()
    demo_content.adjust_plan_framework(plan)
    project = factories.make_project(plan, SEED_MINE, org.section_a, org.office)
    factories.walk_to(project.evaluation, "self_evaluating", org)
    content.ensure_content(project.evaluation)
    _db.session.commit()
    return org, project.evaluation.id


def reload(evaluation_id):
    _db.session.commit()
    _db.session.expire_all()
    return _db.session.get(Evaluation, evaluation_id)


def rate_row(evaluation):
    return next(ind for ind in evaluation.indicators if ind.kind == EXECUTION_RATE)


def by_seed_name(evaluation, seed_name):
    name = demo_content.MINE_NAMES.get(seed_name, seed_name)
    return next(ind for ind in evaluation.indicators if ind.name == name or ind.name == seed_name)


# Amounts as typed ---------------------------------------------------------------------------


@pytest.mark.parametrize("stored, shown", [
    (Decimal("206.6320"), "206.632"),
    (Decimal("172.7430"), "172.743"),
    (Decimal("120.0000"), "120"),
    (Decimal("0.0000"), "0"),
    (Decimal("-0.00"), "0"),
    (Decimal("1E+2"), "100"),
    (Decimal("0.0001"), "0.0001"),
    (Decimal("20.00"), "20"),
    ("3099.0000", "3099"),
    (7, "7"),
])
def test_plain_drops_trailing_zeros_and_never_writes_an_exponent(stored, shown):
    assert numbers.plain(stored) == shown


def test_plain_of_nothing_is_empty_or_what_is_asked():
    assert numbers.plain(None) == ""
    assert numbers.plain(None, empty="—") == "—"
    assert numbers.plain(None, empty=None) is None


def test_percent_rounds_half_up_to_two_places():
    rate = scoring.execution_rate(Decimal("206.632"), Decimal("172.743"))
    assert numbers.percent(rate) == Decimal("83.60")
    assert numbers.percent(Decimal("0.123450")) == Decimal("12.35")  # half up, not half even
    assert numbers.percent_text(rate) == "83.60%"
    assert numbers.percent_text(None) == "—"


def test_the_serialisation_documents_and_diff_read_is_the_same_helper(seed):
    _org, evaluation_id = seed
    evaluation = _db.session.get(Evaluation, evaluation_id)
    factories.fill_complete(evaluation)
    data = content.serialize(reload(evaluation_id))
    assert data["funding"]["total"] == {"initial_budget": "206.632", "annual_budget": "206.632", "executed": "172.743"}


def test_problems_name_amounts_as_typed(seed):
    org, evaluation_id = seed
    edit = EvaluationEdit(funding={"total": {"annual_budget": "206.632", "executed": "172.743"},
                                   "current_year": {"annual_budget": "200"}})
    services.save(evaluation_id, org.staff_a, edit)
    problems = " ".join(services.completeness_problems(reload(evaluation_id)))
    assert "（200）与年度资金总额（206.632）" in problems
    assert "206.6320" not in problems


# Computed values: what is posted for them is ignored -----------------------------------------


def test_the_execution_rate_is_computed_whatever_is_posted(seed):
    org, evaluation_id = seed
    evaluation = _db.session.get(Evaluation, evaluation_id)
    rate = rate_row(evaluation)
    edit = EvaluationEdit(
        funding={"total": {"annual_budget": "206.632", "executed": "172.743"}},
        indicators=[IndicatorEdit(id=rate.id, actual="100", score="1", band="achieved", target="50",
                                  nature="qualitative", name="改过的名字")],
    )
    services.save(evaluation_id, org.staff_a, edit)
    rate = rate_row(reload(evaluation_id))
    assert rate.actual == Decimal("83.60")  # 172.743 ÷ 206.632, not the posted 100
    assert rate.score == Decimal("0.84")  # of its 1 point
    assert rate.nature is None and rate.band is None and rate.target == Decimal("100")
    assert rate.name != "改过的名字"

    # Without the budget block there is no rate, whatever was posted before.
    services.save(evaluation_id, org.staff_a, EvaluationEdit(
        funding={"total": {"executed": ""}}, indicators=[IndicatorEdit(id=rate.id, actual="83.60")]))
    rate = rate_row(reload(evaluation_id))
    assert rate.actual is None and rate.score is None


def test_a_quantitative_score_is_computed_whatever_is_posted(seed):
    org, evaluation_id = seed
    evaluation = _db.session.get(Evaluation, evaluation_id)
    row = by_seed_name(evaluation, "实际完成率")
    edit = EvaluationEdit(indicators=[IndicatorEdit(
        id=row.id, nature=">=", target="286", actual="253", score=str(row.weight), band="achieved")])
    services.save(evaluation_id, org.staff_a, edit)
    row = next(ind for ind in reload(evaluation_id).indicators if ind.id == row.id)
    assert row.band is None
    assert row.score == scoring.score_quantitative(">=", Decimal("286"), Decimal("253"), row.weight)
    assert row.score < row.weight


def test_a_qualitative_row_is_scored_in_the_save_that_makes_it_qualitative(seed):
    """Nature, band and score in one edit: no second save."""
    org, evaluation_id = seed
    evaluation = _db.session.get(Evaluation, evaluation_id)
    row = by_seed_name(evaluation, "预算编制科学性")
    edit = EvaluationEdit(indicators=[IndicatorEdit(
        id=row.id, nature="qualitative", target="预算编制科学合理", actual="基本合理", band="achieved", score="2.86")])
    services.save(evaluation_id, org.staff_a, edit)
    row = next(ind for ind in reload(evaluation_id).indicators if ind.id == row.id)
    assert (row.nature, row.band, row.score) == ("qualitative", "achieved", Decimal("2.86"))


def test_the_rules_for_the_script_are_the_scoring_modules():
    rules = services.page_rules()
    assert rules["bands"] == {"achieved": ["0.80", "1.00", True], "partial": ["0.60", "0.80", False],
                              "poor": ["0.00", "0.60", False]}
    assert [lowest for lowest, _label in rules["grades"]] == ["90", "80", "60"]
    assert [label for _lowest, label in rules["grades"]] + [rules["lowest_grade"]] == ["优", "良", "中", "差"]
    assert rules["deviation"] == str(scoring.DEVIATION_THRESHOLD)
    assert (rules["qualitative"], rules["execution_rate"]) == (scoring.QUALITATIVE, EXECUTION_RATE)


# The page ------------------------------------------------------------------------------------


def test_the_first_load_has_every_field_the_state_allows(app, seed):
    org, evaluation_id = seed
    staff = signed_in(app, org.staff_a)
    html = staff.get(f"/evaluations/{evaluation_id}/form").get_data(as_text=True)
    evaluation = _db.session.get(Evaluation, evaluation_id)
    names = rendered_names(html)
    for ind in evaluation.indicators:
        p = f"ind-{ind.id}-"
        if ind.kind == EXECUTION_RATE:
            # Shown, not typed: the 预算执行率 has no field of its own.
            assert not {p + "actual", p + "score", p + "band", p + "target"} & names
        else:
            assert {p + "nature", p + "target", p + "actual", p + "band", p + "score", p + "deviation_reason"} <= names
    assert set(form_fields(evaluation)) <= names
    # The band and score wait hidden until the row is 定性; the computed score shows.
    assert html.count("data-qualitative hidden") == len(evaluation.indicators) - 1
    # The script is a static file; the page carries its rules as data, no inline script.
    assert '<script src="/static/js/selfeval.js' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    rules = json.loads(unescape(re.search(r'data-rules="([^"]*)"', html).group(1)))
    assert rules == services.page_rules()
    assert 'data-weight="1"' in html and 'data-weight="7"' in html  # 分值 as typed too


def test_one_post_of_the_whole_form_saves_it_complete(app, seed):
    org, evaluation_id = seed
    staff = signed_in(app, org.staff_a)
    url = f"/evaluations/{evaluation_id}/form"
    html = staff.get(url).get_data(as_text=True)
    evaluation = _db.session.get(Evaluation, evaluation_id)
    fields = form_fields(evaluation)
    fields[f"ind-{rate_row(evaluation).id}-actual"] = "100"  # not on the page: ignored
    fields["version"] = VERSION_RE.search(html).group(1)
    response = post(staff, url, fields)
    assert response.status_code == 302, response.get_data(as_text=True)
    evaluation = reload(evaluation_id)
    assert services.completeness_problems(evaluation) == []
    assert (evaluation.total_score, evaluation.grade) == (Decimal("99.70"), "excellent")
    assert rate_row(evaluation).actual == Decimal("83.60")

    html = staff.get(url).get_data(as_text=True)
    assert 'value="206.632"' in html and 'value="172.743"' in html
    assert "206.6320" not in html and "172.7430" not in html
    assert 'data-testid="execution-rate">83.60%<' in html
    assert 'data-testid="rate-total">83.60%<' in html
    assert 'data-testid="problems"' not in html
    # The 定性 rows now show their fields, their computed twin hidden.
    assert html.count("data-qualitative hidden") == len(evaluation.indicators) - 1 - sum(
        1 for ind in evaluation.indicators if ind.nature == scoring.QUALITATIVE)


def test_a_refused_save_keeps_what_was_typed(app, seed):
    org, evaluation_id = seed
    staff = signed_in(app, org.staff_a)
    evaluation = _db.session.get(Evaluation, evaluation_id)
    row = by_seed_name(evaluation, "预算编制科学性")
    p = f"ind-{row.id}-"
    response = post(staff, f"/evaluations/{evaluation_id}/form", {
        p + "nature": "qualitative", p + "band": "achieved", p + "score": "1.5", "funding-total-annual_budget": "206.632"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "“达成年度指标”档次的得分应在" in unescape(html)
    assert f'name="{p}score" inputmode="decimal" value="1.5"' in html
    assert 'value="206.632"' in html
    assert reload(evaluation_id).total_score is None


def test_before_self_evaluation_opens_there_are_no_actual_or_band_fields(app):
    org, plan = factories.make_setup()
    evaluation = factories.make_evaluation(plan, org, "preparing")
    staff = signed_in(app, org.staff_a)
    html = staff.get(f"/evaluations/{evaluation.id}/form").get_data(as_text=True)
    assert "data-qualitative" not in html and '-band"' not in html
    assert "/static/js/selfeval.js" in html  # the targets and budget still add up as one types


def test_a_read_only_view_has_no_script(app, seed):
    org, evaluation_id = seed
    reviewer = signed_in(app, org.reviewer)
    html = reviewer.get(f"/evaluations/{evaluation_id}/form").get_data(as_text=True)
    assert "selfeval.js" not in html
    assert "<fieldset disabled>" in html
