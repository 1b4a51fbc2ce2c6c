"""The reception rules (core.reception): every step legal and illegal in every state, the phone rules, deadlines,
and the daily register form (Chinese, number and name readable by pdftotext)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core import reception as rules
from core.errors import DomainError
from core.pdf.reception_forms import RegisterLine, daily_register
from core.permissions import Actor, Grant
from core.policy import PARAMS, resolve
from core.reception import Channel, Op, Relation, Situation, State
from core.registry import action_labels
from core.roles import Role

BOOK = resolve([], version=0, at=datetime(2026, 11, 27, 2, 0, tzinfo=UTC))
FRIDAY = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 10:00 Asia/Shanghai

# (op, states it starts from) — written out, not read from TRANSITIONS: the table is what is under test
LEGAL = {
    Op.ANSWER: {State.LOGGED},
    Op.DISPATCH: {State.LOGGED, State.ANSWERED},
    Op.COMPLETE: {State.DISPATCHED},
    Op.CONVERT: {State.LOGGED, State.ANSWERED, State.DISPATCHED},
    Op.FOLLOW_UP: {State.ANSWERED, State.DONE, State.CONVERTED},
    Op.CLOSE: {State.FOLLOWED_UP},
    Op.REPLY: set(State) - {State.CLOSED},
    Op.CALLBACK: set(State) - {State.CLOSED},
}
NEXT = {Op.ANSWER: State.ANSWERED, Op.DISPATCH: State.DISPATCHED, Op.COMPLETE: State.DONE, Op.CONVERT: State.CONVERTED,
        Op.FOLLOW_UP: State.FOLLOWED_UP, Op.CLOSE: State.CLOSED}


def _situation(state: State, op: Op) -> Situation:
    """A contact for which only the state can refuse ``op``."""
    return Situation(state=state, channel=Channel.LETTER if op == Op.REPLY else Channel.PHONE,
                     to_complaint=True, routed_user_id=7, callback_needed=op == Op.CALLBACK,
                     replied=op == Op.CLOSE, callback_done=False if op == Op.CALLBACK else True)


@pytest.mark.parametrize("op", list(Op))
@pytest.mark.parametrize("state", list(State))
def test_every_step_in_every_state(op, state):
    verdict = rules.check(op, _situation(state, op), Relation(user_id=7))
    assert verdict.ok == (state in LEGAL[op]), (op, state, verdict.reason)
    if not verdict.ok:
        assert "当前状态" in verdict.reason and verdict.clause.startswith("依据《客户来电、来访、来函处理作业规定》")
        with pytest.raises(DomainError):
            rules.require(op, _situation(state, op), Relation(user_id=7))
    elif op in NEXT:
        assert rules.next_state(op, _situation(state, op)) == NEXT[op]
    else:
        assert rules.next_state(op, _situation(state, op)) == state


def test_only_the_routed_colleague_department_or_a_supervisor_completes():
    c = Situation(state=State.DISPATCHED, routed_department_id=3)
    assert not rules.check(Op.COMPLETE, c, Relation(user_id=1, department_id=4))
    assert rules.check(Op.COMPLETE, c, Relation(user_id=1, department_id=3))
    assert rules.check(Op.COMPLETE, c, Relation(user_id=1, supervisor=True))
    assert "只有被转办的同事或部门" in rules.check(Op.COMPLETE, c, Relation(user_id=9)).reason


def test_only_a_complaint_category_converts():
    c = Situation(state=State.LOGGED, to_complaint=False)
    assert "只有分类为“投诉”" in rules.check(Op.CONVERT, c).reason


def test_close_needs_the_letter_reply_and_the_callback():
    letter = Situation(state=State.FOLLOWED_UP, channel=Channel.LETTER)
    assert "书面答复" in rules.check(Op.CLOSE, letter).reason
    call = Situation(state=State.FOLLOWED_UP, callback_needed=True)
    assert "须先回电" in rules.check(Op.CLOSE, call).reason
    assert rules.check(Op.CLOSE, Situation(state=State.FOLLOWED_UP, callback_needed=True, callback_done=True))


def test_reply_only_for_letters_and_once():
    assert "只有来函" in rules.check(Op.REPLY, Situation(state=State.LOGGED)).reason
    assert "已登记书面答复" in rules.check(Op.REPLY, Situation(state=State.LOGGED, channel=Channel.LETTER,
                                                              replied=True)).reason


def test_offered_needs_the_permission_in_the_contacts_office():
    clerk = Actor(1, "c", "前台", grants=(Grant(Role.CLERK, 5),))
    c = Situation(state=State.LOGGED, office_id=5)
    assert rules.offered(clerk, Op.ANSWER, c)
    assert not rules.offered(clerk, Op.ANSWER, Situation(state=State.LOGGED, office_id=6))
    leader = Actor(2, "l", "领导", grants=(Grant(Role.LEADER, 1),))
    assert rules.offered_ops(leader, c) == []


def test_a_call_only_by_staff_cleared_to_work_alone():
    refused = rules.receiver_check("phone", independent_on_post=False, name="小王")
    assert not refused and "小王未获准独立上岗" in refused.reason and "来电第8条" in refused.clause
    assert rules.receiver_check("visit", independent_on_post=False)
    assert rules.receiver_check("phone", independent_on_post=True)


def test_rings_and_deadlines_come_from_the_policy_book():
    assert rules.late_pickup(4, BOOK) and not rules.late_pickup(3, BOOK) and not rules.late_pickup(None, BOOK)
    due = rules.reply_due(FRIDAY, BOOK)
    assert due.astimezone(BOOK.calendar().tz).date().isoformat() == "2026-12-02"  # 3 working days
    assert rules.callback_due(FRIDAY, BOOK).astimezone(BOOK.calendar().tz).date().isoformat() == "2026-11-30"


def test_checklist_quotes_the_policy_and_cites_clauses():
    lines = rules.phone_checklist(BOOK, company="东方物业", staff_name="李前台")
    assert lines[0][0].startswith("铃响3声内接听") and "来电第1条" in lines[0][1]
    assert "您好，东方物业，李前台为您服务" in lines[1][0]


def test_categories_are_a_policy_table_with_the_complaint_row_required():
    rows = PARAMS["reception.categories"].default
    assert [r["label"] for r in rows] == ["事务咨询", "事务求助", "有偿服务", "建议/意见", "投诉"]
    assert rules.category_row(BOOK, "complaint")["to_complaint"] is True
    with pytest.raises(DomainError, match="请选择分类"):
        rules.category_row(BOOK, "")
    assert "complaint" in PARAMS["reception.categories"].table.required_codes


def test_grooming_rules_belong_to_discipline():
    assert {"discipline.nail_max_mm", "discipline.hair_max_cm"} <= set(PARAMS)
    assert not {"reception.nail_max_mm", "reception.hair_max_cm"} & set(PARAMS)


def test_every_step_has_an_audit_label():
    labels = action_labels()
    assert {f"contact.{op.value}" for op in Op} | {"contact.register"} <= set(labels)


def test_daily_register_pdf_shows_number_and_name(tmp_path, pdftotext_required):
    import subprocess

    line = RegisterLine(number="JD-2026-000123", channel="来电", received_at="09:15", customer="张晓梅",
                        room="康乐苑 3幢 502", phone="13812345678", content="询问停水时间", category="事务咨询",
                        handler="李前台", routed_to="工程部", result="已答复", callback_needed="否", callback_at="",
                        closed_at="")
    data = daily_register([line], company="东方物业服务有限公司", office="东方家园管理处", day="2026-11-27",
                          printed_at=FRIDAY)
    path = tmp_path / "r.pdf"
    path.write_bytes(data)
    text = subprocess.run([pdftotext_required, "-layout", str(path), "-"], capture_output=True, text=True).stdout
    for expected in ("客户来电来访登记表", "JD-2026-000123", "张晓梅", "东方物业服务有限公司", "东方家园管理处"):
        assert expected in text.replace(" ", ""), expected
