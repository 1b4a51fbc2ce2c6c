"""When each hourly sweep last ran to the end (``JobRun``): what a sweep reads to look only at what changed since."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from db.models import JobRun
from db.models.base import as_utc
from db.session import read_session, write_session


def last_ok(name: str) -> datetime | None:
    """The ``now`` of the sweep's last run that ended without an error; None before its first."""
    with read_session() as s:
        return as_utc(s.exec(select(JobRun.last_ok_at).where(JobRun.name == name)).first())


def mark_ok(name: str, at: datetime) -> None:
    """Called by the scheduler after a run ended without an error; a later moment never goes back."""
    with write_session() as s:
        row = s.exec(select(JobRun).where(JobRun.name == name).with_for_update()).first()
        if row is None:
            s.add(JobRun(name=name, last_ok_at=at, runs=1))
            return
        row.runs += 1
        if as_utc(row.last_ok_at) < at:
            row.last_ok_at = at
        s.add(row)
