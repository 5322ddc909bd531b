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
from workflow.documents.render import document_language, render_kept
from workflow.documents.text import chinese_date
from workflow.documents.titles import title_lines
from workflow.excel.exporter import local_date
from workflow.submissions import services

GRADE_ORDER = scoring.GRADES  # 优, 良, 中, 差



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
    return numbers.percent_text(rate)


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
    rows = services.project_rows(services.rows_of(submission) if rows is None else rows)
    budget, executed, rate = services.totals(rows)
    plan = submission.plan
    title = f"关于报送{plan.budget_year}年度预算项目绩效评价结果的报告"
    with document_language():
        table = [
            {"number": number, "project": row.project, "section": row.section,
             "budget": amount_text(row.budget), "executed": amount_text(row.executed),
             "rate": rate_text(row.rate), "score": score_text(row.score),
             "grade": str(row.grade_label) if row.grade else "—", "advice": row.advice.text if row.advice else "—"}
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
    """PDF bytes of the submission's covering report and summary table, with its charts."""
    rows = services.project_rows(services.rows_of(submission) if rows is None else rows)
    data = summary_data(submission, rows)
    data["charts"] = summary_charts(submission, rows)
    return render_kept("submission_summary.html", data)


# The charts (the overview page's, drawn as SVG on the server: workflow/documents/charts.py) --

YEARS_PROJECTS = 8  # lines a chart of the years can show legibly


def earlier_rows(submission):
    """The summary rows of the batches reported for earlier budget years before this one:
    frozen like this batch's, so the document stays the same file at every download."""
    from sqlalchemy import select

    from workflow.extensions import db
    from workflow.models import Plan, Submission

    earlier = db.session.scalars(
        select(Submission).join(Plan, Plan.id == Submission.plan_id)
        .where(Plan.budget_year < submission.plan.budget_year, Submission.created_at <= submission.created_at)
        .order_by(Plan.budget_year, Submission.created_at, Submission.id)
    ).all()
    return [(batch.plan.budget_year, row) for batch in earlier for row in services.project_rows(services.rows_of(batch))]


def chart_numbers(submission, rows):
    """What the charts show: the rate per section (in the table's order), the grades, and the
    first projects' scores and rates over the budget years (matched by the project's name)."""
    sections = {}
    for row in rows:
        if row.budget is not None and row.executed is not None:
            budget, executed = sections.get(row.section, (Decimal(0), Decimal(0)))
            sections[row.section] = (budget + row.budget, executed + row.executed)
    execution = [(name, numbers.percent(scoring.execution_rate(budget, executed)) if budget else None)
                 for name, (budget, executed) in sections.items()]
    _budget, _executed, total_rate = services.totals(rows)
    counts = Counter(row.grade for row in rows if row.grade)
    grades = [(code, counts[code]) for code in GRADE_ORDER]
    shown = rows[:YEARS_PROJECTS]
    history = {}
    for year, row in earlier_rows(submission):
        history.setdefault(row.project, {})[year] = row
    this_year = submission.plan.budget_year
    for row in shown:
        history.setdefault(row.project, {})[this_year] = row
    years = sorted({year for row in shown for year in history[row.project]})
    projects = [(row.project, [history[row.project].get(year) for year in years]) for row in shown]
    return {"execution": execution, "total_rate": numbers.percent(total_rate), "grades": grades, "years": years,
            "scores": [(name, [r.score if r else None for r in by_year]) for name, by_year in projects],
            "rates": [(name, [numbers.percent(r.rate) if r else None for r in by_year]) for name, by_year in projects],
            "more": len(rows) > YEARS_PROJECTS}


def summary_charts(submission, rows):
    """The charts as SVG (markup for the template), in the documents' body font."""
    from markupsafe import Markup

    from workflow.documents import charts
    from workflow.documents.fonts import font_stacks

    numbers = chart_numbers(submission, rows)
    font = font_stacks()["body"]
    with document_language():
        grade_rows = [(str(scoring.GRADE_LABELS[code]), n) for code, n in numbers["grades"]]
    return {
        "execution": Markup(charts.horizontal_bars("各科室预算执行率", numbers["execution"], "%",
                                                   reference=numbers["total_rate"], font_family=font)),
        "grades": Markup(charts.vertical_bars("评价等级分布", grade_rows, font_family=font,
                                              colours=[charts.GRADE_COLOURS[c] for c, _n in numbers["grades"]])),
        "scores": Markup(charts.lines("各项目历年得分", [str(y) for y in numbers["years"]], numbers["scores"],
                                      font_family=font)),
        "rates": Markup(charts.lines("各项目历年预算执行率", [str(y) for y in numbers["years"]], numbers["rates"],
                                     "%", font_family=font)),
        "more": numbers["more"],
        "shown": YEARS_PROJECTS,
    }


def summary_filename(submission):
    return f"{submission.title}-报送汇总表"
