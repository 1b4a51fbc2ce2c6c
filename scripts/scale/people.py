"""People at scale: staff spread over the 管理处, one owner per 房屋, and family members / tenants linked to 房屋."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update

from core.roles import Role
from db.models import OrgUnit, Property
from scripts.scale import bulk_insert, id_number, mobile, next_id, person

ORDER = 20
TABLES = ("staff", "customer", "customer_property")

# Posts in an office, most common first; the first staff member of each post is the one accounts link to.
POSTS = [Role.OFFICE_DIRECTOR, Role.CS_MANAGER, Role.CS_SUPERVISOR, Role.ASSISTANT, Role.CLERK, Role.RECORDS_OFFICER,
         Role.GUARD, Role.CLERK, Role.CLERK, Role.GUARD, Role.GUARD, Role.ASSISTANT]


def generate(conn, rng, scale) -> None:
    offices = list(conn.execute(select(OrgUnit.id).where(OrgUnit.kind == "office").order_by(OrgUnit.id)).scalars())
    first_staff = next_id(conn, "staff")
    staff, contacts = [], {}
    for i in range(scale.staff):
        office_id = offices[i % len(offices)]
        post = POSTS[(i // len(offices)) % len(POSTS)]
        sid = first_staff + i
        if post == Role.CS_SUPERVISOR:
            contacts.setdefault(office_id, sid)
        staff.append((sid, office_id, person(rng), post.value, mobile(rng),
                      date(2015, 1, 1) + timedelta(days=rng.randrange(4000)), rng.random() > 0.1, True))
    bulk_insert(conn, "staff", ("id", "office_id", "name", "post", "phone", "hire_date", "independent_on_post", "active"),
                staff)
    for office_id, sid in contacts.items():
        conn.execute(update(OrgUnit).where(OrgUnit.id == office_id).values(complaint_contact_staff_id=sid))

    props = conn.execute(select(Property.id, Property.office_id).order_by(Property.id)).all()
    first_customer, first_link = next_id(conn, "customer"), next_id(conn, "customer_property")
    links: list[tuple] = []

    def customers():
        for i in range(scale.customers):
            if i < len(props):  # the owner of each 房屋
                pid, office_id = props[i]
                kind = "owner"
            else:  # family members and tenants
                pid, office_id = props[rng.randrange(len(props))]
                kind = rng.choice(("family", "family", "tenant"))
            cid = first_customer + i
            links.append((first_link + i, cid, pid, kind, date(2010, 1, 1) + timedelta(days=rng.randrange(5800))))
            yield (cid, office_id, person(rng), kind, id_number(rng) if kind != "tenant" or rng.random() < 0.5 else "",
                   mobile(rng), True)

    bulk_insert(conn, "customer", ("id", "office_id", "name", "kind", "id_number", "phone", "active"), customers())
    bulk_insert(conn, "customer_property", ("id", "customer_id", "property_id", "relation", "since"), links)


# ----- benchmark hooks (scripts/bench.py) ---------------------------------------------------------

def _search_customers(at, office_id: int) -> None:
    """Pick the 管理处 (headquarters see all 50), then search a surname among its customers."""
    at.selectbox(key="people_office").set_value(office_id)
    at.text_input(key="cust_search").input("王")


PAGE_FILTERS = {"views/admin/people.py": _search_customers}

# Company-wide substring searches: no B-tree index can serve "%text%", so these scan (reported, no target).
STRESS_QUERIES = {
    "全公司客户姓名搜索“王”": lambda actor_for: _customers("王", actor_for),
    "全公司客户姓名搜索“王建国”": lambda actor_for: _customers("王建国", actor_for),
    "全公司客户电话搜索“5678”": lambda actor_for: _customers("5678", actor_for),
}


def _customers(text: str, actor_for) -> int:
    from db.services.people import list_customers

    return list_customers(actor=actor_for("bench_hq_head"), search=text, page=1, page_size=50).total

BASELINE_TITLE, BASELINE_PAGE = "客户列表（全部管理处，搜索“王”）", "views/admin/people.py"


def ours_list(actor_for) -> int:
    """The list the page shows: one SQL page of 50 with its total."""
    from db.services.people import list_customers

    return list_customers(actor=actor_for("bench_hq_head"), search="王", page=1, page_size=50).total


def naive_list(url: str) -> int:
    """The naive way: read the whole tables into pandas, then filter, sort and page in pandas."""
    import pandas as pd
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.connect() as conn:
        customers = pd.read_sql("SELECT * FROM customer", conn)
        links = pd.read_sql("SELECT * FROM customer_property", conn)
        props = pd.read_sql("SELECT id, label FROM property", conn)
    engine.dispose()
    hit = customers[customers["name"].str.contains("王", regex=False) | customers["phone"].str.contains("王", regex=False)]
    page = hit.sort_values(["name", "id"]).head(50)
    labels = links.merge(props, left_on="property_id", right_on="id").groupby("customer_id")["label"].agg("；".join)
    page = page.assign(properties=page["id"].map(labels))
    return len(hit)


def write_once(actor_for, tag: str, thread: int, seq: int) -> None:
    """One service write: register a customer (permission check, validation, row and audit row, commit)."""
    from db.services.people import save_customer

    actor = actor_for("bench_sysadmin")
    save_customer(actor=actor, customer_id=None, office_id=actor_for.office_ids[thread % len(actor_for.office_ids)],
                  name=f"{tag}-{thread:02d}-{seq:03d}", kind="owner", id_number="", phone="")


def count_writes(tag: str) -> int:
    from sqlalchemy import func
    from sqlmodel import select

    from db.models import Customer
    from db.session import read_session

    with read_session() as s:
        return int(s.exec(select(func.count()).select_from(Customer).where(Customer.name.like(f"{tag}-%"))).one())
