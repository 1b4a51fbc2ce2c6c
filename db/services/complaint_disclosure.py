"""投诉公示 (issue 15 item 4): once a month is over every 管理处 owes the publication of how it handled the month's
complaints about common areas, disputes between owners and shared problems (a duty due by the end of the next
month); a month without such complaints is skipped by itself. A publication records its date, channel (第2条) and a
photo of the notice or a link; the notice itself prints as a PDF with the complaints anonymised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_
from sqlmodel import Session, select

from core import complaint_disclosure as rules
from core import complaint_stats as months
from core import complaints as crules
from core.complaints import Category
from core.duties import DutyStatus, status
from core.errors import DomainError
from core.pdf.complaint_disclosure_forms import disclosure_notice
from core.permissions import Action, Actor
from core.registry import WorkItem, daily_job, work_provider
from db.models import Complaint, ComplaintDisclosure, ComplaintPublication, OrgUnit
from db.models.base import as_utc
from db.services import attachments
from db.services.base import already_done, audit, authorize, load_scoped, remember, scope_filter
from db.services.complaint_cases import secrets_of_complaints
from db.services.complaint_kernel import company_name
from db.services.duties import meet_duty, open_duty
from db.services.policy import current_policy, policy_in
from db.services.timeline import record_event
from db.session import read_session, write_session

ENTITY = rules.RECORD_TYPE.code
VIEW = Action.COMPLAINT_EXPORT  # headquarters and the office's supervisors read the tasks
NOTICE_LIMIT = 200  # complaints printed on one notice (a 管理处's month holds far fewer publishable ones)

attachments.attachable(ENTITY, model=ComplaintDisclosure, view=VIEW, add=Action.COMPLAINT_DISCLOSE,
                       max_kb_key="complaint.attachment_max_kb")


def _publishable(start: datetime, end: datetime):
    return (Complaint.received_at >= start, Complaint.received_at < end,
            or_(Complaint.common_area, Complaint.same_issue_group_id.is_not(None),
                Complaint.category == Category.NEIGHBOUR.value))


# ----- the month's tasks -----------------------------------------------------------------------------------------

@daily_job("complaint_disclosure")
def open_last_month(*, now: datetime) -> dict:
    """Once a month is over: every active 管理处 gets its task — pending (with its duty) when the month had
    publishable complaints and the book asks for a publication, skipped otherwise."""
    with write_session() as s:
        policy = current_policy(s, at=now)
        month = months.previous_month(months.first_of_month(now.astimezone(policy.calendar().tz).date()))
        have = set(s.exec(select(ComplaintDisclosure.office_id).where(ComplaintDisclosure.month == month)).all())
        offices = [i for i in s.exec(select(OrgUnit.id).where(OrgUnit.kind == "office", OrgUnit.active)).all()
                   if i not in have]
        start, end = months.month_range(month, policy)
        counts = dict(s.exec(select(Complaint.office_id, func.count()).where(*_publishable(start, end))
                             .group_by(Complaint.office_id)).all()) if offices else {}
        opened = skipped = 0
        for office_id in offices:
            n, owed = int(counts.get(office_id, 0)), rules.required(policy)
            state = rules.TaskState.PENDING if n and owed else rules.TaskState.SKIPPED
            task = ComplaintDisclosure(office_id=office_id, month=month, state=state.value, complaints=n, required=owed,
                                       due_at=rules.due_at(month, policy), policy_version=policy.version,
                                       created_at=now, updated_at=now)
            s.add(task)
            s.flush()
            if state == rules.TaskState.PENDING:
                open_duty(s, record_type=ENTITY, record_id=task.id, office_id=office_id, duty=rules.PUBLISH.code,
                          started_at=end, due_at=task.due_at, now=now, policy_version=policy.version, new_record=True)
                opened += 1
            else:
                skipped += 1
            note = (f"{month:%Y年%m月}可公示投诉 {n} 件，应公示 {owed} 次" if state == rules.TaskState.PENDING
                    else f"{month:%Y年%m月}无需公示（可公示投诉 {n} 件）")
            _record(s, task, actor=None, now=now, note=note, from_state=None,
                    action="complaint_disclosure.open" if state == rules.TaskState.PENDING else "complaint_disclosure.skip")
    return {"month": month.isoformat(), "opened": opened, "skipped": skipped}


@dataclass(frozen=True)
class TaskRow:
    id: int
    office_id: int
    office: str
    month: date
    state: str
    state_label: str
    complaints: int
    publications: int
    required: int
    due_at: datetime
    duty: DutyStatus | None  # None: skipped (nothing owed)


DUTY_LABELS = {DutyStatus.OPEN: "未到期", DutyStatus.OVERDUE: "已逾期未公示", DutyStatus.MET_ON_TIME: "按时公示",
               DutyStatus.MET_LATE: "逾期公示", DutyStatus.CANCELLED: "无需公示"}


def tasks(*, actor: Actor, month: date, now: datetime, office_id: int | None = None) -> list[TaskRow]:
    """The month's publication tasks in the actor's offices (headquarters: every office)."""
    authorize(actor, VIEW, office_id)
    month = months.first_of_month(month)
    stmt = scope_filter(select(ComplaintDisclosure, OrgUnit.name).join(OrgUnit, OrgUnit.id == ComplaintDisclosure.office_id)
                        .where(ComplaintDisclosure.month == month), ComplaintDisclosure.office_id, actor.scope(VIEW))
    if office_id:
        stmt = stmt.where(ComplaintDisclosure.office_id == office_id)
    with read_session() as s:
        rows = s.exec(stmt.order_by(OrgUnit.code)).all()
    out = []
    for t, name in rows:
        state = rules.TaskState(t.state)
        done_at = as_utc(t.updated_at) if state == rules.TaskState.DONE else None
        duty = None if state == rules.TaskState.SKIPPED else status(due_at=as_utc(t.due_at), met_at=done_at, now=now)
        out.append(TaskRow(t.id, t.office_id, name, t.month, t.state, rules.STATE_LABELS[state], t.complaints,
                           t.publications, t.required, as_utc(t.due_at), duty))
    return out


@dataclass(frozen=True)
class NoticeItem:
    number: str
    category: str
    matter: str  # anonymised
    handling: str  # anonymised
    state: str


def _load(s: Session, actor: Actor, disclosure_id: int, action: Action) -> ComplaintDisclosure:
    return load_scoped(s, ComplaintDisclosure, disclosure_id, actor=actor, action=action, entity=ENTITY,
                       lock=action != VIEW, missing="公示任务不存在或不在您的管理范围内")


def _items(s: Session, task: ComplaintDisclosure, now: datetime) -> list[NoticeItem]:
    policy = policy_in(s, at=now)
    start, end = months.month_range(task.month, policy)
    rows = s.exec(select(Complaint).where(Complaint.office_id == task.office_id, *_publishable(start, end))
                  .order_by(Complaint.received_at, Complaint.id).limit(NOTICE_LIMIT)).all()
    secrets = secrets_of_complaints(s, rows)
    return [NoticeItem(c.number, policy.row_label("complaint.categories", c.category),
                       rules.notice_line(c.title or c.description[:60], secrets[c.id]),
                       rules.notice_line(c.handling_result or "正在处理", secrets[c.id])[:200],
                       crules.STATE_LABELS[crules.State(c.state)]) for c in rows]


def notice_items(*, actor: Actor, disclosure_id: int, now: datetime) -> list[NoticeItem]:
    """The complaints the notice lists (the month's publishable ones of the office), anonymised."""
    with read_session() as s:
        return _items(s, _load(s, actor, disclosure_id, VIEW), now)


def notice_pdf(*, actor: Actor, disclosure_id: int, now: datetime, tz) -> bytes:
    """The notice to put up (公告栏) or post (小区网站), on A4 with the company header."""
    with read_session() as s:
        task = _load(s, actor, disclosure_id, VIEW)
        items = _items(s, task, now)
        office = s.get(OrgUnit, task.office_id).name
        company = company_name(s)
    return disclosure_notice(items=[(i.number, i.category, i.matter, i.handling, i.state) for i in items],
                             company=company, office=office, month=task.month,
                             number=f"GS-{task.month:%Y%m}-{task.office_id:03d}", printed_at=now.astimezone(tz))


@dataclass(frozen=True)
class PublicationRow:
    published_on: date
    channel: str
    link: str
    note: str


def publications(*, actor: Actor, disclosure_id: int) -> list[PublicationRow]:
    with read_session() as s:
        task = _load(s, actor, disclosure_id, VIEW)
        rows = s.exec(select(ComplaintPublication).where(ComplaintPublication.disclosure_id == task.id)
                      .order_by(ComplaintPublication.published_on, ComplaintPublication.id)).all()
    return [PublicationRow(r.published_on, rules.CHANNELS.get(r.channel, r.channel), r.link, r.note) for r in rows]


def publish(*, actor: Actor, disclosure_id: int, publication: rules.Publication, photos: list[tuple[str, bytes]],
            request_id: str | None, now: datetime) -> ComplaintDisclosure:
    """登记公示: when, where, and the photo of the notice or the link; enough publications meet the month's duty."""
    files = attachments.check_files(photos, record_type=ENTITY, now=now) if photos else []  # CPU: before the lock
    with write_session() as s:
        task = _load(s, actor, disclosure_id, Action.COMPLAINT_DISCLOSE)
        done = already_done(s, request_id, ENTITY)
        if done:
            return s.get(ComplaintDisclosure, int(done))
        if task.state == rules.TaskState.SKIPPED.value:
            raise DomainError("该月没有需要公示的投诉，无需登记公示", clause=rules.CLAUSE)
        policy = policy_in(s, at=now)
        clean = rules.check_publication(publication, month=task.month,
                                        today=now.astimezone(policy.calendar().tz).date(), has_photo=bool(files))
        s.add(ComplaintPublication(disclosure_id=task.id, office_id=task.office_id, published_on=clean.published_on,
                                   channel=clean.channel, link=clean.link, note=clean.note, created_by=actor.user_id,
                                   created_at=now))
        attachments.store(s, record_type=ENTITY, record=task, files=files, actor=actor, now=now,
                          caption=f"{rules.CHANNELS[clean.channel]} {clean.published_on:%Y-%m-%d}")
        before = task.state
        task.publications += 1
        task.state = rules.TaskState.DONE.value if task.publications >= task.required else rules.TaskState.PENDING.value
        task.updated_at = now
        if before != task.state:
            meet_duty(s, record_type=ENTITY, record_id=task.id, duty=rules.PUBLISH.code, at=now, by=actor.user_id)
        _record(s, task, actor=actor, action="complaint_disclosure.publish", now=now, from_state=before,
                note=f"{clean.published_on:%Y-%m-%d} 于{rules.CHANNELS[clean.channel]}公示（第 {task.publications} 次）")
        remember(s, request_id, ENTITY, task.id)
        return task


def _record(s: Session, task: ComplaintDisclosure, *, actor: Actor | None, action: str, now: datetime, note: str,
            from_state: str | None) -> None:
    record_event(s, record_type=ENTITY, record_id=task.id, office_id=task.office_id, actor=actor,
                 event=action.removeprefix(f"{ENTITY}."), at=now, note=note, citation=rules.CLAUSE,
                 from_state=from_state, to_state=task.state)
    audit(s, actor=actor, action=action, entity=ENTITY, entity_id=task.id, office_id=task.office_id,
          summary=note[:500], after={"state": task.state})


@work_provider("complaint_disclosure")
def disclosure_work(*, actor: Actor, now: datetime) -> list[WorkItem]:
    """投诉处理情况待公示 in the offices where the actor publishes."""
    if not actor.can(Action.COMPLAINT_DISCLOSE):
        return []
    stmt = scope_filter(select(func.count(), func.min(ComplaintDisclosure.due_at)).where(
        ComplaintDisclosure.state == rules.TaskState.PENDING.value), ComplaintDisclosure.office_id,
        actor.scope(Action.COMPLAINT_DISCLOSE))
    with read_session() as s:
        n, due = s.exec(stmt).one()
    return [WorkItem("投诉处理情况待公示", int(n), rules.PAGE, due_at=as_utc(due), severity="warning",
                     source="complaint_disclosure")] if n else []
