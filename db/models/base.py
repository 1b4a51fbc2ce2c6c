"""Shared column helpers: timezone-aware UTC timestamps (sqlmodel rejects naive datetimes)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime | None) -> datetime | None:
    """A stored timestamp as aware UTC: SQLite hands back naive values for UTC columns in some queries."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
