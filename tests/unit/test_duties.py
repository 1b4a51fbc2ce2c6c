"""core.duties: one duty judged at a moment (the boundaries the compliance checks rely on), the registry, months."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.duties import DutySpec, DutyStatus, DutyTally, duty_spec, month_bounds, register_duty, status

DUE = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


@pytest.mark.parametrize(("met_at", "now", "expected"), [
    (DUE, DUE + timedelta(days=3), DutyStatus.MET_ON_TIME),  # met exactly at the due time
    (DUE - MINUTE, DUE + timedelta(days=3), DutyStatus.MET_ON_TIME),
    (DUE + MINUTE, DUE + timedelta(days=3), DutyStatus.MET_LATE),  # one minute late
    (DUE + MINUTE, DUE - timedelta(days=3), DutyStatus.MET_LATE),  # judged by its met time, not by now
    (None, DUE - MINUTE, DutyStatus.OPEN),
    (None, DUE, DutyStatus.OPEN),  # due exactly now: not yet overdue
    (None, DUE + MINUTE, DutyStatus.OVERDUE),
])
def test_status_of_one_duty_at_now(met_at, now, expected):
    assert status(due_at=DUE, met_at=met_at, now=now) is expected


def test_a_cancelled_duty_is_neither_kept_nor_broken():
    assert status(due_at=DUE, met_at=None, now=DUE + timedelta(days=9), cancelled=True) is DutyStatus.CANCELLED


def test_registry_refuses_a_second_different_spec_and_a_code_outside_its_record_type():
    spec = register_duty(DutySpec("unit_probe.reply", "unit_probe", "测试答复", "测试制度 第1条", ("x.reply",)))
    assert register_duty(spec) is spec and duty_spec("unit_probe.reply") == spec
    with pytest.raises(ValueError, match="twice"):
        register_duty(DutySpec("unit_probe.reply", "unit_probe", "另一个", "测试制度 第2条"))
    with pytest.raises(ValueError, match="must start with"):
        register_duty(DutySpec("other.reply", "unit_probe", "测试答复", ""))
    with pytest.raises(KeyError, match="register it"):
        duty_spec("unit_probe.nothing")


def test_a_month_is_the_local_calendar_month():
    tz = ZoneInfo("Asia/Shanghai")
    start, end = month_bounds(date(2026, 12, 15), tz)
    assert start.astimezone(UTC) == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)  # across the year end


def test_the_rate_counts_only_decided_duties():
    tally = DutyTally("x.y", 1, None, total=10, met_on_time=6, met_late=1, open=2, overdue=1)
    assert tally.decided == 8 and tally.rate == pytest.approx(0.75)
    assert DutyTally("x.y", 1, None, total=2, met_on_time=0, met_late=0, open=2, overdue=0).rate is None
