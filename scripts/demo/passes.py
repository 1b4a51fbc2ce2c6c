"""Demo passes: five months of 临时出入证 and 住户卡 in the demo offices, in every state — valid, about to expire,
expired and not returned (deposit forfeited by the daily job), returned with the deposit refunded, lost and
reissued, confiscated at the gate, cancelled, extended. Written through the real services (numbering, rules, the
deposit ledger, duties, audit) with simulated clocks. Skipped if passes exist."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlmodel import func, select

from core.identity import with_check_character
from db.models import AccessPass, Customer, CustomerProperty, Property
from db.services import pass_flow, passes
from db.services.auth import build_actor
from db.services.pass_kernel import today

ORDER = 60
COMPANIES = ["美居装饰", "匠心装修", "宏达建筑安装", "绿源园林", "家政服务中心"]
WORKERS = ["张建国", "李卫东", "王小军", "赵志强", "陈海波", "刘德明", "杨春生", "黄立新", "周永福", "吴国庆", "徐长林",
           "孙大勇", "马继红", "朱文斌", "胡金水", "郭玉兰", "何秀英", "高桂芳"]


def run(ctx) -> None:
    s = ctx.session
    if s.exec(select(func.count()).select_from(AccessPass)).one():
        return
    users = ctx.ids["users"]
    offices = ctx.ids["offices"][:2]
    homes = {o: s.exec(select(Property.id, Customer.id_number, Customer.name)
                       .join(CustomerProperty, CustomerProperty.property_id == Property.id)
                       .join(Customer, Customer.id == CustomerProperty.customer_id)
                       .where(Property.office_id == o, Customer.id_number != "").limit(60)).all() for o in offices}
    s.commit()  # release the demo session's write lock before the services write
    rng = random.Random(13)
    serial = 0
    for index, office in enumerate(offices, start=1):
        clerk = build_actor(users[f"clerk{index}"], now=ctx.now)
        guard = build_actor(users[f"guard{index}"], now=ctx.now)
        rooms = homes[office]
        for n in range(32):
            serial += 1
            at = ctx.now - timedelta(days=150 - n * 5, hours=rng.randint(0, 6))
            start = today(at)
            days = rng.choice((7, 20, 30, 45))
            purpose = rng.choice(("decoration", "decoration", "decoration", "casual", "engineering", "greening"))
            room = rooms[(n * 7) % len(rooms)][0]
            data = passes.PassIn(
                office_id=office, pass_type="temporary", purpose=purpose, holder_name=WORKERS[n % len(WORKERS)],
                id_type="resident_id", id_number=with_check_character(f"3401{index:02d}1980{(n % 12) + 1:02d}{(n % 28) + 1:02d}"
                                                                     f"{serial % 1000:03d}"),
                phone=f"139{rng.randint(10**7, 10**8 - 1)}", employer=rng.choice(COMPANIES), room_ids=[room],
                applicant_kind="contractor_head" if purpose != "casual" else "owner",
                applicant_name=rng.choice(("李工头", "王经理", "业主")), valid_from=start,
                valid_to=start + timedelta(days=days), decoration_until=start + timedelta(days=90),
                receipt_no=f"SJ{office:02d}{serial:05d}")
            p = passes.issue(actor=clerk, data=data, request_id=None, now=at)
            fate = n % 8
            later = at + timedelta(days=min(days, 5))
            if fate == 0 and p.valid_to >= today(ctx.now) - timedelta(days=3):
                continue  # still out (valid, or about to expire)
            if fate in (0, 1):
                pass_flow.return_pass(actor=clerk, pass_id=p.id, receipt_no=p.receipt_no, now=later)
            elif fate == 6 and at + timedelta(days=days + 12) < ctx.now:  # back after the window: deposit kept
                pass_flow.return_pass(actor=clerk, pass_id=p.id, receipt_no="", now=at + timedelta(days=days + 12))
            elif fate == 2:
                pass_flow.report_lost(actor=clerk, pass_id=p.id, reason="工人在工地遗失", now=later)
                if p.valid_to > today(later):
                    passes.reissue(actor=clerk, pass_id=p.id, receipt_no=f"SJ{office:02d}{serial:05d}B", request_id=None,
                                   now=later + timedelta(hours=2))
            elif fate == 3:
                pass_flow.confiscate(actor=guard, pass_id=p.id, reason=rng.choice(("串房", "过期未退", "转借他人")),
                                     now=later)
            elif fate == 4:
                pass_flow.cancel(actor=clerk, pass_id=p.id, reason="业主取消装修", now=at + timedelta(hours=1))
            elif fate == 5 and purpose == "decoration":
                pass_flow.extend(actor=clerk, pass_id=p.id, valid_to=p.valid_to + timedelta(days=14),
                                 requested_by_kind="contractor_head", requested_by="李工头",
                                 receipt_no=f"XQ{serial:05d}", now=later)
            # fate 7 (and 6, 5 not returned): left out — expired and overdue, the deposit forfeited by the daily job
        for n, (room, id_number, name) in enumerate(rooms[:4]):
            at = ctx.now - timedelta(days=100 - n * 20)
            data = passes.PassIn(office_id=office, pass_type="resident", holder_name=name, id_type="resident_id",
                                 id_number=id_number, room_ids=[room], applicant_kind="owner", applicant_name=name,
                                 valid_from=today(at), valid_to=today(at) + timedelta(days=730),
                                 original_verified=True)
            passes.issue(actor=clerk, data=data, request_id=None, now=at)
    pass_flow.forfeit_late(now=ctx.now)
