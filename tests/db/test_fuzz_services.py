"""Arbitrary input into every foundation service (hypothesis, SQLite): a clerk can type anything.

Each call either succeeds or raises a ``DomainError`` whose message is Chinese; no other exception ever
escapes to the page, and a refused call leaves every table (audit trail included) exactly as it was.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import bcrypt
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core.errors import DomainError
from core.labels import CUSTOMER_KIND, DEPARTMENT_KIND, ORG_KIND, PROPERTY_KIND
from core.policy import PARAMS
from core.roles import Role
from db.services import audit_log, users
from db.services import org as org_service
from db.services import people as people_service
from db.services import policy as policy_service
from tests.db.world import World, build_world, has_cjk, row_counts

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)

NASTY = ["", " ", "\t", "\x00", "'; DROP TABLE zone;--", "%", "_", "\\", "😀" * 10, "长" * 65, "\u202e反转",
         "=HYPERLINK(\"x\")", "<script>alert(1)</script>", "a" * 5000, "1e309", "NaN", "08:61", "-0"]
texts = st.one_of(st.text(max_size=80), st.sampled_from(NASTY))
big_ints = st.integers(min_value=-(2**63), max_value=2**63 - 1)
# Record ids come from pickers, never typed: they stay within a 64-bit column (a bigger int is a programming
# error that sqlite3 reports as OverflowError). Typed numbers (policy values, pages) use ``any_ints``.
any_ints = st.one_of(big_ints, st.integers())
floats = st.floats(allow_nan=True, allow_infinity=True)
dates = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
moments = st.one_of(st.datetimes(timezones=st.just(UTC)), st.datetimes())


def maybe(strategy):
    return st.one_of(st.none(), strategy)


def attempt(url: str, call) -> bool:
    """Run ``call``; a refusal must be a Chinese DomainError and leave every table unchanged."""
    before = row_counts(url, exclude=())
    try:
        call()
    except DomainError as exc:
        assert has_cjk(exc.message), exc.message
        assert row_counts(url, exclude=()) == before, f"refused ({exc.message}) but rows changed"
        return False
    return True


@pytest.fixture
def world(db_url, org, make_actor, now) -> World:
    return build_world(db_url, org, make_actor, now)


def ids(world: World, kind: str):
    valid = {"office": list(world.offices) + [world.company_id], "zone": list(world.zone.values()),
             "building": list(world.building.values()), "property": list(world.prop.values()),
             "customer": list(world.customer.values()), "staff": list(world.staff.values()),
             "department": list(world.department.values())}[kind]
    return st.one_of(st.sampled_from(valid), big_ints)


def test_fuzz_org_master_data(world):
    @FUZZ
    @given(data=st.data())
    def run(data):
        draw = data.draw
        which = draw(st.sampled_from(["unit", "zone", "building", "property", "department"]))
        if which == "unit":
            call = lambda: org_service.save_unit(  # noqa: E731
                actor=world.admin, unit_id=draw(maybe(ids(world, "office"))), code=draw(texts), name=draw(texts),
                kind=draw(st.one_of(st.sampled_from(list(ORG_KIND)), texts)), parent_id=draw(maybe(ids(world, "office"))),
                address=draw(texts), phone=draw(texts), complaint_contact_staff_id=draw(maybe(ids(world, "staff"))),
                active=draw(st.booleans()))
        elif which == "zone":
            call = lambda: org_service.save_zone(  # noqa: E731
                actor=world.admin, zone_id=draw(maybe(ids(world, "zone"))), office_id=draw(ids(world, "office")),
                name=draw(texts), active=draw(st.booleans()))
        elif which == "building":
            call = lambda: org_service.save_building(  # noqa: E731
                actor=world.admin, building_id=draw(maybe(ids(world, "building"))), zone_id=draw(ids(world, "zone")),
                name=draw(texts))
        elif which == "property":
            call = lambda: org_service.save_property(  # noqa: E731
                actor=world.admin, property_id=draw(maybe(ids(world, "property"))),
                building_id=draw(ids(world, "building")), unit_no=draw(texts), room=draw(texts),
                area_m2=draw(maybe(floats)), kind=draw(st.one_of(st.sampled_from(list(PROPERTY_KIND)), texts)),
                key_household=draw(st.booleans()))
        else:
            call = lambda: org_service.save_department(  # noqa: E731
                actor=world.admin, department_id=draw(maybe(ids(world, "department"))),
                org_unit_id=draw(ids(world, "office")), name=draw(texts),
                kind=draw(st.one_of(st.sampled_from(list(DEPARTMENT_KIND)), texts)),
                head_staff_id=draw(maybe(ids(world, "staff"))))
        attempt(world.url, call)

    run()


def test_fuzz_people(world):
    @FUZZ
    @given(data=st.data())
    def run(data):
        draw = data.draw
        which = draw(st.sampled_from(["staff", "customer", "link"]))
        if which == "staff":
            call = lambda: people_service.save_staff(  # noqa: E731
                actor=world.admin, staff_id=draw(maybe(ids(world, "staff"))), office_id=draw(ids(world, "office")),
                name=draw(texts), post=draw(st.one_of(st.sampled_from([r.value for r in Role]), texts)),
                department_id=draw(maybe(ids(world, "department"))), phone=draw(texts), hire_date=draw(maybe(dates)),
                independent_on_post=draw(st.booleans()), active=draw(st.booleans()))
        elif which == "customer":
            id_numbers = st.one_of(texts, st.from_regex(r"\A\d{17}[\dXx]\Z"), st.from_regex(r"\A[A-Za-z0-9]{6,20}\Z"))
            call = lambda: people_service.save_customer(  # noqa: E731
                actor=world.admin, customer_id=draw(maybe(ids(world, "customer"))), office_id=draw(ids(world, "office")),
                name=draw(texts), kind=draw(st.one_of(st.sampled_from(list(CUSTOMER_KIND)), texts)),
                id_number=draw(id_numbers), phone=draw(maybe(st.one_of(texts, st.from_regex(r"\A1[3-9]\d{9}\Z")))),
                active=draw(st.booleans()), keep_phone=draw(st.booleans()))
        else:
            call = lambda: people_service.link_property(  # noqa: E731
                actor=world.admin, customer_id=draw(ids(world, "customer")), property_id=draw(ids(world, "property")),
                relation=draw(st.one_of(st.sampled_from(list(CUSTOMER_KIND)), texts)), since=draw(maybe(dates)))
        attempt(world.url, call)

    run()


durations = st.fixed_dictionaries({"amount": st.one_of(floats, any_ints, texts),
                                   "unit": st.one_of(st.sampled_from(["hours", "days", "working_days", "weeks",
                                                                      "months", "minutes"]), texts)})
policy_values = st.one_of(any_ints, floats, texts, st.booleans(), st.none(), durations,
                          st.lists(st.integers(), max_size=3), st.dictionaries(texts, any_ints, max_size=2))


def test_fuzz_policy_book(world):
    @FUZZ
    @given(key=st.one_of(st.sampled_from(sorted(PARAMS)), texts), value=policy_values, effective_from=moments,
           reason=texts)
    @example(key="complaint.hot_collective", value=float("inf"), effective_from=NOW, reason="x")
    @example(key="pass.worker_deposit", value=10**400, effective_from=NOW, reason="x")
    @example(key="complaint.due_major", value={"amount": 10**400, "unit": "days"}, effective_from=NOW, reason="x")
    def run(key, value, effective_from, reason):
        attempt(world.url, lambda: policy_service.set_value(actor=world.admin, key=key, value=value,
                                                            effective_from=effective_from, reason=reason, now=NOW))
        policy_service.policy_at(NOW)  # whatever was accepted, the book still resolves

    run()


def test_fuzz_holidays(world):
    @FUZZ
    @given(day=dates, kind=st.one_of(st.sampled_from(["holiday", "workday"]), texts), name=texts,
           remove=st.booleans())
    def run(day, kind, name, remove):
        if remove:
            attempt(world.url, lambda: policy_service.remove_holiday(actor=world.admin, day=day))
        else:
            attempt(world.url, lambda: policy_service.set_holiday(actor=world.admin, day=day, kind=kind, name=name))
        policy_service.policy_at(NOW).calendar()

    run()


def test_fuzz_accounts(world, monkeypatch):
    # Cheap path: the same bcrypt, at its lowest cost, so 40 examples do not spend 40 × 0.25 s hashing.
    monkeypatch.setattr(users, "hash_password", lambda pw: bcrypt.hashpw(pw.encode(), bcrypt.gensalt(4)).decode())

    @FUZZ
    @given(data=st.data())
    def run(data):
        draw = data.draw
        grants = draw(st.lists(st.tuples(st.one_of(st.sampled_from([r.value for r in Role]), texts),
                                         ids(world, "office")), max_size=3))
        usernames = st.one_of(texts, st.from_regex(r"\A[a-z0-9][a-z0-9._-]{1,31}\Z"))
        passwords = st.one_of(texts, st.text(min_size=8, max_size=40), st.just("密" * 25))
        which = draw(st.sampled_from(["create", "grants", "deputy"]))
        if which == "create":
            call = lambda: users.create_user(  # noqa: E731
                actor=world.admin, username=draw(usernames), display_name=draw(texts), password=draw(passwords),
                grants=grants, now=NOW, request_id=draw(maybe(st.text(min_size=1, max_size=64))))
        elif which == "grants":
            call = lambda: users.set_grants(actor=world.admin, user_id=draw(st.one_of(  # noqa: E731
                st.just(world.target_user), big_ints)), grants=grants, now=NOW)
        else:
            call = lambda: users.set_deputy(  # noqa: E731
                actor=world.admin, user_id=draw(st.one_of(st.just(world.target_user), big_ints)),
                deputy_user_id=draw(maybe(st.one_of(st.just(world.admin.user_id), big_ints))),
                until=draw(maybe(moments)), now=NOW)
        attempt(world.url, call)

    run()


def test_fuzz_searches_never_break(world):
    @FUZZ
    @given(text=texts, page=any_ints, page_size=any_ints)
    def run(text, page, page_size):
        for call in (
            lambda: people_service.list_customers(actor=world.admin, search=text, page=page, page_size=page_size),
            lambda: people_service.list_staff(actor=world.admin, search=text, page=page, page_size=page_size),
            lambda: org_service.list_properties(actor=world.admin, search=text, page=page, page_size=page_size),
            lambda: org_service.find_properties(actor=world.admin, text=text),
            lambda: users.list_users(actor=world.admin, search=text, page=page, page_size=page_size),
            lambda: audit_log.search(actor=world.admin, text=text, action_prefix=text, page=page, page_size=page_size),
        ):
            attempt(world.url, call)

    run()
