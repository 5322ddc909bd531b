"""The self-evaluation report (绩效评价报告) of a project as an official-style PDF.

report_data() turns an evaluation into plain data (the only thing the template sees);
render_report() renders it. The structure follows the plan's report outline, so changing
the outline changes the report without touching code.
"""
import logging
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _

from workflow import clock, numbers, scoring
from workflow.documents.render import document_language, render
from workflow.documents.text import chinese_date, paragraphs
from workflow.documents.titles import title_lines
from workflow.errors import ServiceError
from workflow.excel.exporter import local_date
from workflow.selfeval import content, department, outline
from workflow.targets import services as target_changes

LOGGER = logging.getLogger(__name__)

ANNEX_NAME = "绩效评价指标评分表"
ANNEX_CITATION = "（见附表）"


def _value(number, text, unit):
    if text:
        return text
    if number is None:
        return ""
    return f"{number}{unit or ''}"


def report_data(evaluation, draft=False, serialized=None, issued_at=None):
    """Plain data for templates/documents/report.html, in the documents' language.

    ``serialized``: the content as content.serialize() gives it (an approval snapshot's
    data), else the evaluation's content now. ``issued_at``: the moment whose day is the
    成文日期 (the approval's), else now."""
    with document_language():
        return _report_data(evaluation, draft, serialized, issued_at)


def printed_sections(report_sections, narrative):
    """The outline's sections the report prints, in order, numbered from what is printed:
    [{key, headings: [{level, text}], paragraphs}]. An optional section left empty is left
    out, heading and all; a chapter whose every section is left out goes with them."""
    ordered = sorted(report_sections, key=lambda s: (s.sort_order, s.id or 0))
    printed = [item for item in ordered if paragraphs(narrative.get(item.key, "")) or item.required]
    sections = []
    for item, headings in outline.number(printed):
        texts = outline.number_items(paragraphs(narrative.get(item.key, "")))
        if item.cites_annex and texts and not any(ANNEX_CITATION in text for text in texts):
            texts[-1] += ANNEX_CITATION
        sections.append({
            "key": item.key,
            "headings": [{"level": heading.level, "text": heading.text} for heading in headings],
            "paragraphs": texts,
        })
    return sections


def indicator_rows(data):
    """The 附表's rows of a serialisation and the total of their 分值."""
    rows = [
        {
            "level1": ind["level1"], "level2": ind["level2"], "name": ind["name"],
            "weight": ind["weight"] or "",
            "target": _value(ind["target"], ind["target_text"], ind["unit"]),
            "actual": _value(ind["actual"], ind["actual_text"], ind["unit"]),
            "score": ind["score"] if ind["applicable"] else "不适用",
        }
        for ind in data["indicators"]
    ]
    return rows, sum((Decimal(ind["weight"]) for ind in data["indicators"] if ind["weight"]), Decimal(0))


# The outline's section that states the targets (（二）项目绩效目标, selfeval/framework.py): the 目标调整情况
# follows it; without it, the report's last section.
TARGETS_SECTION = "goals"


def _targets_section(sections):
    keys = [s["key"] for s in sections]
    return TARGETS_SECTION if TARGETS_SECTION in keys else (keys[-1] if keys else None)


def closing_and_annex(data, annex, issuer, issued_at, draft):
    """What a report of a serialisation ends with, the project's and the department's alike:
    the attachment note, the 署名 and date (the day of ``issued_at``, the office's calendar),
    and the 附表 (``annex`` its title) with the indicators, their total and the grade."""
    indicators, total_weight = indicator_rows(data)
    grade = data["grade"]
    return {
        "annex_name": annex,
        "annex_title_lines": title_lines(annex),
        "attachments": [annex],
        "issuer": issuer,
        "date_text": chinese_date(date.fromisoformat(local_date(issued_at or clock.now()))),
        "indicators": indicators,
        "total_weight": numbers.plain(total_weight),
        "total_score": data["total_score"] or "",
        "grade": grade or "",
        "grade_label": str(scoring.GRADE_LABELS[grade]) if grade in scoring.GRADE_LABELS else "",
        "draft": bool(draft),
    }


def _report_data(evaluation, draft, serialized, issued_at):
    if department.is_department(evaluation):
        from workflow.documents import department_report
        return department_report.report_data(evaluation, draft, serialized, issued_at)
    data = serialized if serialized is not None else content.serialize(evaluation)
    project = data["project"]
    plan = evaluation.project.plan
    narrative = dict(data["narrative"])
    if outline.PREAMBLE not in narrative:   # never opened since the outline gained it
        narrative[outline.PREAMBLE] = content.default_preamble(evaluation)
    sections = printed_sections(plan.report_sections, narrative)
    preamble = [s for s in sections if s["key"] == outline.PREAMBLE]
    sections = [s for s in sections if s["key"] != outline.PREAMBLE]
    annex = f"{project['name']}{ANNEX_NAME}"
    return {
        "organisation": plan.organisation,
        "title": f"{project['name']}绩效评价报告",
        # The organisation's line above the title as the seed has it, then the title broken
        # between words.
        "title_lines": ([plan.organisation] if plan.organisation else []) + title_lines(f"{project['name']}绩效评价报告"),
        "project_name": project["name"],
        "section_name": project["section"],
        "budget_year": project["budget_year"],
        "preamble": preamble[0]["paragraphs"] if preamble else [],
        "sections": sections,
        # 署名 is the department's (the report goes out in its name), dated the approval's day.
        **closing_and_annex(data, annex, plan.organisation or project["section"], issued_at, draft),
        # 目标调整情况: the decided 目标调整 requests (workflow/targets/), when the plan's targets
        # are approved by the office or any change was asked for.
        "targets_approved": bool(plan.targets_approval),
        "targets_section": _targets_section(sections),
        "target_changes": target_changes.report_rows(evaluation),
    }


def download_name(evaluation, frozen):
    """The report's file name (without extension): the project's, or the department's own
    report title; a draft says so."""
    project = evaluation.project
    if department.is_department(evaluation):
        name = f"{project.plan.organisation}{project.budget_year}年度部门整体支出绩效自评报告"
    else:
        name = f"{project.name}绩效评价报告"
    return name if frozen else f"{name}（草稿）"


def render_report(evaluation, draft=False, serialized=None, issued_at=None):
    """PDF bytes of the evaluation's report (report_data() says what the arguments are)."""
    data = report_data(evaluation, draft, serialized, issued_at)
    return render(data.get("template", "report.html"), data)


def render_frozen_report(evaluation, **render_args):
    """The report as approval freezes it: rendered without the watermark (``render_args`` go
    to render_report) and signed by the department (signing.sign). The one place both
    approval and the package's catch-up use."""
    from workflow.documents import signing
    department = evaluation.project.plan.organisation
    pdf = render_report(evaluation, draft=False, **render_args)
    try:
        return signing.sign(pdf, department=department or None)
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
