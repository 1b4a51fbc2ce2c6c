"""When each hourly sweep last ran to the end: a sweep that looks for what changed since then stays bounded."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class JobRun(SQLModel, table=True):
    """One row per sweep (``core.registry.daily_job`` name), written by ``db.services.scheduler`` after a run that
    ended without an error. Several app processes may run a sweep at once: the sweeps are idempotent, and the
    latest successful moment wins."""

    __tablename__ = "job_run"

    name: str = Field(primary_key=True, max_length=64)
    last_ok_at: datetime  # the ``now`` the run was given (its view of time), not the wall clock when it ended
    runs: int = 0
