"""The deposit ledger (core.deposits): one account per record holding a deposit, keyed by (record_type, record_id),
with its running totals, and one row per entry. Written only by ``db.services.deposits`` inside the caller's
transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.models.base import utcnow


class DepositAccount(SQLModel, table=True):
    __tablename__ = "deposit_account"
    __table_args__ = (
        UniqueConstraint("record_type", "record_id"),
        # the home page's "deposits held" per office, from the index
        Index("ix_deposit_account_type_office_held", "record_type", "office_id", "held"),
    )

    id: int | None = Field(default=None, primary_key=True)
    record_type: str = Field(max_length=32)
    record_id: int
    office_id: int = Field(foreign_key="org_unit.id")
    collected: int = 0  # 分
    refunded: int = 0
    forfeited: int = 0
    deducted: int = 0
    held: int = 0  # collected − refunded − forfeited − deducted
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class DepositEntry(SQLModel, table=True):
    __tablename__ = "deposit_entry"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="deposit_account.id", index=True)
    kind: str = Field(max_length=16)  # core.deposits.EntryKind
    amount: int  # 分, > 0
    at: datetime
    actor_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    reason: str = Field(default="", max_length=200)
    receipt_no: str = Field(default="", max_length=32)
    cause_type: str = Field(default="", max_length=32)  # a deduction's violation (record type) …
    cause_id: int | None = None  # … and its id
