"""Issuing access passes and the pass page's data (《小区出入证管理规定》第1、2、4、5、10条).

发放 checks every issue-time rule (the 18-digit ID check digit, one active pass per person, 住户卡 per household
and holder in the archive with the original checked, the validity limit of the purpose), numbers the pass, collects
its deposit on the ledger, opens its return duty and stores the holder's photo, in one transaction. 补办 issues a
new pass (new number, new deposit) for a lost one. The kernel (``pass_kernel``) holds what every feature shares.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, or_
from sqlmodel import Session, select

from core import passes as rules
from core.deposits import Balance, EntryKind
from core.duties import duty_spec
from core.errors import DomainError
from core.identity import check_id, check_phone
from core.permissions import Action, Actor
from core.policy import PolicyBook
from core.uploads import CleanUpload
from db.models import (
    AccessPass,
    Customer,
    CustomerProperty,
    DepositEntry,
    OrgUnit,
    PassRoom,
    Property,
    RecordEvent,
)
from db.services import attachments, deposits
from db.services.attachments import AttachmentInfo, attachable, upload_names
from db.services.base import already_done, authorize, next_number, remember
from db.services.complaint_kernel import company_name
from db.services.duties import record_duties
from db.services.pass_kernel import (
    ENTITY,
    RECORD_TYPE,
    load,
    policy_for,
    record,
    rooms_of,
    set_return_duty,
    today,
)
from db.services.policy import current_policy
from db.services.timeline import timeline
from db.session import read_session, write_session

TIMELINE_LIMIT = 200


def _photo_added(s: Session, p: AccessPass, files: Sequence[CleanUpload], actor: Actor, now: datetime) -> None:
    record(s, p, actor=actor, action="attachment", now=now, note=f"上传照片 {upload_names(files)}"[:500])


attachable(RECORD_TYPE, model=AccessPass, view=Action.PASS_GATE, add=Action.PASS_ISSUE, max_kb_key="pass.photo_max_kb",
           on_added=_photo_added)


@dataclass(kw_only=True)
class PassIn:
    """A pass to issue: type and purpose (policy-book codes), holder, rooms, applicant, validity, receipt."""

    office_id: int
    pass_type: str
    holder_name: str
    id_type: str
    id_number: str
    room_ids: list[int]
    applicant_kind: str
    applicant_name: str
    valid_from: date
    valid_to: date
    purpose: str = ""
    phone: str = ""
    employer: str = ""
    decoration_until: date | None = None  # the approved decoration period's end, as the clerk reads it
    receipt_no: str = ""
    original_verified: bool = False  # 住户卡: the ID original was checked
    photo: list[tuple[str, bytes]] = field(default_factory=list)


def _clean(data: PassIn, now: datetime) -> tuple[str, str]:
    """Input checks that need no database: the holder, the ID number (check digit), the phone, the applicant."""
    if not (data.holder_name or "").strip():
        raise DomainError("请填写持证人姓名", field="holder_name")
    if len(data.holder_name.strip()) > 64:
        raise DomainError("持证人姓名最多 64 字", field="holder_name")
    number = check_id(data.id_type, data.id_number, today=today(now))
    if not number:
        raise DomainError("请填写持证人证件号", field="id_number")
    phone = check_phone(data.phone, name="持证人电话")
    if data.applicant_kind not in rules.ApplicantKind._value2member_map_:
        raise DomainError("请选择申请人身份", field="applicant_kind", clause=rules.cite("第2条"))
    if not (data.applicant_name or "").strip():
        raise DomainError("请填写申请人姓名", field="applicant_name", clause=rules.cite("第2条"))
    if not data.room_ids:
        raise DomainError("请选择出入证服务的房屋", field="room_ids")
    if len(data.employer or "") > 100 or len(data.receipt_no or "") > 32:
        raise DomainError("施工单位最多 100 字，收据号最多 32 位")
    return number, phone


def _rooms(s: Session, data: PassIn) -> list[tuple[int, str]]:
    if s.exec(select(OrgUnit.kind).where(OrgUnit.id == data.office_id)).first() != "office":
        raise DomainError("请选择管理处", field="office_id")
    ids = list(dict.fromkeys(data.room_ids))
    rows = s.exec(select(Property.id, Property.label).where(Property.id.in_(ids), Property.office_id == data.office_id)
                  ).all()
    if len(rows) != len(ids):
        raise DomainError("所选房屋不属于该管理处", field="room_ids")
    labels = dict(rows)
    return [(pid, labels[pid]) for pid in ids]


def _check_resident(s: Session, data: PassIn, number: str, room_id: int, policy: PolicyBook, day: date) -> None:
    """住户卡 (第1条): one room; the holder is an owner or occupant of it in the archive; the original was checked;
    no more active cards in the household than the policy book allows."""
    if len(data.room_ids) != 1:
        raise DomainError("住户卡只能对应一户房屋", field="room_ids", clause=rules.cite("第1条"))
    linked = s.exec(select(CustomerProperty.id).join(Customer, Customer.id == CustomerProperty.customer_id).where(
        CustomerProperty.property_id == room_id, Customer.id_number == number, Customer.office_id == data.office_id,
        Customer.active, or_(CustomerProperty.until.is_(None), CustomerProperty.until >= day))).first()
    if linked is None:
        raise DomainError("持证人不是该房屋档案中的业主或住户，不能办理住户卡（请先在客户档案中登记）",
                          field="id_number", clause=rules.cite("第1条"))
    if not data.original_verified:
        raise DomainError("办理住户卡须核验身份证原件，请勾选“原件已核验”", field="original_verified",
                          clause=rules.cite("第1条"))
    cards = s.exec(select(func.count()).select_from(AccessPass).where(
        AccessPass.property_id == room_id, AccessPass.kind == "resident",
        AccessPass.state == rules.State.ISSUED.value)).one()
    rules.check_household(policy, int(cards))


def active_pass_of(s: Session, id_number: str, *, exclude: int | None = None) -> str | None:
    """The number of the person's pass still out (issued, expired or not), if any."""
    stmt = select(AccessPass.number).where(AccessPass.id_number == id_number,
                                           AccessPass.state == rules.State.ISSUED.value)
    if exclude is not None:
        stmt = stmt.where(AccessPass.id != exclude)
    return s.exec(stmt).first()


def new_number(s: Session, now: datetime) -> str:
    year = today(now).year
    return f"{rules.NUMBER_PREFIX}-{year}-{next_number(s, rules.NUMBER_PREFIX, year):06d}"


def issue(*, actor: Actor, data: PassIn, request_id: str | None, now: datetime) -> AccessPass:
    """发放: every issue-time rule, then the pass, its rooms, its deposit, its return duty and photo. Idempotent."""
    authorize(actor, Action.PASS_ISSUE, data.office_id)
    number, phone = _clean(data, now)
    photos = attachments.check_files(data.photo, record_type=RECORD_TYPE, now=now) if data.photo else []
    with write_session() as s:
        done = already_done(s, request_id, ENTITY)
        if done:
            return s.get(AccessPass, int(done))
        policy = current_policy(s, at=now)
        terms = rules.terms(policy, data.pass_type)
        purpose = "resident" if terms.kind == "resident" and not data.purpose else data.purpose
        clause = rules.check_validity(policy, kind=terms.kind, purpose=purpose, valid_from=data.valid_from,
                                      valid_to=data.valid_to, decoration_until=data.decoration_until)
        rooms = _rooms(s, data)
        if terms.kind == "resident":
            _check_resident(s, data, number, rooms[0][0], policy, today(now))
        rules.check_one_per_person(active_pass_of(s, number))
        if (terms.fee or terms.deposit) and not (data.receipt_no or "").strip():
            raise DomainError("收取工本费或押金须填写收据号", field="receipt_no", clause=rules.cite("第2、7条"))
        p = _insert(s, actor, data, id_number=number, phone=phone, purpose=purpose, rooms=rooms, terms=terms,
                    policy=policy, now=now)
        record(s, p, actor=actor, action="issue", now=now, citation=clause,
               note=f"发放{policy.row_label(rules.TYPES, p.pass_type)}，有效期至 {p.valid_to:%Y-%m-%d}",
               after={"number": p.number, "state": p.state, "holder_name": p.holder_name, "deposit": p.deposit})
        attachments.store(s, record_type=RECORD_TYPE, record=p, files=photos, actor=actor, now=now, caption="照片")
        remember(s, request_id, ENTITY, p.id)
        return p


def _insert(s: Session, actor: Actor, data: PassIn, *, id_number: str, phone: str, purpose: str,
            rooms: list[tuple[int, str]], terms: rules.Terms, policy: PolicyBook, now: datetime,
            replaces: AccessPass | None = None) -> AccessPass:
    p = AccessPass(number=new_number(s, now), office_id=data.office_id, pass_type=data.pass_type, kind=terms.kind,
                   purpose=purpose, holder_name=data.holder_name.strip(), id_type=data.id_type, id_number=id_number,
                   id_rtail=id_number[-6:][::-1], phone=phone, employer=(data.employer or "").strip(),
                   property_id=rooms[0][0], rooms_label="、".join(label for _, label in rooms)[:400],
                   applicant_kind=data.applicant_kind, applicant_name=data.applicant_name.strip(),
                   valid_from=data.valid_from, valid_to=data.valid_to, decoration_until=data.decoration_until,
                   fee=terms.fee, deposit=terms.deposit, receipt_no=(data.receipt_no or "").strip(),
                   original_verified=bool(data.original_verified), deposit_state="held" if terms.deposit else "",
                   replaces_id=replaces.id if replaces else None, issued_by=actor.user_id, issued_at=now,
                   policy_version=policy.version, created_at=now, updated_at=now)
    s.add(p)
    s.flush()
    for pid, _ in rooms:
        s.add(PassRoom(pass_id=p.id, property_id=pid))
    if terms.deposit:
        deposits.post(s, record_type=RECORD_TYPE, record_id=p.id, office_id=p.office_id, kind=EntryKind.COLLECT,
                      amount=terms.deposit, at=now, actor=actor, reason="发证收取押金", receipt_no=p.receipt_no)
    set_return_duty(s, p, policy, now=now, new_record=True)
    return p


def reissue(*, actor: Actor, pass_id: int, receipt_no: str, request_id: str | None, now: datetime) -> AccessPass:
    """补办 (第5条): a new pass with a new number for a lost one — paid for again (fee and deposit), valid to the
    same day, same holder and rooms. The lost pass's deposit was forfeited when it was reported."""
    with write_session() as s:
        old = load(s, actor, pass_id, Action.PASS_MANAGE)
        done = already_done(s, request_id, ENTITY)
        if done:
            return s.get(AccessPass, int(done))
        rules.require(rules.Op.REISSUE, old.state, reissued=old.reissued_as_id is not None)
        if today(now) > old.valid_to:
            raise DomainError("原出入证已过有效期，请重新办理新证", clause=rules.cite("第5、6条"))
        policy = current_policy(s, at=now)
        terms = rules.terms(policy, old.pass_type)
        if (terms.fee or terms.deposit) and not (receipt_no or "").strip():
            raise DomainError("补办须重新缴费，请填写收据号", field="receipt_no", clause=rules.cite("第5条"))
        rules.check_one_per_person(active_pass_of(s, old.id_number))
        data = PassIn(office_id=old.office_id, pass_type=old.pass_type, holder_name=old.holder_name,
                      id_type=old.id_type, id_number=old.id_number, room_ids=[], applicant_kind=old.applicant_kind,
                      applicant_name=old.applicant_name, valid_from=max(old.valid_from, today(now)),
                      valid_to=old.valid_to, purpose=old.purpose, employer=old.employer,
                      decoration_until=old.decoration_until, receipt_no=receipt_no, original_verified=True)
        p = _insert(s, actor, data, id_number=old.id_number, phone=old.phone, purpose=old.purpose,
                    rooms=rooms_of(s, old.id), terms=terms, policy=policy, now=now, replaces=old)
        p.original_verified = old.original_verified
        old.reissued_as_id = p.id
        record(s, old, actor=actor, action="reissue", now=now, citation=rules.cite("第5条"), from_state=old.state,
               note=f"已补办新证 {p.number}")
        record(s, p, actor=actor, action="issue", now=now, citation=rules.cite("第5条"),
               note=f"补办（原证 {old.number} 已挂失），有效期至 {p.valid_to:%Y-%m-%d}",
               after={"number": p.number, "state": p.state, "holder_name": p.holder_name, "deposit": p.deposit})
        remember(s, request_id, ENTITY, p.id)
        return p


# ----- the pass page ---------------------------------------------------------------------------------

@dataclass
class DutyLine:
    label: str
    due_at: datetime
    met_at: datetime | None
    state: str
    clause: str


@dataclass
class PassDetail:
    row: AccessPass
    status: rules.Status
    type_label: str
    purpose_label: str
    rooms: list[tuple[int, str]]
    events: list[RecordEvent]
    entries: list[DepositEntry]
    balance: Balance
    files: list[AttachmentInfo]
    duties: list[DutyLine]
    policy: PolicyBook
    company: str
    replaces_number: str = ""
    reissued_number: str = ""
    offered: dict[str, str | None] = field(default_factory=dict)  # op → None (allowed) or why not


def detail(*, actor: Actor, pass_id: int, now: datetime) -> PassDetail:
    """One pass with its rooms, timeline, deposit entries, photo list and return duty (read check first)."""
    with read_session() as s:
        p = load(s, actor, pass_id, Action.PASS_VIEW, lock=False)
        policy = policy_for(s, p, now)
        account = deposits.account_of(s, record_type=RECORD_TYPE, record_id=p.id)
        numbers = dict(s.exec(select(AccessPass.id, AccessPass.number).where(
            AccessPass.id.in_([i for i in (p.replaces_id, p.reissued_as_id) if i]))).all())
        duty_rows = [DutyLine(duty_spec(d.duty).label, d.due_at, d.met_at, d.state, d.clause)
                     for d in record_duties(s, record_type=RECORD_TYPE, record_id=p.id)]
        reissued = p.reissued_as_id is not None
        return PassDetail(
            row=p, status=rules.status(p.state, p.valid_to, today(now)),
            type_label=policy.row_label(rules.TYPES, p.pass_type),
            purpose_label=policy.row_label(rules.PURPOSES, p.purpose) if p.purpose else "—",
            rooms=rooms_of(s, p.id), events=timeline(s, record_type=RECORD_TYPE, record_id=p.id,
                                                     limit=TIMELINE_LIMIT).events,
            entries=deposits.entries(s, record_type=RECORD_TYPE, record_id=p.id), balance=deposits.balance(account),
            files=attachments.listed(s, RECORD_TYPE, p.id), duties=duty_rows, policy=policy, company=company_name(s),
            replaces_number=numbers.get(p.replaces_id, ""), reissued_number=numbers.get(p.reissued_as_id, ""),
            offered={op.value: rules.offered(op, p.state, reissued=reissued) for op in rules.Op})
