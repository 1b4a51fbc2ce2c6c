"""Build the GBK subset of Noto Sans CJK SC shipped in assets/fonts/.

The full Noto Sans CJK collection is ~20 MB per weight and holds five regional
variants; forms only need Simplified Chinese, so we cut the SC face (index 2 of
Debian's ``fonts-noto-cjk`` TTCs) down to every character GBK can encode plus
the few symbols our forms print. Layout tables are dropped because fpdf2 does
not shape CJK text and they are a large part of the file.

Usage (needs Debian's fonts-noto-cjk and fontTools):

    python scripts/build_cjk_font.py [--src-dir DIR] [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SRC = Path("/usr/share/fonts/opentype/noto")
DEFAULT_OUT = REPO_ROOT / "assets" / "fonts"
SC_FACE_INDEX = 2  # 0 = JP, 1 = KR, 2 = SC, 3 = TC, 4 = HK

FAMILY = "Noto Sans SC GBK"
# (source TTC, output file, style name)
WEIGHTS = [
    ("NotoSansCJK-Regular.ttc", "NotoSansSC-GBK-Regular.otf", "Regular"),
    ("NotoSansCJK-Bold.ttc", "NotoSansSC-GBK-Bold.otf", "Bold"),
]

# Symbols forms print that GBK itself lacks or maps only to a full-width variant.
EXTRA_CHARS = "¥✓×—–“”‘’·…№€•°±÷‰℃①②③④⑤⑥⑦⑧⑨⑩"


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
    cff = font["CFF "].cff
    cff.fontNames = [ps_name]  # the CFF program carries its own PostScript name too


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
