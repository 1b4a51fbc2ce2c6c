"""Tests for core.pdf.base: the Chinese A4 form base (fonts, layout helpers, glyph checks)."""

from __future__ import annotations

import ast
import re
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from core.pdf import base
from core.pdf.base import FormPDF, MissingGlyphError, font_path
from tests.pdftools import needs_pdftotext, pdftotext

HAS_SYSTEM_FALLBACK = (base.SYSTEM_CJK_DIR / "NotoSansCJK-Regular.ttc").exists()

PRINTED_AT = datetime(2024, 5, 6, 14, 30)
HEADERS = ["序号", "日期", "处理人", "处理内容", "金额", "备注"]
LONG_TEXT = "上门查看渗水情况，确认为楼上卫生间防水层老化导致，已联系楼上业主约定维修时间，生僻字龘鬱囧犇。"


def pdf_text(data: bytes, tmp_path: Path, page: int | None = None) -> str:
    """Text of the PDF (or one page) in content order, with all whitespace removed."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    args = [pdftotext(), "-raw", "-enc", "UTF-8"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    out = subprocess.run([*args, str(path), "-"], check=True, capture_output=True).stdout
    return re.sub(r"\s+", "", out.decode("utf-8"))


def sample_form() -> FormPDF:
    pdf = FormPDF("阳光花园物业服务中心", "KF-01", PRINTED_AT)
    pdf.title("业主报修登记单", "编号 № BX-20240506-001")
    pdf.kv_grid(
        [
            ("业主姓名", "张三"),
            ("房号", "3栋2单元1201"),
            ("报修类别", "水电 ✓ 土建 ×"),
            ("费用", "¥1,234.00"),
            ("问题描述", "卫生间天花板渗水，疑似楼上防水层破损，需上门查看并协调楼上业主配合维修。" * 2),
        ]
    )
    pdf.section("一、处理记录")
    rows = [[i, "2024-05-06", "李四", LONG_TEXT, "¥1,234.00", "“已确认”"] for i in (1, 2)]
    pdf.table(HEADERS, rows, col_widths=[8, 18, 14, 50, 18, 22])
    pdf.paragraph("说明：本单一式两联，第一联由管理处存档，第二联交业主。")
    pdf.signature_lines(["经办人", "客服主任", "管理处主任"])
    return pdf


@pytest.fixture(scope="module")
def sample_pdf() -> bytes:
    return sample_form().output_bytes()


def test_shipped_fonts_cover_form_characters():
    for bold in (False, True):
        path = font_path(bold=bold)
        assert path.is_file() and path.stat().st_size > 3_000_000
        font = TTFont(path, lazy=True)
        assert "glyf" in font and "CFF " not in font  # FormPDF cuts per-document fonts from TrueType outlines
        cmap = font.getBestCmap()
        missing = [c for c in "龘鬱囧犇¥✓×—“”‘’·№①⑩，。：；（）￥物业客服台abcXYZ019" if ord(c) not in cmap]
        assert missing == [], f"{path.name} lacks {missing}"


def test_sample_is_pdf_with_embedded_cjk_fonts(sample_pdf):
    assert sample_pdf.startswith(b"%PDF-")
    assert b"/BaseFont /MPDFAA+NotoSansSCGBK" in sample_pdf
    assert b"/BaseFont /MPDFAA+NotoSansSCGBKBold" in sample_pdf
    # Both GBK weights embedded as TrueType programs; the system fallback is not loaded for GBK-only text.
    assert sample_pdf.count(b"/FontFile2") == 2
    assert sample_pdf.count(b"/FontFile3") == 0


@needs_pdftotext
def test_sample_text_extracts_as_chinese(sample_pdf, tmp_path):
    text = pdf_text(sample_pdf, tmp_path)
    for expected in [
        "阳光花园物业服务中心",
        "KF-01",
        "业主报修登记单",
        "业主姓名张三",
        "水电✓土建×",
        "¥1,234.00",
        "一、处理记录",
        "".join(HEADERS),
        LONG_TEXT,  # wrapped over several lines, still in order
        "经办人：",
        "管理处主任：",
        "日期：",
        "打印时间2024-05-0614:30",
        "第1页/共1页",
    ]:
        assert expected in text, f"{expected!r} not found in extracted text"


@needs_pdftotext
def test_multi_page_table_repeats_header(tmp_path):
    pdf = FormPDF("阳光花园物业服务中心", "KF-02", "2024-05-06 09:00")
    pdf.title("报修台账")
    rows = [[i, "2024-05-06", "李四", f"第{i}条记录：{LONG_TEXT}", "¥10.00", ""] for i in range(1, 41)]
    pdf.table(HEADERS, rows, col_widths=[8, 18, 14, 50, 18, 22])
    data = pdf.output_bytes()
    pages = pdf.page_no()
    assert pages >= 3
    for page in range(1, pages + 1):
        text = pdf_text(data, tmp_path, page)
        assert "".join(HEADERS) in text, f"header row missing on page {page}"
        assert f"第{page}页/共{pages}页" in text
    assert f"第40条记录：{LONG_TEXT}" in pdf_text(data, tmp_path, pages)


@pytest.mark.parametrize("where", ["paragraph", "table", "kv_grid", "header"])
def test_uncovered_character_raises(where):
    bad = "\ue000\U00017000"  # private-use and Tangut: in neither the GBK font nor the system fallback
    pdf = FormPDF(f"公司{bad}" if where == "header" else "公司", "KF-03", PRINTED_AT)
    if where == "paragraph":
        pdf.paragraph(f"正常文字{bad}正常文字")
    elif where == "table":
        pdf.table(["名称"], [[f"单元格{bad}"]])
    elif where == "kv_grid":
        pdf.kv_grid([("备注", f"值{bad}")])
    with pytest.raises(MissingGlyphError) as err:
        pdf.output_bytes()
    assert err.value.chars == list(bad)


@pytest.mark.skipif(not HAS_SYSTEM_FALLBACK, reason="Debian fonts-noto-cjk not installed")
def test_rare_character_outside_gbk_uses_system_fallback(tmp_path):
    pdf = FormPDF("公司", "KF-04", PRINTED_AT)
    pdf.paragraph("吉𠮷家")
    pdf.section("𠮷")  # bold text falls back too
    data = pdf.output_bytes()
    assert data.count(b"/FontFile2") == 2  # GBK regular + bold (TrueType)
    assert data.count(b"/FontFile3") == 2  # fallback regular + bold (the system CFF faces)
    assert "吉𠮷家" in pdf_text(data, tmp_path)  # skips here only locally without pdftotext


def test_rare_character_without_fallback_raises(monkeypatch, tmp_path):
    monkeypatch.setattr(base, "SYSTEM_CJK_DIR", tmp_path)  # no TTCs here
    pdf = FormPDF("公司", "KF-05", PRINTED_AT)
    pdf.paragraph("吉𠮷家")
    with pytest.raises(MissingGlyphError, match=r"U\+20BB7") as err:
        pdf.output_bytes()
    assert err.value.chars == ["𠮷"]


def test_landscape_and_metadata():
    pdf = FormPDF("公司", "KF-06", PRINTED_AT, landscape=True)
    assert round(pdf.w) == 297 and round(pdf.h) == 210
    pdf.title("横向表单")
    assert pdf.title == "横向表单"  # as a str it is the document metadata title
    data = pdf.output_bytes()
    assert b"/Title" in data


def test_module_is_pure():
    tree = ast.parse(Path(base.__file__).read_text(encoding="utf-8"))
    imported = {
        name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for name in ([a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""])
    }
    assert not imported & {"streamlit", "sqlmodel", "sqlalchemy"}
    assert "datetime.now" not in Path(base.__file__).read_text(encoding="utf-8")


def test_documents_cut_the_shared_fonts_and_leave_them_untouched(monkeypatch):
    """Each document embeds a cut of the once-parsed font; documents never write to the shared face."""
    face = base._shared_face(font_path())
    def state():
        proto = face.proto
        return len(proto.cw), len(proto.cmap), len(face.gid), dict(vars(proto.desc)), list(proto.missing_glyphs)

    snapshot = state()
    cuts: list[int] = []
    real_cut = base._SharedFace.cut

    def counting_cut(self, font):
        cut = real_cut(self, font)
        cuts.append(len(cut.getGlyphOrder()))
        return cut

    monkeypatch.setattr(base._SharedFace, "cut", counting_cut)
    for _ in range(2):
        sample_form().output_bytes()
        pdf = FormPDF("公司", "KF-07", PRINTED_AT)
        pdf.paragraph("龘\ue000")  # a missing glyph is recorded per document, not on the shared face
        with pytest.raises(MissingGlyphError):
            pdf.output_bytes()
    assert len(cuts) == 8  # regular + bold, 4 documents
    assert all(n < 300 for n in cuts), cuts  # a few hundred glyphs, not the 21,882 of the font
    assert state() == snapshot


@needs_pdftotext
def test_concurrent_documents_from_many_threads(monkeypatch, tmp_path):
    """The Streamlit server renders forms for several users at once from the shared fonts."""
    monkeypatch.setattr(base, "_faces", {})  # the first documents also race to parse the fonts
    # Each thread prints text of its own, so a glyph or width leaking between documents shows.
    names = ["张三", "李四", "王五", "赵六", "钱七", "孙八", "周九", "吴十"]
    start = threading.Barrier(len(names))

    def render(i: int) -> bytes:
        start.wait()
        pdf = FormPDF(f"{names[i]}物业", f"KF-T{i}", PRINTED_AT)
        pdf.title(f"{names[i]}的报修单", f"编号 {i:03d}")
        rows = [[j, f"{names[i]}第{j}条", LONG_TEXT[j * 3 :]] for j in range(1, 15)]
        pdf.table(["序号", "经办人", "记录"], rows, col_widths=[8, 20, 72])
        pdf.kv_grid([("业主", names[i]), ("备注", "龘鬱囧犇" if i % 2 else "✓×¥")])
        return pdf.output_bytes()

    with ThreadPoolExecutor(len(names)) as pool:
        results = list(pool.map(render, range(len(names))))
    for i, data in enumerate(results):
        out = tmp_path / str(i)
        out.mkdir()
        text = pdf_text(data, out)
        for expected in [f"{names[i]}物业", f"{names[i]}的报修单", f"编号{i:03d}", f"{names[i]}第14条",
                         LONG_TEXT[42:], "龘鬱囧犇" if i % 2 else "✓×¥", "第1页/共"]:
            assert expected in text, f"document {i}: {expected!r} not found"
        others = [n for n in names if n != names[i]]
        assert not any(n in text for n in others), f"document {i} holds another document's text"
