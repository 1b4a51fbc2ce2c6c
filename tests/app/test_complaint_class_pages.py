"""Issue 11 on screen: 更正投诉情况 with a reason, the class kept until HQ lowers it, the 通报 sent and acknowledged
apart, the age clock, the 二次投诉 picker at intake."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from core.roles import Role
from db.engine import get_engine
from db.models import Complaint
from db.services import complaints as svc
from tests.app.harness import ROOT
from ui.context import ACTOR_KEY

LIST = "views/complaints/list.py"


def run_page(path: str, actor, **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / path), default_timeout=60)
    at.session_state[ACTOR_KEY] = actor
    for key, value in query.items():
        at.query_params[key] = str(value)
    return at.run()


def _data(office_id, now, **kw) -> svc.ComplaintIn:
    base = dict(office_id=office_id, channel="phone", category="engineering", description="地下车库积水",
                occurred_at=now - timedelta(hours=2), complainant_name="张业主", complainant_phone="13800000001")
    base.update(kw)
    return svc.ComplaintIn(**base)


@pytest.fixture
def team(org, make_actor):
    return {role: make_actor(role, org.hq_id if role in {Role.HQ_HEAD, Role.HQ_SPECIALIST} else org.office_a)
            for role in (Role.CLERK, Role.CS_SUPERVISOR, Role.HQ_SPECIALIST)}


def test_facts_are_corrected_with_a_reason_and_a_lowering_waits_for_hq(team, org, now):
    c = svc.register(actor=team[Role.CLERK], data=_data(org.office_a, now, lawsuit=True), request_id="f", now=now)
    clerk = run_page(LIST, team[Role.CLERK], id=c.id)
    assert not [e for e in clerk.expander if e.label == "更正投诉情况"]  # a clerk does not correct facts
    sup = run_page(LIST, team[Role.CS_SUPERVISOR], id=c.id)
    assert not sup.exception
    assert any("通报尚未完成" in w.value and "行政公关部负责人：无人" in w.value for w in sup.warning)
    [box] = [b for b in sup.checkbox if b.label == "已起诉"]
    box.uncheck()
    [reason] = [t for t in sup.text_input if t.label == "更正理由 *"]
    reason.input("登记有误：业主只是扬言起诉")
    [save] = [b for b in sup.button if b.label == "保存更正"]
    save.click()
    sup.run()
    assert not sup.exception and not [e.value for e in sup.error]
    with Session(get_engine()) as s:
        row = s.exec(select(Complaint).where(Complaint.id == c.id)).one()
    assert (row.grade, row.rules_grade, row.lawsuit) == ("major", "general", False)
    sup = run_page(LIST, team[Role.CS_SUPERVISOR], id=c.id)
    assert any("类别不自行降低，降级须由总部客服中心认定" in x.value and "二.5" in x.value for x in sup.caption)


def test_the_age_clock_is_shown_on_the_complaint(team, org, now):
    c = svc.register(actor=team[Role.CLERK], data=_data(org.office_a, now, our_fault=True), request_id="a", now=now)
    sup = run_page(LIST, team[Role.CS_SUPERVISOR], id=c.id)
    assert any("我方原因未解决时长自投诉产生（问题发生）时" in x.value and "投诉通报处理制度" in x.value
               for x in sup.caption)


def test_intake_offers_the_handled_complaints_as_the_original_of_a_repeat(team, org, now):
    at = run_page("views/complaints/new.py", team[Role.CLERK])
    assert not at.exception
    [search] = [t for t in at.text_input if t.label.startswith("二次投诉的原投诉")]
    search.input("13800000001")
    at.run()
    assert not at.exception
    [pick] = [b for b in at.selectbox if b.label.startswith("二次投诉：原投诉")]
    assert pick.options == ["—（不是二次投诉）"]  # nothing handled yet in this office
