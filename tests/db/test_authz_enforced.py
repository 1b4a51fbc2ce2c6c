"""Permissions are enforced in the services, not only by hiding pages (design.md §5).

``SERVICE_CASES`` lists every service function that takes an ``actor``: the Action it requires and how to
call it with minimal valid arguments. For each one, on SQLite and PostgreSQL:

- every role without the Action (and an account with no role at all) gets ``PermissionDenied``, no table
  changes, and exactly one ``permission.denied`` audit row names that account;
- for office-scoped calls, a role holding the Action only in 管理处 A is refused in 管理处 B the same way;
- every role with the Action succeeds in its own office (company-wide roles in the other office too).

A new foundation service function must be added to ``SERVICE_CASES`` (or to ``NOT_AUTHORISED_BY_ACTION``
with the reason): ``test_every_service_function_is_listed`` fails until it is. Every service function of
every module, listed or not, also faces ``test_an_account_without_roles_gets_nothing_anywhere``: called by
an account with no role with placeholder arguments, it must refuse (or answer empty) and write nothing.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import Session

from core import complaints as complaint_rules
from core.errors import DomainError, NotFound, OutOfScope, PermissionDenied
from core.masking import mask_id_number
from core.permissions import MATRIX, Action, Actor
from core.roles import COMPANY_WIDE_ROLES, Role
from db.engine import get_engine
from db.services import (
    audit_log,
    complaint_cases,
    complaint_consult,
    complaint_disclosure,
    complaint_flow,
    complaint_groups,
    complaint_monthly,
    complaint_queues,
    complaint_stats,
    complaints,
    notices,
    org,
    people,
    policy,
    users,
    visitor_incident_queues,
    visitor_incidents,
)
from db.services.notices import notify
from db.session import write_session
from tests.db.service_probe import is_empty, placeholder, service_functions
from tests.db.world import (
    ID_NUMBER,
    ID_NUMBER_B,
    World,
    audit_count,
    audit_rows,
    build_world,
    has_cjk,
    row_counts,
)


@dataclass(frozen=True)
class Case:
    func: Callable
    action: Action
    call: Callable[[Actor, World, int, dict], Any]  # (actor, world, target office, prepared) -> result
    office_scoped: bool = False  # the target office decides (own office allowed, other office refused)
    prepare: Callable[[World, Actor, int], dict] | None = None  # rows the call needs, made before measuring

    @property
    def name(self) -> str:
        return f"{self.func.__module__.rsplit('.', 1)[-1]}.{self.func.__name__}"


def _notice_for(w: World, actor: Actor, office: int) -> dict:
    with write_session() as s:
        rows = notify(s, recipient_user_ids=[actor.user_id], kind="info", title="测试通知", now=w.now)
        s.flush()
        return {"notice_id": rows[0].id}


def _holiday(w: World, actor: Actor, office: int) -> dict:
    day = date(2030, 1, 1) + timedelta(days=w.seq())
    policy.set_holiday(actor=w.admin, day=day, kind="holiday", name="测试")
    return {"day": day}


def _unlinked(w: World, actor: Actor, office: int) -> dict:
    n = w.seq()
    cid = people.save_customer(actor=w.admin, customer_id=None, office_id=office, name=f"新客户{n}", kind="owner",
                               id_number="", phone="")
    pid = org.save_property(actor=w.admin, property_id=None, building_id=w.building[office], unit_no="2",
                            room=f"{n}", area_m2=None, kind="residential", key_household=False)
    return {"customer_id": cid, "property_id": pid}


SERVICE_CASES: list[Case] = [
    # accounts
    Case(users.list_users, Action.USER_MANAGE, lambda a, w, o, p: users.list_users(actor=a)),
    Case(users.user_grants, Action.USER_MANAGE, lambda a, w, o, p: users.user_grants(actor=a, user_id=w.target_user)),
    Case(users.create_user, Action.USER_MANAGE, lambda a, w, o, p: users.create_user(
        actor=a, username=f"new{w.seq()}", display_name="新同事", password="long enough pw",
        grants=[(Role.CLERK.value, w.office_a)], now=w.now)),
    Case(users.set_active, Action.USER_MANAGE, lambda a, w, o, p: users.set_active(
        actor=a, user_id=w.target_user, active=True, now=w.now)),
    Case(users.reset_password, Action.USER_MANAGE, lambda a, w, o, p: users.reset_password(
        actor=a, user_id=w.target_user, now=w.now)),
    Case(users.set_grants, Action.USER_MANAGE, lambda a, w, o, p: users.set_grants(
        actor=a, user_id=w.target_user, grants=[(Role.CLERK.value, w.office_a)], now=w.now)),
    Case(users.set_deputy, Action.USER_MANAGE, lambda a, w, o, p: users.set_deputy(
        actor=a, user_id=w.target_user, deputy_user_id=None, until=None, now=w.now)),
    Case(users.user_choices, Action.USER_MANAGE, lambda a, w, o, p: users.user_choices(actor=a)),
    # organisation
    Case(org.list_units, Action.ORG_VIEW, lambda a, w, o, p: org.list_units(actor=a)),
    Case(org.list_zones, Action.ORG_VIEW, lambda a, w, o, p: org.list_zones(actor=a, office_id=o), office_scoped=True),
    Case(org.save_unit, Action.ORG_MANAGE, lambda a, w, o, p: org.save_unit(
        actor=a, unit_id=None, code=f"T{w.seq()}", name="新管理处", kind="office", parent_id=w.company_id)),
    Case(org.save_zone, Action.ORG_MANAGE, lambda a, w, o, p: org.save_zone(
        actor=a, zone_id=None, office_id=o, name=f"新苑区{w.seq()}"), office_scoped=True),
    Case(org.list_buildings, Action.ORG_VIEW, lambda a, w, o, p: org.list_buildings(actor=a, zone_id=w.zone[o])),
    Case(org.save_building, Action.ORG_MANAGE, lambda a, w, o, p: org.save_building(
        actor=a, building_id=None, zone_id=w.zone[o], name=f"{w.seq()}幢"), office_scoped=True),
    Case(org.list_properties, Action.ORG_VIEW, lambda a, w, o, p: org.list_properties(actor=a, office_id=o),
         office_scoped=True),
    Case(org.find_properties, Action.ORG_VIEW, lambda a, w, o, p: org.find_properties(actor=a, text="1幢", office_id=o),
         office_scoped=True),
    Case(org.save_property, Action.ORG_MANAGE, lambda a, w, o, p: org.save_property(
        actor=a, property_id=None, building_id=w.building[o], unit_no="3", room=f"{w.seq()}", area_m2=60.0,
        kind="residential", key_household=False), office_scoped=True),
    Case(org.list_departments, Action.ORG_VIEW, lambda a, w, o, p: org.list_departments(actor=a)),
    Case(org.save_department, Action.ORG_MANAGE, lambda a, w, o, p: org.save_department(
        actor=a, department_id=None, org_unit_id=o, name=f"秩序部{w.seq()}", kind="security", head_staff_id=None),
        office_scoped=True),
    # people
    Case(people.list_staff, Action.PEOPLE_VIEW, lambda a, w, o, p: people.list_staff(actor=a, office_id=o),
         office_scoped=True),
    Case(people.staff_choices, Action.ORG_VIEW, lambda a, w, o, p: people.staff_choices(actor=a, office_id=o),
         office_scoped=True),
    Case(people.save_staff, Action.PEOPLE_MANAGE, lambda a, w, o, p: people.save_staff(
        actor=a, staff_id=None, office_id=o, name=f"新员工{w.seq()}", post="clerk", department_id=None, phone="",
        hire_date=None, independent_on_post=False), office_scoped=True),
    Case(people.list_customers, Action.PEOPLE_VIEW, lambda a, w, o, p: people.list_customers(actor=a, office_id=o),
         office_scoped=True),
    Case(people.reveal_id_number, Action.ID_NUMBER_VIEW_FULL, lambda a, w, o, p: people.reveal_id_number(
        actor=a, customer_id=w.customer[o]), office_scoped=True),
    Case(people.save_customer, Action.PEOPLE_MANAGE, lambda a, w, o, p: people.save_customer(
        actor=a, customer_id=None, office_id=o, name=f"客户{w.seq()}", kind="tenant", id_number="", phone=None),
        office_scoped=True),
    Case(people.link_property, Action.PEOPLE_MANAGE, lambda a, w, o, p: people.link_property(
        actor=a, customer_id=p["customer_id"], property_id=p["property_id"], relation="owner", since=None),
        office_scoped=True, prepare=_unlinked),
    # policy book
    Case(policy.set_value, Action.POLICY_EDIT, lambda a, w, o, p: policy.set_value(
        actor=a, key="complaint.hot_collective", value=4, effective_from=w.now, reason="客户确认", now=w.now)),
    Case(policy.set_holiday, Action.POLICY_EDIT, lambda a, w, o, p: policy.set_holiday(
        actor=a, day=date(2031, 1, 1) + timedelta(days=w.seq()), kind="holiday", name="元旦")),
    Case(policy.remove_holiday, Action.POLICY_EDIT, lambda a, w, o, p: policy.remove_holiday(actor=a, day=p["day"]),
         prepare=_holiday),
    Case(policy.policy_book, Action.POLICY_VIEW, lambda a, w, o, p: policy.policy_book(actor=a, now=w.now)),
    Case(policy.history, Action.POLICY_VIEW, lambda a, w, o, p: policy.history(actor=a)),
    Case(policy.holidays, Action.POLICY_VIEW, lambda a, w, o, p: policy.holidays(actor=a, year=2026)),
    # notices and audit trail
    Case(notices.my_notices, Action.NOTICE_VIEW_OWN, lambda a, w, o, p: notices.my_notices(actor=a)),
    Case(notices.acknowledge, Action.NOTICE_VIEW_OWN, lambda a, w, o, p: notices.acknowledge(
        actor=a, notice_id=p["notice_id"], now=w.now), prepare=_notice_for),
    Case(audit_log.search, Action.AUDIT_VIEW, lambda a, w, o, p: audit_log.search(actor=a, office_id=o),
         office_scoped=True),
]

# Complaints (issue 3): the entry points gated by one Action. Functions that load a complaint answer NotFound to
# roles that may not see it (no probing); they are covered by the no-role probe below and by tests/db/test_complaints.py.


def _complaint(w: World, office: int) -> complaints.ComplaintIn:
    return complaints.ComplaintIn(office_id=office, channel=complaint_rules.Channel.PHONE.value,
                                  category=complaint_rules.Category.ENVIRONMENT.value, description="楼道灯坏了",
                                  occurred_at=w.now, complainant_name=f"业主{w.seq()}")


SERVICE_CASES += [
    Case(complaints.register, Action.COMPLAINT_CREATE, lambda a, w, o, p: complaints.register(
        actor=a, data=_complaint(w, o), request_id=None, now=w.now), office_scoped=True),
    Case(complaint_queues.search, Action.COMPLAINT_VIEW, lambda a, w, o, p: complaint_queues.search(
        actor=a, now=w.now, office_id=o), office_scoped=True),
    Case(complaint_flow.callback_queue, Action.COMPLAINT_CALLBACK, lambda a, w, o, p: complaint_flow.callback_queue(
        actor=a, now=w.now, office_id=o), office_scoped=True),
    Case(complaints.handler_choices, Action.COMPLAINT_VIEW, lambda a, w, o, p: complaints.handler_choices(
        actor=a, office_id=o), office_scoped=True),
    Case(complaints.department_choices, Action.COMPLAINT_VIEW, lambda a, w, o, p: complaints.department_choices(
        actor=a, office_id=o), office_scoped=True),
    Case(complaint_groups.group_choices, Action.COMPLAINT_VIEW, lambda a, w, o, p: complaint_groups.group_choices(
        actor=a, office_id=o), office_scoped=True),
    Case(complaint_consult.save_consultant, Action.COMPLAINT_CONSULTANT_MANAGE,
         lambda a, w, o, p: complaint_consult.save_consultant(
             actor=a, consultant_id=None, name=f"顾问{w.seq()}", speciality="工程", phone="13900000000")),
    Case(complaint_consult.consultant_user_choices, Action.COMPLAINT_CONSULTANT_MANAGE,
         lambda a, w, o, p: complaint_consult.consultant_user_choices(actor=a)),
    Case(complaint_consult.my_consult_requests, Action.COMPLAINT_CONSULT_REPLY,
         lambda a, w, o, p: complaint_consult.my_consult_requests(actor=a)),
]


def _stats_month(w: World) -> date:
    """A different finished month per call: one 统计表 per office and month."""
    n = w.seq()
    return date(2020 - n // 12, n % 12 + 1, 1)


def _submitted_stats(w: World, actor: Actor, office: int) -> dict:
    from db.models import ComplaintStatsReport, ComplaintStatsVersion

    with write_session() as s:
        report = ComplaintStatsReport(office_id=office, month=_stats_month(w), state="submitted", version=1,
                                      due_at=w.now, submitted_at=w.now, first_submitted_at=w.now)
        s.add(report)
        s.flush()
        s.add(ComplaintStatsVersion(report_id=report.id, version=1, rows_json="[]", submitted_at=w.now))
        s.flush()
        return {"report_id": report.id}


# 《顾客投诉分类统计表》 (issue 15 item 1)
SERVICE_CASES += [
    Case(complaint_stats.generate, Action.COMPLAINT_EXPORT, lambda a, w, o, p: complaint_stats.generate(
        actor=a, month=date(2026, 10, 1), office_id=o, now=w.now), office_scoped=True),
    Case(complaint_stats.statuses, Action.COMPLAINT_EXPORT, lambda a, w, o, p: complaint_stats.statuses(
        actor=a, month=date(2026, 10, 1), office_id=o, now=w.now), office_scoped=True),
    Case(complaint_stats.submit, Action.COMPLAINT_STATS_SUBMIT, lambda a, w, o, p: complaint_stats.submit(
        actor=a, office_id=o, month=_stats_month(w), request_id=None, now=w.now), office_scoped=True),
    Case(complaint_stats.return_for_correction, Action.COMPLAINT_STATS_RETURN,
         lambda a, w, o, p: complaint_stats.return_for_correction(
             actor=a, stats_report_id=p["report_id"], reason="漏计", now=w.now), prepare=_submitted_stats),
    # 案例库 (issue 15 item 3): published cases for everyone in the company, the cases owed by the unit
    Case(complaint_cases.library, Action.COMPLAINT_CASE_VIEW, lambda a, w, o, p: complaint_cases.library(actor=a)),
    Case(complaint_cases.owed, Action.COMPLAINT_CASE_WRITE, lambda a, w, o, p: complaint_cases.owed(
        actor=a, now=w.now)),
    Case(complaint_monthly.monthly_report, Action.COMPLAINT_EXPORT, lambda a, w, o, p: complaint_monthly.monthly_report(
        actor=a, month=date(2026, 10, 1), now=w.now)),
    # 投诉公示 (issue 15 item 4)
    Case(complaint_disclosure.tasks, Action.COMPLAINT_EXPORT, lambda a, w, o, p: complaint_disclosure.tasks(
        actor=a, month=date(2026, 10, 1), office_id=o, now=w.now), office_scoped=True),
]


# office-visitor incidents (issue 12 item 5)
SERVICE_CASES += [
    Case(visitor_incidents.register, Action.VISITOR_INCIDENT_CREATE, lambda a, w, o, p: visitor_incidents.register(
        actor=a, request_id=None, now=w.now, data=visitor_incidents.IncidentIn(
            office_id=o, visit_class="c", visitor_name=f"来访者{w.seq()}", purpose="推销", arrived_at=w.now)),
         office_scoped=True),
    Case(visitor_incident_queues.search, Action.VISITOR_INCIDENT_VIEW, lambda a, w, o, p: visitor_incident_queues.search(
        actor=a, office_id=o), office_scoped=True),
    Case(visitor_incidents.receiver_choices, Action.VISITOR_INCIDENT_VIEW,
         lambda a, w, o, p: visitor_incidents.receiver_choices(actor=a, office_id=o), office_scoped=True),
]


# reception desk (issue 12): a visit needs no receiver cleared for calls, so every role allowed to log may log it
def _contact(w: World, office: int):
    from db.services import reception

    return reception.ContactIn(office_id=office, channel="visit", category="consult", content="咨询停车办理",
                               caller_name=f"访客{w.seq()}")


def _reception_cases() -> list[Case]:
    from db.services import reception, reception_queues

    return [
        Case(reception.register_contact, Action.RECEPTION_LOG, lambda a, w, o, p: reception.register_contact(
            actor=a, data=_contact(w, o), request_id=None, now=w.now), office_scoped=True),
        Case(reception_queues.search, Action.RECEPTION_VIEW, lambda a, w, o, p: reception_queues.search(
            actor=a, now=w.now, office_id=o), office_scoped=True),
        Case(reception_queues.export_rows, Action.RECEPTION_EXPORT, lambda a, w, o, p: reception_queues.export_rows(
            actor=a, now=w.now, office_id=o), office_scoped=True),
        Case(reception_queues.routed_to_me, Action.RECEPTION_HANDLE, lambda a, w, o, p: reception_queues.routed_to_me(
            actor=a, now=w.now)),
    ]


SERVICE_CASES += _reception_cases()


# Passes (issue 13): issue, the list, the register, the gate lookup, and confiscation of a pass of the target office.


def _pass_in(w: World, office: int):
    from core.identity import with_check_character
    from db.services import passes

    return passes.PassIn(office_id=office, pass_type="temporary", purpose="engineering", holder_name="工人",
                         id_type="resident_id", id_number=with_check_character(f"33010219850101{w.seq() % 1000:03d}"),
                         room_ids=[w.prop[office]], applicant_kind="contractor_head", applicant_name="李工头",
                         valid_from=w.now.date(), valid_to=w.now.date() + timedelta(days=5), receipt_no="SJ1")


def _a_pass(w: World, actor: Actor, office: int) -> dict:
    from db.services import passes

    return {"pass_id": passes.issue(actor=w.admin_clerk[office], data=_pass_in(w, office), request_id=None,
                                    now=w.now).id}


def _pass_cases():
    from db.services import pass_flow, pass_gate, pass_registers, passes

    return [
        Case(passes.issue, Action.PASS_ISSUE, lambda a, w, o, p: passes.issue(
            actor=a, data=_pass_in(w, o), request_id=None, now=w.now), office_scoped=True),
        Case(pass_registers.search, Action.PASS_VIEW, lambda a, w, o, p: pass_registers.search(
            actor=a, now=w.now, office_id=o), office_scoped=True),
        Case(pass_registers.roster_rows, Action.PASS_EXPORT, lambda a, w, o, p: pass_registers.roster_rows(
            actor=a, now=w.now, office_id=o), office_scoped=True),
        Case(pass_gate.lookup, Action.PASS_GATE, lambda a, w, o, p: pass_gate.lookup(actor=a, text="CR-2026-1",
                                                                                     now=w.now)),
        Case(pass_flow.confiscate, Action.PASS_CONFISCATE, lambda a, w, o, p: pass_flow.confiscate(
            actor=a, pass_id=p["pass_id"], reason="串房", now=w.now), office_scoped=True, prepare=_a_pass),
    ]


SERVICE_CASES += _pass_cases()

# Functions that take an ``actor`` but are not gated by one Action, and why (each is tested below).
NOT_AUTHORISED_BY_ACTION = {
    "org.offices_for": "returns the offices in the actor's scope for a given action (empty for no grant)",
    "notices.open_counts": "counts only the actor's own notices",
    "notices.my_work": "built on open_counts",
    "mywork.collect": "calls every registered provider with the same actor",
    "auth.change_own_password": "own account only, and the old password is required",
    "auth.end_sessions": "internal: actor is who caused the invalidation, for the audit row",
}


FOUNDATION_MODULES = {"audit_log", "auth", "mywork", "notices", "org", "people", "policy", "users"}


def test_every_service_function_is_listed():
    listed = {c.name for c in SERVICE_CASES} | set(NOT_AUTHORISED_BY_ACTION)
    missing = {n for n in set(service_functions()) - listed if n.split(".")[0] in FOUNDATION_MODULES}
    assert not missing, f"add these to SERVICE_CASES in {__file__}: {sorted(missing)}"
    assert not {c.name for c in SERVICE_CASES} - set(service_functions()), "a listed function no longer exists"


# Page permissions that no single service function carries, and why.
PAGE_ACTIONS_WITHOUT_A_SERVICE = {
    Action.HOME_VIEW: "every account holds it; the home page shows only the actor's own work (mywork.collect)",
    Action.PASSWORD_CHANGE_OWN: "every account holds it; auth.change_own_password needs the old password",
}


def test_every_page_permission_also_holds_in_a_service():
    """A page's permission is checked where its data comes from, not only by the menu (issue 9 §1)."""
    from ui.nav import all_page_specs

    enforced = {c.action for c in SERVICE_CASES}
    missing = {spec.path: spec.action.value for spec in all_page_specs()
               if spec.action not in enforced and spec.action not in PAGE_ACTIONS_WITHOUT_A_SERVICE}
    assert not missing, f"pages whose permission no service in SERVICE_CASES enforces: {missing}"


@pytest.fixture
def world(db_url, org, make_actor, now) -> World:
    w = build_world(db_url, org, make_actor, now)
    w.admin_clerk = {o: make_actor(Role.CLERK, o) for o in w.offices}  # issues the passes a case needs
    return w


@pytest.fixture
def actors(world, make_actor, org) -> dict[Role | None, Actor]:
    """One account per role, each holding its role in 管理处 A; ``None`` = an account with no role."""
    found = {role: make_actor(role, org.office_a) for role in Role}
    bare = make_actor(Role.CLERK, org.office_a, username="no_roles")
    found[None] = Actor(bare.user_id, bare.username, bare.name, grants=())
    return found


def _expect_refused(case: Case, world: World, actor: Actor, office: int) -> None:
    prepared = case.prepare(world, actor, office) if case.prepare else {}
    counts, audits = row_counts(world.url), audit_count(world.url)
    before = len(audit_rows(world.url, "permission.denied", actor_user_id=actor.user_id))
    with pytest.raises(PermissionDenied) as info:
        case.call(actor, world, office, prepared)
    # Another office's row is answered like a missing one (no probing), and audited like every refusal.
    assert "权限" in info.value.message or (isinstance(info.value, OutOfScope) and "管理范围" in info.value.message)
    assert row_counts(world.url) == counts, f"{case.name}: a refused call changed rows"
    assert audit_count(world.url) == audits + 1, f"{case.name}: expected exactly one audit row (the refusal)"
    after = audit_rows(world.url, "permission.denied", actor_user_id=actor.user_id)
    assert len(after) == before + 1 and case.action.value in after[-1].summary


def _expect_allowed(case: Case, world: World, actor: Actor, office: int) -> None:
    prepared = case.prepare(world, actor, office) if case.prepare else {}
    case.call(actor, world, office, prepared)  # any exception fails the test


@pytest.mark.parametrize("case", SERVICE_CASES, ids=lambda c: c.name)
def test_service_enforces_its_action(case: Case, world, actors):
    allowed = MATRIX[case.action]
    own, other = world.office_a, world.office_b
    for role, actor in actors.items():
        if role is None or role not in allowed:
            _expect_refused(case, world, actor, own)
            continue
        _expect_allowed(case, world, actor, own)
        if case.office_scoped:
            if role in COMPANY_WIDE_ROLES:
                _expect_allowed(case, world, actor, other)
            else:
                _expect_refused(case, world, actor, other)


def test_id_numbers_are_masked_in_customer_lists_for_every_role(world, actors):
    full = {ID_NUMBER, ID_NUMBER_B}
    for role, actor in actors.items():
        if role is None or role not in MATRIX[Action.PEOPLE_VIEW]:
            with pytest.raises(PermissionDenied):
                people.list_customers(actor=actor)
            continue
        rows = people.list_customers(actor=actor).rows
        assert rows, role
        shown = {r.id_number for r in rows}
        assert not shown & full, f"{role}: full ID number in a list"
        assert shown <= {mask_id_number(n) for n in full}
        assert all("*" in r.phone for r in rows if r.phone)


def test_reveal_id_number_is_logged_and_refused_to_others(world, actors):
    for role, actor in actors.items():
        may = role is not None and role in MATRIX[Action.ID_NUMBER_VIEW_FULL]
        if may:
            assert people.reveal_id_number(actor=actor, customer_id=world.customer[world.office_a]) == ID_NUMBER
            logged = audit_rows(world.url, "pii.view_id_number", actor_user_id=actor.user_id)
            assert len(logged) == 1 and logged[0].entity_id == str(world.customer[world.office_a])
        else:
            with pytest.raises(PermissionDenied):
                people.reveal_id_number(actor=actor, customer_id=world.customer[world.office_a])
            assert audit_rows(world.url, "pii.view_id_number", actor_user_id=actor.user_id) == []
            assert len(audit_rows(world.url, "permission.denied", actor_user_id=actor.user_id)) == 1
    with pytest.raises(NotFound):
        people.reveal_id_number(actor=world.admin, customer_id=999_999)


def test_lists_without_an_office_show_only_offices_in_scope(world, actors):
    """A 客服员 of 管理处 A never sees rows of 管理处 B, whichever list or picker asks."""
    clerk = actors[Role.CLERK]
    a, b = world.office_a, world.office_b
    assert {z.office_id for z in org.list_zones(actor=clerk)} == {a}
    assert org.list_buildings(actor=clerk, zone_id=world.zone[b]) == []
    assert {p.office_id for p in org.list_properties(actor=clerk).rows} == {a}
    assert [pid for pid, _ in org.find_properties(actor=clerk, text="1幢")] == [world.prop[a]]
    assert {s.office_id for s in people.list_staff(actor=clerk).rows} == {a}
    assert {c.office_id for c in people.list_customers(actor=clerk).rows} == {a}
    assert world.staff[b] not in dict(people.staff_choices(actor=clerk))
    assert [o for o, _ in org.offices_for(actor=clerk, action=Action.PEOPLE_VIEW)] == [a]
    hq = actors[Role.HQ_SPECIALIST]
    assert {c.office_id for c in people.list_customers(actor=hq).rows} == {a, b}
    assert org.offices_for(actor=actors[None], action=Action.ORG_VIEW) == []


def test_notice_counts_and_acknowledgement_are_own_only(world, actors):
    clerk, guard = actors[Role.CLERK], actors[Role.GUARD]
    with write_session() as s:
        mine = notify(s, recipient_user_ids=[clerk.user_id], kind="assigned", title="给客服员", now=world.now)
        notify(s, recipient_user_ids=[guard.user_id], kind="assigned", title="给保安", now=world.now)
        s.flush()
        mine_id = mine[0].id
    assert notices.open_counts(actor=clerk) == {"assigned": 1}
    assert [n.title for n in notices.my_notices(actor=guard).rows] == ["给保安"]
    with pytest.raises(NotFound):
        notices.acknowledge(actor=guard, notice_id=mine_id, now=world.now)
    with Session(get_engine(world.url)) as s:
        from db.models import Notice

        assert s.get(Notice, mine_id).acked_at is None


# ----- every service of every module, generically ---------------------------------------------------------

def _first_complaint(world: World, actor: Actor) -> int:
    """A complaint in 管理处 A, so complaint ids point at a real row."""
    data = complaints.ComplaintIn(office_id=world.office_a, channel=next(iter(complaint_rules.Channel)).value,
                                  category=next(iter(complaint_rules.Category)).value, description="楼道灯坏了",
                                  occurred_at=world.now, complainant_name="业主A")
    return complaints.register(actor=actor, data=data, request_id=None, now=world.now).id


GENERIC_IDS = ("office_id", "org_unit_id", "zone_id", "building_id", "customer_id", "staff_id", "department_id")


def test_an_account_without_roles_gets_nothing_anywhere(world, actors):
    """Every service function (all modules, present and future): no role → refused or empty, nothing written."""
    nobody = actors[None]
    ids = {"office_id": world.office_a, "org_unit_id": world.office_a, "zone_id": world.zone[world.office_a],
           "building_id": world.building[world.office_a], "property_id": world.prop[world.office_a],
           "customer_id": world.customer[world.office_a], "staff_id": world.staff[world.office_a],
           "department_id": world.department[world.office_a], "user_id": world.target_user,
           "handler_user_id": world.target_user}
    ids["complaint_id"] = _first_complaint(world, actors[Role.CS_SUPERVISOR])
    problems = []
    for name, func in sorted(service_functions().items()):
        if name in NOT_AUTHORISED_BY_ACTION and not name.endswith(("my_work", "open_counts", "offices_for")):
            continue
        hints = typing.get_type_hints(func)
        kwargs = {}
        for pname, param in inspect.signature(func).parameters.items():
            if pname == "actor":
                kwargs[pname] = nobody
            elif pname == "action":
                kwargs[pname] = next(iter(Action))
            elif param.default is inspect.Parameter.empty:
                kwargs[pname] = placeholder(pname, hints.get(pname), world, ids)
        counts, audits = row_counts(world.url), audit_count(world.url)
        refusals = len(audit_rows(world.url, "permission.denied", actor_user_id=nobody.user_id))
        try:
            result = func(**kwargs)
        except PermissionDenied:
            if len(audit_rows(world.url, "permission.denied", actor_user_id=nobody.user_id)) != refusals + 1:
                problems.append(f"{name}: refusal not audited")
        except DomainError as exc:
            if not has_cjk(exc.message):
                problems.append(f"{name}: message not in Chinese: {exc.message!r}")
        except Exception as exc:  # noqa: BLE001  any other exception is a finding
            problems.append(f"{name}: {type(exc).__name__}: {exc}")
        else:
            if not is_empty(result):
                problems.append(f"{name}: answered an account without roles: {result!r:.120}")
        if row_counts(world.url) != counts:
            problems.append(f"{name}: wrote rows")
        new_audits = audit_count(world.url) - audits
        denied_now = len(audit_rows(world.url, "permission.denied", actor_user_id=nobody.user_id)) - refusals
        if new_audits != denied_now:
            problems.append(f"{name}: wrote audit rows other than the refusal")
    assert not problems, "\n".join(problems)
