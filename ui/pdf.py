"""One click gives the PDF (design.md §9 "every form record: 打印 PDF"; issue 10 §2).

``st.download_button`` with ``data=`` a callable (Streamlit 1.67 runs it when the button is clicked, on a thread
of its own, and hands the file to the browser): no 打印 → 下载 two-step, no rerun of the page, and the PDF is
rendered only for whoever asks. The callable gets no Streamlit context: pass it everything it needs (the actor,
the record id) in a closure, never read ``st.session_state`` inside it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import streamlit as st

log = logging.getLogger(__name__)


def pdf_button(label: str, render: Callable[[], bytes], file_name: str, *, key: str, icon: str = ":material/print:",
               help: str | None = None, disabled: bool = False, container=None) -> None:
    """A 打印 PDF button: one click renders ``render()`` and downloads it as ``file_name``."""

    def data() -> bytes:
        try:
            return render()
        except Exception:  # the browser shows Streamlit's download error; the server log has the cause
            log.exception("rendering %s failed", file_name)
            raise

    (container or st).download_button(label, data=data, file_name=file_name, mime="application/pdf", key=key,
                                      icon=icon, help=help, disabled=disabled, on_click="ignore")
