"""Every page, every demo role, in a real Chromium at 1280×800: no English Streamlit default text shows, no list
table needs sideways scrolling, nothing is fetched from outside the server, and the page structure that
``ui/theme.py``'s one style sheet relies on is still there (it fails when a Streamlit upgrade changes it).

Each role signs in once through the real form and walks its menu by clicking; screenshots of every page go to
``/tmp/e2e-shots/pages/<role>-<page>.png``.
"""

from __future__ import annotations

import os
import re

import pytest

from core.roles import Role
from tests.demo_data import DEMO_PASSWORD, allowed_specs
from tests.e2e.browser import IDLE, SIDEBAR, login, open_page, wait_idle
from ui.nav import all_page_specs, url_path
from ui.theme import SELECTORS

pytestmark = pytest.mark.e2e
if not os.environ.get("CI"):
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

SPECS = all_page_specs()
ROLES = list(Role)

# Streamlit's own English texts (1.67 frontend) that must never reach a user of this app.
ENGLISH = [
    "Choose an option", "Choose options", "No options to select", "Add an option", "No results", "Drag and drop",
    "Browse files", "per file", "Upload", "Page not found", "does not seem to exist", "Press Enter", "Enter to apply",
    "Enter to submit", "Select all", "Clear all", "Running...", "Deploy", "Made with Streamlit", "Please wait",
    "Something went wrong", "Connection error", "Show more", "Show less", "Download as CSV",
]
_ENGLISH_RE = re.compile("|".join(re.escape(t) for t in ENGLISH))

# Visible text only: a text node whose element is rendered with a font size above zero (ui/theme.py hides
# Streamlit's words with font-size 0 and shows Chinese in ::after), plus visible inputs' placeholders.
VISIBLE_TEXT_JS = """() => {
  const out = [];
  const shown = (el) => {
    if (!el || !el.getClientRects().length) return false;
    const cs = getComputedStyle(el);
    return cs.visibility !== 'hidden' && cs.display !== 'none' && parseFloat(cs.fontSize) > 0 && cs.opacity !== '0';
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.trim();
    if (text && shown(n.parentElement) && !n.parentElement.closest('script,style,noscript')) out.push(text);
  }
  for (const el of document.querySelectorAll('input[placeholder], textarea[placeholder]')) {
    if (shown(el) && el.placeholder) out.push(el.placeholder);
  }
  return out.join('\\n');
}"""

# Glide data grid: its scroller is wider than its box when a table needs sideways scrolling.
OVERFLOW_JS = """() => [...document.querySelectorAll('[data-testid="stDataFrame"]')]
  .filter(t => t.getClientRects().length)
  .map(t => { const s = t.querySelector('.dvn-scroller'); return s ? [s.scrollWidth, s.clientWidth] : null; })
  .filter(x => x && x[0] > x[1] + 2)"""


# Pages still failing a check, each with who fixes it; remove the entry with the fix (a fixed page listed here
# fails too, so the list cannot go stale). Empty since issue 10 §2 landed.
KNOWN_WIDE: dict[str, str] = {}
KNOWN_ENGLISH: dict[str, str] = {}


def english_on(page) -> list[str]:
    return sorted(set(_ENGLISH_RE.findall(page.evaluate(VISIBLE_TEXT_JS))))


def _settle(page) -> None:
    page.locator(IDLE).first.wait_for()
    wait_idle(page, quiet_ms=700)


def _open_from_menu(page, spec) -> None:
    """Click the page's menu entry (no reload, no second sign-in) and wait until that page has settled."""
    page.locator(SIDEBAR).get_by_role("link", name=spec.title, exact=True).click()
    path = "/" if spec.default else f"/{url_path(spec)}"
    page.wait_for_function("p => location.pathname === p || location.pathname.endsWith(p)", arg=path)
    _settle(page)


def _outside_requests(page, base_url: str) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda r: None if r.url.startswith((base_url, "data:", "blob:")) else seen.append(r.url))
    return seen


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_every_page_of_the_role_is_chinese_and_fits_1280(role, page, accounts, app_server, shots_dir):
    outside = _outside_requests(page, app_server.url)
    problems = []
    login(page, accounts[role], DEMO_PASSWORD)
    shots = shots_dir / "pages"
    shots.mkdir(exist_ok=True)
    for spec in allowed_specs(role, SPECS):
        _open_from_menu(page, spec)
        words, wide = english_on(page), page.evaluate(OVERFLOW_JS)
        if words and spec.title not in KNOWN_ENGLISH:
            problems.append(f"{spec.title}: English {words}")
        if wide and spec.title not in KNOWN_WIDE:
            problems.append(f"{spec.title}: table wider than its box (scroll width, box width) {wide}")
        if spec.title in KNOWN_WIDE and not wide and page.locator('[data-testid="stDataFrame"]').count():
            problems.append(f"{spec.title}: fits now — remove it from KNOWN_WIDE")
        page.screenshot(path=str(shots / f"{role.value}-{url_path(spec)}.png"))
    assert not outside, f"requests left the server (intranet installs have no internet): {outside[:5]}"
    assert not problems, "\n".join(problems)


def _font_size(page, selector: str) -> float:
    return float(page.locator(selector).first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))


def _after(page, selector: str) -> str:
    return page.locator(selector).first.evaluate("e => getComputedStyle(e, '::after').content")


def test_the_structure_ui_theme_relies_on_is_still_there(page, accounts):
    """One check per rule of ui/theme.py: the selector still finds Streamlit's element, the English is hidden and
    the Chinese shows. When this fails after a Streamlit upgrade, adjust ``ui/theme.py`` (the only place)."""
    page.goto("/", wait_until="domcontentloaded")
    page.get_by_label("用户名", exact=True).wait_for()
    wait_idle(page)
    assert not english_on(page), f"login form: {english_on(page)}"
    login(page, accounts[Role.CLERK], DEMO_PASSWORD)
    open_page(page, "/complaints_new")
    page.get_by_role("heading", name="登记投诉").first.wait_for()
    # compact top: the title starts in the first 90 px, the component frame above it takes no row
    assert page.locator(SELECTORS["main"]).count() == 1 and page.locator(SELECTORS["header"]).count() == 1
    assert page.locator(SELECTORS["sidebar_header"]).count() == 1
    assert page.locator(SELECTORS["cookie_frame"]).count() >= 1
    top = page.locator(f'{SELECTORS["main"]} h1').first.bounding_box()["y"]
    assert top < 90, f"the title starts {top:.0f} px from the top"
    # the uploader's button and size line
    for key, chinese in (("uploader_button", "选择文件"), ("uploader_hint", "或将文件拖放到此处")):
        assert page.locator(SELECTORS[key]).count() >= 1, f"{key}: {SELECTORS[key]} matches nothing"
        assert _font_size(page, SELECTORS[key]) == 0 and chinese in _after(page, SELECTORS[key])
    # while a file is dragged over the box, Streamlit's overlay says "Drag and drop files here"
    dragged = page.evaluate_handle("""() => { const d = new DataTransfer();
        d.items.add(new File(['x'], 'a.png', {type: 'image/png'})); return d; }""")
    page.locator('[data-testid="stFileUploaderDropzone"]').first.dispatch_event("dragenter", {"dataTransfer": dragged})
    page.locator(SELECTORS["uploader_drag"]).first.wait_for(state="attached")
    assert _font_size(page, SELECTORS["uploader_drag"]) == 0 and "松开鼠标" in _after(page, SELECTORS["uploader_drag"])
    assert not english_on(page), english_on(page)
    page.locator('[data-testid="stFileUploaderDropzone"]').first.dispatch_event("dragleave", {"dataTransfer": dragged})
    # the Enter hint of a text input (appears while typing)
    page.get_by_label("投诉人姓名").fill("张")
    page.locator(SELECTORS["input_hint"]).first.wait_for(state="attached")  # zero font size: "hidden" to Playwright
    assert _font_size(page, SELECTORS["input_hint"]) == 0 and "按" in _after(page, SELECTORS["input_hint"])
    assert not english_on(page), english_on(page)
    # Streamlit's "Page not found" dialog for an unknown address
    page.goto("/no_such_page", wait_until="domcontentloaded")
    dialog = page.locator(SELECTORS["error_dialog_title"])
    dialog.first.wait_for()
    assert _font_size(page, SELECTORS["error_dialog_title"]) == 0
    assert "无法打开该页面" in _after(page, SELECTORS["error_dialog_title"])
    assert not english_on(page), english_on(page)
