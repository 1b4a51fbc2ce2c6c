"""The hourly complaint sweep reclassifies only the complaints whose class can change by itself (issue 5).

Each test compares the sweep with a full re-judgement of every open complaint (what the sweep did before):
the same complaints change class, the same report breaches are flagged, the same overdue count.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from core import complaints as rules
from core.complaints import Grade
from core.roles import Role
from db.models import Complaint, RecordEvent
from db.models.base import as_utc
from db.services import complaint_grades, complaint_groups, complaint_kernel
from db.services import complaints as svc
from db.services import policy as policy_service
from db.services.complaints import ComplaintIn
from db.session import read_session


def _data(office_id, now, **kw) -> ComplaintIn:
    base = dict(office_id=office_id, channel="phone", category="engineering", description="楼道灯坏了三天没人修",
                occurred_at=now - timedelta(hours=2), complainant_name="张业主", complainant_phone="13800000001")
    base.update(kw)
    return ComplaintIn(**base)


def _full_judgement(now) -> tuple[set[str], set[str], int]:
    """Every open complaint re-judged without writing: (would change class, report breach due, overdue)."""
    changes, breaches, overdue = set(), set(), 0
    with read_session() as s:
        opened = s.exec(select(Complaint).where(Complaint.state.in_([x.value for x in rules.OPEN_STATES]))).all()
        for c in opened:
            policy = complaint_kernel.policy_for(s, c, now)
            result = rules.classify(complaint_kernel.facts_of(s, c, policy, now), policy)
            grade, _ = rules.effective_grade(result.grade, raised_to=c.raised_grade and Grade(c.raised_grade),
                                             hq_grade=c.hq_grade and Grade(c.hq_grade), policy=policy,
                                             held=Grade(c.grade))
            if grade.value != c.grade:
                changes.add(c.number)
                continue  # a change of class moves deadlines: not judged here
            if c.due_at and as_utc(c.due_at) < now:
                overdue += 1
            flagged = s.exec(select(RecordEvent.id).where(RecordEvent.record_type == "complaint", RecordEvent.record_id == c.id,
                                                             RecordEvent.event == "report_breach")).first()
            if c.report_due_at and c.reported_at is None and as_utc(c.report_due_at) < now and not flagged:
                breaches.add(c.number)
    return changes, breaches, overdue


def test_sweep_ages_reports_and_counts_like_a_full_pass(db_url, org, make_actor, now):
    clerk = make_actor(Role.CLERK, org.office_a)
    plain = svc.register(actor=clerk, data=_data(org.office_a, now), request_id="plain", now=now)
    ours = svc.register(actor=clerk, data=_data(org.office_a, now, our_fault=True, complainant_phone="1"),
                        request_id="ours", now=now)
    hot = svc.register(actor=clerk, data=_data(org.office_a, now, complainant_count=3, complainant_phone="2"),
                       request_id="hot", now=now)
    assert (plain.grade, ours.grade, hot.grade) == ("general", "general", "hot") and hot.report_due_at

    later = now + timedelta(days=8)
    changes, breaches, overdue = _full_judgement(later)
    assert changes == {ours.number} and breaches == {hot.number}
    result = complaint_grades.daily_sweep(now=later)
    assert set(result.regraded) == changes and set(result.report_breaches) == breaches
    assert result.overdue == 3 == overdue + 1  # the regraded one is overdue under its new class too

    again = complaint_grades.daily_sweep(now=later)  # idempotent: nothing left to change or flag
    assert (again.regraded, again.report_breaches, again.overdue) == ([], [], 3)
    assert _full_judgement(later)[:2] == (set(), set())


def test_sweep_keeps_a_same_issue_class_after_the_window(db_url, org, make_actor, now):
    """Three complainants of one issue make it 热点; when they leave the counting window the class stays (issue 11
    item 9: only HQ lowers a class)."""
    clerk, sup = make_actor(Role.CLERK, org.office_a), make_actor(Role.CS_SUPERVISOR, org.office_a)
    made = [svc.register(actor=clerk, now=now, request_id=f"g{i}",
                         data=_data(org.office_a, now, complainant_name=f"业主{i}", complainant_phone=f"1380000000{i}"))
            for i in range(3)]
    complaint_groups.link_same_issue(actor=sup, complaint_id=made[1].id, with_complaint_id=made[0].id, now=now)
    complaint_groups.link_same_issue(actor=sup, complaint_id=made[2].id, with_complaint_id=made[0].id, now=now)
    with read_session() as s:
        assert set(s.exec(select(Complaint.grade)).all()) == {"hot"}
    assert complaint_grades.daily_sweep(now=now + timedelta(hours=1)).regraded == []

    later = now + timedelta(days=40)
    changes, _, _ = _full_judgement(later)
    assert changes == set()
    assert complaint_grades.daily_sweep(now=later).regraded == []
    with read_session() as s:
        assert set(s.exec(select(Complaint.grade)).all()) == {"hot"}


def test_sweep_applies_policy_coming_into_force(db_url, org, make_actor, now):
    """A lower collective threshold recorded before the complaint, in force only later: the sweep applies it."""
    admin, clerk = make_actor(Role.SYSADMIN, org.hq_id), make_actor(Role.CLERK, org.office_a)
    policy_service.set_value(actor=admin, key="complaint.hot_collective", value=2, effective_from=now + timedelta(days=1),
                             reason="测试", now=now)
    c = svc.register(actor=clerk, data=_data(org.office_a, now, complainant_count=2), request_id="pc", now=now)
    assert c.grade == "general"
    assert complaint_grades.daily_sweep(now=now + timedelta(hours=2)).regraded == []
    later = now + timedelta(days=2)
    assert _full_judgement(later)[0] == {c.number}
    assert complaint_grades.daily_sweep(now=later).regraded == [c.number]


def test_sweep_leaves_closed_and_unchanged_complaints(db_url, org, make_actor, now):
    clerk = make_actor(Role.CLERK, org.office_a)
    for i in range(5):
        svc.register(actor=clerk, data=_data(org.office_a, now, complainant_phone=f"{i}"), request_id=f"u{i}", now=now)
    with read_session() as s:
        events = len(s.exec(select(RecordEvent.id)).all())
    result = complaint_grades.daily_sweep(now=now + timedelta(days=30))
    assert (result.regraded, result.report_breaches, result.overdue) == ([], [], 5)
    with read_session() as s:
        assert len(s.exec(select(RecordEvent.id)).all()) == events
