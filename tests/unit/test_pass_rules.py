"""Access-pass rules (core.passes): every state × step (legal and illegal), the derived 已过期, the issue-time
checks and validity limits with their clauses, fees and deposits from the policy book, the gate's query parsing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core import passes as rules
from core.errors import DomainError
from core.passes import Op, State, Status
from core.policy import PARAMS, PASS_LIMITS, resolve

TODAY = date(2026, 11, 27)


def book(**overrides):
    values = resolve([], version=None, at=datetime(2026, 11, 27, tzinfo=UTC))
    values.values.update(overrides)
    return values


LEGAL = {
    Op.EXTEND: {State.ISSUED: State.ISSUED},
    Op.REPORT_LOST: {State.ISSUED: State.LOST},
    Op.RETURN: {State.ISSUED: State.RETURNED},
    Op.CONFISCATE: {State.ISSUED: State.CONFISCATED},
    Op.CANCEL: {State.ISSUED: State.CANCELLED},
    Op.REISSUE: {State.LOST: None},
    Op.ADD_ROOMS: {State.ISSUED: State.ISSUED},
}


@pytest.mark.parametrize(("op", "state"), [(op, state) for op in Op for state in State])
def test_every_step_in_every_state(op, state):
    if state in LEGAL[op]:
        assert rules.offered(op, state) is None
        assert rules.require(op, state) == LEGAL[op][state]
    else:
        why = rules.offered(op, state)
        assert why and "不能" in why and "依据《小区出入证管理规定》" in why
        with pytest.raises(DomainError):
            rules.require(op, state)


def test_a_lost_pass_is_reissued_once():
    assert rules.offered(Op.REISSUE, State.LOST, reissued=True) is not None


@pytest.mark.parametrize(("state", "valid_to", "expected"), [
    (State.ISSUED, TODAY, Status.VALID), (State.ISSUED, TODAY - timedelta(days=1), Status.EXPIRED),
    (State.LOST, TODAY + timedelta(days=9), Status.LOST), (State.CONFISCATED, TODAY, Status.CONFISCATED),
    (State.RETURNED, TODAY, Status.RETURNED), (State.CANCELLED, TODAY, Status.CANCELLED),
])
def test_status_is_derived_from_the_date(state, valid_to, expected):
    assert rules.status(state, valid_to, TODAY) is expected
    advice, tone = rules.GATE_ADVICE[expected]
    assert (tone == "success") == (expected is Status.VALID)


def test_terms_follow_the_policy_book():
    assert rules.terms(book(), "temporary") == rules.Terms("temporary", 0, 5000)
    assert rules.terms(book(), "resident") == rules.Terms("resident", 0, 0)
    assert rules.terms(book(**{"pass.worker_fee": 500}), "temporary").fee == 500
    with pytest.raises(DomainError, match="类型"):
        rules.terms(book(), "nope")


def _check(purpose, days, until=None, policy=None, kind="temporary"):
    return rules.check_validity(policy or book(), kind=kind, purpose=purpose, valid_from=TODAY,
                                valid_to=TODAY + timedelta(days=days), decoration_until=until)


def test_validity_limits():
    assert "第10条" in _check("decoration", 30, TODAY + timedelta(days=30))
    with pytest.raises(DomainError, match="装修期"):
        _check("decoration", 31, TODAY + timedelta(days=30))
    with pytest.raises(DomainError, match="装修期截止日"):
        _check("decoration", 3)
    with pytest.raises(DomainError, match="仅限当日"):
        _check("visitor", 1)
    assert _check("visitor", 0)
    with pytest.raises(DomainError, match="12 个月"):
        _check("casual", 400)
    assert _check("casual", 360)
    with pytest.raises(DomainError, match="90 天"):
        _check("engineering", 90)
    assert _check("engineering", 89)
    with pytest.raises(DomainError, match="早于起始日"):
        _check("engineering", -1)
    with pytest.raises(DomainError, match="办证事由"):
        _check("nope", 1)
    assert "第1条" in _check("", 3650, kind="resident")


def test_household_and_one_per_person():
    rules.check_household(book(), 2)
    with pytest.raises(DomainError, match="每户最多 3 张"):
        rules.check_household(book(), 3)
    rules.check_household(book(**{"pass.resident_cards_per_household": 4}), 3)
    rules.check_one_per_person(None)
    with pytest.raises(DomainError, match="第4条"):
        rules.check_one_per_person("CR-2026-000001")


def test_only_owner_or_contractor_extends_or_adds_rooms():
    for kind in rules.MAY_EXTEND:
        rules.check_extender(kind)
    with pytest.raises(DomainError, match="第7条"):
        rules.check_extender("department")
    with pytest.raises(DomainError, match="增加房屋只能"):
        rules.check_extender("department", "增加房屋")
    rules.check_added_rooms("temporary", 1)
    with pytest.raises(DomainError, match="住户卡"):
        rules.check_added_rooms("resident", 1)
    with pytest.raises(DomainError, match="请选择要增加的房屋"):
        rules.check_added_rooms("temporary", 0)


def test_return_window_and_expiring():
    assert rules.return_due(TODAY, book()) == timedelta(weeks=1)
    assert rules.return_due(TODAY, book(**{"pass.late_return_window": {"amount": 3, "unit": "days"}})) == \
        timedelta(days=3)
    assert rules.expiring(State.ISSUED, TODAY + timedelta(days=7), TODAY, book())
    assert not rules.expiring(State.ISSUED, TODAY + timedelta(days=8), TODAY, book())
    assert not rules.expiring(State.LOST, TODAY, TODAY, book())


@pytest.mark.parametrize(("text", "expected"), [
    ("CR-2026-000123", ("number", "CR-2026-000123")), (" cr-2026-000123 ", ("number", "CR-2026-000123")),
    ("*CR-2026-000123*", ("number", "CR-2026-000123")), ("1234", ("id_tail", "1234")),
    ("12345x", ("id_tail", "12345X")), ("张三", ("name", "张三")), ("", ("", "")),
])
def test_gate_query(text, expected):
    assert rules.gate_query(text) == expected


def test_gate_query_needs_four_digits():
    with pytest.raises(DomainError, match="4 位"):
        rules.gate_query("123")


def test_tables_ship_the_two_types_and_the_purposes():
    assert {r["code"]: r["kind"] for r in PARAMS["pass.types"].default} == {"temporary": "temporary",
                                                                          "resident": "resident"}
    assert {r["limit"] for r in PARAMS["pass.purposes"].default} == set(PASS_LIMITS)
