"""Office scope on every update, move and reveal, generated over every service function (issue 9 §1).

An account holding **every** office-level role in 管理处 A — with the permission matrix widened so that every
action is granted to every role, so that no refusal comes from the matrix alone — names a row of 管理处 B in
each row-id parameter of each service function in turn (the other ids point at A's rows, the target office is
A). Every such call must be refused: ``PermissionDenied`` (or an out-of-scope refusal that subclasses it),
exactly one ``permission.denied`` audit row, and not one byte changed in any table. Lists and pickers may
answer empty instead.

The functions and their parameters are read from the service modules, so a process added later is probed
by construction: a new row-id parameter (``pass_id``, ``visit_id`` …) fails ``test_every_row_id_parameter_is_known``
until the shared world (``tests/db/world.py``) holds a row of that kind in each office or the parameter is
listed below with the reason it names no office row.
"""

from __future__ import annotations

import inspect
import io
import typing
from datetime import date, timedelta

import pytest
from PIL import Image

from core import complaints as complaint_rules
from core import permissions
from core.errors import PermissionDenied
from core.permissions import Action, Actor, Grant
from core.roles import COMPANY_WIDE_ROLES, Role
from db.models import ComplaintCase, ComplaintDisclosure
from db.services import (
    attachments,
    complaint_consult,
    complaint_groups,
    complaint_stats,
    complaints,
    org,
    people,
    visitor_incidents,
)
from db.session import write_session
from tests.db.service_probe import is_empty, placeholder, service_functions
from tests.db.world import (
    World,
    add_approvals,
    add_contacts,
    audit_count,
    audit_rows,
    build_world,
    table_snapshot,
)

# Parameters that name the office the call acts in (set to the actor's office A).
TARGET_PARAMS = frozenset({"office_id", "org_unit_id"})

# ``*_id`` parameters that do not name a row belonging to an office, and why.
NOT_OFFICE_ROWS = {
    "request_id": "the idempotency token of a form render",
    "user_id": "accounts are company-wide and managed only with USER_MANAGE (system administrator)",
    "handler_user_id": "an account; assign() checks that the handler works in the complaint's office",
    "deputy_user_id": "an account (user administration)",
    "notice_id": "notices are the recipient's own (test_authz_enforced)",
    "leader_staff_id": "a company leader (staff of the company or the HQ): save_department refuses an office's staff",
    "consultant_id": "the consultant directory is company-wide, published by HQ (投诉顾问支持 一.1)",
    "clerk_id": "an account as a filter of the reception register (the rows listed are scoped by office)",
    "record_id": "a row of the record type named beside it (attachments); scoped in tests/db/test_attachments.py",
    "receiver_user_id": "an account; visitor_incident_flow.receive checks that the receiver works in the incident's office",
}

READ_PREFIXES = ("list_", "find_", "search", "my_")
READ_SUFFIXES = ("_choices",)


def _row_ids(w: World) -> dict[str, dict[int, int]]:
    """For each row-id parameter: office → a row of that office in the world."""
    return {
        "unit_id": {o: o for o in w.offices},
        "parent_id": {o: o for o in w.offices},
        "zone_id": w.zone,
        "building_id": w.building,
        "property_id": w.prop,
        "department_id": w.department,
        "staff_id": w.staff,
        "head_staff_id": w.staff,
        "complaint_contact_staff_id": w.staff,
        "customer_id": w.customer,
        "complaint_id": w.complaint,
        "with_complaint_id": w.complaint,
        "consult_id": w.consult,
        "attachment_id": w.attachment,
        "group_id": w.group,
        "approval_id": w.approval,
        "stats_report_id": w.stats_report,
        "complaint_case_id": w.complaint_case,
        "disclosure_id": w.disclosure,
        "incident_id": w.incident,
        "contact_id": w.contact,
        "pass_id": w.passes,
    }


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def world(db_url, org, make_actor, now) -> World:
    w = build_world(db_url, org, make_actor, now)
    hq = make_actor(Role.HQ_SPECIALIST, org.hq_id, username="scope_hq")
    consultant = complaint_consult.save_consultant(actor=hq, consultant_id=None, name="王工", speciality="工程",
                                                  phone="13900000000")
    for office in w.offices:
        director = make_actor(Role.OFFICE_DIRECTOR, office)
        data = complaints.ComplaintIn(office_id=office, channel=complaint_rules.Channel.PHONE.value,
                                      category=complaint_rules.Category.ENVIRONMENT.value, description="楼道灯坏了",
                                      occurred_at=now, complainant_name="业主", property_id=w.prop[office],
                                      customer_id=w.customer[office])
        w.complaint[office] = complaints.register(actor=director, data=data, request_id=None, now=now).id
        w.consult[office] = complaint_consult.request_consult(actor=director, complaint_id=w.complaint[office],
                                                              consultant_id=consultant, question="怎么修", now=now)
        w.attachment[office] = attachments.add(actor=director, record_type="complaint", record_id=w.complaint[office],
                                               files=[("现场.png", _png())], now=now, request_id=None)[0]
        w.group[office] = complaint_groups.link_same_issue(actor=director, complaint_id=w.complaint[office],
                                                            now=now, title="楼道灯")
        w.stats_report[office] = complaint_stats.submit(actor=director, office_id=office, month=date(2026, 10, 1),
                                                        request_id=None, now=now).id
        with write_session() as s:  # a case submitted to headquarters (its complaint's closing is not the point)
            case = ComplaintCase(number=f"AL-2026-{office:05d}", complaint_id=w.complaint[office], office_id=office,
                                 grade="important", category="environment", state="submitted", summary="某业主反映楼道灯坏了")
            s.add(case)
            s.flush()
            w.complaint_case[office] = case.id
            task = ComplaintDisclosure(office_id=office, month=date(2026, 10, 1), state="pending", complaints=1,
                                       due_at=now + timedelta(days=5))
            s.add(task)
            s.flush()
            w.disclosure[office] = task.id
        w.incident[office] = visitor_incidents.register(actor=director, request_id=None, now=now, data=(
            visitor_incidents.IncidentIn(office_id=office, visit_class="a", visitor_name="业主", purpose="要求见领导",
                                         arrived_at=now))).id
    add_approvals(w, make_actor)
    add_contacts(w, make_actor)
    from core.identity import with_check_character
    from db.services import passes

    for n, office in enumerate(w.offices):
        clerk = make_actor(Role.CLERK, office)
        w.passes[office] = passes.issue(actor=clerk, now=now, request_id=None, data=passes.PassIn(
            office_id=office, pass_type="temporary", purpose="engineering", holder_name="工人", id_type="resident_id",
            id_number=with_check_character(f"3301021985010130{n}"), room_ids=[w.prop[office]],
            applicant_kind="contractor_head", applicant_name="李工头", valid_from=now.date(), valid_to=now.date(),
            receipt_no="SJ1")).id
    return w


@pytest.fixture
def everything_in_a(world, make_actor, monkeypatch) -> Actor:
    """One account holding every office-level role in 管理处 A, every action granted to every role."""
    monkeypatch.setattr(permissions, "MATRIX", {action: frozenset(Role) for action in Action})
    base = make_actor(Role.CLERK, world.office_a, username="all_roles_a")
    grants = tuple(Grant(role, world.office_a) for role in Role if role not in COMPANY_WIDE_ROLES)
    return Actor(base.user_id, base.username, base.name, grants=grants)


def _row_params(func) -> list[str]:
    return [p for p in inspect.signature(func).parameters if p.endswith("_id") and p not in TARGET_PARAMS
            and p not in NOT_OFFICE_ROWS]


def test_every_row_id_parameter_is_known(world):
    known = set(_row_ids(world))
    unknown = {f"{name}({p})" for name, func in service_functions().items() for p in _row_params(func)
               if p not in known}
    assert not unknown, ("service parameters naming rows the cross-office test cannot fill — give the world in "
                         f"tests/db/world.py a row of that kind per office, or list the parameter in NOT_OFFICE_ROWS: "
                         f"{sorted(unknown)}")
    empty = {p for p, rows in _row_ids(world).items() if set(rows) != set(world.offices)}
    assert not empty, f"the world has no row per office for {sorted(empty)}"


def _base_call(func, world: World, actor: Actor, ids: dict[str, int]) -> dict:
    hints = typing.get_type_hints(func)
    kwargs = {}
    for pname, param in inspect.signature(func).parameters.items():
        if pname == "actor":
            kwargs[pname] = actor
        elif pname == "action":
            kwargs[pname] = Action.PEOPLE_MANAGE
        elif pname in TARGET_PARAMS:
            kwargs[pname] = world.office_a
        elif param.default is inspect.Parameter.empty:
            kwargs[pname] = placeholder(pname, hints.get(pname), world, ids)
    return kwargs


def test_no_service_lets_office_a_touch_a_row_of_office_b(world, everything_in_a):
    actor, a, b = everything_in_a, world.office_a, world.office_b
    rows = _row_ids(world)
    own = {p: by_office[a] for p, by_office in rows.items()}
    # A valid handler of office A (the actor works there), so assign() is refused only by the office of the row
    # probed — never by a bad placeholder.
    own["handler_user_id"] = actor.user_id
    probed, problems = 0, []
    for name, func in sorted(service_functions().items()):
        for param in _row_params(func):
            kwargs = _base_call(func, world, actor, own)
            kwargs[param] = rows[param][b]
            probed += 1
            label = f"{name}({param}=管理处B)"
            before, audits = table_snapshot(world.url), audit_count(world.url)
            refusals = len(audit_rows(world.url, "permission.denied", actor_user_id=actor.user_id))
            try:
                result = func(**kwargs)
                refused = False
            except PermissionDenied:
                refused = True
            except Exception as exc:  # noqa: BLE001  anything else is a finding
                problems.append(f"{label}: {type(exc).__name__}: {getattr(exc, 'message', exc)}")
                continue
            short = name.split(".", 1)[1]
            is_read = short.startswith(READ_PREFIXES) or short.endswith(READ_SUFFIXES)
            if not refused and not (is_read and is_empty(result)):
                problems.append(f"{label}: accepted, answered {result!r:.100}")
                continue
            if table_snapshot(world.url) != before:
                problems.append(f"{label}: changed rows")
            denied = len(audit_rows(world.url, "permission.denied", actor_user_id=actor.user_id)) - refusals
            if (denied, audit_count(world.url) - audits) != ((1, 1) if refused else (0, 0)):
                problems.append(f"{label}: expected {'one audited refusal' if refused else 'no audit row'}, "
                                f"got {denied} refusals")
    assert probed >= 20, f"only {probed} calls probed: the generator lost the service functions"
    assert not problems, "\n".join(problems)


def test_records_officer_of_a_cannot_rename_or_move_b_staff_or_customer(world, make_actor):
    """The case that started the issue, with the real matrix: 资料管理专员 of A against B's rows."""
    officer = make_actor(Role.RECORDS_OFFICER, world.office_a)
    before = table_snapshot(world.url)
    for office in (world.office_a, world.office_b):
        with pytest.raises(PermissionDenied):
            people.save_staff(actor=officer, staff_id=world.staff[world.office_b], office_id=office, name="改名",
                              post="clerk", department_id=None, phone="", hire_date=None, independent_on_post=False)
        with pytest.raises(PermissionDenied):
            people.save_customer(actor=officer, customer_id=world.customer[world.office_b], office_id=office,
                                 name="改名", kind="owner", id_number="", phone=None)
    assert table_snapshot(world.url) == before
    assert len(audit_rows(world.url, "permission.denied", actor_user_id=officer.user_id)) == 4
    with pytest.raises(PermissionDenied):
        people.reveal_id_number(actor=officer, customer_id=world.customer[world.office_b])


def test_moves_that_would_split_a_record_from_its_rows_are_refused(world):
    """A 苑区 with 楼栋, a 楼栋 with 房屋, a 房屋 or customer with links cannot change office on its own."""
    admin, a, b = world.admin, world.office_a, world.office_b
    people.link_property(actor=admin, customer_id=world.customer[b], property_id=world.prop[b], relation="owner",
                         since=None)
    before = table_snapshot(world.url)
    from core.errors import DomainError

    with pytest.raises(DomainError, match="楼栋"):
        org.save_zone(actor=admin, zone_id=world.zone[b], office_id=a, name="苑区B")
    with pytest.raises(DomainError, match="房屋"):
        org.save_building(actor=admin, building_id=world.building[b], zone_id=world.zone[a], name="1幢")
    with pytest.raises(DomainError, match="客户"):
        org.save_property(actor=admin, property_id=world.prop[b], building_id=world.building[a], unit_no="1",
                          room="101", area_m2=88.5, kind="residential", key_household=False)
    with pytest.raises(DomainError, match="房屋"):
        people.save_customer(actor=admin, customer_id=world.customer[b], office_id=a, name="业主B", kind="owner",
                             id_number="", phone=None)
    with pytest.raises(DomainError, match="部门"):
        people.save_staff(actor=admin, staff_id=world.staff[a], office_id=a, name="员工A", post="clerk",
                          department_id=world.department[b], phone="", hire_date=None, independent_on_post=False)
    assert table_snapshot(world.url) == before
