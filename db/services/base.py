"""Building blocks every service uses: permission checks, audit rows, idempotency, numbering, paging."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, insert, text, update
from sqlalchemy import select as core_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from core.errors import NotFound, OutOfScope, PermissionDenied
from core.permissions import Action, Actor
from db.audit import audit, to_json
from db.models import IdempotencyKey, NumberSequence
from db.models.base import utcnow
from db.session import record_refusal

__all__ = ["DENIED_MESSAGE", "EXPORT_LIMIT", "Page", "already_done", "audit", "authorize", "load_scoped",
           "next_number", "office_of", "paginate", "record_refusal", "refused", "remember", "scope_filter", "to_json"]

log = logging.getLogger(__name__)

DENIED_MESSAGE = "您没有权限执行此操作。如需开通，请联系系统管理员。"


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


def authorize(actor: Actor | None, action: Action, office_id: int | None = None, *, in_transaction: bool = False,
              entity: str = "", entity_id: Any = "") -> None:
    """Raise ``PermissionDenied`` unless the matrix allows ``action`` (in ``office_id``); every refusal is audited.

    Outside a transaction the refusal row is written at once; inside one (``in_transaction=True``) the
    session writes it after rolling back, so a SQLite writer never waits for its own lock.
    """
    if actor is not None and actor.can(action, office_id):
        return
    exc = PermissionDenied(DENIED_MESSAGE)
    exc.audit = _refusal(actor, action, office_id, entity, entity_id)  # type: ignore[attr-defined]
    if not in_transaction:
        record_refusal(exc)
    raise exc


def _refusal(actor: Actor | None, action: Action, office_id: int | None, entity: str, entity_id: Any) -> dict:
    """What ``db.session.record_refusal`` writes into the audit trail for a refusal."""
    return {"actor": actor, "action": "permission.denied", "office_id": office_id, "entity": entity,
            "entity_id": entity_id,
            "summary": f"拒绝：{action.value}" + (f"（管理处 {office_id}）" if office_id else "")}


def refused(exc: PermissionDenied, actor: Actor | None, action: Action, office_id: int | None, *, entity: str = "",
            entity_id: Any = "") -> PermissionDenied:
    """Mark a refusal that a rule decided (not the matrix: e.g. "not an approver of this step") for the audit trail,
    as ``authorize`` does; the caller raises it inside its ``write_session``, which writes the row after rollback."""
    exc.audit = _refusal(actor, action, office_id, entity, entity_id)  # type: ignore[attr-defined]
    exc.audit["summary"] = f"{exc.audit['summary']}：{exc.message}"[:500]  # type: ignore[attr-defined]
    return exc


def office_of(row: Any) -> int:
    """The office a business row belongs to: its ``office_id``, or the column a model names in
    ``__office_field__`` (a department's ``org_unit_id``; an organisation unit is its own office)."""
    return int(getattr(row, getattr(type(row), "__office_field__", "office_id")))


def load_scoped(s: Session, model: type, row_id: int | None, *, actor: Actor, action: Action, entity: str,
                lock: bool = True, missing: str = "记录不存在或不在您的管理范围内") -> Any:
    """The row ``row_id`` of ``model``, locked for update, after checking ``action`` in the row's **current** office.

    Every update, move, delete and reveal goes through here (or a process kernel's equivalent), so an office-A
    user can never change, move or read in full a row of office B by naming its id: the refusal is audited and
    the caller's transaction writes nothing. The lock (``FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN
    IMMEDIATE`` already holds the database) keeps the office read and the write in one consistent step.
    """
    if row_id is None:
        raise NotFound(missing)
    stmt = select(model).where(model.id == row_id)
    row = s.exec(stmt.with_for_update() if lock else stmt).first()
    if row is None:
        raise NotFound(missing)
    office = office_of(row)
    if actor is not None and actor.can(action) and not actor.can(action, office):
        # Allowed elsewhere, not here: the same answer as "no such row", but audited as the refusal it is.
        exc = OutOfScope(missing)
        exc.audit = _refusal(actor, action, office, entity, row_id)  # type: ignore[attr-defined]
        raise exc
    authorize(actor, action, office, in_transaction=True, entity=entity, entity_id=row_id)
    return row


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
