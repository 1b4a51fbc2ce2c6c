"""来访事件 through the real page (AppTest): the class's script shows, a visit is logged (a group as a collective
complaint), and every step — 接待, 上报, 处理结果, 书面报告, 转为投诉, 结案 — goes through its form; bad input shows a
Chinese message and writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from core.roles import Role
from db.engine import get_engine
from db.models import VisitorIncident
from db.services import visitor_incidents as svc
from tests.app.harness import ROOT
from ui.context import ACTOR_KEY

PAGE = "views/reception/incidents.py"


def run_page(actor, **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=60)
    at.session_state[ACTOR_KEY] = actor
    for key, value in query.items():
        at.query_params[key] = str(value)
    return at.run()


def labelled(elements, label: str):
    found = [e for e in elements if e.label == label]
    assert found, f"no widget labelled {label!r}: {[e.label for e in elements]}"
    return found[0]


def ok(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not [e.value for e in at.error], [e.value for e in at.error]


def row(incident_id: int) -> VisitorIncident:
    with Session(get_engine()) as s:
        return s.get(VisitorIncident, incident_id)


def all_rows() -> list[VisitorIncident]:
    with Session(get_engine()) as s:
        return list(s.exec(select(VisitorIncident)).all())


@pytest.fixture
def team(org, make_actor):
    return {Role.CLERK: make_actor(Role.CLERK, org.office_a, name="前台小李"),
            Role.CS_SUPERVISOR: make_actor(Role.CS_SUPERVISOR, org.office_a, name="王主任")}


def _log(at: AppTest, cls_label: str, **fields) -> AppTest:
    at.segmented_control(key="vi_class").set_value({"A类": "a", "B类": "b", "C类": "c", "D类": "d"}[cls_label]).run()
    labelled(at.text_input, "来访人姓名 *").input(fields.get("name", "张业主"))
    if "phone" in fields:
        labelled(at.text_input, "联系电话").input(fields["phone"])
    labelled(at.text_area, "来访事由 *").input(fields.get("purpose", "要求见领导"))
    if "people" in fields:
        labelled(at.number_input, "来访人数 *").set_value(fields["people"])
    if "reps" in fields:
        [n for n in at.number_input if n.label.startswith("代表人数")][0].set_value(fields["reps"])
    if "category" in fields:
        [s for s in at.selectbox if s.label.startswith("投诉分类")][0].set_value(fields["category"])
    labelled(at.button, "登记").click()
    return at.run()


def _step(at: AppTest, incident_id: int, op_label: str, fill, button: str) -> AppTest:
    at.radio(key=f"vi_op_{incident_id}").set_value(
        next(o for o in at.radio(key=f"vi_op_{incident_id}").options if o == op_label)).run()
    fill(at)
    labelled(at.button, button).click()
    return at.run()


def _op(at: AppTest, incident_id: int, label: str):
    from core import visitor_incidents as rules

    op = next(o for o, text in rules.OP_LABELS.items() if text == label)
    radio = at.radio(key=f"vi_op_{incident_id}")
    radio.set_value(op).run()


def test_a_class_visit_through_every_step(team, org, now):
    clerk, sup = team[Role.CLERK], team[Role.CS_SUPERVISOR]
    at = run_page(clerk)
    ok(at)
    at.segmented_control(key="vi_class").set_value("a").run()
    assert any("A类应对话术" in i.value and "10 分钟内接待" in i.value for i in at.info)
    at = _log(at, "A类")
    ok(at)
    (incident,) = all_rows()
    assert incident.state == "logged" and any(incident.number in s.value for s in at.success)

    at = run_page(clerk, id=incident.id)
    _op(at, incident.id, "接待")
    labelled(at.selectbox, "接待人 *").set_value(sup.user_id)
    labelled(at.button, "记录接待").click()
    at.run()
    ok(at)
    assert row(incident.id).state == "received" and row(incident.id).received_by == sup.user_id

    _op(at, incident.id, "上报")
    labelled(at.selectbox, "上报对象 *").set_value("office_director")
    labelled(at.button, "记录上报").click()
    at.run()
    ok(at)
    assert row(incident.id).state == "escalated" and row(incident.id).director_told_at is not None

    _op(at, incident.id, "转为投诉")
    labelled(at.selectbox, "投诉分类 *").set_value("engineering")
    labelled(at.button, "转为投诉").click()
    at.run()
    ok(at)
    assert row(incident.id).complaint_id is not None
    assert any("TS-" in str(df.value) for df in at.dataframe)

    _op(at, incident.id, "记录处理结果")
    labelled(at.button, "保存处理结果").click()  # no outcome: a Chinese message, nothing written
    at.run()
    assert any("请填写处理结果" in e.value for e in at.error) and row(incident.id).state == "escalated"
    labelled(at.text_area, "处理结果 *").input("主任当面答复，业主离开")
    labelled(at.checkbox, "需要跟进").check()
    labelled(at.text_input, "跟进安排").input("三日内回访")
    labelled(at.button, "保存处理结果").click()
    at.run()
    ok(at)
    assert row(incident.id).state == "resolved"
    assert "跟进结案" not in [o for o in (at.radio(key=f"vi_op_{incident.id}").options)]  # a clerk does not close

    at = run_page(sup, id=incident.id)
    _op(at, incident.id, "跟进结案")
    labelled(at.text_input, "跟进结果 *").input("已回访，业主满意")
    labelled(at.button, "结案").click()
    at.run()
    ok(at)
    assert row(incident.id).state == "closed"


def test_d_class_report_and_group_as_collective_complaint(team, org, now):
    clerk, sup = team[Role.CLERK], team[Role.CS_SUPERVISOR]
    at = _log(run_page(clerk), "B类", people=12, reps=3, category="engineering", purpose="停车费集体来访")
    ok(at)
    (group,) = all_rows()
    assert group.complaint_id is not None and "集体投诉" in at.success[0].value
    d = svc.register(actor=clerk, request_id="d1", now=now, data=svc.IncidentIn(
        office_id=org.office_a, visit_class="d", visitor_name="来访者", purpose="砸坏前台电脑", arrived_at=now))
    at = run_page(sup, id=d.id)
    _op(at, d.id, "提交书面报告")
    labelled(at.text_area, "书面事件报告 *").input("经过与损失：前台电脑一台")
    labelled(at.button, "提交报告").click()
    at.run()
    ok(at)
    assert row(d.id).reported_at is not None


def test_bad_input_keeps_the_form_and_writes_nothing(team):
    at = _log(run_page(team[Role.CLERK]), "B类", people=8, name="")
    assert any("来访人姓名" in e.value for e in at.error)
    assert all_rows() == []
    at = _log(run_page(team[Role.CLERK]), "B类", people=8, reps=0)
    assert any("推选代表" in e.value for e in at.error)
    assert all_rows() == []


def test_the_script_shows_the_numbers_in_force(team, org, make_actor, now):
    from db.services import policy as policy_svc

    admin = make_actor(Role.SYSADMIN, org.hq_id)
    policy_svc.set_value(actor=admin, key="visitor.a_receive_minutes", value=7, effective_from=now - timedelta(days=1),
                         reason="客户确认", now=now - timedelta(days=1))
    at = run_page(team[Role.CLERK])
    at.segmented_control(key="vi_class").set_value("a").run()
    assert any("7 分钟内接待" in i.value for i in at.info)


def test_bad_input_keeps_what_was_typed(team):
    at = _log(run_page(team[Role.CLERK]), "A类", purpose="要求见领导 漏水三次", phone="12ab")
    assert any("电话" in e.value for e in at.error)
    assert labelled(at.text_area, "来访事由 *").value == "要求见领导 漏水三次"
    assert all_rows() == []


def test_daily_section_lists_the_days_incidents(team, org, now):
    svc.register(actor=team[Role.CLERK], request_id="today", now=now, data=svc.IncidentIn(
        office_id=org.office_a, visit_class="c", visitor_name="某报社记者", purpose="采访电梯故障", arrived_at=now))
    script = f"""
import streamlit as st
from datetime import date
from views.reception.widgets.incidents import daily_section
from ui.context import ACTOR_KEY
daily_section(st.session_state[ACTOR_KEY], date({(now + timedelta(hours=8)).date():%Y, %-m, %-d}))
"""
    at = AppTest.from_string(script, default_timeout=60)
    at.session_state[ACTOR_KEY] = team[Role.CLERK]
    at.run()
    ok(at)
    assert [s.value for s in at.subheader] == ["来访事件（1）"]
    assert len(at.dataframe) == 1
