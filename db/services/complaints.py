"""Complaint intake and the detail page's data (顾客投诉处理制度, docs 12–14).

受理登记 numbers the complaint, classifies it by the rules in force, sets its deadlines and sends the 通报 for
重大/热点 at once, in one transaction with its online-post record and attachments. The kernel
(``complaint_kernel``) holds what every complaint feature shares; the other features have a module each (the
lists, queues and home-page counts: ``complaint_queues``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, or_
from sqlalchemy import select as core_select
from sqlmodel import Session, select

from core import complaint_duties as duty
from core import complaints as rules
from core.complaint_facts import ComplaintFacts, fact_values
from core.complaints import State
from core.duties import STATUS_LABELS, duty_spec
from core.duties import status as duty_status
from core.errors import DomainError
from core.permissions import Action, Actor
from core.policy import PolicyBook
from core.roles import ROLE_LABELS, Role
from db.models import (
    Callback,
    Complaint,
    ComplaintGradeHistory,
    ComplaintReport,
    Consultant,
    ConsultRequest,
    Customer,
    Department,
    Notice,
    OnlinePost,
    OrgUnit,
    Property,
    RecordEvent,
    SameIssueGroup,
    User,
    UserRole,
)
from db.models.base import as_utc
from db.orm_adapter import FastConstructor, insert_as_loaded
from db.services import attachments
from db.services.attachments import AttachmentInfo
from db.services.base import already_done, authorize, next_number, remember
from db.services.complaint_attachments import RECORD_TYPE as ATTACHMENTS
from db.services.complaint_kernel import (
    ENTITY,
    RECORD_TYPE,
    company_name,
    facts_of,
    policy_for,
    record,
    record_grade,
    send_reports,
    set_deadline,
    track_express,
    user_names,
    visible,
)
from db.services.complaint_online import apply_online_post
from db.services.complaint_reports import ReportStatus, report_status_in
from db.services.duties import record_duties
from db.services.policy import current_policy
from db.services.timeline import timeline
from db.session import read_session, write_session

TIMELINE_LIMIT = 500  # a complaint's page shows its newest steps; a long-running 重大 one may have hundreds
HANDLER_ROLES = {Role.CLERK, Role.ASSISTANT, Role.CS_SUPERVISOR, Role.CS_MANAGER, Role.OFFICE_DIRECTOR}


@dataclass(kw_only=True)
class ComplaintIn(ComplaintFacts):
    """An intake: who, where, what, when, the facts (core.complaint_facts) and what comes with it."""

    office_id: int
    channel: str
    category: str
    description: str
    occurred_at: datetime
    received_at: datetime | None = None
    title: str = ""
    property_id: int | None = None
    customer_id: int | None = None
    anonymous: bool = False
    complainant_name: str = ""
    complainant_phone: str = ""
    same_issue_group_id: int | None = None
    forwarded_at: datetime | None = None
    # 责任划分 二.1: when someone of ours first had it (a guard, another department …), if before the intake, and
    # who held it; a hand-off later than complaint.contact_within needs the holder's name
    first_received_at: datetime | None = None
    held_by: str = ""
    repeat_of_id: int | None = None
    online: OnlineIn | None = None  # 网上投诉 (channel "online"): where it was posted
    attachments: list[tuple[str, bytes]] = field(default_factory=list)  # (file name, content) from the uploader


@dataclass
class OnlineIn:
    """网上投诉处理 第1–2条: the post, and when the HQ 客服中心 forwarded it (the facts deadline runs from then)."""

    platform: str
    url: str = ""
    poster_handle: str = ""
    posted_at: datetime | None = None
    forwarded_by_hq_at: datetime | None = None
    viral: bool = False


# ----- intake -------------------------------------------------------------------------------------

CATEGORIES = "complaint.categories"  # the policy book's table of intake categories
_OFFICE_KIND = core_select(OrgUnit.kind).where(OrgUnit.id == bindparam("id"))
_new_complaint = FastConstructor(Complaint)


def _validate(data: ComplaintIn, now: datetime) -> None:
    if data.channel not in rules.Channel._value2member_map_:
        raise DomainError("请选择投诉渠道", field="channel")
    if not (data.description or "").strip():
        raise DomainError("请填写投诉内容", field="description")
    if len(data.description) > 4000:
        raise DomainError("投诉内容最多 4000 字", field="description")
    if data.occurred_at.tzinfo is None or (data.received_at and data.received_at.tzinfo is None):
        raise DomainError("时间缺少时区")
    if data.occurred_at > now + timedelta(minutes=5):
        raise DomainError("发生时间不能晚于现在", field="occurred_at")
    if not 1 <= int(data.complainant_count) <= 10000:
        raise DomainError("投诉人数应在 1 到 10000 之间", field="complainant_count")
    if not data.anonymous and not (data.complainant_name or "").strip() and not data.customer_id:
        raise DomainError("请填写投诉人姓名，或勾选“匿名投诉”", field="complainant_name")
    if data.satisfied_on_spot and not data.resolved_on_spot:
        raise DomainError("只有当场解决的投诉才能记录“当场确认满意”", field="satisfied_on_spot")
    first = data.first_received_at
    if first is not None and (first.tzinfo is None or first > (data.received_at or now)):
        raise DomainError("首次接到时间不能晚于受理时间", field="first_received_at", clause=rules.cite("D12", "二.1"))


def register(*, actor: Actor, data: ComplaintIn, request_id: str | None, now: datetime) -> Complaint:
    """受理登记: number, class by the rules in force, deadlines, and 通报 for 重大/热点. Idempotent per form render.

    Attachments and the online-post record are written in the same transaction. Other processes (reception
    register, home visits) call this to turn a contact into a complaint.
    """
    authorize(actor, Action.COMPLAINT_CREATE, data.office_id)
    _validate(data, now)
    files = (attachments.check_files(data.attachments, record_type=ATTACHMENTS, now=now)  # CPU: before the lock
             if data.attachments else [])
    with write_session() as s:
        return register_in(s, actor=actor, data=data, request_id=request_id, now=now, files=files)


def register_in(s: Session, *, actor: Actor, data: ComplaintIn, request_id: str | None, now: datetime,
                files: list | None = None) -> Complaint:
    """``register`` inside the caller's transaction: another process turns its record into a complaint together with
    its own write (an office-visitor incident's collective complaint), so both are saved or neither."""
    if files is None:  # called by another process: its checks here, inside its transaction
        authorize(actor, Action.COMPLAINT_CREATE, data.office_id, in_transaction=True)
        _validate(data, now)
        files = []
    done = already_done(s, request_id, ENTITY)
    if done:
        return s.get(Complaint, int(done))
    building_id = _check_references(s, data)
    policy = current_policy(s, at=now)
    category = policy.row(CATEGORIES, data.category) if isinstance(data.category, str) else None
    if category is None or not category["active"]:  # the active rows of the policy book's table
        raise DomainError("请选择投诉分类", field="category")
    c = _new_from_intake(s, actor, data, building_id=building_id, policy=policy, now=now)
    explanation = _classify_new(s, c, policy, now)
    _insert_with_history(s, c, actor=actor, explanation=explanation, category=category["label"], now=now)
    _open_deadlines(s, c, policy, now)
    if data.online is not None:
        _register_online(s, c, data.online, actor=actor, now=now)
    attachments.store(s, record_type=ATTACHMENTS, record=c, files=files, actor=actor, now=now)
    if c.report_due_at and not s.exec(select(ComplaintReport.id).where(ComplaintReport.complaint_id == c.id)).first():
        send_reports(s, c, now=now)
    remember(s, request_id, ENTITY, c.id)
    return c


def _check_references(s: Session, data: ComplaintIn) -> int | None:
    """The office, property, customer and same-issue group belong together; returns the property's building.

    The checks read columns, not objects (each whole-object load cost more than its query; issue 5).
    """
    conn = s.connection()
    if conn.execute(_OFFICE_KIND, {"id": data.office_id}).scalar() != "office":
        raise DomainError("请选择管理处", field="office_id")
    building_id = None
    if data.property_id:
        prop = conn.execute(core_select(Property.office_id, Property.building_id)
                            .where(Property.id == data.property_id)).first()
        if prop is None or prop.office_id != data.office_id:
            raise DomainError("房屋不属于所选管理处", field="property_id")
        building_id = prop.building_id
    if data.customer_id:
        cust = conn.execute(core_select(Customer.office_id).where(Customer.id == data.customer_id)).first()
        if cust is None or cust.office_id != data.office_id:
            raise DomainError("客户不属于所选管理处", field="customer_id")
    if data.repeat_of_id:  # 二次投诉: of a complaint of this office already handled (一.3 "处理结案后")
        earlier = conn.execute(core_select(Complaint.office_id, Complaint.state)
                               .where(Complaint.id == data.repeat_of_id)).first()
        if earlier is None or earlier.office_id != data.office_id or State(earlier.state) in rules.OPEN_STATES:
            raise DomainError("二次投诉须关联本管理处已处理结案的投诉", field="repeat_of_id",
                              clause=rules.cite("D14", "一.3"))
    if data.same_issue_group_id:
        group = conn.execute(core_select(SameIssueGroup.office_id)
                             .where(SameIssueGroup.id == data.same_issue_group_id)).first()
        if group is None or group.office_id != data.office_id:
            raise DomainError("同一事项分组不存在", field="same_issue_group_id")
    return building_id


def _new_from_intake(s: Session, actor: Actor, data: ComplaintIn, *, building_id: int | None, policy: PolicyBook,
                     now: datetime) -> Complaint:
    """The new complaint's values: its number from the year's sequence, the intake's facts, the policy version."""
    received = data.received_at or now
    first = data.first_received_at or data.forwarded_at or received
    contact_due = rules.contact_due(first, policy)
    held_by = (data.held_by or "").strip()[:64]
    if received > contact_due and not held_by:
        raise DomainError(f"投诉接口晚于时限收到该投诉（应在 {contact_due.astimezone(policy.calendar().tz):%Y-%m-%d %H:%M} "
                          "前收到），请填写延误的经手人", field="held_by", clause=policy.cite("complaint.contact_within"))
    year = received.astimezone(policy.calendar().tz).year
    facts = fact_values(data)
    facts["complainant_count"] = int(data.complainant_count)
    facts["contact_available"] = bool(data.contact_available and not data.anonymous)
    # a complaint through the media, or an online post that drew wide attention, is 媒体曝光 (一.1 "外部网站")
    facts["media_exposed"] = bool(data.media_exposed or rules.media_exposure(data.channel, data.online is not None
                                                                             and data.online.viral))
    return _new_complaint(
        number=f"TS-{year}-{next_number(s, 'TS', year):06d}", office_id=data.office_id, property_id=data.property_id,
        building_id=building_id, customer_id=data.customer_id, anonymous=data.anonymous,
        complainant_name="" if data.anonymous else data.complainant_name.strip()[:64],
        complainant_phone="" if data.anonymous else data.complainant_phone.strip()[:32],
        channel=data.channel, category=data.category, title=(data.title or data.description[:40]).strip()[:100],
        description=data.description.strip(), occurred_at=data.occurred_at, received_at=received,
        forwarded_at=data.forwarded_at, first_received_at=data.first_received_at, contact_due_at=contact_due,
        contact_held_by=held_by, same_issue_group_id=data.same_issue_group_id, repeat_of_id=data.repeat_of_id,
        grade="general", state=State.RECEIVED.value, policy_version=policy.version,
        hotline_due_at=rules.hotline_due(data.channel, received, policy), created_by=actor.user_id,
        created_at=now, updated_at=now, **facts,
    )


def _classify_new(s: Session, c: Complaint, policy: PolicyBook, now: datetime) -> str:
    """Class, trigger and deadlines by the rules in force; returns the explanation for the timeline."""
    result = rules.classify(facts_of(s, c, policy, now), policy)
    c.grade = c.rules_grade = result.grade.value
    c.grade_trigger, c.grade_citation = result.trigger_label[:200], result.citation[:200]
    c.due_at = rules.handling_due(result.grade, c.received_at, policy)
    c.report_due_at = rules.report_due(result.grade, now, policy)
    return result.explanation


def _insert_with_history(s: Session, c: Complaint, *, actor: Actor, explanation: str, category: str,
                         now: datetime) -> None:
    """The row (a plain INSERT: the write path is benchmark-critical), its first class history row and event."""
    insert_as_loaded(s, c)
    record_grade(s, c, at=now, from_grade=None, source="rules", actor=actor)
    record(s, c, actor=actor, action="register", now=now, citation=c.grade_citation,
           note=f"受理登记（{rules.CHANNEL_LABELS[rules.Channel(c.channel)]}，"
                f"{category}）；类别：{explanation}",
           after={"number": c.number, "grade": c.grade, "state": c.state})


def _open_deadlines(s: Session, c: Complaint, policy: PolicyBook, now: datetime) -> None:
    """The new complaint's duty rows (plain INSERTs); its deadline columns went in with its own INSERT, equal."""
    received = as_utc(c.received_at)
    set_deadline(s, c, duty.HANDLE.code, c.due_at, now=now, started_at=received, new_record=True,
                 clause=policy.cite(f"complaint.due_{c.grade}"))
    if c.report_due_at is not None:
        set_deadline(s, c, duty.REPORT.code, c.report_due_at, now=now, new_record=True)
    if c.hotline_due_at is not None:
        set_deadline(s, c, duty.HOTLINE.code, c.hotline_due_at, now=now, started_at=received, new_record=True,
                     clause=policy.cite("complaint.hotline_reply"))
    track_express(s, c, policy, now=now, new_record=True)


def _register_online(s: Session, c: Complaint, o: OnlineIn, *, actor: Actor, now: datetime) -> None:
    """网上投诉: the post's record (a viral post was classed as 媒体曝光 with the intake's facts)."""
    apply_online_post(s, c, OnlinePost(complaint_id=c.id), platform=o.platform, url=o.url,
                      poster_handle=o.poster_handle, posted_at=o.posted_at, forwarded_by_hq_at=o.forwarded_by_hq_at,
                      viral=o.viral, now=now)


# ----- lists and detail ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineLine:
    """One deadline of the complaint as the header shows it: what, by when, done when, judged now, under which
    clause or company setting (the duty rows: handling, 12345/住建 reply, 通报, callback …)."""

    label: str
    due_at: datetime
    met_at: datetime | None
    status: str
    clause: str


def _latest_duties(s: Session, c: Complaint) -> dict:
    latest = {}
    for d in record_duties(s, record_type=RECORD_TYPE, record_id=c.id):
        if d.key == "":  # the complaint's own duties (consult requests show in their tab)
            latest[d.duty] = d if d.duty not in latest or d.id > latest[d.duty].id else latest[d.duty]
    return latest


def _deadlines(latest: dict, now: datetime) -> list[DeadlineLine]:
    return [DeadlineLine(duty_spec(d.duty).label, as_utc(d.due_at), as_utc(d.met_at),
                         STATUS_LABELS[duty_status(due_at=as_utc(d.due_at), met_at=as_utc(d.met_at), now=now,
                                                   cancelled=d.state == "cancelled")], d.clause)
            for d in sorted(latest.values(), key=lambda d: d.due_at) if d.state != "cancelled"]


@dataclass
class Detail:
    complaint: Complaint
    office_name: str
    property_label: str
    handler_name: str
    department_name: str
    events: list[RecordEvent]  # the newest TIMELINE_LIMIT steps, oldest first
    grades: list[ComplaintGradeHistory]
    consults: list[tuple[ConsultRequest, str]]
    callbacks: list[tuple[Callback, str]]
    reports: list[ComplaintReport]
    online: OnlinePost | None
    attachments: list[AttachmentInfo]  # metadata only: a file's bytes are read when it is opened
    group_title: str
    classification: rules.Classification
    user_names: dict[int, str] = field(default_factory=dict)
    awaiting_my_ack: bool = False  # the viewer has an unacknowledged 通报 notice for this complaint
    company: str = ""  # printed on the complaint's forms (the company unit's name, master data)
    failed_attempts: int = 0  # callback attempts since verification that did not reach the customer (投诉回访 第4条)
    deadlines: list[DeadlineLine] = field(default_factory=list)
    report_pending: bool = False  # core.complaints.report_pending: the 须立即通报 call to act (not once archived)
    # The latest verification and callback deadline, kept for the 回访记录表 after a reopen clears the columns.
    last_verified_at: datetime | None = None
    last_verified_by: str = ""
    last_callback_due_at: datetime | None = None
    # when the "我方原因未解决" clock of the age triggers started: (label, moment, clause) (policy book, 一.1/一.2)
    age_clock: tuple[str, datetime, str] | None = None
    report: ReportStatus | None = None  # the 通报 of its class: sent when and to whom; acknowledged apart


def detail(*, actor: Actor, complaint_id: int, now: datetime) -> Detail:
    with read_session() as s:
        c = visible(s, actor, complaint_id)
        policy = policy_for(s, c, now)
        callbacks = list(s.exec(select(Callback).where(Callback.complaint_id == c.id)
                                .order_by(Callback.at, Callback.id)).all())
        # Only the people the screen and its forms name (was every account: issue 9 §5).
        online = s.exec(select(OnlinePost).where(OnlinePost.complaint_id == c.id)).first()
        users = user_names(s, [c.handler_user_id, c.verified_by, c.exempt_by, *(cb.by_user_id for cb in callbacks),
                               online.result_posted_by if online else None])
        prop = s.get(Property, c.property_id) if c.property_id else None
        dept = s.get(Department, c.responsible_department_id) if c.responsible_department_id else None
        group = s.get(SameIssueGroup, c.same_issue_group_id) if c.same_issue_group_id else None
        sent = list(s.exec(select(ComplaintReport).where(ComplaintReport.complaint_id == c.id)
                           .order_by(ComplaintReport.at)).all())
        consults = s.exec(select(ConsultRequest, Consultant.name).join(Consultant)
                          .where(ConsultRequest.complaint_id == c.id).order_by(ConsultRequest.id)).all()
        events = timeline(s, record_type=RECORD_TYPE, record_id=c.id, limit=TIMELINE_LIMIT).events
        verified = next((e for e in reversed(events) if e.event == "verify"), None)
        duties = _latest_duties(s, c)
        callback_duty = duties.get(duty.CALLBACK.code)
        return Detail(
            complaint=c, office_name=s.get(OrgUnit, c.office_id).name, property_label=prop.label if prop else "",
            handler_name=users.get(c.handler_user_id, ""), department_name=dept.name if dept else "",
            events=events,
            grades=list(s.exec(select(ComplaintGradeHistory).where(ComplaintGradeHistory.complaint_id == c.id)
                               .order_by(ComplaintGradeHistory.id)).all()),
            consults=[(r, n) for r, n in consults],
            callbacks=[(cb, users.get(cb.by_user_id, "")) for cb in callbacks],
            reports=sent,
            online=online,
            attachments=attachments.listed(s, ATTACHMENTS, c.id),
            group_title=group.title if group else "",
            classification=rules.classify(facts_of(s, c, policy, now), policy),
            user_names=users,
            awaiting_my_ack=s.exec(select(Notice.id).where(
                Notice.recipient_user_id == actor.user_id, Notice.entity == ENTITY, Notice.entity_id == str(c.id),
                Notice.kind == "report", Notice.acked_at == None)).first() is not None,  # noqa: E711
            company=company_name(s),
            failed_attempts=sum(1 for cb in callbacks if not cb.reached
                                and (c.verified_at is None or as_utc(cb.at) >= as_utc(c.verified_at))),
            deadlines=_deadlines(duties, now),
            report_pending=rules.report_pending(state=c.state, report_due_at=c.report_due_at, reported_at=c.reported_at),
            last_verified_at=as_utc(c.verified_at) or (as_utc(verified.at) if verified else None),
            last_verified_by=users.get(c.verified_by, "") if c.verified_at else (verified.actor_name if verified else ""),
            last_callback_due_at=as_utc(c.callback_due_at) or (as_utc(callback_duty.due_at) if callback_duty else None),
            age_clock=_age_clock(c, policy),
            report=report_status_in(s, c, sent) if c.report_due_at else None,
        )


def _age_clock(c: Complaint, policy: PolicyBook) -> tuple[str, datetime, str]:
    kind, moment = rules.age_clock(policy, occurred_at=as_utc(c.occurred_at), received_at=as_utc(c.received_at))
    return rules.AGE_CLOCKS[kind], moment, policy.cite("complaint.age_clock_from_receipt")


REPEAT_CANDIDATES = 20


def repeat_candidates(*, actor: Actor, office_id: int, text: str) -> list[tuple[int, str]]:
    """An intake's 二次投诉 picker: the office's handled complaints (not in handling) matching a number, phone, name
    or title, newest first, as (id, "number · title · complainant")."""
    authorize(actor, Action.COMPLAINT_CREATE, office_id)
    text = (text or "").strip()
    if not text:
        return []
    like = f"%{text[:64]}%"
    with read_session() as s:
        rows = s.exec(select(Complaint.id, Complaint.number, Complaint.title, Complaint.complainant_name,
                             Complaint.anonymous).where(
            Complaint.office_id == office_id, Complaint.state.notin_([x.value for x in rules.OPEN_STATES]),
            or_(Complaint.number.like(like), Complaint.complainant_phone.like(like),
                Complaint.complainant_name.like(like), Complaint.title.like(like)))
            .order_by(Complaint.received_at.desc(), Complaint.id.desc()).limit(REPEAT_CANDIDATES)).all()
    return [(i, f"{number} · {title} · {'匿名' if anonymous else name or '—'}")
            for i, number, title, name, anonymous in rows]


def handler_choices(*, actor: Actor, office_id: int) -> list[tuple[int, str]]:
    """Staff accounts of the office who can handle complaints (派单 targets), labelled "name（post）"."""
    authorize(actor, Action.COMPLAINT_VIEW, office_id)
    with read_session() as s:
        rows = s.exec(select(User.id, User.display_name, UserRole.role).join(UserRole, UserRole.user_id == User.id)
                      .where(UserRole.org_unit_id == office_id, UserRole.role.in_([r.value for r in HANDLER_ROLES]),
                             User.active == True).order_by(User.display_name, User.id)).all()  # noqa: E712
        posts: dict[int, tuple[str, list[str]]] = {}
        for uid, name, role in rows:
            posts.setdefault(uid, (name, []))[1].append(ROLE_LABELS.get(Role(role), role))
        return [(uid, f"{name}（{'、'.join(labels)}）") for uid, (name, labels) in posts.items()]


def department_choices(*, actor: Actor, office_id: int) -> list[tuple[int, str]]:
    authorize(actor, Action.COMPLAINT_VIEW, office_id)
    with read_session() as s:
        rows = s.exec(select(Department.id, Department.name).where(Department.org_unit_id == office_id,
                                                                   Department.active == True)).all()  # noqa: E712
        return [(i, n) for i, n in rows]
