"""The record timeline's writer and reader (any process; the complaint module is the first user).

``record_event`` adds one step of a record to ``record_event`` inside the caller's transaction, as a plain INSERT
sent at once (the complaint registration writes ~300 a second: building and flushing an ORM object per event was a
large share of its CPU, issue 5). ``timeline`` reads one record's steps, newest ``limit`` of them, in order. Both
take the caller's session: the caller has already checked that the actor may write or see the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, insert
from sqlalchemy import select as core_select
from sqlmodel import Session, select

from core.permissions import Actor
from core.registry import record_types
from db.models import RecordEvent

SYSTEM_NAME = "系统"  # the actor name of a step no person took (the hourly sweep)
DEFAULT_LIMIT = 200

_INSERT = insert(RecordEvent)
_KNOWN: set[str] = set()
_COUNT = core_select(func.count()).select_from(RecordEvent).where(
    RecordEvent.record_type == bindparam("record_type"), RecordEvent.record_id == bindparam("record_id"))


def record_event(s: Session, *, record_type: str, record_id: int, office_id: int | None, actor: Actor | None,
                 event: str, at: datetime, note: str = "", citation: str = "", from_state: str | None = None,
                 to_state: str | None = None) -> None:
    """One step of a record, in the caller's transaction (commits or rolls back with the business write)."""
    if record_type not in _KNOWN:  # checked once per type (the registry hands out copies)
        if record_type not in record_types():
            raise ValueError(f"unknown record type {record_type!r}: register it with core.registry.register_record_type")
        _KNOWN.add(record_type)
    s.connection().execute(_INSERT, {
        "record_type": record_type, "record_id": record_id, "office_id": office_id, "at": at,
        "actor_user_id": actor.user_id if actor else None, "actor_name": actor.name if actor else SYSTEM_NAME,
        "event": event[:32], "from_state": from_state, "to_state": to_state, "note": note[:4000],
        "citation": citation[:200]})


@dataclass
class Timeline:
    events: list[RecordEvent]  # oldest first
    total: int  # all events of the record; more than ``len(events)`` when the oldest were left out

    @property
    def truncated(self) -> bool:
        return self.total > len(self.events)


def timeline(s: Session, *, record_type: str, record_id: int, limit: int = DEFAULT_LIMIT) -> Timeline:
    """The newest ``limit`` steps of one record, oldest first, and how many there are in all."""
    newest = list(s.exec(select(RecordEvent).where(RecordEvent.record_type == record_type,
                                                   RecordEvent.record_id == record_id)
                         .order_by(RecordEvent.at.desc(), RecordEvent.id.desc()).limit(limit)).all())
    newest.reverse()
    total = len(newest)
    if total == limit:
        total = int(s.connection().execute(_COUNT, {"record_type": record_type, "record_id": record_id}).scalar_one())
    return Timeline(events=newest, total=total)


def events_of(s: Session, *, record_type: str, record_id: int, events: frozenset[str] | set[str],
              since: datetime | None = None) -> list[RecordEvent]:
    """One record's steps of the given kinds (after ``since``), oldest first: e.g. the changes a 快报 reports."""
    stmt = select(RecordEvent).where(RecordEvent.record_type == record_type, RecordEvent.record_id == record_id,
                                     RecordEvent.event.in_(sorted(events)))
    if since is not None:
        stmt = stmt.where(RecordEvent.at > since)
    return list(s.exec(stmt.order_by(RecordEvent.at, RecordEvent.id)).all())
