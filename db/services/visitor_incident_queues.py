"""Office-visitor incident lists: the list page (filters, paged in SQL), the daily view's section, my work.

Every list reads the actor's office scope and pages with LIMIT/OFFSET and a COUNT in SQL (indexes of 0014).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import case, func
from sqlmodel import select

from core import visitor_incidents as rules
from core.duties import DutyState
from core.permissions import Action, Actor
from core.registry import WorkItem, work_provider
from db.models import Duty, VisitorIncident
from db.services.base import Page, authorize, paginate, scope_filter
from db.services.policy import policy_in
from db.session import read_session

LIST_PAGE = rules.RECORD_TYPE.page
# by kind, so the open-duty index by kind and due time (0013_home_counts) answers "my work" without the record type
DUTY_CODES = [rules.RECEIVE.code, rules.ESCALATE.code, rules.REPORT.code]
_OPEN = [s.value for s in rules.OPEN_STATES]


def search(*, actor: Actor, office_id: int | None = None, visit_class: str | None = None, state: str | None = None,
           since: datetime | None = None, until: datetime | None = None, page: int = 1,
           page_size: int = 30) -> Page:
    """The list page: newest visit first, filtered by office, class, state and arrival period."""
    authorize(actor, Action.VISITOR_INCIDENT_VIEW, office_id)
    with read_session() as s:
        stmt = scope_filter(select(VisitorIncident), VisitorIncident.office_id,
                            actor.scope(Action.VISITOR_INCIDENT_VIEW))
        if office_id:
            stmt = stmt.where(VisitorIncident.office_id == office_id)
        if visit_class:
            stmt = stmt.where(VisitorIncident.visit_class == visit_class)
        if state == "open":
            stmt = stmt.where(VisitorIncident.state.in_(_OPEN))
        elif state:
            stmt = stmt.where(VisitorIncident.state == state)
        if since:
            stmt = stmt.where(VisitorIncident.arrived_at >= since)
        if until:
            stmt = stmt.where(VisitorIncident.arrived_at < until)
        return paginate(s, stmt, page=page, page_size=page_size,
                        order_by=[VisitorIncident.arrived_at.desc(), VisitorIncident.id.desc()])


def day_list(*, actor: Actor, day: date, office_ids: Iterable[int] | None = None, limit: int = 50,
             offset: int = 0) -> tuple[list[VisitorIncident], int]:
    """The daily view's incidents: those that arrived on ``day`` (the company's local day), plus the ones still open
    from earlier days, in the actor's scope (narrowed to ``office_ids``): the day's first, then the earlier open ones,
    newest first in each (the page shows the first ``limit``: the day's never drop behind a backlog); and their total."""
    scope = actor.scope(Action.VISITOR_INCIDENT_VIEW)
    offices = None if office_ids is None else frozenset(office_ids)
    authorize(actor, Action.VISITOR_INCIDENT_VIEW, next(iter(offices)) if offices and len(offices) == 1 else None)
    if offices is not None:
        scope = offices if scope is None else scope & offices
    with read_session() as s:
        tz = policy_in(s, at=datetime.combine(day, time(12), UTC)).calendar().tz
        start = datetime.combine(day, time(0), tz)
        stmt = scope_filter(select(VisitorIncident), VisitorIncident.office_id, scope).where(
            ((VisitorIncident.arrived_at >= start) & (VisitorIncident.arrived_at < start + timedelta(days=1)))
            | ((VisitorIncident.arrived_at < start) & VisitorIncident.state.in_(_OPEN)))
        total = int(s.exec(select(func.count()).select_from(stmt.subquery())).one())
        of_the_day = case((VisitorIncident.arrived_at >= start, 0), else_=1)
        rows = list(s.exec(stmt.order_by(of_the_day, VisitorIncident.arrived_at.desc(), VisitorIncident.id.desc())
                           .offset(max(0, int(offset))).limit(max(1, min(int(limit), 500)))).all())
    return rows, total


@work_provider("visitor_incidents")
def my_work(*, actor: Actor, now: datetime) -> list[WorkItem]:
    """Open incidents in the actor's offices, and their overdue deadlines (接待/上报/书面报告)."""
    if not actor.can(Action.VISITOR_INCIDENT_HANDLE):
        return []
    scope = actor.scope(Action.VISITOR_INCIDENT_HANDLE)
    with read_session() as s:
        open_count = s.exec(scope_filter(select(func.count()).select_from(VisitorIncident), VisitorIncident.office_id,
                                         scope).where(VisitorIncident.state.in_(_OPEN))).one()
        # ``office_id + 0``: read along the open-duty index by kind and due time (a handful of rows), never along
        # the office's index, which holds every duty the office ever had (measured: 41 ms → <1 ms at company scale)
        overdue = s.exec(scope_filter(select(func.count()).select_from(Duty), Duty.office_id + 0, scope).where(
            Duty.duty.in_(DUTY_CODES), Duty.state == DutyState.OPEN.value, Duty.due_at < now)).one()
    items = []
    if open_count:
        items.append(WorkItem(title="来访事件未平息", count=int(open_count), page=LIST_PAGE, severity="warning",
                              source="来访接待"))
    if overdue:
        items.append(WorkItem(title="来访事件时限已超", count=int(overdue), page=LIST_PAGE, severity="danger",
                              source="来访接待"))
    return items
