"""Contract of ui/authenticator_adapter.py: the streamlit-authenticator internals it relies on (issue 9 §6).

When streamlit-authenticator (or PyJWT, which signs its cookie) is upgraded, this file fails first and
names what moved; fix the adapter and its pins, never ui/auth_gate.py. The library runs here in Streamlit's
bare mode (no script run): its session state is a plain store, enough for the model and cookie calls.
"""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta

import jwt
import pytest
import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator import LoginError

from tests.pins import assert_pins_hold, importers
from ui import authenticator_adapter as adapter
from ui.authenticator_adapter import Authenticator, read_cookie

KEY = "contract-cookie-key-0123456789abcdef0123456789"
LIFETIME_DAYS = 0.5


@pytest.fixture(autouse=True)
def fresh_session_state():
    def clear():
        for key in list(st.session_state.keys()):
            del st.session_state[key]

    clear()
    yield
    clear()


@pytest.fixture
def checked() -> list[tuple[str, str]]:
    return []


@pytest.fixture
def auth(checked) -> Authenticator:
    def check_password(username: str, password: str) -> str | None:
        checked.append((username, password))
        return "张前台" if password == "right" else None

    return Authenticator(cookie_name="psd_auth", cookie_key=KEY, cookie_expiry_days=LIFETIME_DAYS,
                         check_password=check_password)


def _model(auth: Authenticator):
    return auth._lib.authentication_controller.authentication_model


def _cookie_model(auth: Authenticator):
    return auth._lib.cookie_controller.cookie_model


def test_versions_are_the_pinned_ones():
    assert_pins_hold(adapter.PINS, adapter.version_problems)


def test_the_attributes_and_signatures_relied_on():
    init = inspect.signature(stauth.Authenticate.__init__).parameters
    assert {"credentials", "cookie_name", "cookie_key", "cookie_expiry_days", "auto_hash"} <= set(init)
    assert any(p.kind is p.VAR_KEYWORD for p in init.values())  # login_sleep_time goes through **kwargs
    login = inspect.signature(stauth.Authenticate.login).parameters
    assert {"location", "fields", "key"} <= set(login)
    logout = inspect.signature(stauth.Authenticate.logout).parameters
    assert {"button_name", "location", "key", "callback"} <= set(logout)
    for params in (login, logout):
        assert "'unrendered'" in str(params["location"].annotation)


def test_our_password_check_replaces_the_librarys(auth, checked):
    model = _model(auth)
    assert model.credentials is auth._credentials, "the library must keep our credentials dict, not a copy"
    assert model.login("zhang", "wrong") is False
    assert st.session_state[adapter.STATUS] is False and auth.failed() and not auth.signed_in()
    assert "zhang" not in auth._credentials["usernames"]  # a refused user is never handed to the library
    assert model.login("zhang", "right") is True
    assert checked == [("zhang", "wrong"), ("zhang", "right")]
    assert auth.signed_in() and auth.signed_in_username() == "zhang" and st.session_state["name"] == "张前台"
    # what scripts/bench.py writes to skip the form is exactly what the library left
    assert {k: st.session_state[k] for k in adapter.signed_in_state("zhang", "张前台")} == adapter.signed_in_state(
        "zhang", "张前台")


def test_logout_clears_the_state_and_blocks_the_cookie(auth):
    model = _model(auth)
    model.login("zhang", "right")
    seen = []
    model.logout(callback=lambda info: seen.append(info["username"]))  # what logout_button wraps
    assert seen == ["zhang"]
    assert auth.signed_in_username() is None and not auth.signed_in()
    assert auth.logged_out() and st.session_state[adapter.LOGGED_OUT] is True
    # with the library's logout flag set, it does not read the cookie at all (refuse_cookie relies on this)
    assert _cookie_model(auth).get_cookie() is False


def test_cookie_login_needs_the_user_admitted(auth):
    model = _model(auth)
    with pytest.raises(LoginError):
        model.login(None, None, token={"username": "zhang", "exp_date": 0})
    auth.admit("zhang", "张前台")
    model.login(None, None, token={"username": "zhang", "exp_date": 0})
    assert auth.signed_in_username() == "zhang"


def test_refuse_cookie_uses_the_librarys_flag_and_cookie_controller(auth, monkeypatch):
    deleted = []
    monkeypatch.setattr(_cookie_model(auth).cookie_manager, "delete", lambda name, **_: deleted.append(name))
    auth.refuse_cookie()
    assert deleted == ["psd_auth"] and auth.logged_out()


def test_cookie_format_round_trip(auth):
    """The library writes the cookie; the adapter reads username and issue time from it."""
    st.session_state["username"] = "zhang"
    cookie = _cookie_model(auth)
    assert (cookie.cookie_name, cookie.cookie_key, cookie.cookie_expiry_days) == ("psd_auth", KEY, LIFETIME_DAYS)
    before = datetime.now(UTC)
    cookie.exp_date = cookie._set_exp_date()
    token = cookie._token_encode()
    after = datetime.now(UTC)
    assert jwt.get_unverified_header(token)["alg"] == adapter.COOKIE_ALGORITHM
    assert set(jwt.decode(token, KEY, algorithms=[adapter.COOKIE_ALGORITHM])) == {"username", "exp_date"}
    session = read_cookie(token, key=KEY, expiry_days=LIFETIME_DAYS)
    assert session is not None and session.username == "zhang"
    slack = timedelta(seconds=1)
    assert before - slack <= session.issued_at <= after + slack
    assert session.expires_at - session.issued_at == timedelta(days=LIFETIME_DAYS)
    # the library's own decoder accepts it too (the same cookie signs in through login())
    cookie.token = token
    assert cookie._token_decode()["username"] == "zhang"


def test_foreign_or_broken_cookies_are_ignored():
    good = jwt.encode({"username": "zhang", "exp_date": 2_000_000_000.0}, KEY, algorithm="HS256")
    assert read_cookie(good, key=KEY, expiry_days=1).username == "zhang"
    assert read_cookie(good, key="another-key-0123456789abcdef0123456789", expiry_days=1) is None
    assert read_cookie(jwt.encode({"username": "zhang"}, KEY, algorithm="HS256"), key=KEY, expiry_days=1) is None
    assert read_cookie(jwt.encode({"username": "x", "exp_date": 1e300}, KEY, algorithm="HS256"), key=KEY,
                       expiry_days=1) is None
    for junk in (None, "", "not-a-jwt", 42):
        assert read_cookie(junk, key=KEY, expiry_days=1) is None
    none_alg = jwt.encode({"username": "zhang", "exp_date": 2_000_000_000.0}, None, algorithm="none")
    assert read_cookie(none_alg, key=KEY, expiry_days=1) is None


def test_only_the_adapter_imports_the_library():
    """ui/auth_gate.py and every other module go through the adapter."""
    assert importers(r"streamlit_authenticator|jwt", adapter="ui/authenticator_adapter.py") == []
