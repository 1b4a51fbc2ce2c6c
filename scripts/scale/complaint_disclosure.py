"""投诉公示 at scale: 60 months of monthly tasks for every office (about 1 in 6 months skipped with nothing to
publish), their publications and 公示 duties; last month's still owed in half of the offices."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core import complaint_disclosure as rules
from core import complaint_stats as months
from db.models import OrgUnit
from scripts.scale import bulk_insert, next_id

ORDER = 57  # after the complaints
TABLES = ("complaint_disclosure", "complaint_publication", "duty")
MONTHS = 60
SHANGHAI = ZoneInfo("Asia/Shanghai")
CHANNELS = list(rules.CHANNELS)


def generate(conn, rng, scale) -> None:
    offices = conn.execute(select(OrgUnit.id).where(OrgUnit.kind == "office").order_by(OrgUnit.id)).scalars().all()
    last = months.previous_month(months.first_of_month(scale.anchor.astimezone(SHANGHAI).date()))
    month_list = [last]
    for _ in range(MONTHS - 1):
        month_list.append(months.previous_month(month_list[-1]))
    task_id, pub_id, duty_id = (next_id(conn, t) for t in TABLES)
    tasks, pubs, duties = [], [], []
    for office in offices:
        for month in month_list:
            opened = datetime.combine(months.next_month(month), time(1), SHANGHAI)
            due = datetime.combine(months.next_month(months.next_month(month)), time(0), SHANGHAI)
            count = 0 if rng.random() < 0.17 else rng.randint(1, 12)
            if count == 0:
                tasks.append((task_id, office, month, "skipped", 0, 1, 0, due, opened, opened))
                task_id += 1
                continue
            pending = month == last and rng.random() < 0.5
            published = None if pending else opened + timedelta(days=rng.randint(2, 40))
            late = bool(published and published > due)
            tasks.append((task_id, office, month, "pending" if pending else "done", count, 1, 0 if pending else 1, due,
                          opened, published or opened))
            if published:
                pubs.append((pub_id, task_id, office, published.date(), rng.choice(CHANNELS),
                             f"https://estate.example.cn/notice/{task_id}", "", None, published))
                pub_id += 1
            duties.append((duty_id, rules.RECORD_TYPE.code, task_id, office, rules.PUBLISH.code, "", rules.CLAUSE, 0, None,
                           "office_director", opened, due, published, None, "open" if pending else "met", late,
                           published if late else None, "", opened, published or opened))
            task_id += 1
            duty_id += 1
    bulk_insert(conn, "complaint_disclosure", ("id", "office_id", "month", "state", "complaints", "required",
                                               "publications", "due_at", "created_at", "updated_at"), tasks)
    bulk_insert(conn, "complaint_publication", ("id", "disclosure_id", "office_id", "published_on", "channel", "link",
                                                "note", "created_by", "created_at"), pubs)
    bulk_insert(conn, "duty", ("id", "record_type", "record_id", "office_id", "duty", "key", "clause", "policy_version",
                               "responsible_user_id", "responsible_role", "started_at", "due_at", "met_at", "met_by",
                               "state", "breached", "breached_at", "note", "created_at", "updated_at"), duties)


# ----- benchmark hooks (scripts/bench.py) ---------------------------------------------------------

def _one_office(at, office_id: int) -> None:
    at.selectbox(key="dc_office").set_value(office_id)


PAGE_FILTERS = {rules.PAGE: _one_office}
