"""Monthly 《顾客投诉分类统计表》 at scale: 60 months of submitted tables for every office (about 1 in 20 returned
once and corrected, about 1 in 10 submitted late), with their 报送 duties; the last month still to submit."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core import complaint_stats as rules
from core.policy import PARAMS
from db.models import OrgUnit, User, UserRole
from scripts.scale import bulk_insert, next_id

ORDER = 55  # after the complaints
TABLES = ("complaint_stats_report", "complaint_stats_version", "duty")
MONTHS = 60
SHANGHAI = ZoneInfo("Asia/Shanghai")
CATEGORY_CODES = [r["code"] for r in PARAMS["complaint.categories"].default]
CATEGORY_LABELS = {r["code"]: r["label"] for r in PARAMS["complaint.categories"].default}


def _due(month: date) -> datetime:
    nxt = rules.next_month(month)
    return datetime.combine(nxt.replace(day=int(PARAMS[rules.DUE_DAY].default)), time(23, 59), SHANGHAI)


def _rows(rng) -> str:
    rows, previous = [], 0
    for code in CATEGORY_CODES:
        total = rng.randint(0, 60)
        major, hot = rng.randint(0, total // 40), rng.randint(0, total // 20)
        important = rng.randint(0, max(0, (total - major - hot) // 6))
        closed = rng.randint(total * 7 // 10, total) if total else 0
        owed = rng.randint(closed, total) if total else 0
        surveyed = rng.randint(closed * 9 // 10, closed) if closed else 0
        prev = rng.randint(0, 60)
        previous += prev
        rows.append({"code": code, "label": CATEGORY_LABELS[code], "previous_total": prev, "total": total,
                     "major": major, "hot": hot, "important": important, "general": total - major - hot - important,
                     "closed": closed, "callbacks_required": owed, "callbacks_done": closed, "surveyed": surveyed,
                     "satisfied": surveyed - rng.randint(0, surveyed // 10)})
    keys = [k for k in rows[0] if k not in ("code", "label")]
    rows.append({"code": "", "label": rules.TOTAL_LABEL, **{k: sum(r[k] for r in rows) for k in keys}})
    return json.dumps(rows, ensure_ascii=False)


def generate(conn, rng, scale) -> None:
    offices = conn.execute(select(OrgUnit.id).where(OrgUnit.kind == "office").order_by(OrgUnit.id)).scalars().all()
    directors = dict(conn.execute(select(UserRole.org_unit_id, User.id).join(User, User.id == UserRole.user_id)
                                  .where(UserRole.role == "office_director")).all())
    last = rules.previous_month(rules.first_of_month(scale.anchor.astimezone(SHANGHAI).date()))
    months = [last]
    for _ in range(MONTHS - 1):
        months.append(rules.previous_month(months[-1]))
    report_id, version_id, duty_id = (next_id(conn, t) for t in TABLES)
    reports, versions, duties = [], [], []
    for office in offices:
        by = directors.get(office)
        for month in months:
            due = _due(month)
            start = datetime.combine(rules.next_month(month), time(0), SHANGHAI)
            pending = month == last and rng.random() < 0.5
            late = rng.random() < 0.1
            first = None if pending else (due + timedelta(days=rng.randint(1, 6)) if late
                                          else due - timedelta(hours=rng.randint(2, 60)))
            n_versions = 0 if pending else (2 if rng.random() < 0.05 else 1)
            for v in range(1, n_versions + 1):
                at = first + timedelta(days=v - 1)
                returned = v < n_versions
                versions.append((version_id, report_id, v, _rows(rng), at, by, at + timedelta(hours=6) if returned
                                 else None, None, "分类口径不一致，请核对" if returned else ""))
                version_id += 1
            state = "pending" if pending else "submitted"
            reports.append((report_id, office, month, state, n_versions, due, first,
                            None if pending else first + timedelta(days=n_versions - 1), None if pending else by, 0,
                            start, start))
            duties.append((duty_id, "complaint_stats", report_id, office, rules.SUBMIT.code, "", rules.CLAUSE, 0, None,
                           "office_director", start, due, first, by if first else None, "open" if pending else "met",
                           bool(first and first > due), first if first and first > due else None, "", start, start))
            report_id += 1
            duty_id += 1
    bulk_insert(conn, "complaint_stats_report", ("id", "office_id", "month", "state", "version", "due_at",
                                                 "first_submitted_at", "submitted_at", "submitted_by", "policy_version",
                                                 "created_at", "updated_at"), reports)
    bulk_insert(conn, "complaint_stats_version", ("id", "report_id", "version", "rows_json", "submitted_at",
                                                  "submitted_by", "returned_at", "returned_by", "return_reason"),
                versions)
    bulk_insert(conn, "duty", ("id", "record_type", "record_id", "office_id", "duty", "key", "clause", "policy_version",
                               "responsible_user_id", "responsible_role", "started_at", "due_at", "met_at", "met_by",
                               "state", "breached", "breached_at", "note", "created_at", "updated_at"), duties)


# ----- benchmark hooks (scripts/bench.py) ---------------------------------------------------------

def _generate_table(at, office_id: int) -> None:
    """The page's one click: generate last month's consolidated table (kept for the reruns)."""
    next(b for b in at.button if b.label == "生成统计表").click()


def _generate_report(at, office_id: int) -> None:
    """投诉月报: one click generates last month's report (kept for the reruns)."""
    next(b for b in at.button if b.label == "生成月报").click()


PAGE_FILTERS = {rules.PAGE: _generate_table, "views/complaints/monthly.py": _generate_report}


def monthly_table(actor_for) -> int:
    """The consolidated table of last month for the whole company (headquarters)."""
    from datetime import UTC

    from db.services import complaint_stats as stats

    now = datetime.now(UTC)
    month = rules.previous_month(rules.first_of_month(now.astimezone(SHANGHAI).date()))
    return stats.generate(actor=actor_for("bench_hq_head"), month=month, office_id=None, now=now).rows[-1].counts.total


def monthly_pdf(actor_for) -> int:
    """Its PDF: the table generated and printed."""
    from datetime import UTC

    from db.services import complaint_stats as stats

    now = datetime.now(UTC)
    month = rules.previous_month(rules.first_of_month(now.astimezone(SHANGHAI).date()))
    table = stats.generate(actor=actor_for("bench_hq_head"), month=month, office_id=None, now=now)
    return len(stats.table_pdf(table, status_line="全公司汇总", printed_at=now, tz=SHANGHAI))
