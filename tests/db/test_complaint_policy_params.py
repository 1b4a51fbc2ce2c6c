"""Every policy-book parameter of the complaint group decides something (issue 11 item 19), on SQLite and PostgreSQL.

For each parameter: the same scenario runs through the services once under the shipped default and once after an
administrator changes the value (policy.set_value, in force before the scenario); the decision must differ. A
parameter with no probe must be on ``NOT_YET`` with the issue that will make it decide something.
"""

from __future__ import annotations

import io
import random
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlmodel import Session, select

from core import policy as book
from core.errors import DomainError
from core.roles import Role
from db.engine import get_engine
from db.models import Building, ComplaintReport, Consultant, Duty, OnlinePost, Property, Zone
from db.services import (
    complaint_callbacks,
    complaint_consult,
    complaint_disclosure,
    complaint_groups,
    complaint_online,
    complaint_stats,
)
from db.services import complaint_flow as flow
from db.services import complaint_queues as queues
from db.services import complaints as svc
from db.services import policy as policy_svc
from db.services.complaints import ComplaintIn, OnlineIn
from ui.fmt import TZ

H = timedelta(hours=1)
D = timedelta(days=1)

# Parameters that decide nothing yet, each with the issue that is to make it decide something.
NOT_YET = {
}


def _data(office_id, now, **kw) -> ComplaintIn:
    base = dict(office_id=office_id, channel="phone", category="engineering", description="楼道灯坏了三天没人修",
                occurred_at=now - 2 * H, complainant_name="张业主", complainant_phone="13800000001")
    base.update(kw)
    return ComplaintIn(**base)


class World:
    """One database's actors and helpers for the probes."""

    def __init__(self, org, make_actor, now):
        self.org, self.now = org, now
        self.clerk = make_actor(Role.CLERK, org.office_a)
        self.sup = make_actor(Role.CS_SUPERVISOR, org.office_a)
        self.sup2 = make_actor(Role.CS_SUPERVISOR, org.office_a)
        self.hq = make_actor(Role.HQ_SPECIALIST, org.hq_id)
        self.admin = make_actor(Role.SYSADMIN, org.hq_id)
        self.n = 0

    def reg(self, **kw):
        self.n += 1
        return svc.register(actor=self.clerk, data=_data(self.org.office_a, self.now, **kw), request_id=f"p{self.n}",
                            now=self.now)

    def handled(self, c):
        flow.assign(actor=self.sup, complaint_id=c.id, handler_user_id=self.clerk.user_id, department_id=None, note="",
                    now=self.now)
        return flow.mark_handled(actor=self.clerk, complaint_id=c.id, result="已处理", now=self.now)

    def verified(self, c):
        self.handled(c)
        return flow.verify(actor=self.sup, complaint_id=c.id, note="", now=self.now)

    def consultant(self) -> int:
        with Session(get_engine()) as s:
            row = Consultant(name="冯顾问", speciality="法律")
            s.add(row)
            s.commit()
            return int(row.id)

    def consult(self):
        c = self.reg()
        rid = complaint_consult.request_consult(actor=self.sup, complaint_id=c.id, consultant_id=self.consultant(),
                                                question="是否属保修", now=self.now)
        return c, rid

    def flat(self) -> int:
        with Session(get_engine()) as s:
            zone = Zone(office_id=self.org.office_a, name="东方苑")
            s.add(zone)
            s.flush()
            b = Building(office_id=self.org.office_a, zone_id=zone.id, name="1幢")
            s.add(b)
            s.flush()
            p = Property(office_id=self.org.office_a, zone_id=zone.id, building_id=b.id, room="101", label="东方苑 1幢 101")
            s.add(p)
            s.commit()
            return int(p.id)

    def duty_due(self, c, code):
        with Session(get_engine()) as s:
            return s.exec(select(Duty.due_at).where(Duty.record_id == c.id, Duty.duty == code)
                          .order_by(Duty.id.desc())).first()

    def post(self, c) -> OnlinePost:
        with Session(get_engine()) as s:
            return s.exec(select(OnlinePost).where(OnlinePost.complaint_id == c.id)).one()


def _outcome(fn):
    try:
        return fn()
    except DomainError as exc:
        return f"refused: {exc.message}"


def _noise_png(kb: int) -> bytes:
    rng = random.Random(7)
    side = int((kb * 1024 / 3) ** 0.5) + 8
    img = Image.frombytes("RGB", (side, side), bytes(rng.randrange(256) for _ in range(side * side * 3)))
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def _same_issue(w: World, *, ages=(0 * D, 0 * D, 0 * D)):
    made = [w.reg(complainant_name=f"业主{i}", complainant_phone=f"1380000001{i}", occurred_at=w.now - a - H,
                  received_at=w.now - a)
            for i, a in enumerate(ages)]
    group = complaint_groups.link_same_issue(actor=w.sup, complaint_id=made[1].id, with_complaint_id=made[0].id,
                                             title="同一事项", now=w.now)
    complaint_groups.link_same_issue(actor=w.sup, complaint_id=made[2].id, group_id=group, now=w.now)
    return svc.detail(actor=w.sup, complaint_id=made[2].id, now=w.now).complaint.grade


def _repeat(w: World):
    c = w.verified(w.reg())
    flow.record_callback(actor=w.sup2, complaint_id=c.id, method="phone", reached=True, person_reached="张业主",
                         satisfaction="unsatisfied", comment="", follow_up="", now=w.now)
    return svc.detail(actor=w.sup, complaint_id=c.id, now=w.now).complaint.grade


def _soon(w: World):
    c = w.reg()  # 一般: due in 2 working days
    return [r.id for r in queues.search(actor=w.sup, now=c.due_at - 30 * H, queue="soon").rows]


def _report(w: World):
    c = w.reg(complainant_count=3)
    with Session(get_engine()) as s:
        return sorted(r.to_whom for r in s.exec(select(ComplaintReport).where(ComplaintReport.complaint_id == c.id)))


def _rows_without(key: str, code: str, field: str, drop: str):
    rows = [dict(r) for r in book.PARAMS[key].default]
    for r in rows:
        if r["code"] == code:
            r[field] = [x for x in r[field] if x != drop]
    return rows


def _deactivated(key: str, code: str):
    return [{**r, "active": r["active"] and r["code"] != code} for r in book.PARAMS[key].default]


def _archived(w: World, c):
    w.verified(c)
    flow.record_callback(actor=w.sup2, complaint_id=c.id, method="phone", reached=True, person_reached="张业主",
                         satisfaction="satisfied", comment="", follow_up="", now=w.now)
    return flow.close(actor=w.sup, complaint_id=c.id, note="", now=w.now)


def _callback_rate_meets_target(w: World):
    """One of two callbacks done: 50% — below the shipped target, at a target of 50%."""
    for c in (w.verified(w.reg()), w.verified(w.reg())):
        last = c
    flow.record_callback(actor=w.sup2, complaint_id=last.id, method="phone", reached=True, person_reached="张业主",
                         satisfaction="satisfied", comment="", follow_up="", now=w.now)
    local = w.now.astimezone(TZ)
    rates = complaint_callbacks.callback_rates(actor=w.sup, month=local.date().replace(day=1),
                                               now=w.now + 5 * D, tz=TZ)
    return [r.meets_target for r in rates]


def _unreachable_after_one_attempt(w: World):
    c = w.verified(w.reg())
    flow.record_callback(actor=w.sup2, complaint_id=c.id, method="phone", reached=False, person_reached="",
                         satisfaction=None, comment="无人接听", follow_up="", now=w.now)
    return _outcome(lambda: flow.exempt_callback(actor=w.sup2, complaint_id=c.id, kind="unreachable",
                                                 reason="联系不上", now=w.now).state)


def _major_called_back_by_a_supervisor(w: World):
    c = w.handled(w.reg(complainant_count=12))
    flow.verify(actor=w.sup2, complaint_id=c.id, note="", now=w.now)
    return _outcome(lambda: flow.record_callback(actor=w.sup, complaint_id=c.id, method="phone", reached=True,
                                                 person_reached="张业主", satisfaction="satisfied", comment="",
                                                 follow_up="", now=w.now).state)


PROBES = {
    "complaint.consultant_reply": (_dur := lambda n, u: {"amount": n, "unit": u})(48, "hours"),
    "complaint.contact_within": _dur(4, "hours"),
    "complaint.major_collective": 12,
    "complaint.hot_collective": 4,
    "complaint.hot_same_issue": 4,
    "complaint.same_issue_window": _dur(10, "days"),
    "complaint.hot_unresolved": _dur(10, "days"),
    "complaint.major_unresolved": _dur(2, "months"),
    "complaint.thresholds_inclusive": False,
    "complaint.rank": "major>important>hot>general",
    "complaint.report_at_once": _dur(2, "hours"),
    "complaint.express_bulletin_every": _dur(3, "days"),
    "complaint.due_major": _dur(3, "days"),
    "complaint.due_hot": _dur(3, "days"),
    "complaint.due_important": _dur(5, "working_days"),
    "complaint.due_general": _dur(1, "working_days"),
    "complaint.callback_within": _dur(1, "days"),
    "complaint.hotline_reply": _dur(1, "working_days"),
    "complaint.online_facts": _dur(12, "hours"),
    "complaint.online_facts_viral": _dur(2, "hours"),
    "complaint.online_public_reply": _dur(1, "working_days"),
    "complaint.attachment_max_kb": 16,
    "complaint.important_on_repeat": False,
    "complaint.important_on_help": False,
    "complaint.callback_exempt_extra": "顾客已搬离本小区",
    "complaint.hq_forward_within": _dur(4, "hours"),
    "complaint.same_issue_suggest_days": 5,
    "complaint.breaching_soon_hours": 48,
    "complaint.categories": _deactivated("complaint.categories", "engineering"),
    "complaint.report_routing": _rows_without("complaint.report_routing", "hot", "recipients", "office_director"),
    "complaint.age_clock_from_receipt": True,
    "complaint.special_report_within": _dur(3, "days"),
    "complaint.callback_target_pct": 50,
    "complaint.callback_attempts": 1,
    "complaint.callback_callers": [{"code": "major", "label": "重大投诉", "roles": ["cs_supervisor"], "active": True}],
    "complaint.monthly_report_due_day": 10,
    "complaint.case_submit_within": _dur(3, "days"),
    "complaint.publication_per_month": 0,
}

def _last_month_table_due(w):
    """The 报送 deadline of last month's 《顾客投诉分类统计表》, and whether it is overdue now."""
    [status] = complaint_stats.statuses(actor=w.hq, month=date(2026, 10, 1), now=w.now, office_id=w.org.office_a)
    return status.due_at, status.duty.value


def _last_month_disclosure(w):
    """Last month's 投诉公示 task of an office with a complaint about a common area: owed, or not needed. Each call
    looks one month later (the monthly job opens a month's tasks once), so the two runs judge a fresh month each."""
    w.disclosure_runs = getattr(w, "disclosure_runs", 0) + 1
    now = w.now + (w.disclosure_runs - 1) * 31 * D
    w.reg(common_area=True, received_at=now - 30 * D, occurred_at=now - 31 * D)
    complaint_disclosure.open_last_month(now=now)
    month = date(now.year, now.month, 1) - 10 * D
    return [(t.state, t.required) for t in complaint_disclosure.tasks(
        actor=w.hq, month=month, now=now, office_id=w.org.office_a)]


SCENARIOS = {
    "complaint.consultant_reply": lambda w: (lambda c, rid: w.duty_due(c, "complaint.consult_reply"))(*w.consult()),
    "complaint.contact_within": lambda w: w.reg(first_received_at=w.now - 3 * H, held_by="保安小赵").contact_due_at,
    "complaint.major_collective": lambda w: w.reg(complainant_count=10).grade,
    "complaint.hot_collective": lambda w: w.reg(complainant_count=3).grade,
    "complaint.hot_same_issue": lambda w: _same_issue(w),
    "complaint.same_issue_window": lambda w: _same_issue(w, ages=(20 * D, 0 * D, 0 * D)),
    "complaint.hot_unresolved": lambda w: w.reg(our_fault=True, occurred_at=w.now - 8 * D).grade,
    "complaint.major_unresolved": lambda w: w.reg(our_fault=True, occurred_at=w.now - 40 * D).grade,
    "complaint.thresholds_inclusive": lambda w: w.reg(complainant_count=3).grade,
    "complaint.rank": lambda w: w.reg(complainant_count=3, needs_group_help=True).grade,
    "complaint.report_at_once": lambda w: w.reg(complainant_count=3).report_due_at,
    "complaint.express_bulletin_every": lambda w: w.duty_due(w.reg(lawsuit=True), "complaint.express"),
    "complaint.due_major": lambda w: w.reg(lawsuit=True).due_at,
    "complaint.due_hot": lambda w: w.reg(complainant_count=3).due_at,
    "complaint.due_important": lambda w: w.reg(needs_group_help=True).due_at,
    "complaint.due_general": lambda w: w.reg().due_at,
    "complaint.callback_within": lambda w: w.verified(w.reg()).callback_due_at,
    "complaint.hotline_reply": lambda w: w.reg(channel="hotline_12345").hotline_due_at,
    "complaint.online_facts": lambda w: w.post(w.reg(channel="online", online=OnlineIn(platform="业主论坛"))).facts_due_at,
    "complaint.online_facts_viral": lambda w: w.post(w.reg(channel="online", online=OnlineIn(
        platform="业主论坛", viral=True))).facts_due_at,
    "complaint.online_public_reply": lambda w: (lambda c: (
        complaint_online.online_facts(actor=w.clerk, complaint_id=c.id, facts_text="经查属实", now=w.now),
        w.post(c).public_reply_due_at)[1])(w.reg(channel="online", online=OnlineIn(platform="业主论坛"))),
    "complaint.attachment_max_kb": lambda w: _outcome(lambda: w.reg(attachments=[("现场.png", _noise_png(24))]).number),
    "complaint.important_on_repeat": _repeat,
    "complaint.important_on_help": lambda w: w.reg(needs_group_help=True).grade,
    "complaint.callback_exempt_extra": lambda w: _outcome(lambda: flow.exempt_callback(
        actor=w.sup, complaint_id=w.verified(w.reg()).id, kind="other", extra_case="顾客明确表示不接受回访",
        reason="顾客来电表示", now=w.now).state),
    "complaint.hq_forward_within": lambda w: (lambda c, rid: (
        complaint_consult.consultant_unreachable(actor=w.sup, consult_id=rid, now=w.now),
        w.duty_due(c, "complaint.hq_forward"))[1])(*w.consult()),
    "complaint.same_issue_suggest_days": lambda w: (lambda flat: (
        w.reg(property_id=flat, received_at=w.now - 10 * D, occurred_at=w.now - 11 * D),
        len(complaint_groups.suggest_same_issue(actor=w.sup, complaint_id=w.reg(property_id=flat).id, now=w.now)))[1])(
        w.flat()),
    "complaint.breaching_soon_hours": _soon,
    "complaint.categories": lambda w: _outcome(lambda: w.reg(category="engineering").grade),
    "complaint.report_routing": _report,
    "complaint.age_clock_from_receipt": lambda w: w.reg(our_fault=True, occurred_at=w.now - 8 * D).grade,
    "complaint.special_report_within": lambda w: w.duty_due(_archived(w, w.reg(complainant_count=3)), "complaint.special"),
    "complaint.callback_target_pct": _callback_rate_meets_target,
    "complaint.callback_attempts": _unreachable_after_one_attempt,
    "complaint.callback_callers": _major_called_back_by_a_supervisor,
    "complaint.monthly_report_due_day": _last_month_table_due,
    "complaint.case_submit_within": lambda w: w.duty_due(_archived(w, w.reg(complainant_count=3)), "complaint.case"),
    "complaint.publication_per_month": _last_month_disclosure,
}


def test_every_complaint_parameter_has_a_probe_or_waits_for_a_named_issue():
    group = {key for key, p in book.PARAMS.items() if p.group == "complaint"}
    assert set(PROBES) == set(SCENARIOS)
    assert group == set(PROBES) | set(NOT_YET), "a complaint parameter without a probe (or one that no longer exists)"
    assert not set(PROBES) & set(NOT_YET)


@pytest.mark.parametrize("key", sorted(PROBES))
def test_changing_the_parameter_changes_a_decision(key, db_url, org, make_actor, now):
    w = World(org, make_actor, now)
    before = SCENARIOS[key](w)
    policy_svc.set_value(actor=w.admin, key=key, value=PROBES[key], effective_from=now - 60 * D, reason="测试", now=now)
    after = SCENARIOS[key](w)
    assert before != after, f"{key}: {PROBES[key]!r} decides the same as the default ({before!r})"
