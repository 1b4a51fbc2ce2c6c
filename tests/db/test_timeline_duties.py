"""The spine's record timeline and duties on a probe record type (SQLite, and PostgreSQL when configured).

The probe stands for any process: it registers a record type and two duties, then writes through
``db.services.timeline`` and ``db.services.duties`` the way a process's service does, in its own transaction.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from core.duties import DutySpec, DutyStatus, register_duty, status
from core.registry import RecordType, register_record_type
from core.roles import Role
from db.models import Duty
from db.models.base import as_utc
from db.services import duties as duty_service
from db.services.duties import (
    assign_duties,
    breach_sweep,
    cancel_duty,
    duties,
    meet_duty,
    open_duty,
    record_duties,
)
from db.services.timeline import record_event, timeline
from db.session import read_session, write_session

PROBE = register_record_type(RecordType("probe", "测试记录"))
REPLY = register_duty(DutySpec("probe.reply", "probe", "测试答复", "测试制度 第1条", ("probe.reply_within",),
                               breach_event="reply_breach"))
VISIT = register_duty(DutySpec("probe.visit", "probe", "测试走访", "测试制度 第2条", role="clerk"))
TZ = ZoneInfo("Asia/Shanghai")
H = timedelta(hours=1)


def _open(s, record_id, office, *, due, now, duty="probe.reply", **kw):
    open_duty(s, record_type="probe", record_id=record_id, office_id=office, duty=duty, started_at=now, due_at=due,
              now=now, **kw)


# ----- timeline -----------------------------------------------------------------------------------


def test_events_are_written_in_the_callers_transaction_and_read_newest_bounded(org, make_actor, now):
    clerk = make_actor(Role.CLERK, org.office_a, name="王芳")
    with write_session() as s:
        for i in range(5):
            record_event(s, record_type="probe", record_id=7, office_id=org.office_a, actor=clerk if i else None,
                         event=f"step{i}", at=now + i * H, note=f"第{i}步", citation="测试制度 第1条",
                         from_state="a" if i else None, to_state="b")
        record_event(s, record_type="probe", record_id=8, office_id=org.office_a, actor=clerk, event="other", at=now)
    with pytest.raises(RuntimeError), write_session() as s:  # rolled back with the business write
        record_event(s, record_type="probe", record_id=7, office_id=org.office_a, actor=clerk, event="lost", at=now)
        raise RuntimeError("business write failed")
    with read_session() as s:
        full = timeline(s, record_type="probe", record_id=7)
        assert [e.event for e in full.events] == [f"step{i}" for i in range(5)] and not full.truncated
        first = full.events[0]
        assert (first.actor_name, first.actor_user_id, first.office_id, first.citation) == \
               ("系统", None, org.office_a, "测试制度 第1条")
        assert (full.events[1].actor_name, full.events[1].from_state, full.events[1].to_state) == ("王芳", "a", "b")
        last3 = timeline(s, record_type="probe", record_id=7, limit=3)
        assert [e.event for e in last3.events] == ["step2", "step3", "step4"]  # the newest, oldest first
        assert last3.total == 5 and last3.truncated
        assert timeline(s, record_type="probe", record_id=9).events == []


def test_an_unregistered_record_type_is_refused(org, now):
    with pytest.raises(ValueError, match="unknown record type"), write_session() as s:
        record_event(s, record_type="nonesuch", record_id=1, office_id=org.office_a, actor=None, event="x", at=now)


# ----- duties -------------------------------------------------------------------------------------


def _duties(record_id):
    with read_session() as s:
        return record_duties(s, record_type="probe", record_id=record_id)


def test_open_move_meet_cancel_and_parallel_keys(org, now):
    with write_session() as s:
        _open(s, 1, org.office_a, due=now + 24 * H, now=now, new_record=True, policy_version=3)
        _open(s, 1, org.office_a, due=now + 48 * H, now=now, duty="probe.visit")
        _open(s, 1, org.office_a, due=now + 2 * H, now=now, duty="probe.visit", key="r1")
        _open(s, 1, org.office_a, due=now + 3 * H, now=now, duty="probe.visit", key="r2")
    [reply] = [d for d in _duties(1) if d.duty == "probe.reply"]
    assert (reply.state, reply.policy_version, reply.clause, reply.responsible_role) == ("open", 3, "测试制度 第1条", "")
    assert [d.responsible_role for d in _duties(1) if d.duty == "probe.visit"] == ["clerk"] * 3

    with write_session() as s:  # a new class moves the open duty instead of opening a second one
        _open(s, 1, org.office_a, due=now + 12 * H, now=now, policy_version=4)
        assign_duties(s, record_type="probe", record_id=1, responsible_user_id=None, duties=["probe.reply"], at=now)
        assert meet_duty(s, record_type="probe", record_id=1, duty="probe.reply", at=now + 13 * H) == 1
        assert meet_duty(s, record_type="probe", record_id=1, duty="probe.reply", at=now + 14 * H) == 0  # met once
        assert cancel_duty(s, record_type="probe", record_id=1, duty="probe.visit", key="r1", at=now, note="豁免") == 1
        assert meet_duty(s, record_type="probe", record_id=1, duty="probe.visit", key="r2", at=now + H) == 1
    rows = {(d.duty, d.key): d for d in _duties(1)}
    reply = rows["probe.reply", ""]
    assert (reply.state, as_utc(reply.due_at), as_utc(reply.met_at), reply.breached, reply.policy_version) == \
           ("met", now + 12 * H, now + 13 * H, True, 4)  # one hour late
    assert as_utc(reply.breached_at) == now + 13 * H
    assert (rows["probe.visit", "r1"].state, rows["probe.visit", "r1"].note) == ("cancelled", "豁免")
    assert (rows["probe.visit", "r2"].state, rows["probe.visit", "r2"].breached) == ("met", False)
    assert rows["probe.visit", ""].state == "open"

    with write_session() as s:  # reopened: a new open duty next to the met one
        _open(s, 1, org.office_a, due=now + 72 * H, now=now + 20 * H)
    assert [(d.state, as_utc(d.due_at)) for d in _duties(1) if d.duty == "probe.reply"] == \
           [("met", now + 12 * H), ("open", now + 72 * H)]


def test_a_duty_belongs_to_its_record_type(org, now):
    with pytest.raises(ValueError, match="belongs to"), write_session() as s:
        open_duty(s, record_type="complaint", record_id=1, office_id=org.office_a, duty="probe.reply",
                  started_at=now, due_at=now, now=now)


def test_the_sweep_flags_each_breach_once_with_a_timeline_step_and_a_later_due_time_clears_it(org, now):
    with write_session() as s:
        _open(s, 1, org.office_a, due=now - H, now=now - 2 * H, new_record=True)
        _open(s, 2, org.office_b, due=now + H, now=now - 2 * H, new_record=True)
        _open(s, 3, org.office_b, due=now - H, now=now - 2 * H, new_record=True)
        meet_duty(s, record_type="probe", record_id=3, duty="probe.reply", at=now - 2 * H)  # met in time
    found = breach_sweep(now=now)
    assert [(b.record_id, b.duty, b.office_id) for b in found] == [(1, "probe.reply", org.office_a)]
    assert breach_sweep(now=now + H / 2) == []  # idempotent
    with read_session() as s:
        [event] = timeline(s, record_type="probe", record_id=1).events
        assert (event.event, event.actor_name, event.citation, event.note) == \
               ("reply_breach", "系统", "测试制度 第1条", "测试答复未在时限内完成")
    [d] = _duties(1)
    assert d.breached and as_utc(d.breached_at) == now
    with write_session() as s:  # a duty without a breach event is flagged only; a sweep may keep to one type
        _open(s, 4, org.office_a, due=now - H, now=now - 2 * H, duty="probe.visit", new_record=True)
    assert breach_sweep(now=now, record_type="other") == []
    assert [(b.record_id, b.duty) for b in breach_sweep(now=now, record_type="probe")] == [(4, "probe.visit")]
    with read_session() as s:
        assert timeline(s, record_type="probe", record_id=4).events == []
    with write_session() as s:  # the deadline moved later (a lower class): no longer in breach
        _open(s, 1, org.office_a, due=now + 5 * H, now=now)
    [d] = _duties(1)
    assert not d.breached and d.breached_at is None and d.state == "open"
    assert [b.record_id for b in breach_sweep(now=now + 2 * H)] == [2]


def test_the_dashboard_query_agrees_with_core_status_per_office_person_and_month(org, make_actor, now):
    """Random duties around the month's edges; SQL counts equal core.duties.status applied row by row."""
    people = [make_actor(Role.CLERK, org.office_a).user_id, make_actor(Role.CLERK, org.office_b).user_id, None]
    rng = random.Random(19)
    month = date(2026, 11, 1)
    start = datetime(2026, 11, 1, tzinfo=TZ)  # the month in Shanghai
    with write_session() as s:
        for rid in range(1, 161):
            office, person = rng.choice([org.office_a, org.office_b]), rng.choice(people)
            due = start + timedelta(minutes=rng.randrange(-3 * 24 * 60, 33 * 24 * 60))  # late Oct to early Dec
            duty = rng.choice(["probe.reply", "probe.visit"])
            _open(s, rid, office, due=due, now=due - 24 * H, duty=duty, responsible_user_id=person, new_record=True)
            fate = rng.random()
            if fate < 0.4:
                meet_duty(s, record_type="probe", record_id=rid, duty=duty,
                          at=due + timedelta(minutes=rng.choice([-90, -1, 0, 1, 300])))
            elif fate < 0.5:
                cancel_duty(s, record_type="probe", record_id=rid, duty=duty, at=due)
    end = datetime(2026, 12, 1, tzinfo=TZ)
    with read_session() as s:
        rows = list(s.exec(select(Duty)).all())
        for by, key in ((("duty", "office"), lambda d: (d.duty, d.office_id)),
                        (("person",), lambda d: (d.responsible_user_id,)),
                        (("duty", "office", "person"), lambda d: (d.duty, d.office_id, d.responsible_user_id))):
            expected: dict[tuple, list[int]] = {}
            for d in rows:
                due = as_utc(d.due_at)
                if d.state == "cancelled" or not (start <= due < end):
                    continue
                st = status(due_at=due, met_at=as_utc(d.met_at), now=now)
                counts = expected.setdefault(key(d), [0, 0, 0, 0, 0])
                counts[0] += 1
                counts[[DutyStatus.MET_ON_TIME, DutyStatus.MET_LATE, DutyStatus.OPEN, DutyStatus.OVERDUE].index(st) + 1] += 1
            got = {tuple({"duty": t.duty, "office": t.office_id, "person": t.person_id}[g] for g in by):
                   [t.total, t.met_on_time, t.met_late, t.open, t.overdue]
                   for t in duties(s, month=month, tz=TZ, now=now, by=by)}
            assert got == expected and sum(c[0] for c in got.values()) > 50
        scoped = duties(s, month=month, tz=TZ, now=now, office_ids=[org.office_b], person_id=people[1],
                        duty_codes=["probe.visit"], by=("duty", "office", "person"))
        assert {(t.duty, t.office_id, t.person_id) for t in scoped} <= {("probe.visit", org.office_b, people[1])}
        assert duties(s, month=date(2027, 3, 1), tz=TZ, now=now) == []


def test_duty_rows_count_no_cancelled_and_no_other_month(org, now):
    with write_session() as s:
        _open(s, 1, org.office_a, due=datetime(2026, 11, 30, 23, 30, tzinfo=TZ), now=now, new_record=True)
        _open(s, 2, org.office_a, due=datetime(2026, 12, 1, 0, 0, tzinfo=TZ), now=now, new_record=True)
        _open(s, 3, org.office_a, due=datetime(2026, 11, 15, tzinfo=TZ), now=now, new_record=True)
        cancel_duty(s, record_type="probe", record_id=3, duty="probe.reply", at=now)
    with read_session() as s:
        [nov] = duties(s, month=date(2026, 11, 1), tz=TZ, now=now)
        [dec] = duties(s, month=date(2026, 12, 1), tz=TZ, now=now)
    assert (nov.total, nov.open, dec.total) == (1, 1, 1)
    assert duty_service.GROUPS.keys() == {"duty", "office", "person"}
