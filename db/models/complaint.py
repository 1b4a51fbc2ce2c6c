"""Complaints (顾客投诉处理制度, docs 12–19): the complaint, its class history, consultants, callbacks, online posts
and same-issue groups; its timeline, duties and attachments live in the spine's ``record_event``, ``duty`` and
attachment tables (record type "complaint"). Codes are the English enums of core.complaints."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from db.models.base import utcnow


class SameIssueGroup(SQLModel, table=True):
    """同一事项: complaints about one issue from different complainants (热点 trigger, 投诉通报处理制度 一.2)."""

    __tablename__ = "same_issue_group"

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="org_unit.id", index=True)
    title: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    created_by: int | None = Field(default=None, foreign_key="app_user.id")


class Complaint(SQLModel, table=True):
    __table_args__ = (
        Index("ix_complaint_office_state", "office_id", "state"),
        Index("ix_complaint_office_received", "office_id", "received_at"),
        # Measured at 300,000 complaints (scripts/bench.py, migration 0003_perf_indexes): the list's order for a
        # headquarters user, the deadline queues, "my complaints", and the unconfirmed-report queue.
        Index("ix_complaint_received_id", "received_at", "id"),
        # The deadline queues and the home page's counts read only the index (0013_home_counts): 已超期 also looks at
        # handled_at (a result in time is not late), and every count is scoped by office.
        Index("ix_complaint_state_due_handled", "state", "due_at", "handled_at", "office_id"),
        Index("ix_complaint_state_callback_due", "state", "callback_due_at", "office_id"),
        # 我的投诉: a clerk creates thousands over the years; the open ones are found in the index (0.4 ms, was 24 ms)
        Index("ix_complaint_handler_state", "handler_user_id", "state", "office_id"),
        Index("ix_complaint_creator_state", "created_by", "state", "office_id"),
        Index("ix_complaint_report_open", "received_at", "id", sqlite_where=text("report_due_at IS NOT NULL AND reported_at IS NULL"),
              postgresql_where=text("report_due_at IS NOT NULL AND reported_at IS NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True, index=True)  # TS-2026-000123
    office_id: int = Field(foreign_key="org_unit.id")
    property_id: int | None = Field(default=None, foreign_key="property.id", index=True)
    building_id: int | None = Field(default=None, foreign_key="building.id", index=True)
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    anonymous: bool = False
    complainant_name: str = Field(default="", max_length=64)
    complainant_phone: str = Field(default="", max_length=32)
    contact_available: bool = True
    complainant_count: int = 1
    channel: str = Field(max_length=20)
    category: str = Field(max_length=20, index=True)
    title: str = Field(default="", max_length=100)
    description: str = Field(sa_column=Column(Text, nullable=False))
    occurred_at: datetime
    received_at: datetime
    forwarded_at: datetime | None = None  # when HQ / a hotline passed it on (intake clause of 责任划分)
    # 责任划分 二.1: when anyone of ours first had it, when the 投诉接口 should have had it (received_at is when it
    # did: the intake), and who held it in between (named when the hand-off was late)
    first_received_at: datetime | None = None
    contact_due_at: datetime | None = None
    contact_held_by: str = Field(default="", max_length=64)
    # facts the classification engine reads
    our_fault: bool = False
    lawsuit: bool = False
    media_exposed: bool = False
    media_or_lawsuit_risk: bool = False
    needs_group_help: bool = False
    sensitive: bool = False
    common_area: bool = False  # publishable (顾客投诉规范 第1条)
    resolved_on_spot: bool = False
    satisfied_on_spot: bool = False
    # class
    grade: str = Field(max_length=16, index=True)
    grade_trigger: str = Field(default="", max_length=200)
    grade_citation: str = Field(default="", max_length=200)
    grade_source: str = Field(default="rules", max_length=16)  # rules | unit_raise | hq
    rules_grade: str = Field(default="general", max_length=16)
    raised_grade: str | None = Field(default=None, max_length=16)
    hq_grade: str | None = Field(default=None, max_length=16)
    # workflow
    state: str = Field(max_length=20, index=True)
    same_issue_group_id: int | None = Field(default=None, foreign_key="same_issue_group.id", index=True)
    responsible_department_id: int | None = Field(default=None, foreign_key="department.id")
    handler_user_id: int | None = Field(default=None, foreign_key="app_user.id")  # ix_complaint_handler_state
    due_at: datetime | None = Field(default=None, index=True)
    report_due_at: datetime | None = Field(default=None, index=True)
    reported_at: datetime | None = None
    hotline_due_at: datetime | None = None
    handled_at: datetime | None = None
    handled_by: int | None = Field(default=None, foreign_key="app_user.id")
    handling_result: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    verified_at: datetime | None = None
    verified_by: int | None = Field(default=None, foreign_key="app_user.id")
    callback_required: bool = True
    callback_due_at: datetime | None = Field(default=None, index=True)
    exemption_kind: str | None = Field(default=None, max_length=20)
    exemption_reason: str = Field(default="", max_length=500)
    exempt_by: int | None = Field(default=None, foreign_key="app_user.id")
    closed_at: datetime | None = None
    reopen_count: int = 0
    repeat_of_id: int | None = Field(default=None, foreign_key="complaint.id")
    policy_version: int = 0
    created_by: int | None = Field(default=None, foreign_key="app_user.id")  # ix_complaint_creator_state
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ComplaintGradeHistory(SQLModel, table=True):
    __tablename__ = "complaint_grade_history"

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    at: datetime = Field(default_factory=utcnow)
    from_grade: str | None = Field(default=None, max_length=16)
    to_grade: str = Field(max_length=16)
    source: str = Field(max_length=16)
    trigger: str = Field(default="", max_length=200)
    reason: str = Field(default="", max_length=500)
    actor_user_id: int | None = Field(default=None, foreign_key="app_user.id")


class Consultant(SQLModel, table=True):
    """专业顾问 directory published by the HQ 客服中心 (投诉顾问支持 一.1)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64)
    speciality: str = Field(max_length=64)
    phone: str = Field(default="", max_length=32)
    email: str = Field(default="", max_length=100)
    unit: str = Field(default="", max_length=100)
    user_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    active: bool = True


class ConsultRequest(SQLModel, table=True):
    __tablename__ = "consult_request"

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    office_id: int = Field(foreign_key="org_unit.id", index=True)
    consultant_id: int = Field(foreign_key="consultant.id", index=True)
    is_temporary: bool = False
    question: str = Field(sa_column=Column(Text, nullable=False))
    requested_at: datetime
    requested_by: int | None = Field(default=None, foreign_key="app_user.id")
    due_at: datetime = Field(index=True)
    hq_asked_at: datetime | None = None  # consultant unreachable: the unit asked HQ (一.2)
    hq_forward_due_at: datetime | None = None
    hq_forwarded_at: datetime | None = None
    replied_at: datetime | None = None
    reply: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    replied_by: int | None = Field(default=None, foreign_key="app_user.id")
    final_result_notified_at: datetime | None = None


class Callback(SQLModel, table=True):
    """《投诉回访记录表》: one row per attempt; the one with a satisfaction value is the result."""

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    at: datetime
    by_user_id: int = Field(foreign_key="app_user.id")
    method: str = Field(max_length=16)
    reached: bool = True
    person_reached: str = Field(default="", max_length=64)
    satisfaction: str | None = Field(default=None, max_length=16)
    comment: str = Field(default="", max_length=1000)
    follow_up: str = Field(default="", max_length=500)
    reopened: bool = False


class OnlinePost(SQLModel, table=True):
    """网上投诉 (doc 17): where it was posted and the HQ-only public reply."""

    __tablename__ = "online_post"

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", unique=True)
    platform: str = Field(default="", max_length=64)
    url: str = Field(default="", max_length=500)
    poster_handle: str = Field(default="", max_length=64)
    posted_at: datetime | None = None
    forwarded_by_hq_at: datetime | None = None
    unit_notified_at: datetime | None = None
    viral: bool = False
    facts_due_at: datetime | None = None
    facts_at: datetime | None = None
    facts_text: str = Field(default="", max_length=2000)
    public_reply_due_at: datetime | None = None
    public_reply_at: datetime | None = None
    reply_text: str = Field(default="", max_length=2000)
    # The handling result posted on the public thread by HQ (网上投诉处理 第4条): who, when, where; needed to archive.
    result_posted_at: datetime | None = None
    result_posted_by: int | None = Field(default=None, foreign_key="app_user.id")
    result_url: str = Field(default="", max_length=500)


class ComplaintReport(SQLModel, table=True):
    """A 通报 sent for a 重大/热点 complaint, incl. "已电话通报 at …, to …" records."""

    __tablename__ = "complaint_report"

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    kind: str = Field(max_length=16)  # notice | phone | express | special
    at: datetime
    by_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    to_whom: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=2000)


class ComplaintSpecialReport(SQLModel, table=True):
    """专题报告 after closing (投诉通报处理制度 二): 重大 in three parts (A course and handling, B why it arose and
    escalated, C measures against a repeat); 热点 a brief one covering start to finish (part A only)."""

    __tablename__ = "complaint_special_report"

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    kind: str = Field(max_length=16)  # three_part | brief
    part_a: str = Field(sa_column=Column(Text, nullable=False))
    part_b: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    part_c: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    written_at: datetime
    written_by: int | None = Field(default=None, foreign_key="app_user.id")


class ComplaintFinding(SQLModel, table=True):
    """A responsibility finding (投诉顾问支持及责任划分 二) confirmed or set aside by a person, with the reason.

    The software proposes who is responsible from the missed timestamp; linking it to fines or appraisal points
    is a manual, reasoned step, so the proposal only counts once someone has confirmed it here.
    """

    __tablename__ = "complaint_finding"
    __table_args__ = (UniqueConstraint("complaint_id", "clause", "person", name="uq_complaint_finding"),)

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    clause: str = Field(max_length=16)
    person: str = Field(max_length=64)
    reason: str = Field(default="", max_length=200)
    citation: str = Field(default="", max_length=200)
    decision: str = Field(max_length=16)  # proposed (its approval request waits) | confirmed | rejected
    note: str = Field(default="", max_length=1000)
    decided_by: int | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = None  # None while proposed
