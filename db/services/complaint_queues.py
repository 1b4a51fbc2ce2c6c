"""Complaint lists and queues (投诉处理's filters and queues) and the home page's complaint counts.

Every list pages in SQL within the actor's office scope; the home page counts each queue in the offices where the
actor does that work, so a count and the page it links to agree.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Boolean, Integer, bindparam, case, func, or_
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
    "callback_overdue": "回访超期",
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


_OPEN = [x.value for x in rules.OPEN_STATES]
_ME = bindparam("me", type_=Integer)
_NOW = bindparam("now", type_=Complaint.__table__.c.due_at.type)
_SOON_UNTIL = bindparam("soon_until", type_=Complaint.__table__.c.due_at.type)
# Each queue's condition, defined once: the list filters by it, the home page counts it. Built at import with
# bind parameters (me, now, soon_until), so a call only binds values and SQLAlchemy reuses the compiled statement.
QUEUE_CONDITIONS = {
    "mine": (or_(Complaint.handler_user_id == _ME, Complaint.created_by == _ME), Complaint.state.in_(_OPEN)),
    "soon": (Complaint.state.in_(_OPEN), Complaint.handled_at == None,  # noqa: E711
             Complaint.due_at >= _NOW, Complaint.due_at < _SOON_UNTIL),
    # core.complaints.handling_overdue: a result in time is not late while it awaits 验证
    "overdue": (Complaint.state.in_(_OPEN), Complaint.due_at < _NOW,
                or_(Complaint.handled_at == None, Complaint.handled_at > Complaint.due_at)),  # noqa: E711
    "verify": (Complaint.state == State.HANDLED.value,),
    "callback": (Complaint.state == State.VERIFIED.value,),
    # the callback deadline has passed (投诉回访 第3条)
    "callback_overdue": (Complaint.state == State.VERIFIED.value, Complaint.callback_due_at < _NOW),
    "report": (Complaint.report_due_at != None, Complaint.reported_at == None),  # noqa: E711
}


def _queue_params(s, actor: Actor, now: datetime) -> dict:
    hours = policy_in(s, at=now)["complaint.breaching_soon_hours"]
    return {"me": actor.user_id, "now": now, "soon_until": now + timedelta(hours=hours)}


def _filters(stmt, *, actor, now, office_id, state, grade, category, since, until, text, queue, s):
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
    if queue in QUEUE_CONDITIONS:
        stmt = stmt.where(*QUEUE_CONDITIONS[queue]).params(**_queue_params(s, actor, now))
    return stmt


def _in_scope(office_column, name: str):
    """Rows in the offices bound as ``offices_<name>``, or everywhere when ``all_<name>`` (``_scope_params``): the
    actor's scope as bind parameters, so the statement is built once."""
    return or_(bindparam(f"all_{name}", type_=Boolean), office_column.in_(bindparam(f"offices_{name}", expanding=True)))


def _scope_params(name: str, scope: frozenset[int] | None) -> dict:
    return {f"all_{name}": scope is None, f"offices_{name}": sorted(scope or ())}


def _count(scope_name: str, queue: str):
    """One queue's count in the offices of ``scope_name``."""
    return select(func.count()).select_from(Complaint).where(_in_scope(Complaint.office_id, scope_name),
                                                             *QUEUE_CONDITIONS[queue]).scalar_subquery()


# The home page's complaint counts in one statement (one round trip, each count on its index); the 投诉待验证 and
# 投诉待回访 counts in the offices where the actor verifies / calls back: what those pages list.
_HOME_QUEUES = (("mine", "我的投诉", "info", "view"), ("soon", "投诉即将超期", "warning", "view"),
                ("overdue", "投诉已超期", "danger", "view"), ("verify", "投诉待验证", "warning", "verify"),
                ("callback", "投诉待回访", "warning", "callback"),
                ("callback_overdue", "投诉回访已超期", "danger", "callback"))
_HOME_COUNTS = select(*(_count(scope_name, queue) for queue, _, _, scope_name in _HOME_QUEUES),
                      select(func.count()).select_from(Notice).where(
                          Notice.recipient_user_id == _ME, Notice.entity == ENTITY, Notice.kind == "report",
                          Notice.acked_at == None, Notice.closed_at == None).scalar_subquery())  # noqa: E711
_SCOPE_ACTIONS = {"view": Action.COMPLAINT_VIEW, "verify": Action.COMPLAINT_VERIFY,
                  "callback": Action.COMPLAINT_CALLBACK}


_REPORT_DUTIES = ((duty.REPORT.code, "投诉通报未完成", False), (duty.EXPRESS.code, "重大投诉快报待报送", True),
                  (duty.SPECIAL.code, "专题报告待提交", False))  # (duty, title, only when coming due)


def _report_count(code: str, coming_due: bool):
    """One kind's open duties (and how many are late) in the offices where the actor reports."""
    conditions = [_in_scope(Duty.office_id, "report"), Duty.duty == code, Duty.state == DutyState.OPEN.value, Duty.record_type == ENTITY]
    if coming_due:
        conditions.append(Duty.due_at < _SOON_UNTIL)
    late = func.coalesce(func.sum(case((Duty.due_at < _NOW, 1), else_=0)), 0)
    return (select(func.count()).select_from(Duty).where(*conditions).scalar_subquery(),
            select(late).select_from(Duty).where(*conditions).scalar_subquery())


# The office's 通报 not yet sent to every recipient, 快报 coming due (within the policy book's warning time, or late)
# and 专题报告 owed after archiving (投诉通报处理制度 二, 二.1): open duties where the actor reports, in one statement
# built once (each count on the open-duty index by kind).
_REPORT_COUNTS = select(*(col for code, _, soon in _REPORT_DUTIES for col in _report_count(code, soon)))


def _report_duties(s, actor: Actor, queue_params: dict) -> list[WorkItem]:
    row = s.exec(_REPORT_COUNTS.params(**_scope_params("report", actor.scope(Action.COMPLAINT_REPORT)),
                                       **queue_params)).one()
    found = []
    for i, (_, title, _) in enumerate(_REPORT_DUTIES):
        total, late = row[2 * i], row[2 * i + 1]
        if total:
            found.append(WorkItem(title=title, count=int(total), page=LIST_PAGE, severity="danger" if late else "warning",
                                  source="投诉"))
    return found


@work_provider("complaints")
def my_work(*, actor: Actor, now: datetime) -> list[WorkItem]:
    if not actor.can(Action.COMPLAINT_VIEW):
        return []
    params: dict = {}
    for name, action in _SCOPE_ACTIONS.items():
        params |= _scope_params(name, actor.scope(action) if actor.can(action) else frozenset())
    with read_session() as s:
        queue_params = _queue_params(s, actor, now)
        *counts, unacked = s.exec(_HOME_COUNTS.params(**params, **queue_params)).one()
        reports = _report_duties(s, actor, queue_params) if actor.can(Action.COMPLAINT_REPORT) else []
    items = [WorkItem(title=title, count=int(n), page=CALLBACK_PAGE if queue.startswith("callback") else LIST_PAGE,
                      severity=severity, source="投诉")
             for (queue, title, severity, _), n in zip(_HOME_QUEUES, counts, strict=True) if n]
    items.extend(reports)
    if unacked:
        items.append(WorkItem(title="投诉通报待确认", count=int(unacked), page=LIST_PAGE, severity="danger", source="投诉"))
    return items
