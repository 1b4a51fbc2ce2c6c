"""Checking uploaded photos and scans before they are stored in the database (design.md §6).

The type is decided by the file's content (magic bytes), never by its name: JPG, PNG and PDF only. Images
are decoded and re-encoded with Pillow, which drops anything hidden after the image data and the EXIF
block (GPS position, camera serial), and refuses decompression bombs. PDFs are accepted only when they
are complete and carry no active content (JavaScript, launch actions, embedded files). Every refusal is a
Chinese ``DomainError``. Call ``clean_upload`` before opening the write transaction (it is CPU work).
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import DomainError

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PDF_MAGIC = b"%PDF-"
MIME = {"jpg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; anything bigger is refused before it is decoded
MAX_SIDE = 4096  # longer images are scaled down: enough for a scan, small enough for the database
PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA)\b")
ALLOWED_TEXT = "只接受 JPG、PNG 图片或 PDF 文件（按文件内容判断，改扩展名无效）"


@dataclass(frozen=True)
class CleanUpload:
    data: bytes
    kind: str  # "jpg" | "png" | "pdf"
    mime: str
    filename: str


def detect_kind(data: bytes) -> str | None:
    if data.startswith(JPEG_MAGIC):
        return "jpg"
    if data.startswith(PNG_MAGIC):
        return "png"
    if data.startswith(PDF_MAGIC):
        return "pdf"
    return None


def safe_filename(name: str | None, kind: str) -> str:
    """A display name without path parts or control characters, ending in the detected type."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip().strip(".")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = stem[:80] or "附件"
    return f"{stem}.{kind}"


def _reencode_image(data: bytes, kind: str) -> bytes:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise DomainError(f"图片尺寸过大（{probe.width}×{probe.height}），请缩小后再上传")
                probe.verify()  # structure and checksums, without decoding the pixels
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
                image.thumbnail((MAX_SIDE, MAX_SIDE))
                out = io.BytesIO()
                if kind == "jpg":
                    if image.mode not in ("RGB", "L"):
                        image = image.convert("RGB")
                    image.save(out, format="JPEG", quality=85, optimize=True)
                else:
                    if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                        image = image.convert("RGBA")
                    image.save(out, format="PNG", optimize=True)
                return out.getvalue()
    except DomainError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise DomainError("图片尺寸过大，请缩小后再上传") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise DomainError("图片文件已损坏或不完整，无法识别，请重新拍照或导出后上传") from exc


def _check_pdf(data: bytes) -> bytes:
    if b"%%EOF" not in data[-2048:]:
        raise DomainError("PDF 文件不完整（可能未下载完），请重新导出后上传")
    if PDF_ACTIVE.search(data):
        raise DomainError("PDF 中含有脚本、自动动作或嵌入文件，出于安全原因不能上传；请“打印为 PDF”后再上传")
    return data


def clean_upload(data: bytes, filename: str | None, *, max_bytes: int) -> CleanUpload:
    """The checked (images: re-encoded) file, or a Chinese ``DomainError`` saying what is wrong."""
    if not data:
        raise DomainError("文件为空，请重新选择")
    if len(data) > max_bytes:
        raise DomainError(f"文件过大：最大 {max_bytes // 1024} KB，本文件 {len(data) // 1024} KB")
    kind = detect_kind(data)
    if kind is None:
        raise DomainError(ALLOWED_TEXT)
    cleaned = _check_pdf(data) if kind == "pdf" else _reencode_image(data, kind)
    if len(cleaned) > max_bytes:  # a re-encoded PNG can grow
        raise DomainError(f"文件过大：处理后超过 {max_bytes // 1024} KB，请压缩后再上传")
    return CleanUpload(cleaned, kind, MIME[kind], safe_filename(filename, kind))
