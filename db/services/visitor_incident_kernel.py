"""The office-visitor incident kernel (来访接待流程): load with office scope, timeline + audit, the policy an incident is
judged by, its situation for the step rules, and the collective complaint made through the complaint intake.

Feature modules (``visitor_incidents`` intake/detail, ``visitor_incident_flow`` steps, ``visitor_incident_queues``
lists) import this module; it imports none of them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from core import visitor_incidents as rules
from core.complaints import Channel
from core.errors import DomainError
from core.permissions import Action, Actor
from core.policy import PolicyBook
from db.models import Complaint, VisitorIncident
from db.models.base import as_utc
from db.services import complaints as complaint_intake
from db.services.base import audit, load_scoped
from db.services.duties import cancel_duty, meet_duty, open_duty
from db.services.policy import policy_in
from db.services.timeline import record_event

ENTITY = RECORD_TYPE = rules.RECORD_TYPE.code
NOT_FOUND = "来访事件不存在或不在您的管理范围内"
COMPLAINT_CATEGORY_TABLE = complaint_intake.CATEGORIES


def policy_for(s: Session, row: VisitorIncident, now: datetime) -> PolicyBook:
    """The rules an incident is judged by: the version it was logged under, in force at ``now``."""
    return policy_in(s, at=now, version=row.policy_version)


def load(s: Session, actor: Actor, incident_id: int, action: Action, *, lock: bool = True) -> VisitorIncident:
    """The incident, locked, after checking ``action`` in its current office (another office's: audited refusal)."""
    return load_scoped(s, VisitorIncident, incident_id, actor=actor, action=action, entity=ENTITY, lock=lock,
                       missing=NOT_FOUND)


def record(s: Session, row: VisitorIncident, *, actor: Actor | None, action: str, now: datetime, note: str = "",
           from_state: str | None = None, citation: str = "", before: Any = None, after: Any = None) -> None:
    """The timeline step and the audit row, in the caller's transaction."""
    row.updated_at = now
    s.add(row)
    s.flush()
    record_event(s, record_type=RECORD_TYPE, record_id=row.id, office_id=row.office_id, actor=actor, event=action,
                 at=now, note=note, citation=citation, from_state=from_state, to_state=row.state)
    audit(s, actor=actor, action=f"visitor_incident.{action}", entity=ENTITY, entity_id=row.id,
          office_id=row.office_id, summary=f"{row.number} {note}"[:500], before=before, after=after)


def visit_class(policy: PolicyBook, row: VisitorIncident) -> rules.VisitClass:
    vc = rules.visit_class(policy, row.visit_class)
    if vc is None:  # a code no row ever had: the record predates a table it should name
        raise DomainError(f"来访分类“{row.visit_class}”不在制度参数中", clause=rules.C_CLASSES)
    return vc


def situation(row: VisitorIncident, vc: rules.VisitClass) -> rules.Situation:
    levels = frozenset(lv.value for lv, at in ((rules.Level.SUPERVISOR, row.supervisor_told_at),
                                              (rules.Level.DIRECTOR, row.director_told_at)) if at is not None)
    return rules.Situation(state=row.state, duties=vc.duties, received=row.received_at is not None, levels=levels,
                           reported=row.reported_at is not None, complaint_linked=row.complaint_id is not None)


# ----- deadlines: the spine's duty rows ----------------------------------------------------------------------


def open_deadlines(s: Session, row: VisitorIncident, vc: rules.VisitClass, policy: PolicyBook, now: datetime) -> None:
    """The class's deadlines from the visit's arrival, as duties from the first day."""
    arrived = as_utc(row.arrived_at)
    for spec, due, key in ((rules.RECEIVE, rules.receive_due(vc, arrived, policy), "visitor.a_receive_minutes"),
                           (rules.ESCALATE, rules.escalate_due(vc, arrived, policy), "visitor.a_escalate_minutes"),
                           (rules.REPORT, rules.report_due(vc, arrived, policy), "visitor.d_report")):
        if due is not None:
            open_duty(s, record_type=RECORD_TYPE, record_id=row.id, office_id=row.office_id, duty=spec.code,
                      started_at=arrived, due_at=due, now=now, policy_version=row.policy_version,
                      clause=policy.cite(key), new_record=True)


def meet(s: Session, row: VisitorIncident, spec, *, at: datetime, by: int | None) -> None:
    meet_duty(s, record_type=RECORD_TYPE, record_id=row.id, duty=spec.code, at=at, by=by)


def cancel(s: Session, row: VisitorIncident, spec, *, at: datetime, note: str) -> None:
    cancel_duty(s, record_type=RECORD_TYPE, record_id=row.id, duty=spec.code, at=at, note=note)


# ----- the collective complaint: the complaint module's own intake, in this transaction ----------------------


def make_complaint(s: Session, row: VisitorIncident, *, actor: Actor, category: str | None, now: datetime,
                   policy: PolicyBook) -> Complaint:
    """The complaint intake (``complaints.register_in``) turns the visit into a complaint: its rules class it (a group
    of ``complaint.hot_collective`` or more: 热点; ``complaint.major_collective``: 重大), number it, open its deadlines and
    send its 通报. Everything already typed goes with it; the incident keeps its number. The front desk had it from the
    visitor's arrival (责任划分 二.1: a late hand-over to the 投诉接口 names the clerk who logged it)."""
    if not category:
        raise DomainError("转为投诉须选择投诉分类", field="complaint_category",
                          clause=policy.cite("complaint.categories"))
    arrived = as_utc(row.arrived_at)
    data = complaint_intake.ComplaintIn(
        office_id=row.office_id, channel=Channel.VISIT.value, category=category,
        description=f"来访事件 {row.number}（{rules.class_label(policy, row.visit_class)}，{row.people_count}人）：{row.purpose}",
        occurred_at=arrived, received_at=max(now, arrived), first_received_at=arrived, held_by=actor.name,
        title=row.purpose[:40], property_id=row.property_id, customer_id=row.customer_id,
        complainant_name=row.visitor_name, complainant_phone=row.visitor_phone, complainant_count=row.people_count)
    c = complaint_intake.register_in(s, actor=actor, data=data, request_id=None, now=now)
    row.complaint_id = c.id
    return c
