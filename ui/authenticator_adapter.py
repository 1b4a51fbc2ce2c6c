"""Every reach into streamlit-authenticator's internals, in one place (issue 9 §6; stack-notes §2).

The library draws the login form, keeps the sign-in in ``st.session_state`` and writes the re-login
cookie; our tables decide who may sign in (``ui/auth_gate.py`` asks ``db.services.auth``). Gluing the two
needs things the library does not offer publicly, all of them here:

- our password check replaces ``AuthenticationModel.check_credentials`` on the run's instance;
- the credentials dict is ours and the library keeps a reference to it: a user it may sign in is added
  to ``credentials["usernames"]`` only once our check (or our cookie check) has said yes;
- the cookie is read by hand (a JWT, HS256, claims ``username`` and ``exp_date``; the issue time is the
  expiry minus the cookie lifetime, the library keeps no issue time) so that our rules see it first;
- refusing a cookie sets the library's ``st.session_state["logout"]`` (which stops its own cookie
  login for this browser session) and deletes the cookie through its cookie controller;
- the sign-in state is read from the library's session-state keys.

Pinned: streamlit-authenticator ``STAUTH_PIN`` and PyJWT ``PYJWT_PIN`` (requirements.txt). The contract test
``tests/unit/test_authenticator_adapter.py`` checks the pins, the attributes and methods relied on and the
cookie format round trip against the library's own encoder; when an upgrade moves something, it names what.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from typing import Any

import jwt
import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator import LoginError

STAUTH_PIN = "0.4.2"
PYJWT_PIN = "2.15.1"
PINS = {"streamlit-authenticator": STAUTH_PIN, "PyJWT": PYJWT_PIN}  # distribution name → version (requirements.txt)
COOKIE_ALGORITHM = "HS256"  # what streamlit-authenticator 0.4.2 signs its cookie with
# The library's keys in st.session_state.
STATUS, USERNAME, LOGGED_OUT = "authentication_status", "username", "logout"

log = logging.getLogger("security")


def version_problems(installed: Mapping[str, str] | None = None) -> list[str]:
    """Differences between the installed libraries and the versions this adapter was written against."""
    installed = {name: version(name) for name in PINS} if installed is None else installed
    return [f"{name} {installed.get(name)} installed, ui/authenticator_adapter.py written for {pin}"
            for name, pin in PINS.items() if installed.get(name) != pin]


for _problem in version_problems():
    log.warning("login: %s; run tests/unit/test_authenticator_adapter.py", _problem)


class LoginRefused(Exception):
    """The library refused a login by itself (e.g. a cookie for a user it was not given)."""


@dataclass(frozen=True)
class CookieSession:
    username: str
    issued_at: datetime
    expires_at: datetime


def read_cookie(token: object, *, key: str, expiry_days: float) -> CookieSession | None:
    """The sign-in a re-login cookie carries, if its signature is valid (expiry is judged by the caller's rules)."""
    if not isinstance(token, str) or not token:
        return None
    try:
        claims = jwt.decode(token, key, algorithms=[COOKIE_ALGORITHM])
        expires = datetime.fromtimestamp(float(claims["exp_date"]), UTC)
        username = str(claims["username"])
    except (jwt.PyJWTError, KeyError, TypeError, ValueError, OverflowError, OSError):
        return None
    return CookieSession(username, expires - timedelta(days=expiry_days), expires)


def signed_in_state(username: str, display_name: str) -> dict[str, Any]:
    """The library's session-state entries after a successful login (for benchmarks that skip the form)."""
    return {STATUS: True, USERNAME: username, "name": display_name}


def _entry(name: str) -> dict[str, Any]:
    return {"name": name, "password": "", "email": "", "roles": [], "failed_login_attempts": 0, "logged_in": False}


class Authenticator:
    """The library's ``Authenticate`` for one script run (never cached: it holds a cookie widget, pitfall 5).

    ``check_password(username, password)`` returns the display name of an accepted user, or None.
    """

    def __init__(self, *, cookie_name: str, cookie_key: str, cookie_expiry_days: float,
                 check_password: Callable[[str, str], str | None]):
        self.cookie_name, self.cookie_key, self.cookie_expiry_days = cookie_name, cookie_key, cookie_expiry_days
        self._credentials: dict[str, Any] = {"usernames": {}}
        self._lib = stauth.Authenticate(self._credentials, cookie_name=cookie_name, cookie_key=cookie_key,
                                        cookie_expiry_days=cookie_expiry_days, auto_hash=False, login_sleep_time=0)
        self._check_password = check_password
        self._lib.authentication_controller.authentication_model.check_credentials = self._check_credentials

    def _check_credentials(self, username: str, password: str) -> bool:
        name = self._check_password(username, password)
        if name is None:
            return False
        self.admit(username, name)
        return True

    def admit(self, username: str, display_name: str) -> None:
        """Let the library sign this user in (from the form, the session or a cookie) during this run."""
        self._credentials["usernames"][username] = _entry(display_name)

    # ---- the sign-in state the library keeps in st.session_state -------------------------------------

    @staticmethod
    def signed_in_username() -> str | None:
        ss = st.session_state
        return ss.get(USERNAME) if ss.get(STATUS) and ss.get(USERNAME) else None

    @staticmethod
    def failed() -> bool:
        """The last form submission was refused."""
        return st.session_state.get(STATUS) is False

    @staticmethod
    def signed_in() -> bool:
        return bool(st.session_state.get(STATUS))

    @staticmethod
    def logged_out() -> bool:
        """This browser session has logged out (or had its cookie refused): no cookie re-login."""
        return bool(st.session_state.get(LOGGED_OUT))

    # ---- cookie ---------------------------------------------------------------------------------------

    def cookie(self) -> CookieSession | None:
        cookies = st.context.cookies
        raw = cookies.get(self.cookie_name) if self.cookie_name in cookies else None
        return read_cookie(raw, key=self.cookie_key, expiry_days=self.cookie_expiry_days)

    def refuse_cookie(self) -> None:
        """Stop the library's own cookie login for this browser session and delete the cookie."""
        st.session_state[LOGGED_OUT] = True
        self._lib.cookie_controller.delete_cookie()

    # ---- widgets --------------------------------------------------------------------------------------

    def login_form(self, *, fields: Mapping[str, str], key: str) -> None:
        try:
            self._lib.login(location="main", fields=dict(fields), key=key)
        except LoginError as exc:
            raise LoginRefused(str(exc)) from exc

    def logout_button(self, label: str, *, key: str, on_logout: Callable[[str], None]) -> None:
        """The sidebar button; ``on_logout(username)`` runs when it is pressed, before the state is cleared."""
        self._lib.logout(label, location="sidebar", key=key,
                         callback=lambda info: on_logout(str(info.get("username") or "")))

    def end_session(self) -> None:
        """Sign out without a button (and delete the cookie)."""
        self._lib.logout(location="unrendered")
