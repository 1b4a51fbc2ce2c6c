"""Complaint pages through AppTest: each page script run directly with an Actor in the session.

Every relevant role renders without exception; a forbidden role gets the refusal and no data; the main
flow (select a complaint, assign it) works through the real widgets.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from core.roles import Role
from db.engine import get_engine
from db.models import Complaint, Consultant
from db.services import complaint_consult
from db.services import complaint_queues as queues
from db.services import complaints as svc
from tests.app.harness import ROOT
from ui.context import ACTOR_KEY

PAGES = ["views/complaints/list.py", "views/complaints/new.py", "views/complaints/callbacks.py",
         "views/complaints/consult.py"]
ALLOWED = {
    "views/complaints/list.py": [Role.CLERK, Role.CS_SUPERVISOR, Role.CS_MANAGER, Role.OFFICE_DIRECTOR, Role.HQ_HEAD,
                                 Role.HQ_SPECIALIST, Role.LEADER, Role.ASSISTANT, Role.SYSADMIN],
    "views/complaints/new.py": [Role.CLERK, Role.CS_SUPERVISOR, Role.HQ_SPECIALIST],
    "views/complaints/callbacks.py": [Role.CS_SUPERVISOR, Role.OFFICE_DIRECTOR, Role.HQ_HEAD],
    "views/complaints/consult.py": [Role.CONSULTANT, Role.HQ_SPECIALIST],
}
FORBIDDEN = {
    "views/complaints/list.py": [Role.GUARD, Role.CONSULTANT, Role.RECORDS_OFFICER],
    "views/complaints/new.py": [Role.GUARD, Role.LEADER],
    "views/complaints/callbacks.py": [Role.CLERK, Role.GUARD],
    "views/complaints/consult.py": [Role.CLERK, Role.GUARD],
}


def run_page(path: str, actor) -> AppTest:
    at = AppTest.from_file(str(ROOT / path), default_timeout=30)
    at.session_state[ACTOR_KEY] = actor
    return at.run()


@pytest.fixture
def seeded(org, make_actor, now):
    clerk = make_actor(Role.CLERK, org.office_a)
    consultant = make_actor(Role.CONSULTANT, org.hq_id)
    sup = make_actor(Role.CS_SUPERVISOR, org.office_a)
    with Session(get_engine()) as s:
        s.add(Consultant(name="冯顾问", speciality="法律", user_id=consultant.user_id))
        s.commit()
        cons_id = s.exec(select(Consultant.id)).one()
    data = svc.ComplaintIn(office_id=org.office_a, channel="phone", category="parking", description="车位被占用",
                           occurred_at=now - timedelta(hours=1), complainant_name="李业主", complainant_count=3)
    c = svc.register(actor=clerk, data=data, request_id="seed", now=now)
    complaint_consult.request_consult(actor=sup, complaint_id=c.id, consultant_id=cons_id, question="能否拖车", now=now)
    return {"complaint": c, "consultant": consultant}


def _office_for(role: Role, org) -> int:
    return org.hq_id if role in {Role.HQ_HEAD, Role.HQ_SPECIALIST, Role.LEADER, Role.SYSADMIN, Role.CONSULTANT} else org.office_a


@pytest.mark.parametrize(("path", "role"), [(p, r) for p, roles in ALLOWED.items() for r in roles])
def test_page_renders_for_allowed_roles(path, role, seeded, org, make_actor):
    actor = seeded["consultant"] if role == Role.CONSULTANT else make_actor(role, _office_for(role, org))
    at = run_page(path, actor)
    assert not at.exception, at.exception
    assert not [e.value for e in at.error if "无权" in e.value]
    assert at.title and at.title[0].value.endswith(
        {"list": "投诉处理", "new": "登记投诉", "callbacks": "投诉回访", "consult": "顾问支持"}[path.split("/")[-1][:-3]])


@pytest.mark.parametrize(("path", "role"), [(p, r) for p, roles in FORBIDDEN.items() for r in roles])
def test_forbidden_role_gets_refusal_and_no_data(path, role, seeded, org, make_actor):
    at = run_page(path, make_actor(role, _office_for(role, org)))
    assert not at.exception
    assert any("无权访问" in e.value for e in at.error)
    assert len(at.dataframe) == 0 and len(at.metric) == 0


def test_list_shows_only_my_office_and_the_complaint(seeded, org, make_actor):
    at = run_page("views/complaints/list.py", make_actor(Role.CLERK, org.office_a))
    assert seeded["complaint"].number in at.dataframe[0].value["编号"].tolist()
    other = run_page("views/complaints/list.py", make_actor(Role.CLERK, org.office_b))
    assert other.dataframe[0].value.empty


def test_intake_form_registers_a_hot_complaint(seeded, org, make_actor):
    at = run_page("views/complaints/new.py", make_actor(Role.CLERK, org.office_a))
    form_inputs = {t.label: t for t in at.text_input}
    form_inputs["投诉人姓名"].input("王业主")
    at.text_area[0].input("小区北门垃圾堆放三天未清运")
    at.number_input[0].set_value(4)
    [b for b in at.button if b.label == "登记投诉"][0].click()
    at.run()
    assert not at.exception, at.exception
    assert any("已登记 TS-" in s.value and "热点" in s.value for s in at.success), [e.value for e in at.error]
    with Session(get_engine()) as s:
        assert len(s.exec(select(Complaint)).all()) == 2


def test_consultant_sees_own_request(seeded):
    at = run_page("views/complaints/consult.py", seeded["consultant"])
    assert at.dataframe[0].value["投诉编号"].tolist() == [seeded["complaint"].number]


def test_detail_shows_class_reason_and_assign_through_the_form(seeded, org, make_actor):
    sup = make_actor(Role.CS_SUPERVISOR, org.office_a)
    at = run_page("views/complaints/list.py", sup)
    at.session_state["complaints_table"] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    assert not at.exception, at.exception
    assert any(seeded["complaint"].number in h.value for h in at.subheader)
    assert any("3人以上集体投诉" in i.value and "依据《" in i.value for i in at.info)
    [b for b in at.button if b.label == "派单"][0].click()
    at.run()
    assert not at.exception, at.exception
    with Session(get_engine()) as s:
        assert s.get(Complaint, seeded["complaint"].id).state == "assigned"


def _two_complaints(seeded, org, make_actor, now):
    clerk = make_actor(Role.CLERK, org.office_a)
    data = svc.ComplaintIn(office_id=org.office_a, channel="visit", category="environment", description="垃圾清运不及时",
                           occurred_at=now - timedelta(hours=2), complainant_name="王业主")
    svc.register(actor=clerk, data=data, request_id="seed-2", now=now)
    sup = make_actor(Role.CS_SUPERVISOR, org.office_a)
    rows = queues.search(actor=sup, now=now).rows
    assert len(rows) == 2
    return sup, rows


def _context(office_id: int) -> tuple:
    """views/complaints/list.py's selection context with no filter on page 1 (a one-office user's office is fixed)."""
    return (office_id, None, None, None, None, None, "", ""), 1


def test_the_detail_follows_the_complaint_clicked_not_the_row_position(seeded, org, make_actor, now):
    """A click remembers the complaint; when rows move (an action took one out of the list) the detail stays on it."""
    sup, rows = _two_complaints(seeded, org, make_actor, now)
    at = AppTest.from_file(str(ROOT / "views/complaints/list.py"), default_timeout=30)
    at.session_state[ACTOR_KEY] = sup
    at.session_state["complaints_table"] = {"selection": {"rows": [0], "columns": []}}
    at.session_state["complaints_table__picked"] = (rows[1].id, _context(org.office_a))  # clicked when it was row 0
    at.run()
    assert not at.exception, at.exception
    shown = [h.value for h in at.subheader]
    assert any(rows[1].number in v for v in shown) and not any(rows[0].number in v for v in shown), shown


def test_a_selection_is_dropped_when_the_filters_change(seeded, org, make_actor, now):
    """Streamlit keeps the selected row position across a filter change; it must not open whatever sits there now."""
    sup, rows = _two_complaints(seeded, org, make_actor, now)
    clerk = make_actor(Role.CLERK, org.office_a)
    data = svc.ComplaintIn(office_id=org.office_a, channel="phone", category="environment", description="楼道卫生差",
                           occurred_at=now - timedelta(hours=3), complainant_name="赵业主")
    svc.register(actor=clerk, data=data, request_id="seed-3", now=now)
    listed = queues.search(actor=sup, now=now).rows
    at = AppTest.from_file(str(ROOT / "views/complaints/list.py"), default_timeout=30)
    at.session_state[ACTOR_KEY] = sup
    at.session_state["complaints_table"] = {"selection": {"rows": [0], "columns": []}}
    at.session_state["complaints_table__picked"] = (listed[0].id, _context(org.office_a))
    at.run()
    assert any(listed[0].number in h.value for h in at.subheader)
    at.selectbox(key="c_cat").set_value("environment").run()  # two rows now, the old position still selected
    assert not at.exception, at.exception
    assert len(at.dataframe[0].value) == 2
    assert not any(c.number in h.value for h in at.subheader for c in listed), [h.value for h in at.subheader]
    assert any("选中一条投诉" in c.value for c in at.caption)


def test_a_registration_clears_the_form_shows_the_number_and_a_second_click_writes_nothing(seeded, org, make_actor):
    """Issue 11 item 20: the request id lives until the form is reset; after a success the form is empty (a click
    on it registers nothing) and the page shows the number."""
    at = run_page("views/complaints/new.py", make_actor(Role.CLERK, org.office_a))
    {t.label: t for t in at.text_input}["投诉人姓名"].input("王业主")
    at.text_area[0].input("小区北门垃圾堆放三天未清运")
    [b for b in at.button if b.label == "登记投诉"][0].click()
    at.run()
    assert not at.exception, at.exception
    with Session(get_engine()) as s:
        numbers = [n for n in s.exec(select(Complaint.number).order_by(Complaint.id)).all()]
    assert len(numbers) == 2
    assert any(f"已登记 {numbers[-1]}" in s.value for s in at.success), [e.value for e in at.error]
    assert at.text_area[0].value == "" and {t.label: t for t in at.text_input}["投诉人姓名"].value == ""
    [b for b in at.button if b.label == "登记投诉"][0].click()  # the next click lands on the emptied form
    at.run()
    with Session(get_engine()) as s:
        assert len(s.exec(select(Complaint)).all()) == 2
