"""The product's deposit ledger (押金台账, core.deposits): accounts keyed by (record_type, record_id), entries
collect / refund / forfeit / deduct. A pass holds one now; a decoration job, later, another; violations post
deductions to it.

Every function runs inside the caller's write transaction (``s``), next to the business write that moves the money,
after the caller has checked the permission and the record's office: the account row is locked, the entry is
checked by ``core.deposits.apply`` (never more out than is held) and its totals are updated with the entry row, so
collected = refunded + forfeited + deducted + held holds after every commit. Amounts are int 分.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, insert
from sqlmodel import Session, select

from core.deposits import Balance, EntryKind, apply
from core.errors import DomainError
from core.permissions import Actor
from db.models import DepositAccount, DepositEntry

_ENTRY = insert(DepositEntry)


def balance(account: DepositAccount | None) -> Balance:
    if account is None:
        return Balance()
    return Balance(account.collected, account.refunded, account.forfeited, account.deducted)


def account_of(s: Session, *, record_type: str, record_id: int, lock: bool = False) -> DepositAccount | None:
    stmt = select(DepositAccount).where(DepositAccount.record_type == record_type, DepositAccount.record_id == record_id)
    return s.exec(stmt.with_for_update() if lock else stmt).first()


def post(s: Session, *, record_type: str, record_id: int, office_id: int, kind: EntryKind | str, amount: int,
         at: datetime, actor: Actor | None, reason: str = "", receipt_no: str = "", cause_type: str = "",
         cause_id: int | None = None) -> Balance:
    """One entry on the record's account (opened by its first collection); returns the balance after it.

    A refund, forfeiture or deduction of more than is held is a ``DomainError`` and writes nothing.
    """
    kind = EntryKind(kind)
    account = account_of(s, record_type=record_type, record_id=record_id, lock=True)
    if account is None:
        if kind is not EntryKind.COLLECT:
            raise DomainError("该记录没有押金可退还、没收或扣除")
        account = DepositAccount(record_type=record_type, record_id=record_id, office_id=office_id, created_at=at,
                                 updated_at=at)
        s.add(account)
    after = apply(balance(account), kind, amount, cause=f"{cause_type}{cause_id or ''}" if kind is EntryKind.DEDUCT
                  else "")
    account.collected, account.refunded = after.collected, after.refunded
    account.forfeited, account.deducted, account.held = after.forfeited, after.deducted, after.held
    account.office_id, account.updated_at = office_id, at
    s.flush()
    s.connection().execute(_ENTRY, {
        "account_id": account.id, "kind": kind.value, "amount": amount, "at": at,
        "actor_user_id": actor.user_id if actor else None, "reason": reason[:200], "receipt_no": receipt_no[:32],
        "cause_type": cause_type[:32], "cause_id": cause_id})
    return after


def entries(s: Session, *, record_type: str, record_id: int) -> list[DepositEntry]:
    """The account's entries, oldest first (the record page; the caller checked the read)."""
    return list(s.exec(select(DepositEntry).join(DepositAccount, DepositAccount.id == DepositEntry.account_id)
                       .where(DepositAccount.record_type == record_type, DepositAccount.record_id == record_id)
                       .order_by(DepositEntry.at, DepositEntry.id)).all())


def held_total(s: Session, *, record_type: str, office_ids: Iterable[int] | None) -> tuple[int, int]:
    """(accounts still holding money, the sum held) of one record type in the offices (``None``: every office)."""
    stmt = select(func.count(), func.coalesce(func.sum(DepositAccount.held), 0)).where(
        DepositAccount.record_type == record_type, DepositAccount.held > 0)
    if office_ids is not None:
        stmt = stmt.where(DepositAccount.office_id.in_(sorted(office_ids) or [-1]))
    count, held = s.exec(stmt).one()
    return int(count), int(held)
