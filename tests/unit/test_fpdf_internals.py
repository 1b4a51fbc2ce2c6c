"""Contract of core/pdf/fpdf_internals.py: the fpdf2 and fontTools internals it relies on (issue 9 §6).

When fpdf2 or fontTools is upgraded, this file fails first and names what moved; fix the adapter (and
its pins), never core/pdf/base.py.
"""

from __future__ import annotations

import inspect
import logging
import struct
from pathlib import Path

import pytest
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable
from fontTools.ttLib.tables._g_l_y_f import Glyph as TTGlyph
from fpdf import FPDF
from fpdf.fonts import TTFFont
from fpdf.output import OutputProducer

from core.pdf import fpdf_internals as fi
from core.pdf.base import FormPDF, composite_glyph_ids, font_path
from tests.pins import assert_pins_hold, importers


def test_versions_are_the_pinned_ones():
    assert_pins_hold(fi.PINS, fi.version_problems)


def test_only_the_adapter_reaches_into_the_libraries():
    private = r"fontTools\.ttLib\.tables\._\w+|fpdf\.output|fpdf\.line_break"
    assert importers(private, adapter="core/pdf/fpdf_internals.py") == []
    base = Path(fi.__file__).with_name("base.py").read_text(encoding="utf-8")
    for name in ("__new__(TTFFont", "__slots__", "SubsetMap", "_fallback_font_ids", ".reader", "OutputProducer"):
        assert name not in base, name


def test_ttffont_slots_are_exactly_the_ones_the_copy_handles():
    slots = set(TTFFont.__slots__)
    assert not fi.SHARED_SLOTS & fi.PER_DOCUMENT_SLOTS
    # A new slot could be per-document state that the copy would share between documents and threads.
    assert slots == fi.SHARED_SLOTS | fi.PER_DOCUMENT_SLOTS, {
        "new in fpdf2": sorted(slots - fi.SHARED_SLOTS - fi.PER_DOCUMENT_SLOTS),
        "gone from fpdf2": sorted((fi.SHARED_SLOTS | fi.PER_DOCUMENT_SLOTS) - slots),
    }


@pytest.fixture(scope="module")
def template() -> TTFFont:
    template = fi.parse_template(font_path())
    yield template
    if template.ttfont is not None:
        fi.release_font_program(template)


def test_a_copy_behaves_like_add_font(template):
    """The copy made through __new__ has every attribute fpdf2's own add_font sets, with equal values."""
    own = FPDF()
    own.add_font("cjk", "", font_path())
    added = own.fonts["cjk"]
    pdf = FPDF()
    copied = fi.attach_copy(pdf, template, "cjk", "", fi.open_font_program(font_path().read_bytes()))
    assert pdf.fonts["cjk"] is copied
    set_by_fpdf2 = {slot for slot in TTFFont.__slots__ if hasattr(added, slot)}
    assert set_by_fpdf2 <= {slot for slot in TTFFont.__slots__ if hasattr(copied, slot)}
    for slot in fi.SHARED_SLOTS & set_by_fpdf2 - {"ttffile"}:
        assert getattr(copied, slot) == getattr(added, slot), slot
    assert copied.i == added.i and copied.fontkey == added.fontkey and copied.emphasis == added.emphasis
    assert vars(copied.desc) == vars(added.desc)
    for pdf_ in (own, pdf):
        pdf_.add_page()
        pdf_.set_font("cjk", size=10)
    assert pdf.get_string_width("物业客服台 ABC 123") == own.get_string_width("物业客服台 ABC 123")
    # Per-document state is not the template's: drawing in one document leaves the template as it was.
    widths_before = len(template.cw)
    pdf.cell(text="龘鬱")
    assert copied.cw is not template.cw and len(template.cw) == widths_before
    assert copied.desc is not template.desc and copied.missing_glyphs is not template.missing_glyphs
    assert {name for name, _ in fi.used_glyphs(copied)} >= {template.cmap[ord("龘")], template.cmap[ord("鬱")]}
    assert (template.cmap[ord("龘")], (ord("龘"),)) in set(fi.used_glyphs(copied))


def test_raw_table_access_matches_the_file(template):
    data = font_path().read_bytes()
    ttfont = template.ttfont
    assert fi.is_truetype(template)
    offset = fi.table_offset(ttfont, "glyf")
    raw = fi.raw_tables(ttfont, ["head", "glyf", "no such table"])
    assert set(raw) == {"head", "glyf"} and all(isinstance(v, bytes) for v in raw.values())
    assert data[offset : offset + 64] == raw["glyf"][:64]


def test_composite_glyphs_are_read_as_fonttools_reads_them():
    """core/pdf/base.py reads composite glyphs itself (OpenType spec); it must agree with fontTools."""
    names = [".notdef", "a", "b", "c", "d", "e"]
    glyf = newTable("glyf")
    glyf.glyphOrder = names
    triangle = TTGlyphPen(None)
    triangle.moveTo((0, 0))
    triangle.lineTo((100, 0))
    triangle.lineTo((0, 100))
    triangle.closePath()
    glyf.glyphs = {name: triangle.glyph() for name in names}
    pen = TTGlyphPen(glyf)
    pen.addComponent("b", (1, 0, 0, 1, 10, 0))  # byte offsets
    pen.addComponent("e", (1.5, 0, 0, 1.5, 300, -200))  # word offsets, one scale
    pen.addComponent("c", (0.5, 0, 0, 1.25, 0, 0))  # x and y scale
    pen.addComponent("a", (1, 0.5, 0.25, 1, 5, 5))  # 2x2 matrix
    pen.addComponent("d", (1, 0, 0, 1, 0, 0))
    data = pen.glyph().compile(glyf)
    assert [names[i] for i in composite_glyph_ids(data)] == TTGlyph(data).getComponentNames(glyf) == list("becad")
    assert composite_glyph_ids(triangle.glyph().compile(glyf)) == [] and composite_glyph_ids(b"") == []


def test_built_font_round_trips(template, tmp_path):
    """A font built from raw tables and glyph bytes saves, reloads and maps its code points (BMP and beyond)."""
    source = TTFont(font_path())
    order = [".notdef", source.getBestCmap()[ord("物")], source.getBestCmap()[ord("业")]]
    glyf = fi.raw_tables(source, ["glyf"])["glyf"]
    loca = source["loca"]
    gid = {name: i for i, name in enumerate(source.getGlyphOrder())}
    glyphs = {name: glyf[loca[gid[name]] : loca[gid[name] + 1]] for name in order}
    tables = fi.raw_tables(source, ["head", "hhea", "maxp", "OS/2", "name"])
    tables["post"] = struct.pack(">l", 0x00030000) + fi.raw_tables(source, ["post"])["post"][4:32]
    metrics = {name: source["hmtx"][name] for name in order}
    built = fi.build_truetype(order, tables, metrics, {ord("物"): order[1], 0x20BB7: order[2]}, glyphs)
    built.save(tmp_path / "cut.ttf")
    again = TTFont(tmp_path / "cut.ttf")
    assert len(again.getGlyphOrder()) == 3  # names are not kept (post format 3); ids are
    assert {cp: again.getGlyphID(name) for cp, name in again.getBestCmap().items()} == {ord("物"): 1, 0x20BB7: 2}
    assert [t.format for t in again["cmap"].tables] == [4, 12]
    for gid, name in enumerate(order):
        assert again["hmtx"][again.getGlyphOrder()[gid]] == source["hmtx"][name]
        assert again["glyf"][again.getGlyphOrder()[gid]].numberOfContours == source["glyf"][name].numberOfContours


def test_document_hooks():
    # fpdf2 fields and signatures HookedFPDF writes to or overrides.
    fresh = FPDF()
    assert fresh._fallback_font_ids == [] and fresh._fallback_font_exact_match is False
    params = inspect.signature(FPDF._parse_chars).parameters
    assert list(params)[:3] == ["self", "text", "markdown"] and "_initial_emphasis" in params
    assert "output_producer_class" in inspect.signature(FPDF.output).parameters
    assert "bufferize" in vars(OutputProducer) and "fpdf" in inspect.signature(OutputProducer.__init__).parameters
    assert "get_fallback_font" in vars(FPDF)
    calls = []

    class Doc(fi.HookedFPDF):
        def before_output(self) -> None:
            calls.append(self.page_no())

    doc = Doc()
    doc.add_page()
    doc.set_font("helvetica", size=10)
    doc.cell(text="x")
    assert bytes(doc.output()).startswith(b"%PDF-") and calls == [1]


def test_fast_text_path_gives_the_same_fragments():
    """With fallback fonts declared, text the font covers splits exactly as without them."""
    plain, declared = FormPDF("公司", "KF", "2026-01-01"), FormPDF("公司", "KF", "2026-01-01")
    plain.declare_fallback_fonts([], exact_match=False)
    declared.declare_fallback_fonts(["cjkfull"], exact_match=False)
    text = "物业客服台 ABC 123\n第二行"
    frags = [(f.characters, f.font.fontkey) for f in plain._parse_chars(text, False)]
    assert [(f.characters, f.font.fontkey) for f in declared._parse_chars(text, False)] == frags
    assert declared._fallback_font_ids == ["cjkfull"]  # restored after the fast path


def test_missing_code_points_are_reported():
    pdf = FormPDF("公司", "KF", "2026-01-01")
    pdf.declare_fallback_fonts([], exact_match=False)  # no system fallback: \ue000 has no glyph anywhere
    pdf.paragraph("字\ue000")
    assert 0xE000 in fi.missing_code_points(pdf)


def test_rendering_a_pdf_writes_no_library_debug_noise(caplog):
    """Issue 10 §2: fontTools wrote ~60 glyph-list lines per PDF into the server log."""
    caplog.set_level(logging.DEBUG)  # root at DEBUG, as a verbose server would run
    FormPDF("公司", "KF-LOG", "2026-01-01").paragraph("物业客服台 投诉处理单 ABC")
    pdf = FormPDF("公司", "KF-LOG", "2026-01-01")
    pdf.paragraph("物业客服台 投诉处理单 ABC")
    assert pdf.output_bytes().startswith(b"%PDF-")
    noisy = [(r.name, r.levelname) for r in caplog.records
             if r.name.split(".")[0] in ("fontTools", "fpdf") and r.levelno < logging.WARNING]
    assert [n for n in noisy if n[0].startswith("fontTools")] == [], noisy[:5]
    assert [n for n in noisy if n[1] == "DEBUG"] == [], noisy[:5]
