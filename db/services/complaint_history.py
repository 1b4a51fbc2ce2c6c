"""The complaints' rows of the customer-history panel (``db.services.customer_history``)."""

from __future__ import annotations

from sqlmodel import Session, select

from core import complaints as rules
from core.permissions import Action, Actor
from db.models import Complaint
from db.services.base import scope_filter
from db.services.complaint_kernel import LIST_PAGE
from db.services.customer_history import HistoryRow, history_provider


@history_provider("complaint")
def complaint_history(s: Session, *, actor: Actor, customer_id: int, limit: int) -> list[HistoryRow]:
    """A customer's complaints (within the actor's scope), newest first."""
    if not actor.can(Action.COMPLAINT_VIEW):
        return []
    stmt = scope_filter(select(Complaint).where(Complaint.customer_id == customer_id), Complaint.office_id,
                        actor.scope(Action.COMPLAINT_VIEW))
    rows = s.exec(stmt.order_by(Complaint.received_at.desc(), Complaint.id.desc()).limit(limit)).all()
    return [HistoryRow(at=c.received_at, kind="投诉", number=c.number, summary=c.title or c.description[:60],
                       state=rules.STATE_LABELS[rules.State(c.state)], page=LIST_PAGE, record_id=c.id) for c in rows]
