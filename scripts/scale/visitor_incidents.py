"""Office-visitor incidents at scale: 20,000 over 5 years (large), graded A/B/C/D, with their timeline steps and the
duties the services would have written (A类 接待/上报, D类 书面报告); groups stay below the collective threshold here
(the complaint family holds the complaints). Numbers follow ``LF-<year>-<n>`` with the counters moved past them.
The count is this family's own (keyed by the scale's name), so ``Scale`` needs no new field."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.roles import Role
from db.models import OrgUnit, User, UserRole
from scripts.scale import bulk_insert, mobile, moment_before, next_id, person

ORDER = 60
TABLES = ("visitor_incident", "record_event", "duty", "number_sequence")
INCIDENTS = {"large": 20_000, "small": 400}
YEARS = 5
SHANGHAI = ZoneInfo("Asia/Shanghai")
CLASSES = [("a", 45), ("b", 15), ("c", 30), ("d", 10)]
MATTERS = {"a": ["未预约来访要求见领导", "漏水报修无人处理，情绪激动", "当面投诉维修工态度"],
           "b": ["多名业主反映停车费上涨", "结伴来访反映电梯故障"],
           "c": ["媒体记者来访", "推销人员要求进入办公区", "律师来访了解情况"],
           "d": ["来访者损坏前台物品", "来访者威胁工作人员"]}
CLAUSE = {"receive": "依据《XX物业客服中心来访接待流程》A类", "escalate": "依据《XX物业客服中心来访接待流程》A类",
          "report": "依据《XX物业客服中心来访接待流程》D类"}
DUE = {"receive": timedelta(minutes=10), "escalate": timedelta(minutes=30), "report": timedelta(hours=24)}
COLUMNS = ("id", "number", "office_id", "visit_class", "state", "arrived_at", "visitor_name", "visitor_phone",
           "customer_id", "property_id", "people_count", "representatives", "purpose", "received_by", "received_at",
           "supervisor_told_at", "director_told_at", "escalation_note", "outcome", "resolved_at", "follow_up_needed",
           "follow_up_plan", "follow_up_result", "report", "reported_at", "closed_at", "complaint_id", "policy_version",
           "created_by", "created_at", "updated_at")
EVENT_COLUMNS = ("id", "record_type", "record_id", "office_id", "at", "actor_user_id", "actor_name", "event",
                 "from_state", "to_state", "note", "citation")
DUTY_COLUMNS = ("record_type", "record_id", "office_id", "duty", "key", "clause", "policy_version", "responsible_user_id",
                "responsible_role", "started_at", "due_at", "met_at", "met_by", "state", "breached", "breached_at",
                "note", "created_at", "updated_at")


def _cum(weighted):
    return [v for v, _ in weighted], list(accumulate(w for _, w in weighted))


def generate(conn, rng, scale) -> None:
    anchor = scale.anchor
    offices = [o for o in conn.execute(select(OrgUnit.id).where(OrgUnit.kind == "office").order_by(OrgUnit.id)).scalars()]
    staff: dict[int, dict[str, tuple[int, str]]] = defaultdict(dict)
    for uid, name, role, unit in conn.execute(select(User.id, User.display_name, UserRole.role, UserRole.org_unit_id)
                                              .join(UserRole, UserRole.user_id == User.id).order_by(User.id)):
        if role in (Role.CLERK.value, Role.CS_SUPERVISOR.value):
            staff[unit].setdefault(role, (uid, name))
    offices = [o for o in offices if len(staff[o]) == 2]
    if not offices:
        return
    count = INCIDENTS.get(scale.name, 400)
    moments = sorted(moment_before(rng, anchor, YEARS * 365) for _ in range(count))
    first, first_event = next_id(conn, "visitor_incident"), next_id(conn, "record_event")
    classes, weights = _cum(CLASSES)
    counters: dict[int, int] = defaultdict(int)
    rows, events, duties = [], [], []
    for i, arrived in enumerate(moments):
        iid, office = first + i, offices[rng.randrange(len(offices))]
        clerk, sup = staff[office][Role.CLERK.value], staff[office][Role.CS_SUPERVISOR.value]
        cls = rng.choices(classes, cum_weights=weights)[0]
        year = arrived.astimezone(SHANGHAI).year
        counters[year] += 1
        recent = anchor - arrived < timedelta(days=3)
        state = rng.choice(["logged", "received", "escalated", "resolved"]) if recent else "closed"
        received = arrived + timedelta(minutes=rng.choice([3, 6, 9, 14])) if state != "logged" else None
        told = received + timedelta(minutes=rng.choice([10, 25, 40])) if state in ("escalated", "resolved", "closed") \
            and cls != "c" and rng.random() < 0.6 else None
        resolved = (told or received or arrived) + timedelta(minutes=30) if state in ("resolved", "closed") else None
        closed = resolved + timedelta(days=2) if state == "closed" else None
        reported = arrived + timedelta(hours=rng.choice([4, 12, 30])) if cls == "d" and state == "closed" else None
        people = 2 if cls == "b" else 1  # below the collective threshold (the complaint family has those)
        rows.append((iid, f"LF-{year}-{counters[year]:06d}", office, cls, state, arrived, person(rng),
                     mobile(rng) if cls in "ab" else "", None, None, people, None, rng.choice(MATTERS[cls]),
                     sup[0] if received else None, received, None, told, "", "已平息" if resolved else "", resolved,
                     False, "", "", "事件经过与处理情况" if reported else "", reported, closed, None, 0, clerk[0],
                     arrived, closed or resolved or arrived))
        events.append((first_event + len(events), "visitor_incident", iid, office, arrived, clerk[0], clerk[1],
                       "register", None, "logged", f"登记（{cls.upper()}类，{people}人）", ""))
        if closed:
            events.append((first_event + len(events), "visitor_incident", iid, office, closed, sup[0], sup[1], "close",
                           "resolved", "closed", "跟进结案", ""))
        for kind in ("receive", "escalate") if cls == "a" else ("report",) if cls == "d" else ():
            met = {"receive": received, "escalate": told, "report": reported}[kind]
            if kind == "escalate" and met is None and resolved is not None:
                continue  # calmed in time: cancelled, not owed
            due = arrived + DUE[kind]
            end = met or anchor
            duties.append(("visitor_incident", iid, office, f"visitor_incident.{kind}", "", CLAUSE[kind], 0, None,
                           Role.CS_SUPERVISOR.value, arrived, due, met, sup[0] if met else None,
                           "met" if met else "open", end > due, due if end > due else None, "", arrived,
                           met or arrived))
    bulk_insert(conn, "visitor_incident", COLUMNS, rows)
    bulk_insert(conn, "record_event", EVENT_COLUMNS, events)
    bulk_insert(conn, "duty", DUTY_COLUMNS, duties)
    first_seq = next_id(conn, "number_sequence")
    bulk_insert(conn, "number_sequence", ("id", "name", "year", "last_value"),
                [(first_seq + n, "LF", year, last) for n, (year, last) in enumerate(sorted(counters.items()))])


# ----- benchmark hooks (scripts/bench.py) ---------------------------------------------------------

def _open_ones(at, office_id: int) -> None:
    at.selectbox(key="vi_f_state").set_value("open")  # 未平息: what the desk looks at


PAGE_FILTERS = {"views/reception/incidents.py": _open_ones}
