"""Access passes (《小区出入证管理规定》): the pass and the rooms it serves. Its timeline, duties, attachments (the
holder's photo) and deposit live in the spine's tables (record type "pass"); codes are core.passes' enums."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.models.base import utcnow


class AccessPass(SQLModel, table=True):
    __tablename__ = "access_pass"
    __table_args__ = (
        # the list (newest first per office), the home page's expiring / overdue counts, the register by period
        Index("ix_access_pass_office_issued", "office_id", "issued_at", "id"),
        Index("ix_access_pass_issued_id", "issued_at", "id"),
        Index("ix_access_pass_state_valid_to", "state", "valid_to", "office_id"),
        # a 管理处's expiring and overdue passes on the home page (12 ms along the office's index → ~0.1 ms)
        Index("ix_access_pass_state_office_valid_to", "state", "office_id", "valid_to"),
        Index("ix_access_pass_state_issued", "state", "issued_at", "id"),  # a state filter, newest first (127 → 0.3 ms)
        # the gate lookup: by name (the newest passes of a name first), by the last digits of the ID number (reversed)
        Index("ix_access_pass_holder", "holder_name", "valid_to"),
        Index("ix_access_pass_id_rtail", "id_rtail", "office_id"),
        # one active pass per person; 住户卡 per household
        Index("ix_access_pass_id_state", "id_number", "state"),
        Index("ix_access_pass_property_kind_state", "property_id", "kind", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=24, unique=True)  # CR-<year>-<n>, the barcode
    office_id: int = Field(foreign_key="org_unit.id")
    pass_type: str = Field(max_length=32)  # policy book pass.types code
    kind: str = Field(max_length=16)  # temporary | resident (the type row's kind when issued)
    purpose: str = Field(default="", max_length=32)  # policy book pass.purposes code
    state: str = Field(default="issued", max_length=16)  # core.passes.State
    holder_name: str = Field(max_length=64)
    id_type: str = Field(default="resident_id", max_length=24)
    id_number: str = Field(max_length=32)
    id_rtail: str = Field(max_length=8)  # the last 6 characters reversed: "last digits" lookups use the index
    phone: str = Field(default="", max_length=32)
    employer: str = Field(default="", max_length=100)  # 施工单位 / 装修公司
    property_id: int | None = Field(default=None, foreign_key="property.id")  # the first room (住户卡: the household)
    rooms_label: str = Field(default="", max_length=400)  # the rooms served, as printed
    applicant_kind: str = Field(max_length=24)  # core.passes.ApplicantKind
    applicant_name: str = Field(max_length=64)
    valid_from: date
    valid_to: date
    decoration_until: date | None = None  # the approved decoration period's end, as typed (until issue 15 links it)
    fee: int = 0  # 分
    deposit: int = 0  # 分, collected at issue (the ledger holds what is left)
    receipt_no: str = Field(default="", max_length=32)
    original_verified: bool = False  # 住户卡: the owner's ID original was checked
    deposit_state: str = Field(default="", max_length=16)  # "" | held | refunded | forfeited (the register's column)
    reason: str = Field(default="", max_length=200)  # why confiscated / cancelled / lost
    replaces_id: int | None = Field(default=None, foreign_key="access_pass.id")  # 补办: the lost pass
    reissued_as_id: int | None = None  # the new pass issued for this lost one (no FK: a cycle)
    issued_by: int | None = Field(default=None, foreign_key="app_user.id")
    issued_at: datetime
    closed_at: datetime | None = None  # returned / lost / confiscated / cancelled
    policy_version: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class PassRoom(SQLModel, table=True):
    __tablename__ = "pass_room"
    __table_args__ = (UniqueConstraint("pass_id", "property_id"),)

    id: int | None = Field(default=None, primary_key=True)
    pass_id: int = Field(foreign_key="access_pass.id")
    property_id: int = Field(foreign_key="property.id", index=True)
