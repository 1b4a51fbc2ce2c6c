"""Policy book storage: versioned overrides with effective-from dates, and the holiday calendar.

Every process reads its rules through ``policy_at`` / ``policy_for`` here; nothing else reads the tables.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from core import policy as book
from core.errors import DomainError
from core.permissions import Action, Actor
from db.models import PolicyChange, PolicyHoliday
from db.models.base import as_utc as _aware
from db.services.base import audit, authorize
from db.session import read_session, write_session


# Both read plain columns, not table objects: every page's login check resolves the policy twice, and building
# ~40 SQLModel objects each time was the largest part of that check (scripts/bench.py profile, issue 5).
def _changes(session: Session) -> list[book.Change]:
    rows = session.exec(select(PolicyChange.id, PolicyChange.key, PolicyChange.value_json,
                               PolicyChange.effective_from)).all()
    return [
        book.Change(version=pk, key=key, value=json.loads(value), effective_from=_aware(effective_from))
        for pk, key, value, effective_from in rows
    ]


def _holidays(session: Session) -> list[book.Holiday]:
    return [book.Holiday(day, kind, name) for day, kind, name in
            session.exec(select(PolicyHoliday.day, PolicyHoliday.kind, PolicyHoliday.name)).all()]


def current_version(session: Session) -> int:
    """The version a record made now stores (the number of the latest change; 0 = shipped defaults)."""
    return int(session.exec(select(func.coalesce(func.max(PolicyChange.id), 0))).one())


def policy_in(session: Session, *, at: datetime, version: int | None = None) -> book.PolicyBook:
    """The policy for a record inside an open session: its stored version, judged at ``at``."""
    return book.resolve(_changes(session), version=version, at=at, holidays=_holidays(session))


def policy_at(at: datetime, version: int | None = None) -> book.PolicyBook:
    with read_session() as s:
        return policy_in(s, at=at, version=version)


def history(key: str | None = None) -> list[PolicyChange]:
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
        before = policy_in(s, at=effective_from).values[key]
        row = PolicyChange(
            key=key,
            value_json=json.dumps(value, ensure_ascii=False),
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


def holidays(year: int | None = None) -> list[PolicyHoliday]:
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


def seed_default_holidays(session: Session) -> int:
    """Fill an empty calendar with the shipped statutory holidays (first start and demo)."""
    if session.exec(select(func.count()).select_from(PolicyHoliday)).one():
        return 0
    for h in book.DEFAULT_HOLIDAYS_2026:
        session.add(PolicyHoliday(day=h.day, kind=h.kind, name=h.name))
    return len(book.DEFAULT_HOLIDAYS_2026)
