"""Each complaint workflow rule that used to live only in the screen is refused by its service (SQLite and
PostgreSQL): the refusal is Chinese and cites the clause, and the complaint, its timeline and its consult
requests are left as they were. The timeline's sentences quote the policy book in force."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from core.errors import DomainError
from core.roles import Role
from db.engine import get_engine
from db.models import Complaint, ComplaintReport, Consultant, ConsultRequest, RecordEvent
from db.services import complaint_consult
from db.services import complaint_flow as flow
from db.services import complaint_reports as reports
from db.services import complaints as svc
from db.services import policy as policy_svc
from db.services.complaints import ComplaintIn

H = timedelta(hours=1)
D12 = "依据《顾客投诉处理制度(投诉顾问支持及责任划分)》一."


@pytest.fixture
def team(org, make_actor):
    return {
        "clerk": make_actor(Role.CLERK, org.office_a),
        "sup": make_actor(Role.CS_SUPERVISOR, org.office_a),
        "sup2": make_actor(Role.CS_SUPERVISOR, org.office_a),
        "director": make_actor(Role.OFFICE_DIRECTOR, org.office_a),
        "hq": make_actor(Role.HQ_SPECIALIST, org.hq_id),
        "admin": make_actor(Role.SYSADMIN, org.hq_id),
        "consultant": make_actor(Role.CONSULTANT, org.hq_id, name="冯顾问"),
    }


@pytest.fixture
def consultant(db_url, team) -> int:
    with Session(get_engine(db_url)) as s:
        row = Consultant(name="冯顾问", speciality="法律", phone="1", user_id=team["consultant"].user_id)
        s.add(row)
        s.commit()
        return row.id


def _register(org, team, now, key: str, **kw) -> Complaint:
    data = dict(office_id=org.office_a, channel="phone", category="engineering", description="地下车库积水",
                occurred_at=now - 2 * H, complainant_name="张业主", complainant_phone="13800000001")
    data.update(kw)
    return svc.register(actor=team["clerk"], data=ComplaintIn(**data), request_id=key, now=now)


def _close(c, team, now) -> None:
    flow.assign(actor=team["sup"], complaint_id=c.id, handler_user_id=team["clerk"].user_id, department_id=None,
                note="", now=now)
    flow.mark_handled(actor=team["clerk"], complaint_id=c.id, result="已修复排水泵", now=now)
    flow.verify(actor=team["sup"], complaint_id=c.id, note="", now=now)
    flow.record_callback(actor=team["sup2"], complaint_id=c.id, method="phone", reached=True, person_reached="张业主",
                         satisfaction="satisfied", comment="", follow_up="", now=now)
    flow.close(actor=team["sup"], complaint_id=c.id, note="", now=now)


def _snapshot(url, complaint_id):
    """The complaint row, its timeline and its consult requests, as plain values."""
    with Session(get_engine(url)) as s:
        c = s.get(Complaint, complaint_id).model_dump()
        events = [(e.event, e.note) for e in s.exec(select(RecordEvent).where(
            RecordEvent.record_type == "complaint", RecordEvent.record_id == complaint_id).order_by(RecordEvent.id)).all()]
        consults = [r.model_dump() for r in s.exec(select(ConsultRequest).where(
            ConsultRequest.complaint_id == complaint_id).order_by(ConsultRequest.id)).all()]
        return c, events, consults


def _refused(url, complaint_id, call, *fragments) -> DomainError:
    before = _snapshot(url, complaint_id)
    with pytest.raises(DomainError) as err:
        call()
    for fragment in fragments:
        assert fragment in err.value.message, err.value.message
    assert _snapshot(url, complaint_id) == before
    return err.value


def test_no_consultant_is_requested_on_a_closed_complaint(db_url, org, team, consultant, now):
    c = _register(org, team, now, "rc")
    _close(c, team, now + H)
    _refused(db_url, c.id, lambda: complaint_consult.request_consult(
        actor=team["sup"], complaint_id=c.id, consultant_id=consultant, question="是否属保修", now=now + 2 * H),
        "只有处理中的投诉可以请求专业顾问支持", "当前状态：已归档", D12 + "1")


def test_an_unreachable_consultant_is_not_escalated_once_the_complaint_is_closed(db_url, org, team, consultant, now):
    c = _register(org, team, now, "un")
    req = complaint_consult.request_consult(actor=team["sup"], complaint_id=c.id, consultant_id=consultant, question="是否属保修",
                                  now=now)
    _close(c, team, now + H)
    _refused(db_url, c.id, lambda: complaint_consult.consultant_unreachable(actor=team["sup"], consult_id=req, now=now + 2 * H),
             "只有处理中的投诉可以请客服中心协调顾问", D12 + "2")


def test_the_final_result_is_told_to_hq_only_after_closing(db_url, org, team, consultant, now):
    c = _register(org, team, now, "fr")
    req = complaint_consult.request_consult(actor=team["sup"], complaint_id=c.id, consultant_id=consultant, question="是否属保修",
                                  now=now)
    complaint_consult.reply_consult(actor=team["consultant"], consult_id=req, reply="属保修范围", now=now + H)
    _refused(db_url, c.id, lambda: complaint_consult.final_result_notified(actor=team["sup"], consult_id=req, now=now + 2 * H),
             "归档）后方可告知客服中心最终结果", "当前状态：已受理", D12 + "1")
    _close(c, team, now + 3 * H)
    complaint_consult.final_result_notified(actor=team["sup"], consult_id=req, now=now + 4 * H)
    assert _snapshot(db_url, c.id)[2][0]["final_result_notified_at"] == now + 4 * H


def test_no_follow_up_note_on_a_closed_complaint(db_url, org, team, now):
    c = _register(org, team, now, "nt")
    flow.add_note(actor=team["clerk"], complaint_id=c.id, note="已联系工程部", now=now)  # open: fine
    _close(c, team, now + H)
    _refused(db_url, c.id, lambda: flow.add_note(actor=team["clerk"], complaint_id=c.id, note="补充", now=now + 2 * H),
             "只有处理中的投诉可以添加跟进记录", "《投诉处理流程》")


def test_a_phone_report_is_recorded_only_for_a_reported_class(db_url, org, team, now):
    c = _register(org, team, now, "pr")  # one complainant, nothing else: 一般
    _refused(db_url, c.id, lambda: reports.record_phone_report(actor=team["director"], complaint_id=c.id, at=now,
                                                           to_whom="总部客服中心", note="", now=now),
             "只有重大/热点投诉须立即通报", "依据《顾客投诉处理制度(投诉通报处理制度)》二")
    hot = _register(org, team, now, "pr2", complainant_count=4)
    reports.record_phone_report(actor=team["director"], complaint_id=hot.id, at=now, to_whom="总部客服中心", note="",
                            now=now)
    with Session(get_engine(db_url)) as s:
        assert s.exec(select(func.count()).select_from(ComplaintReport).where(
            ComplaintReport.complaint_id == hot.id, ComplaintReport.kind == "phone")).one() == 1


def test_the_handler_may_neither_verify_nor_call_back(db_url, org, team, now):
    c = _register(org, team, now, "hd")
    flow.assign(actor=team["sup"], complaint_id=c.id, handler_user_id=team["sup"].user_id, department_id=None,
                note="", now=now)
    flow.mark_handled(actor=team["sup"], complaint_id=c.id, result="已处理", now=now)
    _refused(db_url, c.id, lambda: flow.verify(actor=team["sup"], complaint_id=c.id, note="", now=now),
             "验证人不能是该投诉的处理人", "依据《顾客投诉处理制度(投诉回访)》第1条")
    flow.verify(actor=team["sup2"], complaint_id=c.id, note="", now=now)
    _refused(db_url, c.id, lambda: flow.record_callback(
        actor=team["sup"], complaint_id=c.id, method="phone", reached=True, person_reached="张业主",
        satisfaction="satisfied", comment="", follow_up="", now=now), "回访不能由该投诉的处理人进行")


def test_a_late_consultant_reply_quotes_the_deadline_in_force(db_url, org, team, consultant, now):
    policy_svc.set_value(actor=team["admin"], key="complaint.consultant_reply", value={"amount": 48, "unit": "hours"},
                         effective_from=now - 2 * H, reason="测试：顾问答复期限改为48小时", now=now - 2 * H)
    c = _register(org, team, now, "late")
    req = complaint_consult.request_consult(actor=team["sup"], complaint_id=c.id, consultant_id=consultant, question="是否属保修",
                                  now=now)
    assert _snapshot(db_url, c.id)[2][0]["due_at"] == now + 48 * H
    complaint_consult.reply_consult(actor=team["consultant"], consult_id=req, reply="属保修范围", now=now + 49 * H)
    note = [n for action, n in _snapshot(db_url, c.id)[1] if action == "consult_reply"][0]
    assert "（已超过48小时时限）" in note and "24小时" not in note


def test_threshold_words_follow_thresholds_inclusive(db_url, org, team, now):
    policy_svc.set_value(actor=team["admin"], key="complaint.thresholds_inclusive", value=False,
                         effective_from=now - 2 * H, reason="测试：以上不含本数", now=now - 2 * H)
    c = _register(org, team, now, "th", complainant_count=4)
    assert c.grade == "hot"
    assert c.grade_trigger == "超过3人集体投诉（4人）"
    assert _register(org, team, now, "th3", complainant_count=3).grade == "general"  # 3 is not "超过3人"
