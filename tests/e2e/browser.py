"""Browser helpers for the Playwright journeys (stack-notes §4): settle, log in, log out, read the menu.

Import them in any e2e test: ``from tests.e2e.browser import login, logout, wait_idle, menu``. The
fixtures (one app server, one browser, a fresh ``page`` per test, the journeys' ``desk``) live in
``tests/e2e/conftest.py``. Pages are opened relative to the server (``page.goto("/admin_users")``): every
context gets ``base_url``. The complaint journeys share ``Desk`` and the complaint-page helpers below.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from tests.demo_data import DEMO_PASSWORD

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


# ----- the complaint journeys (tests/e2e/test_complaint_*journey.py) -----

COMPLAINT_LIST = "/complaints_list"
STEP_MS = 30_000


def new_context(browser, server, **options):
    """A fresh browser profile (no cookies) whose ``page.goto("/x")`` goes to ``server``."""
    settings = {"viewport": {"width": 1280, "height": 800}, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
    return browser.new_context(base_url=server.url, **{**settings, **options})


class Desk:
    """The signed-in browser tabs of the people in a journey, opened on first use (each signed in once)."""

    def __init__(self, browser, server, shots: Path, prefix: str = "complaint"):
        self.browser, self.server, self.shots, self.prefix = browser, server, shots, prefix
        self.pages: dict[str, object] = {}
        self.contexts = []

    def __call__(self, username: str):
        if username not in self.pages:
            ctx = new_context(self.browser, self.server)
            ctx.set_default_timeout(STEP_MS)
            self.contexts.append(ctx)
            page = ctx.new_page()
            login(page, username, DEMO_PASSWORD)
            self.pages[username] = page
        return self.pages[username]

    def shot(self, page, name: str) -> None:
        """The whole page: Streamlit scrolls inside its main block, so grow the window to its height first."""
        height = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
        page.set_viewport_size({"width": 1280, "height": min(int(height) + 40, 6000)})
        page.wait_for_timeout(300)
        page.screenshot(path=str(self.shots / f"{self.prefix}_{name}.png"))
        page.set_viewport_size({"width": 1280, "height": 800})

    def close(self) -> None:
        for ctx in self.contexts:
            ctx.close()


def _expect():
    from playwright.sync_api import expect

    return expect


def open_complaint(page, cid: int, number: str) -> None:
    open_page(page, f"{COMPLAINT_LIST}?id={cid}")
    _expect()(page.get_by_role("heading", name=re.compile(number))).to_be_visible()


def state_is(page, label: str) -> None:
    _expect()(page.get_by_text(f"状态 {label}", exact=True)).to_be_visible()


def expand(page, title: str) -> None:
    """Open the expander ``title`` (left alone when a rerun kept it open: a click would close it)."""
    summary = page.locator("summary").filter(has_text=title).first
    if not summary.evaluate("s => !!(s.closest('details') || {}).open"):
        summary.click()
        wait_idle(page)


def choose(page, label, option: str) -> None:
    """Pick from a selectbox (``label``: its exact name, or a pattern): open it (a click right after a tab switch
    can land before the list opens, so retry), then click the option."""
    box = page.get_by_role("combobox", name=label, exact=True) if isinstance(label, str) else \
        page.get_by_role("combobox", name=label)
    wanted = page.get_by_role("option", name=option).first
    wait_idle(page)  # a rerun still drawing replaces the list under the click ("element was detached")
    for attempt in range(3):
        box.click()
        try:
            wanted.wait_for(timeout=3_000)
            wanted.click(timeout=10_000)
            break
        except Exception:  # noqa: BLE001  the list did not open, or was redrawn: press Escape and try again
            page.keyboard.press("Escape")
            wait_idle(page)
            if attempt == 2:
                raise
    wait_idle(page)


def click(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    wait_idle(page)


def no_error(page) -> None:
    errors = page.locator('[data-testid="stAlertContentError"]')
    assert errors.count() == 0, errors.all_inner_texts()


def acknowledge_notice(page, number: str, label: str = "重大") -> None:
    """Open 通知与通报, find the 【…投诉通报】 of ``number`` and press its 确认."""
    open_page(page, "/home_notices")
    card = page.get_by_test_id("stVerticalBlock").filter(
        has=page.get_by_text(re.compile(rf"【{label}投诉通报】{number}"))).filter(
        has=page.get_by_role("button", name="确认", exact=True)).last
    _expect()(card).to_be_visible()
    card.get_by_role("button", name="确认", exact=True).click()
    wait_idle(page)
    no_error(page)


def assign(page, cid: int, number: str, handler: str, note: str = "") -> None:
    open_complaint(page, cid, number)
    expand(page, "派单")
    choose(page, "责任人 *", handler)
    page.get_by_label("派单说明").fill(note)
    click(page, "派单")
    no_error(page)
    state_is(page, "已派单")


def handle(page, cid: int, number: str, result: str) -> None:
    open_complaint(page, cid, number)
    expand(page, "登记处理结果")
    page.get_by_label("处理结果 *").fill(result)
    click(page, "处理完成")
    no_error(page)
    state_is(page, "已处理")
