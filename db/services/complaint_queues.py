"""Complaint lists and queues (投诉处理's filters and queues) and the home page's complaint counts.

Every list pages in SQL within the actor's office scope; the home page counts each queue in the offices where the
actor does that work, so a count and the page it links to agree.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, func, or_
from sqlmodel import select

from core import complaint_duties as duty
from core import complaints as rules
from core.complaints import State
from core.duties import DutyState
from core.permissions import Action, Actor
from core.registry import WorkItem, work_provider
from db.models import Complaint, Duty, Notice
from db.services.base import Page, authorize, paginate, scope_filter
from db.services.complaint_kernel import ENTITY, LIST_PAGE
from db.services.policy import policy_in
from db.session import read_session

CALLBACK_PAGE = "views/complaints/callbacks.py"

QUEUES = {
    "": "全部",
    "mine": "我的投诉",
    "soon": "即将超期",
    "overdue": "已超期",
    "verify": "待验证",
    "callback": "待回访",
    "report": "通报未完成",
}


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


def _report_duties(s, actor: Actor, now: datetime) -> list[WorkItem]:
    """The office's 通报 not yet sent to every recipient, 快报 coming due (within the policy book's warning time, or
    late) and 专题报告 owed after archiving (投诉通报处理制度 二, 二.1): open duties where the actor reports."""
    hours = policy_in(s, at=now)["complaint.breaching_soon_hours"]
    found = []
    for spec, title, horizon in ((duty.REPORT, "投诉通报未完成", None),
                                 (duty.EXPRESS, "重大投诉快报待报送", now + timedelta(hours=hours)),
                                 (duty.SPECIAL, "专题报告待提交", None)):
        stmt = scope_filter(select(func.count(), func.coalesce(func.sum(case((Duty.due_at < now, 1), else_=0)), 0)),
                            Duty.office_id, actor.scope(Action.COMPLAINT_REPORT))
        stmt = stmt.select_from(Duty).where(Duty.record_type == ENTITY, Duty.duty == spec.code,
                                            Duty.state == DutyState.OPEN.value)
        if horizon is not None:
            stmt = stmt.where(Duty.due_at < horizon)
        total, late = s.exec(stmt).one()
        if total:
            found.append(WorkItem(title=title, count=int(total), page=LIST_PAGE, severity="danger" if late else "warning",
                                  source="投诉"))
    return found


@work_provider("complaints")
def my_work(*, actor: Actor, now: datetime) -> list[WorkItem]:
    if not actor.can(Action.COMPLAINT_VIEW):
        return []
    items = []
    # Each queue counted in the offices where the actor does that work: what its page lists (投诉回访 shows the
    # offices where they call back, not every office they may view).
    specs = [("mine", "我的投诉", "info", Action.COMPLAINT_VIEW), ("soon", "投诉即将超期", "warning", Action.COMPLAINT_VIEW),
             ("overdue", "投诉已超期", "danger", Action.COMPLAINT_VIEW)]
    if actor.can(Action.COMPLAINT_VERIFY):
        specs.append(("verify", "投诉待验证", "warning", Action.COMPLAINT_VERIFY))
    if actor.can(Action.COMPLAINT_CALLBACK):
        specs.append(("callback", "投诉待回访", "warning", Action.COMPLAINT_CALLBACK))
    with read_session() as s:
        # Counts only, in one session: the home page needs no rows (was a search with a first page per queue).
        for queue, title, severity, action in specs:
            scope = actor.scope(action)
            stmt = _filters(scope_filter(select(Complaint.id), Complaint.office_id, scope), actor=actor, now=now,
                            office_id=None, state=None, grade=None, category=None, since=None, until=None, text="",
                            queue=queue, s=s)
            total = int(s.exec(select(func.count()).select_from(stmt.subquery())).one())
            if total:
                items.append(WorkItem(title=title, count=total, page=CALLBACK_PAGE if queue == "callback" else LIST_PAGE,
                                      severity=severity, source="投诉"))
        if actor.can(Action.COMPLAINT_REPORT):
            items.extend(_report_duties(s, actor, now))
        unacked = s.exec(select(func.count()).select_from(Notice).where(
            Notice.recipient_user_id == actor.user_id, Notice.entity == ENTITY, Notice.kind == "report",
            Notice.acked_at == None, Notice.closed_at == None)).one()  # noqa: E711
    if unacked:
        items.append(WorkItem(title="投诉通报待确认", count=int(unacked), page=LIST_PAGE, severity="danger", source="投诉"))
    return items
