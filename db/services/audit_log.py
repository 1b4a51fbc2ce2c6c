"""Searching the audit trail (administrators and the head of the HQ 客服中心)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_
from sqlmodel import select

from core.permissions import Action, Actor
from db.models import AuditLog
from db.services.base import Page, authorize, paginate, scope_filter
from db.session import read_session


def search(*, actor: Actor, text: str = "", action_prefix: str = "", since: datetime | None = None,
           until: datetime | None = None, office_id: int | None = None, page: int = 1, page_size: int = 50) -> Page:
    authorize(actor, Action.AUDIT_VIEW, office_id)
    with read_session() as s:
        stmt = select(AuditLog)
        scope = actor.scope(Action.AUDIT_VIEW)
        if scope is not None:
            stmt = scope_filter(stmt, AuditLog.office_id, scope)
        if office_id:
            stmt = stmt.where(AuditLog.office_id == office_id)
        if action_prefix:
            stmt = stmt.where(AuditLog.action.like(f"{action_prefix}%"))
        if since:
            stmt = stmt.where(AuditLog.at >= since)
        if until:
            stmt = stmt.where(AuditLog.at < until)
        if text.strip():
            like = f"%{text.strip()}%"
            stmt = stmt.where(or_(AuditLog.summary.like(like), AuditLog.actor_name.like(like),
                                  AuditLog.entity_id == text.strip()))
        return paginate(s, stmt, page=page, page_size=page_size, order_by=[AuditLog.at.desc(), AuditLog.id.desc()])
