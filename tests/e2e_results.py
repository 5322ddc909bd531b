"""Page flows of the results feature for the end-to-end year (tests/test_year_e2e.py): the
office copies the plan to the next year and reads the budget advice the new plan shows for a
project of the year before. Playwright pages; no assertion of their own beyond waiting."""
import re

from playwright.sync_api import expect


def copy_to_next_year_and_read_advice(page, plan_id, project_name, run_year=None):
    """On the office's signed-in ``page`` (its context has the live server as base_url): copy
    plan ``plan_id`` to ``run_year`` (default: the form's, the next year) with the plan page's
    复制 button and return (the new plan's id, the advice text its 上年评价结果与预算安排建议
    shows for ``project_name``, e.g. "优先保障", and that row's whole text: score, grade)."""
    page.goto(f"/plans/{plan_id}")
    if run_year is not None:
        page.locator("#run_year").fill(str(run_year))
    page.get_by_role("button", name="复制", exact=True).click()
    page.wait_for_url(lambda url: re.search(r"/plans/(\d+)$", url) and not url.endswith(f"/plans/{plan_id}"))
    new_plan_id = int(re.search(r"/plans/(\d+)$", page.url).group(1))
    row = page.get_by_test_id("previous-results").locator(f"tr[data-project='{project_name}']")
    expect(row).to_be_visible()
    return new_plan_id, row.get_by_test_id("previous-advice").inner_text().strip(), row.inner_text()
