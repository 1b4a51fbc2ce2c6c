"""Shared column helpers: timezone-aware UTC timestamps (sqlmodel rejects naive datetimes)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
