"""In-app notices with acknowledgement (an intranet install has no e-mail or SMS)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, select

from core.errors import DomainError, NotFound
from core.permissions import Action, Actor
from core.registry import WorkItem, work_provider
from db.models import Notice
from db.services import load_all
from db.services.base import Page, audit, authorize, paginate
from db.session import read_session, write_session

NOTICES_PAGE = "views/home/notices.py"
# Processes react to an acknowledgement in the same transaction (e.g. HQ confirming a complaint 通报 marks the
# complaint reported): ``@on_acknowledge("complaint")`` on ``def hook(session, notice, actor, now)``.
_ACK_HOOKS: dict[str, Callable[[Session, Notice, Actor, datetime], None]] = {}


def on_acknowledge(entity: str):
    def register(func):
        _ACK_HOOKS[entity] = func
        return func

    return register


def notify(session: Session, *, recipient_user_ids: list[int], kind: str, title: str, body: str = "",
           page: str = "", entity: str = "", entity_id: str = "", office_id: int | None = None,
           requires_ack: bool = False, due_at: datetime | None = None, now: datetime) -> list[Notice]:
    """Add notices inside the caller's transaction (they appear only if the business write commits)."""
    rows = []
    for uid in dict.fromkeys(recipient_user_ids):
        row = Notice(recipient_user_id=uid, kind=kind, title=title[:200], body=body[:2000], page=page, entity=entity,
                     entity_id=str(entity_id), office_id=office_id, requires_ack=requires_ack, due_at=due_at,
                     created_at=now)
        session.add(row)
        rows.append(row)
    return rows


def close_notices(session: Session, *, entity: str, entity_id: str, at: datetime) -> int:
    """The matter of these notices ended (a complaint archived): those still awaiting acknowledgement leave "my work"
    (not acknowledged: who confirmed stays what it was). In the caller's transaction; returns how many."""
    done = session.connection().execute(update(Notice).where(
        Notice.entity == entity, Notice.entity_id == str(entity_id), Notice.acked_at == None,  # noqa: E711
        Notice.closed_at == None).values(closed_at=at))  # noqa: E711
    return done.rowcount


def my_notices(*, actor: Actor, kind: str | None = None, open_only: bool = True, page: int = 1,
               page_size: int = 20) -> Page:
    authorize(actor, Action.NOTICE_VIEW_OWN)
    with read_session() as s:
        stmt = select(Notice).where(Notice.recipient_user_id == actor.user_id)
        if kind:
            stmt = stmt.where(Notice.kind == kind)
        if open_only:
            stmt = stmt.where(Notice.acked_at == None, Notice.closed_at == None)  # noqa: E711
        return paginate(s, stmt, page=page, page_size=page_size, order_by=[Notice.created_at.desc(), Notice.id.desc()])


def open_counts(*, actor: Actor) -> dict[str, int]:
    with read_session() as s:
        rows = s.exec(select(Notice.kind, func.count()).where(
            Notice.recipient_user_id == actor.user_id, Notice.acked_at == None,  # noqa: E711
            Notice.closed_at == None).group_by(Notice.kind)).all()  # noqa: E711
    return {kind: int(n) for kind, n in rows}


def acknowledge(*, actor: Actor, notice_id: int, now: datetime) -> None:
    authorize(actor, Action.NOTICE_VIEW_OWN)
    with write_session() as s:
        row = s.get(Notice, notice_id)
        if row is None or row.recipient_user_id != actor.user_id:
            raise NotFound("通知不存在")
        if row.acked_at is not None:
            raise DomainError("该通知已确认")
        row.acked_at = now
        s.add(row)
        if row.entity:
            load_all()  # the process modules register their hooks when imported
            hook = _ACK_HOOKS.get(row.entity)
            if hook is not None:
                hook(s, row, actor, now)
        audit(s, actor=actor, action="notice.ack", entity=row.entity or "notice", entity_id=row.entity_id or row.id,
              office_id=row.office_id, summary=f"确认：{row.title}")


@work_provider("notices")
def my_work(*, actor: Actor, now: datetime) -> list[WorkItem]:
    counts = open_counts(actor=actor)
    titles = {"assigned": "指派给我的事项", "approval": "待我审批", "report": "需确认的通报"}
    items = [WorkItem(title=t, count=counts.get(k, 0), page=NOTICES_PAGE, severity="warning" if k == "report" else "info",
                      source="通知") for k, t in titles.items() if counts.get(k, 0)]
    return items
