"""The self-evaluation report (绩效评价报告) of a project as an official-style PDF.

report_data() turns an evaluation into plain data (the only thing the template sees);
render_report() renders it. The structure follows the plan's report outline, so changing
the outline changes the report without touching code.
"""
import logging
import re
from decimal import Decimal

from flask_babel import gettext as _

from workflow import scoring
from workflow.documents.render import document_language, render
from workflow.documents.text import paragraphs
from workflow.errors import ServiceError
from workflow.selfeval import content

LOGGER = logging.getLogger(__name__)

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


def report_data(evaluation, draft=False):
    """Plain data for templates/documents/report.html, in the documents' language."""
    with document_language():
        return _report_data(evaluation, draft)


def _report_data(evaluation, draft):
    data = content.serialize(evaluation)
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


def render_frozen_report(evaluation, **render_args):
    """The report as approval freezes it: rendered without the watermark (``render_args`` go
    to render_report) and signed by the department (signing.sign). The one place both
    approval and the package's catch-up use."""
    from workflow.documents import signing
    from workflow.excel.exporter import organisation

    department = organisation(evaluation.project.plan)
    pdf = render_report(evaluation, draft=False, **render_args)
    try:
        return signing.sign(pdf, department=None if department == "—" else department)
    except signing.SigningKeyError:
        # A configured key that cannot be used is the administrator's to fix; the approval
        # (or the package) is refused rather than freezing an unsigned report.
        LOGGER.exception("the report of evaluation %s cannot be signed", evaluation.id)
        raise ServiceError(_("报告无法签名：系统的签名证书不可用，请联系系统管理员。本次操作未生效。"),
                           code="signing_key") from None


def report_for_download(evaluation):
    """(PDF bytes, is the frozen copy): the approved report exactly as frozen (and signed) at approval;
    before approval a draft rendered now, with the 草稿 watermark."""
    from workflow.engine.definition import state_def
    from workflow.selfeval.services import last_snapshot

    if state_def(evaluation.state).frozen:
        snapshot = last_snapshot(evaluation, "approval")
        if snapshot is not None and snapshot.pdf is not None:
            return snapshot.pdf, True
    return render_report(evaluation, draft=True), False
