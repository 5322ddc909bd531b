"""The department's self-evaluation report (部门整体支出绩效自评报告): the data of
templates/documents/department_report.html (and of the .docx, word/department_report.py).

Built as the project report is (documents/reports.py): from a serialisation (an approval
snapshot's, or the live content's), with the report's own outline (selfeval/department.py)
numbered from what is printed, the main tasks with their projects, the budget table (基本支出,
项目支出, 合计 with their execution rates) and the indicator table as its 附表."""
from decimal import Decimal

from workflow import numbers, scoring
from workflow.documents.titles import title_lines
from workflow.selfeval import department

ANNEX_NAME = "部门整体支出绩效评价指标评分表"
# The budget table's rows: the parts, then their total (the order the seed's tables use).
BUDGET_ROWS = (("basic", "基本支出"), ("project", "项目支出"), ("total", "合计"))


def _amount(value):
    return numbers.plain(Decimal(value)) if value not in (None, "") else ""


def budget_rows(funding):
    """[{label, initial, annual, executed, rate}] of a serialisation's funding (万元, the rate a
    percentage with two decimals as elsewhere)."""
    rows = []
    for kind, label in BUDGET_ROWS:
        values = funding.get(kind, {})
        annual, executed = values.get("annual_budget"), values.get("executed")
        rate = (numbers.percent_text(scoring.execution_rate(Decimal(annual), Decimal(executed)))
                if annual not in (None, "") and executed not in (None, "") and Decimal(annual) else "")
        rows.append({"kind": kind, "label": label, "initial": _amount(values.get("initial_budget")),
                     "annual": _amount(annual), "executed": _amount(executed), "rate": rate})
    return rows


def report_data(evaluation, draft, serialized, issued_at):
    """Plain data for templates/documents/department_report.html; called by
    reports.report_data (in the documents' language) for a department evaluation."""
    from workflow.documents.reports import closing_and_annex, printed_sections
    from workflow.selfeval import content

    data = serialized if serialized is not None else content.serialize(evaluation)
    plan = evaluation.project.plan
    organisation = plan.organisation
    narrative = dict(data["narrative"])
    tasks = (data.get("department") or {}).get("tasks", [])
    if tasks and not narrative.get("tasks", "").strip():
        narrative["tasks"] = department.TASKS_INTRO  # the section that carries the tasks' table
    sections = printed_sections(department.OUTLINE, narrative)
    title = f"{organisation}{data['project']['budget_year']}年度部门整体支出绩效自评报告"
    annex = f"{organisation}{ANNEX_NAME}"
    return {
        "template": "department_report.html",
        "organisation": organisation,
        "title": title,
        "title_lines": title_lines(title),
        "project_name": data["project"]["name"],
        "section_name": data["project"]["section"],
        "budget_year": data["project"]["budget_year"],
        "preamble": [],
        "sections": sections,
        "tasks": [{"number": number, "name": task["name"], "projects": "、".join(task["projects"]) or "—",
                   "achievement": task["achievement"]} for number, task in enumerate(tasks, start=1)],
        "budget": budget_rows(data["funding"]),
        **closing_and_annex(data, annex, organisation or data["project"]["section"], issued_at, draft),
    }
