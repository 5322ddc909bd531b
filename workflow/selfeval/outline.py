"""The numbers of a report's outline: chapters 一、二、…, parts （一）（二）… restarting in each
chapter, and items 1. 2. inside a part's text, all computed from the sections actually
printed. Nothing numbered is ever typed into the outline: an optional section left empty
drops out of the report and the rest close up, so the numbering has no gap and no repeat.

An outline is a list of sections in order (PlanReportSection rows or anything with ``key``,
``chapter`` and ``title``): consecutive sections with the same chapter form that chapter; a
section with a title is one of its parts; a section without a title is the chapter's own
text; a section without a chapter (the preamble) stands before the chapters, unheaded.
"""
import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

PREAMBLE = "preamble"
PREAMBLE_LABEL = _l("开头段落")

_DIGITS = "零一二三四五六七八九"
# A paragraph that starts an item: "1." "2、" "3．" (not "1.5万元", not "2019年").
_ITEM = re.compile(r"^\s*\d{1,2}\s*[.．、](?!\d)\s*")


def chinese_number(number):
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (1 to 99)."""
    tens, ones = divmod(number, 10)
    if not 0 < number < 100:
        return str(number)
    text = ("" if tens == 1 else _DIGITS[tens]) + "十" if tens else ""
    return text + (_DIGITS[ones] if ones else "")


@dataclass(frozen=True)
class Heading:
    level: int   # 1: 一、 (黑体), 2: （一） (楷体)
    text: str


def number(sections):
    """[(section, [Heading])] for ``sections`` in order: the chapter's heading on the first
    section of each chapter, a part heading on each section with a title. Only the sections
    given count, so pass the ones printed."""
    numbered = []
    chapters = parts = 0
    current = None
    for section in sections:
        headings = []
        chapter = (section.chapter or "").strip()
        title = (section.title or "").strip()
        if chapter and chapter != current:
            chapters += 1
            parts = 0
            headings.append(Heading(1, f"{chinese_number(chapters)}、{chapter}"))
        current = chapter
        if title and chapter:
            parts += 1
            headings.append(Heading(2, f"（{chinese_number(parts)}）{title}"))
        elif title:
            headings.append(Heading(2, title))
        numbered.append((section, headings))
    return numbered


def labels(sections):
    """{key: the section's name on screens}: its headings in the whole outline, as in
    "一、基本情况（一）项目概况" and "（二）项目绩效目标"; the chapter's heading for a chapter's
    own text further down; 开头段落 for the preamble."""
    names = {}
    chapter_heading = {}
    for section, headings in number(sections):
        for heading in headings:
            if heading.level == 1:
                chapter_heading[section.chapter] = heading.text
        text = "".join(heading.text for heading in headings)
        names[section.key] = text or chapter_heading.get(section.chapter) or str(PREAMBLE_LABEL)
    return names


def number_items(paragraphs):
    """The paragraphs of one part with its items numbered 1. 2. … in order, whatever numbers
    (or 、 instead of .) the writer typed."""
    numbered = []
    count = 0
    for paragraph in paragraphs:
        if _ITEM.match(paragraph):
            count += 1
            paragraph = _ITEM.sub(f"{count}.", paragraph, count=1)
        numbered.append(paragraph)
    return numbered


def preamble_text(organisation, project_name, basis_documents):
    """The report's opening paragraph as the seed writes it: the basis it answers, its
    purpose, what was evaluated. The basis cited is the plan's documents that name the
    evaluation plan (计划), else all of them."""
    documents = [doc.strip() for doc in basis_documents or () if doc and doc.strip()]
    cited = [doc for doc in documents if "计划" in doc] or documents
    we = "我局" if (organisation or "").endswith("局") else "我单位"
    basis = f"根据{'、'.join(cited)}，" if cited else ""
    return (f"{basis}为进一步规范项目支出管理，不断强化预算绩效理念，切实提高资金使用效益，"
            f"{we}对{project_name}支出资金使用情况进行了绩效自评，形成本评价报告。")
