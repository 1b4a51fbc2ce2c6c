"""The login gate: streamlit-authenticator draws the form; our tables decide (stack-notes §2).

- The credentials dict holds at most the user of this session (or of a valid cookie): throttled,
  disabled or invalidated users are simply absent, and the password check is ours (throttle, dummy
  bcrypt for unknown names, attempts logged).
- Logout is rendered before ``login()`` so the cookie deletion stays mounted (pitfall 2), and it ends
  every session of the user server-side (``sessions_valid_after``), because the cookie itself cannot be revoked.
- ``Authenticate`` is built once per script run, here, never cached (pitfall 5).
- Whether a session or a remembered login (cookie) may go on is the service's answer
  (``auth_service.session_problem`` / ``cookie_login``, rules in ``core.sessions``); the gate only asks.
- Everything that touches the library's internals (the replaced password check, the cookie format, its
  session-state keys) is in ``ui/authenticator_adapter.py``, pinned and contract-tested.
"""

from __future__ import annotations

import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path

import streamlit as st

from db.services import auth as auth_service
from db.services.policy import policy_at
from ui.authenticator_adapter import Authenticator, LoginRefused
from ui.fmt import now as utc_now

log = logging.getLogger("security")

LOGIN_FIELDS = {"Form name": "登录 物业客服台", "Username": "用户名", "Password": "密码", "Login": "登录"}
COOKIE_NAME = os.environ.get("AUTH_COOKIE_NAME", "psd_auth")
ISSUED_KEY, SEEN_KEY, SEEN_SAVED_KEY, MSG_KEY = "auth_issued_at", "auth_last_seen", "auth_seen_saved", "auth_message"


def cookie_key() -> str:
    """A stable secret: from the environment, or generated once into the data folder."""
    env = os.environ.get("AUTH_COOKIE_KEY")
    if env:
        return env
    data_dir = Path(os.environ.get("DATA_DIR", Path(__file__).resolve().parents[1] / "data"))
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / ".cookie-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def login_gate() -> auth_service.SessionUser | None:
    """Draw the login form or return the signed-in user; ``None`` means the page must stop."""
    now = utc_now()
    ss = st.session_state
    policy = policy_at(now)

    def check_password(username: str, password: str) -> str | None:
        # The client address is read only when a password is checked (not on every signed-in click).
        ip = st.context.ip_address
        source = ip if isinstance(ip, str) else ""  # AppTest has no client address
        result = auth_service.verify_login(username, password, source=source, now=utc_now())
        if result.ok:
            ss[ISSUED_KEY] = ss[SEEN_KEY] = utc_now()
            ss.pop(MSG_KEY, None)
            return result.display_name
        ss[MSG_KEY] = result.message
        return None

    authenticator = Authenticator(cookie_name=COOKIE_NAME, cookie_key=cookie_key(),
                                  cookie_expiry_days=policy["security.absolute_timeout_hours"] / 24,
                                  check_password=check_password)

    user = None
    if authenticator.signed_in_username():
        user = auth_service.session_user(authenticator.signed_in_username())
        problem = auth_service.session_problem(user, issued_at=ss.get(ISSUED_KEY) or now,
                                               last_seen=ss.get(SEEN_KEY), now=now, policy=policy)
        if problem:
            log.info("session ended for %s: %s", authenticator.signed_in_username(), problem)
            authenticator.end_session()
            ss[MSG_KEY], user = problem, None
        else:
            authenticator.admit(user.username, user.display_name)
    elif not authenticator.logged_out():
        cookie = authenticator.cookie()
        if cookie:
            verdict = auth_service.cookie_login(cookie.username, issued_at=cookie.issued_at, now=now, policy=policy)
            if verdict.problem:
                ss[MSG_KEY] = verdict.problem
                authenticator.refuse_cookie()
            else:
                authenticator.admit(verdict.user.username, verdict.user.display_name)
                ss[ISSUED_KEY], ss[SEEN_KEY] = cookie.issued_at, now

    def on_logout(username: str) -> None:
        signed_in = auth_service.session_user(username)
        if signed_in:
            auth_service.end_sessions(signed_in.user_id, now=utc_now(), reason="退出登录")
        ss[MSG_KEY] = "您已安全退出。"

    logout_drawn = user is not None
    if logout_drawn:
        authenticator.logout_button("退出登录", key="logout_btn", on_logout=on_logout)
    # A narrow centred column: a full-width form on a wide page reads badly.
    column = st.columns([1, 2, 1])[1] if not authenticator.signed_in() else st.container()
    try:
        with column:
            authenticator.login_form(fields=LOGIN_FIELDS, key="login_form")
    except LoginRefused as exc:  # a cookie for a user who is no longer allowed in
        log.info("login refused: %s", exc)
        ss[MSG_KEY] = "登录已失效，请重新登录。"

    if not authenticator.signed_in():
        message = ss.get(MSG_KEY)
        with column:
            if authenticator.failed():
                st.error(message or "用户名或密码错误")
            elif message:
                st.info(message)
            else:
                st.caption("请输入用户名和密码。忘记密码请联系系统管理员重置。")
        return None

    user = user or auth_service.session_user(authenticator.signed_in_username())
    if user is None or not user.active:
        authenticator.end_session()
        st.error("账号已停用或不存在，请联系系统管理员。")
        return None
    if not logout_drawn:  # signed in by this very run (form or cookie): the button must be there at once
        authenticator.logout_button("退出登录", key="logout_btn", on_logout=on_logout)
    ss[SEEN_KEY] = now
    if not ss.get(SEEN_SAVED_KEY) or now - ss[SEEN_SAVED_KEY] > timedelta(seconds=60):
        auth_service.touch(user.user_id, now=now)
        ss[SEEN_SAVED_KEY] = now
    return user
