"""The reception pages through their widgets (issue 12): logging a call, bad input kept in the form, and every
state transition of a contact done on the page."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from db.engine import get_engine
from db.models import Complaint, Contact
from db.services import reception as svc
from db.services import reception_flow as flow
from tests.app.test_complaint_detail_pages import labelled, ok, run_page
from tests.db.test_reception import Desk, contact_row

DESK = "views/reception/desk.py"
DAILY = "views/reception/daily.py"
ROUTED = "views/reception/routed.py"


@pytest.fixture
def desk(org, make_actor, now, db_url) -> Desk:
    return Desk(org, make_actor, now, db_url)


def _count() -> int:
    with Session(get_engine()) as s:
        return len(s.exec(select(Contact.id)).all())


def _form_submit(at):
    return labelled(at.button, "登记")


def test_a_call_is_logged_finding_the_customer_by_the_last_four_digits(desk):
    at = run_page(DESK, desk.clerk)
    ok(at)
    at.text_input(key="rc_find").input("5678")
    at.run()
    pick = at.selectbox(key=f"rc_pick_{desk.org.office_a}_5678")
    assert pick.value == 0 and "张业主" in pick.options[0]
    assert any("客户历史：张业主" in m.value for m in at.markdown)
    labelled(at.selectbox, "分类 *").set_value("consult")
    labelled(at.text_input, "内容 *（回车即登记）").input("询问明天停水时间")
    _form_submit(at).click()
    at.run()
    ok(at)
    with Session(get_engine()) as s:
        c = s.exec(select(Contact)).one()
    assert (c.customer_id, c.channel, c.category, c.state) == (desk.customer, "phone", "consult", "logged")
    assert any(c.number in m.value for m in at.success)


def test_bad_input_keeps_what_was_typed_and_writes_nothing(desk):
    at = run_page(DESK, desk.clerk)
    labelled(at.text_input, "内容 *（回车即登记）").input("楼道灯坏了")
    labelled(at.text_input, "联系电话").input("12345")
    labelled(at.text_input, "来人姓名（陌生来人）").input("路人甲")
    labelled(at.selectbox, "分类 *").set_value("help")
    _form_submit(at).click()
    at.run()
    assert any("手机号" in e.value for e in at.error)
    assert _count() == 0
    assert labelled(at.text_input, "内容 *（回车即登记）").value == "楼道灯坏了"
    labelled(at.text_input, "联系电话").input("13900001111")
    _form_submit(at).click()
    at.run()
    ok(at)
    assert _count() == 1


def _click(at, label):
    labelled(at.button, label).click()
    return at.run()


def test_answer_follow_up_and_close_on_the_page(desk):
    c = desk.log()
    at = run_page(DESK, desk.clerk, id=c.id)
    at.text_area(key=f"rc_answer_{c.id}").input("明早8点恢复供水")
    _click(at, "答复")
    ok(at)
    assert contact_row(c.id).state == "answered"
    at.text_area(key=f"rc_follow_{c.id}").input("业主已知悉")
    _click(at, "跟进")
    assert contact_row(c.id).state == "followed_up"
    _click(at, "关闭")
    ok(at)
    assert contact_row(c.id).state == "closed"


def test_dispatch_then_the_colleague_completes_on_routed_to_me(desk):
    c = desk.log()
    at = run_page(DESK, desk.clerk, id=c.id)
    at.selectbox(key=f"rc_route_{c.id}").set_value(f"u{desk.colleague.user_id}")
    _click(at, "转办")
    ok(at)
    assert contact_row(c.id).state == "dispatched"
    routed = run_page(ROUTED, desk.colleague)
    ok(routed)
    assert routed.dataframe[0].value.shape[0] == 1
    routed = run_page(ROUTED, desk.colleague, id=c.id)
    routed.text_area(key=f"rc_complete_{c.id}").input("已派维修工更换")
    _click(routed, "办结")
    ok(routed)
    assert contact_row(c.id).state == "done" and contact_row(c.id).result == "已派维修工更换"


def test_convert_to_complaint_on_the_page_shows_the_number(desk):
    c = desk.log(category="complaint", content="保安态度恶劣")
    at = run_page(DESK, desk.clerk, id=c.id)
    at.selectbox(key=f"rc_conv_cat_{c.id}").set_value("attitude")
    _click(at, "转为投诉")
    ok(at)
    with Session(get_engine()) as s:
        number = s.exec(select(Complaint.number)).one()
    assert contact_row(c.id).state == "converted"
    assert any(number in i.value for i in at.info)


def test_letter_reply_and_callback_on_the_page(desk):
    letter = desk.log(channel="letter", content="关于车位的来函")
    at = run_page(DESK, desk.clerk, id=letter.id)
    at.selectbox(key=f"rc_reply_method_{letter.id}").set_value("letter")
    _click(at, "登记答复")
    assert any("复印件" in e.value for e in at.error)  # the copy must be kept (来函第11条)
    at.checkbox(key=f"rc_reply_kept_{letter.id}").check()
    _click(at, "登记答复")
    ok(at)
    assert contact_row(letter.id).replied_at is not None
    call = desk.log(callback_needed=True)
    at = run_page(DESK, desk.clerk, id=call.id)
    at.text_area(key=f"rc_callback_{call.id}").input("已回电告知")
    _click(at, "已回电")
    ok(at)
    assert contact_row(call.id).callback_done_at is not None


def test_daily_view_counts_and_lists_by_clerk(desk):
    for content in ("咨询一", "咨询二"):
        svc.register_contact(actor=desk.clerk, data=desk.data(content=content, channel="visit"), request_id=content,
                             now=desk.now)
    at = run_page(DAILY, desk.clerk)
    ok(at)
    at.date_input(key="rd_day").set_value(desk.now.date())
    at.run()
    ok(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["当日登记"] == "2" and metrics["未关闭"] == "2"
    assert "李前台" in at.dataframe[0].value.to_string()
    flow.answer(actor=desk.clerk, contact_id=_first_id(), result="已答复", now=desk.now)


def _first_id() -> int:
    with Session(get_engine()) as s:
        return s.exec(select(Contact.id)).first()
