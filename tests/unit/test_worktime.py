"""The one deadline function: calendar hours, days, months, working days and hours with the holiday calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core import policy as book
from core.worktime import WorkCalendar, add_months, due_at, working_time_between

SH = ZoneInfo("Asia/Shanghai")
CAL = book.resolve([], version=None, at=datetime(2026, 1, 1, tzinfo=UTC), holidays=book.DEFAULT_HOLIDAYS_2026).calendar()


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def test_calendar_hours_and_days_ignore_the_calendar():
    start = sh(2026, 9, 30, 17, 0)
    assert due_at(start, 24, "hours", CAL) == sh(2026, 10, 1, 17, 0)
    assert due_at(start, 3, "days", CAL) == sh(2026, 10, 3, 17, 0)


def test_working_days_skip_national_day_and_count_the_makeup_saturday():
    # 2026-09-30 (Wed) + 3 working days: 10-01..10-07 holiday, 10-08 Thu, 10-09 Fri, 10-10 Sat is a 调休 workday
    assert due_at(sh(2026, 9, 30, 10, 0), 3, "working_days", CAL) == sh(2026, 10, 10, 10, 0)
    # an ordinary week: Friday + 1 working day = Monday
    assert due_at(sh(2026, 11, 27, 15, 0), 1, "working_days", CAL) == sh(2026, 11, 30, 15, 0)


def test_working_hours_run_inside_office_hours_only():
    # Friday 17:00 + 2 working hours = Monday 09:00 (one hour on Friday, one on Monday morning)
    assert due_at(sh(2026, 11, 27, 17, 0), 2, "working_hours", CAL) == sh(2026, 11, 30, 9, 0)
    # lunch break 12–14 is not working time
    assert due_at(sh(2026, 11, 26, 11, 30), 1, "working_hours", CAL) == sh(2026, 11, 26, 14, 30)


def test_one_calendar_month_keeps_the_day_or_clamps_to_month_end():
    assert add_months(sh(2026, 1, 31, 9, 0), 1) == sh(2026, 2, 28, 9, 0)
    assert due_at(sh(2026, 11, 15, 9, 0), 1, "months", CAL) == sh(2026, 12, 15, 9, 0)
    assert add_months(sh(2026, 12, 10, 9, 0), 1) == sh(2027, 1, 10, 9, 0)


def test_working_time_between_counts_only_office_hours():
    assert working_time_between(sh(2026, 11, 27, 17, 0), sh(2026, 11, 30, 9, 0), CAL) == timedelta(hours=2)
    assert working_time_between(sh(2026, 11, 30, 9, 0), sh(2026, 11, 27, 17, 0), CAL) == -timedelta(hours=2)


def test_editable_calendar_changes_the_result():
    cal = WorkCalendar(holidays=frozenset({date(2026, 11, 30)}))
    assert due_at(sh(2026, 11, 27, 15, 0), 1, "working_days", cal) == sh(2026, 12, 1, 15, 0)


def test_naive_datetimes_and_unknown_units_are_refused():
    with pytest.raises(ValueError):
        due_at(datetime(2026, 1, 1), 1, "days", CAL)
    with pytest.raises(ValueError):
        due_at(sh(2026, 1, 1), 1, "fortnights", CAL)
