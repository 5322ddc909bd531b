"""The monitoring pages through the test client: the office's dates and threshold, the
section's report form (draft, submit refused with a Chinese message and nothing saved, then
submitted), the role and section checks, the board, the overview and its JSON, the 自评表."""
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import login, post
from tests.test_monitoring import AS_OF, CORRECTION, MINES, REASON, mines, seed_mine
from tests.factories import make_setup
from workflow import scoring
from workflow.engine import actions
from workflow.extensions import db
from workflow.models.monitoring import MonitoringDate, MonitoringReport
from workflow.monitoring import services


@pytest.fixture
def world():
    org, plan = make_setup()
    evaluation = seed_mine(org, plan)
    monitoring_date = services.add_date(plan, AS_OF, date(2019, 7, 10))
    return org, plan, evaluation, monitoring_date


def report_url(monitoring_date, evaluation):
    return f"/monitoring/dates/{monitoring_date.id}/evaluations/{evaluation.id}"


def form_of(evaluation, executed="61.99", so_far="120", expected="253", reason="", correction="",
            action="save"):
    data = {"executed": executed, "action": action}
    if reason:
        data.update(execution_reason=reason, execution_correction=correction)
    for ind in services.monitored_indicators(evaluation):
        p = f"ind-{ind.id}-"
        if ind.name == MINES:
            data.update({p + "value": so_far, p + "expected": expected, p + "reason": reason, p + "correction": correction})
        elif ind.nature == scoring.QUALITATIVE:
            data.update({p + "value": "按计划推进", p + "met": "yes"})
        else:
            data.update({p + "value": str(ind.target), p + "expected": str(ind.target)})
    return data


def count_reports():
    return db.session.scalar(select(func.count()).select_from(MonitoringReport))


def test_the_section_files_a_draft_then_submits_with_reason_and_correction(client, world):
    org, plan, evaluation, monitoring_date = world
    login(client, org.staff_a.username)
    page = client.get(f"/monitoring/dates/{monitoring_date.id}")
    assert page.status_code == 200 and evaluation.project.name in page.get_data(as_text=True)
    assert client.get(report_url(monitoring_date, evaluation)).status_code == 200
    saved = post(client, report_url(monitoring_date, evaluation), form_of(evaluation))
    assert saved.status_code == 302
    page = client.get(report_url(monitoring_date, evaluation)).get_data(as_text=True)
    assert "已保存草稿" in page and "落后于序时进度" in page and 'data-warning="indicator"' in page
    refused = post(client, report_url(monitoring_date, evaluation), form_of(evaluation, action="submit"))
    assert refused.status_code == 422
    assert "请填写偏差原因和纠偏措施" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(MonitoringReport.state)) == "draft"
    done = post(client, report_url(monitoring_date, evaluation),
                form_of(evaluation, reason=REASON, correction=CORRECTION, action="submit"))
    assert done.status_code == 302
    db.session.expire_all()
    report = db.session.scalar(select(MonitoringReport))
    assert report.submitted and report.execution_reason == REASON
    row = next(r for r in report.progress if r.indicator_id == mines(evaluation).id)
    assert (row.value, row.expected, row.reason, row.correction) == (120, 253, REASON, CORRECTION)


def test_a_bad_number_is_refused_with_a_message_and_nothing_saved(client, world):
    org, plan, evaluation, monitoring_date = world
    login(client, org.staff_a.username)
    answer = post(client, report_url(monitoring_date, evaluation), form_of(evaluation, executed="六十"))
    assert answer.status_code == 422 and "“累计执行数”应为数字" in answer.get_data(as_text=True)
    answer = post(client, report_url(monitoring_date, evaluation), form_of(evaluation, executed="61.99999"))
    assert answer.status_code == 422 and "最多保留 4 位小数" in answer.get_data(as_text=True)
    assert count_reports() == 0


def test_another_sections_staff_can_neither_read_nor_write(client, world):
    org, plan, evaluation, monitoring_date = world
    login(client, org.staff_b.username)
    assert client.get(report_url(monitoring_date, evaluation)).status_code == 403
    assert post(client, report_url(monitoring_date, evaluation), form_of(evaluation)).status_code == 403
    page = client.get(f"/monitoring/dates/{monitoring_date.id}").get_data(as_text=True)
    assert evaluation.project.name not in page
    assert count_reports() == 0


def test_the_office_reads_but_does_not_write_and_finance_sees_nothing(app, world):
    from tests.conftest import signed_in

    org, plan, evaluation, monitoring_date = world
    office = signed_in(app, org.office)
    assert office.get(report_url(monitoring_date, evaluation)).status_code == 200
    assert post(office, report_url(monitoring_date, evaluation), form_of(evaluation)).status_code == 403
    finance = signed_in(app, org.finance)
    assert finance.get(report_url(monitoring_date, evaluation)).status_code == 403
    assert finance.get(f"/monitoring/plans/{plan.id}").status_code == 403
    assert count_reports() == 0


def test_the_office_manages_dates_and_the_threshold(client, world):
    org, plan, evaluation, monitoring_date = world
    login(client, org.office.username)
    page = client.get(f"/monitoring/plans/{plan.id}").get_data(as_text=True)
    assert "2019-06-30" in page
    assert post(client, f"/monitoring/plans/{plan.id}/dates",
                {"as_of": "2019-09-30", "due_date": "2019-10-10"}).status_code == 302
    refused = post(client, f"/monitoring/plans/{plan.id}/dates", {"as_of": "2020-09-30", "due_date": "2020-10-10"})
    assert refused.status_code == 422 and "预算年度" in refused.get_data(as_text=True)
    duplicate = post(client, f"/monitoring/plans/{plan.id}/dates", {"as_of": "2019-06-30", "due_date": "2019-07-10"})
    assert duplicate.status_code == 409
    september = db.session.scalar(select(MonitoringDate).where(MonitoringDate.as_of == date(2019, 9, 30)))
    assert client.get(f"/monitoring/dates/{september.id}/edit").status_code == 200
    assert post(client, f"/monitoring/dates/{september.id}/edit",
                {"as_of": "2019-10-31", "due_date": "2019-11-08"}).status_code == 302
    assert post(client, f"/monitoring/dates/{september.id}/remove").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(MonitoringDate)) == 1
    assert post(client, f"/monitoring/plans/{plan.id}/settings", {"monitoring_lag_points": "20"}).status_code == 302
    bad = post(client, f"/monitoring/plans/{plan.id}/settings", {"monitoring_lag_points": "120"})
    assert bad.status_code == 422 and "0 到 100" in bad.get_data(as_text=True)
    db.session.expire_all()
    assert plan.monitoring_lag_points == 20


def test_staff_cannot_manage_dates(client, world):
    org, plan, evaluation, monitoring_date = world
    login(client, org.staff_a.username)
    assert post(client, f"/monitoring/plans/{plan.id}/dates",
                {"as_of": "2019-09-30", "due_date": "2019-10-10"}).status_code == 403
    assert post(client, f"/monitoring/dates/{monitoring_date.id}/remove").status_code == 403
    assert post(client, f"/monitoring/plans/{plan.id}/settings", {"monitoring_lag_points": "5"}).status_code == 403


def submitted(org, evaluation, monitoring_date, **values):
    from tests.test_monitoring import edit_of

    return services.save(monitoring_date, evaluation.id, org.staff_a, edit_of(evaluation, **values), submit=True)


def test_the_board_the_overview_and_the_list_show_the_warning(app, world):
    from tests.conftest import signed_in

    org, plan, evaluation, monitoring_date = world
    submitted(org, evaluation, monitoring_date, reason=REASON, correction=CORRECTION, execution_reason=REASON,
              execution_correction=CORRECTION)
    office = signed_in(app, org.office)
    board = office.get(f"/work/board?plan={plan.id}").get_data(as_text=True)
    assert 'data-testid="monitoring-board"' in board and evaluation.project.name in board
    assert "落后于序时进度" in board and "预计全年完成 253座" in board
    overview = office.get(f"/overview/?plan={plan.id}").get_data(as_text=True)
    assert "落后于序时进度" in overview
    data = office.get(f"/overview/data.json?plan={plan.id}").get_json()
    assert [w["project"] for w in data["monitoring_warnings"]] == [evaluation.project.name]
    assert [w["kind"] for w in data["monitoring_warnings"][0]["warnings"]] == ["execution", "indicator"]
    listing = office.get(f"/monitoring/dates/{monitoring_date.id}/warnings").get_data(as_text=True)
    assert evaluation.project.name in listing and "253" in listing
    # The finance bureau sees no warning of a project not reported to it.
    finance = signed_in(app, org.finance)
    assert finance.get(f"/overview/data.json?plan={plan.id}").get_json()["monitoring_warnings"] == []


def test_on_track_the_board_shows_no_warning(app, world):
    from tests.conftest import signed_in

    org, plan, evaluation, monitoring_date = world
    submitted(org, evaluation, monitoring_date, executed="110", expected="286")
    board = signed_in(app, org.office).get(f"/work/board?plan={plan.id}").get_data(as_text=True)
    assert "没有预警" in board and "落后于序时进度" not in board


def test_the_self_evaluation_form_shows_the_reports_figures(app, world):
    from tests.conftest import signed_in

    org, plan, evaluation, monitoring_date = world
    submitted(org, evaluation, monitoring_date, reason=REASON, correction=CORRECTION, execution_reason=REASON,
              execution_correction=CORRECTION)
    actions.perform(evaluation.id, "open_self_evaluation", org.office)
    page = signed_in(app, org.staff_a).get(f"/evaluations/{evaluation.id}/form").get_data(as_text=True)
    assert 'data-testid="monitoring-start"' in page and "累计执行 61.99 万元" in page
    assert "监控（06-30）：120，预计 253" in page
    # And the report is closed now.
    answer = post(signed_in(app, org.staff_a), report_url(monitoring_date, evaluation), form_of(evaluation))
    assert answer.status_code == 403
