"""Printable Chinese PDF forms."""

from core.pdf.base import FormPDF, MissingGlyphError, font_path

__all__ = ["FormPDF", "MissingGlyphError", "font_path"]
