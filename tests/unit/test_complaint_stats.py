"""《顾客投诉分类统计表》 rules (core.complaint_stats): due day, submit/return checks, rows, rates, frozen form."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from core import complaint_stats as rules
from core import policy as book
from core.errors import DomainError


def _book(**values) -> book.PolicyBook:
    policy = book.resolve([], version=0, at=datetime(2026, 11, 1, tzinfo=UTC))
    return replace(policy, values={**policy.values, **values})


def test_due_at_is_the_policy_day_of_the_next_month_at_2359_local():
    due = rules.due_at(date(2026, 12, 1), _book())
    assert due.isoformat() == "2027-01-03T23:59:00+08:00"
    assert rules.due_at(date(2026, 10, 1), _book(**{rules.DUE_DAY: 5})).day == 5  # the parameter decides


def test_month_arithmetic_crosses_years():
    assert rules.next_month(date(2026, 12, 1)) == date(2027, 1, 1)
    assert rules.previous_month(date(2027, 1, 1)) == date(2026, 12, 1)
    start, end = rules.month_range(date(2026, 10, 15), _book())
    assert start.astimezone(UTC) == datetime(2026, 9, 30, 16, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2026, 10, 31, 16, tzinfo=UTC)


def test_submit_only_after_the_month_and_not_twice():
    policy = _book()
    inside = datetime(2026, 10, 31, 15, 59, tzinfo=UTC)  # 23:59 in Shanghai, still October
    with pytest.raises(DomainError, match="尚未结束") as exc:
        rules.check_submittable("pending", date(2026, 10, 1), inside, policy)
    assert exc.value.clause == rules.CLAUSE
    after = datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    rules.check_submittable("pending", date(2026, 10, 1), after, policy)
    rules.check_submittable("returned", date(2026, 10, 1), after, policy)
    with pytest.raises(DomainError, match="已报送"):
        rules.check_submittable("submitted", date(2026, 10, 1), after, policy)


def test_return_needs_a_submitted_table_and_a_reason():
    with pytest.raises(DomainError, match="退回原因"):
        rules.check_returnable("submitted", "  ")
    with pytest.raises(DomainError, match="已报送"):
        rules.check_returnable("returned", "漏计")
    assert rules.check_returnable("submitted", " 漏计一件 ") == "漏计一件"


def test_rows_follow_the_category_table_and_total_adds_up():
    policy = _book()
    current = {"engineering": rules.Counts(total=4, major=1, general=3, closed=2, callbacks_required=2,
                                           callbacks_done=1, surveyed=1, satisfied=1),
               "retired_code": rules.Counts(total=1, general=1)}
    rows = rules.build_rows(current, {"engineering": 2, "fees": 3}, policy)
    codes = [r.code for r in rows]
    assert codes[: len(policy.rows(rules.CATEGORIES))] == [r["code"] for r in policy.rows(rules.CATEGORIES)]
    assert "retired_code" in codes and codes[-1] == ""
    total = rows[-1]
    assert (total.label, total.counts.total, total.previous_total, total.change) == ("合计", 5, 5, 0)
    eng = rows[0]
    assert (eng.open, eng.closure_rate, eng.callback_rate, eng.satisfaction_rate, eng.change) == (2, 0.5, 0.5, 1.0, 2)
    fees = next(r for r in rows if r.code == "fees")
    assert fees.closure_rate is None and rules.cell(fees, "closure_rate") == "—" and rules.cell(fees, "change") == "-3"
    assert rules.cell(eng, "callback_rate") == "50.0%" and rules.cell(eng, "previous_total") == 2


def test_frozen_form_round_trips():
    rows = rules.build_rows({"engineering": rules.Counts(total=2, hot=1, general=1)}, {"engineering": 1}, _book())
    assert rules.from_json(rules.to_json(rows)) == rows
