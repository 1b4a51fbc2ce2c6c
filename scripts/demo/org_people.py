"""Demo organisation: 3 管理处, 6 苑区, about 2,000 房屋 with owners, departments, staff and accounts in every role."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlmodel import select

from core.identity import with_check_character
from core.roles import ROLE_LABELS, Role
from db.bootstrap import ensure_company
from db.models import (
    Building,
    Customer,
    CustomerProperty,
    Department,
    OrgUnit,
    Property,
    Staff,
    User,
    UserRole,
    Zone,
)
from db.services.auth import hash_password
from db.services.org import property_label

ORDER = 10

OFFICES = [
    ("DF", "东方家园管理处", [("东方苑", 12), ("家园苑", 10)]),
    ("KL", "康乐苑管理处", [("康乐一期", 11), ("康乐二期", 10)]),
    ("CH", "翠湖花园管理处", [("翠湖东区", 12), ("翠湖西区", 10)]),
]
DEPARTMENTS = [("工程部", "engineering"), ("秩序部", "security"), ("环境部", "environment"), ("客服部", "customer_service"),
               ("财务部", "finance")]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰文斌宇浩然子轩欣怡梓涵俊杰雨婷思远佳琪博文晓东海燕春梅建华丽娟国强"

# (username suffix, role, office index or None for HQ, display name)
ACCOUNTS = [
    ("sysadmin", Role.SYSADMIN, None, "郑系统"),
    ("hq_head", Role.HQ_HEAD, None, "周中心"),
    ("hq_kf", Role.HQ_SPECIALIST, None, "吴专员"),
    ("leader", Role.LEADER, None, "钱总"),
    ("consultant", Role.CONSULTANT, None, "冯顾问"),
]
OFFICE_ROLES = [
    ("director", Role.OFFICE_DIRECTOR, "主任"), ("manager", Role.CS_MANAGER, "经理"), ("supervisor", Role.CS_SUPERVISOR, "主管"),
    ("supervisor_b", Role.CS_SUPERVISOR, "组长"), ("assistant", Role.ASSISTANT, "助理"), ("clerk", Role.CLERK, "前台"),
    ("records", Role.RECORDS_OFFICER, "档案"), ("guard", Role.GUARD, "保安"),
]


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _id_number(rng: random.Random) -> str:
    birth = date(1950, 1, 1) + timedelta(days=rng.randint(0, 20000))
    return with_check_character(f"330106{birth:%Y%m%d}{rng.randint(100, 999)}")


def _account(ctx, username: str, name: str, role: Role, unit_id: int, staff_id: int | None) -> int:
    s = ctx.session
    user = s.exec(select(User).where(User.username == username)).first()
    if user is None:
        user = User(username=username, display_name=name, password_hash=hash_password(ctx.password), is_demo=True,
                    staff_id=staff_id, sessions_valid_after=ctx.now, password_changed_at=ctx.now, created_at=ctx.now)
        s.add(user)
        s.flush()
        s.add(UserRole(user_id=user.id, role=role.value, org_unit_id=unit_id))
        ctx.accounts.append((username, ctx.password, ROLE_LABELS[role]))
    return user.id


def run(ctx) -> None:
    s, rng = ctx.session, random.Random(20261127)
    company, hq = ensure_company(s)
    if not s.exec(select(Department).where(Department.org_unit_id == company.id)).first():
        s.add(Department(org_unit_id=company.id, name="行政公关部", kind="pr_admin"))
    ctx.ids.update(company=company.id, hq=hq.id, offices=[], users={})
    for username, role, _office, name in ACCOUNTS:
        ctx.ids["users"][username] = _account(ctx, username, name, role, hq.id, None)
    for index, (code, office_name, zones) in enumerate(OFFICES, start=1):
        office = s.exec(select(OrgUnit).where(OrgUnit.code == code)).first()
        if office is None:
            office = OrgUnit(code=code, name=office_name, kind="office", parent_id=company.id, phone=f"0571-8800{index:04d}",
                             address=f"杭州市西湖区示范路{index * 100}号")
            s.add(office)
            s.flush()
            _populate_office(ctx, rng, office, zones)
        ctx.ids["offices"].append(office.id)
        staff_by_post = {st.post: st for st in s.exec(select(Staff).where(Staff.office_id == office.id)).all()}
        for suffix, role, title in OFFICE_ROLES:
            staff = staff_by_post.get(role.value)
            name = staff.name if staff and suffix != "supervisor_b" else f"{office_name[:2]}{title}"
            ctx.ids["users"][f"{suffix}{index}"] = _account(ctx, f"{suffix}{index}", name, role, office.id,
                                                            staff.id if staff else None)


def _populate_office(ctx, rng: random.Random, office: OrgUnit, zones: list[tuple[str, int]]) -> None:
    s = ctx.session
    staff_ids = {}
    for _suffix, role, _title in OFFICE_ROLES:
        if role.value in staff_ids:
            continue
        staff = Staff(office_id=office.id, name=_person(rng), post=role.value, phone=f"139{rng.randint(10**7, 10**8 - 1)}",
                      hire_date=date(2020, 1, 1) + timedelta(days=rng.randint(0, 2000)), independent_on_post=True)
        s.add(staff)
        s.flush()
        staff_ids[role.value] = staff.id
    for _ in range(6):  # more front-desk staff, one still in training (not yet 可独立上岗)
        s.add(Staff(office_id=office.id, name=_person(rng), post=Role.CLERK.value, hire_date=date(2026, 11, 2),
                    independent_on_post=rng.random() > 0.3, phone=f"138{rng.randint(10**7, 10**8 - 1)}"))
    for dept_name, kind in DEPARTMENTS:
        head = staff_ids.get(Role.CS_MANAGER.value) if kind == "customer_service" else None
        s.add(Department(org_unit_id=office.id, name=dept_name, kind=kind, head_staff_id=head))
    office.complaint_contact_staff_id = staff_ids[Role.CS_SUPERVISOR.value]
    for zone_name, building_count in zones:
        zone = Zone(office_id=office.id, name=zone_name)
        s.add(zone)
        s.flush()
        for b in range(1, building_count + 1):
            building = Building(office_id=office.id, zone_id=zone.id, name=f"{b}幢")
            s.add(building)
            s.flush()
            is_shop_row = b == building_count and zone_name.endswith(("苑", "一期", "东区"))
            for unit_no in ("1", "2"):
                for floor in range(1, 7):
                    for door in (1, 2, 3)[: 2 if is_shop_row else 3]:
                        room = f"{floor}0{door}"
                        prop = Property(office_id=office.id, zone_id=zone.id, building_id=building.id, unit_no=unit_no,
                                        room=room, area_m2=rng.choice((68.5, 89.0, 105.2, 128.0, 143.6)),
                                        kind="shop" if is_shop_row and floor == 1 else "residential",
                                        key_household=rng.random() < 0.03,
                                        label=property_label(zone_name, building.name, unit_no, room))
                        s.add(prop)
                        s.flush()
                        owner = Customer(office_id=office.id, name=_person(rng), kind="owner", id_number=_id_number(rng),
                                         phone=f"13{rng.randint(0, 9)}{rng.randint(10**7, 10**8 - 1)}")
                        s.add(owner)
                        s.flush()
                        s.add(CustomerProperty(customer_id=owner.id, property_id=prop.id, relation="owner",
                                               since=date(2015, 1, 1) + timedelta(days=rng.randint(0, 3000))))
