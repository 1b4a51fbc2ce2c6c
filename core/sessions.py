"""When a signed-in session, or a login remembered by the browser's cookie, must end (pure; policy passed in).

Policy book ``security.*``: ``absolute_timeout_hours`` after sign-in, ``idle_timeout_minutes`` after the last
activity; an account that holds only the 保安 role (the gate phone shared across shifts) has its own idle timeout,
``pass.guard_idle_minutes``. A session's last activity is its own last click; a cookie, which comes back without a session,
is measured from the user's last activity in any session (kept by the login gate, at most a minute old).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from core.policy import PolicyBook

DISABLED = "账号已停用或不存在，请联系系统管理员。"
REVOKED = "您的登录已失效（已退出、密码已修改或被管理员重置），请重新登录。"
TOO_OLD = "登录已超过最长时限，请重新登录。"
IDLE = "长时间未操作，已自动退出，请重新登录。"


def session_end_reason(*, active: bool, issued_at: datetime, valid_after: datetime, last_activity: datetime | None,
                       now: datetime, policy: PolicyBook, guard: bool = False) -> str | None:
    """Why the session must end, in Chinese for the user, or None while it is valid."""
    if not active:
        return DISABLED
    if issued_at < valid_after:
        return REVOKED
    if now - issued_at > timedelta(hours=policy["security.absolute_timeout_hours"]):
        return TOO_OLD
    if last_activity and now - last_activity > timedelta(minutes=idle_minutes(policy, guard=guard)):
        return IDLE
    return None


def idle_minutes(policy: PolicyBook, *, guard: bool) -> int:
    """The idle timeout of a session: the 保安 role's own value for a guard-only account."""
    return policy["pass.guard_idle_minutes"] if guard else policy["security.idle_timeout_minutes"]
