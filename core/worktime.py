"""Working time: the one deadline function every process uses (policy book: holiday calendar, work hours).

Deadlines in the policies are written in calendar hours ("24 小时内书面答复"), days ("3 天内回访"),
working days ("3 个工作日内答复来函"), weeks or calendar months ("一个月未解决"). ``due_at`` turns
any of them into an instant; statutory holidays and 调休 working weekends come from the editable calendar.
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

UNITS = {
    "hours": "小时",
    "days": "天",
    "weeks": "周",
    "months": "个月",
    "working_days": "个工作日",
    "working_hours": "个工作小时",
}


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date] = field(default_factory=frozenset)
    makeup_workdays: frozenset[date] = field(default_factory=frozenset)  # 调休上班的周末
    periods: tuple[tuple[time, time], ...] = ((time(8, 0), time(12, 0)), (time(14, 0), time(18, 0)))
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))

    def is_working_day(self, d: date) -> bool:
        if d in self.makeup_workdays:
            return True
        if d in self.holidays:
            return False
        return d.weekday() < 5


def add_months(moment: datetime, months: int) -> datetime:
    """Same day and time ``months`` later; the 31st becomes the last day of a shorter month."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, _calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None:
        raise ValueError("worktime needs timezone-aware datetimes")


def add_working_days(start: datetime, days: int, cal: WorkCalendar) -> datetime:
    """The same local clock time on the ``days``-th working day after ``start``'s day."""
    _require_aware(start)
    local = start.astimezone(cal.tz)
    d, counted = local.date(), 0
    while counted < days:
        d += timedelta(days=1)
        if cal.is_working_day(d):
            counted += 1
    return datetime.combine(d, local.timetz().replace(tzinfo=None), cal.tz).astimezone(start.tzinfo)


def add_working_hours(start: datetime, hours: float, cal: WorkCalendar) -> datetime:
    """Move forward through working periods of working days only (e.g. 08–12 and 14–18)."""
    _require_aware(start)
    remaining = timedelta(hours=hours)
    local = start.astimezone(cal.tz)
    d = local.date()
    for _ in range(3660):  # ten years of days: a guard against an empty calendar, never reached in practice
        if cal.is_working_day(d):
            for begin, end in cal.periods:
                p_start = datetime.combine(d, begin, cal.tz)
                p_end = datetime.combine(d, end, cal.tz)
                cursor = max(p_start, local)
                if cursor >= p_end:
                    continue
                available = p_end - cursor
                if remaining <= available:
                    return (cursor + remaining).astimezone(start.tzinfo)
                remaining -= available
        d += timedelta(days=1)
        local = datetime.combine(d, time(0), cal.tz)
    raise ValueError("工作日历中没有可用的工作时间")


def working_time_between(a: datetime, b: datetime, cal: WorkCalendar) -> timedelta:
    """Working time from ``a`` to ``b`` (negative when ``b`` is earlier): countdowns in working hours."""
    _require_aware(a)
    _require_aware(b)
    if b < a:
        return -working_time_between(b, a, cal)
    total = timedelta()
    d = a.astimezone(cal.tz).date()
    last = b.astimezone(cal.tz).date()
    while d <= last:
        if cal.is_working_day(d):
            for begin, end in cal.periods:
                lo = max(datetime.combine(d, begin, cal.tz), a)
                hi = min(datetime.combine(d, end, cal.tz), b)
                if hi > lo:
                    total += hi - lo
        d += timedelta(days=1)
    return total


def due_at(start: datetime, amount: float, unit: str, cal: WorkCalendar) -> datetime:
    """The single deadline function: ``start`` plus ``amount`` ``unit`` (see ``UNITS``)."""
    _require_aware(start)
    if amount < 0:
        raise ValueError("期限不能为负数")
    if unit == "hours":
        return start + timedelta(hours=amount)
    if unit == "days":
        return start + timedelta(days=amount)
    if unit == "weeks":
        return start + timedelta(weeks=amount)
    if unit == "months":
        return add_months(start, int(amount))
    if unit == "working_days":
        return add_working_days(start, int(amount), cal)
    if unit == "working_hours":
        return add_working_hours(start, amount, cal)
    raise ValueError(f"未知的期限单位：{unit}")
