"""Sign-in, sessions and passwords, kept in our own tables (the login widget keeps nothing reliable).

- Throttle with a time window: 5 failures for one account (or 30 from one source) within 15 minutes
  make further tries wait; nothing locks a colleague out for good (policy book: security.*).
- Unknown usernames run one dummy bcrypt check, so both refusals take the same time.
- ``sessions_valid_after``: logout, password change, reset and disable end every session of the user,
  including a cookie re-login (a cookie's issue time is its expiry minus the cookie lifetime).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import bcrypt
from sqlalchemy import func, update
from sqlmodel import Session, select

from core import sessions
from core.errors import DomainError
from core.passwords import BCRYPT_MAX_BYTES, check_new_password
from core.permissions import Actor, Grant
from core.policy import PolicyBook
from core.roles import Role
from db.models import LoginAttempt, User, UserRole
from db.models.base import as_utc as _as_aware
from db.services.base import audit
from db.services.policy import policy_in
from db.session import read_session, write_session

log = logging.getLogger("security")

BCRYPT_ROUNDS = 12
_DUMMY_HASH = bcrypt.hashpw(b"timing-equaliser", bcrypt.gensalt(BCRYPT_ROUNDS))


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(BCRYPT_ROUNDS)).decode()


def _check(password: str, hashed: str | None) -> bool:
    data = password.encode("utf-8")
    if len(data) > BCRYPT_MAX_BYTES:  # bcrypt 5 raises; spend the same time and refuse
        bcrypt.checkpw(b"x", _DUMMY_HASH)
        return False
    if not hashed:
        bcrypt.checkpw(data, _DUMMY_HASH)
        return False
    try:
        return bcrypt.checkpw(data, hashed.encode())
    except ValueError:
        return False


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    message: str = ""
    user_id: int | None = None
    display_name: str = ""
    retry_after: datetime | None = None


def verify_login(username: str, password: str, *, source: str, now: datetime) -> LoginResult:
    """Check one submitted login form; record the attempt; never say whether the username exists."""
    username = (username or "").strip().lower()[:64]
    source = (source or "")[:64]
    refused = "用户名或密码错误"
    with read_session() as s:
        policy = policy_in(s, at=now)
        window = timedelta(minutes=policy["security.login_window_minutes"])
        since = now - window
        user_failures = s.exec(
            select(func.count()).select_from(LoginAttempt).where(
                LoginAttempt.username == username, LoginAttempt.at >= since, LoginAttempt.success == False  # noqa: E712
            )
        ).one()
        source_failures = 0
        if source:
            source_failures = s.exec(
                select(func.count()).select_from(LoginAttempt).where(
                    LoginAttempt.source == source, LoginAttempt.at >= since, LoginAttempt.success == False  # noqa: E712
                )
            ).one()
        user = s.exec(select(User).where(User.username == username)).first()
    throttled = user_failures >= policy["security.login_failures"] or source_failures >= policy["security.source_failures"]
    if throttled:
        with read_session() as s:
            oldest = s.exec(
                select(func.min(LoginAttempt.at)).where(
                    LoginAttempt.username == username, LoginAttempt.at >= since, LoginAttempt.success == False  # noqa: E712
                )
            ).one()
        retry = _as_aware(oldest) + window if oldest else now + window
        # Audited, but not counted: tries while throttled must not push back the time the message names.
        _record(username, source, now, success=False, action="auth.throttled", user=user, counted=False)
        minutes = max(1, int((retry - now).total_seconds() // 60) + 1)
        return LoginResult(False, f"登录失败次数过多，请 {minutes} 分钟后再试。如忘记密码，请联系系统管理员重置。",
                           retry_after=retry)
    ok = _check(password or "", user.password_hash if user else None)
    if not ok or user is None or not user.active:
        _record(username, source, now, success=False, action="auth.login_failed", user=user)
        return LoginResult(False, refused)
    _record(username, source, now, success=True, action="auth.login", user=user)
    return LoginResult(True, user_id=user.id, display_name=user.display_name)


def _record(username: str, source: str, now: datetime, *, success: bool, action: str, user: User | None,
            counted: bool = True) -> None:
    with write_session() as s:
        if counted:
            s.add(LoginAttempt(username=username, source=source, at=now, success=success))
        actor = Actor(user.id, user.username, user.display_name, ()) if user else None
        audit(s, actor=actor, action=action, entity="user", entity_id=user.id if user else "",
              summary=f"{username} 来自 {source or '未知'}", source=source)
    log.info("%s username=%s source=%s", action, username, source)


@dataclass(frozen=True)
class SessionUser:
    """What the login gate needs about a signed-in user on every rerun (one query)."""

    user_id: int
    username: str
    display_name: str
    active: bool
    must_change_password: bool
    sessions_valid_after: datetime
    last_seen_at: datetime | None
    is_demo: bool
    guard_only: bool = False  # holds only the 保安 role: the gate phone's own idle timeout (pass.guard_idle_minutes)


def session_user(username: str) -> SessionUser | None:
    with read_session() as s:
        # the distinct roles held, when only one: a guard-only account has its own idle timeout
        only_role = (select(func.min(UserRole.role)).where(UserRole.user_id == User.id)
                     .having(func.count(func.distinct(UserRole.role)) == 1).scalar_subquery())
        row = s.exec(select(User.id, User.username, User.display_name, User.active, User.must_change_password,
                            User.sessions_valid_after, User.last_seen_at, User.is_demo, only_role)
                     .where(User.username == (username or "").lower())).first()
    if row is None:
        return None
    user_id, name, display_name, active, must_change, valid_after, last_seen, is_demo, roles = row
    return SessionUser(user_id, name, display_name, bool(active), bool(must_change), _as_aware(valid_after),
                       _as_aware(last_seen), bool(is_demo), guard_only=roles == Role.GUARD.value)


def touch(user_id: int, *, now: datetime) -> None:
    """Persist the last activity (the gate calls this at most once a minute per session)."""
    with write_session() as s:
        s.execute(update(User).where(User.id == user_id).values(last_seen_at=now))


def session_problem(user: SessionUser | None, *, issued_at: datetime, last_seen: datetime | None,
                    now: datetime, policy: PolicyBook | None = None) -> str | None:
    """Why this signed-in session must end, in Chinese, or None if it is still valid (``core.sessions``).

    ``last_seen``: the session's own last click. The login gate passes the policy it already read for this
    run (``policy``), so a click resolves the policy book once."""
    if user is None or not user.active:
        return sessions.DISABLED
    return sessions.session_end_reason(active=user.active, issued_at=issued_at, valid_after=user.sessions_valid_after,
                                       last_activity=last_seen, now=now, policy=policy or _policy(now),
                                       guard=user.guard_only)


@dataclass(frozen=True)
class CookieLogin:
    """The answer to a login remembered by the browser: the user to sign in, or why not (``problem``)."""

    user: SessionUser | None
    problem: str | None


def cookie_login(username: str, *, issued_at: datetime, now: datetime,
                 policy: PolicyBook | None = None) -> CookieLogin:
    """May a valid login cookie, issued at ``issued_at``, sign ``username`` in again now?

    Refused when the account is disabled, the user's sessions were ended after the cookie was issued, the
    sign-in is older than the absolute timeout, or the user has been idle in every session for longer than
    the idle timeout (the cookie must not outlive the idle rule of the session it came from).
    """
    user = session_user(username)
    if user is None or not user.active:
        return CookieLogin(None, sessions.DISABLED)
    problem = sessions.session_end_reason(active=user.active, issued_at=issued_at,
                                          valid_after=user.sessions_valid_after, last_activity=user.last_seen_at,
                                          now=now, policy=policy or _policy(now), guard=user.guard_only)
    return CookieLogin(None if problem else user, problem)


def _policy(now: datetime) -> PolicyBook:
    with read_session() as s:
        return policy_in(s, at=now)


def min_password_length(*, now: datetime) -> int:
    """The shortest password the policy book allows now (screens show it; the services enforce it)."""
    return _policy(now)["security.min_password_length"]


def end_sessions(user_id: int, *, now: datetime, reason: str, actor: Actor | None = None,
                 session: Session | None = None) -> None:
    """Invalidate every session and cookie of the user issued before ``now``."""

    def apply(s: Session) -> None:
        u = s.get(User, user_id)
        if u is None:
            return
        u.sessions_valid_after = now
        s.add(u)
        audit(s, actor=actor, action="auth.sessions_ended", entity="user", entity_id=user_id, summary=reason)

    if session is not None:
        apply(session)
    else:
        with write_session() as s:
            apply(s)


def change_own_password(*, actor: Actor, old_password: str, new_password: str, now: datetime) -> None:
    with read_session() as s:
        user = s.get(User, actor.user_id)
        min_len = policy_in(s, at=now)["security.min_password_length"]
    if user is None or not _check(old_password or "", user.password_hash):
        raise DomainError("原密码不正确", field="old_password")
    if old_password == new_password:
        raise DomainError("新密码不能与原密码相同", field="new_password")
    check_new_password(new_password, min_length=min_len, username=user.username)
    hashed = hash_password(new_password)
    with write_session() as s:
        u = s.get(User, actor.user_id)
        u.password_hash = hashed
        u.must_change_password = False
        u.password_changed_at = now
        s.add(u)
        # Other sessions end; the caller marks its own session as re-issued now.
        end_sessions(u.id, now=now, reason="修改密码", actor=actor, session=s)
        audit(s, actor=actor, action="auth.password_changed", entity="user", entity_id=u.id)


def build_actor(user_id: int, *, now: datetime) -> Actor:
    """The user's grants, plus the grants of colleagues who named them deputy (代理) until a future date.

    Runs on every click (app.py): plain columns, no table objects, and the delegated roles in one query.
    """
    with read_session() as s:
        username, display_name = s.exec(select(User.username, User.display_name).where(User.id == user_id)).one()
        own = s.exec(select(UserRole.role, UserRole.org_unit_id).where(UserRole.user_id == user_id)).all()
        principals = [pid for pid, until in s.exec(
            select(User.id, User.deputy_until).where(User.deputy_user_id == user_id, User.deputy_until != None,  # noqa: E711
                                                     User.active == True)).all()  # noqa: E712
                      if _as_aware(until) >= now]
        delegated_rows = s.exec(select(UserRole.role, UserRole.org_unit_id).where(
            UserRole.user_id.in_(principals))).all() if principals else []
    grants = tuple(Grant(Role(role), unit) for role, unit in own if role in Role._value2member_map_)
    delegated = tuple(Grant(Role(role), unit) for role, unit in delegated_rows if role in Role._value2member_map_)
    return Actor(user_id=user_id, username=username, name=display_name, grants=grants, delegated=delegated)
