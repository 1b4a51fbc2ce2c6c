"""The reception register at scale: five years of calls, visits, letters and online messages (2,000,000 at the large
scale), with their timeline steps and the duties of letters (written reply) and promised callbacks.

Older contacts are closed; the last two weeks hold every state; a few letters and callbacks are overdue. Numbers
follow ``JD-<year>-<n>`` with the ``number_sequence`` counters moved past them. Deadlines are approximated in
calendar days (the real ones come from the policy book's working-day calendar).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.reception import C_CALLBACK, C_LETTER, STATE_LABELS, State
from core.roles import Role
from db.models import CustomerProperty, Department, OrgUnit, Property, Staff, User, UserRole
from scripts.scale import bulk_insert, mobile, next_id, person

ORDER = 60
TABLES = ("contact", "record_event", "duty", "number_sequence")
CONTACTS = {"large": 2_000_000, "small": 6_000}
YEARS = 5
SHANGHAI = ZoneInfo("Asia/Shanghai")

CHANNELS = [("phone", 60), ("visit", 25), ("online", 10), ("letter", 5)]
CATEGORIES = [("consult", 40), ("help", 30), ("paid", 10), ("suggestion", 12), ("complaint", 8)]
TOPICS = {
    "consult": ["询问停水停电安排", "咨询装修手续", "咨询车位租赁", "咨询物业费标准", "咨询快递柜使用"],
    "help": ["家中水管漏水", "楼道灯不亮", "电梯按钮失灵", "门禁卡失效", "下水道堵塞"],
    "paid": ["上门疏通下水道", "更换水龙头", "空调清洗", "开锁服务"],
    "suggestion": ["建议增设充电桩", "建议调整垃圾清运时间", "建议增加绿化", "建议延长会所开放时间"],
    "complaint": ["邻居装修噪音", "保安态度差", "垃圾清运不及时", "车位被占用"],
}
RECENT = [("logged", 20), ("answered", 20), ("dispatched", 15), ("done", 10), ("followed_up", 10), ("converted", 3),
          ("closed", 22)]
OLD = [("closed", 9970), ("followed_up", 10), ("done", 8), ("converted", 7), ("dispatched", 3), ("answered", 2)]


def _picker(weighted):
    values, cumulative = [v for v, _ in weighted], list(accumulate(w for _, w in weighted))
    return lambda rng: rng.choices(values, cum_weights=cumulative)[0]


_CHANNEL, _CATEGORY, _RECENT, _OLD = (_picker(w) for w in (CHANNELS, CATEGORIES, RECENT, OLD))


def _people(conn):
    offices = list(conn.execute(select(OrgUnit.id).where(OrgUnit.kind == "office").order_by(OrgUnit.id)).scalars())
    clerks: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for uid, name, unit in conn.execute(select(User.id, User.display_name, UserRole.org_unit_id)
                                        .join(UserRole, UserRole.user_id == User.id)
                                        .where(UserRole.role.in_([Role.CLERK.value, Role.ASSISTANT.value]))
                                        .order_by(User.id)):
        clerks[unit].append((uid, name))
    staff: dict[int, list[int]] = defaultdict(list)
    for sid, office_id in conn.execute(select(Staff.id, Staff.office_id).where(Staff.independent_on_post == True)):  # noqa: E712
        staff[office_id].append(sid)
    depts: dict[int, list[int]] = defaultdict(list)
    for did, office_id in conn.execute(select(Department.id, Department.org_unit_id)):
        depts[office_id].append(did)
    owners: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pid, office_id, cid in conn.execute(select(Property.id, Property.office_id, CustomerProperty.customer_id)
                                            .join(CustomerProperty, CustomerProperty.property_id == Property.id)
                                            .where(CustomerProperty.relation == "owner").order_by(Property.id)):
        owners[office_id].append((cid, pid))
    offices = [o for o in offices if clerks.get(o) and owners.get(o)]
    return offices, clerks, staff, depts, owners


BATCH = 100_000
CONTACT_COLUMNS = (
    "id", "number", "office_id", "channel", "category", "received_at", "customer_id", "property_id", "caller_name",
    "caller_phone", "content", "receiver_staff_id", "received_by", "rings", "late_pickup", "routed_department_id",
    "routed_user_id", "result", "callback_needed", "callback_due_at", "callback_done_at", "reply_due_at", "replied_at",
    "reply_method", "reply_copy_kept", "complaint_id", "follow_up_note", "state", "done_at", "closed_at",
    "policy_version", "created_at", "updated_at")
EVENT_COLUMNS = ("id", "record_type", "record_id", "office_id", "at", "actor_user_id", "actor_name", "event", "from_state",
                 "to_state", "note", "citation")
DUTY_COLUMNS = ("id", "record_type", "record_id", "office_id", "duty", "key", "clause", "policy_version",
                "responsible_user_id", "responsible_role", "started_at", "due_at", "met_at", "met_by", "state",
                "breached", "breached_at", "note", "created_at", "updated_at")


def generate(conn, rng, scale) -> None:
    anchor = scale.anchor.astimezone(UTC)
    total = CONTACTS.get(scale.name, scale.complaints * 2)
    offices, clerks, staff, depts, owners = _people(conn)
    if not offices:
        return
    ids = {t: next_id(conn, t) for t in ("contact", "record_event", "duty")}
    span = YEARS * 365 * 86_400
    step = span / total  # in time order without holding every moment: one per slot, at a random point of it
    counters: dict[int, int] = defaultdict(int)
    events: list[tuple] = []
    duties: list[tuple] = []
    written = {"events": 0, "duties": 0}

    def event(cid, office_id, at, who, action, from_state, to_state, note):
        events.append((ids["record_event"] + written["events"] + len(events), "contact", cid, office_id, at, who[0], who[1], action,
                       from_state, to_state, note, ""))

    def duty(cid, office_id, code, started, due, met, clause, who):
        duties.append((ids["duty"] + written["duties"] + len(duties), "contact", cid, office_id, code, "", clause, 0, who, "clerk", started,
                       due, met, who if met else None, "met" if met else "open", due < (met or anchor),
                       due if due < (met or anchor) else None, "", started, met or started))

    def contacts(first: int, last: int):
        for i in range(first, last):
            received = anchor - timedelta(seconds=span - (i + rng.random()) * step)
            cid = ids["contact"] + i
            office_id = offices[rng.randrange(len(offices))]
            year = received.astimezone(SHANGHAI).year
            counters[year] += 1
            channel, category = _CHANNEL(rng), _CATEGORY(rng)
            recent = (anchor - received).days <= 14
            state = _RECENT(rng) if recent else _OLD(rng)
            if state == "converted" and category != "complaint":
                state = "closed"
            clerk = clerks[office_id][rng.randrange(len(clerks[office_id]))]
            stranger = rng.random() < 0.1
            customer_id, property_id = (None, None) if stranger else owners[office_id][rng.randrange(len(owners[office_id]))]
            name = person(rng)
            topic = rng.choice(TOPICS[category])
            rings = rng.choice((1, 2, 2, 3, 3, 3, 4)) if channel == "phone" else None
            routed = state in ("dispatched", "done") and depts.get(office_id)
            dept = rng.choice(depts[office_id]) if routed else None
            t = received + timedelta(minutes=rng.randrange(5, 240))
            done_at = t if state in ("done", "followed_up", "closed") and dept else None
            closed_at = t + timedelta(days=rng.randrange(1, 4)) if state == "closed" else None
            result = "已答复" if state not in ("logged", "dispatched") else ""
            callback = channel == "phone" and rng.random() < 0.08
            callback_due = received + timedelta(days=1) if callback else None
            callback_done = (t if state != "logged" and (not recent or rng.random() < 0.7) else None) if callback else None
            reply_due = received + timedelta(days=4) if channel == "letter" else None
            replied = (received + timedelta(days=rng.randrange(1, 6)) if state != "logged" and (not recent or rng.random()
                       < 0.6) else None) if reply_due else None
            event(cid, office_id, received, clerk, "register", None, "logged", f"登记（{channel}，{category}）")
            if state != "logged":
                event(cid, office_id, closed_at or t, clerk, "close" if state == "closed" else state, "logged", state,
                      STATE_LABELS[State(state)])
            if reply_due:
                duty(cid, office_id, "contact.reply", received, reply_due, replied, C_LETTER, clerk[0])
            if callback_due:
                duty(cid, office_id, "contact.callback", received, callback_due, callback_done, C_CALLBACK, clerk[0])
            yield (cid, f"JD-{year}-{counters[year]:06d}", office_id, channel, category, received, customer_id,
                   property_id, name, "" if rng.random() < 0.3 else mobile(rng), f"{name}：{topic}",
                   rng.choice(staff[office_id]) if staff.get(office_id) else None, clerk[0], rings,
                   bool(rings and rings > 3), dept, None, result, callback, callback_due, callback_done, reply_due,
                   replied, "letter" if replied else "", bool(replied), None, "", state, done_at, closed_at, 0, received,
                   closed_at or t)

    for first in range(0, total, BATCH):  # a batch at a time: 2,000,000 contacts' steps never sit in memory at once
        bulk_insert(conn, "contact", CONTACT_COLUMNS, contacts(first, min(total, first + BATCH)))
        written["events"] += bulk_insert(conn, "record_event", EVENT_COLUMNS, events)
        written["duties"] += bulk_insert(conn, "duty", DUTY_COLUMNS, duties)
        events.clear()
        duties.clear()
    first_seq = next_id(conn, "number_sequence")
    bulk_insert(conn, "number_sequence", ("id", "name", "year", "last_value"),
                [(first_seq + n, "JD", year, last) for n, (year, last) in enumerate(sorted(counters.items()))])


# ----- benchmark hooks (scripts/bench.py) ---------------------------------------------------------

def _open_items(at, office_id: int) -> None:
    at.selectbox(key="rd_queue").set_value("open")  # 未关闭: what the desk still has to follow up


def _desk_open(at, office_id: int) -> None:
    at.segmented_control(key="rc_queue").set_value("open")


PAGE_FILTERS = {"views/reception/daily.py": _open_items, "views/reception/desk.py": _desk_open}
