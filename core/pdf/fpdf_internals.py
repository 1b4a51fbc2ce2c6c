"""Every reach of ``core.pdf`` into fpdf2's and fontTools' internals, in one place (issue 9 §6).

``core/pdf/base.py`` parses each shipped font once per process and gives every document a light copy
of it, cut down to the glyphs the document used (see its docstring for the timings). fpdf2 has no public
API for that, so this module builds fpdf2's ``TTFFont`` through ``__new__`` and its slots, reads raw
tables through fontTools' reader, builds glyf/cmap tables through fontTools' private modules, hooks
fpdf2's output producer and its private fallback-font fields and text splitter. Nothing else in the
project touches these names.

Pinned: fpdf2 ``FPDF2_PIN`` and fontTools ``FONTTOOLS_PIN`` (requirements.txt). The contract test
``tests/unit/test_fpdf_internals.py`` asserts the pins and each behaviour used here; when an upgrade
moves something, it names what moved. A mismatch at run time is also logged once at import.

Also here, because this is where the PDF libraries are initialised: their loggers are quieted, so a
printed form writes no glyph lists into the server log (issue 10 §2).
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from importlib.metadata import version
from io import BytesIO
from pathlib import Path
from typing import Any

from fontTools.ttLib import TTFont, newTable
from fontTools.ttLib.tables._c_m_a_p import CmapSubtable
from fontTools.ttLib.tables._g_l_y_f import Glyph as TTGlyph
from fpdf import FPDF
from fpdf.enums import TextEmphasis
from fpdf.fonts import SubsetMap, TTFFont
from fpdf.line_break import Fragment
from fpdf.output import OutputProducer

FPDF2_PIN = "2.8.9"
FONTTOOLS_PIN = "4.68.0"
PINS = {"fpdf2": FPDF2_PIN, "fonttools": FONTTOOLS_PIN}  # distribution name → version (requirements.txt)

# fpdf2 2.8.9 ``TTFFont.__slots__``, split by who may write to them. Shared: set once when the template is
# parsed, only read afterwards (each document's copy points at the template's objects). Per document: fpdf2
# writes them while laying out and writing one PDF, so each copy gets its own.
SHARED_SLOTS = frozenset({
    "type", "name", "glyph_ids", "sp", "ss", "up", "ut", "ttffile", "scale", "cmap", "unicode_range",
    "palette_index", "is_compressed", "is_cff", "is_cid_keyed", "is_symbol", "cff_ros", "collection_font_number",
})
PER_DOCUMENT_SLOTS = frozenset({
    "i", "fontkey", "emphasis", "cw", "desc", "missing_glyphs", "biggest_size_pt", "_hbfont", "color_font",
    "ttfont", "subset",
})

# Library loggers and the least level that reaches the server log. fontTools' subsetter writes ~60 INFO
# lines (glyph lists) and ~120 DEBUG lines per PDF; fpdf2 a DEBUG size summary.
QUIET_LOGGERS = {"fontTools": logging.WARNING, "fontTools.subset": logging.WARNING,
                 "fontTools.ttLib": logging.WARNING, "fpdf.output": logging.INFO}

log = logging.getLogger(__name__)


def version_problems(installed: Mapping[str, str] | None = None) -> list[str]:
    """Differences between the installed libraries and the versions this module was written against."""
    installed = {name: version(name) for name in PINS} if installed is None else installed
    return [f"{name} {installed.get(name)} installed, core/pdf/fpdf_internals.py written for {pin}"
            for name, pin in PINS.items() if installed.get(name) != pin]


def quiet_library_loggers() -> None:
    for name, level in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(level)


# ---- fontTools: raw tables, glyphs, cmap --------------------------------------------------------------


def raw_tables(ttfont: TTFont, tags: Iterable[str]) -> dict[str, bytes]:
    """The undecoded bytes of each table present (fontTools' reader, not the decompiled table)."""
    reader = ttfont.reader
    return {tag: reader[tag] for tag in tags if tag in reader}


def table_offset(ttfont: TTFont, tag: str) -> int:
    """Byte offset of table ``tag`` in the font file ``ttfont`` was read from."""
    return ttfont.reader.tables[tag].offset


def build_truetype(
    order: Sequence[str],
    tables: Mapping[str, bytes],
    metrics: Mapping[str, tuple[int, int]],
    cmap: Mapping[int, str],
    glyph_data: Mapping[str, bytes],
) -> TTFont:
    """A TrueType font holding ``order``'s glyphs: raw ``tables`` copied, hmtx/cmap/glyf/loca built."""
    font = TTFont(recalcBBoxes=False, recalcTimestamp=False)
    font.setGlyphOrder(list(order))
    for tag, data in tables.items():
        table = newTable(tag)
        table.decompile(data, font)
        font[tag] = table
    hmtx = newTable("hmtx")
    hmtx.metrics = dict(metrics)
    font["hmtx"] = hmtx
    font["cmap"] = _cmap_table(cmap)
    glyf = newTable("glyf")
    glyf.glyphOrder = list(order)
    glyf.glyphs = {name: TTGlyph(glyph_data[name]) for name in order}
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    return font


def _cmap_table(mapping: Mapping[int, str]) -> Any:
    cmap = newTable("cmap")
    cmap.tableVersion = 0
    cmap.tables = []
    for fmt, enc in ((4, 1), (12, 10)):
        if fmt == 12 and max(mapping, default=0) <= 0xFFFF:
            continue
        sub = CmapSubtable.newSubtable(fmt)
        sub.platformID, sub.platEncID, sub.language = 3, enc, 0
        sub.cmap = {cp: name for cp, name in mapping.items() if fmt == 12 or cp <= 0xFFFF}
        cmap.tables.append(sub)
    return cmap


# ---- fpdf2: one parsed font, many documents -----------------------------------------------------------


def parse_template(path: Path) -> TTFFont:
    """fpdf2's font object for ``path`` (cmap, widths, PDF font descriptor), parsed by a throwaway FPDF.

    Its ``ttfont`` (the fontTools font) is open until ``release_font_program``.
    """
    return TTFFont(FPDF(), path, "template", "")


def is_truetype(template: TTFFont) -> bool:
    return not template.is_cff and "glyf" in template.ttfont


def release_font_program(template: TTFFont) -> None:
    """Close the template's fontTools font: documents get their own (``attach_copy``)."""
    template.ttfont.close()
    template.ttfont = None


def attach_copy(pdf: FPDF, template: TTFFont, family: str, style: str, font_program: TTFont) -> TTFFont:
    """Register a copy of ``template`` in ``pdf`` as ``family``/``style``: what ``pdf.add_font`` would do,
    without parsing the font again. Read-only state stays shared; fpdf2's per-document state is new."""
    font = TTFFont.__new__(TTFFont)
    for slot in SHARED_SLOTS:
        if hasattr(template, slot):
            setattr(font, slot, getattr(template, slot))
    font.i = len(pdf.fonts) + 1
    font.fontkey = f"{family.lower()}{style}"
    font.emphasis = TextEmphasis.coerce(style)
    font.cw = template.cw.copy()  # a defaultdict: reading an unknown char inserts it
    font.desc = copy.copy(template.desc)  # output sets its object id and font file
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None
    font.color_font = None
    font.ttfont = font_program
    font.subset = SubsetMap(font)
    pdf.fonts[font.fontkey] = font
    return font


def open_font_program(data: bytes) -> TTFont:
    """A fontTools font read lazily from memory (a document's whole font, before it is cut)."""
    return TTFont(BytesIO(data), lazy=True, recalcTimestamp=False)


def used_glyphs(font: TTFFont) -> Iterator[tuple[str, tuple[int, ...]]]:
    """(glyph name, code points) of each glyph a document has drawn with ``font``."""
    for glyph, _ in font.subset.items():
        if glyph is not None:
            yield glyph.glyph_name, glyph.unicode if isinstance(glyph.unicode, tuple) else ()


def replace_font_program(font: TTFFont, program: TTFont) -> TTFont:
    """Give ``font`` another fontTools font to embed; returns the one it had."""
    old, font.ttfont = font.ttfont, program
    return old


def missing_code_points(pdf: FPDF) -> list[int]:
    """Code points fpdf2 could not map to a glyph in any font (it drops them silently)."""
    return [cp for font in pdf.fonts.values() if isinstance(font, TTFFont) for cp in font.missing_glyphs]


# ---- fpdf2: document hooks ----------------------------------------------------------------------------


class _HookedOutputProducer(OutputProducer):
    def bufferize(self) -> bytearray:
        if isinstance(self.fpdf, HookedFPDF):
            self.fpdf.before_output()
        return super().bufferize()


class HookedFPDF(FPDF):
    """FPDF with the hooks ``FormPDF`` needs: lazily loaded fallback fonts, a fast text splitter, a step
    just before the PDF bytes are written (after the last footer and the page count)."""

    def declare_fallback_fonts(self, fontkeys: Sequence[str], *, exact_match: bool) -> None:
        """Like ``set_fallback_fonts``, but for fonts not added yet: fpdf2 then calls
        ``get_fallback_font`` for a character the current font lacks, which may add them."""
        self._fallback_font_ids = list(fontkeys)
        self._fallback_font_exact_match = exact_match

    def before_output(self) -> None:
        """Called once, as the PDF is written; nothing is drawn afterwards."""

    def output(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        # (fpdf2 uses its own producer for ``output(linearize=True)``; the hook is then skipped.)
        kwargs.setdefault("output_producer_class", _HookedOutputProducer)
        return super().output(*args, **kwargs)

    def _parse_chars(self, text: str, markdown: bool, **kwargs: Any) -> Iterator[Fragment]:
        """Split text into fragments, skipping fallback handling when the current font covers the text.

        With fallback fonts declared, fpdf2 walks the text one character at a time (re-slicing it
        each step) to find characters the font lacks; without, it takes the whole string as one
        fragment. Nearly all text is covered by the main font, so take the fast path when it is.
        """
        font = self.current_font
        if (
            self._fallback_font_ids
            and not markdown
            and not self.text_shaping
            and isinstance(font, TTFFont)
            and all(c == "\n" or ord(c) in font.cmap for c in text)
        ):
            fallback_ids, self._fallback_font_ids = self._fallback_font_ids, []
            try:
                return iter(list(super()._parse_chars(text, markdown, **kwargs)))
            finally:
                self._fallback_font_ids = fallback_ids
        return super()._parse_chars(text, markdown, **kwargs)


quiet_library_loggers()
for _problem in version_problems():
    log.warning("PDF fonts: %s; run tests/unit/test_fpdf_internals.py", _problem)
