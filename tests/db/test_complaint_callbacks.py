"""Verification and callback as 《投诉回访》 wrote them (issue 11 items 10–14, 21, 22), on SQLite and PostgreSQL:
验证不合格 sends the complaint back to handling; the handler may not exempt his own complaint; the facts recorded at
intake exempt the callback at verification (reversible by a 客服主任); each refusal is Chinese, cites its clause and
writes nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from core.errors import DomainError
from core.roles import Role
from db.engine import get_engine
from db.models import Complaint, Duty, Notice, RecordEvent
from db.services import complaint_callbacks as callbacks
from db.services import complaint_flow as flow
from db.services import complaint_grades
from db.services import complaint_queues as queues
from db.services import complaints as svc
from db.services import policy as policy_svc
from db.services.complaints import ComplaintIn

H = timedelta(hours=1)
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def team(org, make_actor):
    return {
        "clerk": make_actor(Role.CLERK, org.office_a),
        "handler": make_actor(Role.CS_SUPERVISOR, org.office_a, name="处理人"),
        "sup": make_actor(Role.CS_SUPERVISOR, org.office_a),
        "director": make_actor(Role.OFFICE_DIRECTOR, org.office_a),
        "hq": make_actor(Role.HQ_SPECIALIST, org.hq_id),
    }


def _handled(org, team, now, key: str, **kw) -> Complaint:
    data = dict(office_id=org.office_a, channel="phone", category="engineering", description="地下车库积水",
                occurred_at=now - 2 * H, complainant_name="张业主", complainant_phone="13800000001")
    data.update(kw)
    c = svc.register(actor=team["clerk"], data=ComplaintIn(**data), request_id=key, now=now)
    flow.assign(actor=team["sup"], complaint_id=c.id, handler_user_id=team["handler"].user_id, department_id=None,
                note="", now=now)
    flow.mark_handled(actor=team["handler"], complaint_id=c.id, result="已修复排水泵", now=now + H)
    return c


def _get(url, c_id) -> Complaint:
    with Session(get_engine(url)) as s:
        return s.get(Complaint, c_id)


def _events(url, c_id) -> list[RecordEvent]:
    with Session(get_engine(url)) as s:
        return list(s.exec(select(RecordEvent).where(RecordEvent.record_type == "complaint", RecordEvent.record_id == c_id)
                           .order_by(RecordEvent.id)).all())


def _open_callback_duties(url, c_id) -> list[Duty]:
    with Session(get_engine(url)) as s:
        return list(s.exec(select(Duty).where(Duty.record_type == "complaint", Duty.record_id == c_id,
                                              Duty.duty == "complaint.callback", Duty.state == "open")).all())


# ----- item 10: 验证不合格 --------------------------------------------------------------------------------------


def test_failed_verification_goes_back_to_handling_with_the_reason(db_url, org, team, now):
    c = _handled(org, team, now, "vf")
    with pytest.raises(DomainError, match="验证不合格原因"):
        flow.fail_verification(actor=team["sup"], complaint_id=c.id, reason=" ", now=now + 2 * H)
    with pytest.raises(DomainError, match="验证人不能是该投诉的处理人"):
        flow.fail_verification(actor=team["handler"], complaint_id=c.id, reason="自己不合格", now=now + 2 * H)
    assert _get(db_url, c.id).state == "handled"
    back = flow.fail_verification(actor=team["sup"], complaint_id=c.id, reason="排水泵仍漏水", now=now + 2 * H)
    assert back.state == "assigned" and back.handled_at is None and back.verified_at is None
    last = _events(db_url, c.id)[-1]
    assert last.event == "verify_fail" and "排水泵仍漏水" in last.note and "投诉回访" in last.citation
    assert (last.from_state, last.to_state) == ("handled", "assigned")
    with Session(get_engine(db_url)) as s:
        told = s.exec(select(Notice).where(Notice.recipient_user_id == team["handler"].user_id,
                                           Notice.title.contains("验证不合格"))).all()
    assert len(told) == 1
    # handled again, then verified: the ordinary path continues
    flow.mark_handled(actor=team["handler"], complaint_id=c.id, result="更换排水泵", now=now + 3 * H)
    assert flow.verify(actor=team["sup"], complaint_id=c.id, note="", now=now + 4 * H).state == "verified"


def test_verification_cannot_fail_before_handling(db_url, org, team, now):
    c = _handled(org, team, now, "vf2")
    flow.verify(actor=team["sup"], complaint_id=c.id, note="", now=now + 2 * H)
    with pytest.raises(DomainError, match="只有已处理的投诉可以验证"):
        flow.fail_verification(actor=team["sup"], complaint_id=c.id, reason="晚了", now=now + 3 * H)


# ----- item 21: the handler may not exempt his own complaint ---------------------------------------------------


def test_the_handler_may_not_exempt_his_own_complaint(db_url, org, team, now):
    c = _handled(org, team, now, "ex21", sensitive=True)
    flow.verify(actor=team["sup"], complaint_id=c.id, note="", now=now + 2 * H)
    before = len(_events(db_url, c.id))
    for kind, case in (("other", "顾客明确表示不接受回访"), ("sensitive", "")):
        with pytest.raises(DomainError, match="免回访不能由该投诉的处理人认定") as err:
            flow.exempt_callback(actor=team["handler"], complaint_id=c.id, kind=kind, reason="顾客说不用回访",
                                 extra_case=case, now=now + 3 * H)
        assert "投诉回访)》第2条" in err.value.message
    assert _get(db_url, c.id).state == "verified" and len(_events(db_url, c.id)) == before
    done = flow.exempt_callback(actor=team["sup"], complaint_id=c.id, kind="other", reason="顾客说不用回访",
                                extra_case="顾客明确表示不接受回访", now=now + 3 * H)
    assert done.state == "callback_exempt" and done.exempt_by == team["sup"].user_id


def test_a_second_post_held_by_the_handler_does_not_lift_the_rule(db_url, org, team, now):
    c = _handled(org, team, now, "ex21b", sensitive=True)
    flow.verify(actor=team["sup"], complaint_id=c.id, note="", now=now + 2 * H)
    as_handler = replace(team["director"], user_id=team["handler"].user_id)
    with pytest.raises(DomainError, match="免回访不能由该投诉的处理人认定"):
        flow.exempt_callback(actor=as_handler, complaint_id=c.id, kind="sensitive", reason="敏感", now=now + 3 * H)


# ----- item 22: the intake facts exempt the callback at verification ----------------------------------------------


@pytest.mark.parametrize(("facts", "kind"), [
    (dict(resolved_on_spot=True, satisfied_on_spot=True), "on_spot"),
    (dict(anonymous=True, complainant_name=""), "no_contact"),
    (dict(channel="online", contact_available=False), "no_contact"),
])
def test_intake_facts_exempt_the_callback_at_verification(db_url, org, team, now, facts, kind):
    c = _handled(org, team, now, f"auto-{kind}-{len(facts)}", **facts)
    done = flow.verify(actor=team["sup"], complaint_id=c.id, note="", now=now + 2 * H)
    assert done.state == "callback_exempt" and not done.callback_required and done.exemption_kind == kind
    assert done.exempt_by == team["sup"].user_id and "验证合格时依据登记事实认定免回访" in done.exemption_reason
    assert done.callback_due_at is None and _open_callback_duties(db_url, c.id) == []
    verify_event, exempt_event = _events(db_url, c.id)[-2:]
    assert (verify_event.event, verify_event.to_state) == ("verify", "verified")
    assert (exempt_event.event, exempt_event.from_state, exempt_event.to_state) == ("exempt", "verified", "callback_exempt")
    assert "投诉回访)》第2条" in exempt_event.citation
    # not in 待回访: nobody has to find it there and exempt it by hand
    assert c.id not in [x.id for x in flow.callback_queue(actor=team["sup"], now=now + 3 * H).rows]
    assert flow.close(actor=team["sup"], complaint_id=c.id, note="", now=now + 3 * H).state == "closed"


def test_no_exemption_without_those_facts(db_url, org, team, now):
    for key, facts in (("on-spot-only", dict(resolved_on_spot=True)), ("phone-no-contact", dict(contact_available=False))):
        c = _handled(org, team, now, key, **facts)
        done = flow.verify(actor=team["sup"], complaint_id=c.id, note="", now=now + 2 * H)
        assert done.state == "verified" and done.callback_required and done.callback_due_at is not None


def test_a_supervisor_reverses_an_exemption_and_the_callback_is_owed_again(db_url, org, team, now):
    c = _handled(org, team, now, "undo", resolved_on_spot=True, satisfied_on_spot=True)
    flow.verify(actor=team["sup"], complaint_id=c.id, note="", now=now + 2 * H)
    with pytest.raises(DomainError, match="撤销免回访原因"):
        flow.unexempt_callback(actor=team["sup"], complaint_id=c.id, reason="", now=now + 3 * H)
    back = flow.unexempt_callback(actor=team["sup"], complaint_id=c.id, reason="顾客来电仍有意见", now=now + 3 * H)
    assert back.state == "verified" and back.callback_required and back.exemption_kind is None
    assert back.callback_due_at is not None and back.callback_due_at > now + 3 * H
    assert len(_open_callback_duties(db_url, c.id)) == 1
    last = _events(db_url, c.id)[-1]
    assert last.event == "unexempt" and "当场解决" in last.note and "第2条" in last.citation
    assert c.id in [x.id for x in flow.callback_queue(actor=team["sup"], now=now + 3 * H).rows]
    flow.exempt_callback(actor=team["sup"], complaint_id=c.id, kind="on_spot", reason="复核仍属当场解决", now=now + 4 * H)
    flow.close(actor=team["sup"], complaint_id=c.id, note="", now=now + 4 * H)
    with pytest.raises(DomainError, match="只有已认定免回访"):
        flow.unexempt_callback(actor=team["sup"], complaint_id=c.id, reason="太晚", now=now + 5 * H)


# ----- item 12: a 重大 complaint is called back by the 管理处主任 or headquarters -----------------------------------


def test_a_major_complaint_is_called_back_by_the_director_or_headquarters(db_url, org, team, now):
    c = _handled(org, team, now, "major", complainant_count=12)
    assert c.grade == "major"
    flow.verify(actor=team["sup"], complaint_id=c.id, note="", now=now + 2 * H)
    before = len(_events(db_url, c.id))
    with pytest.raises(DomainError, match="重大投诉须由管理处主任、客服中心") as err:
        flow.record_callback(actor=team["sup"], complaint_id=c.id, method="phone", reached=True, person_reached="张业主",
                             satisfaction="satisfied", comment="", follow_up="", now=now + 3 * H)
    assert "投诉回访)》第3条" in err.value.message
    assert _get(db_url, c.id).state == "verified" and len(_events(db_url, c.id)) == before
    done = flow.record_callback(actor=team["director"], complaint_id=c.id, method="visit", reached=True,
                                person_reached="张业主", satisfaction="satisfied", comment="上门回访", follow_up="",
                                now=now + 3 * H)
    assert done.state == "callback_done"


def test_headquarters_calls_back_a_major_complaint_and_a_general_one_is_any_supervisors(db_url, org, team, now):
    major = _handled(org, team, now, "major-hq", complainant_count=12)
    flow.verify(actor=team["sup"], complaint_id=major.id, note="", now=now + 2 * H)
    assert flow.record_callback(actor=team["hq"], complaint_id=major.id, method="phone", reached=True,
                                person_reached="张业主", satisfaction="basic", comment="", follow_up="",
                                now=now + 3 * H).state == "callback_done"
    general = _handled(org, team, now, "general")
    flow.verify(actor=team["director"], complaint_id=general.id, note="", now=now + 2 * H)
    assert flow.record_callback(actor=team["sup"], complaint_id=general.id, method="phone", reached=True,
                                person_reached="张业主", satisfaction="satisfied", comment="", follow_up="",
                                now=now + 3 * H).state == "callback_done"


def test_the_callers_come_from_the_policy_book(db_url, org, team, make_actor, now):
    admin = make_actor(Role.SYSADMIN, org.hq_id)
    policy_svc.set_value(actor=admin, key="complaint.callback_callers", value=[
        {"code": "major", "label": "重大投诉", "roles": ["cs_supervisor"], "active": True}],
        effective_from=now - 2 * H, reason="测试：重大投诉由客服主任回访", now=now - 2 * H)
    c = _handled(org, team, now, "major-book", complainant_count=12)
    flow.verify(actor=team["director"], complaint_id=c.id, note="", now=now + 2 * H)
    with pytest.raises(DomainError, match="重大投诉须由客服主任回访"):
        flow.record_callback(actor=team["hq"], complaint_id=c.id, method="phone", reached=True, person_reached="张业主",
                             satisfaction="satisfied", comment="", follow_up="", now=now + 3 * H)
    assert flow.record_callback(actor=team["sup"], complaint_id=c.id, method="phone", reached=True,
                                person_reached="张业主", satisfaction="satisfied", comment="", follow_up="",
                                now=now + 3 * H).state == "callback_done"


# ----- item 14: a complainant who cannot be reached -------------------------------------------------------------


def _attempt(team, c_id, at, method="phone", result="无人接听"):
    return flow.record_callback(actor=team["sup"], complaint_id=c_id, method=method, reached=False, person_reached="",
                                satisfaction=None, comment=result, follow_up="", now=at)


def test_an_unreachable_complainant_is_exempted_after_the_policy_attempts(db_url, org, team, now):
    c = _handled(org, team, now, "unreach")
    flow.verify(actor=team["director"], complaint_id=c.id, note="", now=now + 2 * H)
    _attempt(team, c.id, now + 3 * H)
    _attempt(team, c.id, now + 27 * H, method="visit", result="上门无人")
    with pytest.raises(DomainError, match="须先记录3次未联系上顾客的回访") as err:
        flow.exempt_callback(actor=team["sup"], complaint_id=c.id, kind="unreachable", reason="三次联系不上",
                             now=now + 28 * H)
    assert "已记录2次" in err.value.message and "投诉回访)》第2条" in err.value.message
    assert _get(db_url, c.id).state == "verified"
    _attempt(team, c.id, now + 50 * H, result="电话停机")
    notes = [e.note for e in _events(db_url, c.id) if e.event == "callback_attempt"]
    assert notes == ["回访未联系上（第1次，电话）：无人接听", "回访未联系上（第2次，上门（家访））：上门无人",
                     "回访未联系上（第3次，电话）：电话停机"]
    done = flow.exempt_callback(actor=team["sup"], complaint_id=c.id, kind="unreachable", reason="三次联系不上",
                                now=now + 51 * H)
    assert done.state == "callback_exempt" and done.exemption_kind == "unreachable"
    assert flow.close(actor=team["sup"], complaint_id=c.id, note="", now=now + 52 * H).state == "closed"


def test_the_number_of_attempts_comes_from_the_policy_book(db_url, org, team, make_actor, now):
    admin = make_actor(Role.SYSADMIN, org.hq_id)
    policy_svc.set_value(actor=admin, key="complaint.callback_attempts", value=1, effective_from=now - 2 * H,
                         reason="测试：联系一次不上即可免回访", now=now - 2 * H)
    c = _handled(org, team, now, "unreach-1")
    flow.verify(actor=team["director"], complaint_id=c.id, note="", now=now + 2 * H)
    _attempt(team, c.id, now + 3 * H)
    assert flow.exempt_callback(actor=team["sup"], complaint_id=c.id, kind="unreachable", reason="联系不上",
                                now=now + 4 * H).state == "callback_exempt"


# ----- item 11: the callback deadline is flagged; the callback rate per office and month ------------------------


def test_a_passed_callback_deadline_is_flagged_in_my_work_the_list_and_the_timeline(db_url, org, team, now):
    late = _handled(org, team, now, "late")
    flow.verify(actor=team["director"], complaint_id=late.id, note="", now=now + 2 * H)
    fresh = _handled(org, team, now, "fresh")
    flow.verify(actor=team["director"], complaint_id=fresh.id, note="", now=now + 70 * H)
    moment = now + 80 * H  # past the first one's 3-day deadline, not the second's
    assert [c.id for c in flow.callback_queue(actor=team["sup"], now=moment, overdue=True).rows] == [late.id]
    assert [c.id for c in queues.search(actor=team["sup"], now=moment, queue="callback_overdue").rows] == [late.id]
    work = {w.title: w for w in queues.my_work(actor=team["sup"], now=moment)}
    assert work["投诉回访已超期"].count == 1 and work["投诉回访已超期"].page == "views/complaints/callbacks.py"
    assert work["投诉待回访"].count == 2
    complaint_grades.daily_sweep(now=moment)
    flagged = [e for e in _events(db_url, late.id) if e.event == "callback_breach"]
    assert len(flagged) == 1 and "投诉回访未在时限内完成" in flagged[0].note and "第3条" in flagged[0].citation
    assert not [e for e in _events(db_url, fresh.id) if e.event == "callback_breach"]


def test_the_callback_rate_per_office_and_month_against_the_target(db_url, org, team, make_actor, now):
    called, waiting, exempted = (_handled(org, team, now, key) for key in ("r1", "r2", "r3"))
    for c in (called, waiting, exempted):
        flow.verify(actor=team["director"], complaint_id=c.id, note="", now=now + 2 * H)
    flow.record_callback(actor=team["sup"], complaint_id=called.id, method="phone", reached=True, person_reached="张业主",
                         satisfaction="satisfied", comment="", follow_up="", now=now + 3 * H)
    for i in range(3):
        flow.record_callback(actor=team["sup"], complaint_id=exempted.id, method="phone", reached=False,
                             person_reached="", satisfaction=None, comment="无人接听", follow_up="", now=now + (4 + i) * H)
    flow.exempt_callback(actor=team["sup"], complaint_id=exempted.id, kind="unreachable", reason="联系不上",
                         now=now + 8 * H)
    other_office = make_actor(Role.CS_SUPERVISOR, org.office_b)
    moment = now + 80 * H
    [rate] = callbacks.callback_rates(actor=team["sup"], month=date(2026, 11, 1), now=moment, tz=TZ)
    assert (rate.office_id, rate.required, rate.done, rate.overdue) == (org.office_a, 2, 1, 1)  # exempted: not owed
    assert rate.rate == 0.5 and rate.rate_label == "50%" and rate.target_pct == 100 and not rate.meets_target
    assert "投诉回访)》第6条" in rate.citation
    assert callbacks.callback_rates(actor=other_office, month=date(2026, 11, 1), now=moment, tz=TZ) == []
    assert callbacks.callback_rates(actor=team["sup"], month=date(2026, 12, 1), now=moment, tz=TZ) == []
    admin = make_actor(Role.SYSADMIN, org.hq_id)
    policy_svc.set_value(actor=admin, key="complaint.callback_target_pct", value=50, effective_from=moment - H,
                         reason="测试：回访率目标50%", now=moment - H)
    [rate] = callbacks.callback_rates(actor=team["sup"], month=date(2026, 11, 1), now=moment, tz=TZ)
    assert rate.target_pct == 50 and rate.meets_target


def test_after_an_unsatisfied_callback_the_on_the_spot_facts_no_longer_exempt(db_url, org, team, now):
    c = _handled(org, team, now, "spot-again", resolved_on_spot=True, satisfied_on_spot=True)
    flow.verify(actor=team["sup"], complaint_id=c.id, note="", now=now + 2 * H)
    flow.unexempt_callback(actor=team["sup"], complaint_id=c.id, reason="顾客来电仍不满", now=now + 3 * H)
    flow.record_callback(actor=team["sup"], complaint_id=c.id, method="phone", reached=True, person_reached="张业主",
                         satisfaction="unsatisfied", comment="仍漏水", follow_up="重新派单", now=now + 4 * H)
    flow.assign(actor=team["sup"], complaint_id=c.id, handler_user_id=team["handler"].user_id, department_id=None,
                note="", now=now + 5 * H)
    flow.mark_handled(actor=team["handler"], complaint_id=c.id, result="更换排水泵", now=now + 6 * H)
    again = flow.verify(actor=team["sup"], complaint_id=c.id, note="", now=now + 7 * H)
    assert again.state == "verified" and again.callback_required and again.callback_due_at is not None
