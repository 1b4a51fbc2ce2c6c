"""Driving the real app.py with ``streamlit.testing.v1.AppTest``: log in through the form, read the menu, open pages.

Paths for ``AppTest.from_file`` are absolute (relative ones resolve against the test file); paths for
``switch_page`` are relative to app.py (stack-notes §8.10).
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
TIMEOUT = 30
REFUSED = "无权访问"


def new_app() -> AppTest:
    """A fresh browser session on the login form."""
    return AppTest.from_file(APP, default_timeout=TIMEOUT).run()


def page_script(path: str) -> AppTest:
    """One page script run on its own, without app.py (the page's own guard is all that stands)."""
    return AppTest.from_file(str(ROOT / path), default_timeout=TIMEOUT)


def login(at: AppTest, username: str, password: str) -> AppTest:
    """Fill the real login form and press 登录."""
    assert [t.label for t in at.text_input][:2] == ["用户名", "密码"], "the login form is not shown"
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    [b for b in at.button if b.label == "登录"][0].click()
    return at.run()


def logout(at: AppTest) -> AppTest:
    [b for b in at.sidebar.button if b.label == "退出登录"][0].click()
    return at.run()


def menu(at: AppTest) -> list[str]:
    """The sidebar menu as the user sees it: the page_link labels, in order."""
    return [link.value for link in at.sidebar.page_link]


def shows_login_form(at: AppTest) -> bool:
    return [t.label for t in at.text_input] == ["用户名", "密码"] and any(b.label == "登录" for b in at.button)


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def infos(at: AppTest) -> list[str]:
    return [i.value for i in at.info]


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def shows_data(at: AppTest) -> bool:
    """Anything that would show business data: a table, a data frame or a figure."""
    return bool(len(at.dataframe) or len(at.table) or len(at.metric))


def open_url(at: AppTest, url_path: str) -> AppTest:
    """Open a page by its address, as a deep link does in a browser.

    ``switch_page`` only finds pages backed by a file; the refusal pages are callables registered at
    the same address, so look the address up in the registry of the last run (AppTest keeps it in
    ``_registered_pages``; there is no public API for a deep link).
    """
    matches = [h for h, info in at._registered_pages.items() if info.get("url_pathname") == url_path]
    assert matches, f"no page registered at /{url_path}"
    at._page_hash = matches[0]
    return at.run()
