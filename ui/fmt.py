"""Display formats: Asia/Shanghai times, Chinese yes/no (design.md §9); money is ``core.money`` (integer 分)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
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


def period_bounds(period) -> tuple[datetime | None, datetime | None, str]:
    """A ``st.date_input`` range as the lists filter it: (since, until) in UTC, ``until`` the day after the last
    day, and its label ("2026-11-01至2026-11-30"); (None, None, "") until both days are picked."""
    if isinstance(period, tuple) and len(period) == 2:
        return (local_to_utc(period[0]), local_to_utc(period[1]) + timedelta(days=1),
                f"{period[0]:%Y-%m-%d}至{period[1]:%Y-%m-%d}")
    return None, None, ""


def yes_no(value: bool | None) -> str:
    return "是" if value else "否"
