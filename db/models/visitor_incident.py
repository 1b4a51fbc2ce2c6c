"""Office-visitor incidents (来访接待流程, domain-rules §20): one row per unannounced visit, graded by the policy book's
``visitor.classes``; its timeline and deadlines live in the spine's ``record_event`` and ``duty`` tables (record type
"visitor_incident"); a collective visit links the complaint the complaint intake made of it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from db.models.base import utcnow


class VisitorIncident(SQLModel, table=True):
    __tablename__ = "visitor_incident"
    __table_args__ = (
        # the list (office scope, date range, newest first) and the daily view; class/state filters ride along
        Index("ix_visitor_incident_office_arrived", "office_id", "arrived_at", "id"),
        Index("ix_visitor_incident_arrived", "arrived_at", "id"),
        Index("ix_visitor_incident_state_office", "state", "office_id", "arrived_at"),
        Index("ix_visitor_incident_class_arrived", "visit_class", "arrived_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True)  # LF-2026-000123
    office_id: int = Field(foreign_key="org_unit.id")
    visit_class: str = Field(max_length=32)  # code of a visitor.classes row
    state: str = Field(max_length=16)
    arrived_at: datetime
    visitor_name: str = Field(max_length=64)
    visitor_phone: str = Field(default="", max_length=32)
    customer_id: int | None = Field(default=None, foreign_key="customer.id")
    property_id: int | None = Field(default=None, foreign_key="property.id")
    people_count: int = 1
    representatives: int | None = None
    purpose: str = Field(sa_column=Column(Text, nullable=False))
    # who received them and when (A类: the 客服主任 within visitor.a_receive_minutes)
    received_by: int | None = Field(default=None, foreign_key="app_user.id")
    received_at: datetime | None = None
    # escalations with the time each happened
    supervisor_told_at: datetime | None = None
    director_told_at: datetime | None = None
    escalation_note: str = Field(default="", max_length=500)
    outcome: str = Field(default="", sa_column=Column(Text, nullable=False))
    resolved_at: datetime | None = None
    follow_up_needed: bool = False
    follow_up_plan: str = Field(default="", max_length=500)
    follow_up_result: str = Field(default="", max_length=500)
    report: str = Field(default="", sa_column=Column(Text, nullable=False))  # D类 书面事件报告
    reported_at: datetime | None = None
    closed_at: datetime | None = None
    complaint_id: int | None = Field(default=None, foreign_key="complaint.id")
    policy_version: int = 0
    created_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
