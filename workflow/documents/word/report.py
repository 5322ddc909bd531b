"""The self-evaluation report (绩效评价报告) as an editable Word file, from report_data(): the
same title, headings, paragraphs and 附表 (the scoring table) as the PDF.

An approved report's Word file is built from the approval snapshot, so it says what was
approved even if the live rows changed since, and it says on every page that it is a copy:
the PDF frozen at approval, with its SHA-256, stays the record. Before approval it says 草稿.
"""
from dataclasses import dataclass

from workflow.documents.reports import report_data
from workflow.documents.word.page import Cell, OfficialDocument

DRAFT_HEADER = "草稿　未经审批，不作正式文本使用"
COPY_HEADER = "可编辑副本　正式文本以系统存档的定稿PDF为准"

# The 附表's columns and their widths (per cent of the text block), as in report.html.
COLUMNS = ("一级指标", "二级指标", "三级指标", "分值", "年度指标值", "实际完成值", "得分")
WIDTHS = (9, 13, 24, 7, 17, 21, 9)
# 目标调整情况 (workflow/targets/), as in report.html.
CHANGE_COLUMNS = ("指标", "原目标", "调整后目标", "调整原因", "申请", "审核结果")
CHANGE_WIDTHS = (18, 15, 15, 26, 13, 13)


@dataclass(frozen=True)
class FrozenCopy:
    """What the copy says of the record it copies: the day of approval and the frozen PDF's
    SHA-256."""
    approved_on: str
    pdf_sha256: str


def copy_notice(copy):
    """The lines that say what the file is: a copy, and which record it copies."""
    return [f"本文件为{copy.approved_on}审批定稿的绩效评价报告的可编辑副本，仅供修改文字之用，不作为报送文本；"
            "正式文本以系统存档的定稿PDF为准。",
            f"定稿PDF的SHA-256：{copy.pdf_sha256}"]


def section_tables(data, key):
    """The tables a section of the department report carries (documents/department_report.py):
    the main tasks after "tasks", the budget after "budget"; a project report's carry none."""
    if key == "tasks" and data.get("tasks"):
        rows = [["序号", "主要任务", "支撑项目", "完成情况"]]
        rows += [[str(t["number"]), Cell(t["name"], align="left"), Cell(t["projects"], align="left"),
                  Cell(t["achievement"], align="left")] for t in data["tasks"]]
        return [((7, 28, 30, 35), rows)]
    if key == "budget" and data.get("budget"):
        rows = [["项目（万元）", "年初预算数", "全年预算数", "全年执行数", "执行率"]]
        rows += [[r["label"], r["initial"], r["annual"], r["executed"], r["rate"]] for r in data["budget"]]
        return [((20, 20, 20, 20, 20), rows)]
    return []


def _target_changes(document, data):
    """目标调整情况, as in report.html: after the section that states the targets."""
    if data.get("target_changes"):
        document.paragraphs(["本项目年度内绩效目标调整情况如下："])
        document.table(CHANGE_WIDTHS, [list(CHANGE_COLUMNS)] + [
            [Cell(row[key], align="left") for key in ("name", "old", "new", "reason", "requested", "decision")]
            for row in data["target_changes"]])
    elif data.get("targets_approved"):
        document.paragraphs(["本项目绩效目标经评价工作办公室审核批复，年度内未作调整。"])


def build_report(data, copy=None):
    """.docx bytes of the report in ``data`` (report_data()'s shape); ``copy`` (a
    FrozenCopy) marks it as the editable copy of an approved report."""
    header = COPY_HEADER if copy else (DRAFT_HEADER if data.get("draft") else None)
    document = OfficialDocument(data["title"], header=header, comments="\n".join(copy_notice(copy)) if copy else "")
    document.title(data["title_lines"])
    if copy:
        document.note(copy_notice(copy))
    document.paragraphs(data["preamble"])
    for section in data["sections"]:
        for heading in section["headings"]:
            document.heading(heading["level"], heading["text"])
        document.paragraphs(section["paragraphs"])
        for widths, rows in section_tables(data, section["key"]):
            document.table(widths, rows)
        if section["key"] == data.get("targets_section"):
            _target_changes(document, data)
    document.attachment_note(data["attachments"], label="附表")
    document.signoff(data["issuer"], data["date_text"])

    document.annex("附表")
    document.title(data["annex_title_lines"])
    rows = [list(COLUMNS)]
    rows += [[row["level1"], row["level2"], Cell(row["name"], align="left"), row["weight"], Cell(row["target"], align="left"),
              Cell(row["actual"], align="left"), row["score"]] for row in data["indicators"]]
    rows.append([Cell("合计", span=3), data["total_weight"], Cell(f"评价等级：{data['grade_label']}", span=2),
                 data["total_score"]])
    document.table(WIDTHS, rows)
    return document.to_bytes()


def report_docx_for_download(evaluation):
    """(.docx bytes, is the approved copy), as report_for_download() decides for the PDF: once
    approved, built from the approval snapshot and marked as the copy of the frozen PDF;
    before, a draft of the live content."""
    from workflow.documents.submission_summary import issued_on
    from workflow.engine.definition import state_def
    from workflow.selfeval.services import last_snapshot

    if state_def(evaluation.state).frozen:
        snapshot = last_snapshot(evaluation, "approval")
        if snapshot is not None and snapshot.pdf_sha256 is not None:
            data = report_data(evaluation, serialized=snapshot.data, issued_at=snapshot.created_at)
            return build_report(data, FrozenCopy(issued_on(snapshot.created_at), snapshot.pdf_sha256)), True
    return build_report(report_data(evaluation, draft=True)), False
