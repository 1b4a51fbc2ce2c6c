"""Office-visitor incident rules (core.visitor_incidents): every class row, every step in every state, the deadlines,
the representatives check and the collective threshold read from the complaint group."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from core import policy as book
from core import visitor_incidents as rules
from core.errors import DomainError
from core.pdf.visitor_forms import IncidentSheet, incident_form

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def policy(**overrides) -> book.PolicyBook:
    changes = [book.Change(i + 1, k, v, NOW - timedelta(days=1)) for i, (k, v) in enumerate(overrides.items())]
    return book.resolve(changes, version=None, at=NOW)


def intake(**kw) -> rules.Intake:
    base = dict(visit_class="a", people_count=1, representatives=None, visitor_name="张业主", purpose="漏水",
                arrived_at=NOW - timedelta(minutes=5))
    base.update(kw)
    return rules.Intake(**base)


def test_every_shipped_class_has_a_script_and_is_marked_for_the_customer_to_confirm():
    p = policy()
    assert [c.code for c in rules.classes(p)] == ["a", "b", "c", "d"]
    assert all(c.script and c.definition for c in rules.classes(p))
    assert book.PARAMS[rules.CLASSES].needs_confirmation
    assert rules.visit_class(p, "a").duties == {"receive", "escalate"}
    assert rules.visit_class(p, "d").duties == {"report"}


def test_deadlines_follow_the_class_and_the_parameters():
    p, arrived = policy(), NOW
    a, c, d = (rules.visit_class(p, x) for x in "acd")
    assert rules.receive_due(a, arrived, p) == arrived + timedelta(minutes=10)
    assert rules.escalate_due(a, arrived, p) == arrived + timedelta(minutes=30)
    assert rules.report_due(d, arrived, p) == arrived + timedelta(hours=24)
    assert rules.receive_due(c, arrived, p) is None and rules.report_due(a, arrived, p) is None
    assert rules.receive_due(a, arrived, policy(**{"visitor.a_receive_minutes": 3})) == arrived + timedelta(minutes=3)
    assert rules.calmed_in_time(resolved_at=arrived + timedelta(minutes=30), escalate_due_at=arrived + timedelta(minutes=30))
    assert not rules.calmed_in_time(resolved_at=arrived + timedelta(minutes=31),
                                    escalate_due_at=arrived + timedelta(minutes=30))


@pytest.mark.parametrize(("kw", "message"), [
    (dict(visit_class="x"), "来访分类"), (dict(visitor_name=""), "来访人姓名"), (dict(purpose=" "), "来访事由"),
    (dict(people_count=0), "来访人数"), (dict(arrived_at=NOW + timedelta(hours=1)), "晚于现在"),
    (dict(visit_class="b", people_count=8), "推选代表"), (dict(visit_class="b", people_count=8, representatives=6), "不能超过 5"),
    (dict(people_count=2, representatives=3), "代表人数应在"),
])
def test_intake_refuses_bad_input_in_chinese(kw, message):
    with pytest.raises(DomainError, match=message):
        rules.check_intake(intake(**kw), policy(), NOW)


def test_representatives_limit_is_the_parameter():
    rules.check_intake(intake(visit_class="b", people_count=8, representatives=5), policy(), NOW)
    with pytest.raises(DomainError, match="不能超过 4"):
        rules.check_intake(intake(visit_class="b", people_count=8, representatives=5),
                           policy(**{"visitor.b_representatives": 4}), NOW)


def test_collective_threshold_is_the_complaint_groups():
    assert not rules.collective(2, policy()) and rules.collective(3, policy())
    assert not rules.collective(3, policy(**{"complaint.hot_collective": 4}))
    assert not rules.collective(3, policy(**{"complaint.thresholds_inclusive": False}))
    assert "3人以上" in rules.collective_phrase(policy())


SIT = rules.Situation(state="logged", duties=frozenset({"receive", "escalate"}), received=False, levels=frozenset(),
                      reported=False, complaint_linked=False)


@pytest.mark.parametrize("state", list(rules.State))
@pytest.mark.parametrize("op", list(rules.Op))
def test_every_step_in_every_state(op, state):
    sit = replace(SIT, state=state, received=op is not rules.Op.RECEIVE, duties=frozenset({"report"}) if op is rules.Op.REPORT else SIT.duties)
    expected = rules.in_state(op, state)
    assert rules.offered(op, sit) is expected
    if not expected:
        with pytest.raises(DomainError, match="来访接待流程"):
            rules.require(op, sit)


def test_steps_refused_by_what_already_happened():
    assert "已记录接待人" in rules.refusal(rules.Op.RECEIVE, replace(SIT, received=True))
    assert "请先记录接待人" in rules.refusal(rules.Op.RESOLVE, SIT)  # A类: the 客服主任 received them first
    assert rules.refusal(rules.Op.ESCALATE, replace(SIT, levels=frozenset(rules.Level)))
    assert "无需书面事件报告" in rules.refusal(rules.Op.REPORT, SIT)
    assert rules.refusal(rules.Op.CONVERT, replace(SIT, complaint_linked=True)) == "已转为投诉"
    closing = replace(SIT, state="resolved", duties=frozenset({"report"}))
    assert "书面事件报告" in rules.refusal(rules.Op.CLOSE, closing)
    assert rules.offered(rules.Op.CLOSE, replace(closing, reported=True))


def test_next_state():
    assert rules.next_state(rules.Op.RECEIVE, "logged") is rules.State.RECEIVED
    assert rules.next_state(rules.Op.RECEIVE, "escalated") is rules.State.ESCALATED
    assert rules.next_state(rules.Op.ESCALATE, "received") is rules.State.ESCALATED
    assert rules.next_state(rules.Op.ESCALATE, "resolved") is rules.State.RESOLVED
    assert rules.next_state(rules.Op.RESOLVE, "escalated") is rules.State.RESOLVED
    assert rules.next_state(rules.Op.REPORT, "logged") is rules.State.LOGGED
    assert rules.next_state(rules.Op.CLOSE, "resolved") is rules.State.CLOSED


def test_moment_checks():
    with pytest.raises(DomainError, match="早于来访时间"):
        rules.check_moment(NOW - timedelta(hours=1), arrived_at=NOW, now=NOW, what="接待时间")
    with pytest.raises(DomainError, match="晚于现在"):
        rules.check_moment(NOW + timedelta(hours=1), arrived_at=NOW, now=NOW, what="接待时间")


def test_incident_form_renders():
    pdf = incident_form(IncidentSheet(number="LF-2026-000001", visitor="张业主", people="3人"), company="某物业公司",
                        printed_at="2026-11-27 10:00")
    assert pdf.startswith(b"%PDF")
