"""待我审批: the one inbox on the home page across every record type (``core.approvals`` decides who may act).

A request waits for the roles of its current step, in its office (company-wide roles everywhere); a deputy sees what
the colleague they stand in for would see when the policy book allows deputies; nobody sees their own submission or
a step they already approved. Paged and counted in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, false, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import select

from core import approvals as rules
from core.permissions import Actor
from core.registry import WorkItem, record_types, work_provider
from core.roles import COMPANY_WIDE_ROLES
from db.models import ApprovalDecision, ApprovalRequest, OrgUnit, User
from db.models.base import as_utc
from db.services.approvals import HOME, chain_of, type_label
from db.services.base import Page, paginate
from db.session import read_session

INBOX_MAX_PAGE = 100
_SUBMITTER = aliased(User)  # made once: a new alias per call costs SQLAlchemy a fresh adaptation and compile


@dataclass(frozen=True)
class InboxRow:
    id: int
    record_type: str
    type_label: str
    title: str
    office_name: str
    submitted_by_name: str
    submitted_at: datetime | None
    step: int
    steps: int
    step_label: str
    page: str
    page_id: int | None


def _inbox_filter(actor: Actor, statement):
    grants = list(actor.grants) + (list(actor.delegated) if rules.deputy_allowed() else [])
    conditions = []
    for g in grants:
        holds = ApprovalRequest.step_roles.contains(f",{g.role.value},", autoescape=True)
        conditions.append(holds if g.role in COMPANY_WIDE_ROLES else and_(holds, ApprovalRequest.office_id == g.office_id))
    approved_earlier = exists().where(
        ApprovalDecision.approval_id == ApprovalRequest.id, ApprovalDecision.decision == rules.Decision.APPROVE.value,
        ApprovalDecision.actor_user_id == actor.user_id, ApprovalDecision.at >= ApprovalRequest.submitted_at)
    mine = or_(ApprovalRequest.submitted_by.is_(None), ApprovalRequest.submitted_by != actor.user_id)
    return statement.where(ApprovalRequest.state == rules.State.SUBMITTED.value,
                           or_(*conditions) if conditions else false(), mine, ~approved_earlier)


def pending_for(*, actor: Actor, record_type: str | None = None, page: int = 1, page_size: int = 20) -> Page:
    """待我审批: requests of every record type waiting for a step the actor (or the colleague they stand in for) may
    decide, in the offices of those roles, oldest first; paged in SQL (``InboxRow``)."""
    stmt = (select(ApprovalRequest, OrgUnit.name, _SUBMITTER.display_name)
            .join(OrgUnit, OrgUnit.id == ApprovalRequest.office_id)
            .outerjoin(_SUBMITTER, _SUBMITTER.id == ApprovalRequest.submitted_by))
    stmt = _inbox_filter(actor, stmt)
    if record_type:
        stmt = stmt.where(ApprovalRequest.record_type == record_type)
    with read_session() as s:
        result = paginate(s, stmt, page=page, page_size=min(max(1, page_size), INBOX_MAX_PAGE),
                          order_by=(ApprovalRequest.submitted_at, ApprovalRequest.id))
    rows = []
    for req, office, who in result.rows:
        chain, spec = chain_of(req), record_types().get(req.record_type)
        step = chain.step(req.step)
        rows.append(InboxRow(int(req.id), req.record_type, type_label(req.record_type), req.title, office,
                             who or "系统", as_utc(req.submitted_at), req.step, chain.last,
                             step.label or step.roles_label, spec.page if spec else "", req.page_id or req.record_id))
    return Page(rows=rows, total=result.total, page=result.page, page_size=result.page_size)


def _pending_count(actor: Actor) -> int:
    with read_session() as s:
        return int(s.exec(_inbox_filter(actor, select(func.count()).select_from(ApprovalRequest))).one())


@work_provider("approvals")
def inbox_work(*, actor: Actor, now: datetime) -> list[WorkItem]:
    n = _pending_count(actor)
    return [WorkItem("待我审批", n, HOME, severity="warning", source="approvals")] if n else []
