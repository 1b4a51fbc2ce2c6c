"""Building blocks every service uses: permission checks, audit rows, idempotency, numbering, paging."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, insert, text, update
from sqlalchemy import select as core_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from core.errors import PermissionDenied
from core.permissions import Action, Actor
from db.models import AuditLog, IdempotencyKey, NumberSequence
from db.models.base import utcnow

log = logging.getLogger(__name__)

DENIED_MESSAGE = "您没有权限执行此操作。如需开通，请联系系统管理员。"


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
_IDEMPOTENCY_INSERT = insert(IdempotencyKey)
# Built once with bound parameters: constructing a statement per call (and its cache key) cost as much as
# running it.
_IDEMPOTENCY_GET = core_select(IdempotencyKey.entity, IdempotencyKey.entity_id).where(
    IdempotencyKey.request_id == bindparam("request_id"))
_NEXT_NUMBER = (
    update(NumberSequence)
    .where(NumberSequence.name == bindparam("seq_name"), NumberSequence.year == bindparam("seq_year"))
    .values(last_value=NumberSequence.last_value + 1)
    .returning(NumberSequence.last_value)
)


def authorize(actor: Actor | None, action: Action, office_id: int | None = None, *, in_transaction: bool = False) -> None:
    """Raise ``PermissionDenied`` unless the matrix allows ``action`` (in ``office_id``); every refusal is audited.

    Outside a transaction the refusal row is written at once; inside one (``in_transaction=True``) the
    session writes it after rolling back, so a SQLite writer never waits for its own lock.
    """
    if actor is not None and actor.can(action, office_id):
        return
    exc = PermissionDenied(DENIED_MESSAGE)
    exc.audit = {  # type: ignore[attr-defined]
        "actor": actor,
        "action": "permission.denied",
        "summary": f"拒绝：{action.value}" + (f"（管理处 {office_id}）" if office_id else ""),
        "office_id": office_id,
    }
    if not in_transaction:
        record_refusal(exc)
    raise exc


def record_refusal(exc: PermissionDenied) -> None:
    """Write the refusal's audit row in a transaction of its own (the business one was rolled back)."""
    info = getattr(exc, "audit", None)
    if not info:
        return
    exc.audit = None  # type: ignore[attr-defined]  # written once, whoever gets there first
    from db.session import write_session  # local: session imports this module's callers

    try:
        with write_session() as s:
            audit(s, actor=info["actor"], action=info["action"], summary=info["summary"], office_id=info["office_id"])
    except Exception:  # the refusal itself must still reach the user
        log.exception("could not audit a permission refusal")


def scope_filter(statement, column, scope: frozenset[int] | None):
    """Restrict a query to the actor's offices (``None`` = every office)."""
    if scope is None:
        return statement
    if not scope:
        return statement.where(column == -1)
    return statement.where(column.in_(sorted(scope)))


def already_done(session: Session, request_id: str | None, entity: str) -> str | None:
    """The id written by an earlier submission of the same form render, if any (double click, rerun)."""
    if not request_id:
        return None
    if session.get_bind().dialect.name == "postgresql":
        # Serialise concurrent submissions of one form render until the first one commits.
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:r))"), {"r": request_id})
    # Columns, not an IdempotencyKey object: this runs at the start of every idempotent write (issue 5).
    row = session.connection().execute(_IDEMPOTENCY_GET, {"request_id": request_id}).first()
    if row is None:
        return None
    return row.entity_id if row.entity == entity else None


def remember(session: Session, request_id: str | None, entity: str, entity_id: Any) -> None:
    if request_id:
        # Sent at once (a plain INSERT, as for audit rows): a concurrent duplicate fails here, inside the writer.
        session.connection().execute(_IDEMPOTENCY_INSERT, {"request_id": request_id, "entity": entity,
                                                           "entity_id": str(entity_id), "created_at": utcnow()})


def next_number(session: Session, name: str, year: int) -> int:
    """Atomically take the next number of a yearly sequence inside the caller's transaction."""
    params = {"seq_name": name, "seq_year": year}
    value = session.connection().execute(_NEXT_NUMBER, params).scalar()  # Core: no ORM execution path per call
    if value is not None:
        return int(value)
    try:
        with session.begin_nested():
            session.add(NumberSequence(name=name, year=year, last_value=1))
        return 1
    except IntegrityError:  # another transaction created the counter first
        return int(session.connection().execute(_NEXT_NUMBER, params).scalar_one())


EXPORT_LIMIT = 10_000


@dataclass(frozen=True)
class Page:
    rows: Sequence[Any]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def paginate(session: Session, statement, *, page: int, page_size: int, order_by) -> Page:
    """SQL paging with a COUNT; the caller passes a filtered ``select``.

    Screens page by 20–50 rows; an Excel export asks for up to ``EXPORT_LIMIT`` rows in one page.
    """
    page_size = max(1, min(int(page_size), EXPORT_LIMIT))
    total = session.exec(select(func.count()).select_from(statement.order_by(None).subquery())).one()
    pages = max(1, -(-total // page_size))
    page = max(1, min(int(page), pages))
    rows = session.exec(statement.order_by(*order_by).offset((page - 1) * page_size).limit(page_size)).all()
    return Page(rows=rows, total=int(total), page=page, page_size=page_size)
