"""The overview (概览): its numbers from the service without HTTP, then the page and its JSON
through the test client for every role, allowed and refused."""
from decimal import Decimal

import pytest

from tests.conftest import post, signed_in
from tests.test_browser import english
from tests.factories import make_approved, make_evaluation, make_plan, make_setup
from workflow import numbers
from workflow.overview import services


@pytest.fixture
def world():
    """Two plans: 2018's budget (an earlier year) and 2019's. In 2019 section A has a reported
    project (the default figures 206.632 of which 172.743 spent) and an approved one (100 of
    which 80 spent), section B one in 自评中 (no figures yet). The reported project was also
    evaluated for 2018 (50 of which 45 spent)."""
    org, plan = make_setup()
    earlier = make_plan(run_year=2019, budget_year=2018)
    old = make_approved(earlier, org, "应急物资储备项目", org.section_a, "50", "45")
    reported = make_evaluation(plan, org, "reported", name="应急物资储备项目")
    approved = make_approved(plan, org, "安全生产宣传项目", org.section_a, "100", "80")
    drafting = make_evaluation(plan, org, "self_evaluating", name="应急演练项目", section=org.section_b)
    return org, plan, earlier, old, reported, approved, drafting


def test_the_numbers(world):
    org, plan, earlier, old, reported, approved, drafting = world
    view = services.overview(plan, org.office)
    assert not view.reported_only
    # By stage: 准备 0, 自评 1, 复核 0, 报送 1 (已审批), 结果应用 1 (已报送).
    assert [n for _name, n in view.stages] == [0, 1, 0, 1, 1]
    assert [name for name, _n in view.stages] == [stage.name for stage in plan.stages]
    assert [(row.name, row.counts, row.total) for row in view.sections] == [
        (org.section_a.name, {"approved": 1, "reported": 1}, 2),
        (org.section_b.name, {"self_evaluating": 1}, 1),
    ]
    assert view.total == 3
    # Execution: only the section with figures; its rate is the sums' ratio.
    [row] = view.execution
    assert (row.name, row.budget, row.executed, row.projects) == (
        org.section_a.name, Decimal("306.632"), Decimal("252.743"), 2)
    assert numbers.percent(row.rate) == Decimal("82.43")
    assert numbers.percent(view.execution_total.rate) == Decimal("82.43")
    # Grades: the two scored evaluations, by their stored grade.
    expected = {code: 0 for code in services.GRADE_ORDER}
    for evaluation in (reported, approved):
        expected[evaluation.grade] += 1
    assert view.grades == list(expected.items())
    assert sum(n for _code, n in view.grades) == 2
    # The years: the reported project in 2018 and 2019, the others in 2019 only.
    assert view.years == [2018, 2019]
    years = {p.name: p.years for p in view.projects}
    assert years["应急物资储备项目"] == {
        2018: (old.total_score, Decimal("0.9")),
        2019: (reported.total_score, Decimal("172.743") / Decimal("206.632")),
    }
    assert years["安全生产宣传项目"] == {2019: (approved.total_score, Decimal("0.8"))}
    assert years["应急演练项目"] == {2019: (None, None)}


def test_the_finance_bureau_sees_only_what_was_reported(world):
    org, plan, earlier, old, reported, approved, drafting = world
    view = services.overview(plan, org.finance)
    assert view.reported_only
    assert [(row.name, row.counts) for row in view.sections] == [(org.section_a.name, {"reported": 1})]
    [row] = view.execution
    assert (row.budget, row.executed, row.projects) == (Decimal("206.632"), Decimal("172.743"), 1)
    assert sum(n for _code, n in view.grades) == 1
    # 2018's evaluation is approved, not reported: the bureau does not see it.
    assert view.years == [2019]
    assert [p.name for p in view.projects] == ["应急物资储备项目"]


def test_an_empty_plan(db):
    org, plan = make_setup()
    view = services.overview(plan, org.leader)
    assert view.sections == [] and view.execution == [] and view.projects == []
    assert [n for _name, n in view.stages] == [0] * len(plan.stages)
    assert all(n == 0 for _code, n in view.grades)
    data = services.as_json(view)
    assert data["execution"]["total_rate"] is None and data["years"]["years"] == []


def test_the_json(world):
    org, plan, *_ = world
    data = services.as_json(services.overview(plan, org.office))
    assert data["plan"]["id"] == plan.id
    assert data["sections"]["names"] == [org.section_a.name, org.section_b.name]
    by_state = {s["name"]: s["counts"] for s in data["sections"]["states"]}
    assert by_state["approved"] == [1, 0] and by_state["self_evaluating"] == [0, 1]
    assert data["execution"] == {"names": [org.section_a.name], "budget": [306.632], "executed": [252.743],
                                 "rates": [82.43], "total_rate": 82.43}
    assert data["grades"]["labels"] == ["优", "良", "中", "差"]
    project = next(p for p in data["years"]["projects"] if p["name"] == "应急物资储备项目")
    assert data["years"]["years"] == [2018, 2019]
    assert project["rates"] == [90.0, 83.6]


# Through HTTP ------------------------------------------------------------------------------

ALLOWED = ("office", "leader", "finance")
REFUSED = ("admin", "reviewer", "staff_a")


@pytest.mark.parametrize("who", ALLOWED)
def test_the_page_and_its_json_for_the_readers(app, world, who):
    org, plan, *_ = world
    client = signed_in(app, getattr(org, who))
    page = client.get(f"/overview/?plan={plan.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for chart in ("stages", "sections", "execution", "grades", "years"):
        assert f'data-chart="{chart}"' in html
        assert f'data-testid="table-{chart}"' in html
    assert "vendor/echarts/echarts.min.js" in html and "js/overview.js" in html
    assert "<script>" not in html  # no inline script: the CSP allows none
    assert f'data-url="/overview/data.json?plan={plan.id}"' in html
    assert "82.43%" in html if who != "finance" else "83.60%" in html
    assert ("应急演练项目" in html) is (who != "finance")
    answer = client.get(f"/overview/data.json?plan={plan.id}")
    assert answer.status_code == 200 and answer.is_json
    assert answer.get_json()["reported_only"] is (who == "finance")
    assert "no-store" in answer.headers["Cache-Control"]


def test_the_page_defaults_to_the_newest_plan_and_speaks_english(app, world):
    org, plan, earlier, *_ = world
    client = signed_in(app, org.leader)
    html = client.get("/overview/").get_data(as_text=True)
    assert f'data-url="/overview/data.json?plan={plan.id}"' in html  # run year 2020, the newest
    post(client, "/language/en")
    html = client.get("/overview/").get_data(as_text=True)
    assert ">Overview<" in html and 'data-locale="EN"' in html
    assert "进度" not in html
    labels = client.get("/overview/data.json").get_json()["grades"]["labels"]
    assert labels == [english(code) for code in ("优", "良", "中", "差")]


@pytest.mark.parametrize("who", REFUSED)
def test_the_others_are_refused(app, world, who):
    org, plan, *_ = world
    client = signed_in(app, getattr(org, who))
    assert client.get("/overview/").status_code == 403
    assert client.get(f"/overview/data.json?plan={plan.id}").status_code == 403


def test_anonymous_goes_to_the_login_page(client, world):
    assert client.get("/overview/").status_code == 302
    assert client.get("/overview/data.json").status_code == 302


def test_an_unknown_plan_is_404(app, world):
    org, *_ = world
    client = signed_in(app, org.office)
    for url in ("/overview/?plan=999999", "/overview/data.json?plan=999999"):
        assert client.get(url).status_code == 404, url
    # Beyond the database's INTEGER: no number at all, the newest plan (workflow/input_guard.py).
    assert client.get("/overview/data.json?plan=99999999999").status_code == 200


def test_no_plan_yet(app, db):
    from tests.factories import make_org

    org = make_org()
    client = signed_in(app, org.office)
    page = client.get("/overview/")
    assert page.status_code == 200 and "还没有评价方案" in page.get_data(as_text=True)
    assert client.get("/overview/data.json").status_code == 404


def test_the_navigation_links_the_overview(app, world):
    org, *_ = world
    assert 'href="/overview/"' in signed_in(app, org.leader).get("/").get_data(as_text=True)
    assert 'href="/overview/"' not in signed_in(app, org.staff_a).get("/").get_data(as_text=True)
