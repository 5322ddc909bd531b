"""The office's own fonts: a font dropped into the office folder takes its role by its family
name (whatever the file is called), and the PDF then embeds it; an explicit stack setting
overrides it; a file that is not a font is passed over."""
import shutil

import pytest
from fontTools.ttLib import TTFont

from tests.pdf_checks import baselines, drawn_characters, pdffonts, prepared_fonts, squeeze, text_of  # noqa: F401  (session fixture)
from tests.test_documents import mine  # noqa: F401  (fixture)
from workflow import demo_content
from workflow.documents import fonts, office_fonts, render, reports
from workflow.extensions import db
from workflow.documents.office_fonts import OfficeFont

# These tests read reports WeasyPrint rendered (tests/conftest.py report_rendering).
pytestmark = pytest.mark.documents

BODY_TEXT = "部分矿山停产，出现资金剩余"


def office_font(source, target, english, chinese):
    """A copy of ``source`` renamed, as an office's font would be named: its English family
    name (Windows, US English) and its Chinese one (Windows, PRC), PostScript name English."""
    ttf = TTFont(str(source))
    table = ttf["name"]
    table.names = [rec for rec in table.names if rec.nameID not in (1, 3, 4, 6, 16, 17)]
    for name_id, value in ((1, english), (4, english), (6, english.replace(" ", "")), (3, english)):
        table.setName(value, name_id, 3, 1, 0x409)
    table.setName(chinese, 1, 3, 1, 0x804)
    table.setName(chinese, 4, 3, 1, 0x804)
    ttf.save(str(target))
    return target


@pytest.fixture(scope="module")
def office_folder(tmp_path_factory):
    """An office folder holding a 仿宋_GB2312 (cut from the prepared 黑体, so that it cannot be
    mistaken for the prepared 仿宋) under a file name that says nothing, and a broken file."""
    folder = tmp_path_factory.mktemp("office")
    prepared = dict((font.family, path) for font, path in fonts.available())
    office_font(prepared["JXPJ Sans"], folder / "simfang-copy.ttf", "FangSong_GB2312", "仿宋_GB2312")
    (folder / "notes.ttf").write_bytes(b"not a font at all")
    return folder


def test_an_office_font_is_known_by_its_family_name(office_folder, monkeypatch):
    monkeypatch.setenv("DOCUMENT_OFFICE_FONT_DIR", str(office_folder))
    assert office_fonts.office_fonts() == {"body": OfficeFont(office_folder / "simfang-copy.ttf", "FangSong_GB2312")}
    assert office_fonts.family_names(office_folder / "notes.ttf") == set()


def test_a_new_office_font_is_seen_without_a_restart(office_folder, tmp_path, monkeypatch):
    folder = tmp_path / "office"
    folder.mkdir()
    monkeypatch.setenv("DOCUMENT_OFFICE_FONT_DIR", str(folder))
    assert office_fonts.office_fonts() == {}
    shutil.copy(office_folder / "simfang-copy.ttf", folder / "a.ttf")
    office_font(folder / "a.ttf", folder / "黑体.ttf", "SimHei", "黑体")
    hei = OfficeFont(folder / "黑体.ttf", "SimHei")
    assert office_fonts.office_fonts() == {"body": OfficeFont(folder / "a.ttf", "FangSong_GB2312"), "heading": hei}
    (folder / "a.ttf").unlink()
    assert office_fonts.office_fonts() == {"heading": hei}


def test_without_an_office_folder_the_stacks_are_the_prepared_ones(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCUMENT_OFFICE_FONT_DIR", str(tmp_path / "missing"))
    css = render.font_face_css()
    assert "@font-face" in css and all(family not in css for families in office_fonts.ROLE_FAMILIES.values()
                                       for family in families)
    assert f"body {{ font-family: {fonts.DEFAULT_STACKS['body']}; }}" in css


def test_the_office_font_goes_first_and_is_embedded(mine, office_folder, monkeypatch):  # noqa: F811
    monkeypatch.setenv("DOCUMENT_OFFICE_FONT_DIR", str(office_folder))
    css = render.font_face_css()
    assert 'body { font-family: "FangSong_GB2312", "JXPJ Latin", "JXPJ Fangsong"' in css
    pdf = reports.render_report(mine)
    listed = [row for row in pdffonts(pdf) if row["name"].endswith("+FangSong_GB2312")]
    assert listed and listed[0]["embedded"] and listed[0]["encoding"] == "Identity-H", pdffonts(pdf)
    drawn = drawn_characters(pdf)
    assert all(any(name.endswith("+FangSong_GB2312") for name in drawn[char]) for char in BODY_TEXT)
    assert not any("JXPJ-Fangsong" in name for char in BODY_TEXT for name in drawn[char])
    # The office's 仿宋 draws the body's figures too: the prepared Latin face is not used at all.
    assert not any("JXPJ-Latin" in row["name"] for row in pdffonts(pdf))
    assert BODY_TEXT in squeeze(text_of(pdf))


def test_an_explicit_stack_overrides_the_office_font(office_folder, monkeypatch):
    monkeypatch.setenv("DOCUMENT_OFFICE_FONT_DIR", str(office_folder))
    monkeypatch.setenv("DOCUMENT_FONT_BODY", '"Noto Serif CJK SC", serif')
    css = render.font_face_css()
    assert 'body { font-family: "Noto Serif CJK SC", serif; }' in css and "FangSong_GB2312" not in css


def test_each_prepared_font_covers_gb2312_under_its_own_regular_name():
    """Every GB2312 character is in each prepared face (else it would print in the fallback, a
    宋体, in the middle of 仿宋 text), and each is the one regular member of its own family,
    the title too though it is cut from Noto's Bold (a bold-flagged face would be named
    "…-Bold" in the PDF, as if emboldened)."""
    from scripts.prepare_fonts import gb2312_characters

    gb2312 = {ord(char) for char in gb2312_characters()}
    for font, path in fonts.available():
        ttf = TTFont(str(path), lazy=True)
        if font.ascii_only:   # the body's figures and Latin letters, and nothing else
            assert set(ttf.getBestCmap()) == set(range(0x20, 0x7F)), font.family
        else:
            assert not gb2312 - set(ttf.getBestCmap()), font.family
        assert ttf["name"].getDebugName(1) == font.family
        assert ttf["OS/2"].usWeightClass == 400 and not ttf["OS/2"].fsSelection & 0b100001, font.family
    assert {font.family for font, _path in fonts.available()} == {"JXPJ Latin", "JXPJ Fangsong", "JXPJ Title", "JXPJ Sans"}


def test_figures_and_rare_characters_keep_the_line_pitch(mine):  # noqa: F811
    """A line holding figures (JXPJ Latin), a character outside GB2312 (堃, the full Noto
    Serif) or one of Extension B (𠀀, HanaMinA) sits exactly where a line of 仿宋 alone would:
    the faces mixed into the body share its line box. Each variant keeps every character's
    width (two figures for one ideograph), so only the faces differ, not the line breaks."""
    overview = next(section.text for section in mine.narrative if section.key == "overview")
    assert "2017年和2018年" in overview and "承德市应急" in overview

    def body_baselines(replace):
        for section in mine.narrative:
            if section.key == "overview":
                section.text = overview.replace(*replace)
        db.session.commit()
        # Each line once, though its runs in several faces are several text runs.
        return sorted({round(y, 2) for page, y, _text in baselines(reports.render_report(mine)) if page == 1})

    figures = body_baselines(("", ""))
    ideographs_only = body_baselines(("2017年和2018年", "二〇年和二〇年"))
    rare = body_baselines(("承德市应急", "承堃市𠀀急"))
    assert len(figures) > 10
    assert len(figures) == len(ideographs_only) == len(rare)
    assert figures == pytest.approx(ideographs_only, abs=0.05) and rare == pytest.approx(ideographs_only, abs=0.05)
