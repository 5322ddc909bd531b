"""Errors tied to their fields in the hand-written forms (templates/_errors.html): the service
names each refused field (ServiceError.fields, in the form's names), the page marks it
(is-invalid, aria-invalid, aria-describedby to its message) and lists it, linked, in the error
summary; nothing is saved. The WTForms forms and the 自评表: tests/test_accessibility_pages.py."""
from datetime import date

from workflow.extensions import db

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.conftest import login, post, signed_in
from tests.test_accessibility_pages import Elements
from tests.test_monitoring import MINES, edit_of, mines, report_count
from tests.test_monitoring_pages import form_of, report_url, world  # noqa: F401 (a fixture)
from tests.test_plans import office, office_section, office_user, plan  # noqa: F401 (fixtures)
from tests.test_plans import stage_form, stage_rows, stage_snapshot
from workflow.plans import services as plans
from workflow.selfeval import framework
from workflow.selfeval.framework import EXECUTION_RATE
from workflow.targets import services as targets
from workflow.errors import ServiceError
from workflow.models import Evaluation, TargetChange
from workflow.monitoring import services
from workflow.monitoring.forms import report_edit


def assert_marked(page, name, says):
    (field,) = [a for _t, a in page.tags if a.get("name") == name]
    assert field["id"] == name and field["aria-invalid"] == "true" and "is-invalid" in field["class"], name
    assert says in page.text_of[field["aria-describedby"]], name


def summary_links(page):
    (summary,) = [a for _t, a in page.tags if "data-error-summary" in a]
    assert summary["role"] == "alert" and summary["tabindex"] == "-1"
    return [a["href"] for _t, a in page.tags if "alert-link" in a.get("class", "")]


# The monitoring report ----------------------------------------------------------------

def test_the_report_form_names_the_fields_it_could_not_read(world):
    org, plan, evaluation, monitoring_date = world
    ind = mines(evaluation)
    form = form_of(evaluation, executed="六十", so_far="-1")
    with pytest.raises(ServiceError) as refused:
        services.save(monitoring_date, evaluation.id, org.staff_a,
                      report_edit(form, services.monitored_indicators(evaluation)))
    assert set(refused.value.fields) == {"executed", f"ind-{ind.id}-value"}
    assert "应为数字" in refused.value.fields["executed"]
    assert "不能为负数" in refused.value.fields[f"ind-{ind.id}-value"]
    assert report_count() == 0


def test_a_refused_submission_names_the_blank_fields(world):
    org, plan, evaluation, monitoring_date = world
    ind = mines(evaluation)
    # The mines lag (a warning) with no reason; the executed figure is blank.
    edit = edit_of(evaluation)
    edit.executed = None
    with pytest.raises(ServiceError) as refused:
        services.save(monitoring_date, evaluation.id, org.staff_a, edit, submit=True)
    assert refused.value.fields.keys() == {"executed", f"ind-{ind.id}-reason"}
    assert MINES in refused.value.fields[f"ind-{ind.id}-reason"]
    # A too long reason is named by its field too.
    edit = edit_of(evaluation, reason="长" * (services.TEXT_LIMIT + 1))
    with pytest.raises(ServiceError) as refused:
        services.save(monitoring_date, evaluation.id, org.staff_a, edit)
    assert list(refused.value.fields) == [f"ind-{ind.id}-reason"]
    assert report_count() == 0


def test_the_report_page_marks_each_refused_field_and_links_it_from_the_summary(client, world):
    org, plan, evaluation, monitoring_date = world
    ind = mines(evaluation)
    login(client, org.staff_a.username)
    answer = post(client, report_url(monitoring_date, evaluation),
                  form_of(evaluation, executed="六十", so_far="1.123456"))
    assert answer.status_code == 422
    page = Elements(answer.get_data(as_text=True))
    assert_marked(page, "executed", "应为数字")
    assert_marked(page, f"ind-{ind.id}-value", "最多保留 4 位小数")
    assert summary_links(page) == ["#executed", f"#ind-{ind.id}-value"]
    # What was typed is shown again; a field that was fine is not marked.
    (executed,) = [a for _t, a in page.tags if a.get("name") == "executed"]
    assert executed["value"] == "六十"
    (expected,) = [a for _t, a in page.tags if a.get("name") == f"ind-{ind.id}-expected"]
    assert "aria-invalid" not in expected and "is-invalid" not in expected["class"]
    assert report_count() == 0


def test_a_refused_submission_marks_the_warnings_reason(client, world):
    org, plan, evaluation, monitoring_date = world
    ind = mines(evaluation)
    login(client, org.staff_a.username)
    assert post(client, report_url(monitoring_date, evaluation), form_of(evaluation)).status_code == 302
    answer = post(client, report_url(monitoring_date, evaluation), form_of(evaluation, action="submit"))
    assert answer.status_code == 422
    page = Elements(answer.get_data(as_text=True))
    assert_marked(page, f"ind-{ind.id}-reason", "请填写偏差原因和纠偏措施")
    assert f"#ind-{ind.id}-reason" in summary_links(page)
    assert services.report_of(monitoring_date, evaluation).state == "draft"


# The stages' dates ----------------------------------------------------------------------

def test_the_stages_refusals_name_their_field(plan):
    before = stage_snapshot(plan.id)
    with pytest.raises(ServiceError) as refused:
        plans.update_stages(plan, stage_rows(plan, self_evaluate=("自评阶段", date(2020, 6, 1), date(2020, 6, 5))))
    assert list(refused.value.fields) == [("self_evaluate", "start_date")]
    with pytest.raises(ServiceError) as refused:
        plans.update_stages(plan, stage_rows(plan, review=("   ", date(2020, 8, 3), date(2020, 8, 21))))
    assert list(refused.value.fields) == [("review", "name")]
    with pytest.raises(ServiceError) as refused:
        plans.update_stages(plan, stage_rows(plan, review=("复核阶段", date(2020, 8, 21), date(2020, 8, 3))))
    assert list(refused.value.fields) == [("review", "start_date")]
    db.session.rollback()
    assert stage_snapshot(plan.id) == before


def field_id_of(plan, kind, name):
    return f"stages-{[s.kind for s in plan.stages].index(kind)}-{name}"


def test_the_stages_page_marks_the_field_the_service_refused(office, plan):
    before = stage_snapshot(plan.id)
    answer = post(office, f"/plans/{plan.id}/stages", stage_form(plan, self_evaluate={"start_date": "2020-06-01"}))
    assert answer.status_code == 422
    page = Elements(answer.get_data(as_text=True))
    field_id = field_id_of(plan, "self_evaluate", "start_date")
    assert_marked(page, field_id, "阶段须按顺序排列")
    assert summary_links(page) == [f"#{field_id}"]
    (due,) = [a for _t, a in page.tags if a.get("name") == field_id_of(plan, "self_evaluate", "due_date")]
    assert "aria-invalid" not in due
    db.session.expire_all()
    assert stage_snapshot(plan.id) == before


def test_the_stages_page_marks_a_date_that_did_not_validate(office, plan):
    before = stage_snapshot(plan.id)
    answer = post(office, f"/plans/{plan.id}/stages", stage_form(plan, review={"due_date": "2020-13-45"}))
    assert answer.status_code == 422
    page = Elements(answer.get_data(as_text=True))
    field_id = field_id_of(plan, "review", "due_date")
    assert_marked(page, field_id, "不是有效的日期值")
    assert summary_links(page) == [f"#{field_id}"]
    db.session.expire_all()
    assert stage_snapshot(plan.id) == before


# The framework ---------------------------------------------------------------------------

def test_the_frameworks_refusals_name_their_row_and_field(app):
    org, plan = factories.make_setup()
    before = [(i.level1, i.weight) for i in plan.indicators]
    for rows, where in (
            ([{"level1": "产出", "name": "x", "weight": "100"}, {"level1": "", "name": "y", "weight": "1"}],
             (2, "level1")),
            ([{"level1": "产出", "name": "x" * 101, "weight": "100"}], (1, "name")),
            ([{"level1": "产出", "name": "x", "weight": "五十"}], (1, "weight"))):
        with pytest.raises(ServiceError) as refused:
            framework.update_indicators(plan, rows)
        assert list(refused.value.fields) == [where]
    # The total is no one field's.
    with pytest.raises(ServiceError) as refused:
        framework.update_indicators(plan, [{"level1": "产出", "name": "x", "weight": "50"}])
    assert refused.value.fields == {}
    db.session.rollback()
    assert [(i.level1, i.weight) for i in plan.indicators] == before


def test_the_framework_page_marks_the_refused_field_in_the_rows_as_typed(app):
    org, plan = factories.make_setup()
    before = [(i.level1, i.weight) for i in plan.indicators]
    office = signed_in(app, org.office)
    # A blank row in between: the field is found by its row on the page, not its number among the kept.
    answer = post(office, f"/plans/{plan.id}/framework", {
        "level1": ["产出", "", "效益"], "level2": ["", "", ""], "name": ["x", "", "y"],
        "weight": ["50", "", "五十"]})
    assert answer.status_code == 422
    page = Elements(answer.get_data(as_text=True))
    (weight,) = [a for _t, a in page.tags if a.get("id") == "weight-3"]
    assert weight["aria-invalid"] == "true" and "is-invalid" in weight["class"] and weight["value"] == "五十"
    assert "分值应为数字" in page.text_of[weight["aria-describedby"]]
    assert summary_links(page) == ["#weight-3"]
    (first,) = [a for _t, a in page.tags if a.get("id") == "weight-1"]
    assert "aria-invalid" not in first and first["value"] == "50"
    db.session.expire_all()
    assert [(i.level1, i.weight) for i in plan.indicators] == before


# The target change request -------------------------------------------------------------

@pytest.fixture
def approved(app):
    org, plan = factories.make_setup()
    plan.targets_approval = True
    db.session.commit()
    evaluation = factories.make_project(plan, "应急物资储备项目", org.section_a, org.office).evaluation
    factories.walk_to(evaluation, "self_evaluating", org)
    db.session.commit()
    db.session.expire_all()
    evaluation = db.session.get(Evaluation, evaluation.id)
    return org, evaluation, next(ind for ind in evaluation.indicators if ind.kind != EXECUTION_RATE)


def changes():
    return db.session.scalar(select(func.count()).select_from(TargetChange))


def test_the_target_requests_refusals_name_their_field(approved):
    org, evaluation, ind = approved
    with pytest.raises(ServiceError) as refused:
        targets.request_change(evaluation.id, org.staff_a, [targets.IndicatorTarget(ind.id, target="九十")], reason="原因")
    assert list(refused.value.fields) == [f"ind-{ind.id}-target"]
    with pytest.raises(ServiceError) as refused:
        targets.request_change(evaluation.id, org.staff_a, [targets.IndicatorTarget(ind.id, unit="单" * 17)],
                               overall_target=" ", reason="原因")
    assert set(refused.value.fields) == {"overall_target", f"ind-{ind.id}-unit"}
    with pytest.raises(ServiceError) as refused:
        targets.request_change(evaluation.id, org.staff_a, [targets.IndicatorTarget(ind.id, target="95")], reason="")
    assert list(refused.value.fields) == ["reason"]
    assert changes() == 0


def test_the_target_request_page_marks_the_refused_fields(app, approved):
    org, evaluation, ind = approved
    staff = signed_in(app, org.staff_a)
    answer = post(staff, f"/targets/evaluations/{evaluation.id}/change",
                  {f"ind-{ind.id}-target": "九十", f"ind-{ind.id}-nature": "nonsense", "reason": "原因"})
    assert answer.status_code == 422
    page = Elements(answer.get_data(as_text=True))
    assert_marked(page, f"ind-{ind.id}-nature", "请选择有效的指标性质")
    assert summary_links(page) == [f"#ind-{ind.id}-nature"]
    answer = post(staff, f"/targets/evaluations/{evaluation.id}/change", {f"ind-{ind.id}-target": "九十", "reason": ""})
    page = Elements(answer.get_data(as_text=True))
    assert_marked(page, "reason", "请填写调整原因")
    (target,) = [a for _t, a in page.tags if a.get("name") == f"ind-{ind.id}-target"]
    assert target["value"] == "九十" and "aria-invalid" not in target
    assert changes() == 0
