"""A year of activity: audit rows (logins, master-data edits, refusals) and in-app notices for every account."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from db.models import OrgUnit, User
from scripts.scale import bulk_insert, moment_before, next_id

ORDER = 40
TABLES = ("audit_log", "notice")

ACTIONS = [  # (action, entity, summary template, weight)
    ("auth.login", "user", "{user} 来自 10.1.{a}.{b}", 40),
    ("customer.update", "customer", "客户 {person}", 15),
    ("customer.create", "customer", "客户 {person}", 8),
    ("staff.update", "staff", "员工 {person}", 5),
    ("property.update", "property", "房屋 {n}", 5),
    ("pii.view_id_number", "customer", "查看 {person} 的完整证件号", 4),
    ("auth.login_failed", "user", "{user} 来自 10.1.{a}.{b}", 4),
    ("permission.denied", "", "拒绝：people.manage", 2),
    ("policy.set", "policy", "制度参数调整：会议纪要第{a}项", 1),
]
NOTICE_KINDS = [("assigned", "指派给我：请处理事项 {n}"), ("approval", "待我审批：申请 {n}"),
                ("report", "通报：{n} 号事项请确认"), ("info", "系统通知 {n}")]


def generate(conn, rng, scale) -> None:
    users = conn.execute(select(User.id, User.username, User.display_name).order_by(User.id)).all()
    offices = list(conn.execute(select(OrgUnit.id).where(OrgUnit.kind == "office").order_by(OrgUnit.id)).scalars())
    weights = [a[3] for a in ACTIONS]
    first = next_id(conn, "audit_log")
    # ids ascend with time, as they do in production (the audit page sorts by id)
    moments = sorted(moment_before(rng, scale.anchor, 365) for _ in range(scale.audit_rows))

    def audit_rows():
        for i, at in enumerate(moments):
            action, entity, template, _w = rng.choices(ACTIONS, weights)[0]
            uid, uname, display = users[rng.randrange(len(users))]
            summary = template.format(user=uname, person=display, n=rng.randrange(1, 10**6), a=rng.randrange(256),
                                      b=rng.randrange(256))
            yield (first + i, at, uid, display, action, entity, str(rng.randrange(1, 10**5)),
                   rng.choice(offices) if entity != "user" else None, summary, "")

    bulk_insert(conn, "audit_log", ("id", "at", "actor_user_id", "actor_name", "action", "entity", "entity_id",
                                    "office_id", "summary", "source"), audit_rows())

    first = next_id(conn, "notice")

    def notices():
        nid = first
        for uid, _name, _display in users:
            for _ in range(scale.notices_per_user):
                kind, title = rng.choice(NOTICE_KINDS)
                created = moment_before(rng, scale.anchor, 90)
                acked = created + timedelta(hours=rng.randrange(1, 72)) if rng.random() < 0.7 else None
                yield (nid, uid, kind, title.format(n=rng.randrange(1, 10**5)), "", "", "", "", None,
                       kind == "report", None, created, acked)
                nid += 1

    bulk_insert(conn, "notice", ("id", "recipient_user_id", "kind", "title", "body", "page", "entity", "entity_id",
                                 "office_id", "requires_ack", "due_at", "created_at", "acked_at"), notices())


# ----- benchmark hooks (scripts/bench.py) ---------------------------------------------------------

def _logins_only(at, office_id: int) -> None:
    at.selectbox(key="audit_category").set_value("auth")  # 类别: 登录与会话 (last 30 days, the default period)


def _all_notices(at, office_id: int) -> None:
    at.toggle[0].set_value(False)  # 只看未确认 off: the whole history


PAGE_FILTERS = {"views/admin/audit.py": _logins_only, "views/home/notices.py": _all_notices}
