"""Reception intake and a contact's detail (客户来电、来访、来函处理作业规定, D1).

登记 numbers the contact, checks who received it (a call only by staff cleared to work alone, 来电第8条), reads its
category from the policy book, and opens its deadlines as duties from the first moment (a letter's written reply,
a promised callback). An answer given at once or a routing chosen at the desk is recorded in the same transaction.
The pickers find a customer by name, the last 4 digits of a phone or the room.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlmodel import Session, select

from core import complaints as complaint_rules
from core import reception as rules
from core.errors import DomainError
from core.identity import check_phone
from core.permissions import Action, Actor
from core.roles import Role
from db.models import (
    Complaint,
    Contact,
    Customer,
    CustomerProperty,
    Department,
    OrgUnit,
    Property,
    Staff,
    User,
    UserRole,
)
from db.models.base import as_utc
from db.services import reception_attachments  # noqa: F401  (a contact takes attachments: letter scans, reply copies)
from db.services.base import already_done, authorize, next_number, remember
from db.services.complaint_kernel import company_name
from db.services.duties import record_duties
from db.services.policy import current_policy
from db.services.reception_kernel import (
    ENTITY,
    RECORD_TYPE,
    policy_for,
    record_step,
    relation,
    routed_label,
    set_deadline,
    staff_of,
    visible,
    works_in,
)
from db.services.timeline import timeline
from db.session import read_session, write_session

MAX_CONTENT = 4000
PICK_LIMIT = 20


@dataclass(kw_only=True)
class ContactIn:
    """What the desk types: the defaults are now, my office and me as the receiver."""

    office_id: int
    channel: str | None
    category: str | None
    content: str
    received_at: datetime | None = None
    customer_id: int | None = None
    property_id: int | None = None
    caller_name: str = ""
    caller_phone: str = ""
    receiver_staff_id: int | None = None  # None: the clerk's own staff record
    rings: int | None = None
    result: str = ""  # answered at once
    routed_department_id: int | None = None
    routed_user_id: int | None = None
    callback_needed: bool = False
    extra: dict = field(default_factory=dict)


def _validate(data: ContactIn, now: datetime) -> tuple[str, str]:
    if not data.channel or data.channel not in rules.Channel._value2member_map_:
        raise DomainError("请选择渠道（来电/来访/来函/网络）", field="channel")
    if not data.category:
        raise DomainError("请选择分类", field="category", clause=rules.C_CLASSIFY)
    content = (data.content or "").strip()
    if not content:
        raise DomainError("请填写内容", field="content")
    if len(content) > MAX_CONTENT:
        raise DomainError(f"内容最多 {MAX_CONTENT} 字", field="content")
    received = data.received_at or now
    if received.tzinfo is None:
        raise DomainError("时间缺少时区")
    if received > now + timedelta(minutes=5):
        raise DomainError("受理时间不能晚于现在", field="received_at")
    if data.rings is not None and not 0 <= int(data.rings) <= 50:
        raise DomainError("响铃次数应在 0 到 50 之间", field="rings")
    phone = check_phone(data.caller_phone, name="联系电话")
    if not data.customer_id and not (data.caller_name or "").strip() and not phone:
        raise DomainError("请选择客户，或填写来电/来访人的姓名或电话", field="caller_name")
    if data.routed_department_id and data.routed_user_id:
        raise DomainError("请只选择一个转办对象：部门或同事", field="routed_user_id")
    if (data.result or "").strip() and (data.routed_department_id or data.routed_user_id):
        raise DomainError("已当场答复的不再转办；需转办的请留空“答复内容”", field="result")
    return content, phone


def _check_references(s: Session, data: ContactIn) -> None:
    office = s.get(OrgUnit, data.office_id)
    if office is None or office.kind != "office":
        raise DomainError("请选择管理处", field="office_id")
    if data.property_id is not None:
        prop = s.get(Property, data.property_id)
        if prop is None or prop.office_id != data.office_id:
            raise DomainError("房屋不存在或不属于本管理处", field="property_id")
    if data.customer_id is not None:
        cust = s.get(Customer, data.customer_id)
        if cust is None or cust.office_id != data.office_id:
            raise DomainError("客户不存在或不属于本管理处", field="customer_id")
    if data.routed_department_id is not None:
        dept = s.get(Department, data.routed_department_id)
        if dept is None or dept.org_unit_id != data.office_id or not dept.active:
            raise DomainError("转办部门不属于本管理处", field="routed_department_id")
    if data.routed_user_id is not None and not works_in(s, data.routed_user_id, data.office_id):
        raise DomainError("转办同事不在本管理处工作", field="routed_user_id")


def _receiver(s: Session, actor: Actor, data: ContactIn) -> Staff | None:
    """Who received it (default: the clerk); a call only by staff cleared to work alone (来电第8条)."""
    staff = s.get(Staff, data.receiver_staff_id) if data.receiver_staff_id else staff_of(s, actor.user_id)
    if data.receiver_staff_id and (staff is None or staff.office_id != data.office_id or not staff.active):
        raise DomainError("接待人不是本管理处的在职员工", field="receiver_staff_id")
    if staff is None:
        if data.channel == rules.Channel.PHONE.value:
            raise DomainError("请选择接听人（可独立上岗的员工）", field="receiver_staff_id", clause=rules.C_INDEPENDENT)
        return None
    rules.receiver_check(data.channel, independent_on_post=staff.independent_on_post, name=staff.name).raise_if_refused()
    return staff


def register_contact(*, actor: Actor, data: ContactIn, request_id: str | None, now: datetime) -> Contact:
    """登记: number, category, receiver, deadlines as duties; answered or routed at once if the desk said so.
    Idempotent per form render (a double click writes one entry)."""
    authorize(actor, Action.RECEPTION_LOG, data.office_id)
    content, phone = _validate(data, now)
    with write_session() as s:
        done = already_done(s, request_id, ENTITY)
        if done:
            return s.get(Contact, int(done))
        _check_references(s, data)
        policy = current_policy(s, at=now)
        category = rules.category_row(policy, data.category)
        receiver = _receiver(s, actor, data)
        received = data.received_at or now
        year = received.astimezone(policy.calendar().tz).year
        channel = rules.Channel(data.channel)
        c = Contact(number=f"JD-{year}-{next_number(s, 'JD', year):06d}", office_id=data.office_id,
                    channel=channel.value, category=category["code"], received_at=received,
                    customer_id=data.customer_id, property_id=data.property_id,
                    caller_name=(data.caller_name or "").strip()[:64], caller_phone=phone, content=content,
                    receiver_staff_id=receiver.id if receiver else None, received_by=actor.user_id,
                    rings=data.rings if channel == rules.Channel.PHONE else None,
                    late_pickup=channel == rules.Channel.PHONE and rules.late_pickup(data.rings, policy),
                    callback_needed=bool(data.callback_needed), state=rules.State.LOGGED.value,
                    policy_version=policy.version, created_at=now, updated_at=now)
        if c.customer_id and not c.caller_name:
            c.caller_name = s.get(Customer, c.customer_id).name[:64]
        s.add(c)
        s.flush()
        note = f"登记（{rules.CHANNEL_LABELS[channel]}，{category['label']}）"
        if c.late_pickup:
            note += f"；超过{rules.quote(policy, 'reception.max_rings')}接听"
        record_step(s, c, actor=actor, action="register", now=now, note=note, citation=rules.C_REGISTER,
               after={"number": c.number, "state": c.state})
        if channel == rules.Channel.LETTER:
            set_deadline(s, c, rules.REPLY_DUTY.code, rules.reply_due(received, policy), now=now, started_at=received,
                         clause=policy.cite("reception.letter_reply"), new_record=True)
        if c.callback_needed:
            set_deadline(s, c, rules.CALLBACK_DUTY.code, rules.callback_due(received, policy), now=now,
                         started_at=received, clause=policy.cite("reception.callback_within"), new_record=True)
        _first_step(s, c, actor, data, now)
        remember(s, request_id, ENTITY, c.id)
        return c


def _first_step(s: Session, c: Contact, actor: Actor, data: ContactIn, now: datetime) -> None:
    """Answered at the desk (a result typed) or routed at once (a department or colleague chosen)."""
    result = (data.result or "").strip()
    if result:
        c.result, c.state = result[:MAX_CONTENT], rules.State.ANSWERED.value
        record_step(s, c, actor=actor, action="answer", now=now, from_state=rules.State.LOGGED.value, note=f"当场答复：{result}"[:500])
    elif data.routed_department_id or data.routed_user_id:
        c.routed_department_id, c.routed_user_id = data.routed_department_id, data.routed_user_id
        c.state = rules.State.DISPATCHED.value
        record_step(s, c, actor=actor, action="dispatch", now=now, from_state=rules.State.LOGGED.value,
               note=f"转办：{routed_label(s, c)}")


# ----- pickers ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerHit:
    customer_id: int | None
    property_id: int | None
    label: str  # "张三 · 康乐苑 3幢 502 · 138****5678"


def _masked(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 11 else phone


def find_customers(*, actor: Actor, office_id: int, text: str) -> list[CustomerHit]:
    """The desk's customer search: by name, the last 4 digits of a phone, or the room (房号/楼栋)."""
    authorize(actor, Action.RECEPTION_LOG, office_id)
    text = (text or "").strip()[:40]
    if not text:
        return []
    with read_session() as s:
        stmt = (select(Customer.id, Customer.name, Customer.phone, Property.id, Property.label)
                .join(CustomerProperty, CustomerProperty.customer_id == Customer.id, isouter=True)
                .join(Property, Property.id == CustomerProperty.property_id, isouter=True)
                .where(Customer.office_id == office_id, Customer.active == True))  # noqa: E712
        if text.isdigit() and len(text) == 4:
            stmt = stmt.where(Customer.phone.like(f"%{text}"))
        elif text.isdigit():
            stmt = stmt.where(or_(Customer.phone.like(f"%{text}%"), Property.label.like(f"%{text}%")))
        else:
            stmt = stmt.where(or_(Customer.name.like(f"{text}%"), Property.label.like(f"%{text}%")))
        rows = s.exec(stmt.order_by(Customer.name, Customer.id).limit(PICK_LIMIT)).all()
    return [CustomerHit(cid, pid, " · ".join(x for x in (name, label or "", _masked(phone or "")) if x))
            for cid, name, phone, pid, label in rows]


def receiver_choices(*, actor: Actor, office_id: int) -> list[tuple[int, str]]:
    """The office's active staff, marked when not cleared to work alone (来电第8条)."""
    authorize(actor, Action.RECEPTION_LOG, office_id)
    with read_session() as s:
        rows = s.exec(select(Staff.id, Staff.name, Staff.independent_on_post).where(
            Staff.office_id == office_id, Staff.active == True).order_by(Staff.name).limit(500)).all()  # noqa: E712
    return [(i, name if ok else f"{name}（未独立上岗）") for i, name, ok in rows]


ROUTE_ROLES = (Role.CLERK, Role.ASSISTANT, Role.CS_SUPERVISOR, Role.CS_MANAGER, Role.OFFICE_DIRECTOR)


def route_choices(*, actor: Actor, office_id: int) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Where a contact may be routed: the office's departments, and its colleagues with accounts."""
    authorize(actor, Action.RECEPTION_LOG, office_id)
    with read_session() as s:
        depts = s.exec(select(Department.id, Department.name).where(
            Department.org_unit_id == office_id, Department.active == True).order_by(Department.name)).all()  # noqa: E712
        users = s.exec(select(User.id, User.display_name).join(UserRole, UserRole.user_id == User.id).where(
            UserRole.org_unit_id == office_id, UserRole.role.in_([r.value for r in ROUTE_ROLES]),
            User.active == True).distinct().order_by(User.display_name).limit(300)).all()  # noqa: E712
    return [(i, n) for i, n in depts], [(i, n) for i, n in users]


# ----- detail ----------------------------------------------------------------------------------------


@dataclass
class Detail:
    contact: Contact
    office_name: str
    company: str
    customer_name: str
    property_label: str
    receiver_name: str
    receiver_independent: bool
    clerk_name: str
    routed_to: str
    complaint_number: str
    complaint_state: str
    situation: rules.Situation
    relation: rules.Relation
    events: list
    duties: list
    category_label: str
    reply_overdue: bool
    callback_overdue: bool


def detail(*, actor: Actor, contact_id: int, now: datetime) -> Detail:
    with read_session() as s:
        c = visible(s, actor, contact_id)
        policy = policy_for(s, c, now)
        cust = s.get(Customer, c.customer_id) if c.customer_id else None
        prop = s.get(Property, c.property_id) if c.property_id else None
        receiver = s.get(Staff, c.receiver_staff_id) if c.receiver_staff_id else None
        clerk = s.exec(select(User.display_name).where(User.id == c.received_by)).first() if c.received_by else ""
        complaint = s.exec(select(Complaint.number, Complaint.state).where(Complaint.id == c.complaint_id)).first() \
            if c.complaint_id else None
        return Detail(
            contact=c, office_name=s.get(OrgUnit, c.office_id).name, company=company_name(s),
            customer_name=cust.name if cust else c.caller_name, property_label=prop.label if prop else "",
            receiver_name=receiver.name if receiver else "", receiver_independent=bool(receiver and
                                                                                       receiver.independent_on_post),
            clerk_name=clerk or "", routed_to=routed_label(s, c),
            complaint_number=complaint[0] if complaint else "",
            complaint_state=complaint_rules.STATE_LABELS[complaint_rules.State(complaint[1])] if complaint else "",
            situation=rules.Situation.of(c, policy), relation=relation(s, actor, c),
            events=timeline(s, record_type=RECORD_TYPE, record_id=c.id, limit=200).events,
            duties=record_duties(s, record_type=RECORD_TYPE, record_id=c.id),
            category_label=policy.row_label(rules.CATEGORIES, c.category),
            reply_overdue=rules.is_overdue(as_utc(c.reply_due_at), c.replied_at, now),
            callback_overdue=rules.is_overdue(as_utc(c.callback_due_at), c.callback_done_at, now),
        )


def desk_company(*, actor: Actor) -> str:
    """The company's name for the greeting (master data, 组织与房屋)."""
    authorize(actor, Action.RECEPTION_VIEW)
    with read_session() as s:
        return company_name(s)
