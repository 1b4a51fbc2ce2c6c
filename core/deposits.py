"""The deposit ledger (押金台账) of the whole product: one account per record that holds a deposit (a pass now, a
decoration job later), and its entries — collect, refund, forfeit, deduct (with the violation that caused it).

The account always balances: collected = refunded + forfeited + deducted + held. Every entry is checked here
before it is written (no entry may take out more than is held; a refund, forfeit or deduction of nothing held is
refused), so the balance can never go negative. Pure: amounts are int 分 (core.money), no clock, no database.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from core import money
from core.errors import DomainError


class EntryKind(StrEnum):
    COLLECT = "collect"
    REFUND = "refund"
    FORFEIT = "forfeit"
    DEDUCT = "deduct"


ENTRY_LABELS = {EntryKind.COLLECT: "收取押金", EntryKind.REFUND: "退还押金", EntryKind.FORFEIT: "没收押金",
                EntryKind.DEDUCT: "扣除押金"}
# Which total of the account an entry adds to.
_FIELD = {EntryKind.COLLECT: "collected", EntryKind.REFUND: "refunded", EntryKind.FORFEIT: "forfeited",
          EntryKind.DEDUCT: "deducted"}


@dataclass(frozen=True)
class Balance:
    collected: int = 0
    refunded: int = 0
    forfeited: int = 0
    deducted: int = 0

    @property
    def held(self) -> int:
        return self.collected - self.refunded - self.forfeited - self.deducted

    @property
    def balances(self) -> bool:
        """collected = refunded + forfeited + deducted + held, and nothing negative."""
        parts = (self.collected, self.refunded, self.forfeited, self.deducted, self.held)
        return all(p >= 0 for p in parts) and self.collected == money.total(parts[1:])


def apply(balance: Balance, kind: EntryKind | str, amount: int, *, cause: str = "") -> Balance:
    """The balance after one entry, or a Chinese ``DomainError`` (nothing to write).

    ``cause``: for a deduction, the violation (or other record) that caused it — required.
    """
    kind = EntryKind(kind)
    money.require_fen(amount, name="押金金额")
    if amount <= 0:
        raise DomainError("押金金额应大于零")
    if kind is not EntryKind.COLLECT:
        if balance.held <= 0:
            raise DomainError("押金已退还、没收或扣除完毕，不能再" + ENTRY_LABELS[kind][:2])
        if amount > balance.held:
            raise DomainError(f"{ENTRY_LABELS[kind]}金额 {money.format_yuan(amount)} 超过押金余额 "
                              f"{money.format_yuan(balance.held)}")
    if kind is EntryKind.DEDUCT and not cause.strip():
        raise DomainError("扣除押金须注明对应的违规记录")
    field = _FIELD[kind]
    after = replace(balance, **{field: getattr(balance, field) + amount})
    assert after.balances  # noqa: S101  (the checks above make it so; a failure here is a bug)
    return after
