"""Tests for core.pdf.base: the Chinese A4 form base (fonts, layout helpers, glyph checks)."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from core.pdf import base
from core.pdf.base import FormPDF, MissingGlyphError, font_path

PDFTOTEXT = shutil.which("pdftotext")
needs_pdftotext = pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) not installed")
HAS_SYSTEM_FALLBACK = (base.SYSTEM_CJK_DIR / "NotoSansCJK-Regular.ttc").exists()

PRINTED_AT = datetime(2024, 5, 6, 14, 30)
HEADERS = ["序号", "日期", "处理人", "处理内容", "金额", "备注"]
LONG_TEXT = "上门查看渗水情况，确认为楼上卫生间防水层老化导致，已联系楼上业主约定维修时间，生僻字龘鬱囧犇。"


def pdf_text(data: bytes, tmp_path: Path, page: int | None = None) -> str:
    """Text of the PDF (or one page) in content order, with all whitespace removed."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    args = [PDFTOTEXT, "-raw", "-enc", "UTF-8"]
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
        cmap = TTFont(path, lazy=True).getBestCmap()
        missing = [c for c in "龘鬱囧犇¥✓×—“”‘’·№①⑩，。：；（）￥物业客服台abcXYZ019" if ord(c) not in cmap]
        assert missing == [], f"{path.name} lacks {missing}"


def test_sample_is_pdf_with_embedded_cjk_fonts(sample_pdf):
    assert sample_pdf.startswith(b"%PDF-")
    assert b"/BaseFont /MPDFAA+NotoSansSCGBK" in sample_pdf
    assert b"/BaseFont /MPDFAA+NotoSansSCGBKBold" in sample_pdf
    # Both GBK weights embedded as font programs; the system fallback is not loaded for GBK-only text.
    assert sample_pdf.count(b"/FontFile3") == 2


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
    assert data.count(b"/FontFile3") == 4  # GBK regular + bold, fallback regular + bold
    if PDFTOTEXT:
        assert "吉𠮷家" in pdf_text(data, tmp_path)


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
