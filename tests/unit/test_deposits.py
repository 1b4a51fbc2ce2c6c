"""The deposit ledger's rules (core.deposits): each entry kind, the refusals, and — as a property — that the account
balances (collected = refunded + forfeited + deducted + held, nothing negative) after every accepted entry of any
sequence, while every refused entry leaves the balance as it was."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.deposits import Balance, EntryKind, apply
from core.errors import DomainError


def test_collect_then_refund_then_nothing_is_left_to_refund():
    b = apply(Balance(), EntryKind.COLLECT, 5000)
    assert (b.collected, b.held) == (5000, 5000)
    b = apply(b, EntryKind.REFUND, 5000)
    assert (b.refunded, b.held) == (5000, 0) and b.balances
    with pytest.raises(DomainError, match="不能再退还"):
        apply(b, EntryKind.REFUND, 5000)


def test_forfeit_and_deduct_take_from_what_is_held():
    b = apply(Balance(), "collect", 10000)
    b = apply(b, EntryKind.DEDUCT, 3000, cause="violation7")
    b = apply(b, EntryKind.FORFEIT, 7000)
    assert (b.deducted, b.forfeited, b.held) == (3000, 7000, 0) and b.balances


@pytest.mark.parametrize(("kind", "amount", "cause", "message"), [
    (EntryKind.REFUND, 6000, "", "超过押金余额"),
    (EntryKind.DEDUCT, 100, "", "对应的违规记录"),
    (EntryKind.COLLECT, 0, "", "大于零"),
    (EntryKind.COLLECT, -5, "", "大于零"),
])
def test_refusals(kind, amount, cause, message):
    with pytest.raises(DomainError, match=message):
        apply(Balance(collected=5000), kind, amount, cause=cause)


def test_no_float_money():
    with pytest.raises(DomainError):
        apply(Balance(), EntryKind.COLLECT, 50.0)  # type: ignore[arg-type]


entries = st.lists(st.tuples(st.sampled_from(list(EntryKind)), st.integers(min_value=-100, max_value=20_000),
                             st.sampled_from(["", "violation1"])), max_size=40)


@settings(max_examples=300, deadline=None)
@given(entries)
def test_the_ledger_balances_after_every_operation(ops):
    balance = Balance()
    for kind, amount, cause in ops:
        try:
            after = apply(balance, kind, amount, cause=cause)
        except DomainError:
            continue  # refused: nothing changes
        assert after.balances
        assert after.held >= 0
        assert after.collected == after.refunded + after.forfeited + after.deducted + after.held
        assert after.collected >= balance.collected and after.held != balance.held
        balance = after
    assert balance.balances
