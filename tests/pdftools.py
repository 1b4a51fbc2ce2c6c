"""pdftotext for the PDF text checks: skipped on a developer machine without poppler-utils, a failure in CI.

CI (``CI`` set, as ``.ci/run`` does) must never pass by skipping the checks that read the Chinese text back.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

MISSING = "pdftotext (poppler-utils) not installed"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def pdftotext() -> str:
    """Path of pdftotext; otherwise skip the test locally and fail it in CI."""
    path = shutil.which("pdftotext")
    if path:
        return path
    if in_ci():
        pytest.fail(f"{MISSING}: CI runs every PDF text check (apt-get install poppler-utils)", pytrace=False)
    pytest.skip(MISSING)


# Mark a test that reads PDF text: ``@needs_pdftotext`` (fixture ``pdftotext_required`` in tests/conftest.py).
needs_pdftotext = pytest.mark.usefixtures("pdftotext_required")


def layout_text(path: os.PathLike[str] | str) -> str | None:
    """``pdftotext -layout`` of a PDF file, for a long journey that should not stop at its last step:
    ``None`` locally without pdftotext (the caller skips the text check), a failure in CI."""
    if shutil.which("pdftotext") is None and not in_ci():
        return None
    return subprocess.run([pdftotext(), "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
