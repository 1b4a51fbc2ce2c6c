"""Policy-book overrides (each row is one version) and the editable holiday calendar."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from db.models.base import utcnow


class PolicyChange(SQLModel, table=True):
    __tablename__ = "policy_change"

    id: int | None = Field(default=None, primary_key=True)  # the policy version number
    key: str = Field(max_length=64, index=True)
    value_json: str = Field(sa_column=Column(Text, nullable=False))
    effective_from: datetime
    reason: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    created_by: int | None = Field(default=None, foreign_key="app_user.id")


class PolicyHoliday(SQLModel, table=True):
    __tablename__ = "policy_holiday"

    day: date = Field(primary_key=True)
    kind: str = Field(max_length=16)  # holiday | workday
    name: str = Field(default="", max_length=32)


class PolicyRevision(SQLModel, table=True):
    """One row (id 1): bumped by database triggers on every insert, update and delete of ``policy_change`` and
    ``policy_holiday`` (0009_policy_revision), whoever writes. ``instance`` is a random token written when the row
    is created, so a database rebuilt under the same URL never matches a cache filled from the old one."""

    __tablename__ = "policy_revision"

    id: int = Field(default=1, primary_key=True)
    instance: str = Field(max_length=32)
    revision: int = Field(default=0)
