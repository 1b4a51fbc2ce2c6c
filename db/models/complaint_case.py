"""顾客投诉案例库: one anonymised write-up per closed complaint, from draft to publication by headquarters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from db.models.base import utcnow


def _text() -> Column:
    return Column(Text, nullable=False, server_default="")


class ComplaintCase(SQLModel, table=True):
    __tablename__ = "complaint_case"
    __table_args__ = (
        Index("ix_complaint_case_state_published", "state", "published_at"),  # the library, newest first
        Index("ix_complaint_case_office_state", "office_id", "state"),  # an office's cases and its home count
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True)  # AL-2026-0001
    complaint_id: int = Field(foreign_key="complaint.id", unique=True)
    office_id: int = Field(foreign_key="org_unit.id")
    grade: str = Field(max_length=16)  # the complaint's class when the case was written
    category: str = Field(max_length=20)  # complaint.categories code
    state: str = Field(default="draft", max_length=16)  # core.complaint_cases.CaseState
    summary: str = Field(default="", sa_column=_text())
    cause: str = Field(default="", sa_column=_text())
    handling: str = Field(default="", sa_column=_text())
    result: str = Field(default="", sa_column=_text())
    lessons: str = Field(default="", sa_column=_text())
    prevention: str = Field(default="", sa_column=_text())
    tags: str = Field(default="", max_length=200)  # ",tag1,tag2," (core.complaint_cases.stored_tags)
    created_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    submitted_at: datetime | None = None
    submitted_by: int | None = Field(default=None, foreign_key="app_user.id")
    published_at: datetime | None = None
    published_by: int | None = Field(default=None, foreign_key="app_user.id")
    return_reason: str = Field(default="", max_length=500)
