"""Report numbering computed from what is printed: chapters 一、二、…, parts （一）… restarting
in each chapter, items 1. 2. — for every combination of empty optional sections."""
import io
import itertools
import re
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

from tests import factories
from tests.conftest import truncate_all
from tests.pdf_checks import prepared_fonts, squeeze, text_of  # noqa: F401  (prepared_fonts: session fixture)
from workflow import demo, demo_content
from workflow.documents import reports
from workflow.extensions import db
from workflow.selfeval import content, framework, outline
from workflow.selfeval.services import completeness_problems

PROJECT = "2019年度金属非金属矿山“专家会诊”隐患排查项目"
CHINESE = "一二三四五六七八九十"
OPTIONAL = [key for key, _c, _t, _h, required, _a in framework.DEFAULT_OUTLINE if not required]


def default_sections():
    return [SimpleNamespace(key=key, chapter=chapter, title=title, required=required, cites_annex=annex,
                            sort_order=index, id=index)
            for index, (key, chapter, title, _hint, required, annex) in enumerate(framework.DEFAULT_OUTLINE)]


def test_chinese_numbers():
    assert [outline.chinese_number(n) for n in (1, 9, 10, 11, 19, 20, 21, 35, 99)] == [
        "一", "九", "十", "十一", "十九", "二十", "二十一", "三十五", "九十九"]


def test_labels_of_the_whole_outline():
    names = outline.labels(default_sections())
    assert names["overview"] == "一、基本情况（一）项目概况"
    assert names["goals"] == "（二）项目绩效目标"
    assert names["conclusion"] == "三、综合评价情况及评价结论"
    assert names["problems"] == "（二）存在的问题"
    assert names[outline.PREAMBLE] == "开头段落"


def test_items_are_renumbered_in_order():
    assert outline.number_items(["1、甲。", "乙", "3.丙", "5．丁", "1.5万元已拨付。", "2019年完成。"]) == [
        "1.甲。", "乙", "2.丙", "3.丁", "1.5万元已拨付。", "2019年完成。"]


def _sequence_ok(headings):
    """Chapters 一、二、… without gap or repeat; parts （一）（二）… from （一） in each chapter."""
    chapters, parts = 0, 0
    for heading in headings:
        chapter = re.match(r"^([一二三四五六七八九十]+)、", heading)
        part = re.match(r"^（([一二三四五六七八九十]+)）", heading)
        if chapter:
            chapters += 1
            parts = 0
            assert chapter.group(1) == CHINESE[chapters - 1], headings
        elif part:
            parts += 1
            assert chapters and part.group(1) == CHINESE[parts - 1], headings


@pytest.mark.parametrize("empty", [combo for size in range(len(OPTIONAL) + 1)
                                   for combo in itertools.combinations(OPTIONAL, size)])
def test_every_combination_of_empty_optional_sections_numbers_without_gap(empty):
    narrative = {key: "" if key in empty else f"{key}的内容。" for key, *_rest in framework.DEFAULT_OUTLINE}
    sections = reports.printed_sections(default_sections(), narrative)
    assert [s["key"] for s in sections] == [key for key, *_r in framework.DEFAULT_OUTLINE if key not in empty]
    headings = [h["text"] for s in sections for h in s["headings"]]
    _sequence_ok(headings)
    # Every chapter with a printed section is headed exactly once.
    printed_chapters = list(dict.fromkeys(c for key, c, *_r in framework.DEFAULT_OUTLINE if c and key not in empty))
    chapter_headings = [h for h in headings if re.match(r"^[一二三四五六七八九十]+、", h)]
    assert [re.sub(r"^[一二三四五六七八九十]+、", "", h) for h in chapter_headings] == printed_chapters


@pytest.fixture(scope="module")
def mine_pdfs(app):
    """The seed report rendered with every optional section written and with all of them
    empty (rendered once for the module; its rows are removed again)."""
    with app.app_context():
        org, plan = factories.make_setup()
        demo_content.adjust_plan_framework(plan)
        plan.basis_documents = demo.BASIS_DOCUMENTS
        project = factories.make_project(plan, PROJECT, org.section_a, org.office)
        evaluation = project.evaluation
        demo_content.fill_mine_project(evaluation)
        full = reports.render_report(evaluation)
        data = reports.report_data(evaluation)
        for section in evaluation.narrative:
            if section.key in OPTIONAL:
                section.text = ""
        db.session.commit()
        sparse = reports.render_report(evaluation)
        result = SimpleNamespace(full=full, sparse=sparse, data=data, organisation=plan.organisation)
        db.session.remove()
        truncate_all()
    return result


def _pdf_headings(pdf):
    lines = [squeeze(line) for page in PdfReader(io.BytesIO(pdf)).pages for line in page.extract_text().splitlines()]
    return [line for line in lines if re.match(r"^([一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)", line)]


def test_printed_report_numbers_read_back_without_gap_or_repeat(mine_pdfs):
    full, sparse = mine_pdfs.full, mine_pdfs.sparse
    for pdf in (full, sparse):
        headings = _pdf_headings(pdf)
        assert headings
        _sequence_ok(headings)
    # The purpose section (its chapter's first) and the experience one are empty: their
    # chapters still head what is left of them.
    assert _pdf_headings(sparse) == [
        "一、基本情况", "（一）项目概况", "（二）项目绩效目标",
        "二、绩效评价工作开展情况", "（一）项目资金实际使用等情况",
        "三、综合评价情况及评价结论",
        "四、主要工作经验、问题和建议", "（一）存在的问题", "（二）下一步改进措施"]


def test_the_report_is_the_bureaus_document(mine_pdfs):
    """Organisation above the title, the preamble from the plan's basis, （见附表） and the
    附件说明, the department's 署名 with the 成文日期."""
    text = squeeze(text_of(mine_pdfs.full))
    organisation = mine_pdfs.organisation
    assert organisation and text.startswith(squeeze(organisation + PROJECT + "绩效评价报告"))
    assert "根据《承德市财政局关于印发2020年市级预算绩效部门重点评价的计划通知》（承财评价〔2020〕6号）" in text
    assert f"我局对{PROJECT}支出资金使用情况进行了绩效自评，形成本评价报告。" in text
    assert "（见附表）" in text
    assert f"附表：{PROJECT}绩效评价指标评分表" in text
    data = mine_pdfs.data
    assert data["issuer"] == organisation and re.fullmatch(r"20\d\d年\d{1,2}月\d{1,2}日", data["date_text"])
    assert squeeze(data["issuer"] + data["date_text"]) in text


def test_preamble_is_prefilled_once_and_then_the_writers(app):
    org, plan = factories.make_setup()
    project = factories.make_project(plan, "培训项目", org.section_a, org.office)
    evaluation = project.evaluation
    content.ensure_content(evaluation)
    texts = {s.key: s.text for s in evaluation.narrative}
    assert texts[outline.PREAMBLE] == content.default_preamble(evaluation)
    assert "培训项目支出资金使用情况" in texts[outline.PREAMBLE]
    for section in evaluation.narrative:
        if section.key == outline.PREAMBLE:
            section.text = ""
    assert content.ensure_content(evaluation) is False
    assert reports.report_data(evaluation)["preamble"] == []


def test_a_required_section_cannot_be_empty_at_submission(app):
    org, plan = factories.make_setup()
    project = factories.make_project(plan, "检查项目", org.section_a, org.office)
    evaluation = project.evaluation
    content.ensure_content(evaluation)
    problems = completeness_problems(evaluation)
    assert "请填写报告的“（二）存在的问题”部分。" in problems
    assert not any("开头段落" in problem for problem in problems)
