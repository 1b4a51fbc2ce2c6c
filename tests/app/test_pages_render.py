"""Every page for every role through the real app.py: the menu a role sees, pages render, refusals, login gate.

The expectations are generated from ``ui.nav.all_page_specs()`` and ``core.permissions.MATRIX``, so every
process issue that adds pages or actions is covered here without editing this file.
"""

from __future__ import annotations

import pytest

from core.permissions import Action, allowed_roles
from core.roles import Role
from db.services import users as user_service
from db.services.auth import build_actor, session_user
from db.services.policy import policy_at
from tests.app import harness as h
from tests.app.conftest import ADMIN_INITIAL_PASSWORD, REAL_CLIENT_CONTEXT
from tests.demo_data import DEMO_PASSWORD, allowed_specs, forbidden_specs
from ui.context import ACTOR_KEY
from ui.fmt import now
from ui.nav import all_page_specs, url_path

SPECS = all_page_specs()
ROLES = list(Role)
FORBIDDEN = [(role, spec) for role in ROLES for spec in forbidden_specs(role, SPECS)]


def _actor(username: str):
    user = session_user(username)
    assert user is not None, f"demo account {username} is missing"
    return build_actor(user.user_id, now=now())


def test_demo_has_an_account_for_every_role(accounts):
    assert set(accounts) == set(Role), f"roles without a single-role demo account: {set(Role) - set(accounts)}"


def test_every_page_is_reachable_by_some_role():
    """A page nobody may open is a page nobody tested."""
    assert SPECS, "no pages discovered under views/"
    for spec in SPECS:
        assert allowed_roles(spec.action), f"{spec.path}: no role may open it ({spec.action})"


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_role_sees_exactly_its_pages_each_renders_and_the_rest_refuse(role, accounts, demo_db):
    """Signed in through the form: the menu is exactly the allowed pages, each renders without an error,
    and the address of every other page resolves to a refusal page (not the page, not 首页)."""
    username = accounts[role]
    expected = allowed_specs(role, SPECS)
    expected_menu = [s.title for s in expected]
    at = h.login(h.new_app(), username, DEMO_PASSWORD)
    assert not at.exception, at.exception
    assert h.titles(at) and "首页" in h.titles(at)[0], f"{username}: landed on {h.titles(at)} {h.errors(at)}"
    assert h.menu(at) == expected_menu
    for spec in expected:
        at.switch_page(spec.path).run()
        assert not at.exception, f"{username} {spec.path}: {at.exception}"
        assert h.titles(at) and spec.title in h.titles(at)[0], f"{username} {spec.path}: {h.titles(at)}"
        assert h.errors(at) == [], f"{username} {spec.path}: {h.errors(at)}"
        assert h.menu(at) == expected_menu, f"{username} {spec.path}: menu changed"
    for spec in forbidden_specs(role, SPECS):
        h.open_url(at, url_path(spec))
        assert not at.exception, f"{username} /{url_path(spec)}: {at.exception}"
        assert h.titles(at) == [spec.title], f"{username} /{url_path(spec)}: {h.titles(at)}"
        assert any(h.REFUSED in e for e in h.errors(at)), f"{username} /{url_path(spec)}: {h.errors(at)}"
        assert not h.shows_data(at), f"{username} /{url_path(spec)} shows data"
        assert h.menu(at) == expected_menu


@pytest.mark.parametrize(("role", "spec"), FORBIDDEN, ids=[f"{r.value}-{url_path(s)}" for r, s in FORBIDDEN])
def test_page_script_refuses_a_role_without_the_permission(role, spec, accounts, demo_db):
    """Defence in depth: run the page file on its own (no app.py, no menu) with the role's real actor."""
    actor = _actor(accounts[role])
    assert not actor.can(spec.action)
    at = h.page_script(spec.path)
    at.session_state[ACTOR_KEY] = actor
    at.run()
    assert not at.exception, at.exception
    assert any(h.REFUSED in e for e in h.errors(at)), h.errors(at)
    assert not h.shows_data(at)
    assert h.titles(at) == []
    assert len(at.text_input) == len(at.button) == len(at.selectbox) == 0


@pytest.mark.parametrize("spec", SPECS, ids=[url_path(s) for s in SPECS])
def test_page_script_without_login_asks_to_log_in(spec, demo_db):
    at = h.page_script(spec.path).run()
    assert not at.exception, at.exception
    assert h.errors(at) == ["请先登录。"]
    assert not h.shows_data(at)


# --- the login gate -------------------------------------------------------------------------------------


def test_wrong_password_is_refused(accounts, demo_db):
    at = h.login(h.new_app(), accounts[Role.CLERK], "not-the-password")
    assert h.errors(at) == ["用户名或密码错误"]
    assert h.shows_login_form(at) and h.menu(at) == []
    assert ACTOR_KEY not in at.session_state


def test_unknown_user_gets_the_same_answer(demo_db):
    at = h.login(h.new_app(), "nobody_here", DEMO_PASSWORD)
    assert h.errors(at) == ["用户名或密码错误"]
    assert h.shows_login_form(at) and h.menu(at) == []


def test_too_many_failures_block_even_the_right_password(accounts, demo_db):
    clerk, other = accounts[Role.CLERK], accounts[Role.GUARD]
    limit = policy_at(now())["security.login_failures"]
    assert limit == 5
    for attempt in range(limit):  # each from a new browser session: the count lives in the database
        at = h.login(h.new_app(), clerk, f"wrong-{attempt}")
        assert h.errors(at) == ["用户名或密码错误"], f"attempt {attempt + 1}: {h.errors(at)}"
    at = h.login(h.new_app(), clerk, DEMO_PASSWORD)
    assert len(h.errors(at)) == 1 and "登录失败次数过多" in h.errors(at)[0], h.errors(at)
    assert h.shows_login_form(at) and h.menu(at) == []
    # the throttle is per account: a colleague still gets in
    at = h.login(h.new_app(), other, DEMO_PASSWORD)
    assert h.menu(at) == [s.title for s in allowed_specs(Role.GUARD, SPECS)]


def test_disabled_user_cannot_log_in(accounts, demo_db):
    clerk = accounts[Role.CLERK]
    at = h.login(h.new_app(), clerk, DEMO_PASSWORD)
    assert h.menu(at), "the clerk should get in before being disabled"
    admin = _actor(accounts[Role.SYSADMIN])
    user_service.set_active(actor=admin, user_id=session_user(clerk).user_id, active=False, now=now())
    at.run()  # the open session ends on its next interaction
    assert h.menu(at) == [] and h.shows_login_form(at)
    at = h.login(h.new_app(), clerk, DEMO_PASSWORD)
    assert h.errors(at) == ["用户名或密码错误"]
    assert h.menu(at) == []


def test_bootstrap_admin_must_change_password_first(empty_db):
    password_page = next(s for s in SPECS if s.path == "views/home/password.py")
    at = h.new_app()  # first start on an empty data folder: migrate, create admin
    assert h.shows_login_form(at)
    assert empty_db.exists()
    at = h.login(at, "admin", ADMIN_INITIAL_PASSWORD)
    assert not at.exception, at.exception
    assert h.menu(at) == [password_page.title]
    assert h.titles(at) and password_page.title in h.titles(at)[0]
    for spec in SPECS:  # every other address refuses until the password is changed
        if spec.path != password_page.path:
            h.open_url(at, url_path(spec))
            assert any(h.REFUSED in e for e in h.errors(at)), f"/{url_path(spec)}: {h.errors(at)}"
            assert not h.shows_data(at)
    h.open_url(at, "")  # back to the password page (the only default while forced)
    new_password = "Fresh-start-2026!"
    fields = {t.label: t for t in at.text_input}
    fields["原密码 *"].input(ADMIN_INITIAL_PASSWORD)
    fields["新密码 *"].input(new_password)
    fields["再次输入新密码 *"].input(new_password)
    [b for b in at.button if b.label == "保存新密码"][0].click()
    at.run()
    assert not at.exception, at.exception
    assert h.errors(at) == []
    assert h.menu(at) == [s.title for s in allowed_specs(Role.SYSADMIN, SPECS)]
    # a later login with the new password is not forced any more
    at = h.login(h.new_app(), "admin", new_password)
    assert h.menu(at) == [s.title for s in allowed_specs(Role.SYSADMIN, SPECS)]
    assert "首页" in h.titles(at)[0]


def test_demo_account_is_not_forced_to_change_password(accounts, demo_db):
    clerk = accounts[Role.CLERK]
    admin = _actor(accounts[Role.SYSADMIN])
    temporary = user_service.reset_password(actor=admin, user_id=session_user(clerk).user_id, now=now())
    assert session_user(clerk).must_change_password  # what would force a real account
    at = h.login(h.new_app(), clerk, temporary)
    assert h.menu(at) == [s.title for s in allowed_specs(Role.CLERK, SPECS)]
    assert "首页" in h.titles(at)[0]


def test_logout_button_is_there_right_after_login(accounts, demo_db):
    """The run that accepts the form must draw 退出登录 too (it used to appear only on the next rerun)."""
    at = h.login(h.new_app(), accounts[Role.CLERK], DEMO_PASSWORD)
    assert h.menu(at), "not signed in"
    assert "退出登录" in [b.label for b in at.sidebar.button]


def test_logout_returns_to_the_login_form(accounts, demo_db):
    clerk = accounts[Role.CLERK]
    before = session_user(clerk).sessions_valid_after
    at = h.login(h.new_app(), clerk, DEMO_PASSWORD)
    assert h.menu(at)
    at = h.logout(at)
    assert not at.exception, at.exception
    assert h.shows_login_form(at)
    assert h.menu(at) == [] and not h.shows_data(at)
    assert "您已安全退出。" in h.infos(at)
    assert ACTOR_KEY not in at.session_state
    assert session_user(clerk).sessions_valid_after > before  # every copy of the cookie is dead too


def test_login_gate_tolerates_unknown_client_context(accounts, demo_db, monkeypatch):
    """AppTest's client context is a MagicMock: st.context.ip_address is then not a string (it used to
    reach SQL as the attempt's source and fail the login)."""
    import streamlit.runtime.context as st_context

    monkeypatch.setattr(st_context, "_get_client_context", REAL_CLIENT_CONTEXT)
    at = h.login(h.new_app(), accounts[Role.SYSADMIN], DEMO_PASSWORD)
    assert not at.exception, at.exception
    assert h.errors(at) == []
    assert h.menu(at) == [s.title for s in allowed_specs(Role.SYSADMIN, SPECS)]


def test_password_change_action_is_open_to_every_role():
    """Forced password change relies on every role being allowed the password page."""
    assert allowed_roles(Action.PASSWORD_CHANGE_OWN) == frozenset(Role)


def test_menu_follows_a_role_change_within_the_open_session(accounts, demo_db):
    """The menu's page objects are kept per browser session (ui.nav._pages); a changed role set must rebuild them."""
    clerk = accounts[Role.CLERK]
    at = h.login(h.new_app(), clerk, DEMO_PASSWORD)
    before = h.menu(at)
    admin = _actor(accounts[Role.SYSADMIN])
    clerk_id = session_user(clerk).user_id
    grants = user_service.user_grants(actor=admin, user_id=clerk_id)
    office = grants[0][1]
    # an office-level role that opens pages the clerk does not have (e.g. 管理处主任)
    extra = {r: {s.title for s in allowed_specs(r, SPECS)} - set(before) for r in ROLES}
    role = max((r for r in (Role.OFFICE_DIRECTOR, Role.CS_MANAGER, Role.CS_SUPERVISOR, Role.RECORDS_OFFICER)),
               key=lambda r: len(extra[r]))
    assert extra[role], "no office-level role adds a page to the clerk's menu"
    user_service.set_grants(actor=admin, user_id=clerk_id, grants=[*grants, (role.value, office)], now=now())
    at.run()
    widened = h.menu(at)
    assert extra[role] <= set(widened), (before, widened)
    user_service.set_grants(actor=admin, user_id=clerk_id, grants=grants, now=now())
    at.run()
    assert h.menu(at) == before


def test_first_run_preloads_page_modules_and_freezes_them_out_of_the_collector(demo_db):
    """Streamlit collects garbage after every run; app.py freezes the long-lived objects once per process."""
    import gc
    import sys
    import threading

    h.new_app()  # ready_engine() starts the preload thread
    for thread in threading.enumerate():
        if thread.name == "psd-preload":
            thread.join(timeout=60)
    assert "views.complaints.widgets.detail" in sys.modules and "core.pdf.complaint_forms" in sys.modules
    assert gc.get_freeze_count() > 50_000
