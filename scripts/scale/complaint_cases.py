"""The case library at scale: 20,000 cases written from archived 重大/热点/重要 complaints (most published, some
submitted, returned or draft), with their 案例提交 duties met; search by tag and text over all of them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core import complaint_cases as rules
from db.models import Complaint
from scripts.scale import bulk_insert, next_id

ORDER = 56  # after the complaints
TABLES = ("complaint_case", "duty", "number_sequence")
CASES = 20_000
TAGS = ["漏水", "电梯", "噪音", "停车", "收费", "垃圾清运", "门禁", "绿化", "装修", "首问负责", "进度告知", "重复投诉",
        "服务态度", "消防通道", "宠物", "外墙", "防水", "照明", "安防", "公示"]
STATES = [("published", 85), ("submitted", 8), ("returned", 3), ("draft", 4)]


def generate(conn, rng, scale) -> None:
    wanted = max(50, CASES * scale.complaints // 300_000)
    rows = conn.execute(select(Complaint.id, Complaint.office_id, Complaint.grade, Complaint.category,
                               Complaint.closed_at, Complaint.created_by)
                        .where(Complaint.state == "closed", Complaint.grade.in_(("major", "hot", "important")))
                        .order_by(Complaint.id)).all()
    rng.shuffle(rows)
    rows = sorted(rows[:wanted], key=lambda r: r.closed_at)
    case_id, duty_id, seq_id = (next_id(conn, t) for t in TABLES)
    states = [s for s, w in STATES for _ in range(w)]
    cases, duties, per_year = [], [], {}
    for cid, office, grade, category, closed, writer in rows:
        closed = closed if closed.tzinfo else closed.replace(tzinfo=scale.anchor.tzinfo)
        written = closed + timedelta(days=rng.randint(1, 9))
        state = rng.choice(states)
        year = written.year
        per_year[year] = per_year.get(year, 0) + 1
        tags = rng.sample(TAGS, rng.randint(1, 4))
        submitted = written + timedelta(hours=3) if state != "draft" else None
        published = submitted + timedelta(days=rng.randint(1, 5)) if state == "published" else None
        cases.append((case_id, f"AL-{year}-{per_year[year]:05d}", cid, office, grade, category, state,
                      f"某业主反映{rng.choice(TAGS)}问题，多次来电要求处理（第{case_id}号案例）",
                      "初次处理未查明根本原因", "专人跟进、请专业顾问到场", "问题解决，回访满意",
                      f"{tags[0]}类问题要先查原因再处理", "每月复盘同类问题", rules.stored_tags(tuple(tags)),
                      writer, written, published or submitted or written, submitted, writer if submitted else None,
                      published, None, "预防措施请写具体" if state == "returned" else ""))
        due = closed + timedelta(weeks=1)
        duties.append((duty_id, "complaint", cid, office, rules.SUBMIT.code, "", rules.CLAUSE, 0, None, "cs_manager",
                       closed, due, submitted, writer if submitted else None, "met" if submitted else "open",
                       bool(submitted and submitted > due), submitted if submitted and submitted > due else None, "",
                       closed, submitted or closed))
        case_id += 1
        duty_id += 1
    bulk_insert(conn, "complaint_case", (
        "id", "number", "complaint_id", "office_id", "grade", "category", "state", "summary", "cause", "handling",
        "result", "lessons", "prevention", "tags", "created_by", "created_at", "updated_at", "submitted_at",
        "submitted_by", "published_at", "published_by", "return_reason"), cases)
    bulk_insert(conn, "duty", ("id", "record_type", "record_id", "office_id", "duty", "key", "clause", "policy_version",
                               "responsible_user_id", "responsible_role", "started_at", "due_at", "met_at", "met_by",
                               "state", "breached", "breached_at", "note", "created_at", "updated_at"), duties)
    bulk_insert(conn, "number_sequence", ("id", "name", "year", "last_value"),
                [(seq_id + n, "AL", year, last) for n, (year, last) in enumerate(sorted(per_year.items()))])


# ----- benchmark hooks (scripts/bench.py) ---------------------------------------------------------

def _by_tag(at, office_id: int) -> None:
    at.text_input(key="case_tag").set_value("漏水")


PAGE_FILTERS = {rules.PAGE: _by_tag}
STRESS_QUERIES = {"全公司案例库搜索“防水”": lambda actor_for: _text_search("防水", actor_for)}


def _text_search(text: str, actor_for) -> int:
    from db.services.complaint_cases import library

    return library(actor=actor_for("bench_clerk_01"), text=text, page=1, page_size=20).total
