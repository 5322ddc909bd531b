"""The document fonts: which face plays which role (GB/T 9704: 仿宋 body, 小标宋 title, 黑体
and 楷体 headings), where the prepared (subset, TrueType) fonts live, and the system fonts
behind them.

Why prepared fonts: WeasyPrint subsets every embedded font on each render; for the CFF
outlines of Noto CJK or Fandol that takes seconds per document. A GB2312-range copy with
TrueType (glyf) outlines, made once at ``make setup``, subsets in a fraction of that. Full
fonts stay behind each prepared one in every font-family stack, so that characters outside
GB2312 (rare characters in people's and places' names) still render; every stack ends with
HanaMinA/HanaMinB (CJK Extension A and B), so that no character is left without a glyph — a
single missing glyph makes WeasyPrint give its font a custom encoding that PDF readers
(pypdf) cannot read text back from.

Fonts an office owns (仿宋_GB2312, 方正小标宋简体, …) go first in their role by themselves:
see ``office_fonts``.
"""
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from config import INSTANCE_DIR

NOTO_DIR = Path("/usr/share/fonts/opentype/noto")
FANDOL_IN_DEB = "usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/FandolFang-Regular.otf"
FANDOL_README_IN_DEB = "usr/share/doc/texlive-doc/fonts/fandol/README"


@dataclass(frozen=True)
class PreparedFont:
    family: str          # the prepared font's own family name, distinct from the source's
    filename: str        # file name inside the font folder
    source_family: str   # the family it is cut from
    source_style: str
    known_paths: tuple   # paths tried when fontconfig cannot answer
    ttc_name: str = ""   # the family name to pick out of a .ttc collection
    # A source no Debian font package installs on its own: fetched at set-up from this
    # Debian package (apt-get download, one file taken out) into the vendor folder.
    debian_package: str = ""
    path_in_package: str = ""
    licence_in_package: str = ""
    ascii_only: bool = False   # only U+0020–007E (else GB2312, ASCII and CJK punctuation)
    # The font whose vertical metrics and baselines (hhea, OS/2, BASE) this one takes, so that
    # the faces mixed in one line agree: Pango sets the runs of a line on their fonts' BASE
    # baselines and sums their ascents and descents, so with a fixed line-height a face that
    # differs makes the line taller (FandolFang beside Liberation Serif made each line with
    # figures 1 pt taller, which cost the seed report a page; beside Noto Serif, a line with 堃).
    line_box_of: "PreparedFont | None" = None

    def vendored_path(self):
        return vendor_dir() / Path(self.path_in_package).name if self.path_in_package else None


# The body's fallback (characters outside GB2312): the font the body's faces align with.
NOTO_SERIF = PreparedFont("", "", "Noto Serif CJK SC", "Regular", (NOTO_DIR / "NotoSerifCJK-Regular.ttc",),
                          "Noto Serif CJK SC")
# 仿宋 for the body: FandolFang (GPL with the font exception), a simplified 仿宋 covering all
# of GB2312. It ships only inside TeX Live's Chinese package, which would pull TeX in; so
# set-up takes the one file out of that package instead of installing it.
FANGSONG = PreparedFont("JXPJ Fangsong", "jxpj-fangsong.ttf", "FandolFang", "Regular",
                        (Path("/") / FANDOL_IN_DEB,), debian_package="texlive-lang-chinese",
                        path_in_package=FANDOL_IN_DEB, licence_in_package=FANDOL_README_IN_DEB,
                        line_box_of=NOTO_SERIF)
# The title in the 小标宋 role: a heavy serif, Noto Serif CJK SC Bold (fonts-noto-cjk-extra).
TITLE = PreparedFont("JXPJ Title", "jxpj-title.ttf", "Noto Serif CJK SC", "Bold",
                     (NOTO_DIR / "NotoSerifCJK-Bold.ttc",), "Noto Serif CJK SC")
# 黑体 for the first-level headings and table heads.
SANS = PreparedFont("JXPJ Sans", "jxpj-sans.ttf", "Noto Sans CJK SC", "Regular",
                    (NOTO_DIR / "NotoSansCJK-Regular.ttc",), "Noto Sans CJK SC")
# The body's figures and Latin letters: FandolFang's own are a heavy Century-like serif that
# stands out of 仿宋 text; Chinese official documents set them in Times New Roman, whose
# metrics Liberation Serif has (fonts-liberation2). ASCII only, so that the full-width
# punctuation and the curly quotes “” stay the 仿宋's.
LATIN = PreparedFont("JXPJ Latin", "jxpj-latin.ttf", "Liberation Serif", "Regular",
                     (Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"),), ascii_only=True,
                     line_box_of=NOTO_SERIF)
PREPARED = (LATIN, FANGSONG, TITLE, SANS)

# CJK Extension A and B (fonts-hanazono): the last resort of every stack.
EXTENSION_B = '"HanaMinA", "HanaMinB"'

# The font stack of each role; configurable through DOCUMENT_FONT_* environment variables
# (a CSS font-family list, which then replaces the whole stack, office fonts included).
DEFAULT_STACKS = {
    "body": f'"JXPJ Latin", "JXPJ Fangsong", "Noto Serif CJK SC", {EXTENSION_B}, serif',
    "title": f'"JXPJ Title", "Noto Serif CJK SC", {EXTENSION_B}, serif',
    "heading": f'"JXPJ Sans", "Noto Sans CJK SC", "WenQuanYi Zen Hei", {EXTENSION_B}, sans-serif',
    "kai": f'"AR PL UKai CN", "JXPJ Fangsong", "Noto Serif CJK SC", {EXTENSION_B}, serif',
}
ROLES = tuple(DEFAULT_STACKS)


def font_dir():
    """The folder of prepared fonts: DOCUMENT_FONT_DIR, else instance/fonts."""
    return Path(os.environ.get("DOCUMENT_FONT_DIR") or INSTANCE_DIR / "fonts")


def vendor_dir():
    """Where set-up keeps the source fonts it fetched (not the prepared ones)."""
    return font_dir() / "vendor"


def configured_stacks():
    """{role: stack} of the roles whose stack DOCUMENT_FONT_<ROLE> sets."""
    return {role: os.environ[f"DOCUMENT_FONT_{role.upper()}"] for role in ROLES
            if os.environ.get(f"DOCUMENT_FONT_{role.upper()}")}


def font_stacks():
    return {**DEFAULT_STACKS, **configured_stacks()}


def _fc_match(font):
    try:
        out = subprocess.run(["fc-match", "-f", "%{family}\n%{file}", f"{font.source_family}:style={font.source_style}"],
                             capture_output=True, text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    families, _, path = out.partition("\n")
    # fc-match always answers something: only the family asked for counts.
    return Path(path) if path and font.source_family in families.split(",") else None


def find_source(font):
    """The path of the font a prepared font is cut from, or None."""
    found = _fc_match(font)
    if found and font.source_style.lower() in found.name.lower():  # the Bold file, not a Regular fallback
        return found
    candidates = list(font.known_paths)
    if font.vendored_path():
        candidates.append(font.vendored_path())
    return next((Path(path) for path in candidates if Path(path).exists()), None)


def available():
    """The prepared fonts present in the font folder: [(font, path)]."""
    folder = font_dir()
    return [(font, folder / font.filename) for font in PREPARED if (folder / font.filename).exists()]
