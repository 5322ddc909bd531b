"""The document fonts: where the prepared (subset, TrueType) fonts live and which system
fonts they stand in for.

Why prepared fonts: WeasyPrint subsets every embedded font on each render; for the CFF
outlines of Noto CJK that takes seconds per document. A GB2312-range copy with TrueType
(glyf) outlines, made once at ``make setup``, subsets in a fraction of that. The full system
fonts stay in every font-family stack so that characters outside GB2312 (rare characters
in people's and places' names) still render.
"""
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from config import INSTANCE_DIR

NOTO_DIR = Path("/usr/share/fonts/opentype/noto")


@dataclass(frozen=True)
class PreparedFont:
    family: str          # the prepared font's own family name, distinct from the source's
    filename: str        # file name inside the font folder
    source_family: str   # the system family it is cut from (also its fallback)
    source_style: str
    known_paths: tuple   # Debian paths tried when fontconfig cannot answer
    ttc_name: str        # the family name to pick out of a .ttc collection


SERIF = PreparedFont("JXPJ Serif", "jxpj-serif.ttf", "Noto Serif CJK SC", "Regular",
                     (NOTO_DIR / "NotoSerifCJK-Regular.ttc",), "Noto Serif CJK SC")
SANS = PreparedFont("JXPJ Sans", "jxpj-sans.ttf", "Noto Sans CJK SC", "Regular",
                    (NOTO_DIR / "NotoSansCJK-Regular.ttc",), "Noto Sans CJK SC")
PREPARED = (SERIF, SANS)

# The font stack of each role; configurable through DOCUMENT_FONT_* environment variables
# (a CSS font-family list). The full system family follows each prepared one as fallback.
DEFAULT_STACKS = {
    "body": '"JXPJ Serif", "Noto Serif CJK SC", "AR PL UKai CN", serif',
    "title": '"JXPJ Serif", "Noto Serif CJK SC", serif',
    "heading": '"JXPJ Sans", "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif',
    "kai": '"AR PL UKai CN", "JXPJ Serif", "Noto Serif CJK SC", serif',
}


def font_dir():
    """The folder of prepared fonts: DOCUMENT_FONT_DIR, else instance/fonts."""
    return Path(os.environ.get("DOCUMENT_FONT_DIR") or INSTANCE_DIR / "fonts")


def font_stacks():
    return {role: os.environ.get(f"DOCUMENT_FONT_{role.upper()}", stack) for role, stack in DEFAULT_STACKS.items()}


def find_source(font):
    """The path of the system font a prepared font is cut from, or None."""
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}", f"{font.source_family}:style={font.source_style}"],
                             capture_output=True, text=True, timeout=10, check=False).stdout.strip()
        if out and font.source_family.split()[1].lower() in Path(out).name.lower():
            return Path(out)
    except (OSError, subprocess.SubprocessError):
        pass
    for path in font.known_paths:
        if Path(path).exists():
            return Path(path)
    return None


def available():
    """The prepared fonts present in the font folder: [(font, path)]."""
    folder = font_dir()
    return [(font, folder / font.filename) for font in PREPARED if (folder / font.filename).exists()]
