"""待我审批 on the home page through AppTest with the real widgets: the list, open, approve, reject with a comment,
批量通过, and an empty inbox."""

from __future__ import annotations

import pytest
import streamlit as st
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from core import approvals as rules
from core.registry import RecordType, register_record_type
from core.roles import Role
from db.engine import get_engine
from db.models import ApprovalRequest
from db.services import approvals
from db.session import write_session
from tests.app import harness as h
from tests.conftest import TEST_PASSWORD

PLAN = "test_app_plan"
register_record_type(RecordType(PLAN, "培训计划", "views/home/notices.py"))
rules.register_default_chain(PLAN, [({Role.OFFICE_DIRECTOR}, "管理处主任审批")], clause="《培训实施作业规程》工作流程2")


def run_home(actor) -> AppTest:
    """Signed in through the real app.py (the home page links to other pages: they exist only in its menu)."""
    return h.login(h.new_app(), actor.username, TEST_PASSWORD)


def ok(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not [e.value for e in at.error], [e.value for e in at.error]


def button(at: AppTest, label: str):
    found = [b for b in at.button if b.label.startswith(label)]
    assert found, [b.label for b in at.button]
    return found[0]


def state(approval_id: int) -> str:
    with Session(get_engine()) as s:
        return s.get(ApprovalRequest, approval_id).state


@pytest.fixture
def inbox(org, make_actor, now, monkeypatch):
    monkeypatch.setenv("AUTH_COOKIE_KEY", "test-cookie-key-not-secret-0123456789abcdef")
    st.cache_resource.clear()  # app.py prepares the database once per process
    assistant = make_actor(Role.ASSISTANT, org.office_a, name="助理小王")
    director = make_actor(Role.OFFICE_DIRECTOR, org.office_a, name="主任老李")
    ids = []
    for month in (10, 11, 12):
        with write_session() as s:
            ids.append(int(approvals.open_request(s, actor=assistant, record_type=PLAN, record_id=month,
                                                  office_id=org.office_a, title=f"2026年{month}月培训计划",
                                                  now=now).id))
    yield {"director": director, "assistant": assistant, "ids": ids}
    st.cache_resource.clear()


def test_the_inbox_lists_every_waiting_request_with_a_link_to_open_it(inbox):
    at = run_home(inbox["director"])
    ok(at)
    assert "待我审批（3）" in [h.value for h in at.subheader]
    assert [c.label for c in at.checkbox] == [f"培训计划 · 2026年{m}月培训计划" for m in (10, 11, 12)]
    assert any("第1/1步：管理处主任审批" in c.value for c in at.caption)
    opens = [link for link in at.main.get("page_link") if link.proto.label == "打开"]
    assert len(opens) == 3 and opens[0].proto.page.endswith("notices")


def test_approve_one_and_reject_one_with_a_comment(inbox):
    first, second, _ = inbox["ids"]
    at = run_home(inbox["director"])
    at.checkbox[0].check().run()
    button(at, "通过").click().run()
    ok(at)
    assert state(first) == "approved"
    assert any("已通过" in s.value for s in at.success)
    assert "待我审批（2）" in [h.value for h in at.subheader]
    at.checkbox[0].check().run()
    button(at, "退回").click().run()
    assert any("退回必须写明意见" in e.value for e in at.error) and state(second) == "submitted"
    at.text_area[0].input("请补充课程讲师").run()
    button(at, "退回").click().run()
    ok(at)
    assert state(second) == "rejected"


def test_bulk_approve_several(inbox):
    at = run_home(inbox["director"])
    for box in at.checkbox:
        box.check()
    at.run()
    button(at, "批量通过（3）").click().run()
    ok(at)
    assert [state(i) for i in inbox["ids"]] == ["approved"] * 3
    assert any("批量通过 3 项" in s.value for s in at.success)
    assert "没有等待您审批的申请。" in [c.value for c in at.caption]


def test_the_submitter_and_other_roles_see_an_empty_inbox(inbox, org, make_actor):
    for actor in (inbox["assistant"], make_actor(Role.CLERK, org.office_a), make_actor(Role.OFFICE_DIRECTOR,
                                                                                        org.office_b)):
        at = run_home(actor)
        ok(at)
        assert "待我审批（0）" in [h.value for h in at.subheader]
        assert not at.checkbox
