"""Mid-year monitoring (绩效运行监控): the warning rule, the section's report (draft, submit,
reason and correction required where a warning applies), who reads and writes it, the plan's
dates and threshold, the board and the overview, and the prefill of the 自评.

The seed's project at 2019-06-30: 120 of its 286 mines inspected and 30 % of 206.632 万元
spent (61.99), 253 mines expected by the year's end. 181 of 365 days = 49.59 % of the year
elapsed, 19.59 points ahead of the execution: an execution warning (threshold 15) and an
indicator warning (253 < 286, ≥)."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.factories import make_seed_mine, make_setup
from workflow import scoring
from workflow.engine import actions
from workflow.errors import ServiceError
from workflow.extensions import db
from workflow.models.monitoring import IndicatorProgress, MonitoringReport
from workflow.monitoring import services, warnings
from workflow.monitoring.services import ProgressEdit, ReportEdit
from workflow.plans import services as plans
from workflow.selfeval import content
from workflow.selfeval.framework import EXECUTION_RATE

D = Decimal
AS_OF = date(2019, 6, 30)
MINES = "排查矿山数量"
REASON = "部分矿山停产，排查进度滞后。"
CORRECTION = "复产即排，每月通报进度。"


def seed_mine(org, plan):
    """The seed's mine project, its 产出数量 indicator in the seed's own terms (286 mines
    planned, ≥), its actual values not yet written (the year is running)."""
    evaluation = make_seed_mine(org, plan)
    for ind in evaluation.indicators:
        if ind.name == "在产矿山排查完成率":
            ind.name, ind.unit, ind.target = MINES, "座", D(286)
        if ind.kind != EXECUTION_RATE:
            ind.actual, ind.actual_text = None, ""
    content.funding(evaluation)["total"].executed = None
    content.funding(evaluation)["current_year"].executed = None
    db.session.commit()
    return evaluation


def mines(evaluation):
    return next(ind for ind in evaluation.indicators if ind.name == MINES)


def edit_of(evaluation, executed="61.99", so_far="120", expected="253", reason="", correction="",
            execution_reason="", execution_correction=""):
    """A full report: the mines as given, every other indicator on track."""
    progress = []
    for ind in services.monitored_indicators(evaluation):
        if ind.name == MINES:
            progress.append(ProgressEdit(ind.id, D(so_far), D(expected), None, reason, correction))
        elif ind.nature == scoring.QUALITATIVE:
            progress.append(ProgressEdit(ind.id, "按计划推进", None, True))
        else:
            progress.append(ProgressEdit(ind.id, ind.target / 2, ind.target))
    return ReportEdit(executed=D(executed), execution_reason=execution_reason,
                      execution_correction=execution_correction, progress=progress)


@pytest.fixture
def world():
    org, plan = make_setup()
    evaluation = seed_mine(org, plan)
    monitoring_date = services.add_date(plan, AS_OF, date(2019, 7, 10))
    return org, plan, evaluation, monitoring_date


def report_count():
    return db.session.scalar(select(func.count()).select_from(MonitoringReport))


# The rule -----------------------------------------------------------------------------


def test_elapsed_share_is_day_of_year_over_days_in_year():
    assert warnings.elapsed_share(AS_OF) == D(181) / D(365)
    assert warnings.elapsed_share(date(2020, 6, 30)) == D(182) / D(366)  # a leap year
    assert warnings.elapsed_share(date(2019, 12, 31)) == 1


def test_the_seeds_execution_lags_by_more_than_fifteen_points():
    lag = warnings.execution_lag_points(AS_OF, D("206.632"), D("61.99"))
    assert D("19.5") < lag < D("19.7")  # 49.59 % elapsed − 30.00 % spent
    assert warnings.execution_warning(AS_OF, D("206.632"), D("61.99"), D(15)) is not None
    assert warnings.execution_warning(AS_OF, D("206.632"), D("61.99"), D(20)) is None
    assert warnings.execution_warning(AS_OF, D("206.632"), D("110"), D(15)) is None  # 53.2 %: on track
    assert warnings.execution_warning(AS_OF, None, D("61.99"), D(15)) is None  # no budget: no rate


@pytest.mark.parametrize("nature, target, expected, met, misses", [
    (scoring.POSITIVE, D(286), D(253), None, True),
    (scoring.POSITIVE, D(286), D(286), None, False),
    (scoring.NEGATIVE, D("0.7217"), D("0.75"), None, True),
    (scoring.NEGATIVE, D("0.7217"), D("0.6828"), None, False),
    (scoring.EQUAL, D(12), D(11), None, True),
    (scoring.EQUAL, D(12), D(12), None, False),
    (scoring.QUALITATIVE, None, None, False, True),
    (scoring.QUALITATIVE, None, None, True, False),
    (scoring.POSITIVE, None, D(253), None, None),  # no target yet: nothing to tell
])
def test_expected_year_end_against_the_target_by_nature(nature, target, expected, met, misses):
    assert warnings.expected_to_miss(nature, target, expected, met) is misses


# The report ---------------------------------------------------------------------------


def test_the_seeds_project_at_june_30_warns_on_execution_and_on_the_mines(world):
    org, plan, evaluation, monitoring_date = world
    report = services.save(monitoring_date, evaluation.id, org.staff_a, edit_of(evaluation))
    assert report.state == "draft"
    alerts = services.alerts(report)
    assert [a.kind for a in alerts] == [warnings.EXECUTION, warnings.INDICATOR]
    assert "30.00%" in alerts[0].text and "49.59%" in alerts[0].text
    assert alerts[1].indicator_id == mines(evaluation).id
    assert "253" in alerts[1].text and "286" in alerts[1].text
    assert report.executed == D("61.99")


def test_submit_is_refused_without_reason_and_correction_and_saves_nothing(world):
    org, plan, evaluation, monitoring_date = world
    with pytest.raises(ServiceError) as refused:
        services.save(monitoring_date, evaluation.id, org.staff_a, edit_of(evaluation), submit=True)
    assert refused.value.code == "invalid"
    assert "预算执行进度滞后，请填写偏差原因和纠偏措施" in refused.value.message
    assert f"“{MINES}”预计不能完成年度指标，请填写偏差原因和纠偏措施" in refused.value.message
    assert report_count() == 0
    # The execution's reason alone is not enough: the mines still lag.
    with pytest.raises(ServiceError):
        services.save(monitoring_date, evaluation.id, org.staff_a,
                      edit_of(evaluation, execution_reason=REASON, execution_correction=CORRECTION), submit=True)
    assert report_count() == 0
    report = services.save(monitoring_date, evaluation.id, org.staff_a,
                           edit_of(evaluation, reason=REASON, correction=CORRECTION, execution_reason=REASON,
                                   execution_correction=CORRECTION), submit=True)
    assert report.state == "submitted" and report.submitted_by_id == org.staff_a.id
    assert len(services.alerts(report)) == 2


def test_on_track_there_is_no_warning_and_no_reason_is_asked(world):
    org, plan, evaluation, monitoring_date = world
    report = services.save(monitoring_date, evaluation.id, org.staff_a,
                           edit_of(evaluation, executed="110", expected="286"), submit=True)
    assert report.submitted and services.alerts(report) == []
    assert services.date_warnings(monitoring_date) == []


def test_the_threshold_is_the_plans(world):
    org, plan, evaluation, monitoring_date = world
    assert plan.monitoring_lag_points == 15
    services.set_lag_points(plan, D(20))  # 19.59 points behind: within 20
    report = services.save(monitoring_date, evaluation.id, org.staff_a, edit_of(evaluation, expected="286"))
    assert services.alerts(report) == []
    services.set_lag_points(plan, D("19.5"))
    assert [a.kind for a in services.alerts(report)] == [warnings.EXECUTION]
    with pytest.raises(ServiceError):
        services.set_lag_points(plan, D(101))
    assert plan.monitoring_lag_points == D("19.5")


def test_next_years_plan_keeps_the_dates_a_year_on_and_the_threshold(world):
    org, plan, evaluation, monitoring_date = world
    services.set_lag_points(plan, D("12.5"))
    services.save(monitoring_date, evaluation.id, org.staff_a, edit_of(evaluation, expected="286"))
    copy = plans.copy_plan(plan)
    assert copy.monitoring_lag_points == D("12.5")
    assert [(d.as_of, d.due_date) for d in copy.monitoring_dates] == [(date(2020, 6, 30), date(2020, 7, 10))]
    assert all(d.plan_id == copy.id for d in copy.monitoring_dates)
    # This year's date and its report stay as they were; next year's date has no report.
    assert [d.as_of for d in plan.monitoring_dates] == [AS_OF] and report_count() == 1


def test_a_submitted_report_is_final_and_a_draft_keeps_bad_values_out(world):
    org, plan, evaluation, monitoring_date = world
    bad = edit_of(evaluation)
    bad.errors.append("“累计执行数”应为数字。")
    with pytest.raises(ServiceError):
        services.save(monitoring_date, evaluation.id, org.staff_a, bad)
    assert report_count() == 0
    services.save(monitoring_date, evaluation.id, org.staff_a, edit_of(evaluation, expected="286", executed="110"),
                  submit=True)
    with pytest.raises(ServiceError) as refused:
        services.save(monitoring_date, evaluation.id, org.staff_a, edit_of(evaluation))
    assert refused.value.code == "refused"


def test_only_the_projects_own_section_writes_and_reads(world):
    org, plan, evaluation, monitoring_date = world
    for outsider in (org.staff_b, org.office, org.reviewer):
        with pytest.raises(ServiceError) as refused:
            services.save(monitoring_date, evaluation.id, outsider, edit_of(evaluation))
        assert refused.value.code in ("refused", "forbidden")
    assert report_count() == 0
    with pytest.raises(ServiceError) as refused:
        services.readable(monitoring_date, evaluation.id, org.staff_b)
    assert refused.value.code == "forbidden"
    assert services.readable(monitoring_date, evaluation.id, org.office)[0] is evaluation
    assert services.evaluations_of(monitoring_date, org.staff_b) == []
    assert services.evaluations_of(monitoring_date, org.staff_a) == [evaluation]


def test_once_self_evaluation_opened_the_report_is_closed(world):
    org, plan, evaluation, monitoring_date = world
    actions.perform(evaluation.id, "open_self_evaluation", org.office)
    with pytest.raises(ServiceError) as refused:
        services.save(monitoring_date, evaluation.id, org.staff_a, edit_of(evaluation))
    assert "已开始自评" in refused.value.message


# The plan's dates ---------------------------------------------------------------------


def test_monitoring_dates_lie_in_the_budget_year_once_each(world):
    org, plan, evaluation, monitoring_date = world
    with pytest.raises(ServiceError):
        services.add_date(plan, date(2020, 6, 30), date(2020, 7, 10))  # the run year, not the budget year
    with pytest.raises(ServiceError) as duplicate:
        services.add_date(plan, AS_OF, date(2019, 7, 15))
    assert duplicate.value.code == "duplicate"
    with pytest.raises(ServiceError):
        services.add_date(plan, date(2019, 9, 30), date(2019, 9, 1))  # due before the date
    september = services.add_date(plan, date(2019, 9, 30), date(2019, 10, 10))
    assert [d.as_of for d in plan.monitoring_dates] == [AS_OF, date(2019, 9, 30)]
    services.update_date(september, date(2019, 10, 31), date(2019, 11, 10))
    services.remove_date(september)
    assert [d.as_of for d in plan.monitoring_dates] == [AS_OF]


def test_a_date_with_submitted_reports_cannot_be_removed(world):
    org, plan, evaluation, monitoring_date = world
    services.save(monitoring_date, evaluation.id, org.staff_a, edit_of(evaluation, expected="286", executed="110"),
                  submit=True)
    with pytest.raises(ServiceError) as refused:
        services.remove_date(monitoring_date)
    assert refused.value.code == "conflict"


# The starting point of the 自评 ---------------------------------------------------------


def test_opening_self_evaluation_prefills_the_empty_actuals_from_the_last_report(world):
    org, plan, evaluation, monitoring_date = world
    services.save(monitoring_date, evaluation.id, org.staff_a,
                  edit_of(evaluation, reason=REASON, correction=CORRECTION, execution_reason=REASON,
                          execution_correction=CORRECTION), submit=True)
    typed = next(ind for ind in evaluation.indicators if ind.name == "服务对象满意度")
    typed.actual = D(97)  # written by the section already: kept
    db.session.commit()
    actions.perform(evaluation.id, "open_self_evaluation", org.office)
    db.session.expire_all()
    assert mines(evaluation).actual == 120
    assert typed.actual == 97
    assert content.funding(evaluation)["total"].executed == D("61.99")
    qualitative = next(ind for ind in evaluation.indicators if ind.nature == scoring.QUALITATIVE)
    assert qualitative.actual_text == "按计划推进"
    assert mines(evaluation).score is not None  # recomputed: 120 of 286


def test_without_a_submitted_report_nothing_is_prefilled(world):
    org, plan, evaluation, monitoring_date = world
    services.save(monitoring_date, evaluation.id, org.staff_a, edit_of(evaluation))  # a draft only
    actions.perform(evaluation.id, "open_self_evaluation", org.office)
    db.session.expire_all()
    assert mines(evaluation).actual is None
    assert content.funding(evaluation)["total"].executed is None


def test_the_demo_reports_the_mine_project_at_june_30_with_both_warnings(app):
    from workflow import demo
    from workflow.models import Plan

    demo.load_demo()
    plan = db.session.scalar(select(Plan))
    flagged = services.current_warnings(plan)
    assert [f.project.name for f in flagged] == ["2019年度金属非金属矿山“专家会诊”隐患排查项目"]
    assert [a.kind for a in flagged[0].alerts] == [warnings.EXECUTION, warnings.INDICATOR]
    assert flagged[0].report.executed == D("61.99") and flagged[0].report.execution_correction
    rows = db.session.scalars(select(IndicatorProgress).where(IndicatorProgress.report_id == flagged[0].report.id))
    assert all(row.reason and row.correction for row in rows
               if row.indicator_id == flagged[0].alerts[1].indicator_id)
    assert db.session.scalar(select(func.count()).select_from(MonitoringReport)) == 2  # the platform: on track


def test_the_engine_tells_of_each_transition_by_its_trigger(world):
    from workflow import signals

    org, plan, evaluation, monitoring_date = world
    heard = []

    def listener(sender, **keywords):
        heard.append((sender.id, keywords["trigger"], keywords["from_state"], keywords["to_state"]))

    signals.evaluation_transitioned.connect(listener)
    try:
        actions.perform(evaluation.id, "open_self_evaluation", org.office)
    finally:
        signals.evaluation_transitioned.disconnect(listener)
    assert heard == [(evaluation.id, "open_self_evaluation", "preparing", "self_evaluating")]


def test_a_qualitative_indicator_marked_not_met_warns_and_asks_for_its_reason(world):
    org, plan, evaluation, monitoring_date = world
    edit = edit_of(evaluation, executed="110", expected="286")
    qualitative = next(p for p in edit.progress if isinstance(p.value, str))
    qualitative.expected_met = False
    with pytest.raises(ServiceError) as refused:
        services.save(monitoring_date, evaluation.id, org.staff_a, edit, submit=True)
    assert "预计不能完成年度指标，请填写偏差原因和纠偏措施" in refused.value.message
    qualitative.reason, qualitative.correction = REASON, CORRECTION
    report = services.save(monitoring_date, evaluation.id, org.staff_a, edit, submit=True)
    assert [(a.kind, a.indicator_id) for a in services.alerts(report)] == [(warnings.INDICATOR, qualitative.indicator_id)]


def test_a_save_from_an_outdated_page_is_refused(world):
    org, plan, evaluation, monitoring_date = world
    first = services.save(monitoring_date, evaluation.id, org.staff_a, edit_of(evaluation))
    seen = first.version
    services.save(monitoring_date, evaluation.id, org.staff_a2, edit_of(evaluation, executed="70"))
    stale = edit_of(evaluation, executed="80")
    stale.version = seen
    with pytest.raises(ServiceError) as refused:
        services.save(monitoring_date, evaluation.id, org.staff_a, stale)
    assert refused.value.code == "concurrent_change"
    db.session.expire_all()
    assert db.session.scalar(select(MonitoringReport.executed)) == 70
