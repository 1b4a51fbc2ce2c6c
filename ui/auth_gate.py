"""The login gate: streamlit-authenticator draws the form; our tables decide (stack-notes §2).

- The credentials dict holds at most the user of this session (or of a valid cookie): throttled,
  disabled or invalidated users are simply absent, and the password check is ours (throttle, dummy
  bcrypt for unknown names, attempts logged).
- Logout is rendered before ``login()`` so the cookie deletion stays mounted (pitfall 2), and it ends
  every session of the user server-side (``sessions_valid_after``), because the cookie itself cannot be revoked.
- ``Authenticate`` is built once per script run, here, never cached (pitfall 5).
"""

from __future__ import annotations

import logging
import os
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator import LoginError

from db.services import auth as auth_service
from db.services.policy import policy_at
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


def _entry(name: str) -> dict:
    return {"name": name, "password": "", "email": "", "roles": [], "failed_login_attempts": 0, "logged_in": False}


def _cookie_session(key: str, expiry_days: float) -> tuple[str, datetime] | None:
    raw = st.context.cookies.get(COOKIE_NAME) if COOKIE_NAME in st.context.cookies else None
    if not isinstance(raw, str) or not raw:
        return None
    try:
        token = jwt.decode(raw, key, algorithms=["HS256"])
        exp = datetime.fromtimestamp(float(token["exp_date"]), UTC)
        username = str(token["username"])
    except (jwt.PyJWTError, KeyError, TypeError, ValueError):
        return None
    # The library stores only the expiry: the issue time is the expiry minus the cookie lifetime.
    return username, exp - timedelta(days=expiry_days)


def login_gate() -> auth_service.SessionUser | None:
    """Draw the login form or return the signed-in user; ``None`` means the page must stop."""
    now = utc_now()
    ss = st.session_state
    policy = policy_at(now)
    expiry_days = policy["security.absolute_timeout_hours"] / 24
    key = cookie_key()
    credentials: dict = {"usernames": {}}
    authenticator = stauth.Authenticate(credentials, cookie_name=COOKIE_NAME, cookie_key=key,
                                        cookie_expiry_days=expiry_days, auto_hash=False, login_sleep_time=0)
    users = credentials["usernames"]
    def check_credentials(username: str, password: str) -> bool:
        # The client address is read only when a password is checked (not on every signed-in click).
        ip = st.context.ip_address
        source = ip if isinstance(ip, str) else ""  # AppTest has no client address
        result = auth_service.verify_login(username, password, source=source, now=utc_now())
        if result.ok:
            users[username] = _entry(result.display_name)
            ss[ISSUED_KEY] = ss[SEEN_KEY] = utc_now()
            ss.pop(MSG_KEY, None)
            return True
        ss[MSG_KEY] = result.message
        return False

    authenticator.authentication_controller.authentication_model.check_credentials = check_credentials

    user = None
    if ss.get("authentication_status") and ss.get("username"):
        user = auth_service.session_user(ss["username"])
        problem = auth_service.session_problem(user, issued_at=ss.get(ISSUED_KEY) or now,
                                               last_seen=ss.get(SEEN_KEY), now=now, policy=policy)
        if problem:
            log.info("session ended for %s: %s", ss.get("username"), problem)
            authenticator.logout(location="unrendered")
            ss[MSG_KEY], user = problem, None
        else:
            users[user.username] = _entry(user.display_name)
    elif not ss.get("logout"):
        cookie = _cookie_session(key, expiry_days)
        if cookie:
            username, issued_at = cookie
            candidate = auth_service.session_user(username)
            problem = auth_service.session_problem(candidate, issued_at=issued_at, last_seen=None, now=now,
                                                   policy=policy)
            if problem is None and candidate.last_seen_at and now - candidate.last_seen_at > timedelta(
                    minutes=policy["security.idle_timeout_minutes"]):
                problem = "长时间未操作，已自动退出，请重新登录。"
            if problem:
                ss["logout"] = True  # stop the library's own cookie login for this browser session
                ss[MSG_KEY] = problem
                authenticator.cookie_controller.delete_cookie()
            else:
                users[candidate.username] = _entry(candidate.display_name)
                ss[ISSUED_KEY], ss[SEEN_KEY] = issued_at, now

    def on_logout(_info: dict) -> None:
        username = _info.get("username") or ""
        signed_in = auth_service.session_user(username)
        if signed_in:
            auth_service.end_sessions(signed_in.user_id, now=utc_now(), reason="退出登录")
        ss[MSG_KEY] = "您已安全退出。"

    logout_drawn = user is not None
    if logout_drawn:
        authenticator.logout("退出登录", location="sidebar", key="logout_btn", callback=on_logout)
    # A narrow centred column: a full-width form on a wide page reads badly.
    column = st.columns([1, 2, 1])[1] if not ss.get("authentication_status") else st.container()
    try:
        with column:
            authenticator.login(location="main", fields=LOGIN_FIELDS, key="login_form")
    except LoginError as exc:  # a cookie for a user who is no longer allowed in
        log.info("login refused: %s", exc)
        ss[MSG_KEY] = "登录已失效，请重新登录。"

    if not ss.get("authentication_status"):
        message = ss.get(MSG_KEY)
        with column:
            if ss.get("authentication_status") is False:
                st.error(message or "用户名或密码错误")
            elif message:
                st.info(message)
            else:
                st.caption("请输入用户名和密码。忘记密码请联系系统管理员重置。")
        return None

    user = user or auth_service.session_user(ss["username"])
    if user is None or not user.active:
        authenticator.logout(location="unrendered")
        st.error("账号已停用或不存在，请联系系统管理员。")
        return None
    if not logout_drawn:  # signed in by this very run (form or cookie): the button must be there at once
        authenticator.logout("退出登录", location="sidebar", key="logout_btn", callback=on_logout)
    ss[SEEN_KEY] = now
    if not ss.get(SEEN_SAVED_KEY) or now - ss[SEEN_SAVED_KEY] > timedelta(seconds=60):
        auth_service.touch(user.user_id, now=now)
        ss[SEEN_SAVED_KEY] = now
    return user
