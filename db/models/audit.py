"""Audit trail (append-only), human-readable numbering and idempotency keys for form submissions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.models.base import utcnow


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"
    # The audit page filters a period and an action prefix: counted from the index alone (0003_perf_indexes).
    __table_args__ = (Index("ix_audit_log_at_action", "at", "action"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_user_id: int | None = Field(default=None, index=True)
    actor_name: str = Field(default="", max_length=64)
    action: str = Field(max_length=64, index=True)
    entity: str = Field(default="", max_length=64, index=True)
    entity_id: str = Field(default="", max_length=64)
    office_id: int | None = Field(default=None, index=True)
    summary: str = Field(default="", max_length=500)
    before_json: str | None = Field(default=None, sa_column=Column(Text))
    after_json: str | None = Field(default=None, sa_column=Column(Text))
    source: str = Field(default="", max_length=64)


class NumberSequence(SQLModel, table=True):
    """Counters for human numbers such as TS-2026-000123 (incremented inside the writing transaction)."""

    __tablename__ = "number_sequence"
    __table_args__ = (UniqueConstraint("name", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=32)
    year: int
    last_value: int = 0


class IdempotencyKey(SQLModel, table=True):
    """One row per submitted form render: a rerun or double click returns the row already written."""

    __tablename__ = "idempotency_key"

    request_id: str = Field(primary_key=True, max_length=64)
    entity: str = Field(max_length=64)
    entity_id: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
