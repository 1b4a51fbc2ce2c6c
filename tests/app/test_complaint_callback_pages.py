"""Verification and callback on screen (issue 11 items 10, 21, 22): 验证不合格 through the real widgets, the handler
sees why he may neither call back nor exempt, an exemption the intake facts gave shows its reason and clause and a
客服主任 can reverse it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from core.roles import Role
from db.engine import get_engine
from db.models import Callback, Complaint
from db.services import complaint_flow as flow
from db.services import complaints as svc
from tests.app.harness import ROOT
from tests.app.test_complaint_detail_pages import LIST, labelled, ok, run_page
from ui.context import ACTOR_KEY


@pytest.fixture
def team(org, make_actor):
    return {role: make_actor(role, org.office_a) for role in (Role.CLERK, Role.CS_SUPERVISOR)}


def _data(office_id, now, **kw) -> svc.ComplaintIn:
    base = dict(office_id=office_id, channel="phone", category="engineering", description="地下车库积水",
                occurred_at=now - timedelta(hours=2), complainant_name="张业主", complainant_phone="13800000001")
    return svc.ComplaintIn(**(base | kw))


def _state(c_id: int) -> Complaint:
    with Session(get_engine()) as s:
        return s.get(Complaint, c_id)


def _handled(team, org, make_actor, now, key, **facts):
    sup = team[Role.CS_SUPERVISOR]
    c = svc.register(actor=team[Role.CLERK], data=_data(org.office_a, now, **facts), request_id=key, now=now)
    flow.assign(actor=sup, complaint_id=c.id, handler_user_id=sup.user_id, department_id=None, note="", now=now)
    flow.mark_handled(actor=sup, complaint_id=c.id, result="已修复", now=now)
    return c, sup, make_actor(Role.CS_SUPERVISOR, org.office_a)


def test_verification_fails_with_the_reason_through_the_panel(team, org, make_actor, now):
    c, _, other = _handled(team, org, make_actor, now, "vf")
    at = run_page(LIST, other)
    at.text_input(key=f"vnote_{c.id}").input("排水泵仍漏水")
    labelled(at.button, "验证不合格").click()
    at.run()
    ok(at)
    row = _state(c.id)
    assert row.state == "assigned" and row.handled_at is None


def test_the_handler_is_offered_neither_callback_nor_exemption(team, org, make_actor, now):
    c, handler, other = _handled(team, org, make_actor, now, "ex", sensitive=True)
    flow.verify(actor=other, complaint_id=c.id, note="", now=now)
    mine = run_page(LIST, handler)
    ok(mine)
    assert any("回访和免回访认定须由他人进行" in i.value for i in mine.info)
    assert not [b for b in mine.button if b.label in ("认定免回访", "保存回访记录")]


def test_an_exemption_by_the_intake_facts_is_shown_and_reversed(team, org, make_actor, now):
    c, _, other = _handled(team, org, make_actor, now, "auto", resolved_on_spot=True, satisfied_on_spot=True)
    flow.verify(actor=other, complaint_id=c.id, note="", now=now + timedelta(hours=1))
    at = run_page(LIST, other)
    ok(at)
    assert any("依据登记事实认定免回访" in x.value and "第2条" in x.value for x in at.caption)
    at.text_input(key=f"unexempt_{c.id}").input("顾客来电仍有意见")
    labelled(at.button, "撤销免回访").click()
    at.run()
    ok(at)
    assert _state(c.id).state == "verified"


def test_a_supervisor_is_told_who_calls_back_a_major_complaint(team, org, make_actor, now):
    c, _, other = _handled(team, org, make_actor, now, "major", complainant_count=12)
    flow.verify(actor=other, complaint_id=c.id, note="", now=now)
    at = run_page(LIST, other)
    ok(at)
    assert any("重大投诉须由管理处主任" in i.value and "第3条" in i.value for i in at.info), [i.value for i in at.info]
    assert not [b for b in at.button if b.label == "保存回访记录"]
    director = run_page(LIST, make_actor(Role.OFFICE_DIRECTOR, org.office_a))
    ok(director)
    assert "上门（家访）" in labelled(director.selectbox, "回访方式").options


def test_the_follow_up_action_is_entered_with_the_callback(team, org, make_actor, now):
    c, _, other = _handled(team, org, make_actor, now, "follow")
    flow.verify(actor=other, complaint_id=c.id, note="", now=now)
    caller = make_actor(Role.CS_SUPERVISOR, org.office_a)
    at = run_page(LIST, caller)
    labelled(at.selectbox, "回访方式").set_value("phone")
    labelled(at.selectbox, "满意度").set_value("basic")
    labelled(at.text_input, "后续措施").input("一周后复查车库排水")
    labelled(at.button, "保存回访记录").click()
    at.run()
    ok(at)
    with Session(get_engine()) as s:
        row = s.exec(select(Callback).where(Callback.complaint_id == c.id)).one()
    assert row.follow_up == "一周后复查车库排水" and row.satisfaction == "basic"


def test_the_exemption_case_starts_on_what_the_facts_support(team, org, make_actor, now):
    c, _, other = _handled(team, org, make_actor, now, "attempts")
    flow.verify(actor=other, complaint_id=c.id, note="", now=now)
    caller = make_actor(Role.CS_SUPERVISOR, org.office_a)
    at = run_page(LIST, caller)
    assert labelled(at.selectbox, "免回访情形").value is None  # was 当场解决 whatever the facts
    for i in range(3):
        flow.record_callback(actor=caller, complaint_id=c.id, method="phone", reached=False, person_reached="",
                             satisfaction=None, comment="无人接听", follow_up="", now=now + timedelta(hours=i + 1))
    at = run_page(LIST, caller)
    ok(at)
    assert labelled(at.selectbox, "免回访情形").value == "unreachable"
    assert any("未联系上顾客已回访 3 次" in x.value for x in at.caption)


CALLBACKS = "views/complaints/callbacks.py"


def test_the_callback_page_flags_overdue_callbacks_and_shows_the_rate(team, org, make_actor, now):
    from ui.fmt import now as ui_now

    moment = ui_now()
    late, _, other = _handled(team, org, make_actor, moment - timedelta(days=10), "late")
    flow.verify(actor=other, complaint_id=late.id, note="", now=moment - timedelta(days=9))
    fresh, _, _ = _handled(team, org, make_actor, moment - timedelta(hours=3), "fresh")
    flow.verify(actor=other, complaint_id=fresh.id, note="", now=moment - timedelta(hours=1))
    caller = make_actor(Role.CS_SUPERVISOR, org.office_a)
    at = run_page(CALLBACKS, caller)
    ok(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["待回访"] == "2" and metrics["回访超期"] == "1"
    # this month's rate against the target (the late callback fell due this month unless the month just began)
    assert any(("回访率" in c.value and "第6条" in c.value) or "本月尚无到期的回访" in c.value for c in at.caption)
    at.toggle(key="callbacks_overdue").set_value(True).run()
    ok(at)
    listed = [df.value for df in at.dataframe if "编号" in df.value.columns][0]
    assert list(listed["编号"]) == [late.number] and list(listed["超期"]) == ["超期"]


def test_after_saving_a_callback_the_page_stays_on_it_and_opens_the_next_only_on_a_click(team, org, make_actor, now):
    first, _, other = _handled(team, org, make_actor, now, "first")
    second, _, _ = _handled(team, org, make_actor, now, "second")
    for c in (first, second):
        flow.verify(actor=other, complaint_id=c.id, note="", now=now)
    caller = make_actor(Role.CS_SUPERVISOR, org.office_a)
    at = AppTest.from_file(str(ROOT / CALLBACKS), default_timeout=60)
    at.session_state[ACTOR_KEY] = caller
    rows = [c.id for c in flow.callback_queue(actor=caller, now=now).rows]
    at.session_state["callbacks_table"] = {"selection": {"rows": [rows.index(first.id)], "columns": []}}
    at.session_state["callbacks_table__picked"] = (first.id, (1, False))  # the clerk clicked the first one
    at.run()
    assert any(first.number in h.value for h in at.subheader)
    labelled(at.selectbox, "回访方式").set_value("phone")
    labelled(at.selectbox, "满意度").set_value("satisfied")
    labelled(at.button, "保存回访记录").click()
    at.run()
    ok(at)
    shown = [h.value for h in at.subheader]
    assert any(first.number in v for v in shown) and not any(second.number in v for v in shown), shown
    assert any(f"已保存 {first.number} 的回访" in x.value and "满意" in x.value for x in at.success)
    assert not [b for b in at.button if b.label == "保存回访记录"]  # no form of the next complaint
    assert _state(first.id).state == "callback_done" and _state(second.id).state == "verified"
