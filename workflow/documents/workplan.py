"""The plan's work plan (评价工作方案) as an official-style PDF, laid out like the seed's:
title, the basis it answers, 组织领导 (the working group and its office), 评价原则, 评价方法及
工作流程, 工作步骤 with each stage's dates, 工作要求 and the basis documents.

workplan_data() turns a plan into plain data (the only thing the template sees);
render_workplan() renders it. Everything comes from the plan as the office keeps it, so an
edited group, date or text shows in the next download.
"""
import re

from workflow.documents import titles
from workflow.documents.render import render
from workflow.documents.text import paragraphs

CHINESE_NUMERALS = "一二三四五六七八九十"

# What each stage is for, in the seed's words where the seed has them (准备阶段, 自评阶段,
# 结果应用); a stage kind the plan does not know gets no text.
STAGE_DUTIES = {
    "prepare": "明确评价工作目标及评价要求；了解项目总体情况，学习绩效评价政策、评价标准，了解财政支出绩效评价方法和"
               "有关要求，部署绩效评价相关工作，收集相关资料、统计财务数据。",
    "self_evaluate": "按照绩效评价工作要求，针对评价项目，建立科学规范的评价指标体系，根据项目实施情况严格评分，形成评价"
                     "结论，提出存在问题、建议和意见，撰写初步评价报告。",
    "review": "绩效评价工作小组复核项目数量的完整性及项目资金的准确性，对复核中发现的问题退回责任科室修改，组长审批"
              "评价结果。",
    "report": "评价工作小组办公室汇总评价结果，撰写绩效报告，按要求报送市财政局。",
    "apply": "本次财政审核结果将作为部门预算绩效管理考核以及下一年度项目预算申报的重要依据。",
}

# The parts of the plan in order; a part the plan leaves empty is left out and the rest are
# numbered 一、二、… without a gap.
PARTS = (("group", "组织领导"), ("principles", "评价原则"), ("method", "评价方法及工作流程"),
         ("stages", "工作步骤"), ("requirements", "工作要求"), ("basis", "评价依据"))

KIND = "工作方案"

GROUP_LABELS = (("leader", "组　长"), ("deputy", "副组长"), ("member", "成　员"))


def title_lines(title, org):
    """The title's lines: the writer's breaks ("|") as typed; otherwise as the seed sets it,
    the organisation on a line of its own, the subject broken between words
    (documents.titles), and the document's kind, 工作方案, on the last line."""
    title = (title or "").strip()
    if titles.BREAK in title:
        return titles.title_lines(title)
    lines = []
    rest = title
    if org and rest.startswith(org) and len(rest) > len(org):
        lines.append(org)
        rest = rest[len(org):]
    if rest.endswith(KIND) and len(rest) > len(KIND):
        lines.extend(titles.title_lines(rest[: -len(KIND)]) + [KIND])
    elif rest:
        lines.extend(titles.title_lines(rest))
    return lines or [title]


def month_day(day, with_year=False):
    text = f"{day.month}月{day.day}日"
    return f"{day.year}年{text}" if with_year else text


def stage_period(stage, run_year):
    """"6月10日—6月30日" for a stage within the plan's year, with years otherwise."""
    start, due = stage.start_date, stage.due_date
    if start is None and due is None:
        return "时间另行通知"
    other_year = any(day is not None and day.year != run_year for day in (start, due))
    if start is None:
        return f"{month_day(due, other_year)}前"
    if due is None:
        return f"{month_day(start, other_year)}起"
    return f"{month_day(start, other_year)}—{month_day(due, other_year)}"


def _numbered(items):
    """'（一）' style labels for a list."""
    return [(f"（{CHINESE_NUMERALS[i] if i < 10 else i + 1}）", item) for i, item in enumerate(items)]


def basis_citation(documents):
    """The opening cites the basis documents by title and number: 《…》（…号）、《…》."""
    return "、".join(documents)


def workplan_data(plan):
    """Plain data for templates/documents/workplan.html."""
    org_name = plan.organisation
    members = sorted(plan.members, key=lambda m: (m.sort_order, m.id or 0))
    group = [
        {"label": label, "names": [m.user.full_name for m in members if m.group_role == role]}
        for role, label in GROUP_LABELS
    ]
    stages = sorted(plan.stages, key=lambda s: (s.sort_order, s.id or 0))
    documents = [doc.strip() for doc in (plan.basis_documents or []) if doc and doc.strip()]
    office = plan.office_section.name if plan.office_section else ""
    parts = {
        "group": True,   # 组织领导 always: the group and its office are the plan's core
        "principles": bool(paragraphs(plan.principles)),
        "method": bool(paragraphs(plan.method)),
        "stages": bool(stages),
        "requirements": bool(paragraphs(plan.requirements)),
        "basis": bool(documents),
    }
    shown = [key for key, _title in PARTS if parts[key]]
    headings = {key: f"{CHINESE_NUMERALS[i]}、{dict(PARTS)[key]}" for i, key in enumerate(shown)}
    return {
        "headings": headings,
        "title": titles.plain_title(plan.title),
        "title_lines": title_lines(plan.title, org_name),
        "organisation": org_name,
        "budget_year": plan.budget_year,
        "run_year": plan.run_year,
        "basis_citation": basis_citation(documents),
        "group": [row for row in group if row["names"]],
        "office": office,
        "principles": paragraphs(plan.principles),
        "method": paragraphs(plan.method),
        "stages": [
            {"number": number, "name": stage.name, "period": stage_period(stage, plan.run_year),
             "duty": STAGE_DUTIES.get(stage.kind, "")}
            for number, stage in _numbered(stages)
        ],
        "requirements": paragraphs(plan.requirements),
        "basis_documents": documents,
    }


def render_workplan(plan):
    """PDF bytes of the plan's 工作方案."""
    return render("workplan.html", workplan_data(plan))


def workplan_filename(plan):
    """The download's name: the plan's title (it already ends in 工作方案 in the seed)."""
    title = re.sub(r"\s+", "", titles.plain_title(plan.title)) or "评价工作方案"
    return title if title.endswith("方案") else title + "工作方案"
