"""In-app notices (no e-mail or SMS on an intranet install): 指派给我, 待我审批, 需确认的通报."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from db.models.base import utcnow


class Notice(SQLModel, table=True):
    __table_args__ = (Index("ix_notice_recipient_open", "recipient_user_id", "acked_at"),)

    id: int | None = Field(default=None, primary_key=True)
    recipient_user_id: int = Field(foreign_key="app_user.id")
    kind: str = Field(max_length=16)  # assigned | approval | report | info
    title: str = Field(max_length=200)
    body: str = Field(default="", max_length=2000)
    page: str = Field(default="", max_length=100)
    entity: str = Field(default="", max_length=64)
    entity_id: str = Field(default="", max_length=64)
    office_id: int | None = Field(default=None, foreign_key="org_unit.id")
    requires_ack: bool = False
    due_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    acked_at: datetime | None = None
    closed_at: datetime | None = None  # its matter ended (a complaint archived): no longer awaits acknowledgement
