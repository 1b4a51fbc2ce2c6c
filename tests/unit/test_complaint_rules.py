"""Complaint rules (core.complaints): every trigger and boundary, rank order, transitions, exemptions, responsibility."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from core import complaints as r
from core.complaints import Exemption, ExemptionFacts, Facts, Grade, State, Step
from core.errors import DomainError
from core.policy import resolve

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
POLICY = resolve([], version=0, at=NOW)


def book(**overrides):
    values = dict(POLICY.values)
    values.update(overrides)
    return replace(POLICY, values=values)


def facts(**kw) -> Facts:
    return Facts(as_of=NOW, arose_at=NOW - timedelta(hours=1), **kw)


@pytest.mark.parametrize(
    ("kw", "grade", "label"),
    [
        ({}, Grade.GENERAL, "未触发"),
        ({"lawsuit": True}, Grade.MAJOR, "已被起诉"),
        ({"media_exposed": True}, Grade.MAJOR, "媒体曝光"),
        ({"complainant_count": 10}, Grade.MAJOR, "10人以上集体投诉"),
        ({"complainant_count": 9}, Grade.HOT, "3人以上集体投诉"),
        ({"complainant_count": 3}, Grade.HOT, "3人以上集体投诉"),
        ({"complainant_count": 2}, Grade.GENERAL, "未触发"),
        ({"media_or_lawsuit_risk": True}, Grade.HOT, "可能引起诉讼"),
        ({"same_issue_distinct_complainants": 3}, Grade.HOT, "同一事项3位以上"),
        ({"same_issue_distinct_complainants": 2}, Grade.GENERAL, "未触发"),
        ({"repeat_after_close": True}, Grade.IMPORTANT, "二次投诉"),
        ({"needs_help": True}, Grade.IMPORTANT, "专业顾问"),
    ],
)
def test_each_trigger_and_count_boundaries(kw, grade, label):
    result = r.classify(facts(**kw), POLICY)
    assert result.grade == grade and label in result.trigger_label and result.citation.startswith("依据《")


def test_age_boundaries_six_seven_days_and_one_calendar_month():
    arose = datetime(2026, 1, 31, 2, 0, tzinfo=UTC)

    def at(moment, our_fault=True, resolved=False):
        return r.classify(Facts(as_of=moment, arose_at=arose, our_fault=our_fault, resolved=resolved), POLICY).grade

    assert at(arose + timedelta(days=6, hours=23)) == Grade.GENERAL
    assert at(arose + timedelta(days=7)) == Grade.HOT
    assert at(arose + timedelta(days=7), our_fault=False) == Grade.GENERAL
    assert at(arose + timedelta(days=7), resolved=True) == Grade.GENERAL
    # one calendar month from 31 Jan is 28 Feb (2026 is not a leap year)
    assert at(datetime(2026, 2, 28, 1, 59, tzinfo=UTC)) == Grade.HOT
    assert at(datetime(2026, 2, 28, 2, 0, tzinfo=UTC)) == Grade.MAJOR


def test_inclusivity_comes_from_the_policy():
    exclusive = book(**{"complaint.thresholds_inclusive": False})
    assert r.classify(facts(complainant_count=10), exclusive).grade == Grade.HOT
    assert r.classify(facts(complainant_count=11), exclusive).grade == Grade.MAJOR
    assert r.classify(facts(complainant_count=3), exclusive).grade == Grade.GENERAL


def test_thresholds_come_from_the_policy():
    assert r.classify(facts(complainant_count=3), book(**{"complaint.hot_collective": 4})).grade == Grade.GENERAL


def test_rank_order_from_policy_decides_between_triggers():
    both = facts(complainant_count=3, repeat_after_close=True)
    assert r.classify(both, POLICY).grade == Grade.HOT
    swapped = book(**{"complaint.rank": "major>important>hot>general"})
    result = r.classify(both, swapped)
    assert result.grade == Grade.IMPORTANT and [t.grade for t in result.all_triggers] == [Grade.IMPORTANT, Grade.HOT]
    with pytest.raises(DomainError, match="全部四个"):
        r.rank_order(book(**{"complaint.rank": "major>hot"}))


def test_all_triggers_listed_most_severe_first():
    result = r.classify(facts(lawsuit=True, complainant_count=4, needs_help=True), POLICY)
    assert [t.grade for t in result.all_triggers] == [Grade.MAJOR, Grade.HOT, Grade.IMPORTANT]


def test_unit_raise_never_below_rules_and_needs_reason():
    r.check_unit_raise(current=Grade.GENERAL, rules=Grade.GENERAL, new=Grade.HOT, reason="业主情绪激动", policy=POLICY)
    with pytest.raises(DomainError, match="理由"):
        r.check_unit_raise(current=Grade.GENERAL, rules=Grade.GENERAL, new=Grade.HOT, reason="", policy=POLICY)
    with pytest.raises(DomainError, match="不得将投诉类别降至"):
        r.check_unit_raise(current=Grade.HOT, rules=Grade.HOT, new=Grade.IMPORTANT, reason="x", policy=POLICY)
    with pytest.raises(DomainError, match="只能提高"):
        r.check_unit_raise(current=Grade.MAJOR, rules=Grade.GENERAL, new=Grade.HOT, reason="x", policy=POLICY)


def test_effective_grade_hq_has_final_say():
    assert r.effective_grade(Grade.HOT, raised_to=None, hq_grade=Grade.GENERAL, policy=POLICY) == (Grade.GENERAL, r.GradeSource.HQ)
    assert r.effective_grade(Grade.GENERAL, raised_to=Grade.HOT, hq_grade=None, policy=POLICY)[0] == Grade.HOT
    assert r.effective_grade(Grade.MAJOR, raised_to=Grade.HOT, hq_grade=None, policy=POLICY) == (Grade.MAJOR, r.GradeSource.RULES)
    with pytest.raises(DomainError, match="理由"):
        r.check_hq_override(reason=" ")


LEGAL = [(step, src, dst) for step, table in r.TRANSITIONS.items() for src, dst in table.items()]
ILLEGAL = [(step, src) for step in Step for src in State if src not in r.TRANSITIONS[step]]


@pytest.mark.parametrize(("step", "src", "dst"), LEGAL)
def test_legal_transitions(step, src, dst):
    assert r.next_state(src, step) == dst and step in r.allowed_steps(src)


@pytest.mark.parametrize(("step", "src"), ILLEGAL)
def test_illegal_transitions_refused_in_chinese_with_clause(step, src):
    with pytest.raises(DomainError) as err:
        r.next_state(src, step)
    assert "依据《" in err.value.message and r.STATE_LABELS[src] in err.value.message


def test_close_without_verification_refused():
    for state in (State.RECEIVED, State.ASSIGNED, State.HANDLED, State.VERIFIED):
        with pytest.raises(DomainError, match="验证合格"):
            r.next_state(state, Step.CLOSE)


def test_unsatisfied_callback_reopens():
    assert r.after_callback("unsatisfied") == State.REOPENED
    assert r.after_callback("basic") == State.CALLBACK_DONE
    assert r.after_callback("satisfied") == State.CALLBACK_DONE


@pytest.mark.parametrize(
    ("kind", "ok", "bad"),
    [
        (Exemption.ON_SPOT, ExemptionFacts(resolved_on_spot=True, satisfied_on_spot=True), ExemptionFacts(resolved_on_spot=True)),
        (Exemption.NO_CONTACT, ExemptionFacts(anonymous=True), ExemptionFacts(online=True, contact_available=True)),
        (Exemption.NO_CONTACT, ExemptionFacts(online=True, contact_available=False), ExemptionFacts()),
        (Exemption.SENSITIVE, ExemptionFacts(sensitive=True), ExemptionFacts()),
        (Exemption.UNREACHABLE, ExemptionFacts(failed_attempts=3), ExemptionFacts(failed_attempts=2)),
    ],
)
def test_each_exemption(kind, ok, bad):
    r.check_exemption(kind, ok, reason="理由", decider_user_id=1, policy=POLICY)
    with pytest.raises(DomainError, match="依据《顾客投诉处理制度\\(投诉回访\\)》第2条"):
        r.check_exemption(kind, bad, reason="理由", decider_user_id=1, policy=POLICY)
    with pytest.raises(DomainError, match="理由"):
        r.check_exemption(kind, ok, reason="", decider_user_id=1, policy=POLICY)
    with pytest.raises(DomainError, match="决定人"):
        r.check_exemption(kind, ok, reason="x", decider_user_id=None, policy=POLICY)


def test_configurable_exemption_cases():
    custom = book(**{"complaint.callback_exempt_extra": "顾客明确拒绝；顾客已出国"})
    assert r.extra_exemptions(custom) == ["顾客明确拒绝", "顾客已出国"]
    r.check_exemption(Exemption.OTHER, ExemptionFacts(), reason="x", decider_user_id=1, policy=custom, extra_case="顾客已出国")
    with pytest.raises(DomainError, match="列明"):
        r.check_exemption(Exemption.OTHER, ExemptionFacts(), reason="x", decider_user_id=1, policy=POLICY,
                          extra_case="顾客已出国")


def test_deadlines_from_policy():
    assert r.report_due(Grade.MAJOR, NOW, POLICY) == NOW + timedelta(hours=1)
    assert r.report_due(Grade.IMPORTANT, NOW, POLICY) is None
    assert r.consultant_due(NOW, POLICY) == NOW + timedelta(hours=24)
    assert r.callback_due(NOW, POLICY) == NOW + timedelta(days=3)
    assert r.handling_due(Grade.MAJOR, NOW, POLICY) == NOW + timedelta(days=7)
    # 2 working days from Friday 27 Nov 10:00 (Shanghai) → Tuesday 1 Dec 10:00
    assert r.handling_due(Grade.GENERAL, NOW, POLICY) == datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    assert r.hotline_due("hotline_12345", NOW, POLICY) == datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    assert r.hotline_due("phone", NOW, POLICY) is None
    assert r.online_facts_due(NOW, viral=True, policy=POLICY) == NOW + timedelta(hours=4)


def _resp(**kw):
    base = dict(as_of=NOW, handling_due_at=NOW - timedelta(days=1), contact_person="接口人",
                hq_head="中心主任")
    base.update(kw)
    return r.attribute_responsibility(r.ResponsibilityFacts(**base))


def test_responsibility_three_clauses():
    assert [(f.clause, f.person) for f in _resp()] == [("第3条", "接口人")]
    assert _resp(handling_due_at=NOW + timedelta(days=1)) == []
    assert _resp(handled_at=NOW - timedelta(days=2)) == []  # handled in time, verified later: no missed deadline
    late_intake = _resp(intake_due_at=NOW - timedelta(days=2), contact_received_at=NOW - timedelta(days=1),
                        intake_delayed_by="前台小李")
    assert [(f.clause, f.person) for f in late_intake] == [("第1条", "前台小李")]
    consult = r.ConsultTimes("冯顾问", NOW - timedelta(days=3), NOW - timedelta(days=2), replied_at=NOW - timedelta(days=1),
                             hq_asked_at=NOW - timedelta(days=3), hq_forward_due_at=NOW - timedelta(days=3, hours=-2),
                             hq_forwarded_at=NOW - timedelta(days=2))
    assert [(f.clause, f.person) for f in _resp(consults=(consult,))] == [("第2条", "中心主任"), ("第2条", "冯顾问")]
    on_time = replace(consult, replied_at=NOW - timedelta(days=2, hours=1), hq_forwarded_at=NOW - timedelta(days=3))
    assert [(f.clause, f.person) for f in _resp(consults=(on_time,))] == [("第3条", "接口人")]
