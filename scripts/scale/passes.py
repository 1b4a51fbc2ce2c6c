"""Access passes at scale: two years of 临时出入证 and 住户卡 (500,000 at the large scale) with their rooms, deposit
ledger (accounts and entries), return duties and timeline steps.

Older passes are mostly returned (deposit refunded), some lost, confiscated, cancelled or never returned (deposit
forfeited by the daily job); recent ones are still out, a few about to expire. Numbers follow ``CR-<year>-<n>`` with
the ``number_sequence`` counters moved past them, so new passes continue the series. The ledger balances on every
account (collected = refunded + forfeited + held).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.roles import Role
from db.models import OrgUnit, Property, User, UserRole
from scripts.scale import bulk_insert, id_number, mobile, moment_before, next_id, person

ORDER = 60
TABLES = ("access_pass", "pass_room", "deposit_account", "deposit_entry", "duty", "record_event", "number_sequence")

SHANGHAI = ZoneInfo("Asia/Shanghai")
PASSES = {"large": 500_000, "small": 5_000}
DEPOSIT = 5_000  # 分: the policy book's default worker deposit
COMPANIES = ["美居装饰", "匠心装修", "宏达建筑安装", "绿源园林", "家政服务中心", "金螳螂家装", "业之峰装饰"]
PURPOSES = ["decoration"] * 6 + ["casual", "engineering", "greening", "visitor"]
CLOSED = [("returned", 80), ("lost", 5), ("confiscated", 3), ("cancelled", 4), ("issued", 8)]  # issued: never back
RETURN_CLAUSE = "依据《小区出入证管理规定》第6条"
LATE_WINDOW = timedelta(weeks=1)


def _closed_state(rng) -> str:
    r = rng.randrange(100)
    for state, weight in CLOSED:
        if r < weight:
            return state
        r -= weight
    return "returned"


def generate(conn, rng, scale) -> None:
    total = PASSES.get(scale.name, scale.complaints * 5 // 3)
    anchor = scale.anchor
    today = anchor.astimezone(SHANGHAI).date()
    sqlite = conn.dialect.name != "postgresql"
    day = (lambda d: d.isoformat()) if sqlite else (lambda d: d)
    offices = set(conn.execute(select(OrgUnit.id).where(OrgUnit.kind == "office")).scalars())
    props = [p for p in conn.execute(select(Property.id, Property.office_id, Property.label).order_by(Property.id))
             if p[1] in offices]
    clerks: dict[int, int] = {}
    for uid, unit in conn.execute(select(User.id, UserRole.org_unit_id).join(UserRole, UserRole.user_id == User.id)
                                  .where(UserRole.role == Role.CLERK.value).order_by(User.id)):
        clerks.setdefault(unit, uid)
    props = [p for p in props if p[1] in clerks]
    ids = {t: next_id(conn, t) for t in ("access_pass", "pass_room", "deposit_account", "deposit_entry", "duty",
                                         "record_event")}
    moments = sorted(moment_before(rng, anchor, 730) for _ in range(total))
    rooms, accounts, entries, duties, events = [], [], [], [], []
    counters: dict[int, int] = defaultdict(int)

    def passes():
        for i, issued in enumerate(moments):
            pid = ids["access_pass"] + i
            prop_id, office_id, label = props[rng.randrange(len(props))]
            clerk = clerks[office_id]
            local = issued.astimezone(SHANGHAI)
            counters[local.year] += 1
            number = f"CR-{local.year}-{counters[local.year]:06d}"
            resident = rng.random() < 0.1
            purpose = "resident" if resident else rng.choice(PURPOSES)
            start = local.date()
            days = 0 if purpose == "visitor" else 730 if resident else rng.choice((7, 14, 30, 45, 60, 90))
            valid_to = start + timedelta(days=days)
            decoration_until = start + timedelta(days=90) if purpose == "decoration" else None
            back_by = valid_to + timedelta(days=1)
            due = datetime.combine(back_by, time(0), tzinfo=SHANGHAI).astimezone(UTC) + LATE_WINDOW
            state = "issued" if valid_to >= today - timedelta(days=3) else _closed_state(rng)
            closed_at = None
            if state != "issued":
                closed_at = min(issued + timedelta(days=rng.randrange(0, days + 3)), anchor - timedelta(minutes=5))
            deposit = 0 if resident else DEPOSIT
            deposit_state = ""
            if deposit:
                aid = ids["deposit_account"] + len(accounts)
                entries.append((ids["deposit_entry"] + len(entries), aid, "collect", deposit, issued, clerk,
                                "发证收取押金", f"SJ{pid:08d}", "", None))
                outcome = {"returned": "refund", "cancelled": "refund", "lost": "forfeit",
                           "confiscated": "forfeit"}.get(state)
                if state == "issued" and due < anchor:
                    outcome = "forfeit"  # never returned: the daily job kept the deposit
                if outcome:
                    at = closed_at or due
                    entries.append((ids["deposit_entry"] + len(entries), aid, outcome, deposit, at,
                                    clerk if closed_at else None, "退证退还押金" if outcome == "refund" else "押金不予退还",
                                    f"SJ{pid:08d}" if outcome == "refund" else "", "", None))
                refunded = deposit if outcome == "refund" else 0
                forfeited = deposit if outcome == "forfeit" else 0
                accounts.append((aid, "pass", pid, office_id, deposit, refunded, forfeited, 0,
                                 deposit - refunded - forfeited, issued, closed_at or issued))
                deposit_state = "refunded" if refunded else "forfeited" if forfeited else "held"
            rooms.append((ids["pass_room"] + i, pid, prop_id))
            met = closed_at if state in ("returned", "confiscated") else None
            duty_state = "met" if met else "cancelled" if state in ("lost", "cancelled") else "open"
            breached = (met is not None and met > due) or (duty_state == "open" and due < anchor)
            duties.append((ids["duty"] + i, "pass", pid, office_id, "pass.return", "", RETURN_CLAUSE, 0, clerk, "clerk",
                           issued, due, met, clerk if met else None, duty_state, breached,
                           (met or anchor) if breached else None, "", issued, closed_at or issued))
            events.append((ids["record_event"] + len(events), "pass", pid, office_id, issued, clerk, "前台", "issue",
                           None, "issued", f"发放出入证，有效期至 {valid_to:%Y-%m-%d}", "依据《小区出入证管理规定》第10条"))
            if closed_at:
                events.append((ids["record_event"] + len(events), "pass", pid, office_id, closed_at, clerk, "前台",
                               {"returned": "return", "lost": "report_lost", "confiscated": "confiscate",
                                "cancelled": "cancel"}[state], "issued", state, "", ""))
            id_no = id_number(rng)
            yield (pid, number, office_id, "resident" if resident else "temporary",
                   "resident" if resident else "temporary", purpose, state, person(rng), "resident_id", id_no,
                   id_no[-6:][::-1], mobile(rng), "" if resident else rng.choice(COMPANIES), prop_id, label,
                   "owner" if resident or purpose == "casual" else "contractor_head", person(rng), day(start),
                   day(valid_to), day(decoration_until) if decoration_until else None, 0, deposit,
                   f"SJ{pid:08d}" if deposit else "", resident, deposit_state, "", None, None, clerk, issued,
                   closed_at, 0, issued, closed_at or issued)

    bulk_insert(conn, "access_pass", (
        "id", "number", "office_id", "pass_type", "kind", "purpose", "state", "holder_name", "id_type", "id_number",
        "id_rtail", "phone", "employer", "property_id", "rooms_label", "applicant_kind", "applicant_name",
        "valid_from", "valid_to", "decoration_until", "fee", "deposit", "receipt_no", "original_verified",
        "deposit_state", "reason", "replaces_id", "reissued_as_id", "issued_by", "issued_at", "closed_at",
        "policy_version", "created_at", "updated_at"), passes())
    bulk_insert(conn, "pass_room", ("id", "pass_id", "property_id"), rooms)
    bulk_insert(conn, "deposit_account", ("id", "record_type", "record_id", "office_id", "collected", "refunded",
                                          "forfeited", "deducted", "held", "created_at", "updated_at"), accounts)
    bulk_insert(conn, "deposit_entry", ("id", "account_id", "kind", "amount", "at", "actor_user_id", "reason",
                                        "receipt_no", "cause_type", "cause_id"), entries)
    bulk_insert(conn, "duty", ("id", "record_type", "record_id", "office_id", "duty", "key", "clause", "policy_version",
                               "responsible_user_id", "responsible_role", "started_at", "due_at", "met_at", "met_by",
                               "state", "breached", "breached_at", "note", "created_at", "updated_at"), duties)
    bulk_insert(conn, "record_event", ("id", "record_type", "record_id", "office_id", "at", "actor_user_id",
                                       "actor_name", "event", "from_state", "to_state", "note", "citation"), events)
    first_seq = next_id(conn, "number_sequence")
    bulk_insert(conn, "number_sequence", ("id", "name", "year", "last_value"),
                [(first_seq + n, "CR", year, last) for n, (year, last) in enumerate(sorted(counters.items()))])


# ----- benchmark hooks (scripts/bench.py) ---------------------------------------------------------

def _expiring(at, office_id: int) -> None:
    at.segmented_control(key="pq").set_value("expiring")  # 即将到期: the front desk's daily look


def _scan(at, office_id: int) -> None:
    """The gate's scanner types a pass number of the benchmark's 管理处 (its newest pass) and Enter."""
    from sqlmodel import Session

    from db.engine import get_engine
    from db.models import AccessPass

    with Session(get_engine()) as s:
        number = s.execute(select(AccessPass.number).where(AccessPass.office_id == office_id)
                           .order_by(AccessPass.id.desc()).limit(1)).scalars().first()
    at.text_input(key="gate_q").input(number or "CR-2026-000001")
    next(b for b in at.button if b.label == "查询").click()


PAGE_FILTERS = {"views/passes/list.py": _expiring, "views/passes/gate.py": _scan}
