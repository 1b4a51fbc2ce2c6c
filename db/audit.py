"""The append-only audit trail's writer: every business write and every refusal adds one row here.

Its own module, below both the unit of work (``db.session``) and the service building blocks
(``db.services.base``), so that the session can record a refusal without importing the services.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from core.permissions import Actor
from db.models import AuditLog
from db.models.base import utcnow


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def to_json(value: Any) -> str | None:
    if value is None:
        return None
    if hasattr(value, "model_dump"):
        value = value.model_dump()
    return json.dumps(value, ensure_ascii=False, default=_json_default, sort_keys=True)


def audit(
    session: Session,
    *,
    actor: Actor | None,
    action: str,
    entity: str = "",
    entity_id: Any = "",
    office_id: int | None = None,
    summary: str = "",
    before: Any = None,
    after: Any = None,
    source: str = "",
) -> None:
    """Add the audit row to the caller's transaction: it commits or rolls back with the business write.

    A plain INSERT on the session's connection, sent at once: building an AuditLog object and flushing it was a
    large share of every write's CPU (issue 5), and nothing reads the row back in the same transaction. The
    columns and defaults are those ``AuditLog(...)`` gave (``at`` = now, UTC). audit_log has no foreign keys,
    so writing it before the caller's pending objects are flushed is safe.
    """
    session.connection().execute(_AUDIT_INSERT, {
        "at": utcnow(),
        "actor_user_id": actor.user_id if actor else None,
        "actor_name": actor.name if actor else "",
        "action": action,
        "entity": entity,
        "entity_id": str(entity_id or ""),
        "office_id": office_id,
        "summary": summary[:500],
        "before_json": to_json(before),
        "after_json": to_json(after),
        "source": source[:64],
    })


_AUDIT_INSERT = insert(AuditLog)
