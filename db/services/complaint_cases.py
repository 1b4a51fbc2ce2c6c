"""顾客投诉案例库 (issue 15 item 3): a closed 重大/热点/重要 complaint owes its anonymised case within the policy
book's window (a duty on the complaint, opened when it is archived); the unit writes and submits it, the HQ 客服中心
publishes it for the whole company or returns it with a reason. Published cases are found by everyone by text,
tag, category and class.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, select

from core import complaint_cases as rules
from core import complaints as crules
from core.complaints import Grade, State
from core.errors import DomainError
from core.permissions import Action, Actor
from core.registry import WorkItem, work_provider
from db.models import Complaint, ComplaintCase, Customer, Duty, OrgUnit, Property
from db.models.base import as_utc
from db.services.base import (
    Page,
    already_done,
    audit,
    authorize,
    load_scoped,
    next_number,
    paginate,
    remember,
    scope_filter,
)
from db.services.complaint_kernel import hq_user_ids, load, policy_for, user_names
from db.services.duties import cancel_duty, meet_duty, open_duty
from db.services.notices import notify
from db.services.timeline import record_event
from db.session import read_session, write_session

ENTITY = rules.RECORD_TYPE.code
CASE_DUTY = dict(record_type=crules.RECORD_TYPE.code, duty=rules.SUBMIT.code)


# ----- hooks of the complaint workflow (complaint_flow.close / reopen) ----------------------------------------------

def owe_case(s: Session, c: Complaint, now: datetime) -> None:
    """Archived: a 重大/热点/重要 complaint owes its case within the window, unless one was submitted already."""
    if not rules.owes_case(c.grade):
        return
    written = s.exec(select(ComplaintCase.state).where(ComplaintCase.complaint_id == c.id)).first()
    if written in (rules.CaseState.SUBMITTED.value, rules.CaseState.PUBLISHED.value):
        return
    policy = policy_for(s, c, now)
    open_duty(s, **CASE_DUTY, record_id=c.id, office_id=c.office_id, started_at=now,
              due_at=rules.submit_due(now, policy), now=now, policy_version=c.policy_version,
              clause=policy.cite(rules.WITHIN))


def case_not_owed(s: Session, c: Complaint, now: datetime, note: str) -> None:
    """Reopened: the case is owed again only when it is archived again."""
    cancel_duty(s, **CASE_DUTY, record_id=c.id, at=now, note=note)


# ----- writing -------------------------------------------------------------------------------------------------------

def secrets_of_complaints(s: Session, complaints: list[Complaint]) -> dict[int, rules.Secrets]:
    """What identifies each complainant (name, phone, room; the linked customer's too), read in two queries: a case or
    a public notice may show none of it (the 公示 reuses it)."""
    customer_ids = {c.customer_id for c in complaints if c.customer_id}
    property_ids = {c.property_id for c in complaints if c.property_id}
    customers = {i: (n, p) for i, n, p in s.exec(select(Customer.id, Customer.name, Customer.phone)
                                                 .where(Customer.id.in_(customer_ids))).all()} if customer_ids else {}
    props = {i: (label, room) for i, label, room in s.exec(select(Property.id, Property.label, Property.room)
                                                            .where(Property.id.in_(property_ids))).all()} if property_ids else {}
    out = {}
    for c in complaints:
        name, phone = customers.get(c.customer_id, ("", ""))
        label, room = props.get(c.property_id, ("", ""))
        out[c.id] = rules.secrets_of(names=[c.complainant_name, name], phones=[c.complainant_phone, phone or ""],
                                     property_label=label, room=room)
    return out


def _secrets(s: Session, c: Complaint) -> rules.Secrets:
    return secrets_of_complaints(s, [c])[c.id]


@dataclass(frozen=True)
class Draft:
    complaint_number: str
    text: rules.CaseText


def draft_from(*, actor: Actor, complaint_id: int, now: datetime) -> Draft:
    """A starting text from the closed complaint with the complainant's name, phone and room taken out."""
    with read_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_CASE_WRITE, lock=False)
        secrets = _secrets(s, c)
        category = policy_for(s, c, now).row_label("complaint.categories", c.category)
    head = c.title or category
    summary = rules.anonymise(c.description if c.description.startswith(head) else f"{head}：{c.description}", secrets)
    return Draft(c.number, rules.CaseText(
        summary=summary[: rules.MAX_TEXT], cause="", handling=rules.anonymise(c.handling_result or "", secrets)[
            : rules.MAX_TEXT], result="", lessons="", prevention="", tags=(category,)))


def create(*, actor: Actor, complaint_id: int, text: rules.CaseText, request_id: str | None,
           now: datetime) -> ComplaintCase:
    """编写案例 from a closed complaint (one case per complaint), anonymised; a draft until submitted."""
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_CASE_WRITE)
        done = already_done(s, request_id, ENTITY)
        if done:
            return s.get(ComplaintCase, int(done))
        if State(c.state) != State.CLOSED:
            raise DomainError("只能从已归档的投诉编写案例", clause=rules.CLAUSE)
        if s.exec(select(ComplaintCase.id).where(ComplaintCase.complaint_id == c.id)).first():
            raise DomainError("这件投诉已有案例，请在案例列表中修改", clause=rules.CLAUSE)
        clean = rules.check_text(text, _secrets(s, c), for_submit=False)
        year = now.astimezone(policy_for(s, c, now).calendar().tz).year
        case = ComplaintCase(number=f"AL-{year}-{next_number(s, 'AL', year):05d}", complaint_id=c.id,
                             office_id=c.office_id, grade=c.grade, category=c.category, created_by=actor.user_id,
                             created_at=now, updated_at=now, **_fields(clean))
        s.add(case)
        s.flush()
        _record(s, case, actor=actor, action="complaint_case.create", now=now, note=f"据投诉 {c.number} 编写",
                from_state=None)
        remember(s, request_id, ENTITY, case.id)
        return case


def _fields(text: rules.CaseText) -> dict:
    return {key: getattr(text, key) for key, _ in rules.TEXT_FIELDS} | {"tags": rules.stored_tags(text.tags)}


def _text_of(case: ComplaintCase) -> rules.CaseText:
    return rules.CaseText(**{key: getattr(case, key) for key, _ in rules.TEXT_FIELDS}, tags=rules.tags_of(case.tags))


def _load(s: Session, actor: Actor, complaint_case_id: int, action: Action) -> ComplaintCase:
    return load_scoped(s, ComplaintCase, complaint_case_id, actor=actor, action=action, entity=ENTITY)


def update(*, actor: Actor, complaint_case_id: int, text: rules.CaseText, now: datetime) -> ComplaintCase:
    with write_session() as s:
        case = _load(s, actor, complaint_case_id, Action.COMPLAINT_CASE_WRITE)
        rules.check_state(case.state, rules.EDITABLE, "修改")
        clean = rules.check_text(text, _secrets(s, s.get(Complaint, case.complaint_id)), for_submit=False)
        before = _fields(_text_of(case))
        for key, value in _fields(clean).items():
            setattr(case, key, value)
        case.updated_at = now
        _record(s, case, actor=actor, action="complaint_case.update", now=now, note="修改案例", from_state=case.state,
                before=before)
        return case


def submit(*, actor: Actor, complaint_case_id: int, now: datetime) -> ComplaintCase:
    """提交总部: complete and anonymised; meets the complaint's 案例提交 duty (late if after its due time)."""
    with write_session() as s:
        case = _load(s, actor, complaint_case_id, Action.COMPLAINT_CASE_WRITE)
        rules.check_state(case.state, rules.EDITABLE, "提交")
        rules.check_text(_text_of(case), _secrets(s, s.get(Complaint, case.complaint_id)), for_submit=True)
        before = case.state
        case.state, case.submitted_at, case.submitted_by, case.updated_at = (rules.CaseState.SUBMITTED.value, now,
                                                                             actor.user_id, now)
        meet_duty(s, **CASE_DUTY, record_id=case.complaint_id, at=now, by=actor.user_id)
        _record(s, case, actor=actor, action="complaint_case.submit", now=now, note="提交总部客服中心",
                from_state=before)
        notify(s, recipient_user_ids=hq_user_ids(s), kind="info", title=f"新案例待发布：{case.number}",
               body=case.summary[:200], page=rules.PAGE, entity=ENTITY, entity_id=str(case.id),
               office_id=case.office_id, now=now)
        return case


def publish(*, actor: Actor, complaint_case_id: int, now: datetime) -> ComplaintCase:
    """发布 to the company's case library."""
    with write_session() as s:
        case = _load(s, actor, complaint_case_id, Action.COMPLAINT_CASE_PUBLISH)
        rules.check_state(case.state, frozenset({rules.CaseState.SUBMITTED}), "发布")
        case.state, case.published_at, case.published_by, case.updated_at = (rules.CaseState.PUBLISHED.value, now,
                                                                             actor.user_id, now)
        _record(s, case, actor=actor, action="complaint_case.publish", now=now, note="发布到案例库",
                from_state=rules.CaseState.SUBMITTED.value)
        return case


def return_case(*, actor: Actor, complaint_case_id: int, reason: str, now: datetime) -> ComplaintCase:
    """退回修改 with a reason; the unit edits and submits it again."""
    with write_session() as s:
        case = _load(s, actor, complaint_case_id, Action.COMPLAINT_CASE_PUBLISH)
        rules.check_state(case.state, frozenset({rules.CaseState.SUBMITTED}), "退回")
        case.return_reason = rules.check_reason(reason)
        case.state, case.updated_at = rules.CaseState.RETURNED.value, now
        _record(s, case, actor=actor, action="complaint_case.return", now=now, note=f"退回：{case.return_reason}",
                from_state=rules.CaseState.SUBMITTED.value)
        if case.submitted_by:
            notify(s, recipient_user_ids=[case.submitted_by], kind="info", title=f"案例 {case.number} 被退回修改",
                   body=case.return_reason, page=rules.PAGE, entity=ENTITY, entity_id=str(case.id),
                   office_id=case.office_id, now=now)
        return case


def _record(s: Session, case: ComplaintCase, *, actor: Actor, action: str, now: datetime, note: str,
            from_state: str | None, before: dict | None = None) -> None:
    """The timeline step (event: the action's last part) and the audit row (``action``: the full code)."""
    record_event(s, record_type=ENTITY, record_id=case.id, office_id=case.office_id, actor=actor,
                 event=action.removeprefix(f"{ENTITY}."), at=now, note=note, citation=rules.CLAUSE,
                 from_state=from_state, to_state=case.state)
    audit(s, actor=actor, action=action, entity=ENTITY, entity_id=case.id, office_id=case.office_id,
          summary=f"{case.number} {note}"[:500], before=before, after={"state": case.state})


# ----- reading -------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CaseRow:
    id: int
    number: str
    office: str
    grade: str
    category: str
    state: str
    summary: str
    tags: tuple[str, ...]
    published_at: datetime | None
    updated_at: datetime | None


def _rows(s: Session, result: Page) -> Page:
    names = dict(s.exec(select(OrgUnit.id, OrgUnit.name).where(
        OrgUnit.id.in_({c.office_id for c in result.rows}))).all()) if result.rows else {}
    rows = [CaseRow(c.id, c.number, names.get(c.office_id, ""), c.grade, c.category, c.state, c.summary[:120],
                    rules.tags_of(c.tags), as_utc(c.published_at), as_utc(c.updated_at)) for c in result.rows]
    return Page(rows=rows, total=result.total, page=result.page, page_size=result.page_size)


def library(*, actor: Actor, text: str = "", tag: str = "", category: str | None = None, grade: str | None = None,
            page: int = 1, page_size: int = 20) -> Page:
    """案例库: published cases of every office (company knowledge), newest first; text searches the write-up."""
    authorize(actor, Action.COMPLAINT_CASE_VIEW)
    stmt = select(ComplaintCase).where(ComplaintCase.state == rules.CaseState.PUBLISHED.value)
    if tag.strip():
        stmt = stmt.where(ComplaintCase.tags.contains(f",{tag.strip()},", autoescape=True))
    if text.strip():
        words = text.strip()[:40]
        stmt = stmt.where(or_(*(getattr(ComplaintCase, key).contains(words, autoescape=True)
                                for key in ("summary", "cause", "handling", "lessons", "prevention", "number"))))
    if category:
        stmt = stmt.where(ComplaintCase.category == category)
    if grade:
        stmt = stmt.where(ComplaintCase.grade == Grade(grade).value)
    with read_session() as s:
        return _rows(s, paginate(s, stmt, page=page, page_size=page_size,
                                 order_by=(ComplaintCase.published_at.desc(), ComplaintCase.id.desc())))


def office_cases(*, actor: Actor, state: str | None = None, office_id: int | None = None, page: int = 1,
                 page_size: int = 20) -> Page:
    """The cases written in the actor's offices (any state; headquarters: every office's), newest first."""
    action = Action.COMPLAINT_CASE_PUBLISH if actor.can(Action.COMPLAINT_CASE_PUBLISH) else Action.COMPLAINT_CASE_WRITE
    authorize(actor, action, office_id)
    stmt = scope_filter(select(ComplaintCase), ComplaintCase.office_id, actor.scope(action))
    if office_id:
        stmt = stmt.where(ComplaintCase.office_id == office_id)
    if state:
        stmt = stmt.where(ComplaintCase.state == rules.CaseState(state).value)
    with read_session() as s:
        return _rows(s, paginate(s, stmt, page=page, page_size=page_size,
                                 order_by=(ComplaintCase.updated_at.desc(), ComplaintCase.id.desc())))


@dataclass(frozen=True)
class OwedCase:
    complaint_id: int
    number: str
    title: str
    grade: str
    closed_at: datetime | None
    due_at: datetime
    overdue: bool
    case_id: int | None  # a draft (or returned case) already written for it
    case_state: str | None


def owed(*, actor: Actor, now: datetime, page: int = 1, page_size: int = 20) -> Page:
    """待编写: archived complaints of the actor's offices whose case is still owed, earliest due first."""
    authorize(actor, Action.COMPLAINT_CASE_WRITE)
    stmt = scope_filter(select(Duty.record_id, Complaint.number, Complaint.title, Complaint.grade, Complaint.closed_at,
                               Duty.due_at, ComplaintCase.id, ComplaintCase.state)
                        .join(Complaint, Complaint.id == Duty.record_id)
                        .outerjoin(ComplaintCase, ComplaintCase.complaint_id == Duty.record_id)
                        .where(Duty.duty == rules.SUBMIT.code, Duty.state == "open"),
                        Duty.office_id, actor.scope(Action.COMPLAINT_CASE_WRITE))
    with read_session() as s:
        result = paginate(s, stmt, page=page, page_size=page_size, order_by=(Duty.due_at, Duty.record_id))
    rows = [OwedCase(cid, number, title, grade, as_utc(closed), as_utc(due), as_utc(due) < now, case_id, case_state)
            for cid, number, title, grade, closed, due, case_id, case_state in result.rows]
    return Page(rows=rows, total=result.total, page=result.page, page_size=result.page_size)


@dataclass(frozen=True)
class CaseDetail:
    case: ComplaintCase
    office: str
    complaint_number: str
    submitted_by: str
    published_by: str
    may_edit: bool
    may_publish: bool


def detail(*, actor: Actor, complaint_case_id: int) -> CaseDetail:
    """One case: a published one for everyone in the company; a draft only in its office (and for headquarters)."""
    authorize(actor, Action.COMPLAINT_CASE_VIEW)
    with read_session() as s:
        case = s.get(ComplaintCase, complaint_case_id)
        if case is None or case.state != rules.CaseState.PUBLISHED.value:
            action = (Action.COMPLAINT_CASE_PUBLISH if actor.can(Action.COMPLAINT_CASE_PUBLISH)
                      else Action.COMPLAINT_CASE_WRITE)
            case = load_scoped(s, ComplaintCase, complaint_case_id, actor=actor, action=action, entity=ENTITY, lock=False,
                               missing="案例不存在或不在您的管理范围内")
        names = user_names(s, [case.submitted_by, case.published_by])
        number = s.exec(select(Complaint.number).where(Complaint.id == case.complaint_id)).one()
        office = s.exec(select(OrgUnit.name).where(OrgUnit.id == case.office_id)).one()
        s.expunge(case)
    return CaseDetail(case, office, number, names.get(case.submitted_by, ""), names.get(case.published_by, ""),
                      actor.can(Action.COMPLAINT_CASE_WRITE, case.office_id)
                      and rules.CaseState(case.state) in rules.EDITABLE,
                      actor.can(Action.COMPLAINT_CASE_PUBLISH, case.office_id)
                      and case.state == rules.CaseState.SUBMITTED.value)


@work_provider("complaint_cases")
def case_work(*, actor: Actor, now: datetime) -> list[WorkItem]:
    """典型案例待编写 (the unit) and 案例待发布 (headquarters)."""
    items = []
    with read_session() as s:
        if actor.can(Action.COMPLAINT_CASE_WRITE):
            n, due = s.exec(scope_filter(select(func.count(), func.min(Duty.due_at)).where(
                Duty.duty == rules.SUBMIT.code, Duty.state == "open"), Duty.office_id,
                actor.scope(Action.COMPLAINT_CASE_WRITE))).one()
            if n:
                items.append(WorkItem("典型案例待编写", int(n), rules.PAGE, due_at=as_utc(due), severity="info",
                                      source="complaint_cases"))
        if actor.can(Action.COMPLAINT_CASE_PUBLISH):
            n = s.exec(scope_filter(select(func.count()).select_from(ComplaintCase).where(
                ComplaintCase.state == rules.CaseState.SUBMITTED.value), ComplaintCase.office_id,
                actor.scope(Action.COMPLAINT_CASE_PUBLISH))).one()
            if n:
                items.append(WorkItem("案例待发布", int(n), rules.PAGE, severity="info", source="complaint_cases"))
    return items
