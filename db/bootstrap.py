"""First start: migrate, fill the shipped holiday calendar, and make sure someone can sign in.

On an empty database a company, the HQ 客服中心 and one administrator ``admin`` are created. The admin's
one-time password comes from ``ADMIN_INITIAL_PASSWORD`` or is generated and written to
``data/admin-initial-password.txt``; it must be changed at first login.
"""

from __future__ import annotations

import logging
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, text
from sqlmodel import Session, select

from core.roles import Role
from db import migrate
from db.models import OrgUnit, User, UserRole
from db.services.auth import hash_password
from db.services.base import audit
from db.services.policy import ensure_revision, seed_default_holidays

log = logging.getLogger(__name__)


def ensure_company(session: Session) -> tuple[OrgUnit, OrgUnit]:
    company = session.exec(select(OrgUnit).where(OrgUnit.kind == "company")).first()
    if company is None:
        company = OrgUnit(code="CO", name="物业服务有限公司", kind="company")
        session.add(company)
        session.flush()
    hq = session.exec(select(OrgUnit).where(OrgUnit.kind == "hq")).first()
    if hq is None:
        hq = OrgUnit(code="HQ", name="客服中心(总部)", kind="hq", parent_id=company.id)
        session.add(hq)
        session.flush()
    return company, hq


def bootstrap(engine: Engine, data_dir: Path | None = None, *, create_admin: bool = True) -> None:
    migrate.upgrade(engine)
    with Session(engine) as s:
        if engine.dialect.name == "postgresql":
            # Several processes starting together: one seeds, the others then find its rows (released at commit).
            s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": migrate.ADVISORY_LOCK_ID})
        _company, hq = ensure_company(s)
        seed_default_holidays(s)
        ensure_revision(s)
        has_admin = s.exec(select(func.count()).select_from(UserRole).where(UserRole.role == Role.SYSADMIN.value)).one()
        if create_admin and not has_admin and not s.exec(select(User).where(User.username == "admin")).first():
            password = os.environ.get("ADMIN_INITIAL_PASSWORD") or secrets.token_urlsafe(12)
            now = datetime.now(UTC)
            admin = User(username="admin", display_name="系统管理员", password_hash=hash_password(password),
                         must_change_password=True, sessions_valid_after=now, password_changed_at=now, created_at=now)
            s.add(admin)
            s.flush()
            s.add(UserRole(user_id=admin.id, role=Role.SYSADMIN.value, org_unit_id=hq.id))
            audit(s, actor=None, action="user.bootstrap_admin", entity="user", entity_id=admin.id,
                  summary="首次启动：创建系统管理员 admin（首次登录须修改密码）")
            if not os.environ.get("ADMIN_INITIAL_PASSWORD"):
                target = (data_dir or Path(os.environ.get("DATA_DIR", Path(__file__).resolve().parents[1] / "data")))
                target.mkdir(parents=True, exist_ok=True)
                secret = target / "admin-initial-password.txt"
                secret.write_text(f"admin {password}\n", encoding="utf-8")
                secret.chmod(0o600)
                log.warning("created administrator 'admin'; one-time password written to %s", secret)
        s.commit()
