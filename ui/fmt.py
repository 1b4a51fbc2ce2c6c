"""Display formats: Asia/Shanghai times, Chinese yes/no (design.md §9); money is ``core.money`` (integer 分)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

TZ = ZoneInfo(os.environ.get("DISPLAY_TZ", "Asia/Shanghai"))


def now() -> datetime:
    return datetime.now(UTC)


def dt(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(TZ).strftime("%Y-%m-%d %H:%M")


def short_dt(value: datetime | None, *, today: date | None = None) -> str:
    """A list cell's time: "11-30 13:45" within the current year, "2025-11-30" before it (fits a 1280 px list)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(TZ)
    this_year = (today or datetime.now(TZ).date()).year
    return local.strftime("%m-%d %H:%M") if local.year == this_year else local.strftime("%Y-%m-%d")


def local_to_utc(day: date, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=TZ).astimezone(UTC)


def yes_no(value: bool | None) -> str:
    return "是" if value else "否"
