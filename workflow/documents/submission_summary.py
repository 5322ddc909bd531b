"""The submission to the finance bureau (报送) as an official-style PDF: a covering report to
市财政局 with the batch's figures, and as its attachment the table of the evaluated projects
(section, 全年预算数, 全年执行数, 执行率, 得分, 评价等级) with the totals.

The figures are the summary rows of workflow/submissions/services.py, built from the frozen
approval snapshots, so the paper says what was approved. summary_data() gives the template
plain data; render_summary() renders it. The document is in Chinese whatever language the
person downloading it reads the screens in.
"""
from collections import Counter
from datetime import date
from decimal import Decimal


from workflow import numbers, scoring
from workflow.documents.render import document_language, render
from workflow.documents.text import chinese_date
from workflow.documents.titles import title_lines
from workflow.excel.exporter import local_date
from workflow.submissions import services

GRADE_ORDER = ("excellent", "good", "fair", "poor")



def amount_text(value):
    """万元 as the table prints it: exact (up to the four places stored), at least two
    decimals: 206.632, 100.00."""
    if value is None:
        return "—"
    value = Decimal(value).quantize(scoring.AMOUNT_QUANTUM)
    text = numbers.plain(value)
    whole, _dot, decimals = text.partition(".")
    return f"{whole}.{decimals.ljust(2, '0')}"


def rate_text(rate):
    return "—" if rate is None else f"{(Decimal(rate) * 100).quantize(Decimal('0.01'))}%"


def score_text(score):
    return "—" if score is None else str(Decimal(score).quantize(scoring.SCORE_QUANTUM))


def issued_on(moment):
    """2020年9月1日, the office's calendar day of ``moment``."""
    return chinese_date(date.fromisoformat(local_date(moment))) if moment is not None else ""


def grade_counts(rows):
    """"优3个、良1个" for the grades present, best first."""
    with document_language():
        counts = Counter(row.grade for row in rows if row.grade)
        return "、".join(f"{scoring.GRADE_LABELS[code]}{counts[code]}个" for code in GRADE_ORDER if counts[code])


def summary_data(submission, rows=None):
    """Plain data for templates/documents/submission_summary.html."""
    rows = services.rows_of(submission) if rows is None else rows
    budget, executed, rate = services.totals(rows)
    plan = submission.plan
    title = f"关于报送{plan.budget_year}年度预算项目绩效评价结果的报告"
    with document_language():
        table = [
            {"number": number, "project": row.project, "section": row.section,
             "budget": amount_text(row.budget), "executed": amount_text(row.executed),
             "rate": rate_text(row.rate), "score": score_text(row.score),
             "grade": str(row.grade_label) if row.grade else "—"}
            for number, row in enumerate(rows, start=1)
        ]
    table_title = f"{submission.title}项目绩效评价结果汇总表"
    return {
        # A report up to 市财政局 (上行文): its 发文字号 and 签发人 on one line above the title.
        "document_number": submission.document_number or "",
        "signer": submission.signer or "",
        "title": title,
        "title_lines": title_lines(title),
        "organisation": plan.organisation,
        "batch": submission.title,
        "budget_year": plan.budget_year,
        "count": len(rows),
        "budget": amount_text(budget),
        "executed": amount_text(executed),
        "rate": rate_text(rate),
        "grades": grade_counts(rows),
        "note": [line.strip() for line in (submission.note or "").splitlines() if line.strip()],
        "date": issued_on(submission.created_at),
        # The PDF's own creation date: the submission's, never the moment of the download,
        # so that the same submission is the same file (the package's bytes depend on it).
        "created": submission.created_at.isoformat(timespec="seconds"),
        "attachments": [table_title],
        "table_title": table_title,
        "rows": table,
    }


def render_summary(submission, rows=None):
    """PDF bytes of the submission's covering report and summary table."""
    return render("submission_summary.html", summary_data(submission, rows))


def summary_filename(submission):
    return f"{submission.title}-报送汇总表"
