"""Duties (时限义务): every policy deadline a record carries, as data — what is due, by when, under which clause.

A process registers each kind of duty once (``register_duty(DutySpec(...))`` in its core module, next to its
``RecordType``): a stable code (``complaint.callback``), the record type it belongs to, a Chinese label, the
policy-book parameters that set its due time and the clause it follows. The database keeps one ``duty`` row per
duty of a record (due and met times, kept current by the process's services and the hourly breach sweep); the
functions here judge one duty at ``now`` and give the compliance figures the dashboard shows (issue 19). Pure: no
clock, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from enum import StrEnum


@dataclass(frozen=True)
class DutySpec:
    """One kind of deadline. ``policy_keys``: the parameters its due time is computed from (a duty whose limit
    depends on the record's class lists every candidate); ``role``: who answers for it when no person is named;
    ``breach_event``: a breach the clerk must see on the record's timeline (most duties are only flagged: the
    lists and the dashboard show them)."""

    code: str  # "<record type>.<duty>", e.g. "complaint.report"
    record_type: str  # core.registry.RecordType code
    label: str  # Chinese, e.g. "重大/热点投诉通报"
    clause: str  # the document and clause, as printed (core.complaints.cite)
    policy_keys: tuple[str, ...] = ()
    role: str = ""  # core.roles.Role code of the responsible post, "" when it depends on the record
    breach_event: str = ""  # the timeline step the sweep writes when it finds the duty overdue ("": flag only)


class DutyState(StrEnum):
    """What the row says (stored)."""

    OPEN = "open"
    MET = "met"
    CANCELLED = "cancelled"  # no longer owed (exempted, superseded, the record closed another way)


class DutyStatus(StrEnum):
    """What the dashboard says about a duty at a moment (derived)."""

    MET_ON_TIME = "met_on_time"
    MET_LATE = "met_late"
    OPEN = "open"  # not yet due
    OVERDUE = "overdue"  # due and not met
    CANCELLED = "cancelled"


STATUS_LABELS = {
    DutyStatus.MET_ON_TIME: "按时完成",
    DutyStatus.MET_LATE: "超时完成",
    DutyStatus.OPEN: "未到期",
    DutyStatus.OVERDUE: "已超期",
    DutyStatus.CANCELLED: "已取消",
}


_DUTIES: dict[str, DutySpec] = {}


def register_duty(spec: DutySpec) -> DutySpec:
    """Called once per duty at import of the process's core module; a second, different spec is a mistake."""
    if not spec.code.startswith(f"{spec.record_type}."):
        raise ValueError(f"duty code {spec.code!r} must start with its record type {spec.record_type!r}")
    known = _DUTIES.setdefault(spec.code, spec)
    if known != spec:
        raise ValueError(f"duty {spec.code!r} registered twice with different specs")
    return spec


def duty_specs() -> dict[str, DutySpec]:
    return dict(_DUTIES)


def duty_spec(code: str) -> DutySpec:
    try:
        return _DUTIES[code]
    except KeyError:
        raise KeyError(f"unknown duty {code!r}: register it with core.duties.register_duty") from None


def status(*, due_at: datetime, met_at: datetime | None, now: datetime, cancelled: bool = False) -> DutyStatus:
    """A duty at ``now``: met exactly at its due time is on time; open and due exactly now is not yet overdue."""
    if cancelled:
        return DutyStatus.CANCELLED
    if met_at is not None:
        return DutyStatus.MET_ON_TIME if met_at <= due_at else DutyStatus.MET_LATE
    return DutyStatus.OVERDUE if now > due_at else DutyStatus.OPEN


def month_bounds(month: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The local calendar month holding ``month`` as an instant range [start, end): duties count in the month they
    fall due, in the company's time zone (a deadline at 23:30 on the 31st in Shanghai belongs to that month)."""
    start = datetime.combine(month.replace(day=1), time(0), tz)
    nxt = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return start, datetime.combine(nxt, time(0), tz)


@dataclass(frozen=True)
class DutyTally:
    """Counts of one group of duties (by duty code, and office / person when grouped so) in a month."""

    duty: str
    office_id: int | None
    person_id: int | None
    total: int  # cancelled duties are not owed and not counted
    met_on_time: int
    met_late: int
    open: int  # not yet due at ``now``
    overdue: int  # due, not met at ``now``

    @property
    def decided(self) -> int:
        """Duties whose outcome is known: met (either way) or already overdue."""
        return self.met_on_time + self.met_late + self.overdue

    @property
    def rate(self) -> float | None:
        """Share kept on time among the decided ones (None when nothing is decided yet)."""
        return self.met_on_time / self.decided if self.decided else None
