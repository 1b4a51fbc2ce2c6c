"""The PDF text checks cannot pass by skipping in CI (issue 9 §6)."""

from __future__ import annotations

import pytest

from tests import pdftools


def test_missing_pdftotext_fails_in_ci_and_skips_locally(monkeypatch, tmp_path):
    monkeypatch.setattr(pdftools.shutil, "which", lambda _name: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="poppler-utils"):
        pdftools.pdftotext()
    with pytest.raises(pytest.fail.Exception):
        pdftools.layout_text(tmp_path / "x.pdf")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        pdftools.pdftotext()
    assert pdftools.layout_text(tmp_path / "x.pdf") is None
