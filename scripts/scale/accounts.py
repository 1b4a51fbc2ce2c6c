"""Accounts at scale: every headquarters role once, every office role in every 管理处 (``bench_<role>_<NN>``).

All accounts share one password hash, computed once (bcrypt at 12 rounds costs ~0.25 s a hash).
"""

from __future__ import annotations

from sqlalchemy import select

from core.roles import COMPANY_WIDE_ROLES, Role
from db.models import OrgUnit, Staff
from db.services.auth import hash_password
from scripts.scale import BENCH_PASSWORD, bulk_insert, next_id, person

ORDER = 30
TABLES = ("app_user", "user_role")

HQ_ROLES = [r for r in Role if r in COMPANY_WIDE_ROLES]
OFFICE_ROLES = [r for r in Role if r not in COMPANY_WIDE_ROLES]


def username(role: Role, office_no: int | None = None) -> str:
    """``bench_hq_head`` or ``bench_clerk_01`` (office numbers follow the 管理处 codes S001, S002 …)."""
    return f"bench_{role.value}" + (f"_{office_no:02d}" if office_no else "")


def generate(conn, rng, scale) -> None:
    hashed = hash_password(BENCH_PASSWORD)
    hq = conn.execute(select(OrgUnit.id).where(OrgUnit.kind == "hq")).scalar_one()
    offices = list(conn.execute(select(OrgUnit.id).where(OrgUnit.kind == "office", OrgUnit.code.like("S%"))
                                .order_by(OrgUnit.code)).scalars())
    staff = {}
    for sid, office_id, post in conn.execute(select(Staff.id, Staff.office_id, Staff.post).order_by(Staff.id)):
        staff.setdefault((office_id, post), sid)
    uid, first_role = next_id(conn, "app_user"), next_id(conn, "user_role")
    users, grants = [], []
    plan = [(username(r), r, hq) for r in HQ_ROLES]
    plan += [(username(r, n), r, office_id) for n, office_id in enumerate(offices, start=1) for r in OFFICE_ROLES]
    for name, role, unit in plan:
        users.append((uid, name, person(rng), hashed, True, False, True, scale.anchor, scale.anchor,
                      staff.get((unit, role.value)), scale.anchor))
        grants.append((first_role + len(grants), uid, role.value, unit))
        uid += 1
    bulk_insert(conn, "app_user", ("id", "username", "display_name", "password_hash", "active", "must_change_password",
                                   "is_demo", "sessions_valid_after", "password_changed_at", "staff_id", "created_at"),
                users)
    bulk_insert(conn, "user_role", ("id", "user_id", "role", "org_unit_id"), grants)


# ----- benchmark hooks (scripts/bench.py) ---------------------------------------------------------

def _search_users(at, office_id: int) -> None:
    at.text_input(key="user_search").input("clerk")


PAGE_FILTERS = {"views/admin/users.py": _search_users}
