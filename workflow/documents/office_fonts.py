"""Fonts an office owns (仿宋_GB2312, 方正小标宋简体, 楷体_GB2312, 黑体): dropped into one folder,
they go first in their role's stack, with no other setting.

The folder is DOCUMENT_OFFICE_FONT_DIR, else instance/fonts/office/. A font there is known by
its family names as its own name table gives them (any language), so that the file name does
not matter (simfang.ttf, 仿宋_GB2312.ttf, FZXBSJW.TTF…). Such fonts are licensed to the
office, never shipped with the application; they are embedded (subset) in its documents as
their licences allow for print.
"""
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont, TTLibError

from workflow.documents import fonts

# The family names each role recognises, best first (the GB2312 faces GB/T 9704 names before
# their later GBK/Unicode namesakes).
ROLE_FAMILIES = {
    "body": ("仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong"),
    "title": ("方正小标宋简体", "FZXiaoBiaoSong-B05S", "方正小标宋_GBK", "FZXiaoBiaoSong-B05"),
    "heading": ("黑体", "SimHei"),
    "kai": ("楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi"),
}
SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")


def office_dir():
    return Path(os.environ.get("DOCUMENT_OFFICE_FONT_DIR") or fonts.font_dir() / "office")


def family_names(path):
    """The family names (name IDs 1 and 16, every platform and language) of a font file; of
    the first font of a collection. Empty for a file that is not a font."""
    try:
        ttf = TTFont(str(path), fontNumber=0, lazy=True)
        names = {rec.toUnicode().strip() for rec in ttf["name"].names if rec.nameID in (1, 16)}
        ttf.close()
        return names
    except (TTLibError, OSError, KeyError, UnicodeDecodeError, AssertionError, ValueError):
        return set()


@dataclass(frozen=True)
class OfficeFont:
    path: Path
    family: str   # the family it is declared under: its own (ASCII when it has one), as PDFs show it


@lru_cache(maxsize=8)
def _roles_of(listing):
    """{role: OfficeFont} for a folder listing ((path, mtime, size), …); cached by that
    listing, so that fonts are read again only when a file is added, replaced or removed."""
    named = [(Path(path), family_names(path)) for path, _mtime, _size in listing]
    chosen = {}
    for role, wanted in ROLE_FAMILIES.items():
        for family in wanted:
            match = next((path for path, names in named if family in names), None)
            if match:
                names = dict(named)[match]
                # The PDF names an embedded font after the family it was declared under.
                own = next((name for name in wanted if name in names and name.isascii()), family)
                chosen[role] = OfficeFont(match, own)
                break
    return chosen


def office_fonts():
    """{role: OfficeFont} of the fonts in the office folder (empty without one)."""
    folder = office_dir()
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return {}
    listing = tuple((entry.path, entry.stat().st_mtime_ns, entry.stat().st_size) for entry in entries
                    if entry.is_file() and entry.name.lower().endswith(SUFFIXES))
    return _roles_of(listing) if listing else {}
