"""The self-evaluation report (绩效评价报告) of a project as an official-style PDF.

report_data() turns an evaluation into plain data (the only thing the template sees);
render_report() renders it. The structure follows the plan's report outline, so changing
the outline changes the report without touching code.
"""
import re
from decimal import Decimal

from workflow import scoring
from workflow.documents.render import document_language, render
from workflow.documents.text import paragraphs
from workflow.selfeval import content

# An outline title such as "一、基本情况（一）项目概况" holds two headings: the 一、 part (黑体)
# and the （一） part (楷体). Split so that each gets its own font.
_LEVEL1 = re.compile(r"^([一二三四五六七八九十]+、[^（(]*)(.*)$")


def split_title(title):
    """[(level, text)] of an outline title: level 1 for 一、, 2 for （一）."""
    title = (title or "").strip()
    match = _LEVEL1.match(title)
    if match:
        headings = [(1, match.group(1).strip())]
        if match.group(2).strip():
            headings.append((2, match.group(2).strip()))
        return headings
    return [(2, title)] if title else []


def _value(number, text, unit):
    if text:
        return text
    if number is None:
        return ""
    return f"{number}{unit or ''}"


def report_data(evaluation, draft=False, serialized=None):
    """Plain data for templates/documents/report.html, in the documents' language; from
    ``serialized`` (a snapshot's data, content.serialize()'s shape) instead of the live
    content when given."""
    with document_language():
        return _report_data(evaluation, draft, serialized)


def _report_data(evaluation, draft, serialized):
    data = serialized if serialized is not None else content.serialize(evaluation)
    project = data["project"]
    outline = sorted(evaluation.project.plan.report_sections, key=lambda s: (s.sort_order, s.id or 0))
    sections = []
    for item in outline:
        text = data["narrative"].get(item.key, "")
        if not text and not item.required:
            continue   # an optional section left empty is left out, heading and all
        sections.append({
            "key": item.key,
            "headings": [{"level": level, "text": heading} for level, heading in split_title(item.title)],
            "paragraphs": paragraphs(text),
        })
    indicators = [
        {
            "level1": ind["level1"], "level2": ind["level2"], "name": ind["name"],
            "weight": ind["weight"] or "",
            "target": _value(ind["target"], ind["target_text"], ind["unit"]),
            "actual": _value(ind["actual"], ind["actual_text"], ind["unit"]),
            "score": ind["score"] if ind["applicable"] else "不适用",
        }
        for ind in data["indicators"]
    ]
    total_weight = sum((Decimal(ind["weight"]) for ind in data["indicators"] if ind["weight"]), Decimal(0))
    grade = data["grade"]
    return {
        "title": f"{project['name']}绩效评价报告",
        "project_name": project["name"],
        "section_name": project["section"],
        "budget_year": project["budget_year"],
        "sections": sections,
        "indicators": indicators,
        "total_weight": format(total_weight.normalize(), "f"),
        "total_score": data["total_score"] or "",
        "grade": grade or "",
        "grade_label": str(scoring.GRADE_LABELS[grade]) if grade in scoring.GRADE_LABELS else "",
        "draft": bool(draft),
    }


def render_report(evaluation, draft=False):
    """PDF bytes of the evaluation's report."""
    return render("report.html", report_data(evaluation, draft))


def report_for_download(evaluation):
    """(PDF bytes, is the frozen copy): the approved report exactly as frozen at approval;
    before approval a draft rendered now, with the 草稿 watermark."""
    from workflow.engine.definition import state_def
    from workflow.selfeval.services import last_snapshot

    if state_def(evaluation.state).frozen:
        snapshot = last_snapshot(evaluation, "approval")
        if snapshot is not None and snapshot.pdf is not None:
            return snapshot.pdf, True
    return render_report(evaluation, draft=True), False
