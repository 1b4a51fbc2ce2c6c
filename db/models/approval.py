"""Approval requests and their decisions (审批, core.approvals): one request per record, one row per action on it.

The request names its record by type code and id (core.registry.RecordType), carries the record's office (office
scope is checked on it), the state and the step waiting, and the chain it was submitted under (a later change of
the policy book's ``approval.chains`` does not move a request already in flight). ``step_roles`` holds the current
step's roles as ``,office_director,hq_head,`` so the 待我审批 inbox filters by role in SQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.models.base import utcnow


class ApprovalRequest(SQLModel, table=True):
    __tablename__ = "approval_request"
    __table_args__ = (
        UniqueConstraint("record_type", "record_id", name="uq_approval_request_record"),
        # the inbox: requests waiting (state) in my offices, oldest first
        Index("ix_approval_request_state_office", "state", "office_id", "submitted_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    record_type: str = Field(max_length=32)
    record_id: int
    page_id: int | None = None  # the id the record type's page opens (?id=): e.g. the complaint of a finding
    office_id: int = Field(foreign_key="org_unit.id", index=True)
    title: str = Field(default="", max_length=200)
    state: str = Field(max_length=16)
    step: int = 0
    step_roles: str = Field(default="", max_length=200)
    chain_json: str = Field(sa_column=Column(Text, nullable=False))
    submitted_by: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    created_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow)
    submitted_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None


class ApprovalDecision(SQLModel, table=True):
    """One action on a request: submit, approve, reject or revise; who, as deputy for whom, the comment and clause."""

    __tablename__ = "approval_decision"

    id: int | None = Field(default=None, primary_key=True)
    approval_id: int = Field(foreign_key="approval_request.id", index=True)
    step: int = 0
    decision: str = Field(max_length=16)
    from_state: str = Field(max_length=16)
    to_state: str = Field(max_length=16)
    actor_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    actor_name: str = Field(default="", max_length=64)
    on_behalf_of: int | None = Field(default=None, foreign_key="app_user.id")  # the absent approver a deputy acted for
    on_behalf_name: str = Field(default="", max_length=64)
    comment: str = Field(default="", max_length=1000)
    clause: str = Field(default="", max_length=200)
    at: datetime
