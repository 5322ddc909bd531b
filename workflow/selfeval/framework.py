"""A plan's indicator framework and report outline: copied from a template, adjusted by the
office, and copied again into each evaluation of the plan."""
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from workflow import scoring
from workflow.errors import ServiceError
from workflow.extensions import db
from workflow.models import Indicator, PlanIndicator, PlanReportSection
from workflow.selfeval import outline

TEMPLATES = {
    "self": (_l("单位自评（项目支出绩效自评表）"), scoring.SELF_EVALUATION_TEMPLATE),
    "key": (_l("部门重点评价（决策、过程、产出、效益）"), scoring.KEY_EVALUATION_TEMPLATE),
}

EXECUTION_RATE = "execution_rate"
LEVEL_LIMIT = 32  # 一级、二级指标
NAME_LIMIT = 100  # 三级指标
QUERY_LIMIT = 50  # a search of the indicator library
EXECUTION_RATE_NAME = "预算执行率"

# The seed report's outline (承德市应急管理局, 2019 矿山“专家会诊”项目): (key, chapter, part title, hint,
# required, cites the scoring table). No numbers here: workflow/selfeval/outline.py numbers
# what is printed. A plan may change titles, drop optional sections or add its own; the report
# is built from the plan's outline.
DEFAULT_OUTLINE = (
    (outline.PREAMBLE, "", "", "评价依据、目的和对象（已按工作方案的依据文件预填）", False, False),
    ("overview", "基本情况", "项目概况", "项目主要内容、项目实施情况", True, False),
    ("goals", "基本情况", "项目绩效目标", "年度绩效目标", True, False),
    ("purpose", "绩效评价工作开展情况", "绩效评价目的", "", False, False),
    ("funding", "绩效评价工作开展情况", "项目资金实际使用等情况", "资金来源、资金管理情况", True, False),
    ("organisation", "绩效评价工作开展情况", "项目组织情况分析", "项目申报、公示等", False, False),
    ("management", "绩效评价工作开展情况", "项目管理情况分析", "", False, False),
    ("conclusion", "综合评价情况及评价结论", "", "评价得分、等级及结论", True, True),
    ("experience", "主要工作经验、问题和建议", "取得的经验", "", False, False),
    ("problems", "主要工作经验、问题和建议", "存在的问题", "", True, False),
    ("measures", "主要工作经验、问题和建议", "下一步改进措施", "", True, False),
)


def _kind_of(row):
    return EXECUTION_RATE if EXECUTION_RATE_NAME in (row["level1"], row["name"]) else "standard"


def apply_template(plan, code):
    """Give ``plan`` a fresh copy of a template's indicators (replacing any it had)."""
    if code not in TEMPLATES:
        raise ServiceError(_("未知的指标模板。"))
    plan.framework = code
    plan.indicators = [
        PlanIndicator(level1=row["level1"], level2=row["level2"], name=row["name"], weight=row["weight"],
                      kind=_kind_of(row), sort_order=index)
        for index, row in enumerate(scoring.copy_template(TEMPLATES[code][1]))
    ]


def apply_default_outline(plan):
    plan.report_sections = [
        PlanReportSection(key=key, chapter=chapter, title=title, hint=hint, required=required,
                          cites_annex=cites_annex, sort_order=index)
        for index, (key, chapter, title, hint, required, cites_annex) in enumerate(DEFAULT_OUTLINE)
    ]


def copy_plan_framework(source, plan):
    """Next year's plan keeps this year's adjusted framework and outline."""
    plan.framework = source.framework
    plan.indicators = [
        PlanIndicator(level1=p.level1, level2=p.level2, name=p.name, weight=p.weight, kind=p.kind,
                      sort_order=p.sort_order)
        for p in source.indicators
    ]
    plan.report_sections = [
        PlanReportSection(key=s.key, chapter=s.chapter, title=s.title, hint=s.hint, required=s.required,
                          cites_annex=s.cites_annex, sort_order=s.sort_order)
        for s in source.report_sections
    ]


def ensure_plan_framework(plan):
    if not plan.indicators:
        apply_template(plan, plan.framework or "self")
    if not plan.report_sections:
        apply_default_outline(plan)


def update_indicators(plan, rows):
    """``rows``: [{level1, level2, name, weight}] in order. Weights must add to 100.
    Evaluations that have not started on their indicators follow the new framework. A row's
    refusal names its field (ServiceError.fields: {(row number from 1, key): message})."""
    def refuse(message, number, key):
        return ServiceError(message, fields={(number, key): message})

    cleaned = []
    for number, row in enumerate(rows, start=1):
        level1 = (row.get("level1") or "").strip()
        level2 = (row.get("level2") or "").strip()
        name = (row.get("name") or "").strip()
        if not level1:
            raise refuse(_("第 %(n)d 行：一级指标不能为空。", n=number), number, "level1")
        too_long = next((key for key, text, limit in (("level1", level1, LEVEL_LIMIT), ("level2", level2, LEVEL_LIMIT),
                                                       ("name", name, NAME_LIMIT)) if len(text) > limit), None)
        if too_long:
            raise refuse(_("第 %(n)d 行：指标名称过长。", n=number), number, too_long)
        try:
            weight = Decimal(str(row.get("weight") or "").strip())
        except ArithmeticError:
            raise refuse(_("第 %(n)d 行：分值应为数字。", n=number), number, "weight") from None
        if not weight.is_finite() or weight <= 0 or weight.as_tuple().exponent < -2:
            raise refuse(_("第 %(n)d 行：分值应为大于 0、最多两位小数的数字。", n=number), number, "weight")
        cleaned.append({"level1": level1, "level2": level2, "name": name, "weight": weight})
    if not cleaned:
        raise ServiceError(_("至少需要一项指标。"))
    try:
        scoring.validate_weights(row["weight"] for row in cleaned)
    except scoring.ScoringError as error:
        raise ServiceError(str(error)) from None
    plan.indicators = [
        PlanIndicator(kind=_kind_of(row), sort_order=index, **row) for index, row in enumerate(cleaned)
    ]
    db.session.flush()
    refreshed = refresh_unstarted(plan)
    db.session.commit()
    return refreshed


def reset_to_template(plan, code):
    apply_template(plan, code)
    db.session.flush()
    refreshed = refresh_unstarted(plan)
    db.session.commit()
    return refreshed


def refresh_unstarted(plan):
    """Re-copy the framework into the plan's evaluations still in 准备中 whose indicators
    hold no entered value yet; returns how many were refreshed."""
    from workflow.models import Evaluation, Project

    count = 0
    evaluations = db.session.scalars(
        select(Evaluation).join(Project, Evaluation.project_id == Project.id)
        .where(Project.plan_id == plan.id, Evaluation.state == "preparing")
    )
    for evaluation in evaluations:
        untouched = all(
            i.target is None and i.actual is None and not i.target_text and not i.actual_text
            for i in evaluation.indicators if i.kind != EXECUTION_RATE
        )
        if untouched:
            evaluation.indicators = []
            db.session.flush()
            copy_into(evaluation, plan)
            count += 1
    return count


def copy_into(evaluation, plan):
    """The evaluation's own indicators, from the plan's framework; a project with a 项目类别
    gets its category's library entries on the framework's levels and weights
    (workflow/library/services.start_from_library)."""
    from workflow.library import services as library

    ensure_plan_framework(plan)
    evaluation.indicators = library.start_from_library(evaluation, plan, [
        Indicator(level1=p.level1, level2=p.level2, name=p.name, weight=p.weight, kind=p.kind,
                  sort_order=p.sort_order, nature=None if p.kind == EXECUTION_RATE else scoring.POSITIVE,
                  unit="%" if p.kind == EXECUTION_RATE else "",
                  target=Decimal("100") if p.kind == EXECUTION_RATE else None)
        for p in plan.indicators
    ])


def library(query="", limit=50):
    """Indicators used before (三级指标 with their level and unit), for next year's targets."""
    statement = (
        select(Indicator.name, Indicator.level1, Indicator.level2, Indicator.unit, Indicator.nature)
        .distinct()
        .where(Indicator.name != "", Indicator.kind == "standard")
        .order_by(Indicator.level1, Indicator.level2, Indicator.name)
        .limit(limit)
    )
    if query:
        statement = statement.where(Indicator.name.like(f"%{query.strip()[:QUERY_LIMIT]}%"))
    return [
        {"name": name, "level1": level1, "level2": level2, "unit": unit, "nature": nature}
        for name, level1, level2, unit, nature in db.session.execute(statement)
    ]


def level1_totals(plan):
    """{一级指标: weight} of the plan's framework, and the grand total."""
    totals = {}
    for row in plan.indicators:
        totals[row.level1] = totals.get(row.level1, Decimal(0)) + row.weight
    return totals
