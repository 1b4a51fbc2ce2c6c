"""Office-visitor incidents (来访接待流程): intake, the detail page's data, pickers and the record form PDF.

登记 grades the visit by the policy book's ``visitor.classes``, numbers it, opens its class's deadlines as duties and,
when the group is as large as the complaint module's collective threshold, makes the collective complaint through the
complaint intake in the same transaction. The steps after it: ``visitor_incident_flow``; the lists and the daily
view: ``visitor_incident_queues``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select as core_select
from sqlmodel import select

from core import visitor_incidents as rules
from core.complaints import GRADE_LABELS
from core.complaints import STATE_LABELS as COMPLAINT_STATE_LABELS
from core.duties import STATUS_LABELS, duty_spec
from core.duties import status as duty_status
from core.errors import DomainError
from core.identity import check_phone
from core.pdf.visitor_forms import IncidentSheet, incident_form
from core.permissions import Action, Actor
from core.roles import Role
from db.models import Complaint, Customer, OrgUnit, Property, RecordEvent, User, UserRole, VisitorIncident
from db.models.base import as_utc
from db.services.base import already_done, authorize, next_number, remember
from db.services.complaint_kernel import company_name
from db.services.duties import record_duties
from db.services.policy import current_policy
from db.services.timeline import timeline
from db.services.visitor_incident_kernel import (
    ENTITY,
    RECORD_TYPE,
    load,
    make_complaint,
    open_deadlines,
    policy_for,
    record,
    situation,
    visit_class,
)
from db.session import read_session, write_session

RECEIVER_ROLES = (Role.CS_SUPERVISOR, Role.CS_MANAGER, Role.OFFICE_DIRECTOR, Role.ASSISTANT, Role.CLERK)


@dataclass(kw_only=True)
class IncidentIn:
    """What the front desk types: where, when, who and how many, the class, the matter."""

    office_id: int
    visit_class: str
    visitor_name: str
    purpose: str
    arrived_at: datetime
    people_count: int = 1
    representatives: int | None = None
    visitor_phone: str = ""
    customer_id: int | None = None
    property_id: int | None = None
    complaint_category: str | None = None  # the complaint's category when the visit becomes a (collective) complaint


def _check_references(s, data: IncidentIn) -> None:
    conn = s.connection()
    if conn.execute(core_select(OrgUnit.kind).where(OrgUnit.id == data.office_id)).scalar() != "office":
        raise DomainError("请选择管理处", field="office_id")
    if data.property_id:
        office = conn.execute(core_select(Property.office_id).where(Property.id == data.property_id)).scalar()
        if office != data.office_id:
            raise DomainError("房屋不存在或不属于所选管理处", field="property_id")
    if data.customer_id:
        office = conn.execute(core_select(Customer.office_id).where(Customer.id == data.customer_id)).scalar()
        if office != data.office_id:
            raise DomainError("客户不存在或不属于所选管理处", field="customer_id")


def register(*, actor: Actor, data: IncidentIn, request_id: str | None, now: datetime) -> VisitorIncident:
    """登记: class and script from the policy book, the class's deadlines as duties, and the collective complaint."""
    authorize(actor, Action.VISITOR_INCIDENT_CREATE, data.office_id)
    phone = check_phone(data.visitor_phone, name="来访人电话")
    with write_session() as s:
        done = already_done(s, request_id, ENTITY)
        if done:
            return s.get(VisitorIncident, int(done))
        _check_references(s, data)
        policy = current_policy(s, at=now)
        vc = rules.check_intake(rules.Intake(visit_class=data.visit_class, people_count=data.people_count,
                                             representatives=data.representatives, visitor_name=data.visitor_name,
                                             purpose=data.purpose, arrived_at=data.arrived_at), policy, now)
        group = rules.collective(int(data.people_count), policy)
        if group and not data.complaint_category:
            raise DomainError(f"{int(data.people_count)}人来访须转为集体投诉：请选择投诉分类", field="complaint_category",
                              clause=policy.cite("complaint.hot_collective"))
        year = data.arrived_at.astimezone(policy.calendar().tz).year
        row = VisitorIncident(
            number=f"LF-{year}-{next_number(s, 'LF', year):06d}", office_id=data.office_id, visit_class=vc.code,
            state=rules.State.LOGGED.value, arrived_at=data.arrived_at, visitor_name=data.visitor_name.strip()[:64],
            visitor_phone=phone, customer_id=data.customer_id, property_id=data.property_id,
            people_count=int(data.people_count), representatives=data.representatives,
            purpose=data.purpose.strip(), policy_version=policy.version, created_by=actor.user_id, created_at=now,
            updated_at=now)
        s.add(row)
        s.flush()
        note = f"登记（{vc.label}，{row.people_count}人）"
        if group:
            c = make_complaint(s, row, actor=actor, category=data.complaint_category, now=now, policy=policy)
            note += f"；{rules.collective_phrase(policy)}：{c.number}（{GRADE_LABELS.get(c.grade, c.grade)}）"
        record(s, row, actor=actor, action="register", now=now, note=note, citation=rules.C_CLASSES,
               after={"number": row.number, "visit_class": row.visit_class, "state": row.state, "people_count": row.people_count,
                      "complaint_id": row.complaint_id})
        open_deadlines(s, row, vc, policy, now)
        remember(s, request_id, ENTITY, row.id)
        return row


# ----- detail -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineLine:
    label: str
    due_at: datetime
    met_at: datetime | None
    status: str
    clause: str


@dataclass
class IncidentDetail:
    incident: VisitorIncident
    visit_class: rules.VisitClass
    office_name: str
    property_label: str
    receiver_name: str
    creator_name: str
    complaint_number: str
    complaint_state: str  # the complaint's state and class as its own module names them
    events: list[RecordEvent]
    deadlines: list[DeadlineLine]
    offered: dict[rules.Op, str | None]  # op → None when offered, else why not (with the clause)
    representatives_limit: int
    representatives_clause: str
    company: str = ""


def detail(*, actor: Actor, incident_id: int, now: datetime) -> IncidentDetail:
    with read_session() as s:
        row = load(s, actor, incident_id, Action.VISITOR_INCIDENT_VIEW, lock=False)
        policy = policy_for(s, row, now)
        vc = visit_class(policy, row)
        names = dict(s.exec(select(User.id, User.display_name).where(
            User.id.in_([u for u in (row.received_by, row.created_by) if u]))).all())
        prop = s.get(Property, row.property_id) if row.property_id else None
        c = s.get(Complaint, row.complaint_id) if row.complaint_id else None
        duties = [d for d in record_duties(s, record_type=RECORD_TYPE, record_id=row.id) if d.state != "cancelled"]
        sit = situation(row, vc)
        return IncidentDetail(
            incident=row, visit_class=vc, office_name=s.get(OrgUnit, row.office_id).name,
            property_label=prop.label if prop else "", receiver_name=names.get(row.received_by, ""),
            creator_name=names.get(row.created_by, ""), complaint_number=c.number if c else "",
            complaint_state=(f"{COMPLAINT_STATE_LABELS.get(c.state, c.state)}（{GRADE_LABELS.get(c.grade, c.grade)}投诉）"
                             if c else ""),
            events=timeline(s, record_type=RECORD_TYPE, record_id=row.id, limit=200).events,
            deadlines=[DeadlineLine(duty_spec(d.duty).label, as_utc(d.due_at), as_utc(d.met_at),
                                    STATUS_LABELS[duty_status(due_at=as_utc(d.due_at), met_at=as_utc(d.met_at),
                                                              now=now)], d.clause) for d in duties],
            offered={op: rules.refusal(op, sit) for op in rules.Op},
            representatives_limit=int(policy["visitor.b_representatives"]),
            representatives_clause=policy.cite("visitor.b_representatives"),
            company=company_name(s),
        )


def receiver_choices(*, actor: Actor, office_id: int) -> list[tuple[int, str]]:
    """Accounts of the office who may receive a visitor (客服主任 first in the policy's A类 script)."""
    authorize(actor, Action.VISITOR_INCIDENT_VIEW, office_id)
    order = {r.value: i for i, r in enumerate(RECEIVER_ROLES)}
    with read_session() as s:
        rows = s.exec(select(User.id, User.display_name, UserRole.role).join(UserRole, UserRole.user_id == User.id)
                      .where(UserRole.org_unit_id == office_id, UserRole.role.in_(list(order)),
                             User.active == True)).all()  # noqa: E712
    best: dict[int, tuple[int, str]] = {}
    for uid, name, role in rows:
        if uid not in best or order[role] < best[uid][0]:
            best[uid] = (order[role], name)
    return [(uid, name) for uid, (_, name) in sorted(best.items(), key=lambda kv: (kv[1][0], kv[1][1], kv[0]))]


def incident_pdf(*, actor: Actor, incident_id: int, now: datetime) -> bytes:
    """The incident's 来访接待登记表 / 事件记录 (A4, the company header, fields in the order §20 lists them)."""
    d = detail(actor=actor, incident_id=incident_id, now=now)
    row, vc = d.incident, d.visit_class
    with read_session() as s:
        tz = policy_for(s, row, now).calendar().tz

    def t(moment: datetime | None) -> str:
        return as_utc(moment).astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""

    told = [f"{rules.LEVEL_LABELS[lv]} {t(at)}" for lv, at in ((rules.Level.SUPERVISOR, row.supervisor_told_at),
                                                             (rules.Level.DIRECTOR, row.director_told_at)) if at]
    follow = row.follow_up_plan if row.follow_up_needed else "无需跟进"
    if row.follow_up_result:
        follow = f"{follow}；跟进结果：{row.follow_up_result}"
    sheet = IncidentSheet(
        number=row.number, office=d.office_name, arrived_at=t(row.arrived_at),
        visitor="，".join(x for x in (row.visitor_name, row.visitor_phone, d.property_label) if x),
        people=f"{row.people_count}人" + (f"（代表 {row.representatives}人）" if row.representatives else ""),
        visit_class=f"{vc.label}：{vc.definition}", purpose=row.purpose,
        received=f"{t(row.received_at)} {d.receiver_name}".strip(),
        escalations="；".join(told) + (f"（{row.escalation_note}）" if row.escalation_note else ""),
        script=vc.script, outcome=(f"{t(row.resolved_at)} {row.outcome}".strip() if row.outcome else ""),
        follow_up=follow if row.state in (rules.State.RESOLVED, rules.State.CLOSED) else "",
        report=(f"{t(row.reported_at)} {row.report}" if row.report else ""),
        complaint=f"{d.complaint_number} {d.complaint_state}".strip(),
        state=rules.STATE_LABELS[rules.State(row.state)],
        timeline=[(t(e.at), e.actor_name, e.note) for e in d.events])
    return incident_form(sheet, company=d.company, printed_at=t(now))
