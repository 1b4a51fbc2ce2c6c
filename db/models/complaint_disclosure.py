"""投诉公示: one task per 管理处 and month (the complaints of that month to publish) and the publications made."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from db.models.base import utcnow


class ComplaintDisclosure(SQLModel, table=True):
    __tablename__ = "complaint_disclosure"
    __table_args__ = (UniqueConstraint("office_id", "month", name="uq_complaint_disclosure_office_month"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="org_unit.id")  # uq_complaint_disclosure_office_month leads with it
    month: date = Field(index=True)  # the first day of the month whose complaints are published
    state: str = Field(default="pending", max_length=16)  # core.complaint_disclosure.TaskState
    complaints: int = 0  # publishable complaints of the month when the task was opened
    required: int = 1  # publications owed (complaint.publication_per_month in force then)
    publications: int = 0
    due_at: datetime
    policy_version: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ComplaintPublication(SQLModel, table=True):
    """One publication: when, where, the link or (attachments) the photo of the notice."""

    __tablename__ = "complaint_publication"

    id: int | None = Field(default=None, primary_key=True)
    disclosure_id: int = Field(foreign_key="complaint_disclosure.id", index=True)
    office_id: int = Field(foreign_key="org_unit.id")
    published_on: date
    channel: str = Field(max_length=20)  # core.complaint_disclosure.CHANNELS
    link: str = Field(default="", max_length=300)
    note: str = Field(default="", max_length=300)
    created_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow)
