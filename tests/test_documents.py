"""Official-style PDFs: the seed project's report, its fonts and page, and the safety of
rendering user text (escaping, no local files, no network)."""
import io
import re

import pytest
from pypdf import PdfReader

from tests import factories
from tests.pdf_checks import (assert_every_glyph_drawn, assert_official_page, drawn_characters, font_names, pdffonts,
                              plain, prepared_fonts, squeeze, text_of)  # noqa: F401  (prepared_fonts: session fixture)
from workflow.documents import render, reports
from workflow.documents.safety import SafeURLFetcher
from workflow.extensions import db

# These tests read reports WeasyPrint rendered (tests/conftest.py report_rendering).
pytestmark = pytest.mark.documents

PROJECT = "2019年度金属非金属矿山“专家会诊”隐患排查项目"


@pytest.fixture
def mine():
    org, plan = factories.make_setup()
    return factories.make_seed_mine(org, plan)


def test_seed_report_carries_the_seed_figures(mine):
    pdf = reports.render_report(mine)
    text = squeeze(text_of(pdf))
    for expected in (PROJECT, "206.632", "172.743", "99.7", "优", "一、基本情况", "（一）项目概况", "附表",
                     "部分矿山停产，出现资金剩余"):
        assert squeeze(expected) in text, expected
    assert "草稿" not in text


def test_report_data_is_plain_and_follows_the_outline(mine):
    data = reports.report_data(mine)
    assert data["total_score"] == "99.7" and data["grade_label"] == "优"
    assert plain(data)
    headings = [h["text"] for s in data["sections"] for h in s["headings"]]
    assert headings[:3] == ["一、基本情况", "（一）项目概况", "（二）项目绩效目标"]
    assert headings[-1] == "（三）下一步改进措施"


def test_draft_report_is_watermarked(mine):
    assert "草稿" in text_of(reports.render_report(mine, draft=True))


def test_page_is_a4_and_numbered_like_an_official_document(mine):
    pdf = reports.render_report(mine)
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 3
    assert_official_page(pdf)


def test_every_font_is_embedded_and_subset(mine):
    names = font_names(reports.render_report(mine))
    assert names
    assert all(embedded for _name, embedded in names), names
    assert all(re.match(r"^/[A-Z]{6}\+", name) for name, _ in names), names
    # The prepared fonts do the work, not the slow full CFF fonts.
    assert any("JXPJ" in name for name, _ in names), names


def test_the_body_is_fangsong_and_the_title_a_heavy_serif(mine):
    """GB/T 9704's faces: the body in 仿宋 (its figures in a Times-like serif), the title in
    the 小标宋 role, 黑体 headings."""
    data = reports.report_data(mine)
    pdf = reports.render_report(mine)
    listed = {row["name"].split("+")[-1]: row for row in pdffonts(pdf)}
    assert listed["JXPJ-Fangsong"]["embedded"] and listed["JXPJ-Title"]["embedded"], listed
    # No rare character here, so the old body face (the full Noto Serif, a 宋体) is not used at all.
    assert not any("Noto-Serif" in name for name in listed), listed
    drawn = drawn_characters(pdf)
    assert all(any("JXPJ-Fangsong" in name for name in drawn[char]) for char in "部分矿山停产，出现资金剩余")
    # Figures in a Times-like serif (Liberation Serif), as official documents set them; the
    # full-width punctuation and the quotes “” stay the 仿宋's.
    assert all(any("JXPJ-Latin" in name for name in drawn[char]) for char in "2017.4")
    assert not any("JXPJ-Latin" in name for char in "，。“”（）" for name in drawn.get(char, ()))
    assert all(any("JXPJ-Title" in name for name in drawn[char]) for char in data["title"])
    assert any("JXPJ-Sans" in name for name in drawn["基"])   # 一、基本情况: a 黑体 heading


def test_rare_characters_are_drawn_and_read_back(mine):
    """Characters outside GB2312 (堃 in a name) are not in the prepared font: the full Noto
    Serif behind it draws them; those of CJK Extension B (𠀀 U+20000, 𪚥 U+2A6A5) no Noto font
    has: HanaMinA/B at the end of every stack draw them. None is a .notdef box, and the PDF's
    text reads back whole, theirs and the rest of the body's."""
    for section in mine.narrative:
        if section.key == "management":
            section.text = "负责人王堃、𠀀𪚥字测试。"
    db.session.commit()
    pdf = reports.render_report(mine)
    text = squeeze(text_of(pdf))
    assert "负责人王堃、𠀀𪚥字测试。" in text
    assert squeeze("部分矿山停产，出现资金剩余") in text and PROJECT in text
    assert "\ufffd" not in text
    assert_every_glyph_drawn(pdf)
    drawn = drawn_characters(pdf)
    assert drawn["堃"] and not any("JXPJ" in name for name in drawn["堃"]), drawn["堃"]
    assert all(name.split("+")[-1].startswith("HanaMin") for char in "𠀀𪚥" for name in drawn[char]), drawn
    assert any("JXPJ-Fangsong" in name for name in drawn["王"])


def test_user_text_is_escaped(mine):
    evil = '<script>alert(1)</script><b>粗体</b>'
    for section in mine.narrative:
        if section.key == "overview":
            section.text = evil
    db.session.commit()
    html = render.render_html("report.html", reports.report_data(mine))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    text = squeeze(text_of(reports.render_report(mine)))
    assert squeeze(evil) in text


def test_fetcher_refuses_local_files_and_network_planted_in_user_text(mine):
    # Hostile references a user might type into the narrative; the app never loads them (that
    # is what this test proves), and no page of the app refers to the network.
    planted = ('<img src="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png">'
               '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">')
    data = reports.report_data(mine)
    # Escaped, the text cannot become markup; render it also unescaped to prove the fetcher
    # itself refuses, whatever a future template might let through.
    data["sections"][0]["paragraphs"] = [planted]
    fetcher = SafeURLFetcher()
    pdf = render.render("report.html", data, fetcher=fetcher)
    assert pdf.startswith(b"%PDF-") and fetcher.refused == []   # escaped: nothing was asked
    assert "file:///etc/passwd" in squeeze(text_of(pdf))

    unsafe = render._environment.from_string(
        '<link rel="stylesheet" href="base.css"><p>前文</p>' + planted + "<p>后文</p>")
    fetcher = SafeURLFetcher()
    from weasyprint import HTML

    pdf = HTML(string=unsafe.render(), base_url=render.TEMPLATE_DIR.as_uri() + "/",
               url_fetcher=fetcher).write_pdf()
    assert pdf.startswith(b"%PDF-") and "后文" in text_of(pdf)
    assert "file:///etc/passwd" in fetcher.refused
    assert any(url.startswith("http://127.0.0.1") for url in fetcher.refused)
    assert any(path.endswith("base.css") for path in fetcher.fetched)   # its own assets still load


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "file:///work/../etc/passwd", "http://127.0.0.1/", "https://example.com/a.css",
    "ftp://127.0.0.1/x", "file://evil.example/etc/passwd",
])
def test_fetcher_refuses(url):
    fetcher = SafeURLFetcher()
    with pytest.raises(ValueError):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_fetcher_refuses_climbing_out_of_the_asset_folder():
    fetcher = SafeURLFetcher()
    url = render.TEMPLATE_DIR.as_uri() + "/../../config.py"
    with pytest.raises(ValueError):
        fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,ok").read() == b"ok"
    assert fetcher.fetch(render.TEMPLATE_DIR.as_uri() + "/base.css").read().startswith(b"/*")


def test_report_is_chinese_whatever_the_readers_language(mine):
    """A report frozen at approval must not depend on the approver's screen language."""
    from flask_babel import force_locale

    with force_locale("en"):
        data = reports.report_data(mine)
    assert data["grade_label"] == "优"
