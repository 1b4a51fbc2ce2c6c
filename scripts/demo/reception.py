"""Demo reception register: four months of calls, visits, letters and online messages for the demo offices, in every
state (answered, routed and done, followed up, closed, converted to a complaint), with letters replied in time, one
letter and one callback overdue, and today's entries for the daily view. Written through the real services
(numbering, duties, the complaint intake) with simulated clocks. Skipped if contacts exist."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlmodel import func, select

from db.models import Contact, Customer, CustomerProperty, Department
from db.services import reception as svc
from db.services import reception_flow as flow
from db.services.auth import build_actor

ORDER = 60

STORIES = [
    ("phone", "consult", "询问本周停水停电安排", "已告知周四上午9点至12点停水"),
    ("phone", "help", "家中水管漏水，请派人查看", None),
    ("visit", "paid", "需要上门疏通下水道", None),
    ("phone", "suggestion", "建议小区增设电动车充电桩", "已记录，将向管理处主任反映"),
    ("visit", "consult", "咨询装修申请需要哪些材料", "已提供装修申请材料清单"),
    ("online", "help", "公众号留言：楼道灯不亮", None),
    ("letter", "suggestion", "来函建议调整垃圾清运时间", "已转环境部研究"),
    ("phone", "complaint", "邻居装修噪音超过规定时间", None),
    ("visit", "consult", "咨询车位租赁价格", "已告知月租标准"),
    ("phone", "help", "电梯按钮失灵", None),
]


def run(ctx) -> None:
    s = ctx.session
    if s.exec(select(func.count()).select_from(Contact)).one():
        return
    offices = ctx.ids["offices"]
    customers = {o: list(s.exec(select(Customer.id, CustomerProperty.property_id)
                                .join(CustomerProperty, CustomerProperty.customer_id == Customer.id)
                                .where(Customer.office_id == o).limit(60)).all()) for o in offices}
    depts = {o: s.exec(select(Department.id).where(Department.org_unit_id == o, Department.kind == "engineering")).first()
             for o in offices}
    s.commit()  # release the demo session's write lock before the services write
    users = ctx.ids["users"]
    rng = random.Random(12)
    for index, office_id in enumerate(offices, start=1):
        a = {k: build_actor(users[f"{k}{index}"], now=ctx.now) for k in ("clerk", "supervisor", "assistant")}
        _office(ctx, rng, office_id, a, customers[office_id], depts[office_id])


def _office(ctx, rng, office_id, a, customers, dept_id) -> None:
    now = ctx.now
    for i in range(40):
        channel, category, content, answer = STORIES[i % len(STORIES)]
        at = now - timedelta(days=120 - i * 3, hours=rng.randint(0, 6))
        if i >= 37:  # today's entries for the daily view
            at = now - timedelta(hours=40 - i)
        cust, prop = customers[rng.randrange(len(customers))] if customers and i % 7 else (None, None)
        data = svc.ContactIn(office_id=office_id, channel=channel, category=category, content=content,
                             received_at=at, customer_id=cust, property_id=prop,
                             caller_name="" if cust else "陌生来访者", caller_phone="" if cust else "13700001111",
                             rings=rng.choice((1, 2, 2, 3, 3, 4)) if channel == "phone" else None,
                             callback_needed=channel == "phone" and answer is None and i % 3 == 0)
        clerk = a["clerk"] if channel == "phone" else a["assistant"]
        c = svc.register_contact(actor=clerk, data=data, request_id=None, now=at)
        _progress(c, a, i, at, answer, dept_id, now)


def _progress(c, a, i, at, answer, dept_id, now) -> None:
    """Move an older contact along its life; the newest stay as logged (open items)."""
    if i >= 37 or i % 11 == 5:
        return  # open: today's, and one in eleven left as logged
    step = at + timedelta(minutes=30)
    if c.category == "complaint":
        flow.convert_to_complaint(actor=a["clerk"], contact_id=c.id, complaint_category="decoration",
                                  now=step)
        if i > 10:
            return  # shows 已转投诉 with the complaint's number and state
    elif answer:
        flow.answer(actor=a["clerk"], contact_id=c.id, result=answer, now=step)
    else:
        flow.dispatch(actor=a["clerk"], contact_id=c.id, department_id=dept_id, user_id=None, now=step)
        if i % 9 == 1:
            return  # still with the department
        flow.complete(actor=a["supervisor"], contact_id=c.id, result="已派维修人员处理完毕", now=step + timedelta(hours=3))
    if c.channel == "letter" and i < 30:
        flow.reply_letter(actor=a["clerk"], contact_id=c.id, replied_at=step + timedelta(days=1), method="letter",
                          copy_kept=True, now=step + timedelta(days=1))
    if c.callback_needed and i < 30:
        flow.callback_done(actor=a["clerk"], contact_id=c.id, note="已回电告知处理结果", now=step + timedelta(hours=5))
    if i < 30:
        flow.follow_up(actor=a["clerk"], contact_id=c.id, note="业主表示满意", now=step + timedelta(days=2))
        if i % 4:
            flow.close(actor=a["clerk"], contact_id=c.id, now=step + timedelta(days=2, hours=1))
