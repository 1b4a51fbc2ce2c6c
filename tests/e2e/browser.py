"""Browser helpers for the Playwright journeys (stack-notes §4): settle, log in, log out, read the menu.

Import them in any e2e test: ``from tests.e2e.browser import login, logout, wait_idle, menu``. The
fixtures (one app server, one browser, a fresh ``page`` per test) live in ``tests/e2e/conftest.py``.
Pages are opened relative to the server (``page.goto("/admin_users")``): every context gets ``base_url``.
"""

from __future__ import annotations

import time

IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"][data-test-connection-state="CONNECTED"]'
SIDEBAR = '[data-testid="stSidebar"]'
MENU_LINK = f'{SIDEBAR} [data-testid="stPageLink-NavLink"]'
DATAFRAME = '[data-testid="stDataFrame"], [data-testid="stTable"], [data-testid="stMetric"]'
LOGIN_TIMEOUT_MS = 30_000


def wait_idle(page, quiet_ms: int = 1500, timeout_ms: int = 60_000) -> None:
    """Settled = script not running, connected, no skeleton — continuously for ``quiet_ms``.

    One ``notRunning`` is not enough: the CookieManager iframe loads late and triggers one more rerun,
    and a click during it can be dropped (stack-notes §2.2 pitfall 4).
    """
    deadline = time.monotonic() + timeout_ms / 1000
    quiet = 0
    while time.monotonic() < deadline:
        idle = page.locator(IDLE).count() > 0 and page.locator('[data-testid="stSkeleton"]').count() == 0
        quiet = quiet + 100 if idle else 0
        if quiet >= quiet_ms:
            return
        page.wait_for_timeout(100)
    raise TimeoutError(f"the app did not settle within {timeout_ms} ms ({page.url})")


def open_page(page, path: str = "/") -> None:
    """Open an address of the app (a deep link) and wait until it has settled."""
    page.goto(path, wait_until="domcontentloaded")
    page.locator(IDLE).first.wait_for(timeout=LOGIN_TIMEOUT_MS)
    wait_idle(page)


def login_form_visible(page) -> bool:
    return page.get_by_label("用户名", exact=True).is_visible() and page.get_by_label("密码", exact=True).is_visible()


def login(page, username: str, password: str, *, path: str = "/", expect_heading: str | None = "首页") -> None:
    """Open ``path``, fill the real login form, press 登录, and wait for ``expect_heading`` (None: don't wait)."""
    from playwright.sync_api import expect

    page.goto(path, wait_until="domcontentloaded")
    page.get_by_label("用户名", exact=True).wait_for(timeout=LOGIN_TIMEOUT_MS)
    wait_idle(page)
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()
    if expect_heading:
        expect(page.get_by_role("heading", name=expect_heading).first).to_be_visible(timeout=LOGIN_TIMEOUT_MS)
    wait_idle(page)


def logout(page) -> None:
    """Press 退出登录 in the sidebar and wait for the login form."""
    page.locator(SIDEBAR).get_by_role("button", name="退出登录").click()
    page.get_by_label("用户名", exact=True).wait_for(timeout=LOGIN_TIMEOUT_MS)
    wait_idle(page)


def menu(page) -> list[str]:
    """The sidebar menu labels, in order (a link's text is its icon's ligature name, then the label)."""
    return [text.strip().splitlines()[-1].strip() for text in page.locator(MENU_LINK).all_inner_texts()]


def shows_data(page) -> bool:
    return page.locator(DATAFRAME).count() > 0


def auth_cookies(context, name: str = "psd_auth", timeout_ms: int = 10_000) -> list[dict]:
    """The browser's cookies once the login cookie has been written (it is set by JavaScript, a bit later)."""
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        cookies = context.cookies()
        if any(c["name"] == name and c["value"] for c in cookies):
            return cookies
        time.sleep(0.1)
    raise TimeoutError(f"cookie {name} was never set")
