"""《顾客投诉分类统计表》: one report per 管理处 and month, and each submitted version frozen as it was sent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.models.base import utcnow


class ComplaintStatsReport(SQLModel, table=True):
    """The month's table of one 管理处: opened when the month is over (its 报送 duty starts then), submitted, and
    possibly returned by headquarters for correction and submitted again (``version`` counts the submissions)."""

    __tablename__ = "complaint_stats_report"
    __table_args__ = (UniqueConstraint("office_id", "month", name="uq_complaint_stats_office_month"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="org_unit.id")  # uq_complaint_stats_office_month leads with it
    month: date = Field(index=True)  # the first day of the month counted
    state: str = Field(default="pending", max_length=16)  # core.complaint_stats.ReportState
    version: int = 0  # submitted versions so far
    due_at: datetime
    first_submitted_at: datetime | None = None  # judges the 报送 duty (a correction does not make it late)
    submitted_at: datetime | None = None
    submitted_by: int | None = Field(default=None, foreign_key="app_user.id")
    policy_version: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ComplaintStatsVersion(SQLModel, table=True):
    """A submitted table as it was sent: later edits of complaints do not change it; a returned one stays."""

    __tablename__ = "complaint_stats_version"
    __table_args__ = (UniqueConstraint("report_id", "version", name="uq_complaint_stats_version"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="complaint_stats_report.id")  # uq_complaint_stats_version leads with it
    version: int
    rows_json: str = Field(sa_column=Column(Text, nullable=False))  # core.complaint_stats.to_json
    submitted_at: datetime
    submitted_by: int | None = Field(default=None, foreign_key="app_user.id")
    returned_at: datetime | None = None
    returned_by: int | None = Field(default=None, foreign_key="app_user.id")
    return_reason: str = Field(default="", max_length=500)
