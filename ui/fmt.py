"""Display formats: Asia/Shanghai times, money, Chinese yes/no (design.md §9)."""

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


def local_to_utc(day: date, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=TZ).astimezone(UTC)


def money(value: float | None) -> str:
    return "" if value is None else f"¥{value:,.2f}"


def yes_no(value: bool | None) -> str:
    return "是" if value else "否"
