"""The one place where the app's look is adjusted over Streamlit's own page structure (issue 10 §2).

Streamlit 1.67 offers no parameter for some texts a user sees (the file uploader's button and size line, the
"Page not found" dialog, the "Press Enter to apply" hint) nor for the empty band above every title. Here one
constant ``<style>`` block — never data — rewrites them by Streamlit's ``data-testid`` attributes. The
selectors are listed in ``SELECTORS``; ``tests/e2e/test_every_page_chinese.py`` fails when an upgrade changes
the structure (a selector no longer matches, or the English text shows again).

Texts that do have a parameter are set where the widget is made: ``placeholder=PICK`` on every selectbox and
multiselect; ``upload_label`` names an uploader's types and size limit in its label.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parents[1]
FAVICON = str(ROOT / "assets" / "favicon.png")  # served by the app itself: an intranet install has no internet
PICK = "请选择"  # placeholder of every selectbox / multiselect (Streamlit's default is "Choose an option")
PICK_MANY = "请选择（可多选）"

# Each selector this sheet relies on, with what it must find on a page that shows the element (for the test).
SELECTORS = {
    "main": '[data-testid="stMainBlockContainer"]',
    "header": '[data-testid="stHeader"]',
    "sidebar_header": '[data-testid="stSidebarHeader"]',
    "cookie_frame": '[data-testid="stMainBlockContainer"] .st-key-init iframe',
    "uploader_button": '[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] '
                       '[data-testid="stMarkdownContainer"] p',
    "uploader_hint": '[data-testid="stFileUploaderDropzoneInstructions"] span',
    # shown only while a file is dragged over the box: an unnamed overlay <div><span>Drag and drop files here
    "uploader_drag": '[data-testid="stFileUploaderDropzone"] > div:not([data-testid]) > span:only-child',
    "input_hint": '[data-testid="InputInstructions"] > span:first-child',
    "error_dialog_title": '[data-testid="stDialog"] section[role="dialog"]:not(:has([data-testid="stVerticalBlock"]))'
                          ' > h2',
}

_CSS = """
<style>
/* Compact page top: Streamlit keeps ~6rem above the first element for its header. */
[data-testid="stMainBlockContainer"] { padding-top: 2.75rem; padding-bottom: 2rem; }
[data-testid="stHeader"] { height: 2.5rem; min-height: 2.5rem; background: transparent; }
[data-testid="stMainBlockContainer"] h1 { padding-top: 0; padding-bottom: 0.25rem; }
[data-testid="stSidebarHeader"] { height: 2.5rem; margin-bottom: 0; }
[data-testid="stSidebarUserContent"] { padding-top: 0.25rem; }
/* The login cookie's invisible component frame (key "init") took a 26 px row above every title. */
[data-testid="stMainBlockContainer"] .st-key-init { position: absolute; height: 0; overflow: hidden; }

/* File uploader: "Upload" and "10MB per file • JPG, PNG" (the types and limit are in the widget's label). */
[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"] p {
  font-size: 0;
}
[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"] p::after {
  content: "选择文件"; font-size: 0.875rem;
}
[data-testid="stFileUploaderDropzoneInstructions"] span { font-size: 0; }
[data-testid="stFileUploaderDropzoneInstructions"] span::after {
  content: "或将文件拖放到此处"; font-size: 0.875rem;
}
[data-testid="stFileUploaderDropzone"] > div:not([data-testid]) > span:only-child { font-size: 0; }
[data-testid="stFileUploaderDropzone"] > div:not([data-testid]) > span:only-child::after {
  content: "松开鼠标即可添加文件"; font-size: 0.875rem;
}

/* "Press Enter to apply" / "Press Enter to submit form" / "Press Ctrl+Enter to apply" under text inputs. */
[data-testid="InputInstructions"] > span:first-child { font-size: 0; }
[data-testid="InputInstructions"] > span:first-child::after { font-size: 0.75rem; content: "按回车键确认"; }
[data-testid="stForm"] [data-testid="InputInstructions"] > span:first-child::after { content: "按回车键提交"; }
[data-testid="stTextArea"] [data-testid="InputInstructions"] > span:first-child::after { content: "按 Ctrl+Enter 确认"; }
[data-testid="stForm"] [data-testid="stTextArea"] [data-testid="InputInstructions"] > span:first-child::after {
  content: "按 Ctrl+Enter 提交";
}

/* Streamlit's own error dialog ("Page not found" for an unknown address; st.dialog holds a block, this one not). */
[data-testid="stDialog"] section[role="dialog"]:not(:has([data-testid="stVerticalBlock"])) > h2 { font-size: 0; }
[data-testid="stDialog"] section[role="dialog"]:not(:has([data-testid="stVerticalBlock"])) > h2::after {
  content: "无法打开该页面"; font-size: 1.5rem;
}
[data-testid="stDialog"] section[role="dialog"]:not(:has([data-testid="stVerticalBlock"])) > div > div { font-size: 0; }
[data-testid="stDialog"] section[role="dialog"]:not(:has([data-testid="stVerticalBlock"])) > div > div::after {
  content: "您打开的地址没有对应的页面，或页面暂时无法显示，已为您打开首页。如问题持续，请刷新浏览器或联系系统管理员。";
  font-size: 1rem;
}
</style>
"""


def apply_theme() -> None:
    """Once per run, from ``app.py`` (before the login gate, so the login page is compact and Chinese too)."""
    st.html(_CSS)


def upload_label(text: str, types: list[str] | tuple[str, ...], limit_bytes: int) -> str:
    """An uploader's label naming what Streamlit's own (hidden) size line said: types and the per-file limit."""
    kinds = "、".join(t.upper().lstrip(".") for t in types if t.lower() != "jpeg")
    mb, kb = divmod(limit_bytes, 1024 * 1024)
    size = f"{mb} MB" if mb and not kb else f"{max(1, limit_bytes // 1024)} KB"
    return f"{text}（{kinds}，每个不超过 {size}）"
