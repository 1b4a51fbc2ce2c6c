"""Complaints at scale: a year of 投诉 with their timeline, class history, 通报, consultant requests and callbacks.

Older complaints are mostly closed, recent ones still open (about 1 in 10 past its deadline); numbers follow
``TS-<year>-<n>`` with the ``number_sequence`` counters moved past them, so new registrations continue the series.
Deadlines are approximated in calendar days (the real ones come from the policy book's working-day calendar).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from core.complaints import Category, Channel
from core.policy import PARAMS
from core.roles import Role
from db.models import Customer, CustomerProperty, OrgUnit, Property, User, UserRole
from scripts.scale import bulk_insert, mobile, moment_before, next_id, person

ORDER = 50
TABLES = ("complaint", "record_event", "duty", "complaint_grade_history", "complaint_report", "consultant",
          "consult_request", "callback", "number_sequence")

SHANGHAI = ZoneInfo("Asia/Shanghai")
CHANNELS = [(Channel.PHONE, 45), (Channel.VISIT, 25), (Channel.ONLINE, 8), (Channel.LETTER, 3), (Channel.HOME_VISIT, 5),
            (Channel.HQ_FORWARD, 5), (Channel.HOTLINE_12345, 7), (Channel.HOUSING_BUREAU, 1), (Channel.MEDIA, 1)]
# The shipped rows of the policy book's category table (the scale database keeps the defaults).
CATEGORY_LABELS = {r["code"]: r["label"] for r in PARAMS["complaint.categories"].default}
CATEGORIES = [(Category.ENGINEERING, 30), (Category.ENVIRONMENT, 15), (Category.SECURITY, 12), (Category.PARKING, 12),
              (Category.FEES, 8), (Category.ATTITUDE, 6), (Category.DECORATION, 6), (Category.NEIGHBOUR, 5),
              (Category.BUILDING_QUALITY, 4), (Category.OTHER, 2)]
GRADES = [("general", 80), ("important", 15), ("hot", 4), ("major", 1)]
DUE_DAYS = {"general": 2, "important": 3, "hot": 5, "major": 7}
TRIGGERS = {"general": "未触发升级条件", "important": "二次投诉", "hot": "同一事项不同投诉人≥3", "major": "集体投诉≥10人"}
ISSUES = {
    Category.ENGINEERING: ["电梯故障停运", "楼道灯不亮", "屋面渗水", "水管爆裂", "门禁损坏"],
    Category.ENVIRONMENT: ["垃圾清运不及时", "绿化修剪噪音", "楼道卫生差", "化粪池异味"],
    Category.SECURITY: ["外来人员随意进出", "夜间巡逻不到位", "电动车楼道充电"],
    Category.PARKING: ["车位被占", "停车收费有异议", "道闸故障"],
    Category.FEES: ["物业费账单有误", "公摊水电费偏高"],
    Category.ATTITUDE: ["前台态度冷淡", "维修工未按约上门"],
    Category.DECORATION: ["邻居装修噪音超时", "装修垃圾乱堆"],
    Category.NEIGHBOUR: ["楼上漏水纠纷", "宠物扰民"],
    Category.BUILDING_QUALITY: ["外墙开裂", "地下室返潮"],
    Category.OTHER: ["快递柜故障", "公告不及时"],
}
HANDLER_ROLES = [Role.CLERK.value, Role.ASSISTANT.value, Role.CS_SUPERVISOR.value, Role.CS_MANAGER.value]
# (state, weight) by age: open work is recent, the archive is old
RECENT = [("received", 10), ("assigned", 25), ("handled", 15), ("verified", 15), ("callback_done", 25),
          ("callback_exempt", 3), ("closed", 5), ("reopened", 2)]
OLD = [("closed", 750), ("callback_done", 200), ("callback_exempt", 40), ("verified", 3), ("handled", 3),
       ("assigned", 3), ("reopened", 1)]  # about 1 in 100 older complaints is still open (overdue)
PROGRESS = ["received", "assigned", "handled", "verified", "callback", "closed"]


def _pick(rng, weighted):
    values, cumulative = _TABLES.get(id(weighted)) or _TABLES.setdefault(
        id(weighted), ([v for v, _ in weighted], list(accumulate(w for _, w in weighted))))
    return rng.choices(values, cum_weights=cumulative)[0]


_TABLES: dict[int, tuple[list, list]] = {}


def generate(conn, rng, scale) -> None:
    anchor = scale.anchor
    props = conn.execute(select(Property.id, Property.office_id, Property.building_id, Property.label)
                         .order_by(Property.id)).all()
    owners = dict(conn.execute(select(CustomerProperty.property_id, CustomerProperty.customer_id)
                               .where(CustomerProperty.relation == "owner")).all())
    customers = dict(conn.execute(select(Customer.id, Customer.name).where(Customer.id.in_(
        select(CustomerProperty.customer_id).where(CustomerProperty.relation == "owner")))).all())
    phones = {}
    handlers: dict[int, list[tuple[int, str]]] = defaultdict(list)
    clerks: dict[int, tuple[int, str]] = {}
    for uid, name, role, unit in conn.execute(select(User.id, User.display_name, UserRole.role, UserRole.org_unit_id)
                                              .join(UserRole, UserRole.user_id == User.id).order_by(User.id)):
        if role in HANDLER_ROLES:
            handlers[unit].append((uid, name))
        if role == Role.CLERK.value:
            clerks.setdefault(unit, (uid, name))
    supervisors = {u: h for u, hs in handlers.items() for h in hs[:1]}
    consultant_user = conn.execute(select(UserRole.user_id).where(UserRole.role == Role.CONSULTANT.value)).scalars().first()
    offices = {o for o in conn.execute(select(OrgUnit.id).where(OrgUnit.kind == "office")).scalars()}
    props = [p for p in props if p[1] in offices and handlers.get(p[1])]

    first_consultant = next_id(conn, "consultant")
    specialities = ["电梯", "给排水", "法律", "消防", "园林绿化", "房屋结构", "装修管理", "停车管理"]
    consultants = [(first_consultant + i, person(rng), specialities[i % len(specialities)], mobile(rng), "",
                    "集团技术中心", consultant_user if i == 0 else None, True) for i in range(max(8, scale.offices // 2))]
    bulk_insert(conn, "consultant", ("id", "name", "speciality", "phone", "email", "unit", "user_id", "active"),
                consultants)

    ids = {t: next_id(conn, t) for t in ("complaint", "record_event", "complaint_grade_history", "complaint_report",
                                         "consult_request", "callback")}
    moments = sorted(moment_before(rng, anchor, 365) for _ in range(scale.complaints))
    events, grades, reports, consults, callbacks = [], [], [], [], []
    counters: dict[int, int] = defaultdict(int)

    office_of: dict[int, int] = {}

    def event(cid, at, who, action, from_state, to_state, note):
        events.append((ids["record_event"] + len(events), "complaint", cid, office_of[cid], at, who[0] if who else None,
                       who[1] if who else "系统", action, from_state, to_state, note, ""))

    def complaints():
        for i, received in enumerate(moments):
            cid = ids["complaint"] + i
            pid, office_id, building_id, label = props[rng.randrange(len(props))]
            office_of[cid] = office_id
            year = received.astimezone(SHANGHAI).year
            counters[year] += 1
            number = f"TS-{year}-{counters[year]:06d}"
            anonymous = rng.random() < 0.05
            customer_id = None if anonymous else owners.get(pid)
            name = "" if anonymous else customers.get(customer_id, "") or person(rng)
            phone = "" if anonymous else phones.setdefault(customer_id, mobile(rng))
            channel, category, grade = _pick(rng, CHANNELS), _pick(rng, CATEGORIES), _pick(rng, GRADES)
            issue = rng.choice(ISSUES[category])
            title = f"{label} {issue}"[:100]
            description = (f"{name or '匿名顾客'}反映：{label}{issue}，已持续{rng.randrange(1, 15)}天，"
                           f"希望尽快处理并回复。（{CATEGORY_LABELS[category]}）")
            age_days = (anchor - received).days
            state = _pick(rng, RECENT if age_days <= 14 else OLD)
            clerk = clerks.get(office_id) or handlers[office_id][0]
            handler = rng.choice(handlers[office_id])
            verifier = supervisors[office_id] if supervisors[office_id] != handler else clerk
            due = received + timedelta(days=DUE_DAYS[grade])
            late = rng.random() < 0.1
            step = PROGRESS.index({"received": "received", "assigned": "assigned", "reopened": "assigned",
                                   "handled": "handled", "verified": "verified", "callback_done": "callback",
                                   "callback_exempt": "callback", "closed": "closed"}[state])
            t = received
            event(cid, t, clerk, "register", None, "received", f"受理登记（{channel.value}，{CATEGORY_LABELS[category]}）")
            grades.append((ids["complaint_grade_history"] + len(grades), cid, t, None, grade, "rules", TRIGGERS[grade],
                           "", clerk[0]))
            report_due = reported = None
            if grade in ("hot", "major"):
                report_due, reported = received + timedelta(hours=1), received + timedelta(minutes=rng.randrange(5, 50))
                reports.append((ids["complaint_report"] + len(reports), cid, "notice", reported, clerk[0],
                                "客服中心(总部)、公司领导、管理处主任", TRIGGERS[grade]))
            assigned_to = handled_at = handled_by = verified_at = verified_by = callback_due = closed_at = None
            exemption, exemption_reason, exempt_by = None, "", None
            if step >= 1:
                t += timedelta(minutes=rng.randrange(10, 240))
                assigned_to = handler
                event(cid, t, clerk, "assign", "received", "assigned", f"派单给 {handler[1]}")
                if rng.random() < 0.02:
                    consults.append((ids["consult_request"] + len(consults), cid, office_id,
                                     rng.choice(consultants)[0], False, f"{issue}，请顾问给出处理建议", t, handler[0],
                                     t + timedelta(hours=24), None, None, None, t + timedelta(hours=rng.randrange(2, 30)),
                                     "建议先排查原因，书面答复见附件。", consultant_user, None))
            if step >= 2:
                span = (due - t).total_seconds() * (1.3 if late else 0.8)
                t += timedelta(seconds=max(600, rng.random() * span))
                handled_at, handled_by = t, handler[0]
                event(cid, t, handler, "handle", "assigned", "handled", f"处理完成：已安排维修/协调，{issue}已解决")
            if step >= 3:
                t += timedelta(hours=rng.randrange(1, 24))
                verified_at, verified_by, callback_due = t, verifier[0], t + timedelta(days=3)
                event(cid, t, verifier, "verify", "handled", "verified", "验证合格")
            if step >= 4:
                t += timedelta(hours=rng.randrange(2, 70))
                if state == "callback_exempt":
                    exemption, exemption_reason, exempt_by = "on_spot", "当场解决且顾客当场确认满意", verifier[0]
                    event(cid, t, verifier, "exempt", "verified", "callback_exempt", exemption_reason)
                else:
                    reached = not anonymous
                    callbacks.append((ids["callback"] + len(callbacks), cid, t, verifier[0], "phone", reached,
                                      name if reached else "", rng.choice(("satisfied", "satisfied", "basic"))
                                      if reached else None, "", "", False))
                    event(cid, t, verifier, "callback", "verified", "callback_done", "回访：满意")
            if step >= 5:
                t += timedelta(hours=rng.randrange(1, 48))
                closed_at = t
                event(cid, t, verifier, "close", "callback_done", "closed", "归档")
            if state == "reopened":  # the callback found the customer unsatisfied
                event(cid, t + timedelta(hours=1), verifier, "callback", "verified", "reopened", "回访：不满意，重新处理")
            yield (cid, number, office_id, pid, building_id, customer_id, anonymous, name, phone, not anonymous, 1,
                   channel.value, category.value, title, description, received - timedelta(hours=rng.randrange(0, 48)),
                   received, grade, TRIGGERS[grade], "", "rules", grade, state,
                   assigned_to[0] if assigned_to else None, due, report_due, reported, handled_at, handled_by,
                   "已处理" if handled_at else "", verified_at, verified_by, exemption is None, callback_due, exemption,
                   exemption_reason, exempt_by, closed_at, 1 if state == "reopened" else 0, 0, clerk[0], received,
                   t if t > received else received)

    bulk_insert(conn, "complaint", (
        "id", "number", "office_id", "property_id", "building_id", "customer_id", "anonymous", "complainant_name",
        "complainant_phone", "contact_available", "complainant_count", "channel", "category", "title", "description",
        "occurred_at", "received_at", "grade", "grade_trigger", "grade_citation", "grade_source", "rules_grade", "state",
        "handler_user_id", "due_at", "report_due_at", "reported_at", "handled_at", "handled_by", "handling_result",
        "verified_at", "verified_by", "callback_required", "callback_due_at", "exemption_kind", "exemption_reason",
        "exempt_by", "closed_at", "reopen_count", "policy_version", "created_by", "created_at", "updated_at"),
        complaints())
    bulk_insert(conn, "record_event", ("id", "record_type", "record_id", "office_id", "at", "actor_user_id", "actor_name",
                                       "event", "from_state", "to_state", "note", "citation"), events)
    now = anchor.astimezone(UTC)
    conn.execute(text(DUTIES_FROM_COMPLAINTS),
                 {"now": now if conn.dialect.name == "postgresql" else f"{now:%Y-%m-%d %H:%M:%S.%f}"})
    bulk_insert(conn, "complaint_grade_history", ("id", "complaint_id", "at", "from_grade", "to_grade", "source",
                                                  "trigger", "reason", "actor_user_id"), grades)
    bulk_insert(conn, "complaint_report", ("id", "complaint_id", "kind", "at", "by_user_id", "to_whom", "note"), reports)
    bulk_insert(conn, "consult_request", ("id", "complaint_id", "office_id", "consultant_id", "is_temporary", "question",
                                          "requested_at", "requested_by", "due_at", "hq_asked_at", "hq_forward_due_at",
                                          "hq_forwarded_at", "replied_at", "reply", "replied_by",
                                          "final_result_notified_at"), consults)
    bulk_insert(conn, "callback", ("id", "complaint_id", "at", "by_user_id", "method", "reached", "person_reached",
                                   "satisfaction", "comment", "follow_up", "reopened"), callbacks)
    first_seq = next_id(conn, "number_sequence")
    bulk_insert(conn, "number_sequence", ("id", "name", "year", "last_value"),
                [(first_seq + n, "TS", year, last) for n, (year, last) in enumerate(sorted(counters.items()))])


# ----- benchmark hooks (scripts/bench.py) ---------------------------------------------------------

def _working_list(at, office_id: int) -> None:
    at.selectbox(key="c_state").set_value("assigned")  # 已派单: the complaints being worked on


def _all_consults(at, office_id: int) -> None:
    at.toggle(key="consult_open").set_value(False)


PAGE_FILTERS = {"views/complaints/list.py": _working_list, "views/complaints/consult.py": _all_consults}

# "搜索编号或内容" over every office: LIKE "%text%" on the description scans the table (reported, no target).
STRESS_QUERIES = {"全公司投诉内容搜索“电梯”": lambda actor_for: _text_search("电梯", actor_for)}


def _text_search(text: str, actor_for) -> int:
    from datetime import UTC, datetime

    from db.services.complaint_queues import search

    return search(actor=actor_for("bench_hq_head"), now=datetime.now(UTC), text=text, page=1, page_size=30).total

BASELINE_TITLE, BASELINE_PAGE = "投诉列表（全部管理处，状态“已派单”）", "views/complaints/list.py"


def ours_list(actor_for) -> int:
    """What the list page asks for: one SQL page of 30 with its total."""
    from datetime import UTC, datetime

    from db.services.complaint_queues import search

    return search(actor=actor_for("bench_hq_head"), now=datetime.now(UTC), state="assigned", page=1,
                  page_size=30).total


def naive_list(url: str) -> int:
    """The naive way: the whole complaint table into pandas, then filter, sort and page in pandas."""
    import pandas as pd
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.connect() as conn:
        complaints = pd.read_sql("SELECT * FROM complaint", conn)
        offices = pd.read_sql("SELECT id, name FROM org_unit", conn)
    engine.dispose()
    hit = complaints[complaints["state"] == "assigned"]
    page = hit.sort_values(["received_at", "id"], ascending=False).head(30)
    page = page.merge(offices, left_on="office_id", right_on="id", how="left", suffixes=("", "_office"))
    return len(hit)


def write_once(actor_for, tag: str, thread: int, seq: int) -> None:
    """One 受理登记 through the real service: class, deadlines, number from the sequence, timeline, audit row."""
    import uuid
    from datetime import UTC, datetime, timedelta

    from db.services.complaints import ComplaintIn, register

    office_no = thread % len(actor_for.office_ids)
    actor = actor_for(f"bench_clerk_{office_no + 1:02d}")
    now = datetime.now(UTC)
    register(actor=actor, request_id=uuid.uuid4().hex, now=now, data=ComplaintIn(
        office_id=actor_for.office_ids[office_no], channel="phone", category="engineering",
        title=f"{tag}-{thread:02d}-{seq:03d}", description=f"{tag} 压测：楼道灯不亮，请尽快维修。",
        occurred_at=now - timedelta(hours=2), complainant_name="压测顾客", complainant_phone="13800000000"))


def count_writes(tag: str) -> int:
    from sqlalchemy import func
    from sqlmodel import select

    from db.models import Complaint
    from db.session import read_session

    with read_session() as s:
        return int(s.exec(select(func.count(func.distinct(Complaint.number))).where(
            Complaint.title.like(f"{tag}-%"))).one())


def complaint_pdf(actor_for) -> int:
    """投诉处理单 of a closed complaint with its whole timeline: load the detail, render the PDF."""
    from datetime import UTC, datetime

    from sqlmodel import select

    from core.pdf.complaint_forms import complaint_sheet
    from db.models import Complaint
    from db.services.complaints import detail
    from db.session import read_session
    from views.complaints.widgets.common import sheet_data

    with read_session() as s:
        cid = s.exec(select(Complaint.id).where(Complaint.state == "closed").order_by(Complaint.id.desc())).first()
    d = detail(actor=actor_for("bench_hq_head"), complaint_id=cid, now=datetime.now(UTC))
    return len(complaint_sheet(sheet_data(d), company=d.company, printed_at=datetime.now(UTC)))


# The complaints' duties as the services would have written them (handling, 通报, callback), from the rows above.
DUTIES_FROM_COMPLAINTS = """
INSERT INTO duty (record_type, record_id, office_id, duty, key, clause, policy_version, responsible_user_id,
                  responsible_role, started_at, due_at, met_at, met_by, state, breached, breached_at, note,
                  created_at, updated_at)
SELECT 'complaint', id, office_id, 'complaint.handle', '', '', policy_version, handler_user_id, '', received_at,
       due_at, verified_at, verified_by, CASE WHEN verified_at IS NULL THEN 'open' ELSE 'met' END,
       COALESCE(verified_at, :now) > due_at, NULL, '', created_at, updated_at
  FROM complaint WHERE due_at IS NOT NULL
UNION ALL
SELECT 'complaint', id, office_id, 'complaint.report', '', '', policy_version, NULL, 'office_director', received_at,
       report_due_at, reported_at, NULL, CASE WHEN reported_at IS NULL THEN 'open' ELSE 'met' END,
       COALESCE(reported_at, :now) > report_due_at, NULL, '', created_at, updated_at
  FROM complaint WHERE report_due_at IS NOT NULL
UNION ALL
SELECT 'complaint', id, office_id, 'complaint.callback', '', '', policy_version, NULL, '', verified_at,
       callback_due_at, closed_at, NULL,
       CASE WHEN exemption_kind IS NOT NULL THEN 'cancelled' WHEN closed_at IS NULL THEN 'open' ELSE 'met' END,
       COALESCE(closed_at, :now) > callback_due_at, NULL, '', created_at, updated_at
  FROM complaint WHERE callback_due_at IS NOT NULL
"""
