"""Organisation at scale: 管理处 under the company, 苑区, 楼栋 (2 单元 × 18 层 × 4 户), 房屋 and departments."""

from __future__ import annotations

from sqlalchemy import select

from db.models import OrgUnit
from db.services.org import property_label
from scripts.scale import bulk_insert, next_id

ORDER = 10
TABLES = ("org_unit", "zone", "building", "property", "department")

ESTATES = ["东方", "康乐", "翠湖", "金桂", "阳光", "锦绣", "碧水", "紫荆", "滨江", "西溪"]
SUFFIXES = ["家园", "花园", "名苑", "新城", "雅居"]
PHASES = ["一期", "二期", "三期", "东区", "西区", "南苑", "北苑", "中庭"]
DEPARTMENTS = [("工程部", "engineering"), ("秩序部", "security"), ("环境部", "environment"),
               ("客服部", "customer_service"), ("财务部", "finance")]
UNITS, FLOORS, DOORS = 2, 18, 4


def office_name(i: int) -> str:
    estate = ESTATES[i % len(ESTATES)] + SUFFIXES[(i // len(ESTATES)) % len(SUFFIXES)]
    return estate + (f"{i // (len(ESTATES) * len(SUFFIXES)) + 1}" if i >= len(ESTATES) * len(SUFFIXES) else "")


def generate(conn, rng, scale) -> None:
    company_id = conn.execute(select(OrgUnit.id).where(OrgUnit.kind == "company")).scalar_one()
    first_office = next_id(conn, "org_unit")
    offices = [(first_office + i, f"S{i + 1:03d}", f"{office_name(i)}管理处", "office", company_id,
                f"杭州市示范路{100 + i}号", f"0571-8{i + 1:07d}", True) for i in range(scale.offices)]
    bulk_insert(conn, "org_unit", ("id", "code", "name", "kind", "parent_id", "address", "phone", "active"), offices)

    first_dept = next_id(conn, "department")
    depts = [(first_dept + i * len(DEPARTMENTS) + j, office[0], name, kind, True)
             for i, office in enumerate(offices) for j, (name, kind) in enumerate(DEPARTMENTS)]
    bulk_insert(conn, "department", ("id", "org_unit_id", "name", "kind", "active"), depts)

    zone_id, building_id, property_id = next_id(conn, "zone"), next_id(conn, "building"), next_id(conn, "property")
    zones, buildings = [], []
    per_zone = [scale.properties // scale.zones + (1 if z < scale.properties % scale.zones else 0)
                for z in range(scale.zones)]

    def properties():
        nonlocal building_id
        pid = property_id
        for z in range(scale.zones):
            office_id, estate = offices[z % len(offices)][0], office_name(z % len(offices))
            zname = estate + PHASES[(z // len(offices)) % len(PHASES)]
            zid = zone_id + z
            zones.append((zid, office_id, zname, True))
            made, b = 0, 0
            while made < per_zone[z]:
                b += 1
                bid = building_id
                building_id += 1
                buildings.append((bid, office_id, zid, f"{b}幢", True))
                for unit in range(1, UNITS + 1):
                    for floor in range(1, FLOORS + 1):
                        for door in range(1, DOORS + 1):
                            if made >= per_zone[z]:
                                break
                            room = f"{floor}{door:02d}"
                            shop = floor == 1 and b == 1
                            yield (pid, office_id, zid, bid, str(unit), room, property_label(zname, f"{b}幢", str(unit), room),
                                   rng.choice((68.5, 89.0, 105.2, 128.0, 143.6)), "shop" if shop else "residential",
                                   rng.random() < 0.02, True)
                            pid += 1
                            made += 1

    rows = list(properties())
    bulk_insert(conn, "zone", ("id", "office_id", "name", "active"), zones)
    bulk_insert(conn, "building", ("id", "office_id", "zone_id", "name", "active"), buildings)
    bulk_insert(conn, "property", ("id", "office_id", "zone_id", "building_id", "unit_no", "room", "label", "area_m2",
                                   "kind", "key_household", "active"), rows)


# ----- benchmark hooks (scripts/bench.py) ---------------------------------------------------------

def _search_rooms(at, office_id: int) -> None:
    """房屋 tab: pick the 管理处, look a room number up (a clerk's list is already limited to the own office)."""
    at.selectbox(key="prop_office").set_value(office_id)
    at.text_input(key="prop_search").input("1201")


PAGE_FILTERS = {"views/admin/org.py": _search_rooms}

# Company-wide substring searches: no B-tree index can serve "%text%", so these scan (reported, no target).
STRESS_QUERIES = {
    "全公司房屋搜索“1201”": lambda actor_for: _properties("1201", actor_for),
}


def _properties(text: str, actor_for) -> int:
    from db.services.org import list_properties

    return list_properties(actor=actor_for("bench_hq_head"), search=text, page=1, page_size=50).total
