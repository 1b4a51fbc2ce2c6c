"""Chinese A4 paper-form base for every printable form of 物业客服台.

``FormPDF`` wraps fpdf2 with the shipped GBK subset of Noto Sans CJK SC, a page
frame (company / form code header, page count and print-time footer) and a few
layout helpers (title, key-value grid, table, paragraph, signature lines).

This module is deliberately pure: no Streamlit, no database, no clock. Callers
pass the print time so output is reproducible and testable.

Speed: fpdf2's ``add_font`` parses the whole 22,000-glyph font for every document and
its output step subsets that whole font again. The shipped fonts are therefore parsed
once per process into a read-only ``_SharedFace`` (shared by every thread of the
server), each document gets its own light ``TTFFont`` copy of it, and just before
output that copy's font program is replaced by one holding only the glyphs the
document used, so fpdf2 subsets a few hundred glyphs instead of 22,000. Every step of that which
needs fpdf2's or fontTools' internals goes through ``core/pdf/fpdf_internals.py`` (pinned, contract-tested).
"""

from __future__ import annotations

import struct
import threading
import unicodedata
from array import array
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FontFace
from fpdf.enums import WrapMode
from fpdf.fonts import TTFFont
from fpdf.table import Table

from core.pdf import fpdf_internals as internals

FONT_DIR = Path(__file__).resolve().parents[2] / "assets" / "fonts"
# Debian's fonts-noto-cjk: the full SC face covers characters outside GBK (e.g. 𠮷).
SYSTEM_CJK_DIR = Path("/usr/share/fonts/opentype/noto")
SYSTEM_SC_FACE = 2  # face index in the TTC: 0 = JP, 1 = KR, 2 = SC

FAMILY = "cjk"
FALLBACK_FAMILY = "cjkfull"
LABEL_FILL = (235, 235, 235)
TEXT_GREY = (90, 90, 90)
BODY_SIZE = 10


class MissingGlyphError(RuntimeError):
    """Some text could not be drawn by any loaded font (it would print as blank boxes)."""

    def __init__(self, chars: Sequence[str]):
        self.chars = list(chars)
        shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in self.chars[:20])
        super().__init__(f"characters not covered by any font: {shown}")


def font_path(bold: bool = False) -> Path:
    """Path of the shipped GBK subset font (built by scripts/build_cjk_font.py)."""
    return FONT_DIR / ("NotoSansSC-GBK-Bold.ttf" if bold else "NotoSansSC-GBK-Regular.ttf")


# Tables copied as they are into each document's cut-down font (the rest is rebuilt per document:
# glyf/loca/hmtx/cmap from the used glyphs; post without glyph names).
_COPIED_TABLES = ("head", "hhea", "maxp", "OS/2", "name", "cvt ", "fpgm", "prep", "gasp")


# Composite glyph flags (OpenType spec, 'glyf' table): what follows each component's glyph id.
_ARGS_ARE_WORDS, _HAVE_SCALE, _MORE_COMPONENTS, _HAVE_XY_SCALE, _HAVE_2X2 = 0x0001, 0x0008, 0x0020, 0x0040, 0x0080


def composite_glyph_ids(glyph: bytes) -> list[int]:
    """Glyph ids a TrueType composite glyph is built from ([] for a simple or empty glyph)."""
    if len(glyph) < 2 or struct.unpack_from(">h", glyph)[0] >= 0:
        return []
    ids, i, flags = [], 10, _MORE_COMPONENTS  # after numberOfContours and the bounding box
    while flags & _MORE_COMPONENTS:
        flags, gid = struct.unpack_from(">HH", glyph, i)
        ids.append(gid)
        i += 4 + (4 if flags & _ARGS_ARE_WORDS else 2)
        i += 2 if flags & _HAVE_SCALE else 4 if flags & _HAVE_XY_SCALE else 8 if flags & _HAVE_2X2 else 0
    return ids


class _SharedFace:
    """A TrueType (glyf) font parsed once per process and shared by all documents and threads.

    Read-only after ``__init__``: it holds bytes, tuples and dicts that nothing writes to. Every
    document gets fresh mutable objects from it (``attach``: fpdf2's per-document font state;
    ``cut``: a fontTools font with only the document's glyphs), so threads never share state.
    """

    def __init__(self, path: Path):
        self.path = path
        self.data = path.read_bytes()
        # fpdf2 computes the cmap, widths and PDF font descriptor; keep its object as the template.
        proto = internals.parse_template(path)
        if not internals.is_truetype(proto):
            raise ValueError(f"{path.name}: expected TrueType (glyf) outlines; rebuild with scripts/build_cjk_font.py")
        self.proto = proto
        ttfont = proto.ttfont
        order = ttfont.getGlyphOrder()
        self.gid = {name: i for i, name in enumerate(order)}
        # Compact per-glyph arrays, indexed by glyph id: ~20,000 glyphs per face, kept for the process.
        hmtx = ttfont["hmtx"].metrics
        self.advances = array("H", (hmtx[name][0] for name in order))
        self.lsbs = array("h", (hmtx[name][1] for name in order))
        glyf_start = internals.table_offset(ttfont, "glyf")
        loca = ttfont["loca"]
        self.glyph_at = array("L", (glyf_start + loca[i] for i in range(len(order) + 1)))  # offsets in data
        self.tables = internals.raw_tables(ttfont, _COPIED_TABLES)
        # The 32-byte post header as format 3 (no glyph names; fpdf2 needs ids, not names).
        self.post_header = struct.pack(">l", 0x00030000) + internals.raw_tables(ttfont, ["post"])["post"][4:32]
        self.components = {
            name: tuple(order[gid] for gid in composite_glyph_ids(self._glyph_data(i)))
            for i, name in enumerate(order)
            if self.glyph_at[i + 1] - self.glyph_at[i] >= 2
            and struct.unpack_from(">h", self.data, self.glyph_at[i])[0] < 0  # numberOfContours < 0: composite
        }
        internals.release_font_program(proto)  # the template's font program is never used again

    def _glyph_data(self, gid: int) -> bytes:
        return self.data[self.glyph_at[gid] : self.glyph_at[gid + 1]]

    def attach(self, pdf: FormPDF, family: str, style: str) -> None:
        """Register this face in ``pdf`` as ``family``/``style`` (what ``pdf.add_font`` would do).

        The whole font is opened lazily from memory: only used if a document is written without cut()."""
        internals.attach_copy(pdf, self.proto, family, style, internals.open_font_program(self.data))

    def cut(self, font: TTFFont) -> TTFont:
        """A fresh font holding only the glyphs ``font`` (attached to one document) has used."""
        used = list(internals.used_glyphs(font))
        names = {name for name, _ in used}
        names.add(".notdef")
        todo = [n for n in names if n in self.components]
        while todo:
            for component in self.components.get(todo.pop(), ()):
                if component not in names:
                    names.add(component)
                    todo.append(component)
        gids = {name: self.gid[name] for name in names}
        order = sorted(names, key=gids.__getitem__)  # .notdef (id 0) first
        return internals.build_truetype(
            order,
            tables={**self.tables, "post": self.post_header},
            metrics={name: (self.advances[gids[name]], self.lsbs[gids[name]]) for name in order},
            cmap={cp: name for name, cps in used for cp in cps if self.proto.cmap.get(cp) == name},
            glyph_data={name: self._glyph_data(gids[name]) for name in order},
        )


_faces: dict[Path, _SharedFace] = {}
_faces_lock = threading.Lock()


def _shared_face(path: Path) -> _SharedFace:
    face = _faces.get(path)
    if face is None:
        with _faces_lock:  # the first documents of a fresh process may arrive together
            face = _faces.get(path)
            if face is None:
                face = _faces[path] = _SharedFace(path)
    return face


class _CallableTitle(str):
    """Both the metadata title fpdf2 reads from ``pdf.title`` and a call that draws the page title.

    FPDF keeps the document title in the attribute ``self.title``, which would otherwise shadow
    the ``title()`` helper that forms call.
    """

    _draw: Callable[[str, str | None], None]

    def __new__(cls, value: str, draw: Callable[[str, str | None], None]) -> _CallableTitle:
        obj = super().__new__(cls, value)
        obj._draw = draw
        return obj

    def __call__(self, text: str, subtitle: str | None = None) -> None:
        self._draw(text, subtitle)


class FormPDF(internals.HookedFPDF):
    """A4 form with header/footer frame; call helpers in reading order, then ``output_bytes()``."""

    def __init__(
        self,
        company: str,
        form_code: str,
        printed_at: datetime | str,
        landscape: bool = False,
    ):
        super().__init__(orientation="L" if landscape else "P", unit="mm", format="A4")
        self.company = company
        self.form_code = form_code
        if isinstance(printed_at, datetime):
            # Stamp the PDF metadata with the same instant so output is reproducible.
            self.set_creation_date(printed_at)
            printed_at = printed_at.strftime("%Y-%m-%d %H:%M")
        self.printed_at = printed_at
        self._pdf_bytes: bytes | None = None
        self._shared_faces: dict[str, _SharedFace] = {}
        for style, bold in (("", False), ("B", True)):
            face = _shared_face(font_path(bold=bold))
            face.attach(self, FAMILY, style)
            self._shared_faces[FAMILY + style] = face
        self._add_system_fallback()
        self.set_margins(15, 20, 15)
        self.set_auto_page_break(True, margin=18)
        self.set_font(FAMILY, size=BODY_SIZE)
        self.add_page()

    def _add_system_fallback(self) -> None:
        self._pending_fallback = {
            style: SYSTEM_CJK_DIR / name
            for style, name in (("", "NotoSansCJK-Regular.ttc"), ("B", "NotoSansCJK-Bold.ttc"))
            if (SYSTEM_CJK_DIR / name).exists()
        }
        if self._pending_fallback:
            # Parsing and subsetting the two 20 MB TTCs triples the time of every form, yet only
            # rare names need them. Declare the fallback font keys now, so fpdf2 consults
            # get_fallback_font() for characters the GBK font lacks, and load the faces there.
            # A bold rare character may still use the regular face if bold is not installed.
            self.declare_fallback_fonts([FALLBACK_FAMILY.lower() + style for style in self._pending_fallback],
                                        exact_match=False)

    def get_fallback_font(self, char: str, style: str = "") -> str | None:
        """fpdf2 hook, called for a character the current font lacks: load the system faces once."""
        pending, self._pending_fallback = self._pending_fallback, {}
        for font_style, path in pending.items():
            self.add_font(FALLBACK_FAMILY, font_style, path, collection_font_number=SYSTEM_SC_FACE)
        return super().get_fallback_font(char, style)

    # ---- page frame -------------------------------------------------------------------------

    def header(self) -> None:
        self.set_font(FAMILY, size=9)
        self.set_text_color(*TEXT_GREY)
        self.set_xy(self.l_margin, 9)
        self.cell(self.epw / 2, 5, self.company, align="L")
        self.cell(self.epw / 2, 5, self.form_code, align="R")
        self.set_draw_color(120, 120, 120)
        self.set_line_width(0.2)
        self.line(self.l_margin, 15, self.w - self.r_margin, 15)
        self.set_text_color(0, 0, 0)
        self.set_draw_color(0, 0, 0)
        self.set_y(self.t_margin)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FAMILY, size=8)
        self.set_text_color(*TEXT_GREY)
        self.cell(self.epw / 2, 5, f"打印时间 {self.printed_at}", align="L")
        # {nb} is fpdf2's alias, replaced by the total page count when the document closes.
        self.cell(self.epw / 2, 5, f"第 {self.page_no()} 页 / 共 {{nb}} 页", align="R")
        self.set_text_color(0, 0, 0)

    # ---- layout helpers ---------------------------------------------------------------------

    @property
    def title(self) -> _CallableTitle:  # type: ignore[override]
        """``pdf.title(text, subtitle=None)`` draws the form title; as a str it is the PDF metadata."""
        return _CallableTitle(self._meta_title or "", self._draw_title)

    @title.setter
    def title(self, value: str | None) -> None:  # FPDF.__init__ and set_title() assign here
        self._meta_title = value

    def _draw_title(self, text: str, subtitle: str | None = None) -> None:
        if not self._meta_title:
            self.set_title(text)
        self.set_font(FAMILY, "B", 16)
        self.multi_cell(0, 9, text, align="C", new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR)
        if subtitle:
            self.set_font(FAMILY, "", 10)
            self.set_text_color(*TEXT_GREY)
            self.multi_cell(0, 6, subtitle, align="C", new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR)
            self.set_text_color(0, 0, 0)
        self.ln(3)
        self.set_font(FAMILY, "", BODY_SIZE)

    def section(self, heading: str) -> None:
        self.ln(2)
        self.set_font(FAMILY, "B", 11)
        self.multi_cell(0, 7, heading, new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR)
        self.set_font(FAMILY, "", BODY_SIZE)

    def paragraph(self, text: str) -> None:
        self.set_font(FAMILY, "", BODY_SIZE)
        self.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR)
        self.ln(1)

    def kv_grid(self, pairs: Sequence[tuple[str, str]], columns: int = 2) -> None:
        """Label/value pairs, ``columns`` pairs per row; labels shaded, values wrap."""
        if not pairs:
            return
        # Relative widths: each label gets 2 parts, each value 5 parts.
        widths = [2, 5] * columns
        label_style = FontFace(emphasis="BOLD", fill_color=LABEL_FILL)
        self.set_font(FAMILY, "", BODY_SIZE)
        with self._plain_table(col_widths=widths, first_row_as_headings=False) as tbl:
            for start in range(0, len(pairs), columns):
                row = tbl.row()
                chunk = list(pairs[start : start + columns])
                for i, (label, value) in enumerate(chunk):
                    row.cell(label, style=label_style)
                    # A short last row: stretch its last value over the empty slots.
                    last = i == len(chunk) - 1
                    row.cell(value, colspan=1 + 2 * (columns - len(chunk)) if last else 1)
        self.ln(3)

    def table(  # type: ignore[override]  # FPDF.table is a context manager; forms want one call
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[object]],
        col_widths: Sequence[float] | None = None,
        font_size: float = BODY_SIZE,
    ) -> None:
        """Bordered table; header row is bold, shaded and repeated on every page.

        ``col_widths`` are relative (fractions of the page width); ``font_size`` for a register with many columns.
        Replaces fpdf2's context-manager ``FPDF.table()``; call ``FPDF.table(pdf, ...)`` for that API.
        """
        self.set_font(FAMILY, "", font_size)
        heading_style = FontFace(emphasis="BOLD", fill_color=LABEL_FILL)
        widths = tuple(col_widths) if col_widths else None
        with self._plain_table(col_widths=widths, headings_style=heading_style) as tbl:
            tbl.row([str(h) for h in headers])
            for values in rows:
                tbl.row(["" if v is None else str(v) for v in values])
        self.set_font(FAMILY, "", BODY_SIZE)
        self.ln(3)

    def _plain_table(self, **kwargs: object) -> AbstractContextManager[Table]:
        # The shared look of kv_grid and table; FPDF.table is fpdf2's context-manager API.
        return super().table(
            line_height=5.5,
            padding=(1, 1.5),
            text_align="LEFT",
            v_align="MIDDLE",
            wrapmode=WrapMode.CHAR,  # CJK has no spaces: break by character
            **kwargs,
        )

    def signature_lines(self, labels: Sequence[str]) -> None:
        """One column per signer: "<label>：____" and "日期：____" lines side by side."""
        if not labels:
            return
        row_h, gap = 9.0, 6.0
        if self.will_page_break(2 * row_h + 6):
            self.add_page()
        self.ln(6)
        self.set_font(FAMILY, "", BODY_SIZE)
        col_w = self.epw / len(labels)
        label_w = max(self.get_string_width(f"{label}：") for label in [*labels, "日期"]) + 1
        top = self.y
        for i, label in enumerate(labels):
            x0 = self.l_margin + i * col_w
            for j, text in enumerate((f"{label}：", "日期：")):
                y = top + j * row_h
                self.set_xy(x0, y)
                self.cell(label_w, row_h, text, align="R")
                # Line on the text baseline so handwriting has room above it.
                self.line(x0 + label_w, y + row_h - 2, x0 + col_w - gap, y + row_h - 2)
        self.set_xy(self.l_margin, top + 2 * row_h)
        self.ln(2)

    # ---- output -----------------------------------------------------------------------------

    def before_output(self) -> None:
        """Replace each shared font by the cut holding this document's glyphs.

        fpdf2 calls this as it writes the PDF, i.e. after it has drawn the last footer and filled in
        the page count, the last steps that use new glyphs.
        """
        for fontkey, face in self._shared_faces.items():
            internals.replace_font_program(self.fonts[fontkey], face.cut(self.fonts[fontkey])).close()
        self._shared_faces = {}

    def output_bytes(self) -> bytes:
        """Render the PDF; raise MissingGlyphError if any character had no glyph in any font."""
        if self._pdf_bytes is None:
            # fpdf2 subsets its font objects in place while writing, so render only once.
            self._pdf_bytes = bytes(self.output())
        data = self._pdf_bytes
        # fpdf2 records code points it could not map (after trying fallbacks) per font.
        missing = [chr(cp) for cp in internals.missing_code_points(self)]
        # Control characters (tabs etc.) are layout, not glyphs.
        missing = [c for c in dict.fromkeys(missing) if unicodedata.category(c) != "Cc"]
        if missing:
            raise MissingGlyphError(missing)
        return data
