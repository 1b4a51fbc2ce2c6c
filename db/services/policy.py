"""Policy book storage: versioned overrides with effective-from dates, and the holiday calendar.

Every process reads its rules through ``policy_at`` / ``policy_for`` here; nothing else reads the tables.
"""

from __future__ import annotations

import bisect
import secrets
import threading
from collections import OrderedDict
from datetime import date, datetime
from typing import Any

from sqlalchemy import event, func
from sqlalchemy import select as core_select
from sqlmodel import Session, select

from core import policy as book
from core.errors import DomainError
from core.permissions import Action, Actor
from db.models import PolicyChange, PolicyHoliday, PolicyRevision
from db.models.base import as_utc as _aware
from db.services.base import audit, authorize
from db.session import read_session, write_session


# Both read plain columns, not table objects: every page's login check resolves the policy twice, and building
# ~40 SQLModel objects each time was the largest part of that check (scripts/bench.py profile, issue 5).
def _changes(session: Session) -> list[book.Change]:
    rows = session.exec(select(PolicyChange.id, PolicyChange.key, PolicyChange.value_json,
                               PolicyChange.effective_from)).all()
    return [
        book.Change(version=pk, key=key, value=book.decode(key, value), effective_from=_aware(effective_from))
        for pk, key, value, effective_from in rows
    ]


def _holidays(session: Session) -> list[book.Holiday]:
    return [book.Holiday(day, kind, name) for day, kind, name in
            session.exec(select(PolicyHoliday.day, PolicyHoliday.kind, PolicyHoliday.name)).all()]


# ----- the in-process cache ------------------------------------------------------------------------
#
# Every complaint registration resolved the whole book from the tables (reading every change and holiday and
# building ~140 dicts and objects): a large share of the write transaction's CPU (issue 5). The book only
# changes when a row of policy_change or policy_holiday does, so each call reads one primary-key row instead:
# policy_revision's (instance, revision), which database triggers bump on every insert, update and delete of
# either table (0009_policy_revision) — whoever writes: this process, another app process, plain SQL. So edits
# by other processes are seen at once. A database rebuilt under the same URL (tests truncate and bootstrap
# again; a restore) gets a fresh random ``instance`` when its row is created, so it never meets a cache entry
# of the old one. Rows are then parsed and resolved at most once per (url, instance, revision, version,
# interval between effective-from boundaries that ``at`` falls in).
#
# Two rules keep an entry true to its key: rows are read in the same transaction as the revision, and on
# PostgreSQL (READ COMMITTED: a snapshot per statement) the revision is read again with the last of them — a
# commit in between would bump it, and the rows are then used but not kept; and a session that wrote policy rows
# keeps nothing it read (its own uncommitted change bumps the revision, and a rollback would hand that number to
# another change).

_CACHE_LOCK = threading.Lock()
_INPUTS: OrderedDict[tuple, _Inputs] = OrderedDict()  # (url, instance, revision) → parsed rows; a few suffice
_BOOKS: OrderedDict[tuple, book.PolicyBook] = OrderedDict()  # (key, version, interval) → resolved book
_MAX_INPUTS = 8
_MAX_BOOKS = 256


class _Inputs:
    """One revision's parsed rows, and the sorted effective-from moments where the resolved book can change."""

    __slots__ = ("key", "changes", "holidays", "boundaries", "top")

    def __init__(self, key: tuple | None, changes: list[book.Change], holidays: list[book.Holiday]) -> None:
        self.key = key  # the first reader's key object: memo keys share it instead of holding copies
        self.changes = tuple(changes)
        self.holidays = tuple(holidays)
        self.boundaries = sorted({ch.effective_from for ch in changes})
        self.top = max((ch.version for ch in changes), default=0)  # the current version


_REVISION = core_select(PolicyRevision.instance, PolicyRevision.revision).where(PolicyRevision.id == 1)
_REVISION_NOW = core_select(PolicyRevision.revision).where(PolicyRevision.id == 1).scalar_subquery()
_HOLIDAYS = select(PolicyHoliday.day, PolicyHoliday.kind, PolicyHoliday.name)

# A session that wrote policy rows holds uncommitted revisions: what it reads is never kept (a rollback would hand
# its revision number to another change). Set at flush by the listener below; the services write these rows
# through the ORM.
POLICY_WRITTEN = "policy_written"


@event.listens_for(Session, "before_flush")
def _mark_policy_writes(session: Session, flush_context, instances) -> None:
    if any(isinstance(o, PolicyChange | PolicyHoliday | PolicyRevision)
           for o in (*session.new, *session.dirty, *session.deleted)):
        session.info[POLICY_WRITTEN] = True


def _revision_key(session: Session) -> tuple | None:
    """(url, instance, revision), read in the caller's transaction: one primary-key row. ``None`` when the row
    is missing (a table emptied and not yet bootstrapped): nothing is cached then."""
    row = session.connection().execute(_REVISION).first()
    return None if row is None else (str(session.get_bind().url), row[0], int(row[1]))


def _inputs(session: Session) -> _Inputs:
    key = _revision_key(session)
    with _CACHE_LOCK:
        found = _INPUTS.get(key) if key is not None else None
        if found is not None:
            _INPUTS.move_to_end(key)
            return found
    changes = _changes(session)
    # The holidays and the revision again, in one statement: on PostgreSQL (READ COMMITTED, a snapshot per
    # statement) an unchanged revision there proves no commit fell between the reads. SQLite reads one snapshot
    # per transaction: nothing to prove.
    recheck = session.get_bind().dialect.name != "sqlite" and key is not None
    rows = session.exec(select(PolicyHoliday.day, PolicyHoliday.kind, PolicyHoliday.name,
                               _REVISION_NOW) if recheck else _HOLIDAYS).all()
    holidays = [book.Holiday(day, kind, name) for day, kind, name, *_ in rows]
    if recheck:
        latest = rows[0][3] if rows else (_revision_key(session) or (None, None, None))[2]
        consistent = latest == key[2]
    else:
        consistent = True
    found = _Inputs(key, changes, holidays)
    if key is None or not consistent or session.info.get(POLICY_WRITTEN):
        return _Inputs(None, changes, holidays)  # used once, not kept
    with _CACHE_LOCK:
        found = _INPUTS.setdefault(key, found)
        while len(_INPUTS) > _MAX_INPUTS:
            _INPUTS.popitem(last=False)
    return found


def _row_copy(row: dict) -> dict:
    return {k: (list(v) if type(v) is list else v) for k, v in row.items()}


def _copy(b: book.PolicyBook) -> book.PolicyBook:
    """A caller's own copy of a cached book: ``values`` (and the duration dicts in it) are plain mutable dicts."""
    values = {k: (dict(v) if type(v) is dict else [_row_copy(r) for r in v] if type(v) is list else v)
              for k, v in b.values.items()}
    return book.PolicyBook(version=b.version, values=values, holidays=b.holidays, overridden=b.overridden)


def current_version(session: Session) -> int:
    """The version a record made now stores (the number of the latest change; 0 = shipped defaults)."""
    return _inputs(session).top


def policy_in(session: Session, *, at: datetime, version: int | None = None) -> book.PolicyBook:
    """The policy for a record inside an open session: its stored version, judged at ``at``."""
    return _resolved(_inputs(session), version, at)


def current_policy(session: Session, *, at: datetime) -> book.PolicyBook:
    """The latest version (``.version``, what a record made now stores), judged at ``at``: one revision read."""
    inputs = _inputs(session)
    return _resolved(inputs, inputs.top, at)


def _resolved(inputs: _Inputs, version: int | None, at: datetime) -> book.PolicyBook:
    # resolve() depends on ``at`` only through which changes have effective_from <= at.
    memo = (inputs.key, version, bisect.bisect_right(inputs.boundaries, at))
    found = None
    if inputs.key is not None:
        with _CACHE_LOCK:
            found = _BOOKS.get(memo)
            if found is not None:
                _BOOKS.move_to_end(memo)
    if found is None:
        found = book.resolve(inputs.changes, version=version, at=at, holidays=inputs.holidays)
        if inputs.key is None:
            return _copy(found)
        with _CACHE_LOCK:
            _BOOKS[memo] = found
            while len(_BOOKS) > _MAX_BOOKS:
                _BOOKS.popitem(last=False)
    return _copy(found)


def clear_cache() -> None:
    """Forget every cached book (tests; never needed for correctness)."""
    with _CACHE_LOCK:
        _INPUTS.clear()
        _BOOKS.clear()


def policy_at(at: datetime, version: int | None = None) -> book.PolicyBook:
    with read_session() as s:
        return policy_in(s, at=at, version=version)


def policy_book(*, actor: Actor, now: datetime) -> book.PolicyBook:
    """The book in force, for the 制度参数 page: the page's permission holds here too, not only in the menu.

    Rules read the book through ``policy_in``/``policy_at`` whoever runs them (a 保安's screen needs its numbers too).
    """
    authorize(actor, Action.POLICY_VIEW)
    return policy_at(now)


def history(*, actor: Actor, key: str | None = None) -> list[PolicyChange]:
    authorize(actor, Action.POLICY_VIEW)
    with read_session() as s:
        stmt = select(PolicyChange).order_by(PolicyChange.id.desc())
        if key:
            stmt = stmt.where(PolicyChange.key == key)
        return list(s.exec(stmt.limit(500)).all())


def set_value(*, actor: Actor, key: str, value: Any, effective_from: datetime, reason: str, now: datetime) -> int:
    """Record a new version of one parameter; returns the version number."""
    authorize(actor, Action.POLICY_EDIT)
    value = book.validate(key, value)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写修改原因（制度依据或客户确认记录）", field="reason")
    if effective_from.tzinfo is None:
        raise DomainError("生效时间缺少时区")
    with write_session() as s:
        if book.PARAMS[key].kind == "table":  # against every earlier version: no row once used may vanish
            known = [book.decode(key, v) for v in s.exec(select(PolicyChange.value_json)
                                                        .where(PolicyChange.key == key)).all()]
            value = book.validate(key, value, known=known)
        before = policy_in(s, at=effective_from).values[key]
        row = PolicyChange(
            key=key,
            value_json=book.encode(key, value),
            effective_from=effective_from,
            reason=reason[:500],
            created_by=actor.user_id,
            created_at=now,
        )
        s.add(row)
        s.flush()
        audit(
            s,
            actor=actor,
            action="policy.set",
            entity="policy",
            entity_id=key,
            summary=f"{book.PARAMS[key].label}：{reason}",
            before={"value": before},
            after={"value": value, "effective_from": effective_from, "version": row.id},
        )
        return int(row.id)


def holidays(*, actor: Actor, year: int | None = None) -> list[PolicyHoliday]:
    authorize(actor, Action.POLICY_VIEW)
    with read_session() as s:
        stmt = select(PolicyHoliday).order_by(PolicyHoliday.day)
        if year:
            stmt = stmt.where(PolicyHoliday.day >= date(year, 1, 1), PolicyHoliday.day <= date(year, 12, 31))
        return list(s.exec(stmt).all())


def set_holiday(*, actor: Actor, day: date, kind: str, name: str) -> None:
    authorize(actor, Action.POLICY_EDIT)
    if kind not in ("holiday", "workday"):
        raise DomainError("类型应为“法定节假日”或“调休上班”")
    name = (name or "").strip()[:32]
    with write_session() as s:
        row = s.get(PolicyHoliday, day)
        before = row.model_dump() if row else None
        if row is None:
            row = PolicyHoliday(day=day, kind=kind, name=name)
        else:
            row.kind, row.name = kind, name
        s.add(row)
        audit(s, actor=actor, action="policy.holiday_set", entity="holiday", entity_id=day.isoformat(),
              summary=f"{day:%Y-%m-%d} {name}", before=before, after={"day": day, "kind": kind, "name": name})


def remove_holiday(*, actor: Actor, day: date) -> None:
    authorize(actor, Action.POLICY_EDIT)
    with write_session() as s:
        row = s.get(PolicyHoliday, day)
        if row is None:
            raise DomainError("日历中没有这一天")
        before = row.model_dump()
        s.delete(row)
        audit(s, actor=actor, action="policy.holiday_remove", entity="holiday", entity_id=day.isoformat(),
              before=before)


def ensure_revision(session: Session) -> None:
    """The revision row exists (bootstrap): after the tables were emptied, the first write's trigger creates it,
    and this creates it when nothing was written. A fresh random instance either way."""
    session.flush()
    if session.get(PolicyRevision, 1) is None:
        session.add(PolicyRevision(id=1, instance=secrets.token_hex(16), revision=0))
        session.flush()


def seed_default_holidays(session: Session) -> int:
    """Fill an empty calendar with the shipped statutory holidays (first start and demo)."""
    if session.exec(select(func.count()).select_from(PolicyHoliday)).one():
        return 0
    for h in book.DEFAULT_HOLIDAYS_2026:
        session.add(PolicyHoliday(day=h.day, kind=h.kind, name=h.name))
    return len(book.DEFAULT_HOLIDAYS_2026)
