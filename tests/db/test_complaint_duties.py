"""The complaint module on the spine's duties: every deadline column agrees with its duty row, through a whole life.

The columns (``Complaint.due_at``, ``report_due_at``/``reported_at``, ``hotline_due_at``, ``callback_due_at``, the
consult request's and online post's) stay as the list queries' denormalisation; ``complaint_kernel.set_deadline`` /
``meet_deadline`` write them together with the ``duty`` rows. These tests walk complaints through intake, class
changes, handling, callback (unsatisfied → reopened), consultants, online posts, 通报, 快报 and archiving, checking
after every step that the two agree, and that the dashboard query counts them.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from core.roles import Role
from db.engine import get_engine
from db.models import Complaint, Consultant, ConsultRequest, OnlinePost
from db.models.base import as_utc
from db.services import complaint_consult, complaint_grades, complaint_online
from db.services import complaint_flow as flow
from db.services import complaint_reports as reports
from db.services import complaints as svc
from db.services.complaint_kernel import COLUMNS
from db.services.complaints import ComplaintIn, OnlineIn
from db.services.duties import duties, record_duties
from db.session import read_session

H = timedelta(hours=1)
TZ = ZoneInfo("Asia/Shanghai")


def _data(office_id, now, **kw) -> ComplaintIn:
    base = dict(office_id=office_id, channel="phone", category="engineering", description="楼道灯坏了三天没人修",
                occurred_at=now - 2 * H, complainant_name="张业主", complainant_phone="13800000001")
    base.update(kw)
    return ComplaintIn(**base)


@pytest.fixture
def team(org, make_actor):
    return {
        "clerk": make_actor(Role.CLERK, org.office_a), "sup": make_actor(Role.CS_SUPERVISOR, org.office_a),
        "sup2": make_actor(Role.CS_SUPERVISOR, org.office_a), "hq": make_actor(Role.HQ_SPECIALIST, org.hq_id),
        "consultant": make_actor(Role.CONSULTANT, org.hq_id, name="冯顾问"),
    }


def _owners(s, c: Complaint) -> dict[str, list]:
    """The rows carrying each duty's columns: the complaint, its consult requests, its online post."""
    consults = list(s.exec(select(ConsultRequest).where(ConsultRequest.complaint_id == c.id)).all())
    post = s.exec(select(OnlinePost).where(OnlinePost.complaint_id == c.id)).first()
    owners = {code: [c] for code in ("complaint.handle", "complaint.report", "complaint.hotline", "complaint.callback")}
    owners["complaint.consult_reply"] = owners["complaint.hq_forward"] = consults
    owners["complaint.online_facts"] = owners["complaint.online_reply"] = [post] if post else []
    return owners


def assert_columns_agree(complaint_id: int) -> dict[str, list]:
    """For every duty with columns: a due column set ⇔ the latest duty row of that kind has that due time (and is not
    cancelled); a met column ⇔ that row's met time. Returns the duty rows by code."""
    with read_session() as s:
        c = s.get(Complaint, complaint_id)
        rows = record_duties(s, record_type="complaint", record_id=c.id)
        by_code: dict[str, list] = {}
        for d in sorted(rows, key=lambda d: d.id):
            by_code.setdefault(d.duty, []).append(d)
        assert sum(d.state == "open" for d in rows if d.duty == "complaint.handle") <= 1
        for code, owners in _owners(s, c).items():
            due_col, met_col = COLUMNS[code]
            for owner in owners:
                key = str(owner.id) if isinstance(owner, ConsultRequest) else ""
                latest = [d for d in by_code.get(code, []) if d.key == key][-1:]
                due = as_utc(getattr(owner, due_col))
                if due is None:
                    assert not latest or latest[0].state != "open", f"{code}: open duty without its column"
                    continue
                assert latest, f"{code}: column {due_col} set without a duty row"
                assert (as_utc(latest[0].due_at), latest[0].state != "cancelled") == (due, True), code
                if met_col:
                    assert as_utc(latest[0].met_at) == as_utc(getattr(owner, met_col)), code
        return by_code


def test_a_complaint_through_its_whole_life_keeps_columns_and_duties_in_step(db_url, org, team, now):
    c = svc.register(actor=team["clerk"], data=_data(org.office_a, now, channel="hotline_12345"), request_id="a",
                     now=now)
    duties_now = assert_columns_agree(c.id)
    assert set(duties_now) == {"complaint.handle", "complaint.hotline"}
    assert duties_now["complaint.handle"][0].policy_version == c.policy_version
    assert duties_now["complaint.handle"][0].clause.startswith("公司设定")

    flow.assign(actor=team["sup"], complaint_id=c.id, handler_user_id=team["clerk"].user_id, department_id=None,
                note="", now=now + H)
    assert {d.duty: d.responsible_user_id for d in assert_columns_agree(c.id)["complaint.handle"]} == \
           {"complaint.handle": team["clerk"].user_id}
    flow.mark_handled(actor=team["clerk"], complaint_id=c.id, result="已更换灯泡", now=now + 2 * H)
    assert assert_columns_agree(c.id)["complaint.hotline"][0].state == "met"
    flow.verify(actor=team["sup"], complaint_id=c.id, note="", now=now + 3 * H)
    by_code = assert_columns_agree(c.id)
    assert [d.state for d in by_code["complaint.handle"]] == ["met"]
    assert [d.state for d in by_code["complaint.callback"]] == ["open"]

    flow.record_callback(actor=team["sup2"], complaint_id=c.id, method="phone", reached=True, person_reached="张业主",
                         satisfaction="unsatisfied", comment="灯又坏了", follow_up="", now=now + 4 * H)
    by_code = assert_columns_agree(c.id)  # callback met; a new handling period is open; the class rose
    assert [d.state for d in by_code["complaint.callback"]] == ["met"]
    assert [d.state for d in by_code["complaint.handle"]] == ["met", "open"]
    flow.assign(actor=team["sup"], complaint_id=c.id, handler_user_id=team["clerk"].user_id, department_id=None,
                note="", now=now + 5 * H)
    flow.mark_handled(actor=team["clerk"], complaint_id=c.id, result="更换整套灯具", now=now + 6 * H)
    flow.verify(actor=team["sup"], complaint_id=c.id, note="", now=now + 7 * H)
    flow.record_callback(actor=team["sup2"], complaint_id=c.id, method="phone", reached=True, person_reached="张业主",
                         satisfaction="satisfied", comment="", follow_up="", now=now + 8 * H)
    assert [d.state for d in assert_columns_agree(c.id)["complaint.callback"]] == ["met", "met"]
    flow.close(actor=team["sup"], complaint_id=c.id, note="", now=now + 9 * H)
    assert_columns_agree(c.id)
    # archived: every deadline of the complaint is met; only its typical case is owed now (投诉整理分析 第3条)
    assert [d.duty for d in record_duties_of(c.id) if d.state == "open"] == ["complaint.case"]

    anonymous = svc.register(actor=team["clerk"], data=_data(org.office_a, now, anonymous=True), request_id="b", now=now)
    flow.assign(actor=team["sup"], complaint_id=anonymous.id, handler_user_id=team["clerk"].user_id,
                department_id=None, note="", now=now)
    flow.mark_handled(actor=team["clerk"], complaint_id=anonymous.id, result="已处理", now=now)
    flow.verify(actor=team["sup"], complaint_id=anonymous.id, note="", now=now)  # exempted by its facts: no duty
    assert "complaint.callback" not in assert_columns_agree(anonymous.id)
    flow.unexempt_callback(actor=team["sup"], complaint_id=anonymous.id, reason="顾客留了电话", now=now)
    assert [d.state for d in assert_columns_agree(anonymous.id)["complaint.callback"]] == ["open"]
    flow.exempt_callback(actor=team["sup"], complaint_id=anonymous.id, kind="no_contact", reason="匿名来电", now=now)
    assert [(d.state, d.note) for d in assert_columns_agree(anonymous.id)["complaint.callback"]] == \
           [("cancelled", "免回访")]


def record_duties_of(complaint_id):
    with read_session() as s:
        return record_duties(s, record_type="complaint", record_id=complaint_id)


def test_report_express_consultants_and_online_posts(db_url, org, team, now):
    with Session(get_engine(db_url)) as s:
        chen = Consultant(name="陈工", speciality="土建", phone="2")
        feng = Consultant(name="冯顾问", speciality="法律", phone="1", user_id=team["consultant"].user_id)
        s.add(chen)
        s.add(feng)
        s.commit()
        chen_id, feng_id = chen.id, feng.id
    major = svc.register(actor=team["clerk"], data=_data(org.office_a, now, lawsuit=True), request_id="m", now=now)
    by_code = assert_columns_agree(major.id)
    assert major.grade == "major" and {"complaint.report", "complaint.express"} <= set(by_code)
    # nobody heads a 行政公关部: the report stays owed; a phone report completes it, late (due in 1 h)
    reports.record_phone_report(actor=team["sup"], complaint_id=major.id, at=now + 2 * H, to_whom="行政公关部", note="",
                                now=now + 2 * H)
    report = assert_columns_agree(major.id)["complaint.report"][0]
    assert (report.state, report.breached) == ("met", True)
    reports.record_express(actor=team["sup"], complaint_id=major.id, progress="已约谈业主", next_steps="", now=now + 3 * H)
    assert [(d.state, as_utc(d.due_at)) for d in assert_columns_agree(major.id)["complaint.express"]] == \
           [("met", now + 7 * 24 * H), ("open", now + 3 * H + 7 * 24 * H)]

    first = complaint_consult.request_consult(actor=team["sup"], complaint_id=major.id, consultant_id=chen_id,
                                              question="排水泵是否属保修", now=now)
    complaint_consult.consultant_unreachable(actor=team["sup"], consult_id=first, now=now + H)
    assert_columns_agree(major.id)
    second = complaint_consult.request_consult(actor=team["hq"], complaint_id=major.id, consultant_id=feng_id,
                                               question="排水泵是否属保修", temporary=True, instead_of=first,
                                               now=now + 2 * H)
    complaint_consult.reply_consult(actor=team["consultant"], consult_id=second, reply="属保修范围", now=now + 30 * H)
    by_code = assert_columns_agree(major.id)
    assert {(d.key, d.state, d.breached) for d in by_code["complaint.consult_reply"]} == \
           {(str(first), "open", False), (str(second), "met", True)}  # the second replied 28 h after: late
    assert [(d.key, d.state) for d in by_code["complaint.hq_forward"]] == [(str(first), "met")]

    online = svc.register(actor=team["clerk"], request_id="on", now=now, data=_data(
        org.office_a, now, channel="online", online=OnlineIn(platform="业主论坛", forwarded_by_hq_at=now - 2 * H)))
    assert [d.state for d in assert_columns_agree(online.id)["complaint.online_facts"]] == ["open"]
    complaint_online.online_facts(actor=team["sup"], complaint_id=online.id, facts_text="经查排水泵故障", now=now + H)
    complaint_online.online_public_reply(actor=team["hq"], complaint_id=online.id, reply_text="已更换", now=now + 2 * H)
    by_code = assert_columns_agree(online.id)
    assert [d.state for d in by_code["complaint.online_facts"] + by_code["complaint.online_reply"]] == ["met", "met"]

    # the dashboard sees the month's complaint duties (the reply to the unreachable consultant is overdue now)
    later = now + 3 * 24 * H
    complaint_grades.daily_sweep(now=later)
    assert_columns_agree(major.id)
    with read_session() as s:
        tallies = {t.duty: t for t in duties(s, month=date(2026, 11, 1), tz=TZ, now=later, by=("duty",))}
    assert tallies["complaint.consult_reply"].overdue == 1 and tallies["complaint.consult_reply"].met_late == 1
    assert tallies["complaint.report"].met_late == 1


def test_a_report_not_made_in_time_is_flagged_once_by_the_sweep(db_url, org, team, now):
    hot = svc.register(actor=team["clerk"], data=_data(org.office_a, now, complainant_count=3), request_id="h", now=now)
    assert hot.grade == "hot"
    first = complaint_grades.daily_sweep(now=now + 2 * H)
    assert first.report_breaches == [hot.number]
    assert complaint_grades.daily_sweep(now=now + 3 * H).report_breaches == []
    [report] = assert_columns_agree(hot.id)["complaint.report"]
    assert (report.state, report.breached, as_utc(report.breached_at)) == ("open", True, now + 2 * H)
