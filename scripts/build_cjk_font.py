"""Build the GBK subset of Noto Sans CJK SC shipped in assets/fonts/.

The full Noto Sans CJK collection is ~20 MB per weight and holds five regional
variants; forms only need Simplified Chinese, so we cut the SC face (index 2 of
Debian's ``fonts-noto-cjk`` TTCs) down to every character GBK can encode plus
the few symbols our forms print. Layout tables are dropped because fpdf2 does
not shape CJK text and they are a large part of the file.

The cubic CFF outlines are then converted to quadratic TrueType (``glyf``)
outlines: a TrueType glyph is a self-contained byte string, so ``core.pdf.base``
can cut each document's few hundred glyphs out of a font parsed once per process
instead of parsing and subsetting 22,000 CFF charstrings for every PDF.

Usage (needs Debian's fonts-noto-cjk and fontTools):

    python scripts/build_cjk_font.py [--src-dir DIR] [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SRC = Path("/usr/share/fonts/opentype/noto")
DEFAULT_OUT = REPO_ROOT / "assets" / "fonts"
SC_FACE_INDEX = 2  # 0 = JP, 1 = KR, 2 = SC, 3 = TC, 4 = HK

FAMILY = "Noto Sans SC GBK"
# (source TTC, output file, style name)
WEIGHTS = [
    ("NotoSansCJK-Regular.ttc", "NotoSansSC-GBK-Regular.ttf", "Regular"),
    ("NotoSansCJK-Bold.ttc", "NotoSansSC-GBK-Bold.ttf", "Bold"),
]

# Symbols forms print that GBK itself lacks or maps only to a full-width variant.
EXTRA_CHARS = "¥✓×—–“”‘’·…№€•°±÷‰℃①②③④⑤⑥⑦⑧⑨⑩"

# Largest distance, in font units (1000 per em), between a cubic curve and its quadratic
# approximation: 0.1 % of the em, 0.01 mm at 10 pt, far below what print or screen shows.
CU2QU_MAX_ERR = 1.0


def wanted_codepoints() -> set[int]:
    """Every BMP code point encodable in GBK, plus printable ASCII and EXTRA_CHARS."""
    cps = set(range(0x20, 0x7F))
    cps.update(ord(c) for c in EXTRA_CHARS)
    # Full-width forms block: all punctuation, digits and letters (FF01-FF5E, FFE0-FFE6).
    cps.update(range(0xFF01, 0xFF5F))
    cps.update(range(0xFFE0, 0xFFE7))
    for cp in range(0x80, 0x10000):
        if 0xD800 <= cp <= 0xDFFF:  # surrogates cannot be encoded at all
            continue
        try:
            chr(cp).encode("gbk")
        except UnicodeEncodeError:
            continue
        cps.add(cp)
    return cps


def rename(font: TTFont, style: str) -> None:
    """Give the subset its own name.

    PDFs name embedded fonts after the full name; if the subset kept "Noto Sans CJK SC" it would
    share a name with the full system face FormPDF uses as fallback, and some viewers and
    printers cache fonts by name. (The OFL's only Reserved Font Name here is "Source".)
    """
    ps_name = f"NotoSansSC-GBK-{style}"
    full = FAMILY if style == "Regular" else f"{FAMILY} {style}"
    new = {1: FAMILY, 3: f"{ps_name};subset", 4: full, 6: ps_name, 16: FAMILY, 17: style}
    table = font["name"]
    for record in table.names:
        if record.nameID in new:
            record.string = new[record.nameID]


def cff_to_glyf(font: TTFont) -> None:
    """Replace the CFF outlines with TrueType ones, in place (after fontTools' otf2ttf snippet).

    The CFF hints are not carried over: the TrueType font is unhinted, which PDF viewers and
    printers handle well at form sizes. Glyph names are not stored (``post`` format 3):
    fpdf2 and ``core.pdf.base`` only need glyph ids and the cmap.
    """
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        # CFF contours run counter-clockwise, TrueType ones clockwise.
        glyph_set[name].draw(Cu2QuPen(pen, max_err=CU2QU_MAX_ERR, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    del font["CFF "]
    font.sfntVersion = "\x00\x01\x00\x00"
    font["head"].glyphDataFormat = 0
    maxp = font["maxp"]  # version 0.5 (CFF) → 1.0; the point/contour maxima are recalculated on save
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements", "maxComponentDepth"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1  # no instructions, so no twilight zone
    font["post"].formatType = 3.0


def build_one(src: Path, out: Path, style: str, codepoints: set[int]) -> None:
    font = TTFont(src, fontNumber=SC_FACE_INDEX, lazy=False)
    options = subset.Options()
    options.layout_features = []  # no shaping in fpdf2; GSUB/GPOS would only add size
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx"]
    options.name_IDs = ["*"]  # keep copyright/licence name records
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recalc_bounds = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    cff_to_glyf(font)
    rename(font, style)
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(out)
    print(f"{out.name}: {len(font.getBestCmap())} chars, {out.stat().st_size / 1e6:.2f} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src-dir", type=Path, default=DEFAULT_SRC)
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    codepoints = wanted_codepoints()
    for src_name, out_name, style in WEIGHTS:
        src = args.src_dir / src_name
        if not src.exists():
            print(f"missing {src}: apt-get install fonts-noto-cjk", file=sys.stderr)
            return 1
        build_one(src, args.out_dir / out_name, style, codepoints)
    return 0


if __name__ == "__main__":
    sys.exit(main())
