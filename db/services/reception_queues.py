"""The reception register's lists: the daily view (today's entries, open items, overdue replies and callbacks, by
clerk), the filtered register with its Excel export, the daily register form's rows, "my work" for the desk and for
whoever a contact is routed to, and the contacts' rows of the customer-history panel.

Every list pages in SQL within the actor's office scope; the counts are aggregated in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, bindparam, case, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import select

from core import reception as rules
from core.permissions import Action, Actor
from core.registry import WorkItem, work_provider
from db.models import Contact, Department, OrgUnit, Property, Staff, User
from db.services.base import EXPORT_LIMIT, Page, authorize, scope_filter
from db.services.complaint_kernel import company_name
from db.services.customer_history import HistoryRow, history_provider
from db.services.reception_kernel import DESK_PAGE, ROUTED_PAGE, staff_of
from db.session import read_session

QUEUES = {
    "": "全部",
    "open": "未关闭",
    "reply_overdue": "来函答复超期",
    "callback_overdue": "回电超期",
    "follow_up": "待我跟进",
    "routed_me": "转办给我",
}
_OPEN = [s.value for s in rules.OPEN_STATES]
_NOW = bindparam("now", type_=Contact.__table__.c.received_at.type)
_ME = bindparam("me", type_=Integer)
_MY_DEPT = bindparam("my_dept", type_=Integer)
QUEUE_CONDITIONS = {
    "open": (Contact.state.in_(_OPEN),),
    "reply_overdue": (Contact.replied_at == None, Contact.reply_due_at < _NOW),  # noqa: E711
    "callback_overdue": (Contact.callback_done_at == None, Contact.callback_due_at < _NOW),  # noqa: E711
    # what I logged that was answered, done or became a complaint: I check back with the customer (受理分类)
    "follow_up": (Contact.received_by == _ME, Contact.state.in_([s.value for s in rules.TRANSITIONS[rules.Op.FOLLOW_UP][0]])),
    "routed_me": (Contact.state == rules.State.DISPATCHED.value,
                  or_(Contact.routed_user_id == _ME, Contact.routed_department_id == _MY_DEPT)),
}

NEWEST_FIRST = (Contact.received_at.desc(), Contact.id.desc())
# the overdue queues, most overdue first: read along their open-deadline index (a 管理处's few, not its whole register)
QUEUE_ORDER = {"reply_overdue": (Contact.reply_due_at, Contact.id),
               "callback_overdue": (Contact.callback_due_at, Contact.id)}


def _my_dept(s, actor: Actor) -> int:
    staff = staff_of(s, actor.user_id)
    return staff.department_id if staff and staff.department_id else -1


def _conditions(s, actor: Actor, action: Action, *, now, office_id, channel, category, state, clerk_id, since, until,
                text, queue) -> tuple[list, dict]:
    """The register's filters as conditions on ``contact`` (scope first) and the queue's bind values."""
    scope = actor.scope(action)
    where = [] if scope is None else [Contact.office_id.in_(sorted(scope) or [-1])]
    for column, value in ((Contact.office_id, office_id), (Contact.channel, channel), (Contact.category, category),
                          (Contact.state, state), (Contact.received_by, clerk_id)):
        if value:
            where.append(column == value)
    if since:
        where.append(Contact.received_at >= since)
    if until:
        where.append(Contact.received_at < until)
    if (text or "").strip():
        like = f"%{text.strip()[:40]}%"
        where.append(or_(Contact.number.like(like), Contact.caller_name.like(like), Contact.content.like(like)))
    params = {}
    if queue in QUEUE_CONDITIONS:
        where.extend(QUEUE_CONDITIONS[queue])
        params = {"now": now, "me": actor.user_id, "my_dept": _my_dept(s, actor)}
    return where, params


def search(*, actor: Actor, now: datetime, office_id: int | None = None, channel: str | None = None,
           category: str | None = None, state: str | None = None, clerk_id: int | None = None,
           since: datetime | None = None, until: datetime | None = None, text: str = "", queue: str = "",
           page: int = 1, page_size: int = 30) -> Page:
    """The register, filtered: rows are (contact, clerk name), newest first (an overdue queue: most overdue first),
    paged in SQL (counted on contact alone: the clerk's name is joined only for the page shown)."""
    action = Action.RECEPTION_HANDLE if queue == "routed_me" else Action.RECEPTION_VIEW
    authorize(actor, action, office_id)
    page_size = max(1, min(int(page_size), EXPORT_LIMIT))
    with read_session() as s:
        where, params = _conditions(s, actor, action, now=now, office_id=office_id, channel=channel,
                                    category=category, state=state, clerk_id=clerk_id, since=since, until=until,
                                    text=text, queue=queue)
        total = int(s.exec(select(func.count()).select_from(Contact).where(*where).params(**params)).one())
        pages = max(1, -(-total // page_size))
        page = max(1, min(int(page), pages))
        rows = s.exec(select(Contact, User.display_name).join(User, User.id == Contact.received_by, isouter=True)
                      .where(*where).params(**params).order_by(*QUEUE_ORDER.get(queue, NEWEST_FIRST))
                      .offset((page - 1) * page_size).limit(page_size)).all()
    return Page(rows=rows, total=total, page=page, page_size=page_size)


def export_rows(*, actor: Actor, now: datetime, office_id: int | None = None, **filters) -> list:
    """Every row the filters match (up to the export limit) for the Excel export: only who may export."""
    authorize(actor, Action.RECEPTION_EXPORT, office_id)
    return list(search(actor=actor, now=now, office_id=office_id, page=1, page_size=EXPORT_LIMIT, **filters).rows)


def routed_to_me(*, actor: Actor, now: datetime, page: int = 1, page_size: int = 30) -> Page:
    """转办给我: contacts routed to me or my department, not yet done (in the offices where I handle them)."""
    return search(actor=actor, now=now, queue="routed_me", page=page, page_size=page_size)


@dataclass(frozen=True)
class DaySummary:
    """The daily view's header: the day's entries, and what is open/overdue now, with each clerk's line."""

    entries: int
    open_items: int
    reply_overdue: int
    callback_overdue: int
    by_clerk: list[tuple[int | None, str, int, int]]  # (user id, name, entries today, still open of them)


def day_summary(*, actor: Actor, now: datetime, since: datetime, until: datetime,
                office_id: int | None = None) -> DaySummary:
    authorize(actor, Action.RECEPTION_VIEW, office_id)
    scope = actor.scope(Action.RECEPTION_VIEW)

    def where(stmt):
        stmt = scope_filter(stmt, Contact.office_id, scope)
        return stmt.where(Contact.office_id == office_id) if office_id else stmt

    with read_session() as s:
        day = (Contact.received_at >= since, Contact.received_at < until)
        counts = select(
            where(select(func.count()).select_from(Contact).where(*day)).scalar_subquery(),
            where(select(func.count()).select_from(Contact).where(*QUEUE_CONDITIONS["open"])).scalar_subquery(),
            where(select(func.count()).select_from(Contact).where(
                *QUEUE_CONDITIONS["reply_overdue"])).scalar_subquery(),
            where(select(func.count()).select_from(Contact).where(
                *QUEUE_CONDITIONS["callback_overdue"])).scalar_subquery(),
        )
        entries, open_items, reply_late, callback_late = s.exec(counts.params(now=now)).one()
        still_open = func.sum(case((Contact.state.in_(_OPEN), 1), else_=0))
        rows = s.exec(where(select(Contact.received_by, User.display_name, func.count(), still_open)
                            .join(User, User.id == Contact.received_by, isouter=True).where(*day))
                      .group_by(Contact.received_by, User.display_name).order_by(func.count().desc())).all()
    return DaySummary(int(entries), int(open_items), int(reply_late), int(callback_late),
                      [(uid, name or "—", int(n), int(o or 0)) for uid, name, n, o in rows])


@dataclass(frozen=True)
class DailyRegister:
    """《客户来电来访登记表》 of one office and day: the rows for the PDF, in the order they came in."""

    company: str
    office_name: str
    day_label: str
    rows: list[tuple[Contact, str, str, str, str]]  # (contact, clerk name, receiver name, room, routed to)
    total: int


REGISTER_LIMIT = 500


def daily_register(*, actor: Actor, office_id: int, since: datetime, until: datetime, day_label: str) -> DailyRegister:
    authorize(actor, Action.RECEPTION_VIEW, office_id)
    with read_session() as s:
        routed_user = aliased(User)
        stmt = (select(Contact, User.display_name, Staff.name, Property.label,
                       func.coalesce(routed_user.display_name, Department.name))
                .join(User, User.id == Contact.received_by, isouter=True)
                .join(Staff, Staff.id == Contact.receiver_staff_id, isouter=True)
                .join(Property, Property.id == Contact.property_id, isouter=True)
                .join(routed_user, routed_user.id == Contact.routed_user_id, isouter=True)
                .join(Department, Department.id == Contact.routed_department_id, isouter=True)
                .where(Contact.office_id == office_id, Contact.received_at >= since, Contact.received_at < until))
        total = s.exec(select(func.count()).select_from(stmt.subquery())).one()
        rows = s.exec(stmt.order_by(Contact.received_at, Contact.id).limit(REGISTER_LIMIT)).all()
        office = s.get(OrgUnit, office_id)
        return DailyRegister(company=company_name(s), office_name=office.name if office else "", day_label=day_label,
                             rows=[(c, clerk or "", receiver or "", room or "", routed or "")
                                   for c, clerk, receiver, room, routed in rows], total=int(total))


# ----- my work -------------------------------------------------------------------------------------------


@work_provider("reception")
def my_work(*, actor: Actor, now: datetime) -> list[WorkItem]:
    """Routed to me or my department and not yet done; overdue letter replies and callbacks where I log contacts."""
    items: list[WorkItem] = []
    if not (actor.can(Action.RECEPTION_HANDLE) or actor.can(Action.RECEPTION_LOG)):
        return items
    with read_session() as s:
        if actor.can(Action.RECEPTION_HANDLE):
            routed = scope_filter(select(func.count()).select_from(Contact).where(*QUEUE_CONDITIONS["routed_me"]),
                                  Contact.office_id, actor.scope(Action.RECEPTION_HANDLE))
            n = s.exec(routed.params(me=actor.user_id, my_dept=_my_dept(s, actor))).one()
            if n:
                items.append(WorkItem(title="转办给我的来电来访", count=int(n), page=ROUTED_PAGE, severity="warning",
                                      source="前台接待"))
        if actor.can(Action.RECEPTION_LOG):
            scope = actor.scope(Action.RECEPTION_LOG)
            for queue, title in (("follow_up", "来电来访待跟进"), ("reply_overdue", "来函答复已超期"),
                                 ("callback_overdue", "来电回电已超期")):
                stmt = scope_filter(select(func.count()).select_from(Contact).where(*QUEUE_CONDITIONS[queue]),
                                    Contact.office_id, scope)
                n = s.exec(stmt.params(now=now, me=actor.user_id)).one()
                if n:
                    items.append(WorkItem(title=title, count=int(n), page=DESK_PAGE,
                                          severity="info" if queue == "follow_up" else "danger", source="前台接待"))
    return items


# ----- the customer-history panel -------------------------------------------------------------------------


@history_provider("contact")
def contact_history(s, *, actor: Actor, customer_id: int, limit: int) -> list[HistoryRow]:
    """A customer's earlier calls, visits, letters and online messages (within the actor's scope)."""
    if not actor.can(Action.RECEPTION_VIEW):
        return []
    stmt = scope_filter(select(Contact).where(Contact.customer_id == customer_id), Contact.office_id,
                        actor.scope(Action.RECEPTION_VIEW))
    rows = s.exec(stmt.order_by(Contact.received_at.desc(), Contact.id.desc()).limit(limit)).all()
    return [HistoryRow(at=c.received_at, kind=rules.CHANNEL_LABELS[rules.Channel(c.channel)], number=c.number,
                       summary=c.content[:60], state=rules.STATE_LABELS[rules.State(c.state)], page=DESK_PAGE,
                       record_id=c.id) for c in rows]
