"""The record timeline (时间线): every step of any business record, in order, for any record type.

One table for every process: a row names its record by type code (``core.registry.RecordType``) and id, carries
the record's office (scope), who did it, the event code, the state before and after when the step moved the
record, a note and the clause followed. The full before/after values of a change live in the audit row written
with it (``db.audit``); the timeline is what a clerk reads on the record's page and what a PDF prints.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from db.models.base import utcnow


class RecordEvent(SQLModel, table=True):
    __tablename__ = "record_event"
    # The only reader is one record's timeline, in order (and "this record's events of kind X since T").
    __table_args__ = (Index("ix_record_event_record", "record_type", "record_id", "at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    record_type: str = Field(max_length=32)
    record_id: int
    office_id: int | None = Field(default=None, foreign_key="org_unit.id")
    at: datetime = Field(default_factory=utcnow)
    actor_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    actor_name: str = Field(default="", max_length=64)
    event: str = Field(max_length=32)
    from_state: str | None = Field(default=None, max_length=32)
    to_state: str | None = Field(default=None, max_length=32)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    citation: str = Field(default="", max_length=200)
