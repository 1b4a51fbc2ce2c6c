"""Uploaded files are judged by their content (``core.uploads``): corrupt, disguised or hostile files are refused
in Chinese; accepted images come back re-encoded without metadata or trailing payloads."""

from __future__ import annotations

import io

import pytest
from fpdf import FPDF
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from core.errors import DomainError
from core.uploads import JPEG_MAGIC, PDF_MAGIC, PNG_MAGIC, clean_upload, safe_filename

MB = 1024 * 1024


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def jpeg(size=(64, 48), exif_gps=False) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    kwargs = {}
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "SecretCam"  # Make
        exif[0x8825] = {1: "N", 2: (30.0, 15.0, 0.0)}  # GPS IFD
        kwargs["exif"] = exif
    image.save(out, format="JPEG", **kwargs)
    return out.getvalue()


def png(size=(32, 32), mode="RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, format="PNG")
    return out.getvalue()


def pdf() -> bytes:
    doc = FPDF()
    doc.add_page()
    doc.set_font("helvetica")
    doc.cell(text="scan")
    return bytes(doc.output())


def refused(data: bytes, name: str = "x", max_bytes: int = 5 * MB) -> str:
    with pytest.raises(DomainError) as info:
        clean_upload(data, name, max_bytes=max_bytes)
    assert has_cjk(info.value.message), info.value.message
    return info.value.message


def test_a_jpeg_is_re_encoded_without_exif_and_without_a_trailing_payload():
    payload = b"<script>alert(1)</script>PK\x03\x04secret.zip"
    original = jpeg(exif_gps=True) + payload
    assert b"SecretCam" in original
    result = clean_upload(original, "现场照片.JPG", max_bytes=5 * MB)
    assert (result.kind, result.mime, result.filename) == ("jpg", "image/jpeg", "现场照片.jpg")
    assert result.data.startswith(JPEG_MAGIC)
    assert b"SecretCam" not in result.data and payload not in result.data
    with Image.open(io.BytesIO(result.data)) as image:
        assert image.size == (64, 48) and not image.getexif()


def test_png_and_pdf_are_accepted():
    result = clean_upload(png(), "平面图.png", max_bytes=MB)
    assert result.kind == "png" and result.data.startswith(PNG_MAGIC)
    document = pdf()
    result = clean_upload(document, "回执.pdf", max_bytes=MB)
    assert (result.kind, result.data) == ("pdf", document)


def test_the_name_does_not_decide_the_type():
    assert clean_upload(pdf(), "报告.exe", max_bytes=MB).filename == "报告.pdf"
    message = refused(b"MZ\x90\x00" + b"\x00" * 200, "照片.jpg")
    assert "JPG" in message and "PDF" in message
    refused(b"GIF89a" + b"\x00" * 100, "动图.png")
    refused(b"<html><script>x</script></html>", "page.pdf")


def test_corrupt_and_truncated_images_are_refused():
    whole = jpeg(size=(400, 300))
    assert "损坏" in refused(whole[: len(whole) // 2], "半张.jpg")
    broken_png = bytearray(png(size=(64, 64), mode="RGB"))
    start = broken_png.index(b"IDAT") + 8
    broken_png[start:start + 20] = b"\x00" * 20
    assert "损坏" in refused(bytes(broken_png), "坏图.png")
    refused(JPEG_MAGIC + b"\x00" * 64, "only-magic.jpg")
    refused(PNG_MAGIC, "only-magic.png")


def test_hostile_or_incomplete_pdfs_are_refused():
    document = pdf()
    assert "脚本" in refused(document.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"))
    assert "不完整" in refused(document[: len(document) - 200])
    refused(PDF_MAGIC + b"1.7\n/EmbeddedFile\n%%EOF")


def test_size_cap_and_empty_files():
    assert "过大" in refused(jpeg(), max_bytes=100)
    assert "为空" in refused(b"")


def test_decompression_bombs_are_refused_before_decoding():
    bomb = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(bomb, format="PNG")  # ~12 KB on disk, 100 megapixels decoded
    assert len(bomb.getvalue()) < 100_000
    assert "尺寸过大" in refused(bomb.getvalue(), "bomb.png")


def test_large_photos_are_scaled_down():
    big = jpeg(size=(6000, 1000))
    result = clean_upload(big, "长图.jpg", max_bytes=20 * MB)
    with Image.open(io.BytesIO(result.data)) as image:
        assert max(image.size) == 4096


@pytest.mark.parametrize(("name", "expected"), [
    ("../../etc/passwd.jpg", "passwd.jpg"),
    ("C:\\Users\\张三\\照片.jpeg", "照片.jpg"),
    ("a\x00b\x1b[31m.jpg", "ab[31m.jpg"),
    ("", "附件.jpg"),
    (None, "附件.jpg"),
    ("....", "附件.jpg"),
    ("长" * 300 + ".jpg", "长" * 80 + ".jpg"),
])
def test_filenames_are_made_safe(name, expected):
    assert safe_filename(name, "jpg") == expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from([b"", JPEG_MAGIC, PNG_MAGIC, PDF_MAGIC, jpeg()[:200], png()[:60]]),
       body=st.binary(max_size=4096), name=st.text(max_size=40))
def test_arbitrary_bytes_are_accepted_cleanly_or_refused_in_chinese(prefix, body, name):
    try:
        result = clean_upload(prefix + body, name, max_bytes=MB)
    except DomainError as exc:
        assert has_cjk(exc.message)
    else:
        assert result.kind in ("jpg", "png", "pdf") and result.filename.endswith("." + result.kind)
        assert "/" not in result.filename and "\x00" not in result.filename
