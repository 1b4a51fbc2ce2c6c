"""用户与角色: granting roles stays a short choice at company scale (issue 9 §5).

The form used to offer one option per (role, unit) pair — 12 roles × every unit, ~600 at 50 管理处, built on every
run. Roles and units are now two lists, and the granted pairs are their product.
"""

from __future__ import annotations

from core.roles import ROLE_LABELS, Role
from db.services import users
from db.services.auth import build_actor, session_user
from db.services.org import list_units
from tests.app import harness as h
from tests.demo_data import DEMO_PASSWORD
from ui.fmt import now


def test_a_new_account_gets_the_roles_times_the_units_chosen(accounts, demo_db):
    at = h.login(h.new_app(), accounts[Role.SYSADMIN], DEMO_PASSWORD)
    at.switch_page("views/admin/users.py").run()
    assert not at.exception, at.exception
    roles = next(m for m in at.multiselect if m.label == "授予 *：角色")
    units = next(m for m in at.multiselect if m.label == "授予 *：单位")
    assert len(roles.options) == len(ROLE_LABELS)
    assert len(units.options) < 20, "one option per unit, not per (role, unit) pair"
    office = units.options[-1]
    next(t for t in at.text_input if t.label == "用户名 *").input("grant.check")
    next(t for t in at.text_input if t.label == "姓名 *").input("授权检查")
    next(t for t in at.text_input if t.label == "初始密码 *").input("a long enough password 2026")
    admin = build_actor(session_user(accounts[Role.SYSADMIN]).user_id, now=now())
    office_id = next(u.id for u in list_units(actor=admin) if u.name == office)
    roles.set_value([Role.CLERK, Role.CS_SUPERVISOR])
    units.set_value([office_id])
    next(b for b in at.button if b.label == "创建账号").click().run()
    assert not at.exception, at.exception
    assert not h.errors(at), h.errors(at)
    created = next(r for r in users.list_users(actor=admin, search="grant.check").rows)
    granted = sorted(tuple(g) for g in users.user_grants(actor=admin, user_id=created.id))
    assert [g[0] for g in granted] == sorted([Role.CLERK.value, Role.CS_SUPERVISOR.value])
    assert {g[1] for g in granted} == {office_id}
