"""The office-visitor incident's steps (来访接待流程): 接待, 上报, 处理结果, 书面报告, 转为投诉, 跟进结案.

Every step: load the incident with office scope (locked) → ``rules.require(op)`` → check the other inputs → write the
fields, meet or cancel its duties, the timeline step and the audit row — one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session

from core import visitor_incidents as rules
from core.complaints import GRADE_LABELS
from core.errors import DomainError
from core.permissions import Action, Actor
from core.policy import PolicyBook
from db.models import UserRole, VisitorIncident
from db.models.base import as_utc
from db.services.visitor_incident_kernel import (
    cancel,
    load,
    make_complaint,
    meet,
    policy_for,
    record,
    situation,
    visit_class,
)
from db.session import write_session

Apply = Callable[[Session, VisitorIncident, rules.VisitClass, PolicyBook], tuple[str, str]]


def _step(*, actor: Actor, incident_id: int, op: rules.Op, action: Action, now: datetime, apply: Apply) -> VisitorIncident:
    with write_session() as s:
        row = load(s, actor, incident_id, action)
        policy = policy_for(s, row, now)
        vc = visit_class(policy, row)
        rules.require(op, situation(row, vc))
        before = row.state
        note, citation = apply(s, row, vc, policy)
        row.state = rules.next_state(op, row.state).value
        record(s, row, actor=actor, action=op.value, now=now, note=note, citation=citation, from_state=before,
               before={"state": before}, after={"state": row.state})
        return row


def receive(*, actor: Actor, incident_id: int, receiver_user_id: int, at: datetime, now: datetime) -> VisitorIncident:
    """Who received the visitor, and when (A类: meets the 客服主任's receiving deadline)."""

    def apply(s, row, vc, policy):
        rules.check_moment(at, arrived_at=as_utc(row.arrived_at), now=now, what="接待时间")
        works_here = s.connection().execute(UserRole.__table__.select().where(
            UserRole.user_id == receiver_user_id, UserRole.org_unit_id == row.office_id)).first()
        if works_here is None:
            raise DomainError("接待人须是本管理处的员工", field="receiver_user_id")
        row.received_by, row.received_at = receiver_user_id, at
        meet(s, row, rules.RECEIVE, at=at, by=receiver_user_id)
        return "接待", (policy.cite("visitor.a_receive_minutes") if "receive" in vc.duties else rules.C_FLOW)

    return _step(actor=actor, incident_id=incident_id, op=rules.Op.RECEIVE, action=Action.VISITOR_INCIDENT_HANDLE,
                 now=now, apply=apply)


def escalate(*, actor: Actor, incident_id: int, level: str, at: datetime, note: str, now: datetime) -> VisitorIncident:
    """上报客服主任 or 管理处主任, with the time it happened (A类: the 管理处主任 meets the escalation deadline)."""

    def apply(s, row, vc, policy):
        if level not in rules.Level._value2member_map_:
            raise DomainError("请选择上报对象", field="level")
        lv = rules.Level(level)
        column = "supervisor_told_at" if lv is rules.Level.SUPERVISOR else "director_told_at"
        if getattr(row, column) is not None:
            raise DomainError(f"已上报{rules.LEVEL_LABELS[lv]}", field="level")
        rules.check_moment(at, arrived_at=as_utc(row.arrived_at), now=now, what="上报时间")
        setattr(row, column, at)
        text = (note or "").strip()[:200]
        if text:
            row.escalation_note = "；".join(x for x in (row.escalation_note, text) if x)[:500]
        if lv is rules.Level.DIRECTOR:
            meet(s, row, rules.ESCALATE, at=at, by=actor.user_id)
        clause = policy.cite("visitor.a_escalate_minutes") if "escalate" in vc.duties else rules.C_FLOW
        return f"上报{rules.LEVEL_LABELS[lv]}" + (f"：{text}" if text else ""), clause

    return _step(actor=actor, incident_id=incident_id, op=rules.Op.ESCALATE, action=Action.VISITOR_INCIDENT_HANDLE,
                 now=now, apply=apply)


def resolve(*, actor: Actor, incident_id: int, outcome: str, at: datetime, follow_up_needed: bool,
            follow_up_plan: str, now: datetime) -> VisitorIncident:
    """处理结果: the visit calmed or handled. Calmed before the escalation deadline: the 管理处主任 need not be told."""

    def apply(s, row, vc, policy):
        text = rules.check_text(outcome, what="处理结果", field="outcome")
        rules.check_moment(at, arrived_at=as_utc(row.arrived_at), now=now, what="处理时间")
        plan = (follow_up_plan or "").strip()
        if follow_up_needed and not plan:
            raise DomainError("需要跟进时请填写跟进安排", field="follow_up_plan")
        row.outcome, row.resolved_at = text, at
        row.follow_up_needed, row.follow_up_plan = bool(follow_up_needed), plan[:500] if follow_up_needed else ""
        due = rules.escalate_due(vc, as_utc(row.arrived_at), policy)
        if row.director_told_at is None and rules.calmed_in_time(resolved_at=at, escalate_due_at=due):
            cancel(s, row, rules.ESCALATE, at=now, note="限时内已平息，无需上报管理处主任")
        return f"处理结果：{text}", rules.C_FLOW

    return _step(actor=actor, incident_id=incident_id, op=rules.Op.RESOLVE, action=Action.VISITOR_INCIDENT_HANDLE,
                 now=now, apply=apply)


def file_report(*, actor: Actor, incident_id: int, report: str, at: datetime, now: datetime) -> VisitorIncident:
    """D类 书面事件报告 (meets its deadline, visitor.d_report)."""

    def apply(s, row, vc, policy):
        text = rules.check_text(report, what="书面事件报告", field="report", limit=4000)
        rules.check_moment(at, arrived_at=as_utc(row.arrived_at), now=now, what="报告时间")
        row.report, row.reported_at = text, at
        meet(s, row, rules.REPORT, at=at, by=actor.user_id)
        return "提交书面事件报告", policy.cite("visitor.d_report")

    return _step(actor=actor, incident_id=incident_id, op=rules.Op.REPORT, action=Action.VISITOR_INCIDENT_HANDLE,
                 now=now, apply=apply)


def convert_to_complaint(*, actor: Actor, incident_id: int, category: str, now: datetime) -> VisitorIncident:
    """转为投诉 (an A-class complaint in person, or a group logged below the threshold): the complaint intake decides
    its class; the incident shows the complaint's number and state from then on."""

    def apply(s, row, vc, policy):
        c = make_complaint(s, row, actor=actor, category=category, now=now, policy=policy)
        return f"转为投诉 {c.number}（{GRADE_LABELS.get(c.grade, c.grade)}：{c.grade_trigger}）", c.grade_citation

    return _step(actor=actor, incident_id=incident_id, op=rules.Op.CONVERT, action=Action.VISITOR_INCIDENT_HANDLE,
                 now=now, apply=apply)


def close(*, actor: Actor, incident_id: int, follow_up_result: str, now: datetime) -> VisitorIncident:
    """跟进结案 by the 客服主任 or above: the follow-up's result when one was needed."""

    def apply(s, row, vc, policy):
        text = (follow_up_result or "").strip()
        if row.follow_up_needed and not text:
            raise DomainError("请填写跟进结果", field="follow_up_result")
        row.follow_up_result, row.closed_at = text[:500], now
        return "跟进结案" + (f"：{text}" if text else ""), rules.C_FLOW

    return _step(actor=actor, incident_id=incident_id, op=rules.Op.CLOSE, action=Action.VISITOR_INCIDENT_CLOSE,
                 now=now, apply=apply)
