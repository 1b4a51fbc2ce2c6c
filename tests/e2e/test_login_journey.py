"""The login journey in a real Chromium against a real server: form, menu per role, logout, back button,
deep links, reload, cookie replay after logout, forbidden addresses, cold start, screenshots."""

from __future__ import annotations

import os

import pytest

from core.roles import Role
from tests.demo_data import DEMO_PASSWORD, allowed_specs, forbidden_specs
from tests.e2e.browser import (
    auth_cookies,
    login,
    login_form_visible,
    logout,
    menu,
    open_page,
    shows_data,
    wait_idle,
)
from tests.e2e.conftest import COLD_START_LIMIT_S, new_context
from ui.nav import all_page_specs, url_path

pytestmark = pytest.mark.e2e
# Without playwright: skip locally, fail in CI (like a missing Chromium, see conftest.chromium_path).
if os.environ.get("CI"):
    from playwright.sync_api import expect
else:
    expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

SPECS = all_page_specs()
MENU_ROLES = [Role.SYSADMIN, Role.CLERK, Role.GUARD, Role.OFFICE_DIRECTOR]


def _title_of(path: str) -> str:
    return next(s.title for s in SPECS if s.path == path)


def test_cold_start_on_an_empty_data_folder(fresh_server):
    _server, seconds = fresh_server
    assert seconds < COLD_START_LIMIT_S, f"login form painted {seconds:.1f} s after process start"


@pytest.mark.parametrize("path", ["/", *[f"/{url_path(s)}" for s in SPECS]])
def test_anonymous_deep_link_shows_only_the_login_form(path, browser, fresh_server):
    """On a server nobody has signed in to yet, every page address runs the login gate (the pages/ trap)."""
    server, _seconds = fresh_server
    ctx = new_context(browser, server)
    try:
        page = ctx.new_page()
        open_page(page, path)
        page.get_by_label("用户名", exact=True).wait_for()
        assert login_form_visible(page)
        assert menu(page) == []
        assert not shows_data(page)
        for spec in SPECS:
            assert page.get_by_role("heading", name=spec.title).count() == 0, f"{path} shows {spec.title}"
    finally:
        ctx.close()


@pytest.mark.parametrize("role", MENU_ROLES, ids=[r.value for r in MENU_ROLES])
def test_login_shows_home_and_the_role_menu(role, page, accounts):
    login(page, accounts[role], DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="首页").first).to_be_visible()
    assert menu(page) == [s.title for s in allowed_specs(role, SPECS)]
    assert not login_form_visible(page)


def test_wrong_password_keeps_the_form_and_says_so(page, accounts):
    login(page, accounts[Role.RECORDS_OFFICER], "not-the-password", expect_heading=None)
    expect(page.get_by_text("用户名或密码错误")).to_be_visible()
    assert login_form_visible(page) and menu(page) == []


def test_logout_then_back_button_shows_no_data(page, accounts):
    login(page, accounts[Role.SYSADMIN], DEMO_PASSWORD)
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name=_title_of("views/admin/users.py")).click()
    expect(page.get_by_role("heading", name="用户与角色")).to_be_visible()
    wait_idle(page)
    assert shows_data(page)
    logout(page)
    assert login_form_visible(page) and menu(page) == []
    page.go_back()
    wait_idle(page)
    assert login_form_visible(page)
    assert page.get_by_role("heading", name="首页").count() == 0
    assert page.get_by_role("heading", name="用户与角色").count() == 0
    assert not shows_data(page) and menu(page) == []
    page.reload(wait_until="domcontentloaded")
    page.get_by_label("用户名", exact=True).wait_for()
    wait_idle(page)
    assert login_form_visible(page) and not shows_data(page)


def test_reload_keeps_the_user_on_the_page(page, accounts):
    login(page, accounts[Role.SYSADMIN], DEMO_PASSWORD)
    open_page(page, "/admin_users")
    expect(page.get_by_role("heading", name="用户与角色")).to_be_visible()
    page.reload(wait_until="domcontentloaded")
    wait_idle(page)
    expect(page.get_by_role("heading", name="用户与角色")).to_be_visible()
    assert page.url.rstrip("/").endswith("/admin_users")
    assert not login_form_visible(page) and shows_data(page)


def test_deep_link_is_kept_through_sign_in(page, accounts):
    login(page, accounts[Role.SYSADMIN], DEMO_PASSWORD, path="/admin_org", expect_heading="组织与房屋")
    assert page.url.rstrip("/").endswith("/admin_org")


def test_copied_cookie_is_refused_after_logout(browser, app_server, page, context, accounts):
    login(page, accounts[Role.SYSADMIN], DEMO_PASSWORD)
    cookies = auth_cookies(context)
    # control: while the session is alive the same cookie signs a second browser in
    twin = new_context(browser, app_server)
    try:
        twin.add_cookies(cookies)
        twin_page = twin.new_page()
        open_page(twin_page, "/")
        expect(twin_page.get_by_role("heading", name="首页").first).to_be_visible()
    finally:
        twin.close()
    logout(page)
    thief = new_context(browser, app_server)
    try:
        thief.add_cookies(cookies)
        thief_page = thief.new_page()
        open_page(thief_page, "/admin_users")
        assert login_form_visible(thief_page)
        assert thief_page.get_by_role("heading", name="首页").count() == 0
        assert thief_page.get_by_role("heading", name="用户与角色").count() == 0
        assert not shows_data(thief_page) and menu(thief_page) == []
    finally:
        thief.close()


@pytest.mark.parametrize("role", [Role.GUARD, Role.CLERK], ids=["guard", "clerk"])
def test_forbidden_page_address_says_no_access(role, page, accounts):
    """One forbidden address per menu section (tests/app checks every role × page pair without a browser)."""
    login(page, accounts[role], DEMO_PASSWORD)
    per_section = {}
    for spec in forbidden_specs(role, SPECS):
        per_section.setdefault(spec.section, spec)
    assert per_section, f"{role} may open every page: nothing to test"
    for spec in per_section.values():
        open_page(page, f"/{url_path(spec)}")
        expect(page.get_by_text("无权访问")).to_be_visible()
        expect(page.get_by_role("heading", name=spec.title)).to_be_visible()
        assert not shows_data(page), f"/{url_path(spec)} shows data to {role}"
        assert menu(page) == [s.title for s in allowed_specs(role, SPECS)]


SHOT_PAGES = [("admin_users", "用户与角色"), ("admin_org", "组织与房屋"), ("admin_policy", "制度参数")]


def test_screenshots_of_home_and_admin_pages(browser, app_server, accounts, shots_dir):
    """Pictures for a human to look at (written to /tmp/e2e-shots); the checks are the headings.

    Streamlit scrolls inside its own container, so ``full_page`` adds nothing: a tall viewport shows more.
    """
    written = []
    for role in (Role.SYSADMIN, Role.CLERK):
        ctx = new_context(browser, app_server, viewport={"width": 1280, "height": 1400})
        try:
            page = ctx.new_page()
            if role is Role.SYSADMIN:
                open_page(page, "/")
                page.get_by_label("用户名", exact=True).wait_for()
                written.append(shots_dir / "login.png")
                page.screenshot(path=str(written[-1]))
            login(page, accounts[role], DEMO_PASSWORD)
            written.append(shots_dir / f"home-{accounts[role]}.png")
            page.screenshot(path=str(written[-1]))
            if role is Role.SYSADMIN:
                for address, heading in SHOT_PAGES:
                    open_page(page, f"/{address}")
                    expect(page.get_by_role("heading", name=heading)).to_be_visible()
                    written.append(shots_dir / f"{address}.png")
                    page.screenshot(path=str(written[-1]))
        finally:
            ctx.close()
    assert all(p.stat().st_size > 10_000 for p in written)
