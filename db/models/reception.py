"""The reception desk's register (客户来电、来访、来函处理作业规定, D1): one row per call, visit, letter or online
message; its timeline and duties (letter reply, callback) live in the spine's ``record_event`` and ``duty`` tables
(record type "contact"). Codes are the English enums of core.reception."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, text
from sqlmodel import Field, SQLModel

from db.models.base import utcnow


class Contact(SQLModel, table=True):
    __table_args__ = (
        # the daily view and the register page: an office's entries newest first (and company-wide for HQ)
        Index("ix_contact_office_received", "office_id", "received_at", "id"),
        Index("ix_contact_received_id", "received_at", "id"),
        Index("ix_contact_state_office", "state", "office_id", "received_at"),
        # my work: routed to me / my department, still open
        Index("ix_contact_routed_user_state", "routed_user_id", "state"),
        Index("ix_contact_routed_dept_state", "routed_department_id", "state"),
        Index("ix_contact_clerk_state", "received_by", "state"),  # 待我跟进 (my work)
        # overdue replies and callbacks (the deadline columns are the duty rows' list denormalisation)
        Index("ix_contact_reply_open", "office_id", "reply_due_at", sqlite_where=text("replied_at IS NULL"),
              postgresql_where=text("replied_at IS NULL")),
        Index("ix_contact_callback_open", "office_id", "callback_due_at", sqlite_where=text("callback_done_at IS NULL"),
              postgresql_where=text("callback_done_at IS NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True)  # JD-2026-000123
    office_id: int = Field(foreign_key="org_unit.id")
    channel: str = Field(max_length=16)
    category: str = Field(max_length=32)
    received_at: datetime
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    property_id: int | None = Field(default=None, foreign_key="property.id")
    caller_name: str = Field(default="", max_length=64)
    caller_phone: str = Field(default="", max_length=32)
    content: str = Field(sa_column=Column(Text, nullable=False))
    receiver_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    received_by: int | None = Field(default=None, foreign_key="app_user.id")  # the clerk who logged it
    rings: int | None = None
    late_pickup: bool = False
    routed_department_id: int | None = Field(default=None, foreign_key="department.id")
    routed_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    result: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    callback_needed: bool = False
    callback_due_at: datetime | None = None
    callback_done_at: datetime | None = None
    reply_due_at: datetime | None = None
    replied_at: datetime | None = None
    reply_method: str = Field(default="", max_length=16)
    reply_copy_kept: bool = False
    complaint_id: int | None = Field(default=None, foreign_key="complaint.id")
    follow_up_note: str = Field(default="", max_length=500)
    state: str = Field(max_length=16)
    done_at: datetime | None = None
    closed_at: datetime | None = None
    policy_version: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
