"""What a department-level evaluation (部门整体支出绩效自评) holds that a project's does not, as
data the self-evaluation feature reads: its budget rows (基本支出, 项目支出 and their total), its
indicator framework (投入, 过程, 产出, 效益 with the 部门管理 indicators), the outline of its
report, and its main tasks (主要任务) with the plan's projects serving each.

Everything else is a project evaluation's: the same FundingRow, Indicator and NarrativeSection
rows, scored by workflow/scoring.py through selfeval.services.recompute, through the same
workflow (workflow/flow.py)."""
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from workflow import scoring
from workflow.models import DepartmentTask, Indicator, Project
from workflow.models.evaluations import DEPARTMENT_SCOPE, PROJECT_SCOPE

# The project row's name: every list of the plan's evaluations shows it, so it says what it is.
DEPARTMENT_NAME = "部门整体支出"

# 部门预算合计 and its parts. The total row is the one the execution rate (预算执行率) and the
# summaries read, as a project's 年度资金总额.
FUNDING_KINDS = ("total", "basic", "project")
FUNDING_LABELS = {
    "total": _l("部门预算合计"),
    "basic": _l("其中：基本支出"),
    "project": _l("项目支出"),
}

TASK_NAME_LIMIT = 200
TASK_TEXT_LIMIT = 20000
TASK_LIMIT = 50  # main tasks of one evaluation
BLANK_TASK_ROWS = 2  # new tasks the form offers at a time


def _row(level1, level2, name, weight, nature, unit="%"):
    return {"level1": level1, "level2": level2, "name": name, "weight": Decimal(weight), "nature": nature,
            "unit": unit}


# The department framework (部门整体支出绩效评价指标): 投入 15, 过程 25, 产出 40, 效益 20. The
# 预算执行率 row is scored from the budget rows like a project's (framework.EXECUTION_RATE);
# the others as the office's indicators are (scoring.score_quantitative / score_qualitative).
# Names are the domain's own terms, as scoring's templates.
TEMPLATE = (
    _row("投入", "预算配置", "“三公”经费控制率", "10", scoring.NEGATIVE),
    _row("投入", "目标设定", "绩效目标合理性", "5", scoring.QUALITATIVE, ""),
    _row("过程", "预算执行", "预算执行率", "10", None),
    _row("过程", "预算执行", "结转结余率", "5", scoring.NEGATIVE),
    _row("过程", "预算管理", "资金使用合规性", "5", scoring.QUALITATIVE, ""),
    _row("过程", "资产管理", "资产管理规范性", "5", scoring.QUALITATIVE, ""),
    _row("产出", "职责履行", "重点工作完成率", "20", scoring.POSITIVE),
    _row("产出", "职责履行", "重点工作按期完成率", "10", scoring.POSITIVE),
    _row("产出", "职责履行", "质量达标率", "10", scoring.POSITIVE),
    _row("效益", "履职效益", "社会效益", "10", scoring.QUALITATIVE, ""),
    _row("效益", "可持续影响", "长效管理机制建立情况", "5", scoring.QUALITATIVE, ""),
    _row("效益", "满意度", "服务对象满意度", "5", scoring.POSITIVE),
)
scoring.validate_weights(row["weight"] for row in TEMPLATE)


@dataclass(frozen=True)
class OutlineSection:
    """A section of the department report's outline, shaped as a PlanReportSection (what
    workflow/selfeval/outline.py numbers and documents/reports.printed_sections prints)."""
    key: str
    chapter: str
    title: str
    hint: str
    required: bool
    cites_annex: bool
    sort_order: int
    id: int | None = None


# The 部门整体支出绩效自评报告's outline: (key, chapter, part, hint, required, cites the annex).
# The report prints the main tasks after "tasks" and the budget table after "budget".
OUTLINE = tuple(OutlineSection(key, chapter, title, hint, required, annex, index) for index, (
    key, chapter, title, hint, required, annex) in enumerate((
        ("duties", "部门基本情况", "部门职责", "部门的主要职责", True, False),
        ("organisation", "部门基本情况", "机构设置和人员情况", "内设机构、编制和实有人数", False, False),
        ("tasks", "部门基本情况", "年度主要任务", "年度主要任务的概述（任务及其支撑项目见下表）", False, False),
        ("budget", "部门整体支出情况", "预算安排及执行情况", "基本支出、项目支出的预算和执行", True, False),
        ("funds", "部门整体支出情况", "资金管理情况", "资金管理制度及执行", False, False),
        ("outputs", "绩效目标完成情况", "产出完成情况", "重点工作完成的数量、质量、时效", True, False),
        ("effects", "绩效目标完成情况", "效益实现情况", "履职效益、可持续影响、满意度", True, False),
        ("conclusion", "综合评价情况及评价结论", "", "评价得分、等级及结论", True, True),
        ("problems", "存在问题及改进措施", "存在的问题", "", True, False),
        ("measures", "存在问题及改进措施", "改进措施", "", True, False),
    )))
TASKS_INTRO = "本年度部门主要任务及其支撑项目如下表："


def is_department(evaluation):
    return evaluation.project is not None and evaluation.project.scope == DEPARTMENT_SCOPE


def new_indicators():
    """The evaluation's own indicators, from the department framework."""
    from workflow.selfeval.framework import EXECUTION_RATE

    indicators = []
    for index, row in enumerate(TEMPLATE):
        rate = row["nature"] is None
        indicators.append(Indicator(
            level1=row["level1"], level2=row["level2"], name=row["name"], weight=row["weight"], sort_order=index,
            kind=EXECUTION_RATE if rate else "standard", nature=row["nature"], unit=row["unit"],
            target=Decimal("100") if rate else None))
    return indicators


# Main tasks ------------------------------------------------------------------------------


@dataclass
class TaskEdit:
    """One main task as posted: ``id`` None for a new one; an empty ``name`` removes it.
    ``achievement`` None: not sent (before self-evaluation the 完成情况 is not open)."""
    id: int | None
    name: str
    achievement: str | None = None
    project_ids: tuple = ()


def serving_choices(plan):
    """The plan's projects a main task may name: the project-scope ones, by name."""
    from sqlalchemy import select

    from workflow.extensions import db

    return db.session.scalars(select(Project).where(Project.plan_id == plan.id, Project.scope == PROJECT_SCOPE)
                              .order_by(Project.name)).all()


def apply_tasks(evaluation, changes, errors, actuals):
    """Copy posted main tasks onto the evaluation; each problem goes to ``errors.add``."""
    by_id = {task.id: task for task in evaluation.department_tasks}
    choices = {project.id: project for project in serving_choices(evaluation.project.plan)}
    for change in changes:
        task = by_id.get(change.id) if change.id is not None else None
        if change.id is not None and task is None:
            errors.add(_("主要任务 %(id)d 不属于该评价。", id=change.id))
            continue
        name = (change.name or "").strip()
        if not name:
            if task is not None:
                evaluation.department_tasks.remove(task)
            continue
        if len(name) > TASK_NAME_LIMIT:
            errors.add(_("主要任务“%(name)s”不能超过 %(n)d 个字。", name=name[:20], n=TASK_NAME_LIMIT))
            continue
        projects = []
        for project_id in change.project_ids:
            if project_id not in choices:
                errors.add(_("主要任务“%(name)s”所选的项目不属于本方案。", name=name))
                break
            projects.append(choices[project_id])
        else:
            if task is None:
                if len(evaluation.department_tasks) >= TASK_LIMIT:
                    errors.add(_("主要任务最多 %(n)d 项。", n=TASK_LIMIT))
                    continue
                task = DepartmentTask(name=name, achievement="",
                                      sort_order=max((t.sort_order for t in evaluation.department_tasks), default=-1) + 1)
                evaluation.department_tasks.append(task)
            task.name = name
            task.projects = sorted(dict.fromkeys(projects), key=lambda p: p.name)
            if actuals and change.achievement is not None:
                text = change.achievement.strip()
                if len(text) > TASK_TEXT_LIMIT:
                    errors.add(_("主要任务“%(name)s”的完成情况不能超过 %(n)d 个字。", name=name, n=TASK_TEXT_LIMIT))
                else:
                    task.achievement = text


def serialize(evaluation):
    """The department's part of content.serialize (only department evaluations have it)."""
    tasks = sorted(evaluation.department_tasks, key=lambda t: (t.sort_order, t.id or 0))
    return {"tasks": [{"name": task.name, "achievement": task.achievement,
                       "projects": [project.name for project in task.projects]} for task in tasks]}


def problems(evaluation):
    """What must still be filled in before a department evaluation can be submitted, beyond
    what every evaluation needs."""
    found = []
    if not evaluation.department_tasks:
        found.append(_("请至少填写一项年度主要任务。"))
    for task in evaluation.department_tasks:
        if not task.achievement.strip():
            found.append(_("请填写主要任务“%(name)s”的完成情况。", name=task.name))
    return found


def flatten(data):
    """{(path): (label, value)} of the main tasks, for the review's diff of two serialisations."""
    flat = {}
    for number, task in enumerate((data.get("department") or {}).get("tasks", []), start=1):
        label = _("主要任务%(n)d", n=number)
        flat[("task", number, "name")] = (label, task["name"])
        flat[("task", number, "achievement")] = (f"{label} · {_('完成情况')}", task["achievement"])
        flat[("task", number, "projects")] = (f"{label} · {_('支撑项目')}", "、".join(task["projects"]))
    return flat
