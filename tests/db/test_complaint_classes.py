"""Issue 11 (items 1–9, 25): classes as 投诉通报处理制度 wrote them — reports on every rise, recipients by the
routing table, classes that never drop by themselves, the same-issue window on the complaints' own dates, the
age clock, 媒体曝光. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from core.errors import DomainError
from core.roles import Role
from db.engine import get_engine
from db.models import Complaint, ComplaintReport, Department, Duty, Notice, Staff, User
from db.services import complaint_grades, complaint_groups
from db.services import complaint_reports as reports
from db.services import complaints as svc
from db.services import policy as policy_service
from db.services.complaints import ComplaintIn, OnlineIn


def _data(office_id, now, **kw) -> ComplaintIn:
    base = dict(office_id=office_id, channel="phone", category="engineering", description="电梯经常停运",
                occurred_at=now - timedelta(hours=2), complainant_name="张业主", complainant_phone="13800000001")
    base.update(kw)
    return ComplaintIn(**base)


def _rows(url, model, *where, order=None):
    with Session(get_engine(url)) as s:
        stmt = select(model).where(*where)
        return list(s.exec(stmt.order_by(order) if order is not None else stmt).all())


def _head(url, org_unit_id, *, name, kind, user_id, leader_user_id=None) -> int:
    """A department of ``kind`` whose head is the account ``user_id``; returns the department id."""
    with Session(get_engine(url)) as s:
        staff = Staff(office_id=org_unit_id, name=name, post="assistant")
        s.add(staff)
        s.flush()
        dept = Department(org_unit_id=org_unit_id, name=f"{name}部门", kind=kind, head_staff_id=staff.id)
        s.add(dept)
        s.get(User, user_id).staff_id = staff.id
        s.commit()
        return dept.id


@pytest.fixture
def team(org, make_actor):
    return {
        "clerk": make_actor(Role.CLERK, org.office_a),
        "sup": make_actor(Role.CS_SUPERVISOR, org.office_a),
        "sup2": make_actor(Role.CS_SUPERVISOR, org.office_a),
        "mgr": make_actor(Role.CS_MANAGER, org.office_a),
        "hq": make_actor(Role.HQ_SPECIALIST, org.hq_id),
        "director": make_actor(Role.OFFICE_DIRECTOR, org.office_a),
        "leader": make_actor(Role.LEADER, org.hq_id),
        "admin": make_actor(Role.SYSADMIN, org.hq_id),
    }


def _report_notices(url, complaint_id):
    return _rows(url, Notice, Notice.kind == "report", Notice.entity_id == str(complaint_id))


# ----- item 1: every upward change of class triggers the new class's duties ------------------------------


def test_hot_rising_to_major_by_age_reports_again_with_its_own_deadline(db_url, org, team, make_actor, now):
    pr = make_actor(Role.ASSISTANT, org.company_id, username="pr_head")
    _head(db_url, org.company_id, name="公关部长", kind="pr_admin", user_id=pr.user_id)
    c = svc.register(actor=team["clerk"], data=_data(org.office_a, now, our_fault=True), request_id="age", now=now)
    assert c.grade == "general"
    week = now + timedelta(days=8)
    assert complaint_grades.daily_sweep(now=week).regraded == [c.number]
    hot_told = {n.recipient_user_id for n in _report_notices(db_url, c.id)}
    assert pr.user_id not in hot_told and team["hq"].user_id in hot_told
    month = now + timedelta(days=32)
    assert complaint_grades.daily_sweep(now=month).regraded == [c.number]
    row = _rows(db_url, Complaint)[0]
    assert row.grade == "major"
    told = {n.recipient_user_id for n in _report_notices(db_url, c.id) if n.title.startswith("【重大")}
    assert {pr.user_id, team["leader"].user_id, team["hq"].user_id} <= told
    sent = _rows(db_url, ComplaintReport, ComplaintReport.complaint_id == c.id, ComplaintReport.kind == "notice",
                 order=ComplaintReport.id)
    assert len(sent) == 2 and "行政公关部负责人" in sent[1].to_whom
    # the 重大 report is owed by its own deadline, counted from the rise
    report_duties = _rows(db_url, Duty, Duty.record_id == c.id, Duty.duty == "complaint.report", order=Duty.id)
    assert report_duties[-1].due_at.replace(tzinfo=None) == (month + timedelta(hours=1)).replace(tzinfo=None)


# ----- item 9: a class never drops by itself ------------------------------------------------------------


def _three_of_one_issue(team, org, now, dates=(0, 0, 0)):
    ids = [svc.register(actor=team["clerk"], data=_data(org.office_a, now, complainant_name=n, complainant_phone=p,
                                                        received_at=now - timedelta(days=d),
                                                        occurred_at=now - timedelta(days=d, hours=1)),
                        request_id=n, now=now).id
           for n, p, d in zip(("甲", "乙", "丙"), ("1", "2", "3"), dates, strict=True)]
    group = complaint_groups.link_same_issue(actor=team["clerk"], complaint_id=ids[0], with_complaint_id=ids[1], now=now)
    complaint_groups.link_same_issue(actor=team["clerk"], complaint_id=ids[2], group_id=group, now=now)
    return ids


def test_the_sweep_never_lowers_a_class(db_url, org, team, now):
    _three_of_one_issue(team, org, now)
    assert {c.grade for c in _rows(db_url, Complaint)} == {"hot"}
    complaint_grades.daily_sweep(now=now + timedelta(days=40))
    rows = _rows(db_url, Complaint)
    assert {c.grade for c in rows} == {"hot"}
    # only headquarters lowers, with a reason
    down = complaint_grades.override_grade(actor=team["hq"], complaint_id=rows[0].id, grade="general",
                                           reason="经核实已解决", now=now + timedelta(days=41))
    assert down.grade == "general" and down.grade_source == "hq"


# ----- item 8: the same-issue window on the complaints' own dates ----------------------------------------


def test_same_issue_window_counts_on_the_complaints_own_dates(db_url, org, team, now):
    _three_of_one_issue(team, org, now, dates=(40, 0, 0))  # the first came 40 days before the other two
    assert {c.grade for c in _rows(db_url, Complaint)} == {"general"}


def test_same_issue_within_one_month_of_each_other_is_hot(db_url, org, team, now):
    _three_of_one_issue(team, org, now, dates=(50, 40, 30))  # all long ago, but within a month of each other
    assert {c.grade for c in _rows(db_url, Complaint)} == {"hot"}


# ----- item 25: the age clock is a policy-book choice, shown on the complaint ---------------------------


def test_age_clock_from_receipt_when_the_policy_book_says_so(db_url, org, team, now):
    old = dict(our_fault=True, occurred_at=now - timedelta(days=10))
    c = svc.register(actor=team["clerk"], data=_data(org.office_a, now, **old), request_id="o1", now=now)
    assert c.grade == "hot"  # the text's default: from when the complaint arose
    assert svc.detail(actor=team["sup"], complaint_id=c.id, now=now).age_clock[0] == "投诉产生（问题发生）时"
    policy_service.set_value(actor=team["admin"], key="complaint.age_clock_from_receipt", value=True,
                             effective_from=now - timedelta(minutes=1), reason="客户确认自受理起算", now=now)
    c2 = svc.register(actor=team["clerk"], data=_data(org.office_a, now, **old), request_id="o2", now=now)
    assert c2.grade == "general"
    label, moment, clause = svc.detail(actor=team["sup"], complaint_id=c2.id, now=now).age_clock
    assert label == "受理时" and moment == now and "投诉通报处理制度" in clause
    assert complaint_grades.daily_sweep(now=now + timedelta(days=8)).regraded == [c2.number]


# ----- item 6: a viral post or media involvement is 媒体曝光 (重大) -------------------------------------------


def test_viral_online_post_is_media_exposure_and_major(db_url, org, team, now):
    c = svc.register(actor=team["clerk"], data=_data(org.office_a, now, channel="online",
                                                     online=OnlineIn(platform="业主论坛", viral=True)),
                     request_id="v", now=now)
    assert c.grade == "major" and c.media_exposed and "媒体曝光" in c.grade_trigger


def test_media_channel_is_media_exposure(db_url, org, team, now):
    c = svc.register(actor=team["clerk"], data=_data(org.office_a, now, channel="media"), request_id="m", now=now)
    assert c.grade == "major" and c.media_exposed


# ----- items 2–4: recipients by the routing table, "reported" = sent, acknowledgement apart ---------------


def _routing(**change):
    from core.policy import PARAMS

    rows = [dict(r) for r in PARAMS["complaint.report_routing"].default]
    for row in rows:
        if row["code"] in change:
            row["recipients"] = change[row["code"]]
    return rows


def test_a_routing_without_a_required_recipient_is_refused(db_url, org, team, now):
    for code, recipients, missing in (("major", ["hq_cs", "leaders", "office_director"], "行政公关部负责人"),
                                      ("hot", ["hq_cs", "leaders", "office_director"], "职能部门负责人")):
        with pytest.raises(DomainError, match=missing):
            policy_service.set_value(actor=team["admin"], key="complaint.report_routing",
                                     value=_routing(**{code: recipients}), effective_from=now, reason="测试", now=now)
    rows = _routing()
    rows[1]["timing"] = "bulletin"
    with pytest.raises(DomainError, match="须立即通报"):
        policy_service.set_value(actor=team["admin"], key="complaint.report_routing", value=rows, effective_from=now,
                                 reason="测试", now=now)
    # more recipients than the text requires is fine
    policy_service.set_value(actor=team["admin"], key="complaint.report_routing",
                             value=_routing(hot=["hq_cs", "dept_head", "leader_in_charge", "office_director", "leaders"]),
                             effective_from=now, reason="测试", now=now)


def test_a_major_report_missing_a_recipient_is_not_reported(db_url, org, team, now):
    """No 行政公关部 with a head account: the report says so and the 通报 stays owed (item 2), not silently done."""
    c = svc.register(actor=team["clerk"], data=_data(org.office_a, now, lawsuit=True), request_id="law", now=now)
    sent = _rows(db_url, ComplaintReport, ComplaintReport.complaint_id == c.id)[0]
    assert "行政公关部负责人：无人" in sent.to_whom
    row = _rows(db_url, Complaint)[0]
    assert row.reported_at is None
    assert _rows(db_url, Duty, Duty.record_id == c.id, Duty.duty == "complaint.report")[0].state == "open"
    assert _work(team["director"], now)["投诉通报未完成"].count == 1  # in the office's my work
    # a phone report to the missing recipient completes it
    reports.record_phone_report(actor=team["director"], complaint_id=c.id, at=now + timedelta(minutes=20),
                                to_whom="行政公关部王部长", note="电话告知", now=now + timedelta(minutes=20))
    assert _rows(db_url, Complaint)[0].reported_at is not None


def test_reported_means_sent_and_acknowledgement_is_tracked_apart(db_url, org, team, make_actor, now):
    pr = make_actor(Role.ASSISTANT, org.company_id, username="pr_head")
    _head(db_url, org.company_id, name="公关部长", kind="pr_admin", user_id=pr.user_id)
    c = svc.register(actor=team["clerk"], data=_data(org.office_a, now, complainant_count=10), request_id="m", now=now)
    row = _rows(db_url, Complaint)[0]
    assert row.reported_at == now.replace(tzinfo=row.reported_at.tzinfo)  # sent at once, to everyone the routing names
    status = reports.report_status(actor=team["sup"], complaint_id=c.id)
    assert status.sent_at is not None and status.acknowledged == 0 and status.recipients == 4
    reports.acknowledge_report(actor=team["leader"], complaint_id=c.id, now=now + timedelta(minutes=5))
    status = reports.report_status(actor=team["sup"], complaint_id=c.id)
    assert status.acknowledged == 1 and len(status.acknowledged_by) == 1 and len(status.waiting) == 3
    assert _rows(db_url, Complaint)[0].reported_at == row.reported_at  # an acknowledgement changes nothing of it


def _archive(team, c, now):
    from db.services import complaint_flow as flow

    flow.assign(actor=team["sup"], complaint_id=c.id, handler_user_id=team["clerk"].user_id, department_id=None,
                note="", now=now)
    flow.mark_handled(actor=team["clerk"], complaint_id=c.id, result="已处理", now=now)
    flow.verify(actor=team["sup"], complaint_id=c.id, note="", now=now)
    flow.record_callback(actor=team["sup2"], complaint_id=c.id, method="phone", reached=True, person_reached="张业主",
                         satisfaction="satisfied", comment="", follow_up="", now=now)
    return flow.close(actor=team["sup"], complaint_id=c.id, note="", now=now)


def test_a_notice_about_an_archived_complaint_leaves_my_work(db_url, org, team, now):
    from db.services import complaint_queues, notices

    c = svc.register(actor=team["clerk"], data=_data(org.office_a, now, complainant_count=3), request_id="h", now=now)
    assert notices.open_counts(actor=team["hq"]).get("report") == 1
    _archive(team, c, now + timedelta(hours=2))
    assert notices.open_counts(actor=team["hq"]).get("report", 0) == 0
    assert not [w for w in complaint_queues.my_work(actor=team["hq"], now=now) if w.title == "投诉通报待确认"]
    assert notices.my_notices(actor=team["hq"]).total == 0


def test_hot_tells_the_responsible_department_and_its_leader_in_charge(db_url, org, make_actor, team, now):
    from db.services import complaint_flow as flow
    from db.services import org as org_service

    other_leader = make_actor(Role.LEADER, org.hq_id, username="leader2")
    head = make_actor(Role.ASSISTANT, org.office_a, username="eng_head")
    dept = _head(db_url, org.office_a, name="工程主管", kind="engineering", user_id=head.user_id)
    with Session(get_engine(db_url)) as s:
        leader_staff = Staff(office_id=org.company_id, name="分管副总", post="leader")
        s.add(leader_staff)
        s.flush()
        s.get(User, team["leader"].user_id).staff_id = leader_staff.id
        s.commit()
        leader_staff_id = leader_staff.id
    org_service.save_department(actor=team["admin"], department_id=dept, org_unit_id=org.office_a, name="工程部",
                                kind="engineering", head_staff_id=_rows(db_url, Department)[0].head_staff_id,
                                leader_staff_id=leader_staff_id)
    with pytest.raises(DomainError, match="分管领导须为公司或总部的员工"):  # an office's staff is no company leader
        org_service.save_department(actor=team["admin"], department_id=dept, org_unit_id=org.office_a, name="工程部",
                                    kind="engineering", head_staff_id=None,
                                    leader_staff_id=_rows(db_url, Department)[0].head_staff_id)
    c = svc.register(actor=team["clerk"], data=_data(org.office_a, now, complainant_count=3), request_id="h", now=now)
    told = {n.recipient_user_id for n in _report_notices(db_url, c.id)}
    assert told == {team["hq"].user_id, team["director"].user_id}  # no department yet: no leader at all
    flow.assign(actor=team["sup"], complaint_id=c.id, handler_user_id=team["clerk"].user_id, department_id=dept,
                note="", now=now + timedelta(minutes=10))
    told = {n.recipient_user_id for n in _report_notices(db_url, c.id)}
    assert {head.user_id, team["leader"].user_id} <= told and other_leader.user_id not in told
    sent = _rows(db_url, ComplaintReport, ComplaintReport.complaint_id == c.id, order=ComplaintReport.id)
    assert "分管领导：" in sent[-1].to_whom and "分管副总" not in sent[0].to_whom
    assert _rows(db_url, Complaint)[0].reported_at is not None  # every recipient now told


# ----- item 5: 快报 and 专题报告 are duties in my work, flagged when missed --------------------------------------


def _work(actor, now):
    from db.services import complaint_queues

    return {w.title: w for w in complaint_queues.my_work(actor=actor, now=now)}


def test_the_weekly_express_bulletin_is_due_in_my_work_and_a_breach_when_missed(db_url, org, team, now):
    from db.models import RecordEvent

    c = svc.register(actor=team["clerk"], data=_data(org.office_a, now, lawsuit=True), request_id="law", now=now)
    assert "重大投诉快报待报送" not in _work(team["sup"], now)  # due in a week
    soon = _work(team["sup"], now + timedelta(days=6, hours=12))["重大投诉快报待报送"]
    assert soon.count == 1 and soon.severity == "warning"
    assert "重大投诉快报待报送" not in _work(team["clerk"], now + timedelta(days=6, hours=12))  # not the clerk's to send
    late = now + timedelta(days=8)
    complaint_grades.daily_sweep(now=late)
    assert _work(team["sup"], late)["重大投诉快报待报送"].severity == "danger"
    [express] = _rows(db_url, Duty, Duty.record_id == c.id, Duty.duty == "complaint.express")
    assert express.breached
    events = [e.event for e in _rows(db_url, RecordEvent, RecordEvent.record_id == c.id)]
    assert "express_breach" in events
    reports.record_express(actor=team["sup"], complaint_id=c.id, progress="已应诉", next_steps="", now=late)
    assert "重大投诉快报待报送" not in _work(team["sup"], late)


def test_the_special_report_is_due_after_archiving_and_flagged_when_late(db_url, org, team, now):
    from db.models import RecordEvent

    c = svc.register(actor=team["clerk"], data=_data(org.office_a, now, complainant_count=3), request_id="h", now=now)
    assert c.grade == "hot"
    assert not _rows(db_url, Duty, Duty.record_id == c.id, Duty.duty == "complaint.special")
    closed_at = now + timedelta(hours=3)
    _archive(team, c, closed_at)
    [special] = _rows(db_url, Duty, Duty.record_id == c.id, Duty.duty == "complaint.special")
    assert special.state == "open" and "投诉通报处理制度" in special.clause
    assert special.due_at.replace(tzinfo=None) == (closed_at + timedelta(days=7)).replace(tzinfo=None)
    assert _work(team["sup"], closed_at)["专题报告待提交"].count == 1
    late = closed_at + timedelta(days=8)
    complaint_grades.daily_sweep(now=late)
    assert "special_breach" in [e.event for e in _rows(db_url, RecordEvent, RecordEvent.record_id == c.id)]
    reports.write_special_report(actor=team["sup"], complaint_id=c.id, part_a="经过与处理", part_b="", part_c="",
                                 now=late)
    [special] = _rows(db_url, Duty, Duty.record_id == c.id, Duty.duty == "complaint.special")
    assert (special.state, special.breached) == ("met", True)
    assert "专题报告待提交" not in _work(team["sup"], late)
    # the number of days is the policy book's
    policy_service.set_value(actor=team["admin"], key="complaint.special_report_within", value={"amount": 3, "unit": "days"},
                             effective_from=now - timedelta(days=1), reason="测试", now=now)
    d = svc.register(actor=team["clerk"], data=_data(org.office_a, now, complainant_count=4, complainant_phone="2"),
                     request_id="h2", now=now)
    _archive(team, d, closed_at)
    [special] = _rows(db_url, Duty, Duty.record_id == d.id, Duty.duty == "complaint.special")
    assert special.due_at.replace(tzinfo=None) == (closed_at + timedelta(days=3)).replace(tzinfo=None)


# ----- item 7: facts corrected after registration; 二次投诉 linked at intake -------------------------------------


def test_correcting_the_facts_needs_a_reason_and_the_right_role_and_raises_at_once(db_url, org, team, now):
    from core.errors import PermissionDenied
    from db.models import AuditLog

    c = svc.register(actor=team["clerk"], data=_data(org.office_a, now), request_id="f", now=now)
    with pytest.raises(PermissionDenied):  # a clerk registers; a supervisor or above corrects
        complaint_grades.update_facts(actor=team["clerk"], complaint_id=c.id, changes={"lawsuit": True},
                                      reason="业主已起诉", now=now)
    with pytest.raises(DomainError, match="更正理由"):
        complaint_grades.update_facts(actor=team["sup"], complaint_id=c.id, changes={"lawsuit": True}, reason=" ",
                                      now=now)
    with pytest.raises(DomainError, match="没有需要更正"):
        complaint_grades.update_facts(actor=team["sup"], complaint_id=c.id, changes={"lawsuit": False},
                                      reason="核对", now=now)
    up = complaint_grades.update_facts(actor=team["sup"], complaint_id=c.id, changes={"lawsuit": True},
                                       reason="业主已向法院起诉", now=now)
    assert up.grade == "major" and up.lawsuit
    [audit] = _rows(db_url, AuditLog, AuditLog.action == "complaint.facts")
    assert "业主已向法院起诉" in audit.summary
    # corrected downwards: the class stays 重大 until HQ confirms the lowering
    hq_before = len(_rows(db_url, Notice, Notice.recipient_user_id == team["hq"].user_id))
    down = complaint_grades.update_facts(actor=team["sup"], complaint_id=c.id, changes={"lawsuit": False},
                                         reason="登记有误：业主只是扬言起诉", now=now + timedelta(hours=1))
    assert (down.grade, down.rules_grade) == ("major", "general") and not down.lawsuit
    asked = _rows(db_url, Notice, Notice.recipient_user_id == team["hq"].user_id)
    assert len(asked) == hq_before + 1 and "降级" in asked[-1].title
    confirmed = complaint_grades.override_grade(actor=team["hq"], complaint_id=c.id, grade="general",
                                                reason="同意降级：未起诉", now=now + timedelta(hours=2))
    assert confirmed.grade == "general"


def test_a_new_complaint_can_be_a_repeat_of_an_earlier_one(db_url, org, team, make_actor, now):
    first = svc.register(actor=team["clerk"], data=_data(org.office_a, now - timedelta(days=20)), request_id="1",
                         now=now - timedelta(days=20))
    with pytest.raises(DomainError, match="二次投诉"):  # still being handled: not a repeat after closing
        svc.register(actor=team["clerk"], data=_data(org.office_a, now, repeat_of_id=first.id), request_id="r0", now=now)
    _archive(team, first, now - timedelta(days=10))
    found = svc.repeat_candidates(actor=team["clerk"], office_id=org.office_a, text="13800000001")
    assert [i for i, _ in found] == [first.id] and first.number in found[0][1]
    assert svc.repeat_candidates(actor=team["clerk"], office_id=org.office_a, text="没有这个人") == []
    again = svc.register(actor=team["clerk"], data=_data(org.office_a, now, repeat_of_id=first.id), request_id="r",
                         now=now)
    assert again.repeat_of_id == first.id and again.grade == "important" and "二次投诉" in again.grade_trigger
    clerk_b = make_actor(Role.CLERK, org.office_b, username="clerk_b")
    with pytest.raises(DomainError, match="二次投诉"):  # another office's complaint cannot be picked
        svc.register(actor=clerk_b, data=_data(org.office_b, now, repeat_of_id=first.id), request_id="rb", now=now)
