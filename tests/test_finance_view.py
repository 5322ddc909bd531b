"""The finance bureau sees what has been reported to it, nothing before: on the plan page and
through the API, as on the evaluation page."""
import pytest

from tests.api_helpers import ApiClient, assert_error
from tests.conftest import signed_in
from tests.factories import make_evaluation, make_setup
from workflow.evaluations.services import sees_reported_only
from workflow.plans import services


@pytest.fixture
def world():
    org, plan = make_setup()
    reported = make_evaluation(plan, org, "reported", name="已报送的项目")
    approved = make_evaluation(plan, org, "approved", name="已审批未报送的项目")
    drafting = make_evaluation(plan, org, "self_evaluating", name="自评中的项目", section=org.section_b)
    return org, plan, reported, approved, drafting


def test_the_rule(world):
    org, *_ = world
    assert sees_reported_only(org.finance)
    for user in (org.office, org.leader, org.reviewer, org.staff_a):
        assert not sees_reported_only(user), user.username


def test_the_plan_lists_only_reported_projects_to_the_finance_bureau(world):
    org, plan, reported, approved, drafting = world
    names = {p.name for p in services.projects_of(plan, viewer=org.finance)}
    assert names == {"已报送的项目"}
    assert {p.name for p in services.projects_of(plan, viewer=org.office)} == {
        "已报送的项目", "已审批未报送的项目", "自评中的项目"}


def test_the_plan_page(app, world):
    org, plan, *_ = world
    page = signed_in(app, org.finance).get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "已报送的项目" in page
    assert "已审批未报送的项目" not in page and "自评中的项目" not in page
    office_page = signed_in(app, org.office).get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "已审批未报送的项目" in office_page and "自评中的项目" in office_page


def test_the_api(app, world):
    org, plan, reported, approved, drafting = world
    finance = ApiClient(app, org.finance)
    listed = finance.get(f"/api/v1/plans/{plan.id}/projects").get_json()
    assert [p["name"] for p in listed] == ["已报送的项目"]
    assert finance.get(f"/api/v1/projects/{reported.project_id}").status_code == 200
    assert_error(finance.get(f"/api/v1/projects/{approved.project_id}"), 404, "not_found")
    office = ApiClient(app, org.office)
    assert office.get(f"/api/v1/projects/{approved.project_id}").status_code == 200
