"""Master-data lists are scoped in the service (issue 5): a 管理处 user sees the own 管理处's departments only."""

from __future__ import annotations

import pytest

from core.errors import PermissionDenied
from core.roles import Role
from db.services import org as org_service
from db.services import people as people_service


def test_departments_are_scoped_to_the_office(db_url, org, make_actor):
    admin = make_actor(Role.SYSADMIN)
    made = {unit: org_service.save_department(actor=admin, department_id=None, org_unit_id=unit, name=f"客服部{i}",
                                              kind="customer_service", head_staff_id=None)
            for i, unit in enumerate((org.company_id, org.office_a, org.office_b))}
    clerk_a = make_actor(Role.CLERK, org.office_a)
    assert [d.id for d in org_service.list_departments(actor=clerk_a)] == [made[org.office_a]]
    assert [d.id for d in org_service.list_departments(actor=clerk_a, org_unit_id=org.office_a)] == [made[org.office_a]]
    with pytest.raises(PermissionDenied):
        org_service.list_departments(actor=clerk_a, org_unit_id=org.office_b)
    hq = make_actor(Role.HQ_HEAD)
    assert {d.id for d in org_service.list_departments(actor=hq)} == set(made.values())
    assert [d.id for d in org_service.list_departments(actor=hq, org_unit_id=org.office_b)] == [made[org.office_b]]


def test_staff_choices_are_pairs_of_the_scope(db_url, org, make_actor):
    admin = make_actor(Role.SYSADMIN)
    ids = {office: people_service.save_staff(actor=admin, staff_id=None, office_id=office, name=f"员工{office}",
                                             post="clerk", department_id=None, phone="", hire_date=None,
                                             independent_on_post=True)
           for office in (org.office_a, org.office_b)}
    clerk_a = make_actor(Role.CLERK, org.office_a)
    assert people_service.staff_choices(actor=clerk_a) == [(ids[org.office_a], f"员工{org.office_a}")]
    assert dict(people_service.staff_choices(actor=admin)) == {i: f"员工{o}" for o, i in ids.items()}
