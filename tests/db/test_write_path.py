"""The fast write path of issue 5: the policy cache, plain INSERTs for append-only rows, the new-complaint path.

Each test checks that the faster code gives what the ORM code gave: the same policy as a fresh resolve (also
after edits made through the services and behind the process's back), the same audit/event/history/idempotency
rows, the same complaint object.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import create_engine, text
from sqlmodel import Session, select

from core import policy as book
from core.roles import Role
from db.engine import get_engine
from db.models import (
    AuditLog,
    Complaint,
    ComplaintGradeHistory,
    Department,
    IdempotencyKey,
    RecordEvent,
    Staff,
    User,
)
from db.models.base import as_utc
from db.orm_adapter import FastConstructor
from db.services import complaints as svc
from db.services import policy as policy_service
from db.services.base import audit, to_json
from db.services.complaints import ComplaintIn
from db.session import read_session, write_session


def _fresh(at, version=None) -> book.PolicyBook:
    """The policy resolved from the tables without the cache (what policy_in did before issue 5)."""
    with read_session() as s:
        return book.resolve(policy_service._changes(s), version=version, at=at, holidays=policy_service._holidays(s))


def _cached(at, version=None) -> book.PolicyBook:
    with read_session() as s:
        return policy_service.policy_in(s, at=at, version=version)


def _data(office_id, now, **kw) -> ComplaintIn:
    base = dict(office_id=office_id, channel="phone", category="engineering", description="楼道灯坏了三天没人修",
                occurred_at=now - timedelta(hours=2), complainant_name="张业主", complainant_phone="13800000001")
    base.update(kw)
    return ComplaintIn(**base)


# ----- the policy cache ------------------------------------------------------------------------------


def test_policy_cache_follows_service_edits(db_url, org, make_actor, now):
    admin = make_actor(Role.SYSADMIN, org.hq_id)
    key = "complaint.breaching_soon_hours"
    first = _cached(now)
    assert first == _fresh(now) and first[key] == 24

    version = policy_service.set_value(actor=admin, key=key, value=36, effective_from=now - timedelta(hours=1),
                                       reason="测试", now=now)
    assert _cached(now)[key] == 36 and _cached(now).version == version
    assert _cached(now, version=version - 1)[key] == 24  # an older record keeps its version's rules
    with read_session() as s:
        assert policy_service.current_version(s) == version
        assert policy_service.current_policy(s, at=now).version == version

    # A change effective later: not yet in force now, in force from its date (the cache splits at that moment).
    later = now + timedelta(days=3)
    policy_service.set_value(actor=admin, key=key, value=48, effective_from=later, reason="测试", now=now)
    assert _cached(now)[key] == 36
    assert _cached(later - timedelta(seconds=1))[key] == 36
    assert _cached(later)[key] == 48 and _cached(later + timedelta(days=1))[key] == 48
    assert _cached(later) == _fresh(later) and _cached(now) == _fresh(now)

    # Holidays: added, changed in place (same row, same count of rows), removed.
    day = date(2026, 12, 7)
    policy_service.set_holiday(actor=admin, day=day, kind="holiday", name="测试假日")
    assert book.Holiday(day, "holiday", "测试假日") in _cached(now).holidays
    policy_service.set_holiday(actor=admin, day=day, kind="workday", name="测试假日")
    assert book.Holiday(day, "workday", "测试假日") in _cached(now).holidays
    assert day not in _cached(now).calendar().holidays
    policy_service.set_holiday(actor=admin, day=day, kind="workday", name="改名")
    assert book.Holiday(day, "workday", "改名") in _cached(now).holidays
    policy_service.remove_holiday(actor=admin, day=day)
    assert all(h.day != day for h in _cached(now).holidays)
    assert _cached(now) == _fresh(now)


def test_policy_cache_sees_writes_from_another_process(db_url, org, now):
    """Another app process (here: a second engine with plain SQL) edits the tables: the next read sees it."""
    assert _cached(now)["complaint.hot_collective"] == 3
    other = create_engine(db_url)
    try:
        with other.begin() as conn:
            conn.execute(text("INSERT INTO policy_change (key, value_json, effective_from, reason, created_at) "
                              "VALUES (:k, :v, :f, 'x', :f)"),
                         {"k": "complaint.hot_collective", "v": json.dumps(5), "f": now - timedelta(days=1)})
        assert _cached(now)["complaint.hot_collective"] == 5
        day = book.DEFAULT_HOLIDAYS_2026[0].day
        with other.begin() as conn:  # in place: the number of rows does not change
            conn.execute(text("UPDATE policy_holiday SET kind = 'workday' WHERE day = :d"), {"d": day})
        assert book.Holiday(day, "workday", book.DEFAULT_HOLIDAYS_2026[0].name) in _cached(now).holidays
        with other.begin() as conn:  # a rename only
            conn.execute(text("UPDATE policy_holiday SET name = '改' WHERE day = :d"), {"d": day})
        assert book.Holiday(day, "workday", "改") in _cached(now).holidays
        assert _cached(now) == _fresh(now)
    finally:
        other.dispose()


def test_cached_books_are_callers_own(db_url, org, now):
    a = _cached(now)
    a.values["complaint.hot_collective"] = 99
    a.values["complaint.due_major"]["amount"] = 99
    b = _cached(now)
    assert b["complaint.hot_collective"] == 3 and b["complaint.due_major"]["amount"] == 7
    assert b == _fresh(now)


def test_policy_cache_is_bounded(db_url, org, now):
    for i in range(policy_service._MAX_BOOKS + 20):
        _cached(now + timedelta(days=i), version=i % 3)
    assert len(policy_service._BOOKS) <= policy_service._MAX_BOOKS
    assert len(policy_service._INPUTS) <= policy_service._MAX_INPUTS


# ----- rows written as plain INSERTs -----------------------------------------------------------------


def _columns(row, skip=("id",)) -> dict:
    return {k: v for k, v in row.model_dump().items() if k not in skip}


def test_audit_row_same_as_orm_object(db_url, org, make_actor, now):
    actor = make_actor(Role.CLERK, org.office_a)
    args = dict(action="test.same", entity="thing", entity_id=42, office_id=org.office_a, summary="摘要" * 300,
                before={"at": now, "n": 1}, after={"name": "名", "d": date(2026, 1, 2)}, source="s" * 80)
    with write_session() as s:
        audit(s, actor=actor, **args)
    with write_session() as s:  # what audit() did before: an AuditLog object, flushed at commit
        s.add(AuditLog(actor_user_id=actor.user_id, actor_name=actor.name, action="test.same", entity="thing",
                       entity_id="42", office_id=org.office_a, summary=args["summary"][:500],
                       before_json=to_json(args["before"]), after_json=to_json(args["after"]),
                       source=args["source"][:64]))
    with Session(get_engine(db_url)) as s:
        new, old = s.exec(select(AuditLog).where(AuditLog.action == "test.same").order_by(AuditLog.id)).all()
    assert _columns(new, skip=("id", "at")) == _columns(old, skip=("id", "at"))
    assert type(new.at) is type(old.at) and abs(new.at - old.at) < timedelta(minutes=1)
    with write_session() as s:  # no actor: the system
        audit(s, actor=None, action="test.system")
    with Session(get_engine(db_url)) as s:
        row = s.exec(select(AuditLog).where(AuditLog.action == "test.system")).one()
    assert (row.actor_user_id, row.actor_name, row.entity, row.entity_id, row.summary, row.before_json, row.source) == \
        (None, "", "", "", "", None, "")


def test_register_writes_the_same_rows(db_url, org, make_actor, now):
    clerk = make_actor(Role.CLERK, org.office_a)
    c = svc.register(actor=clerk, data=_data(org.office_a, now), request_id="req-rows", now=now)
    assert c.id and c.number.startswith("TS-2026-") and c.grade == "general" and c.state == "received"
    with Session(get_engine(db_url)) as s:
        stored = s.get(Complaint, c.id)
        assert _columns(stored, skip=()) == {**_columns(c, skip=()), **{
            k: getattr(stored, k) for k in ("occurred_at", "received_at", "due_at", "created_at", "updated_at",
                                            "hotline_due_at", "report_due_at")}}
        for k in ("occurred_at", "received_at", "due_at", "created_at", "updated_at"):
            assert as_utc(getattr(stored, k)) == getattr(c, k)
        event = s.exec(select(RecordEvent).where(RecordEvent.record_type == "complaint", RecordEvent.record_id == c.id)).one()
        grade = s.exec(select(ComplaintGradeHistory).where(ComplaintGradeHistory.complaint_id == c.id)).one()
        log = s.exec(select(AuditLog).where(AuditLog.entity == "complaint", AuditLog.entity_id == str(c.id))).one()
        key = s.get(IdempotencyKey, "req-rows")
    assert (event.event, event.actor_user_id, event.actor_name, event.from_state, event.to_state) == \
        ("register", clerk.user_id, clerk.name, None, "received")
    assert as_utc(event.at) == now and event.citation == c.grade_citation and event.note.startswith("受理登记（")
    assert (grade.from_grade, grade.to_grade, grade.source, grade.trigger, grade.reason, grade.actor_user_id) == \
        (None, "general", "rules", c.grade_trigger, "", clerk.user_id)
    assert as_utc(grade.at) == now
    assert (log.action, log.actor_user_id, log.office_id, log.before_json) == \
        ("complaint.register", clerk.user_id, org.office_a, None)
    assert log.summary == f"{c.number} {event.note}"[:500]
    assert json.loads(log.after_json) == {"number": c.number, "grade": "general", "state": "received"}
    assert (key.entity, key.entity_id) == ("complaint", str(c.id)) and key.created_at is not None


def test_register_then_change_in_one_transaction(db_url, org, make_actor, now):
    """A viral online complaint is 媒体曝光 (重大) and reported to everyone the routing names inside registration:
    the attached object's changes after its INSERT (reported_at) reach the row."""
    clerk = make_actor(Role.CLERK, org.office_a)
    pr = make_actor(Role.ASSISTANT, org.company_id, username="pr_head")
    make_actor(Role.HQ_SPECIALIST, org.hq_id)
    make_actor(Role.LEADER, org.hq_id)
    make_actor(Role.OFFICE_DIRECTOR, org.office_a)
    with Session(get_engine(db_url)) as s:
        staff = Staff(office_id=org.company_id, name="公关部长", post="assistant")
        s.add(staff)
        s.flush()
        s.add(Department(org_unit_id=org.company_id, name="行政公关部", kind="pr_admin", head_staff_id=staff.id))
        s.get(User, pr.user_id).staff_id = staff.id
        s.commit()
    c = svc.register(actor=clerk, now=now, request_id="req-viral", data=_data(
        org.office_a, now, channel="online", online=svc.OnlineIn(platform="微博", forwarded_by_hq_at=now, viral=True)))
    assert c.grade == "major" and c.media_exposed
    with Session(get_engine(db_url)) as s:
        stored = s.get(Complaint, c.id)
        assert (stored.grade, stored.media_exposed, as_utc(stored.reported_at)) == ("major", True, now)
        grades = s.exec(select(ComplaintGradeHistory.to_grade).where(ComplaintGradeHistory.complaint_id == c.id)
                        .order_by(ComplaintGradeHistory.id)).all()
        actions = s.exec(select(RecordEvent.event).where(RecordEvent.record_type == "complaint", RecordEvent.record_id == c.id)
                         .order_by(RecordEvent.id)).all()
    assert grades == ["major"] and actions == ["register"]


def test_double_submit_returns_the_same_complaint(db_url, org, make_actor, now):
    clerk = make_actor(Role.CLERK, org.office_a)
    first = svc.register(actor=clerk, data=_data(org.office_a, now), request_id="req-twice", now=now)
    again = svc.register(actor=clerk, data=_data(org.office_a, now), request_id="req-twice", now=now)
    assert again.id == first.id and again.number == first.number
    with Session(get_engine(db_url)) as s:
        assert len(s.exec(select(Complaint.id)).all()) == 1
        assert len(s.exec(select(RecordEvent.id)).all()) == 1
        assert len(s.exec(select(AuditLog.id).where(AuditLog.action == "complaint.register")).all()) == 1
    other = svc.register(actor=clerk, data=_data(org.office_a, now), request_id="req-other", now=now)
    assert other.id != first.id and other.number != first.number


def test_new_complaint_equals_the_constructor(now):
    kw = dict(number="TS-2026-000001", office_id=1, channel="phone", category="engineering", description="d",
              occurred_at=now, received_at=now, grade="general", state="received", created_at=now, updated_at=now)
    fast, slow = FastConstructor(Complaint)(**kw), Complaint(**kw)
    assert fast.model_dump() == slow.model_dump()
    assert fast.__pydantic_fields_set__ == slow.__pydantic_fields_set__
    fast.grade = "hot"
    assert fast.grade == "hot"
