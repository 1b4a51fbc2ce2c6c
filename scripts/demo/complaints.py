"""Demo complaints: four months of complaints in every state and class for the demo offices, consultant
requests, callbacks (one 不满意 → reopened), online posts and a same-issue group, and one 热点 through our fault
that turns 重大 (one month unresolved) an hour after the demo was loaded, at the next hourly sweep. Written through
the real services (numbering, classes, deadlines, 通报, audit), with simulated clocks. Skipped if complaints exist."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlmodel import func, select

from core.worktime import add_months
from db.models import Complaint, Property
from db.services import complaint_consult, complaint_grades, complaint_groups, complaint_online
from db.services import complaint_flow as flow
from db.services import complaint_reports as reports
from db.services import complaints as svc
from db.services.auth import build_actor

ORDER = 50

STORIES = [
    ("engineering", "楼道声控灯损坏一周无人维修", False),
    ("engineering", "电梯频繁停运，老人上下楼困难", True),
    ("environment", "北门垃圾站异味严重，清运不及时", True),
    ("security", "夜间外来人员随意进出小区", False),
    ("attitude", "前台接待态度冷淡，不耐烦", True),
    ("fees", "物业费账单与合同面积不符", False),
    ("parking", "固定车位被他人长期占用", False),
    ("decoration", "楼上装修周末施工噪音扰民", False),
    ("neighbour", "邻居在公共走道堆放杂物", False),
    ("building_quality", "外墙渗水导致卧室墙面发霉", False),
    ("other", "小区广场舞音量过大", False),
    ("environment", "绿化带长期无人修剪，蚊虫多", True),
]
CONSULTANTS = [("冯顾问", "法律", "consultant"), ("陈工", "土建工程", None), ("刘律师", "物业纠纷", None)]


def run(ctx) -> None:
    s = ctx.session
    if s.exec(select(func.count()).select_from(Complaint)).one():
        return
    props_by_office = {o: list(s.exec(select(Property.id).where(Property.office_id == o).limit(400)).all())
                       for o in ctx.ids["offices"]}
    s.commit()  # release the demo session's write lock (SQLite BEGIN IMMEDIATE) before the services write
    users = ctx.ids["users"]
    rng = random.Random(3)
    consultant_ids = []
    hq = build_actor(users["hq_kf"], now=ctx.now)
    for name, speciality, username in CONSULTANTS:
        consultant_ids.append(complaint_consult.save_consultant(actor=hq, consultant_id=None, name=name, speciality=speciality,
                                                                phone=f"0571-8766{rng.randint(1000, 9999)}", unit="集团法务/工程中心",
                                                                user_id=users.get(username) if username else None))
    first = None
    for index, office_id in enumerate(ctx.ids["offices"], start=1):
        actors = {k: build_actor(users[f"{k}{index}"], now=ctx.now) for k in ("clerk", "supervisor", "supervisor_b",
                                                                               "manager", "director")}
        _office(ctx, rng, office_id, actors, props_by_office[office_id], hq, consultant_ids)
        first = first or (office_id, actors)
    office_id, actors = first
    _about_to_turn_major(ctx, office_id, actors, props_by_office[office_id])  # last: the other numbers stay as they were
    complaint_grades.daily_sweep(now=ctx.now)


AGING_TITLE = "地下车库顶板漏水近一个月仍未修好"


def about_to_turn_major_at(now):
    """When the aging demo complaint arose: just under one month (the policy's 1 month, 一.1) before ``now``, so
    that a sweep an hour or more later finds it 一个月未有效解决 (a month-end shift moves it a day later)."""
    arose = add_months(now, -1) + timedelta(hours=1)
    while add_months(arose, 1) <= now:
        arose += timedelta(days=1)
    return arose


def _about_to_turn_major(ctx, office_id, a, props) -> None:
    """One 热点 through our fault (7 days unresolved, 一.2), assigned and still in handling: the hourly sweep after
    its month has passed makes it 重大 with a new 通报 and deadline (issue 11 item 1; the browser journey plays it)."""
    arose = about_to_turn_major_at(ctx.now)
    received = arose + timedelta(days=9)
    data = svc.ComplaintIn(
        office_id=office_id, channel="phone", category="engineering", title=AGING_TITLE, occurred_at=arose,
        description=f"{AGING_TITLE}，雨天滴水到车上，已报修多次。业主要求尽快处理并给予答复。", received_at=received,
        property_id=props[0] if props else None, complainant_name="孙先生", complainant_phone="13811112222", our_fault=True,
    )
    c = svc.register(actor=a["clerk"], data=data, request_id=None, now=received)
    flow.assign(actor=a["supervisor"], complaint_id=c.id, handler_user_id=a["clerk"].user_id, department_id=None,
                note="派工程部查漏修补", now=received + timedelta(hours=1))
    reports.record_phone_report(actor=a["director"], complaint_id=c.id, at=received + timedelta(minutes=30),
                                to_whom="总部客服中心 周中心", note="热点投诉：车库顶板漏水，我方原因超过一周未解决",
                                now=received + timedelta(minutes=30))


def _office(ctx, rng, office_id, a, props, hq, consultant_ids) -> None:
    now = ctx.now
    made = []
    for i in range(16):
        category, text, ours = STORIES[(i + office_id) % len(STORIES)]
        received = now - timedelta(days=rng.randint(0, 120), hours=rng.randint(0, 8))
        if i < 3:
            received = now - timedelta(hours=rng.randint(2, 30))  # fresh, still open
        data = svc.ComplaintIn(
            office_id=office_id, channel=rng.choice(["phone", "visit", "visit", "letter", "online", "hotline_12345"]),
            category=category, description=f"{text}。业主要求尽快处理并给予答复。", title=text,
            occurred_at=received - timedelta(hours=rng.randint(1, 48)), received_at=received,
            property_id=rng.choice(props) if props else None, complainant_name=rng.choice("王李张刘陈杨黄赵") + "先生",
            complainant_phone=f"13{rng.randint(100000000, 999999999)}", our_fault=ours,
            complainant_count=12 if i == 5 else (4 if i == 6 else 1), anonymous=i == 9, media_or_lawsuit_risk=i == 7,
        )
        if data.anonymous:
            data.complainant_name, data.complainant_phone = "", ""
        c = svc.register(actor=a["clerk"], data=data, request_id=None, now=received)
        made.append(c)
        step = received + timedelta(hours=1)
        if i in (0, 1):  # received / assigned only
            if i == 1:
                flow.assign(actor=a["supervisor"], complaint_id=c.id, handler_user_id=a["clerk"].user_id, department_id=None,
                            note="请尽快上门查看", now=step)
            continue
        flow.assign(actor=a["supervisor"], complaint_id=c.id, handler_user_id=a["clerk"].user_id, department_id=None,
                    note="派责任部门处理", now=step)
        if i == 4:
            complaint_consult.request_consult(actor=a["supervisor"], complaint_id=c.id, consultant_id=consultant_ids[i % 3],
                                              question="此情况是否属于物业责任，应如何答复业主？", now=step + timedelta(hours=1))
        if i == 2:
            continue  # assigned, overdue soon
        flow.mark_handled(actor=a["clerk"], complaint_id=c.id, result="已安排人员现场处理完毕，并向业主说明。",
                          now=step + timedelta(hours=20))
        if i == 3:
            continue  # awaiting verification
        verified = flow.verify(actor=a["supervisor"], complaint_id=c.id, note="现场复查合格", now=step + timedelta(hours=26))
        # 重大: the 管理处主任 calls back (the policy book's complaint.callback_callers, 投诉回访 第3条)
        caller = a["director"] if verified.grade == "major" else a["supervisor_b"]
        if i == 10:
            continue  # awaiting callback
        when = step + timedelta(days=1, hours=4)
        if i == 9:
            pass  # anonymous: exempted from the callback by its intake facts at verification (投诉回访 第2条)
        elif i == 8:
            flow.record_callback(actor=caller, complaint_id=c.id, method="phone", reached=True,
                                 person_reached=c.complainant_name, satisfaction="unsatisfied",
                                 comment="问题反复出现，不满意", follow_up="重新派单", now=when)
            continue  # reopened (重要)
        else:
            flow.record_callback(actor=caller, complaint_id=c.id, method=rng.choice(["phone", "visit"]),
                                 reached=True, person_reached=c.complainant_name,
                                 satisfaction=rng.choice(["satisfied", "satisfied", "basic"]), comment="对处理结果认可",
                                 follow_up="", now=when)
        if i % 4 != 3:
            flow.close(actor=a["supervisor"], complaint_id=c.id, note="资料齐全，归档", now=when + timedelta(hours=2))
    # three neighbours about the same garbage station: a same-issue group makes them 热点
    group = complaint_groups.link_same_issue(actor=a["clerk"], complaint_id=made[11].id, with_complaint_id=made[12].id,
                                             title="同一事项：垃圾站/绿化环境问题", now=now)
    complaint_groups.link_same_issue(actor=a["clerk"], complaint_id=made[13].id, group_id=group, now=now)
    online = next((c for c in made if c.channel == "online"), None)
    if online:
        complaint_online.save_online_post(actor=a["clerk"], complaint_id=online.id, platform="业主论坛", url="https://bbs.example.com/t/1024",
                                          poster_handle="业主小王", posted_at=online.received_at, viral=False, now=now)
    reports.record_phone_report(actor=a["director"], complaint_id=made[5].id, at=made[5].received_at + timedelta(minutes=40),
                                to_whom="总部客服中心 周中心", note="已电话通报集体投诉情况", now=now)
