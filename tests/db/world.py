"""A small estate built through the real services, shared by the reliability and security suites.

Two 管理处 (A and B), each with a 苑区, a 楼栋, a 房屋, a department, a staff member and a customer with an
ID number; a target account for user administration. Built by the system administrator, so the audit
trail holds the setup rows before a test starts measuring.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

from core.permissions import Actor
from db.engine import get_engine
from db.models import AuditLog
from db.services import org as org_service
from db.services import people as people_service

ID_NUMBER = "330102199001011234"
ID_NUMBER_B = "110105198512125675"  # check digits per GB 11643 (core.identity)


@dataclass
class World:
    url: str
    admin: Actor
    company_id: int
    office_a: int
    office_b: int
    zone: dict[int, int] = field(default_factory=dict)
    building: dict[int, int] = field(default_factory=dict)
    prop: dict[int, int] = field(default_factory=dict)
    department: dict[int, int] = field(default_factory=dict)
    staff: dict[int, int] = field(default_factory=dict)
    customer: dict[int, int] = field(default_factory=dict)
    # complaint rows per office, filled by the suites that need them (tests/db/test_office_scope.py)
    complaint: dict[int, int] = field(default_factory=dict)
    consult: dict[int, int] = field(default_factory=dict)
    attachment: dict[int, int] = field(default_factory=dict)
    group: dict[int, int] = field(default_factory=dict)
    approval: dict[int, int] = field(default_factory=dict)  # an approval request per office (add_approvals)
    stats_report: dict[int, int] = field(default_factory=dict)  # a submitted 投诉分类统计表 per office
    complaint_case: dict[int, int] = field(default_factory=dict)  # a case submitted to headquarters per office
    disclosure: dict[int, int] = field(default_factory=dict)  # a pending 投诉公示 task per office
    incident: dict[int, int] = field(default_factory=dict)  # an office-visitor incident per office (test_office_scope)
    contact: dict[int, int] = field(default_factory=dict)  # a reception contact per office (add_contacts)
    passes: dict[int, int] = field(default_factory=dict)  # an access pass per office (tests/db/test_office_scope.py)
    target_user: int = 0
    now: datetime | None = None
    _seq: itertools.count = field(default_factory=lambda: itertools.count(1))

    def seq(self) -> int:
        return next(self._seq)

    @property
    def offices(self) -> tuple[int, int]:
        return self.office_a, self.office_b


def build_world(url: str, org, make_actor, now: datetime) -> World:
    from core.roles import Role

    admin = make_actor(Role.SYSADMIN, org.hq_id, username="world_admin")
    w = World(url=url, admin=admin, company_id=org.company_id, office_a=org.office_a, office_b=org.office_b, now=now)
    for office, tag, id_number in ((org.office_a, "A", ID_NUMBER), (org.office_b, "B", ID_NUMBER_B)):
        w.zone[office] = org_service.save_zone(actor=admin, zone_id=None, office_id=office, name=f"苑区{tag}")
        w.building[office] = org_service.save_building(actor=admin, building_id=None, zone_id=w.zone[office], name="1幢")
        w.prop[office] = org_service.save_property(actor=admin, property_id=None, building_id=w.building[office],
                                                       unit_no="1", room="101", area_m2=88.5, kind="residential",
                                                       key_household=False)
        w.department[office] = org_service.save_department(actor=admin, department_id=None, org_unit_id=office,
                                                           name=f"工程部{tag}", kind="engineering", head_staff_id=None)
        w.staff[office] = people_service.save_staff(actor=admin, staff_id=None, office_id=office, name=f"员工{tag}",
                                                    post="clerk", department_id=None, phone="0571-88888888",
                                                    hire_date=None, independent_on_post=True)
        w.customer[office] = people_service.save_customer(actor=admin, customer_id=None, office_id=office,
                                                          name=f"业主{tag}", kind="owner", id_number=id_number,
                                                          phone="13812345678")
    w.target_user = make_actor(Role.CLERK, org.office_a, username="world_target").user_id
    return w


def row_counts(url: str, *, exclude: tuple[str, ...] = ("audit_log",)) -> dict[str, int]:
    """Rows per table (every table the models know, so it grows with every issue)."""
    counts = {}
    with Session(get_engine(url)) as s:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in exclude:
                continue
            counts[table.name] = int(s.execute(select(func.count()).select_from(table)).scalar_one())
    return counts


def table_snapshot(url: str, *, exclude: tuple[str, ...] = ("audit_log",)) -> dict[str, list[tuple]]:
    """Every row of every table (the world is small): a refused call must leave all of them as they were."""
    snapshot = {}
    with Session(get_engine(url)) as s:
        for table in SQLModel.metadata.sorted_tables:
            if table.name not in exclude:
                rows = s.execute(select(table)).all()
                snapshot[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return snapshot


def audit_rows(url: str, action: str, *, actor_user_id: int | None = None) -> list[AuditLog]:
    with Session(get_engine(url)) as s:
        stmt = select(AuditLog).where(AuditLog.action == action)
        if actor_user_id is not None:
            stmt = stmt.where(AuditLog.actor_user_id == actor_user_id)
        return list(s.exec(stmt.order_by(AuditLog.id)).all())


def audit_count(url: str) -> int:
    with Session(get_engine(url)) as s:
        return int(s.exec(select(func.count()).select_from(AuditLog)).one())


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text or "")


WORLD_RECORD = "world_record"  # a record type whose approval chain is the 管理处主任 (core.approvals default)


def add_approvals(w: World, make_actor) -> None:
    """An approval request per office, submitted by an assistant of that office and waiting for its director."""
    from core.approvals import register_default_chain
    from core.roles import Role
    from db.services.approvals import open_request
    from db.session import write_session

    register_default_chain(WORLD_RECORD, [({Role.OFFICE_DIRECTOR}, "管理处主任审批")], clause="测试用审批流程")
    for office in w.offices:
        assistant = make_actor(Role.ASSISTANT, office)
        with write_session() as s:
            w.approval[office] = int(open_request(s, actor=assistant, record_type=WORLD_RECORD, record_id=w.seq(),
                                                  office_id=office, title="测试审批", now=w.now).id)


def add_contacts(w: World, make_actor) -> None:
    """A reception contact of category 投诉 per office (a visit: no receiver cleared for calls needed)."""
    from core.roles import Role
    from db.services import reception

    for office in w.offices:
        clerk = make_actor(Role.CLERK, office)
        data = reception.ContactIn(office_id=office, channel="visit", category="complaint", content="楼道堆放杂物",
                                   caller_name="来访业主")
        w.contact[office] = reception.register_contact(actor=clerk, data=data, request_id=None, now=w.now).id
