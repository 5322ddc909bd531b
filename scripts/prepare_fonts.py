#!/usr/bin/env python3
"""Prepare the document fonts once (``make setup``): GB2312 + ASCII + CJK punctuation subsets
with TrueType outlines, under new family names: JXPJ Fangsong (the body's 仿宋, from
FandolFang), JXPJ Title (the 小标宋 role, from Noto Serif CJK SC Bold) and JXPJ Sans (黑体,
from Noto Sans CJK SC); and JXPJ Latin, the ASCII of Liberation Serif (Times New Roman's
metrics) for the body's figures and Latin letters.

Why: WeasyPrint subsets each embedded font on every render, and subsetting the CFF outlines
of a 65 000-glyph Noto CJK font dominates render time (~7 s for a 10-page report). A small
font with glyf outlines subsets quickly. Skipped when the output is newer than its source.

FandolFang is installed by no font package of its own (only inside TeX Live's Chinese
package, which would pull TeX in): the first run fetches that package with `apt-get download`
and takes the one font (and its README, which states its licence) into the vendor folder.
Usage: scripts/prepare_fonts.py [--force] [--dir PATH]
"""
import argparse
import copy
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

from workflow.documents import fonts

# Quadratic approximation error, in font units (1000 per em): invisible at 16 pt.
MAX_ERR = 1.0
VERSION = "6"  # bump to force re-preparation when this script changes what it writes


def gb2312_characters():
    """Every character of GB2312, by decoding each valid two-byte code."""
    chars = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def wanted_codepoints():
    chars = {ord(c) for c in gb2312_characters() if len(c) == 1}
    chars.update(range(0x20, 0x7F))            # ASCII
    chars.update(range(0x3000, 0x3040))        # CJK symbols and punctuation
    chars.update(range(0xFF00, 0xFFF0))        # full-width forms
    chars.update(range(0x2010, 0x2070))        # dashes, quotes, ellipsis (— 1 —, “”)
    chars.update((0xA0, 0xB7, 0xD7, 0xF7, 0x2103, 0x2116, 0x2160, 0x2161, 0x2162, 0x2163, 0x25CB, 0x25A1))
    return chars


def open_source(font, path):
    if path.suffix.lower() == ".ttc":
        for member in TTCollection(str(path), lazy=True).fonts:
            names = {rec.toUnicode() for rec in member["name"].names if rec.nameID in (1, 16)}
            if font.ttc_name in names:
                return member
        raise SystemExit(f"{font.ttc_name} not found in {path}")
    return TTFont(str(path))


def cff_to_glyf(ttf):
    """Replace CFF outlines by quadratic glyf ones (fontTools' otf2ttf example)."""
    glyph_order = ttf.getGlyphOrder()
    glyph_set = ttf.getGlyphSet()
    glyphs = {}
    for name in glyph_order:
        # Decompose first: glyf has no equivalent of CFF subroutine-shared components.
        rec = DecomposingRecordingPen(glyph_set)
        glyph_set[name].draw(rec)
        pen = TTGlyphPen(None)
        rec.replay(Cu2QuPen(pen, MAX_ERR, reverse_direction=True))
        glyphs[name] = pen.glyph()
    ttf["loca"] = newTable("loca")
    ttf["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = glyphs
    del ttf["CFF "]
    if "VORG" in ttf:
        del ttf["VORG"]
    ttf["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    maxp.maxComponentDepth = 0
    post = ttf["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = glyph_order
    ttf["head"].indexToLocFormat = 0
    ttf["head"].glyphDataFormat = 0
    ttf.sfntVersion = "\x00\x01\x00\x00"


def rename(ttf, family):
    """A family name of its own, so that the prepared font never masquerades as Noto; and the
    regular member of it, whatever the weight of its source (the title's is Noto's Bold): a
    role takes one face, and a bold-flagged face would be named "…-Bold" in the PDF as if
    emboldened."""
    ttf["OS/2"].usWeightClass = 400
    ttf["OS/2"].fsSelection = (ttf["OS/2"].fsSelection & ~0b100001) | 0b1000000   # not bold/italic: REGULAR
    ttf["head"].macStyle = 0
    table = ttf["name"]
    postscript = family.replace(" ", "") + "-Regular"
    for rec in list(table.names):
        if rec.nameID in (1, 16):
            table.setName(family, rec.nameID, rec.platformID, rec.platEncID, rec.langID)
        elif rec.nameID in (2, 17):
            table.setName("Regular", rec.nameID, rec.platformID, rec.platEncID, rec.langID)
        elif rec.nameID in (3, 4):
            table.setName(f"{family} Regular" if rec.nameID == 4 else f"{VERSION};{postscript}",
                          rec.nameID, rec.platformID, rec.platEncID, rec.langID)
        elif rec.nameID == 6:
            table.setName(postscript, rec.nameID, rec.platformID, rec.platEncID, rec.langID)


# Characters a source may lack, drawn with the glyph of their twin: GB2312's 破折号 (A1AA)
# decodes to U+2015 in Python but to U+2014 in GBK and Windows, and FandolFang has only the latter.
TWINS = {0x2015: 0x2014}


def add_twins(ttf):
    for table in ttf["cmap"].tables:
        if table.isUnicode():
            for missing, twin in TWINS.items():
                if missing not in table.cmap and twin in table.cmap:
                    table.cmap[missing] = table.cmap[twin]


def take_line_box(ttf, model):
    """``model``'s vertical metrics and BASE baselines, scaled to ``ttf``'s units per em."""
    scale = ttf["head"].unitsPerEm / model["head"].unitsPerEm
    for table, attrs in (("hhea", ("ascent", "descent", "lineGap")),
                         ("OS/2", ("sTypoAscender", "sTypoDescender", "sTypoLineGap", "usWinAscent", "usWinDescent"))):
        for attr in attrs:
            setattr(ttf[table], attr, round(getattr(model[table], attr) * scale))
    base = copy.deepcopy(model["BASE"])
    for axis in (base.table.HorizAxis, base.table.VertAxis):
        for record in (axis.BaseScriptList.BaseScriptRecord if axis else ()):
            for coord in record.BaseScript.BaseValues.BaseCoord:
                coord.Coordinate = round(coord.Coordinate * scale)
    ttf["BASE"] = base


def prepare(font, source, target):
    ttf = open_source(font, source)
    options = subset.Options()
    options.layout_features = ["*"]   # keep vertical/punctuation features WeasyPrint may use
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]   # FontForge's timestamps (Liberation): nothing to keep
    options.hinting = False
    options.desubroutinize = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=range(0x20, 0x7F) if font.ascii_only else wanted_codepoints())
    subsetter.subset(ttf)
    add_twins(ttf)
    if "CFF " in ttf:
        cff_to_glyf(ttf)
    if font.line_box_of:
        model = fonts.find_source(font.line_box_of)
        if model is None:
            raise SystemExit(f"{font.line_box_of.source_family} is not installed")
        take_line_box(ttf, open_source(font.line_box_of, model))
    rename(ttf, font.family)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".tmp")
    ttf.save(str(partial))
    partial.replace(target)  # atomic: a render never sees a half-written font


class FetchError(RuntimeError):
    pass


def apt_get_download(package, folder):
    return subprocess.run(["apt-get", "download", package], cwd=folder, capture_output=True, text=True,
                          timeout=600, check=False)


def fetch_from_debian(font, target):
    """Take ``font``'s source file out of its Debian package (downloaded, not installed) into
    ``target``, with the package's file stating the font's licence beside it."""
    wanted = {font.path_in_package: target}
    if font.licence_in_package:
        wanted[font.licence_in_package] = target.with_name(f"{target.stem}.{Path(font.licence_in_package).name}")
    with tempfile.TemporaryDirectory(prefix="jxpj-fonts-") as tmp:
        try:
            done = apt_get_download(font.debian_package, tmp)
            if done.returncode != 0 and os.geteuid() == 0:
                # A machine whose packages were all installed may have no package lists yet.
                subprocess.run(["apt-get", "update", "-qq"], capture_output=True, timeout=600, check=False)
                done = apt_get_download(font.debian_package, tmp)
            debs = list(Path(tmp).glob("*.deb"))
            if done.returncode != 0 or not debs:
                raise FetchError(f"apt-get download {font.debian_package} failed: {done.stderr.strip()[-500:]}")
            unpack = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(debs[0])], stdout=subprocess.PIPE)
        except (OSError, subprocess.SubprocessError) as error:
            raise FetchError(f"apt-get download {font.debian_package}: {error}") from error
        with unpack, tarfile.open(fileobj=unpack.stdout, mode="r|") as archive:
            for member in archive:
                destination = wanted.get(os.path.normpath(member.name))   # "./usr/…" → "usr/…"
                if destination and member.isfile():
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    partial = destination.with_name(destination.name + ".tmp")
                    partial.write_bytes(archive.extractfile(member).read())
                    partial.replace(destination)
    if not target.exists():
        raise FetchError(f"{font.path_in_package} is not in {font.debian_package}")


def source_of(font):
    """The source font file, fetched first when it comes out of a Debian package."""
    source = fonts.find_source(font)
    if source is None and font.debian_package:
        target = font.vendored_path()
        print(f"prepare_fonts: fetching {font.source_family} from Debian's {font.debian_package} into {target.parent}")
        fetch_from_debian(font, target)
        source = target
    return source


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--dir", type=Path)
    args = parser.parse_args(argv)
    folder = args.dir or fonts.font_dir()
    if args.dir:
        os.environ["DOCUMENT_FONT_DIR"] = str(args.dir)   # the vendor folder goes with it
    failed = False
    for font in fonts.PREPARED:
        target = folder / font.filename
        try:
            source = source_of(font)
        except FetchError as error:
            # The 仿宋 is what makes a document official-looking: no silent stand-in.
            print(f"prepare_fonts: ERROR: cannot fetch {font.source_family}, the documents' {font.family} "
                  f"({error}). Install Debian's {font.debian_package}, or put {Path(font.path_in_package).name} "
                  f"into {font.vendored_path().parent}, and run `make setup` again.", file=sys.stderr)
            failed = True
            continue
        if source is None:
            print(f"prepare_fonts: {font.source_family} not installed; documents fall back to system fonts",
                  file=sys.stderr)
            continue
        if not args.force and target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
            continue
        started = time.perf_counter()
        prepare(font, source, target)
        print(f"prepare_fonts: {target} from {source.name} in {time.perf_counter() - started:.1f} s "
              f"({target.stat().st_size // 1024} KiB)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
