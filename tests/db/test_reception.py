"""The reception register through its services (issue 12): intake, bad input, duties, routing, 转为投诉, scope, params.

Runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set (tests/conftest.py).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from core import reception as rules
from core.errors import DomainError, NotFound, PermissionDenied
from core.roles import Role
from db.engine import get_engine
from db.models import AuditLog, Complaint, Contact, Customer, CustomerProperty, Department, Duty, Staff, User
from db.services import customer_history, reception_queues
from db.services import policy as policy_svc
from db.services import reception as svc
from db.services import reception_flow as flow
from db.services.mywork import collect
from tests.db.world import row_counts

D = timedelta(days=1)


class Desk:
    """Office A's desk: a clerk cleared to work alone, a trainee, a supervisor, a department with a member."""

    def __init__(self, org, make_actor, now, url):
        self.org, self.now, self.url = org, now, url
        self.clerk = make_actor(Role.CLERK, org.office_a, name="李前台")
        self.trainee = make_actor(Role.CLERK, org.office_a, name="新员工")
        self.sup = make_actor(Role.CS_SUPERVISOR, org.office_a)
        self.colleague = make_actor(Role.ASSISTANT, org.office_a, name="王助理")
        self.worker = make_actor(Role.CLERK, org.office_a, name="工程部小赵")
        self.clerk_b = make_actor(Role.CLERK, org.office_b)
        self.admin = make_actor(Role.SYSADMIN, org.hq_id)
        with Session(get_engine(url)) as s:
            dept = Department(org_unit_id=org.office_a, name="工程部", kind="engineering")
            s.add(dept)
            s.flush()
            self.dept = dept.id
            for actor, independent, dept_id in ((self.clerk, True, None), (self.trainee, False, None),
                                                (self.worker, True, dept.id), (self.sup, True, None)):
                staff = Staff(office_id=org.office_a, name=actor.name, post="clerk", independent_on_post=independent,
                              department_id=dept_id)
                s.add(staff)
                s.flush()
                s.get(User, actor.user_id).staff_id = staff.id
            cust = Customer(office_id=org.office_a, name="张业主", phone="13812345678")
            s.add(cust)
            s.flush()
            self.customer = cust.id
            s.commit()
        self.n = 0

    def data(self, **kw) -> svc.ContactIn:
        base = dict(office_id=self.org.office_a, channel="phone", category="consult", content="询问停水时间",
                    customer_id=self.customer)
        return svc.ContactIn(**(base | kw))

    def log(self, actor=None, **kw) -> Contact:
        self.n += 1
        at = kw.pop("now", None) or self.now
        return svc.register_contact(actor=actor or self.clerk, data=self.data(received_at=at, **kw),
                                    request_id=f"r{self.n}", now=at)

    def set(self, key, value):
        policy_svc.set_value(actor=self.admin, key=key, value=value, effective_from=self.now - 60 * D, reason="测试",
                             now=self.now)


@pytest.fixture
def desk(org, make_actor, now, db_url) -> Desk:
    return Desk(org, make_actor, now, db_url)


def contact_row(cid: int) -> Contact:
    with Session(get_engine()) as s:
        return s.get(Contact, cid)


def _duties(cid: int) -> list[Duty]:
    with Session(get_engine()) as s:
        return list(s.exec(select(Duty).where(Duty.record_type == "contact", Duty.record_id == cid)).all())


# ----- intake ---------------------------------------------------------------------------------------


def test_a_call_is_numbered_logged_and_audited(desk):
    c = desk.log()
    assert c.number == "JD-2026-000001" and c.state == "logged" and c.caller_name == "张业主"
    with Session(get_engine()) as s:
        assert s.exec(select(AuditLog).where(AuditLog.action == "contact.register")).first() is not None
    assert desk.log().number == "JD-2026-000002"


@pytest.mark.parametrize("bad, message", [
    (dict(channel=None), "请选择渠道"),
    (dict(category=None), "请选择分类"),
    (dict(category="nope"), "请选择分类"),
    (dict(content="  "), "请填写内容"),
    (dict(caller_phone="12345"), "手机号"),
    (dict(property_id=999999), "房屋不存在"),
    (dict(customer_id=None, caller_name="", caller_phone=""), "请选择客户"),
])
def test_bad_input_is_refused_in_chinese_and_writes_nothing(desk, bad, message):
    before = row_counts(desk.url)
    with pytest.raises(DomainError, match=message):
        svc.register_contact(actor=desk.clerk, data=desk.data(**bad), request_id="bad", now=desk.now)
    assert row_counts(desk.url) == before


def test_a_double_click_writes_one_entry(desk):
    first = svc.register_contact(actor=desk.clerk, data=desk.data(), request_id="same", now=desk.now)
    again = svc.register_contact(actor=desk.clerk, data=desk.data(), request_id="same", now=desk.now)
    assert first.id == again.id
    with Session(get_engine()) as s:
        assert len(s.exec(select(Contact.id)).all()) == 1


def test_staff_not_cleared_to_work_alone_cannot_receive_a_call(desk):
    with pytest.raises(DomainError, match="来电第8条"):
        desk.log(actor=desk.trainee)
    assert desk.log(actor=desk.trainee, channel="visit").state == "logged"  # a visit is not a call
    trainee_staff = contact_row(desk.log(actor=desk.trainee, channel="visit").id).receiver_staff_id
    with pytest.raises(DomainError, match="未获准独立上岗"):
        desk.log(receiver_staff_id=trainee_staff)


def test_a_stranger_is_logged_by_free_text(desk):
    c = desk.log(customer_id=None, caller_name="路过的访客", caller_phone="0571-88888888", channel="visit")
    assert c.customer_id is None and c.caller_phone == "0571-88888888"


def test_answered_or_routed_at_the_desk(desk):
    assert desk.log(result="已告知明早恢复供水").state == "answered"
    routed = desk.log(routed_department_id=desk.dept)
    assert routed.state == "dispatched" and routed.routed_department_id == desk.dept
    with pytest.raises(DomainError, match="不在本管理处工作"):
        desk.log(routed_user_id=desk.clerk_b.user_id)


def test_customer_search_by_last_four_digits_name_and_room(desk):
    assert [h.customer_id for h in svc.find_customers(actor=desk.clerk, office_id=desk.org.office_a, text="5678")] \
        == [desk.customer]
    assert svc.find_customers(actor=desk.clerk, office_id=desk.org.office_a, text="张")[0].label.startswith("张业主")
    assert svc.find_customers(actor=desk.clerk, office_id=desk.org.office_a, text="9999") == []


# ----- the steps --------------------------------------------------------------------------------------


def test_every_step_of_a_routed_item_and_who_may_finish_it(desk):
    c = desk.log()
    flow.dispatch(actor=desk.clerk, contact_id=c.id, department_id=None, user_id=desk.colleague.user_id, now=desk.now)
    items, _ = collect(actor=desk.colleague, now=desk.now)
    assert any(i.title == "转办给我的来电来访" and i.count == 1 for i in items)
    with pytest.raises(DomainError, match="只有被转办的同事或部门"):
        flow.complete(actor=desk.worker, contact_id=c.id, result="已处理", now=desk.now)
    flow.complete(actor=desk.colleague, contact_id=c.id, result="已安排维修", now=desk.now)
    assert contact_row(c.id).state == "done"
    items, _ = collect(actor=desk.clerk, now=desk.now)  # the clerk sees it is done and follows up
    assert any(i.title == "来电来访待跟进" and i.count == 1 for i in items)
    assert reception_queues.search(actor=desk.clerk, now=desk.now, queue="follow_up").rows[0][0].id == c.id
    with pytest.raises(DomainError, match="跟进之后才能关闭"):
        flow.close(actor=desk.clerk, contact_id=c.id, now=desk.now)
    flow.follow_up(actor=desk.clerk, contact_id=c.id, note="业主确认已修好", now=desk.now)
    flow.close(actor=desk.clerk, contact_id=c.id, now=desk.now)
    assert contact_row(c.id).state == "closed"
    with pytest.raises(DomainError, match="当前状态：已关闭"):
        flow.follow_up(actor=desk.clerk, contact_id=c.id, note="再次", now=desk.now)


def test_a_department_member_or_a_supervisor_finishes_a_department_item(desk):
    a = desk.log(routed_department_id=desk.dept)
    items, _ = collect(actor=desk.worker, now=desk.now)
    assert any(i.title == "转办给我的来电来访" for i in items)
    flow.complete(actor=desk.worker, contact_id=a.id, result="已修复", now=desk.now)
    b = desk.log(routed_department_id=desk.dept)
    flow.complete(actor=desk.sup, contact_id=b.id, result="主任代办结", now=desk.now)
    assert contact_row(b.id).state == "done"


def test_another_office_cannot_touch_the_contact(desk):
    c = desk.log()
    with pytest.raises(NotFound):
        flow.answer(actor=desk.clerk_b, contact_id=c.id, result="越权", now=desk.now)
    with pytest.raises(PermissionDenied):
        svc.register_contact(actor=desk.clerk_b, data=desk.data(), request_id="x", now=desk.now)
    assert contact_row(c.id).state == "logged"


def test_convert_to_complaint_through_the_complaint_intake(desk):
    c = desk.log(category="complaint", content="楼上漏水到我家天花板")
    with pytest.raises(DomainError, match="请选择投诉分类"):
        flow.convert_to_complaint(actor=desk.clerk, contact_id=c.id, complaint_category="",
                                  now=desk.now)
    done = flow.convert_to_complaint(actor=desk.clerk, contact_id=c.id, complaint_category="neighbour", now=desk.now)
    again = flow.convert_to_complaint(actor=desk.clerk, contact_id=c.id, complaint_category="neighbour", now=desk.now)
    assert done.state == "converted" and again.complaint_id == done.complaint_id
    with Session(get_engine()) as s:
        complaints = s.exec(select(Complaint)).all()
    assert len(complaints) == 1 and complaints[0].description == "楼上漏水到我家天花板"
    assert complaints[0].customer_id == desk.customer and complaints[0].received_at == contact_row(c.id).received_at
    d = svc.detail(actor=desk.clerk, contact_id=c.id, now=desk.now)
    assert d.complaint_number == complaints[0].number and d.complaint_state == "已受理"
    other = desk.log(category="consult")
    with pytest.raises(DomainError, match="只有分类为“投诉”"):
        flow.convert_to_complaint(actor=desk.clerk, contact_id=other.id, complaint_category="other",
                                  now=desk.now)


# ----- letters and callbacks: duties from day one ---------------------------------------------------------


def test_a_letter_owes_a_reply_from_day_one_and_closes_only_after_it(desk):
    c = desk.log(channel="letter", content="关于车位分配的来函")
    duty = _duties(c.id)
    assert [d.duty for d in duty] == ["contact.reply"] and duty[0].state == "open"
    assert contact_row(c.id).reply_due_at == duty[0].due_at
    assert contact_row(c.id).reply_due_at.date().isoformat() == "2026-12-02"  # Fri + 3 working days
    flow.answer(actor=desk.clerk, contact_id=c.id, result="已转交管理处主任", now=desk.now)
    flow.follow_up(actor=desk.clerk, contact_id=c.id, note="电话告知", now=desk.now)
    with pytest.raises(DomainError, match="来函须先登记书面答复"):
        flow.close(actor=desk.clerk, contact_id=c.id, now=desk.now)
    with pytest.raises(DomainError, match="答复日期不能早于收函日期"):
        flow.reply_letter(actor=desk.clerk, contact_id=c.id, replied_at=desk.now - D, method="letter", copy_kept=True,
                          now=desk.now)
    with pytest.raises(DomainError, match="复印件"):
        flow.reply_letter(actor=desk.clerk, contact_id=c.id, replied_at=desk.now, method="letter", copy_kept=False,
                          now=desk.now)
    flow.reply_letter(actor=desk.clerk, contact_id=c.id, replied_at=desk.now, method="letter", copy_kept=True,
                      now=desk.now)
    assert _duties(c.id)[0].state == "met"
    flow.close(actor=desk.clerk, contact_id=c.id, now=desk.now)


def test_overdue_replies_and_callbacks_show_in_the_daily_view_and_my_work(desk):
    desk.log(channel="letter", now=desk.now - 10 * D)
    desk.log(callback_needed=True, now=desk.now - 5 * D)
    s = reception_queues.day_summary(actor=desk.clerk, now=desk.now, since=desk.now - 10 * D - D, until=desk.now + D)
    assert (s.entries, s.open_items, s.reply_overdue, s.callback_overdue) == (2, 2, 1, 1)
    assert s.by_clerk[0][1] == "李前台" and s.by_clerk[0][2] == 2
    titles = {i.title for i in collect(actor=desk.clerk, now=desk.now)[0]}
    assert {"来函答复已超期", "来电回电已超期"} <= titles
    page = reception_queues.search(actor=desk.clerk, now=desk.now, queue="reply_overdue")
    assert page.total == 1


def test_a_callback_is_a_duty_met_by_calling_back(desk):
    c = desk.log(callback_needed=True)
    assert [d.duty for d in _duties(c.id)] == ["contact.callback"]
    flow.answer(actor=desk.clerk, contact_id=c.id, result="待查询后回电", now=desk.now)
    flow.follow_up(actor=desk.clerk, contact_id=c.id, note="查询中", now=desk.now)
    with pytest.raises(DomainError, match="须先回电"):
        flow.close(actor=desk.clerk, contact_id=c.id, now=desk.now)
    flow.callback_done(actor=desk.clerk, contact_id=c.id, note="已告知结果", now=desk.now)
    assert _duties(c.id)[0].state == "met" and contact_row(c.id).callback_done_at is not None
    flow.close(actor=desk.clerk, contact_id=c.id, now=desk.now)


# ----- every parameter of the reception group decides something -------------------------------------------


def test_letter_reply_changes_the_due_date(desk):
    before = desk.log(channel="letter").reply_due_at
    desk.set("reception.letter_reply", {"amount": 5, "unit": "working_days"})
    assert desk.log(channel="letter").reply_due_at > before


def test_letter_reply_max_caps_the_due_date(desk):
    before = desk.log(channel="letter").reply_due_at
    desk.set("reception.letter_reply_max", {"amount": 1, "unit": "working_days"})
    assert desk.log(channel="letter").reply_due_at < before


def test_callback_within_changes_the_callback_due(desk):
    before = desk.log(callback_needed=True).callback_due_at
    desk.set("reception.callback_within", {"amount": 4, "unit": "hours"})
    assert desk.log(callback_needed=True).callback_due_at < before


def test_max_rings_decides_a_late_pickup(desk):
    assert desk.log(rings=4).late_pickup is True
    desk.set("reception.max_rings", 5)
    assert desk.log(rings=4).late_pickup is False


def test_the_categories_table_decides_what_is_offered_and_what_converts(desk):
    from core.policy import PARAMS

    rows = [dict(r) for r in PARAMS["reception.categories"].default]
    for r in rows:
        if r["code"] == "paid":
            r["active"] = False
        if r["code"] == "suggestion":
            r["to_complaint"] = True
    assert desk.log(category="paid").category == "paid"
    desk.set("reception.categories", rows)
    with pytest.raises(DomainError, match="请选择分类"):
        desk.log(category="paid")
    c = desk.log(category="suggestion")
    flow.convert_to_complaint(actor=desk.clerk, contact_id=c.id, complaint_category="other",
                              now=desk.now)


def test_the_greeting_is_the_policy_books(desk):
    from db.services.policy import policy_at

    lines = rules.phone_checklist(policy_at(desk.now), company="东方物业", staff_name="李前台")
    assert "您好，东方物业，李前台为您服务" in lines[1][0]
    desk.set("reception.greeting", "早上好，{公司}客服中心")
    lines = rules.phone_checklist(policy_at(desk.now), company="东方物业", staff_name="李前台")
    assert "早上好，东方物业客服中心" in lines[1][0]


# ----- the customer-history panel ----------------------------------------------------------------------------


def test_customer_history_shows_contacts_and_complaints(desk):
    c = desk.log(category="complaint", content="电梯停运")
    flow.convert_to_complaint(actor=desk.clerk, contact_id=c.id, complaint_category="engineering",
                              now=desk.now)
    desk.log(channel="visit", content="咨询装修手续")
    found = customer_history.history(actor=desk.clerk, customer_id=desk.customer)
    assert sorted(r.kind for r in found.rows) == ["投诉", "来电", "来访"]
    with pytest.raises(NotFound):
        customer_history.history(actor=desk.clerk_b, customer_id=desk.customer)


def test_customer_and_property_must_be_of_the_office(desk):
    with Session(get_engine()) as s:
        other = Customer(office_id=desk.org.office_b, name="外处客户")
        s.add(other)
        s.commit()
        other_id = other.id
        assert s.exec(select(CustomerProperty)).first() is None
    with pytest.raises(DomainError, match="客户不存在或不属于本管理处"):
        desk.log(customer_id=other_id)


def _noise_png(size: int = 120) -> bytes:
    import io
    import random as _random

    from PIL import Image

    rng = _random.Random(3)
    img = Image.new("RGB", (size, size))
    img.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(size * size)])
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def test_attachment_max_kb_decides_whether_a_letter_scan_is_kept(desk):
    from db.services import attachments

    c = desk.log(channel="letter", content="来函扫描件")
    scan = _noise_png()
    assert len(scan) > 20 * 1024
    attachments.add(actor=desk.clerk, record_type="contact", record_id=c.id, files=[("来函.png", scan)], now=desk.now,
                    request_id="a1")
    desk.set("reception.attachment_max_kb", 16)
    with pytest.raises(DomainError, match="16"):
        attachments.add(actor=desk.clerk, record_type="contact", record_id=c.id, files=[("来函.png", scan)],
                        now=desk.now, request_id="a2")
    events = svc.detail(actor=desk.clerk, contact_id=c.id, now=desk.now).events
    assert any("上传附件" in e.note for e in events)
