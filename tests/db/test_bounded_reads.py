"""Bounded work on the complaint page paths (issue 9 §5): each call reads the rows its screen names, not a table.

Every test adds rows the call must NOT read (other accounts, other closed complaints) and counts, with
``tests.querycount``, the statements sent and the rows their SELECTs return.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, update
from sqlmodel import Session, select

from core.roles import Role
from db.engine import get_engine
from db.models import Callback, Complaint, Consultant, ConsultRequest, User, UserRole
from db.services import complaint_findings
from db.services import complaint_flow as flow
from db.services import complaint_reports as reports
from db.services import complaints as svc
from db.services.complaints import ComplaintIn
from tests.querycount import count_queries

USER_TABLES = ("app_user", "user_role")


def _data(office_id, now, **kw) -> ComplaintIn:
    base = dict(office_id=office_id, channel="phone", category="engineering", description="楼道灯坏了三天没人修",
                occurred_at=now - timedelta(hours=2), complainant_name="张业主", complainant_phone="13800000001")
    base.update(kw)
    return ComplaintIn(**base)


def _bystanders(url, office_id, n=60, role=Role.CLERK) -> None:
    """``n`` active accounts nobody on the screen names (one grant each): a read of every user returns them all."""
    with Session(get_engine(url)) as s:
        s.connection().execute(insert(User), [dict(username=f"bystander{i}", display_name=f"路人{i}", password_hash="x",
                                                   active=True, is_demo=True) for i in range(n)])
        ids = s.exec(select(User.id).where(User.username.like("bystander%"))).all()
        s.connection().execute(insert(UserRole), [dict(user_id=i, role=role.value, org_unit_id=office_id) for i in ids])
        s.commit()


def _user_rows(log) -> int:
    return sum(log.rows(st) for st in log.selects() if any(st.reads(t) for t in USER_TABLES))


@pytest.fixture
def team(org, make_actor):
    return {
        "clerk": make_actor(Role.CLERK, org.office_a, name="王受理"),
        "sup": make_actor(Role.CS_SUPERVISOR, org.office_a, name="李主任"),
        "sup2": make_actor(Role.CS_SUPERVISOR, org.office_a, name="赵主任"),
        "director": make_actor(Role.OFFICE_DIRECTOR, org.office_a, name="周主任"),
        "hq": make_actor(Role.HQ_SPECIALIST, org.hq_id, name="吴专员"),
        "leader": make_actor(Role.LEADER, org.hq_id, name="郑总"),
    }


# ----- 1. the detail page names a few people; it reads those, in one query -------------------------------


def test_detail_reads_only_the_users_it_names(db_url, org, team, now):
    _bystanders(db_url, org.office_a)
    clerk, sup, sup2 = team["clerk"], team["sup"], team["sup2"]
    c = svc.register(actor=clerk, data=_data(org.office_a, now), request_id="d", now=now)
    flow.assign(actor=sup, complaint_id=c.id, handler_user_id=clerk.user_id, department_id=None, note="", now=now)
    flow.mark_handled(actor=clerk, complaint_id=c.id, result="已修复", now=now)
    flow.verify(actor=sup, complaint_id=c.id, note="", now=now)
    flow.record_callback(actor=sup2, complaint_id=c.id, method="phone", reached=True, person_reached="张",
                         satisfaction="satisfied", comment="", follow_up="", now=now)
    with count_queries() as log:
        d = svc.detail(actor=sup, complaint_id=c.id, now=now)
    assert d.handler_name == "王受理" and d.callbacks[0][1] == "赵主任"
    assert d.user_names[sup.user_id] == "李主任"  # the verifier, printed on the 投诉处理单
    named = {clerk.user_id, sup.user_id, sup2.user_id}
    assert len(log.selects("app_user")) <= 1, log.report()
    assert log.rows_from("app_user") <= len(named), log.report()
    assert len(log) <= 16, log.report()


def test_findings_read_only_the_deciders(db_url, org, team, now):
    _bystanders(db_url, org.office_a)
    long_ago = now - timedelta(days=20)
    c = svc.register(actor=team["clerk"], data=_data(org.office_a, long_ago, received_at=long_ago),
                     request_id="late", now=long_ago)
    proposed = complaint_findings.findings(actor=team["director"], complaint_id=c.id, now=now)
    f = proposed[0].finding
    complaint_findings.decide_finding(actor=team["director"], complaint_id=c.id, clause=f.clause, person=f.person,
                                      decision="confirmed", note="派单后无人跟进，已核实", now=now)
    with count_queries() as log:
        views = complaint_findings.findings(actor=team["director"], complaint_id=c.id, now=now)
    assert views[0].decided_by_name == "周主任"
    assert log.rows_from("app_user") <= 2, log.report()  # the decider, and the HQ head the rules name


# ----- 2. a 重大 registration reads its recipients, not every active account ------------------------------


def test_major_registration_reads_only_its_recipients(db_url, org, team, now):
    _bystanders(db_url, org.office_b, n=80)
    with count_queries() as log:
        c = svc.register(actor=team["clerk"], data=_data(org.office_a, now, complainant_count=12), request_id="m",
                         now=now)
    assert c.grade == "major"
    recipients = {team["hq"].user_id, team["leader"].user_id, team["director"].user_id}
    user_selects = [st for st in log.selects() if any(st.reads(t) for t in USER_TABLES)]
    assert len(user_selects) <= 1, log.report()  # one query picks the recipients by role, office and department
    assert _user_rows(log) <= len(recipients), log.report()


def test_report_routing_is_one_parametrised_query(db_url, org, team, now):
    """hq_user_ids and the 通报 recipients come from the same role/department selection."""
    from db.services import complaint_kernel as kernel

    _bystanders(db_url, org.office_a, n=20, role=Role.HQ_SPECIALIST)  # inactive ones are left out
    with Session(get_engine(db_url)) as s:
        s.connection().execute(update(User).where(User.username == "bystander0").values(active=False))
        s.commit()
        ids = kernel.recipients(s, roles=[Role.HQ_SPECIALIST.value], office_id=None)
        assert team["hq"].user_id in ids and len(ids) == 20
        ids = kernel.recipients(s, office_roles=[Role.OFFICE_DIRECTOR.value], office_id=org.office_a)
        assert ids == [team["director"].user_id]
        assert kernel.recipients(s, office_roles=[Role.OFFICE_DIRECTOR.value], office_id=org.office_b) == []


# ----- 3. the 质量简报 counts in SQL and loads only the items it prints ---------------------------------


def _closed(url, ids, *, grade="general", reopen=0, late=False, at=None) -> None:
    with Session(get_engine(url)) as s:
        s.connection().execute(update(Complaint).where(Complaint.id.in_(ids)).values(
            state="closed", grade=grade, reopen_count=reopen, closed_at=at, handling_result="已处理",
            handled_at=at - timedelta(hours=2),  # late: handled after the 处理期限 (the 质量简报's rule)
            due_at=at - timedelta(hours=3) if late else at + timedelta(days=3)))
        s.commit()


def test_quality_bulletin_aggregates_in_sql_and_loads_only_printed_items(db_url, org, team, now, monkeypatch):
    clerk = team["clerk"]
    made = [svc.register(actor=clerk, data=_data(org.office_a, now - timedelta(days=5), title=f"第{i}件",
                                                received_at=now - timedelta(days=5)),
                         request_id=f"q{i}", now=now - timedelta(days=5)).id for i in range(46)]
    closed_at = now - timedelta(days=1)
    plain, important, reopened, late, basic, consulted, still_open = (made[:30], made[30:34], made[34:36],
                                                                     made[36:38], made[38:40], made[40:42], made[42:])
    _closed(db_url, plain + basic + consulted, at=closed_at)
    _closed(db_url, important, grade="important", at=closed_at)
    _closed(db_url, reopened, reopen=1, at=closed_at)
    _closed(db_url, late, late=True, at=closed_at)
    with Session(get_engine(db_url)) as s:
        conn = s.connection()
        rows = [dict(complaint_id=cid, at=closed_at - timedelta(hours=2), by_user_id=team["sup2"].user_id,
                     method="phone", reached=True, satisfaction="satisfied") for cid in plain[:10]]
        # an earlier "basic" superseded by a later "satisfied" does not count as basic
        rows += [dict(complaint_id=plain[0], at=closed_at - timedelta(hours=3), by_user_id=team["sup2"].user_id,
                      method="phone", reached=True, satisfaction="basic")]
        rows += [dict(complaint_id=cid, at=closed_at - timedelta(hours=2), by_user_id=team["sup2"].user_id,
                      method="phone", reached=True, satisfaction="basic") for cid in basic]
        rows += [dict(complaint_id=important[0], at=closed_at - timedelta(hours=2), by_user_id=team["sup2"].user_id,
                      method="phone", reached=True, satisfaction="unsatisfied")]
        conn.execute(insert(Callback), rows)
        consultant = Consultant(name="冯顾问", speciality="法律", phone="1")
        s.add(consultant)
        s.flush()
        conn.execute(insert(ConsultRequest), [dict(complaint_id=cid, office_id=org.office_a, consultant_id=consultant.id,
                                                   requested_by=clerk.user_id, requested_at=closed_at, question="?",
                                                   due_at=closed_at + timedelta(days=1)) for cid in consulted])
        s.commit()
    monkeypatch.setattr(reports, "IMPORTANT_LIMIT", 3)
    with count_queries() as log:
        b = reports.quality_bulletin(actor=team["sup"], since=now - timedelta(days=30), until=now)
    printed = 3 + 8  # 重要 up to the limit, 8 notable 一般
    assert log.rows_from("complaint") <= printed + 8, log.report()  # + the per-class and total counts
    assert log.rows_from("callback") <= printed + 2, log.report()
    assert (b.received, b.closed, b.callbacks, b.satisfied) == (46, 42, 13, 12)
    assert (b.by_grade["general"], b.by_grade["important"]) == (42, 4)
    assert b.important_total == 4 and [i.title for i in b.important] == ["第30件", "第31件", "第32件"]
    assert b.important[0].callback == "不满意"
    reasons = {i.title: i.reasons for i in b.notable}
    assert set(reasons) == {f"第{i}件" for i in range(34, 42)}
    assert reasons["第34件"] == ["回访不满意或二次投诉重新处理 1 次"] and reasons["第36件"] == ["超过处理期限"]
    assert reasons["第38件"] == ["回访仅基本满意"] and reasons["第40件"] == ["曾请专业顾问支持"]
    assert len(still_open) == 4
