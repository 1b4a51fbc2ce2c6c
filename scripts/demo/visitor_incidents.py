"""Demo office-visitor incidents (来访接待流程): four months of A/B/C/D visits in every state for each demo office —
logged only, received, escalated, calmed, reported and closed; groups of 3 or more as collective complaints through
the complaint intake. Written through the real services with simulated clocks. Skipped if incidents exist."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlmodel import func, select

from db.models import Property, VisitorIncident
from db.services import visitor_incident_flow as flow
from db.services import visitor_incidents as svc
from db.services.auth import build_actor

ORDER = 60  # after the complaints (their numbers come first)

VISITS = [  # class, visitor, people, representatives, matter, complaint category of a group
    ("a", "周女士", 1, None, "未预约来访，情绪激动，要求见领导：家中漏水报修三次无人处理", None),
    ("a", "吴先生", 2, None, "要求当面投诉保安态度，拒绝在前台登记", None),
    ("b", "业主代表郑先生", 6, 3, "多名业主结伴来访，反映地下车库停车费上涨", "parking"),
    ("b", "业主代表钱女士", 12, 5, "十余名业主集体上访，要求更换电梯维保单位", "engineering"),
    ("c", "某报社记者", 1, None, "媒体记者来访，要求采访近期电梯故障情况", None),
    ("c", "推销人员", 2, None, "推销净水器，要求进入办公区", None),
    ("d", "身份不明男子", 1, None, "来访者情绪失控，摔坏前台电话机，威胁工作人员", None),
    ("a", "孙先生", 1, None, "装修被叫停，要求见管理处主任", None),
]


def run(ctx) -> None:
    s = ctx.session
    if s.exec(select(func.count()).select_from(VisitorIncident)).one():
        return
    props = {o: list(s.exec(select(Property.id).where(Property.office_id == o).limit(50)).all())
             for o in ctx.ids["offices"]}
    s.commit()  # release the demo session's write lock before the services write
    users = ctx.ids["users"]
    rng = random.Random(12)
    for index, office_id in enumerate(ctx.ids["offices"], start=1):
        a = {k: build_actor(users[f"{k}{index}"], now=ctx.now) for k in ("clerk", "supervisor", "director")}
        for n in range(24):
            cls, who, people, reps, matter, category = VISITS[(n + index) % len(VISITS)]
            arrived = ctx.now - (timedelta(hours=rng.randint(1, 5)) if n < 4 else
                                 timedelta(days=rng.randint(1, 120), hours=rng.randint(0, 8)))
            _story(a, n, office_id, props[office_id], arrived, cls, who, people, reps, matter, category, rng)


def _story(a, n, office_id, props, arrived, cls, who, people, reps, matter, category, rng) -> None:
    row = svc.register(actor=a["clerk"], request_id=None, now=arrived + timedelta(minutes=2), data=svc.IncidentIn(
        office_id=office_id, visit_class=cls, visitor_name=who, purpose=matter, arrived_at=arrived, people_count=people,
        representatives=reps, property_id=rng.choice(props) if props and cls in "ab" else None,
        visitor_phone=f"13{rng.randint(100000000, 999999999)}" if cls in "ab" else "", complaint_category=category))
    stage = n % 6  # 0 logged, 1 received, 2 escalated, 3 resolved, 4-5 closed
    if stage == 0:
        return
    t = arrived + timedelta(minutes=rng.choice([4, 8, 15]))  # sometimes later than the A-class limit
    if cls == "a" or stage == 1:
        flow.receive(actor=a["clerk"], incident_id=row.id, receiver_user_id=a["supervisor"].user_id, at=t,
                     now=t + timedelta(minutes=1))
    if stage == 1:
        return
    if stage == 2 or cls in "bd":
        t += timedelta(minutes=rng.choice([10, 20, 40]))
        flow.escalate(actor=a["clerk"], incident_id=row.id, level="office_director", at=t, now=t + timedelta(minutes=1),
                      note="来访者要求见管理处主任" if cls == "a" else "已报告管理处主任及公司")
    if stage == 2:
        return
    if cls == "d":
        flow.file_report(actor=a["supervisor"], incident_id=row.id, at=t + timedelta(hours=6), now=t + timedelta(hours=6),
                         report="事件经过：来访者情绪失控损坏前台电话机；保安到场制止并报警；派出所出警登记。损失：电话机一部。")
    if cls == "a" and stage == 5:  # an angry complaint in person: the complaint intake takes it over
        flow.convert_to_complaint(actor=a["clerk"], incident_id=row.id, category="attitude", now=t)
    t += timedelta(minutes=25)
    follow = stage >= 4 or rng.random() < 0.5
    flow.resolve(actor=a["clerk"], incident_id=row.id, outcome="客服主任当面解释处理安排，来访者情绪平复后离开", at=t,
                 follow_up_needed=follow, follow_up_plan="三个工作日内电话回访处理进度" if follow else "", now=t)
    if stage < 4:
        return
    done = t + timedelta(days=2)
    flow.close(actor=a["supervisor"], incident_id=row.id, now=done,
               follow_up_result="已电话回访，来访者认可处理结果" if follow else "")
