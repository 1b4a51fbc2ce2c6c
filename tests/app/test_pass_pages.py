"""Pass pages through AppTest: each page per role, refusals, the 保安 menu, and the main flows through the real
widgets — the gate lookup answers and confiscates, the list opens a pass and reports it lost, the issue form
issues a pass."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.roles import Role
from db.services import pass_registers
from tests.app import harness as h
from tests.app.harness import ROOT
from tests.db.pass_world import build
from tests.db.world import build_world
from tests.demo_data import DEMO_PASSWORD
from ui.context import ACTOR_KEY

PAGES = {"list": "views/passes/list.py", "issue": "views/passes/issue.py", "gate": "views/passes/gate.py"}
ALLOWED = {"list": [Role.CLERK, Role.CS_SUPERVISOR, Role.OFFICE_DIRECTOR, Role.HQ_SPECIALIST, Role.LEADER,
                    Role.RECORDS_OFFICER],
           "issue": [Role.CLERK, Role.ASSISTANT, Role.OFFICE_DIRECTOR],
           "gate": [Role.GUARD, Role.CLERK, Role.HQ_HEAD]}
FORBIDDEN = {"list": [Role.GUARD, Role.CONSULTANT], "issue": [Role.GUARD, Role.LEADER, Role.HQ_HEAD],
             "gate": [Role.CONSULTANT]}
HQ_ROLES = {Role.HQ_HEAD, Role.HQ_SPECIALIST, Role.LEADER, Role.SYSADMIN, Role.CONSULTANT}


def run_page(name: str, actor, **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / PAGES[name]), default_timeout=30)
    at.session_state[ACTOR_KEY] = actor
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


@pytest.fixture
def pw(db_url, org, make_actor, now):
    return build(build_world(db_url, org, make_actor, now), make_actor, now)


def _actor(role, pw, make_actor, org):
    return make_actor(role, org.hq_id if role in HQ_ROLES else pw.a)


@pytest.mark.parametrize(("page", "role"), [(p, r) for p, roles in ALLOWED.items() for r in roles])
def test_page_renders_for_allowed_roles(page, role, pw, make_actor, org):
    pw.issue()
    at = run_page(page, _actor(role, pw, make_actor, org))
    assert not at.exception, at.exception
    assert not [e.value for e in at.error if "无权" in e.value]


@pytest.mark.parametrize(("page", "role"), [(p, r) for p, roles in FORBIDDEN.items() for r in roles])
def test_forbidden_role_gets_refusal_and_no_data(page, role, pw, make_actor, org):
    pw.issue()
    at = run_page(page, _actor(role, pw, make_actor, org))
    assert not at.exception
    assert any("无权" in e.value for e in at.error) and not h.shows_data(at)


def gate_lookup(at, text: str) -> None:
    at.text_input(key="gate_q").input(text)
    [b for b in at.button if b.label == "查询"][0].click().run()


def test_gate_answers_at_a_glance_and_confiscates(pw):
    p = pw.issue()
    at = run_page("gate", pw.guard[pw.a])
    gate_lookup(at, p.number)
    assert not at.exception, at.exception
    assert any("有效" in x.value and "放行" in x.value for x in at.success)
    assert any(pw.worker().holder_name in m.value for m in at.markdown)
    at.text_input(key=f"gate_reason_{p.id}").input("串房").run()
    [b for b in at.button if b.label == "确认没收"][0].click().run()
    assert not at.exception, at.exception
    assert any("已没收" in x.value for x in at.success)
    assert any("已没收" in e.value and "不得放行" in e.value for e in at.error)
    gate_lookup(at, "无此人")
    assert any("查无此证" in e.value for e in at.error)


def test_list_opens_a_pass_and_reports_it_lost(pw):
    p = pw.issue()
    at = run_page("list", pw.clerk[pw.a], id=str(p.id))
    assert not at.exception, at.exception
    assert any(p.number in s.value for s in at.subheader)
    at.text_input(key=f"report_lost_reason_{p.id}").input("遗失在工地").run()
    [b for b in at.button if b.label == "确认挂失"][0].click().run()
    assert not at.exception, at.exception
    assert any("已挂失" in x.value for x in at.success)
    assert pass_registers.search(actor=pw.clerk[pw.a], now=pw.now, status="lost").total == 1


def test_issue_form_issues_a_pass(pw):
    at = run_page("issue", pw.clerk[pw.a])
    at.text_input(key="pi_room_text").input("101").run()
    assert not at.exception, at.exception
    data = pw.worker(5)
    at.multiselect[0].select(pw.w.prop[pw.a])
    for label, value in (("持证人姓名 *", data.holder_name), ("证件号 *", data.id_number), ("申请人姓名 *", "李工头"),
                         ("收据号（收取工本费或押金时必填）", "SJ777")):
        [t for t in at.text_input if t.label == label][0].input(value)
    [d for d in at.date_input if d.label.startswith("批准装修期至")][0].set_value(data.decoration_until)
    [b for b in at.button if b.label == "发放出入证"][0].click().run()
    assert not at.exception, at.exception
    assert any("已发放 CR-" in x.value for x in at.success), [e.value for e in at.error]
    found = pass_registers.search(actor=pw.clerk[pw.a], now=pw.now, text=data.holder_name).rows
    assert [(r.holder_name, r.receipt_no, r.deposit) for r in found] == [(data.holder_name, "SJ777", 5000)]


def test_guard_sees_only_the_gate_home_notices_and_password(accounts, demo_db):
    at = h.login(h.new_app(), accounts[Role.GUARD], DEMO_PASSWORD)
    assert sorted(h.menu(at)) == sorted(["首页", "通知与通报", "修改密码", "门岗查验"])


def test_list_extends_and_returns_a_pass(pw):
    from datetime import timedelta

    p = pw.issue()
    at = run_page("list", pw.clerk[pw.a], id=str(p.id))
    at.text_input(key=f"ext_receipt_{p.id}").input("XQ1")
    at.date_input(key=f"ext_to_{p.id}").set_value(p.valid_to + timedelta(days=5))
    [b for b in at.button if b.label == "确认续期"][0].click().run()
    assert not at.exception, at.exception
    assert any("已续期" in x.value for x in at.success), [e.value for e in at.error]
    at.text_input(key=f"ret_receipt_{p.id}").input(p.receipt_no)
    [b for b in at.button if b.label == "确认退证"][0].click().run()
    assert not at.exception, at.exception
    assert any("已退证" in x.value for x in at.success), [e.value for e in at.error]
    row = pass_registers.search(actor=pw.clerk[pw.a], now=pw.now, status="returned").rows[0]
    assert (row.valid_to, row.deposit_state, row.fee) == (p.valid_to + timedelta(days=5), "refunded", 500)
