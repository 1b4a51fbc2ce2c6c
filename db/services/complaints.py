"""Complaint intake, lists and queues, detail, classes and reporting (顾客投诉处理制度, docs 12–14).

Every change runs in one transaction: permission and office scope → core rules with the policy version the
complaint was made under → rows → a ComplaintEvent and an audit row. 重大/热点 complaints are reported at
once (in-app notices with acknowledgement) to the HQ 客服中心, company leaders, the office director and, for
重大, the 行政公关部 head. The workflow steps live in ``complaint_flow``, consultants and online posts in
``complaint_support``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, or_
from sqlalchemy import select as core_select
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, select

from core import complaints as rules
from core.complaints import Grade, GradeSource, State
from core.errors import DomainError, NotFound
from core.permissions import Action, Actor
from core.policy import PolicyBook
from core.registry import WorkItem, daily_job, work_provider
from core.roles import ROLE_LABELS, Role
from db.models import (
    Callback,
    Complaint,
    ComplaintEvent,
    ComplaintGradeHistory,
    ComplaintReport,
    Consultant,
    ConsultRequest,
    Customer,
    Department,
    Notice,
    OnlinePost,
    OrgUnit,
    PolicyChange,
    Property,
    SameIssueGroup,
    Staff,
    User,
    UserRole,
)
from db.models.base import as_utc as _aware
from db.services.base import (
    Page,
    already_done,
    audit,
    authorize,
    next_number,
    paginate,
    remember,
    scope_filter,
)
from db.services.notices import notify, on_acknowledge
from db.services.policy import current_policy, policy_in
from db.session import read_session, write_session

LIST_PAGE = "views/complaints/list.py"
CALLBACK_PAGE = "views/complaints/callbacks.py"
ENTITY = "complaint"
HANDLER_ROLES = {Role.CLERK, Role.ASSISTANT, Role.CS_SUPERVISOR, Role.CS_MANAGER, Role.OFFICE_DIRECTOR}
QUEUES = {
    "": "全部",
    "mine": "我的投诉",
    "soon": "即将超期",
    "overdue": "已超期",
    "verify": "待验证",
    "callback": "待回访",
    "report": "通报未确认",
}


@dataclass
class ComplaintIn:
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
    contact_available: bool = True
    complainant_count: int = 1
    our_fault: bool = False
    lawsuit: bool = False
    media_exposed: bool = False
    media_or_lawsuit_risk: bool = False
    needs_group_help: bool = False
    sensitive: bool = False
    common_area: bool = False
    resolved_on_spot: bool = False
    satisfied_on_spot: bool = False
    same_issue_group_id: int | None = None
    forwarded_at: datetime | None = None
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


# ----- shared helpers (also used by complaint_flow and complaint_support) ---------------------------


def policy_for(s: Session, c: Complaint, now: datetime) -> PolicyBook:
    """The rules a complaint is judged by: the version it was made under, in force at ``now``."""
    return policy_in(s, at=now, version=c.policy_version)


def load(s: Session, actor: Actor, complaint_id: int, action: Action, *, lock: bool = True) -> Complaint:
    """The complaint, locked for update, after the office-scope and permission checks."""
    stmt = select(Complaint).where(Complaint.id == complaint_id)
    c = s.exec(stmt.with_for_update() if lock else stmt).first()
    in_scope = c is not None and (actor.can(Action.COMPLAINT_VIEW, c.office_id) or actor.can(action, c.office_id))
    if c is None or (not in_scope and actor.can(action)):  # another office's record: same answer as "no such row"
        raise NotFound("投诉不存在或不在您的管理范围内")
    authorize(actor, action, c.office_id, in_transaction=True)
    return c


def record(s: Session, c: Complaint, *, actor: Actor | None, action: str, now: datetime, note: str = "",
           from_state: str | None = None, citation: str = "", before: Any = None, after: Any = None) -> None:
    """The timeline event and the audit row, in the caller's transaction.

    Both rows are plain INSERTs sent at once (not objects flushed at commit): they were most of a registration's
    CPU (issue 5). The complaint row exists already (``c.id`` is set), so the event's foreign key holds.
    """
    if c.updated_at is not now:  # a new complaint carries it already: leave it clean, no flush at commit
        c.updated_at = now
    if c not in s:
        s.add(c)
    s.connection().execute(_EVENT_INSERT, {
        "complaint_id": c.id, "at": now, "actor_user_id": actor.user_id if actor else None,
        "actor_name": actor.name if actor else "系统", "action": action, "from_state": from_state,
        "to_state": c.state, "note": note[:4000], "citation": citation[:200]})
    audit(s, actor=actor, action=f"complaint.{action}", entity=ENTITY, entity_id=c.id, office_id=c.office_id,
          summary=f"{c.number} {note}"[:500], before=before, after=after)


_EVENT_INSERT = insert(ComplaintEvent)
_OFFICE_KIND = core_select(OrgUnit.kind).where(OrgUnit.id == bindparam("id"))
_COMPLAINT_INSERT = insert(Complaint).returning(Complaint.id)
_COMPLAINT_COLUMNS = tuple(col.key for col in Complaint.__table__.columns if col.key != "id")
_GRADE_INSERT = insert(ComplaintGradeHistory)
_COMPLAINT_FIELDS = tuple(Complaint.model_fields.items())
_COMPLAINT_NAMES = frozenset(Complaint.model_fields)
# Plain immutable defaults are taken once; anything else (factories such as utcnow) is asked for each time.
_STATIC_DEFAULTS = {
    name: f.default for name, f in _COMPLAINT_FIELDS
    if not f.is_required() and f.default_factory is None and isinstance(f.default, str | int | float | bool | type(None))
}
_OTHER_DEFAULTS = tuple((name, f) for name, f in _COMPLAINT_FIELDS if not f.is_required() and name not in _STATIC_DEFAULTS)


def _new_complaint(**values: Any) -> Complaint:
    """``Complaint(**values)`` without the per-attribute instrumentation events.

    The same values, defaults and pydantic bookkeeping as the constructor (sqlmodel_table_construct), made the
    way the ORM makes an object for a loaded row: ``Complaint(...)`` with ~45 instrumented assignments cost about
    1 ms, a fifth of a registration's CPU, inside the write lock (issue 5). tests/db/test_write_path.py checks the
    result equals the constructor's.
    """
    unknown = values.keys() - _COMPLAINT_NAMES
    if unknown:
        raise TypeError(f"unknown complaint fields: {sorted(unknown)}")
    c = Complaint._sa_class_manager.new_instance()
    d = c.__dict__
    d.update(_STATIC_DEFAULTS)
    for name, f in _OTHER_DEFAULTS:
        if name not in values:
            d[name] = f.get_default(call_default_factory=True)
    d.update(values)
    object.__setattr__(c, "__pydantic_fields_set__", set(values))
    object.__setattr__(c, "__pydantic_extra__", None)
    object.__setattr__(c, "__pydantic_private__", None)
    return c


def _insert_new(s: Session, c: Complaint) -> None:
    """INSERT a new complaint with a plain statement, then attach the object as if loaded from its row.

    Flushing it through the unit of work cost more CPU than the rest of a registration (issue 5). After this,
    ``c`` is persistent in ``s`` with ``c.id`` set; later changes to it are flushed as usual.
    """
    c.id = s.connection().execute(_COMPLAINT_INSERT, {k: getattr(c, k) for k in _COMPLAINT_COLUMNS}).scalar_one()
    make_transient_to_detached(c)
    s.add(c)


def _grade_history(s: Session, c: Complaint, *, at: datetime, from_grade: str | None, source: str,
                   reason: str = "", actor: Actor | None) -> None:
    """One row of the class history (a plain INSERT, like the timeline event)."""
    s.connection().execute(_GRADE_INSERT, {
        "complaint_id": c.id, "at": at, "from_grade": from_grade, "to_grade": c.grade, "source": source,
        "trigger": c.grade_trigger, "reason": reason[:500], "actor_user_id": actor.user_id if actor else None})


def _complainant_key(c: Complaint) -> str:
    if c.customer_id:
        return f"c{c.customer_id}"
    if c.complainant_phone:
        return f"p{c.complainant_phone}"
    if c.complainant_name and not c.anonymous:
        return f"n{c.complainant_name}"
    return f"id{c.id}"


def same_issue_count(s: Session, c: Complaint, policy: PolicyBook, now: datetime) -> int:
    """Distinct complainants of the same issue within the window (this complaint included)."""
    if not c.same_issue_group_id:
        return 1
    start = rules.same_issue_window_start(now, policy)
    rows = s.exec(select(Complaint).where(Complaint.same_issue_group_id == c.same_issue_group_id,
                                          Complaint.received_at >= start)).all()
    keys = {_complainant_key(r) for r in rows} | {_complainant_key(c)}
    return len(keys)


def facts_of(s: Session, c: Complaint, policy: PolicyBook, now: datetime) -> rules.Facts:
    has_consult = c.id is not None and s.exec(
        select(func.count()).select_from(ConsultRequest).where(ConsultRequest.complaint_id == c.id)).one() > 0
    return rules.Facts(
        as_of=now, arose_at=_aware(c.occurred_at), complainant_count=c.complainant_count, lawsuit=c.lawsuit,
        media_exposed=c.media_exposed, media_or_lawsuit_risk=c.media_or_lawsuit_risk,
        same_issue_distinct_complainants=same_issue_count(s, c, policy, now), our_fault=c.our_fault,
        resolved=State(c.state) not in rules.UNRESOLVED_STATES,
        repeat_after_close=c.reopen_count > 0 or c.repeat_of_id is not None,
        needs_help=c.needs_group_help or has_consult,
    )


def reclassify(s: Session, c: Complaint, *, actor: Actor | None, now: datetime, reason: str = "") -> bool:
    """Re-evaluate the triggers; on a change of class write history, move deadlines and report if due."""
    policy = policy_for(s, c, now)
    result = rules.classify(facts_of(s, c, policy, now), policy)
    c.rules_grade = result.grade.value
    grade, source = rules.effective_grade(result.grade, raised_to=c.raised_grade and Grade(c.raised_grade),
                                          hq_grade=c.hq_grade and Grade(c.hq_grade), policy=policy)
    if source == GradeSource.RULES:
        c.grade_trigger, c.grade_citation = result.trigger_label[:200], result.citation[:200]
    old = c.grade
    c.grade_source = source.value
    if old == grade.value:
        s.add(c)
        return False
    c.grade = grade.value
    _grade_history(s, c, at=now, from_grade=old, source=source.value, reason=reason, actor=actor)
    if State(c.state) in rules.OPEN_STATES:
        c.due_at = rules.handling_due(grade, _aware(c.received_at), policy)
    if grade in rules.REPORTED_GRADES and (old is None or Grade(old) not in rules.REPORTED_GRADES):
        c.report_due_at = rules.report_due(grade, now, policy)
        send_reports(s, c, now=now)
    label_old = rules.GRADE_LABELS[Grade(old)] if old else "—"
    record(s, c, actor=actor, action="grade", now=now, citation=c.grade_citation,
           note=f"类别 {label_old} → {rules.GRADE_LABELS[grade]}（{rules.GRADE_SOURCE_LABELS[source]}：{c.grade_trigger}）"
                + (f"；理由：{reason}" if reason else ""))
    return True


def report_recipients(s: Session, c: Complaint) -> list[int]:
    roles = [Role.HQ_HEAD.value, Role.HQ_SPECIALIST.value, Role.LEADER.value]
    ids = list(s.exec(select(UserRole.user_id).where(UserRole.role.in_(roles))).all())
    ids += list(s.exec(select(UserRole.user_id).where(UserRole.role == Role.OFFICE_DIRECTOR.value,
                                                      UserRole.org_unit_id == c.office_id)).all())
    if c.grade == Grade.MAJOR.value:  # 重大: also the 行政公关部 (投诉通报处理制度 二.1)
        heads = s.exec(select(Department.head_staff_id).where(Department.kind == "pr_admin",
                                                              Department.head_staff_id != None)).all()  # noqa: E711
        if heads:
            ids += list(s.exec(select(User.id).where(User.staff_id.in_(heads), User.active == True)).all())  # noqa: E712
    active = set(s.exec(select(User.id).where(User.active == True)).all())  # noqa: E712
    return [i for i in dict.fromkeys(ids) if i in active]


def send_reports(s: Session, c: Complaint, *, now: datetime) -> None:
    recipients = report_recipients(s, c)
    label = rules.GRADE_LABELS[Grade(c.grade)]
    notify(s, recipient_user_ids=recipients, kind="report", title=f"【{label}投诉通报】{c.number} {c.title or ''}".strip(),
           body=f"{c.grade_trigger}。{c.description[:300]}", page=LIST_PAGE, entity=ENTITY, entity_id=str(c.id),
           office_id=c.office_id, requires_ack=True, due_at=c.report_due_at, now=now)
    s.add(ComplaintReport(complaint_id=c.id, kind="notice", at=now, to_whom=f"{len(recipients)} 位接收人（系统通报）",
                          note=c.grade_trigger))


# ----- intake -------------------------------------------------------------------------------------


def _validate(data: ComplaintIn, now: datetime) -> None:
    if data.channel not in rules.Channel._value2member_map_:
        raise DomainError("请选择投诉渠道", field="channel")
    if data.category not in rules.Category._value2member_map_:
        raise DomainError("请选择投诉分类", field="category")
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


def register(*, actor: Actor, data: ComplaintIn, request_id: str | None, now: datetime) -> Complaint:
    """受理登记: number, class by the rules in force, deadlines, and 通报 for 重大/热点. Idempotent per form render.

    Attachments and the online-post record are written in the same transaction. Other processes (reception
    register, home visits) call this to turn a contact into a complaint.
    """
    from db.services import complaint_support as support  # it builds on this module

    authorize(actor, Action.COMPLAINT_CREATE, data.office_id)
    _validate(data, now)
    files = support.check_files(data.attachments, now=now) if data.attachments else []
    with write_session() as s:
        done = already_done(s, request_id, ENTITY)
        if done:
            return s.get(Complaint, int(done))
        # The checks read columns, not objects (each whole-object load cost more than its query; issue 5).
        conn = s.connection()
        kind = conn.execute(_OFFICE_KIND, {"id": data.office_id}).scalar()
        if kind != "office":
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
        if data.same_issue_group_id:
            group = conn.execute(core_select(SameIssueGroup.office_id)
                                 .where(SameIssueGroup.id == data.same_issue_group_id)).first()
            if group is None or group.office_id != data.office_id:
                raise DomainError("同一事项分组不存在", field="same_issue_group_id")
        received = data.received_at or now
        policy = current_policy(s, at=now)
        version = policy.version
        year = received.astimezone(policy.calendar().tz).year
        number = f"TS-{year}-{next_number(s, 'TS', year):06d}"
        c = _new_complaint(
            number=number, office_id=data.office_id, property_id=data.property_id, building_id=building_id,
            customer_id=data.customer_id, anonymous=data.anonymous,
            complainant_name="" if data.anonymous else data.complainant_name.strip()[:64],
            complainant_phone="" if data.anonymous else data.complainant_phone.strip()[:32],
            contact_available=bool(data.contact_available and not data.anonymous),
            complainant_count=int(data.complainant_count), channel=data.channel, category=data.category,
            title=(data.title or data.description[:40]).strip()[:100], description=data.description.strip(),
            occurred_at=data.occurred_at, received_at=received, forwarded_at=data.forwarded_at,
            our_fault=data.our_fault, lawsuit=data.lawsuit, media_exposed=data.media_exposed,
            media_or_lawsuit_risk=data.media_or_lawsuit_risk, needs_group_help=data.needs_group_help,
            sensitive=data.sensitive, common_area=data.common_area, resolved_on_spot=data.resolved_on_spot,
            satisfied_on_spot=data.satisfied_on_spot, same_issue_group_id=data.same_issue_group_id,
            repeat_of_id=data.repeat_of_id, grade="general", state=State.RECEIVED.value, policy_version=version,
            hotline_due_at=rules.hotline_due(data.channel, received, policy), created_by=actor.user_id,
            created_at=now, updated_at=now,
        )
        result = rules.classify(facts_of(s, c, policy, now), policy)
        c.grade = c.rules_grade = result.grade.value
        c.grade_trigger, c.grade_citation = result.trigger_label[:200], result.citation[:200]
        c.due_at = rules.handling_due(result.grade, received, policy)
        c.report_due_at = rules.report_due(result.grade, now, policy)
        _insert_new(s, c)
        _grade_history(s, c, at=now, from_grade=None, source="rules", actor=actor)
        record(s, c, actor=actor, action="register", now=now, citation=c.grade_citation,
               note=f"受理登记（{rules.CHANNEL_LABELS[rules.Channel(c.channel)]}，"
                    f"{rules.CATEGORY_LABELS[rules.Category(c.category)]}）；类别：{result.explanation}",
               after={"number": c.number, "grade": c.grade, "state": c.state})
        if data.online is not None:
            o = data.online
            support.apply_online_post(s, c, OnlinePost(complaint_id=c.id), platform=o.platform, url=o.url,
                                      poster_handle=o.poster_handle, posted_at=o.posted_at,
                                      forwarded_by_hq_at=o.forwarded_by_hq_at, viral=o.viral, now=now)
            if o.viral and not c.media_or_lawsuit_risk:
                c.media_or_lawsuit_risk = True
                reclassify(s, c, actor=actor, now=now, reason="网上投诉已引起关注")
        support.store_attachments(s, c, files, actor=actor, now=now)
        if c.report_due_at and not s.exec(select(ComplaintReport.id).where(ComplaintReport.complaint_id == c.id)).first():
            send_reports(s, c, now=now)
        remember(s, request_id, ENTITY, c.id)
        return c


# ----- lists and detail ----------------------------------------------------------------------------


def search(*, actor: Actor, now: datetime, office_id: int | None = None, state: str | None = None,
           grade: str | None = None, category: str | None = None, since: datetime | None = None,
           until: datetime | None = None, text: str = "", queue: str = "", page: int = 1, page_size: int = 30) -> Page:
    authorize(actor, Action.COMPLAINT_VIEW, office_id)
    with read_session() as s:
        stmt = scope_filter(select(Complaint), Complaint.office_id, actor.scope(Action.COMPLAINT_VIEW))
        stmt = _filters(stmt, actor=actor, now=now, office_id=office_id, state=state, grade=grade, category=category,
                        since=since, until=until, text=text, queue=queue, s=s)
        return paginate(s, stmt, page=page, page_size=page_size,
                        order_by=[Complaint.received_at.desc(), Complaint.id.desc()])


def _filters(stmt, *, actor, now, office_id, state, grade, category, since, until, text, queue, s):
    open_states = [x.value for x in rules.OPEN_STATES]
    if office_id:
        stmt = stmt.where(Complaint.office_id == office_id)
    if state:
        stmt = stmt.where(Complaint.state == state)
    if grade:
        stmt = stmt.where(Complaint.grade == grade)
    if category:
        stmt = stmt.where(Complaint.category == category)
    if since:
        stmt = stmt.where(Complaint.received_at >= since)
    if until:
        stmt = stmt.where(Complaint.received_at < until)
    if text.strip():
        like = f"%{text.strip()}%"
        stmt = stmt.where(or_(Complaint.number.like(like), Complaint.description.like(like), Complaint.title.like(like)))
    if queue == "mine":
        stmt = stmt.where(or_(Complaint.handler_user_id == actor.user_id, Complaint.created_by == actor.user_id),
                          Complaint.state.in_(open_states))
    elif queue == "soon":
        hours = policy_in(s, at=now)["complaint.breaching_soon_hours"]
        stmt = stmt.where(Complaint.state.in_(open_states), Complaint.due_at >= now,
                          Complaint.due_at < now + timedelta(hours=hours))
    elif queue == "overdue":
        stmt = stmt.where(Complaint.state.in_(open_states), Complaint.due_at < now)
    elif queue == "verify":
        stmt = stmt.where(Complaint.state == State.HANDLED.value)
    elif queue == "callback":
        stmt = stmt.where(Complaint.state == State.VERIFIED.value)
    elif queue == "report":
        stmt = stmt.where(Complaint.report_due_at != None, Complaint.reported_at == None)  # noqa: E711
    return stmt


@dataclass
class Detail:
    complaint: Complaint
    office_name: str
    property_label: str
    handler_name: str
    department_name: str
    events: list[ComplaintEvent]
    grades: list[ComplaintGradeHistory]
    consults: list[tuple[ConsultRequest, str]]
    callbacks: list[tuple[Callback, str]]
    reports: list[ComplaintReport]
    online: OnlinePost | None
    attachments: list[tuple[int, str, int]]
    group_title: str
    classification: rules.Classification
    steps: list[rules.Step] = field(default_factory=list)
    user_names: dict[int, str] = field(default_factory=dict)
    awaiting_my_ack: bool = False  # the viewer has an unacknowledged 通报 notice for this complaint


def detail(*, actor: Actor, complaint_id: int, now: datetime) -> Detail:
    from db.models import ComplaintAttachment

    with read_session() as s:
        c = s.get(Complaint, complaint_id)
        if c is None or not actor.can(Action.COMPLAINT_VIEW, c.office_id):
            raise NotFound("投诉不存在或不在您的管理范围内")
        policy = policy_for(s, c, now)
        users = dict(s.exec(select(User.id, User.display_name)).all())
        prop = s.get(Property, c.property_id) if c.property_id else None
        dept = s.get(Department, c.responsible_department_id) if c.responsible_department_id else None
        group = s.get(SameIssueGroup, c.same_issue_group_id) if c.same_issue_group_id else None
        consults = s.exec(select(ConsultRequest, Consultant.name).join(Consultant)
                          .where(ConsultRequest.complaint_id == c.id).order_by(ConsultRequest.id)).all()
        return Detail(
            complaint=c, office_name=s.get(OrgUnit, c.office_id).name, property_label=prop.label if prop else "",
            handler_name=users.get(c.handler_user_id, ""), department_name=dept.name if dept else "",
            events=list(s.exec(select(ComplaintEvent).where(ComplaintEvent.complaint_id == c.id)
                               .order_by(ComplaintEvent.at, ComplaintEvent.id)).all()),
            grades=list(s.exec(select(ComplaintGradeHistory).where(ComplaintGradeHistory.complaint_id == c.id)
                               .order_by(ComplaintGradeHistory.id)).all()),
            consults=[(r, n) for r, n in consults],
            callbacks=[(cb, users.get(cb.by_user_id, "")) for cb in s.exec(
                select(Callback).where(Callback.complaint_id == c.id).order_by(Callback.at, Callback.id)).all()],
            reports=list(s.exec(select(ComplaintReport).where(ComplaintReport.complaint_id == c.id)
                                .order_by(ComplaintReport.at)).all()),
            online=s.exec(select(OnlinePost).where(OnlinePost.complaint_id == c.id)).first(),
            attachments=[(a, f, n) for a, f, n in s.exec(
                select(ComplaintAttachment.id, ComplaintAttachment.filename, ComplaintAttachment.size)
                .where(ComplaintAttachment.complaint_id == c.id)).all()],
            group_title=group.title if group else "",
            classification=rules.classify(facts_of(s, c, policy, now), policy),
            steps=rules.allowed_steps(c.state), user_names=users,
            awaiting_my_ack=s.exec(select(Notice.id).where(
                Notice.recipient_user_id == actor.user_id, Notice.entity == ENTITY, Notice.entity_id == str(c.id),
                Notice.kind == "report", Notice.acked_at == None)).first() is not None,  # noqa: E711
        )


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


def contact_person(s: Session, office_id: int) -> str:
    office = s.get(OrgUnit, office_id)
    staff = s.get(Staff, office.complaint_contact_staff_id) if office and office.complaint_contact_staff_id else None
    return staff.name if staff else "投诉接口负责人"


# ----- classes ------------------------------------------------------------------------------------


def raise_grade(*, actor: Actor, complaint_id: int, grade: str, reason: str, now: datetime) -> Complaint:
    """单位提级: with a reason, never below the rules (HQ has the final say)."""
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_GRADE_RAISE)
        if c.hq_grade:
            raise DomainError("总部客服中心已认定该投诉类别，单位不能再调整", clause=rules.C_HQ_FINAL)
        policy = policy_for(s, c, now)
        rules.check_unit_raise(current=Grade(c.grade), rules=Grade(c.rules_grade), new=Grade(grade), reason=reason,
                               policy=policy)
        c.raised_grade = grade
        c.grade_trigger, c.grade_citation = f"单位提级：{reason.strip()}"[:200], rules.C_HQ_FINAL
        reclassify(s, c, actor=actor, now=now, reason=reason.strip())
        return c


def override_grade(*, actor: Actor, complaint_id: int, grade: str, reason: str, now: datetime) -> Complaint:
    """总部认定: either way, with a reason (投诉通报处理制度 二.5)."""
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_GRADE_OVERRIDE_HQ)
        rules.check_hq_override(reason=reason)
        Grade(grade)
        c.hq_grade = grade
        c.grade_trigger, c.grade_citation = f"总部认定：{reason.strip()}"[:200], rules.C_HQ_FINAL
        if not reclassify(s, c, actor=actor, now=now, reason=reason.strip()):
            record(s, c, actor=actor, action="grade", now=now, citation=rules.C_HQ_FINAL,
                   note=f"总部认定维持“{rules.GRADE_LABELS[Grade(grade)]}”：{reason.strip()}")
        return c


FACT_FIELDS = ("our_fault", "lawsuit", "media_exposed", "media_or_lawsuit_risk", "needs_group_help", "sensitive",
               "common_area", "complainant_count")


def update_facts(*, actor: Actor, complaint_id: int, changes: dict, note: str, now: datetime) -> Complaint:
    """New facts (a lawsuit filed, media exposure, more complainants) re-run the classification at once."""
    unknown = set(changes) - set(FACT_FIELDS)
    if unknown:
        raise DomainError("不能修改这些字段")
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_HANDLE)
        before = {k: getattr(c, k) for k in changes}
        for key, value in changes.items():
            if key == "complainant_count" and not 1 <= int(value) <= 10000:
                raise DomainError("投诉人数应在 1 到 10000 之间")
            setattr(c, key, value)
        record(s, c, actor=actor, action="facts", now=now, note=note or "更新投诉情况", before=before, after=changes)
        reclassify(s, c, actor=actor, now=now)
        return c


# ----- reporting (通报) -----------------------------------------------------------------------------


def record_phone_report(*, actor: Actor, complaint_id: int, at: datetime, to_whom: str, note: str,
                        now: datetime) -> None:
    """“已电话通报 at …, to …”: meets the report-at-once deadline when made in time."""
    if not (to_whom or "").strip():
        raise DomainError("请填写通报对象", field="to_whom")
    if at.tzinfo is None or at > now + timedelta(minutes=5):
        raise DomainError("通报时间不能晚于现在", field="at")
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_REPORT)
        s.add(ComplaintReport(complaint_id=c.id, kind="phone", at=at, by_user_id=actor.user_id, to_whom=to_whom.strip()[:200],
                              note=note.strip()[:2000]))
        if c.report_due_at and (c.reported_at is None or at < _aware(c.reported_at)):
            c.reported_at = at
        late = c.report_due_at is not None and at > _aware(c.report_due_at)
        record(s, c, actor=actor, action="report_phone", now=now, citation=rules.cite("D14", "二"),
               note=f"已电话通报（{to_whom.strip()}）" + ("，已超过立即通报时限" if late else ""))


def acknowledge_report(*, actor: Actor, complaint_id: int, now: datetime) -> int:
    """The recipient confirms the 通报; an HQ confirmation marks the complaint as reported."""
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_VIEW)
        rows = s.exec(select(Notice).where(Notice.recipient_user_id == actor.user_id, Notice.entity == ENTITY,
                                           Notice.entity_id == str(c.id), Notice.acked_at == None)).all()  # noqa: E711
        if not rows:
            raise DomainError("没有需要您确认的通报")
        for n in rows:
            n.acked_at = now
            s.add(n)
        _report_received(s, c, actor, now)
        return len(rows)


def _report_received(s: Session, c: Complaint, actor: Actor, now: datetime) -> None:
    hq = {Role.HQ_HEAD, Role.HQ_SPECIALIST} & actor.roles
    if hq and c.reported_at is None:
        c.reported_at = now
    late = c.report_due_at is not None and now > _aware(c.report_due_at)
    record(s, c, actor=actor, action="report_ack", now=now, citation=rules.cite("D14", "二"),
           note="确认收到通报" + ("（总部客服中心已收到，通报完成）" if hq else "") + ("，晚于立即通报时限" if hq and late else ""))


@on_acknowledge(ENTITY)
def _on_notice_ack(s: Session, notice: Notice, actor: Actor, now: datetime) -> None:
    """Acknowledging a 通报 under 通知与通报 counts as on the complaint page."""
    if notice.kind != "report":
        return
    c = s.exec(select(Complaint).where(Complaint.id == int(notice.entity_id)).with_for_update()).first()
    if c is not None:
        _report_received(s, c, actor, now)


# ----- daily sweep and my work ---------------------------------------------------------------------


@dataclass
class SweepResult:
    regraded: list[str] = field(default_factory=list)
    report_breaches: list[str] = field(default_factory=list)
    overdue: int = 0


@daily_job("complaints")
def daily_sweep(*, now: datetime) -> SweepResult:
    """Age-based upgrades (≥7 days → 热点, ≥1 month → 重大) and report-deadline breaches; run hourly.

    Only the open complaints whose class can change without anyone touching them are reclassified, each in a
    short write transaction of its own; the overdue count is one query. Re-judging every open complaint (one
    write transaction each, thousands) took 52 s on the large dataset and held up users' writes every hour
    (issue 5). Every other change of the facts (new facts, consultant request, reopening, state, grouping,
    raising) reclassifies in its own transaction, so between sweeps a complaint's class can change only by:

    * age — the "我方原因未解决" triggers (``our_fault``), whose thresholds and working-day calendar come from
      the policy book;
    * its same-issue group — complainants leave the counting window with time, and a registration joining the
      group does not reclassify the others;
    * a policy change of its version coming into force after the complaint was made (effective-from dates
      can lie in the future).

    Those are selected here in SQL, with the complaints whose report deadline has passed without a breach
    event yet. Reclassification itself is unchanged (``reclassify``), so the thresholds stay the policy's.
    """
    result = SweepResult()
    at = now.astimezone(UTC)  # stored timestamps are UTC
    open_states = [x.value for x in rules.OPEN_STATES]
    breach_flagged = select(ComplaintEvent.id).where(ComplaintEvent.complaint_id == Complaint.id,
                                                     ComplaintEvent.action == "report_breach").exists()
    policy_moved = select(PolicyChange.id).where(PolicyChange.id <= Complaint.policy_version,
                                                 PolicyChange.effective_from > Complaint.created_at,
                                                 PolicyChange.effective_from <= at).exists()
    with read_session() as s:
        ids = list(s.exec(select(Complaint.id).where(Complaint.state.in_(open_states), or_(
            Complaint.our_fault == True,  # noqa: E712
            Complaint.same_issue_group_id != None,  # noqa: E711
            policy_moved,
            and_(Complaint.report_due_at < at, Complaint.reported_at == None, ~breach_flagged),  # noqa: E711
        )).order_by(Complaint.id)).all())
    for cid in ids:
        with write_session() as s:
            c = s.exec(select(Complaint).where(Complaint.id == cid).with_for_update()).one()
            if State(c.state) not in rules.OPEN_STATES:  # closed since the list was read
                continue
            if reclassify(s, c, actor=None, now=now):
                result.regraded.append(c.number)
            if c.report_due_at and c.reported_at is None and _aware(c.report_due_at) < now:
                flagged = s.exec(select(ComplaintEvent.id).where(ComplaintEvent.complaint_id == c.id,
                                                                 ComplaintEvent.action == "report_breach")).first()
                if not flagged:
                    record(s, c, actor=None, action="report_breach", now=now, citation=rules.cite("D14", "二"),
                           note="重大/热点投诉未在时限内完成通报")
                    result.report_breaches.append(c.number)
    with read_session() as s:  # after the reclassifications above, which may have moved deadlines
        result.overdue = int(s.exec(select(func.count()).select_from(Complaint).where(
            Complaint.state.in_(open_states), Complaint.due_at < at)).one())
    return result


@work_provider("complaints")
def my_work(*, actor: Actor, now: datetime) -> list[WorkItem]:
    if not actor.can(Action.COMPLAINT_VIEW):
        return []
    items = []
    specs = [("mine", "我的投诉", "info"), ("soon", "投诉即将超期", "warning"), ("overdue", "投诉已超期", "danger")]
    if actor.can(Action.COMPLAINT_VERIFY):
        specs.append(("verify", "投诉待验证", "warning"))
    if actor.can(Action.COMPLAINT_CALLBACK):
        specs.append(("callback", "投诉待回访", "warning"))
    scope = actor.scope(Action.COMPLAINT_VIEW)
    with read_session() as s:
        # Counts only, in one session: the home page needs no rows (was a search with a first page per queue).
        for queue, title, severity in specs:
            stmt = _filters(scope_filter(select(Complaint.id), Complaint.office_id, scope), actor=actor, now=now,
                            office_id=None, state=None, grade=None, category=None, since=None, until=None, text="",
                            queue=queue, s=s)
            total = int(s.exec(select(func.count()).select_from(stmt.subquery())).one())
            if total:
                items.append(WorkItem(title=title, count=total, page=CALLBACK_PAGE if queue == "callback" else LIST_PAGE,
                                      severity=severity, source="投诉"))
        unacked = s.exec(select(func.count()).select_from(Notice).where(
            Notice.recipient_user_id == actor.user_id, Notice.entity == ENTITY, Notice.kind == "report",
            Notice.acked_at == None)).one()  # noqa: E711
    if unacked:
        items.append(WorkItem(title="投诉通报待确认", count=int(unacked), page=LIST_PAGE, severity="danger", source="投诉"))
    return items
