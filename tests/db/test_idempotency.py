"""Idempotency on every create action (design.md §3, issue 10 §1), generated over the service modules.

Every service function whose name says it creates (``save_``, ``create_``, ``add``, ``register``, ``request_``,
``record_``, ``link_``, ``write_``) takes a ``request_id``; called twice with the same one — a double click, a
rerun — the second call writes nothing and answers what the first wrote. The functions are read from
``db.services``, so a process added later is checked by construction: its create function fails here until it
takes a ``request_id`` and honours it (and, when placeholder arguments do not pass its checks, until ``ARGS``
says how to call it).
"""

from __future__ import annotations

import inspect
import io
import typing

import pytest
from PIL import Image
from sqlmodel import Session

from core import permissions
from core.complaints import Grade, State
from core.permissions import Action, Actor, Grant
from core.roles import Role
from db.engine import get_engine
from db.models import Complaint
from db.services import complaint_consult, complaints, org, people, visitor_incidents
from tests.db.service_probe import placeholder, service_functions
from tests.db.world import World, build_world, row_counts

CREATE_PREFIXES = ("save_", "create_", "add", "register", "request_", "record_", "link_", "write_", "issue", "reissue")

# Create functions still without a request id, and why. Nothing may be added here; each entry is removed by the
# change named.
PENDING: dict[str, str] = {}


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 200)).save(out, format="PNG")
    return out.getvalue()


# Arguments where placeholders would not pass the function's own checks; (world, ids) -> keyword arguments.
ARGS = {
    "org.save_unit": lambda w, ids: dict(unit_id=None, code="IDEM1", name="幂等管理处", kind="office",
                                         parent_id=w.company_id),
    "org.save_zone": lambda w, ids: dict(zone_id=None, office_id=w.office_a, name="幂等苑区"),
    "org.save_building": lambda w, ids: dict(building_id=None, zone_id=ids["zone_id"], name="9幢"),
    "org.save_property": lambda w, ids: dict(property_id=None, building_id=ids["building_id"], unit_no="1",
                                             room="909", area_m2=80.0, kind="residential", key_household=False),
    "org.save_department": lambda w, ids: dict(department_id=None, org_unit_id=w.office_a, name="幂等部",
                                               kind="security", head_staff_id=None),
    "people.save_staff": lambda w, ids: dict(staff_id=None, office_id=w.office_a, name="幂等员工", post="clerk",
                                             department_id=None, phone="", hire_date=None, independent_on_post=False),
    "people.save_customer": lambda w, ids: dict(customer_id=None, office_id=w.office_a, name="幂等客户",
                                                kind="owner", id_number="", phone=""),
    "people.link_property": lambda w, ids: dict(customer_id=ids["new_customer"], property_id=ids["new_property"],
                                                relation="owner", since=None),
    "complaint_consult.save_consultant": lambda w, ids: dict(consultant_id=None, name="幂等顾问", speciality="工程",
                                                             phone="13900000000"),
    "complaint_consult.request_consult": lambda w, ids: dict(complaint_id=ids["complaint_id"],
                                                             consultant_id=ids["consultant_id"], question="怎么修",
                                                             now=w.now),
    "attachments.add": lambda w, ids: dict(record_type="complaint", record_id=ids["complaint_id"],
                                           files=[("现场.png", _png())], now=w.now),
    "complaints.register": lambda w, ids: dict(now=w.now, data=complaints.ComplaintIn(
        office_id=w.office_a, channel="phone", category="engineering", description="楼道灯坏了", occurred_at=w.now,
        complainant_name="幂等业主")),
    "complaint_flow.record_callback": lambda w, ids: dict(complaint_id=ids["verified_complaint"], method="phone",
                                                          reached=True, person_reached="业主", satisfaction="satisfied",
                                                          comment="", follow_up="", now=w.now),
    "complaint_online.save_online_post": lambda w, ids: dict(complaint_id=ids["complaint_id"], platform="业主论坛",
                                                             url="", poster_handle="", posted_at=None, viral=False,
                                                             now=w.now),
    "complaint_reports.record_express": lambda w, ids: dict(complaint_id=ids["major_complaint"], progress="已排查水泵",
                                                            next_steps="", now=w.now),
    "complaint_reports.record_phone_report": lambda w, ids: dict(complaint_id=ids["major_complaint"], at=w.now,
                                                                 to_whom="总部客服中心", note="", now=w.now),
    "complaint_reports.write_special_report": lambda w, ids: dict(complaint_id=ids["closed_hot_complaint"],
                                                                  part_a="经过与处理", part_b="", part_c="", now=w.now),
    "reception.register_contact": lambda w, ids: dict(now=w.now, data=_reception_in(w)),
    "passes.issue": lambda w, ids: dict(now=w.now, data=_pass_in(w, "330102198501011007")),
    "passes.reissue": lambda w, ids: dict(pass_id=ids["lost_pass"], receipt_no="SJ2", now=w.now),
    "users.create_user": lambda w, ids: dict(username="idem.user", display_name="幂等用户", password="long enough pw 1",
                                             grants=[(Role.CLERK.value, w.office_a)], now=w.now),
    "visitor_incidents.register": lambda w, ids: dict(now=w.now, data=visitor_incidents.IncidentIn(
        office_id=w.office_a, visit_class="b", visitor_name="幂等业主", purpose="集体来访", arrived_at=w.now,
        people_count=3, representatives=2, complaint_category="engineering")),  # the collective complaint too
}


def _reception_in(w: World):
    from db.services import reception

    return reception.ContactIn(office_id=w.office_a, channel="visit", category="consult", content="咨询装修手续",
                               caller_name="幂等访客")


def _pass_in(w: World, id_number: str):
    from core.identity import with_check_character
    from db.services import passes

    return passes.PassIn(office_id=w.office_a, pass_type="temporary", purpose="engineering", holder_name="幂等工人",
                         id_type="resident_id", id_number=with_check_character(id_number[:17]), room_ids=[w.prop[w.office_a]],
                         applicant_kind="contractor_head", applicant_name="李工头", valid_from=w.now.date(),
                         valid_to=w.now.date(), receipt_no="SJ1")


def create_functions() -> dict:
    return {name: func for name, func in service_functions().items()
            if name.split(".", 1)[1].startswith(CREATE_PREFIXES)}


def test_every_create_function_takes_a_request_id():
    missing = {n for n, f in create_functions().items() if "request_id" not in inspect.signature(f).parameters}
    assert missing <= set(PENDING), f"create functions without request_id: {sorted(missing - set(PENDING))}"
    stale = set(PENDING) - missing
    assert not stale, f"remove from PENDING (they take request_id now or are gone): {sorted(stale)}"


@pytest.fixture
def world(db_url, org, make_actor, now) -> World:
    return build_world(db_url, org, make_actor, now)


@pytest.fixture
def everything(world, make_actor, monkeypatch) -> Actor:
    """An HQ account allowed every action everywhere: only idempotency is under test here."""
    monkeypatch.setattr(permissions, "MATRIX", {action: frozenset(Role) for action in Action})
    base = make_actor(Role.HQ_SPECIALIST, None, username="idem_all")
    grants = tuple(Grant(role, None) for role in (Role.SYSADMIN, Role.HQ_SPECIALIST, Role.HQ_HEAD))
    return Actor(base.user_id, base.username, base.name, grants=grants)


def _ids(w: World, actor: Actor) -> dict:
    a = w.office_a
    ids = {"office_id": a, "org_unit_id": a, "zone_id": w.zone[a], "building_id": w.building[a],
           "property_id": w.prop[a], "customer_id": w.customer[a], "staff_id": w.staff[a],
           "department_id": w.department[a]}
    data = complaints.ComplaintIn(office_id=a, channel="phone", category="engineering", description="车库积水",
                                  occurred_at=w.now, complainant_name="业主")
    ids["complaint_id"] = complaints.register(actor=actor, data=data, request_id=None, now=w.now).id
    # Complaints where the complaint sub-record creates are offered: the state and class set directly.
    for key, fields in (("verified_complaint", dict(state=State.VERIFIED.value)),
                        ("major_complaint", dict(grade=Grade.MAJOR.value, report_due_at=w.now)),
                        ("closed_hot_complaint", dict(grade=Grade.HOT.value, state=State.CLOSED.value, closed_at=w.now))):
        made = complaints.register(actor=actor, data=data, request_id=None, now=w.now).id
        with Session(get_engine(w.url)) as s:
            row = s.get(Complaint, made)
            for name, value in fields.items():
                setattr(row, name, value)
            s.add(row)
            s.commit()
        ids[key] = made
    ids["consultant_id"] = complaint_consult.save_consultant(actor=actor, consultant_id=None, name="王工",
                                                             speciality="工程", phone="13900000001")
    ids["new_customer"] = people.save_customer(actor=actor, customer_id=None, office_id=a, name="未关联客户",
                                               kind="owner", id_number="", phone="")
    ids["new_property"] = org.save_property(actor=actor, property_id=None, building_id=w.building[a], unit_no="2",
                                            room="201", area_m2=None, kind="residential", key_household=False)
    from db.services import pass_flow, passes

    lost = passes.issue(actor=actor, data=_pass_in(w, "33010219850101200"), request_id=None, now=w.now)
    ids["lost_pass"] = pass_flow.report_lost(actor=actor, pass_id=lost.id, reason="遗失", now=w.now).id
    return ids


def _kwargs(name: str, func, w: World, ids: dict) -> dict:
    if name in ARGS:
        return ARGS[name](w, ids)
    hints = typing.get_type_hints(func)
    return {p: placeholder(p, hints.get(p), w, ids) for p, param in inspect.signature(func).parameters.items()
            if p not in ("actor", "request_id") and param.default is inspect.Parameter.empty}


def test_a_second_submission_of_the_same_form_writes_nothing(world, everything):
    ids = _ids(world, everything)
    problems = []
    for name, func in sorted(create_functions().items()):
        if name in PENDING:
            continue
        kwargs = _kwargs(name, func, world, ids)
        before = row_counts(world.url)
        try:
            first = func(actor=everything, request_id=f"idem-{name}", **kwargs)
        except Exception as exc:  # noqa: BLE001  a finding: give ARGS a valid call
            problems.append(f"{name}: first call failed ({type(exc).__name__}: {exc}); add it to ARGS")
            continue
        written = row_counts(world.url)
        if written == before:
            problems.append(f"{name}: the first call wrote no row")
            continue
        again = func(actor=everything, request_id=f"idem-{name}", **kwargs)
        if row_counts(world.url) != written:
            changed = {t for t, n in row_counts(world.url).items() if written.get(t) != n}
            problems.append(f"{name}: the second call with the same request_id wrote rows in {sorted(changed)}")
        if getattr(again, "id", again) != getattr(first, "id", first):
            problems.append(f"{name}: answered {again!r:.60} the second time, {first!r:.60} the first")
    assert not problems, "\n".join(problems)
