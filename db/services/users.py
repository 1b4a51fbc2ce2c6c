"""Accounts for administrators: create, disable, reset password, (role, office) pairs, deputies."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import select

from core.errors import DomainError, NotFound
from core.passwords import check_new_password
from core.permissions import Action, Actor
from core.roles import Role, role_label
from db.models import OrgUnit, Staff, User, UserRole
from db.services.auth import end_sessions, hash_password
from db.services.base import Page, already_done, audit, authorize, load_scoped, paginate, remember
from db.services.policy import policy_in
from db.session import read_session, write_session

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    display_name: str
    active: bool
    must_change_password: bool
    is_demo: bool
    roles: str
    deputy: str
    deputy_until: datetime | None


def list_users(*, actor: Actor, search: str = "", page: int = 1, page_size: int = 50) -> Page:
    authorize(actor, Action.USER_MANAGE)
    with read_session() as s:
        stmt = select(User)
        if search.strip():
            like = f"%{search.strip()}%"
            stmt = stmt.where(or_(User.username.like(like), User.display_name.like(like)))
        result = paginate(s, stmt, page=page, page_size=page_size, order_by=[User.username])
        ids = [u.id for u in result.rows]
        roles = s.exec(select(UserRole, OrgUnit.name).join(OrgUnit, OrgUnit.id == UserRole.org_unit_id)
                       .where(UserRole.user_id.in_(ids))).all() if ids else []
        names = {u.id: u.display_name for u in s.exec(select(User).where(
            User.id.in_([u.deputy_user_id for u in result.rows if u.deputy_user_id]))).all()}
    by_user: dict[int, list[str]] = {}
    for r, office in roles:
        by_user.setdefault(r.user_id, []).append(f"{role_label(r.role)}@{office}")
    rows = [
        UserRow(u.id, u.username, u.display_name, u.active, u.must_change_password, u.is_demo,
                "；".join(sorted(by_user.get(u.id, []))), names.get(u.deputy_user_id, ""), u.deputy_until)
        for u in result.rows
    ]
    return Page(rows=rows, total=result.total, page=result.page, page_size=result.page_size)


def user_grants(*, actor: Actor, user_id: int) -> list[tuple[str, int]]:
    authorize(actor, Action.USER_MANAGE)
    with read_session() as s:
        return [(r.role, r.org_unit_id) for r in s.exec(select(UserRole).where(UserRole.user_id == user_id)).all()]


def _validate_grants(s, grants: list[tuple[str, int]]) -> list[tuple[str, int]]:
    if not grants:
        raise DomainError("至少为账号分配一个角色", field="roles")
    clean = []
    for role, office_id in grants:
        if role not in Role._value2member_map_:
            raise DomainError(f"未知角色：{role}")
        if s.get(OrgUnit, office_id) is None:
            raise DomainError("所选单位不存在")
        if (role, office_id) not in clean:
            clean.append((role, office_id))
    return clean


def create_user(*, actor: Actor, username: str, display_name: str, password: str,
                grants: list[tuple[str, int]], now: datetime, staff_id: int | None = None,
                request_id: str | None = None, is_demo: bool = False, must_change: bool = True) -> int:
    authorize(actor, Action.USER_MANAGE)
    if staff_id is not None:  # scope before input; checked again in the write transaction below
        with read_session() as s:
            load_scoped(s, Staff, staff_id, actor=actor, action=Action.USER_MANAGE, entity="staff", lock=False,
                        missing="员工不存在")
    username = (username or "").strip().lower()
    display_name = (display_name or "").strip()
    if not USERNAME_RE.match(username):
        raise DomainError("用户名需为 2–32 位小写字母、数字、点、下划线或连字符，并以字母或数字开头", field="username")
    if not display_name or len(display_name) > 64:
        raise DomainError("请填写姓名（最多 64 个字）", field="display_name")
    with read_session() as s:
        min_len = policy_in(s, at=now)["security.min_password_length"]
    check_new_password(password, min_length=min_len, username=username)
    hashed = hash_password(password)
    with write_session() as s:
        done = already_done(s, request_id, "user")
        if done:
            return int(done)
        if staff_id is not None:
            load_scoped(s, Staff, staff_id, actor=actor, action=Action.USER_MANAGE, entity="staff", missing="员工不存在")
        if s.exec(select(User).where(User.username == username)).first():
            raise DomainError(f"用户名 {username} 已被使用", field="username")
        grants = _validate_grants(s, grants)
        user = User(username=username, display_name=display_name, password_hash=hashed, must_change_password=must_change,
                    is_demo=is_demo, staff_id=staff_id, created_at=now, sessions_valid_after=now, password_changed_at=now)
        s.add(user)
        s.flush()
        for role, office_id in grants:
            s.add(UserRole(user_id=user.id, role=role, org_unit_id=office_id))
        remember(s, request_id, "user", user.id)
        audit(s, actor=actor, action="user.create", entity="user", entity_id=user.id,
              summary=f"新建账号 {username}", after={"username": username, "name": display_name, "grants": grants})
        return int(user.id)


def _user(s, user_id: int) -> User:
    user = s.get(User, user_id)
    if user is None:
        raise NotFound("账号不存在")
    return user


def set_active(*, actor: Actor, user_id: int, active: bool, now: datetime) -> None:
    authorize(actor, Action.USER_MANAGE)
    if user_id == actor.user_id and not active:
        raise DomainError("不能停用自己的账号")
    with write_session() as s:
        user = _user(s, user_id)
        before = user.active
        user.active = active
        s.add(user)
        if not active:
            end_sessions(user.id, now=now, reason="账号停用", actor=actor, session=s)
        audit(s, actor=actor, action="user.enable" if active else "user.disable", entity="user", entity_id=user.id,
              summary=f"{'启用' if active else '停用'} {user.username}", before={"active": before}, after={"active": active})


def reset_password(*, actor: Actor, user_id: int, now: datetime) -> str:
    """Set a random one-time password; the user must change it at next login. Returns it to show once."""
    authorize(actor, Action.USER_MANAGE)
    temporary = "Tmp-" + secrets.token_urlsafe(9)
    hashed = hash_password(temporary)
    with write_session() as s:
        user = _user(s, user_id)
        user.password_hash = hashed
        user.must_change_password = True
        user.password_changed_at = now
        s.add(user)
        end_sessions(user.id, now=now, reason="管理员重置密码", actor=actor, session=s)
        audit(s, actor=actor, action="user.password_reset", entity="user", entity_id=user.id,
              summary=f"重置 {user.username} 的密码")
    return temporary


def set_grants(*, actor: Actor, user_id: int, grants: list[tuple[str, int]], now: datetime) -> None:
    authorize(actor, Action.USER_MANAGE)
    with write_session() as s:
        user = _user(s, user_id)
        grants = _validate_grants(s, grants)
        old = s.exec(select(UserRole).where(UserRole.user_id == user_id)).all()
        before = sorted((r.role, r.org_unit_id) for r in old)
        if user_id == actor.user_id and not any(r == Role.SYSADMIN.value for r, _ in grants):
            raise DomainError("不能移除自己的系统管理员角色（避免无人可管理账号）")
        for r in old:
            s.delete(r)
        s.flush()
        for role, office_id in grants:
            s.add(UserRole(user_id=user_id, role=role, org_unit_id=office_id))
        audit(s, actor=actor, action="user.grants", entity="user", entity_id=user_id,
              summary=f"调整 {user.username} 的角色", before=before, after=sorted(grants))


def set_deputy(*, actor: Actor, user_id: int, deputy_user_id: int | None, until: datetime | None, now: datetime) -> None:
    authorize(actor, Action.USER_MANAGE)
    if deputy_user_id is not None:
        if deputy_user_id == user_id:
            raise DomainError("代理人不能是本人")
        if until is not None and until.tzinfo is None:
            raise DomainError("代理截止时间缺少时区", field="until")
        if until is None or until <= now:
            raise DomainError("请填写晚于现在的代理截止时间", field="until")
    with write_session() as s:
        user = _user(s, user_id)
        if deputy_user_id is not None and not _user(s, deputy_user_id).active:
            raise DomainError("代理人账号已停用")
        before = {"deputy": user.deputy_user_id, "until": user.deputy_until}
        user.deputy_user_id = deputy_user_id
        user.deputy_until = until if deputy_user_id else None
        s.add(user)
        audit(s, actor=actor, action="user.deputy", entity="user", entity_id=user_id,
              summary=f"设置 {user.username} 的代理人", before=before, after={"deputy": deputy_user_id, "until": until})


def user_choices(*, actor: Actor) -> list[tuple[int, str]]:
    authorize(actor, Action.USER_MANAGE)
    with read_session() as s:
        return [(u.id, f"{u.display_name}（{u.username}）") for u in
                s.exec(select(User).where(User.active == True).order_by(User.username)).all()]  # noqa: E712
