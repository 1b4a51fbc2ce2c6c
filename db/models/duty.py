"""Duties (时限义务, core.duties): per record and duty, when it falls due and when it was met.

Written by the process's services in the same transaction as the business write (opened, moved, met, cancelled:
``db.services.duties``) and by the hourly sweep (breaches). The compliance dashboard aggregates this table in SQL
by duty, office, responsible person and the month a duty fell due, so every column it groups or filters on is here
(no join to the process's tables): office, person and role, due and met times, state, breach flag, and the policy
version the record is judged by.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from db.models.base import utcnow

OPEN_ONLY = "state = 'open'"


class Duty(SQLModel, table=True):
    __tablename__ = "duty"
    __table_args__ = (
        # At most one open duty of a kind per record (and key): opening again moves it; met/cancelled rows stay.
        Index("ux_duty_open", "record_type", "record_id", "duty", "key", unique=True,
              sqlite_where=text(OPEN_ONLY), postgresql_where=text(OPEN_ONLY)),
        Index("ix_duty_record", "record_type", "record_id"),
        # The dashboard: a month (by due time) per office, per person; the sweep and "my work": open by due time.
        Index("ix_duty_office_due", "office_id", "due_at"),
        Index("ix_duty_person_due", "responsible_user_id", "due_at"),
        Index("ix_duty_state_due", "state", "due_at"),
        # One kind of duty company-wide (the 回访率 of a month, the office's open 通报/快报/专题报告 in "my work"),
        # answered from the index alone (0013_home_counts).
        Index("ix_duty_kind_due", "duty", "due_at", "state", "met_at", "office_id"),
        Index("ix_duty_open_kind_due", "duty", "due_at", "office_id",
              sqlite_where=text(OPEN_ONLY), postgresql_where=text(OPEN_ONLY)),
    )

    id: int | None = Field(default=None, primary_key=True)
    record_type: str = Field(max_length=32)
    record_id: int
    office_id: int = Field(foreign_key="org_unit.id")
    duty: str = Field(max_length=48)  # core.duties.DutySpec code
    key: str = Field(default="", max_length=32)  # tells apart parallel duties of one kind (a consult request's id)
    clause: str = Field(default="", max_length=200)
    policy_version: int = 0
    responsible_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    responsible_role: str = Field(default="", max_length=32)
    started_at: datetime  # when the clock started
    due_at: datetime
    met_at: datetime | None = None
    met_by: int | None = Field(default=None, foreign_key="app_user.id")
    state: str = Field(default="open", max_length=16)  # core.duties.DutyState
    breached: bool = False  # met late, or found overdue by the sweep
    breached_at: datetime | None = None
    note: str = Field(default="", max_length=200)  # why cancelled
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
