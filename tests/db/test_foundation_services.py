"""Foundation services end to end on a real database: audit rows, refusals, policy versions, users."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from core.errors import DomainError, PermissionDenied
from core.roles import Role
from db.engine import get_engine
from db.models import AuditLog, PolicyChange, User
from db.services import org as org_service
from db.services import policy as policy_service
from db.services import users as user_service


def _audit(url: str, action: str) -> list[AuditLog]:
    with Session(get_engine(url)) as s:
        return list(s.exec(select(AuditLog).where(AuditLog.action == action)).all())


def test_policy_change_is_versioned_audited_and_judged_by_version(db_url, make_actor, now):
    admin = make_actor(Role.SYSADMIN)
    assert policy_service.policy_at(now)["complaint.hot_collective"] == 3
    v1 = policy_service.set_value(actor=admin, key="complaint.hot_collective", value=4, reason="客户确认",
                                  effective_from=now + timedelta(days=1), now=now)
    # not yet effective today, effective tomorrow; a record made under version 0 keeps the default
    assert policy_service.policy_at(now)["complaint.hot_collective"] == 3
    assert policy_service.policy_at(now + timedelta(days=2))["complaint.hot_collective"] == 4
    assert policy_service.policy_at(now + timedelta(days=2), version=0)["complaint.hot_collective"] == 3
    assert policy_service.policy_at(now + timedelta(days=2), version=v1)["complaint.hot_collective"] == 4
    rows = _audit(db_url, "policy.set")
    assert len(rows) == 1 and '"value": 3' in rows[0].before_json and '"value": 4' in rows[0].after_json


def test_invalid_policy_value_writes_nothing(db_url, make_actor, now):
    admin = make_actor(Role.SYSADMIN)
    with pytest.raises(DomainError, match="不能小于"):
        policy_service.set_value(actor=admin, key="complaint.hot_collective", value=1, reason="x",
                                 effective_from=now, now=now)
    with pytest.raises(DomainError, match="修改原因"):
        policy_service.set_value(actor=admin, key="complaint.hot_collective", value=5, reason=" ",
                                 effective_from=now, now=now)
    with Session(get_engine(db_url)) as s:
        assert s.exec(select(PolicyChange)).all() == []


def test_refused_action_is_audited_and_writes_nothing(db_url, make_actor, now):
    clerk = make_actor(Role.CLERK)
    with pytest.raises(PermissionDenied):
        policy_service.set_value(actor=clerk, key="complaint.hot_collective", value=5, reason="x",
                                 effective_from=now, now=now)
    refusals = _audit(db_url, "permission.denied")
    assert len(refusals) == 1 and refusals[0].actor_user_id == clerk.user_id


def test_audit_log_is_append_only(db_url, make_actor, now):
    admin = make_actor(Role.SYSADMIN)
    policy_service.set_holiday(actor=admin, day=now.date(), kind="holiday", name="测试")
    with pytest.raises(Exception, match="append-only"):
        with get_engine(db_url).begin() as conn:
            conn.execute(text("UPDATE audit_log SET summary = 'tampered'"))
    with pytest.raises(Exception, match="append-only"):
        with get_engine(db_url).begin() as conn:
            conn.execute(text("DELETE FROM audit_log"))


def test_create_user_is_idempotent_and_validated(db_url, org, make_actor, now):
    admin = make_actor(Role.SYSADMIN)
    grants = [(Role.CLERK.value, org.office_a)]
    first = user_service.create_user(actor=admin, username="Clerk.Zhang", display_name="张前台", password="long enough pw",
                                     grants=grants, now=now, request_id="req-1")
    again = user_service.create_user(actor=admin, username="clerk.zhang", display_name="张前台", password="long enough pw",
                                     grants=grants, now=now, request_id="req-1")
    assert first == again
    with pytest.raises(DomainError, match="已被使用"):
        user_service.create_user(actor=admin, username="clerk.zhang", display_name="x", password="long enough pw",
                                 grants=grants, now=now, request_id="req-2")
    with pytest.raises(DomainError, match="常见"):
        user_service.create_user(actor=admin, username="li", display_name="李", password="password123",
                                 grants=grants, now=now)
    with pytest.raises(DomainError, match="72"):
        user_service.create_user(actor=admin, username="wang", display_name="王", password="密" * 30,
                                 grants=grants, now=now)
    with pytest.raises(DomainError, match="至少"):
        user_service.create_user(actor=admin, username="zhao", display_name="赵", password="short",
                                 grants=grants, now=now)
    with Session(get_engine(db_url)) as s:
        created = s.exec(select(User).where(User.username == "clerk.zhang")).one()
        assert created.must_change_password and not created.is_demo
        assert s.exec(select(User).where(User.username.in_(["li", "wang", "zhao"]))).all() == []


def test_office_scope_limits_lists_and_writes(db_url, org, make_actor, now):
    admin = make_actor(Role.SYSADMIN)
    zone_a = org_service.save_zone(actor=admin, zone_id=None, office_id=org.office_a, name="东方苑")
    org_service.save_zone(actor=admin, zone_id=None, office_id=org.office_b, name="康乐一期")
    clerk_a = make_actor(Role.CLERK, org.office_a)
    assert [z.id for z in org_service.list_zones(actor=clerk_a)] == [zone_a]
    with pytest.raises(PermissionDenied):
        org_service.list_zones(actor=clerk_a, office_id=org.office_b)
    assert len(org_service.list_zones(actor=admin)) == 2
