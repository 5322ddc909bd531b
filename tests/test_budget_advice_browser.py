"""The page flow tests/e2e_results.py gives the end-to-end year, in a real browser: the office
copies the seed's 2020 plan and the 2021 plan shows the mine project's 优 and 优先保障."""
import pytest

from tests import factories
from tests.e2e_results import copy_to_next_year_and_read_advice
from tests.live_server import live_server  # noqa: F401  (fixture)
from tests.test_meetings_browser import in_own_thread, log_in
from workflow.extensions import db
from workflow.models import Plan

pytestmark = pytest.mark.browser


def test_the_copied_plan_shows_last_years_advice(app, live_server):  # noqa: F811
    org = factories.make_org()
    plan = factories.make_seed_plan(org)
    evaluation = factories.make_seed_mine(org, plan)
    factories.approve(org, evaluation)
    plan_id = plan.id   # read here: the browser's thread has no application context
    outcome = {}

    def scenario(browser):
        context = browser.new_context(base_url=live_server.base_url, locale="zh-CN")
        context.set_default_timeout(20_000)
        page = context.new_page()
        page.goto("/auth/login")
        log_in(page, "office")
        page.wait_for_url(lambda url: "/auth/login" not in url)
        outcome["result"] = copy_to_next_year_and_read_advice(page, plan_id, factories.SEED_MINE)
        context.close()

    in_own_thread(scenario)
    new_plan_id, advice, row = outcome["result"]
    assert advice == "优先保障"
    assert "99.70" in row and "优" in row
    db.session.expire_all()
    new_plan = db.session.get(Plan, new_plan_id)
    assert (new_plan.run_year, new_plan.previous_plan_id) == (2021, plan_id)
