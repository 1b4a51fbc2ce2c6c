"""《顾客投诉分类统计表》 through the services (issue 15 item 1), on SQLite and PostgreSQL: the table equals counts made
here from the raw rows; a submitted table is frozen; headquarters returns it with a reason and both versions stay;
the 报送 duty is met on time or late; the due day is the policy book's; another office's table is out of reach."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from core import complaint_stats as rules
from core.complaints import SATISFIED_RESULTS
from core.errors import DomainError, PermissionDenied
from core.roles import Role
from db.engine import get_engine
from db.models import (
    Callback,
    Complaint,
    ComplaintGradeHistory,
    ComplaintStatsReport,
    ComplaintStatsVersion,
    Duty,
)
from db.services import complaint_flow as flow
from db.services import complaint_grades
from db.services import complaint_stats as stats
from db.services import complaints as svc
from db.services import policy as policy_svc
from db.services.complaints import ComplaintIn

H = timedelta(hours=1)
OCT = date(2026, 10, 1)
T0 = datetime(2026, 10, 12, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
NOV_2 = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
NOV_4 = datetime(2026, 11, 4, 2, 0, tzinfo=UTC)


@pytest.fixture
def team(org, make_actor):
    return {
        "clerk": make_actor(Role.CLERK, org.office_a),
        "sup": make_actor(Role.CS_SUPERVISOR, org.office_a),
        "sup2": make_actor(Role.CS_SUPERVISOR, org.office_a),
        "director": make_actor(Role.OFFICE_DIRECTOR, org.office_a, name="李主任"),
        "director_b": make_actor(Role.OFFICE_DIRECTOR, org.office_b),
        "clerk_b": make_actor(Role.CLERK, org.office_b),
        "manager": make_actor(Role.CS_MANAGER, org.office_a),
        "hq": make_actor(Role.HQ_SPECIALIST, org.hq_id),
        "admin": make_actor(Role.SYSADMIN, org.hq_id),
    }


def _register(org, actor, at, n, *, office=None, category="engineering", count=1, **kw):
    data = dict(office_id=office or org.office_a, channel="phone", category=category, description=f"第{n}件：楼道灯不亮",
                occurred_at=at - 2 * H, received_at=at, complainant_name=f"业主{n}",
                complainant_phone=f"138000000{n:02d}", complainant_count=count)
    data.update(kw)
    return svc.register(actor=actor, data=ComplaintIn(**data), request_id=f"r{n}", now=at)


def _through_callback(team, c, at, satisfaction="satisfied", close=True):
    flow.assign(actor=team["sup"], complaint_id=c.id, handler_user_id=team["clerk"].user_id, department_id=None,
                note="", now=at)
    flow.mark_handled(actor=team["clerk"], complaint_id=c.id, result="已修复", now=at + H)
    flow.verify(actor=team["sup"], complaint_id=c.id, note="合格", now=at + 2 * H)
    if satisfaction:
        flow.record_callback(actor=team["sup2"], complaint_id=c.id, method="phone", reached=True,
                             person_reached="业主", satisfaction=satisfaction, comment="", follow_up="", now=at + 3 * H)
        if close and satisfaction != "unsatisfied":
            flow.close(actor=team["sup"], complaint_id=c.id, note="归档", now=at + 4 * H)


@pytest.fixture
def october(org, team, db_url):
    """A month of office A's complaints in several categories, classes and states, one in office B, one in
    September, one in November, and a class raised after October ended."""
    made = []
    for i in range(3):
        made.append(_register(org, team["clerk"], T0 + i * H, i))
    _through_callback(team, made[0], T0 + 5 * H)
    _through_callback(team, made[1], T0 + 5 * H, satisfaction="basic")
    made.append(_register(org, team["clerk"], T0 + 24 * H, 10, category="fees", count=4))  # 热点 by its complainants
    made.append(_register(org, team["clerk"], T0 + 25 * H, 11, category="parking"))
    _through_callback(team, made[-1], T0 + 26 * H, satisfaction=None)  # verified, callback owed, not done
    late = _register(org, team["clerk"], T0 + 26 * H, 12, category="parking")
    complaint_grades.raise_grade(actor=team["director"], complaint_id=late.id, grade="important", reason="业主情绪激动",
                                 now=NOV_2)  # after the month: October counts it under its October class
    _register(org, team["clerk_b"], T0, 20, office=org.office_b)
    _register(org, team["clerk"], datetime(2026, 9, 20, 2, tzinfo=UTC), 30)  # September: the previous month
    _register(org, team["clerk"], NOV_2, 31)  # November: not counted
    return made


def _expected(db_url, office_id):
    """The table's counts for October, computed here from the raw rows (Python, not the service's SQL)."""
    start, end = datetime(2026, 9, 30, 16, tzinfo=UTC), datetime(2026, 10, 31, 16, tzinfo=UTC)
    prev_start = datetime(2026, 8, 31, 16, tzinfo=UTC)
    with Session(get_engine(db_url)) as s:
        rows = s.exec(select(Complaint).where(Complaint.office_id == office_id)).all()
        history = s.exec(select(ComplaintGradeHistory).order_by(ComplaintGradeHistory.at,
                                                                 ComplaintGradeHistory.id)).all()
        duties = s.exec(select(Duty).where(Duty.duty == "complaint.callback")).all()
        callbacks = s.exec(select(Callback).order_by(Callback.at, Callback.id)).all()
    out: dict[str, Counter] = {}
    for c in rows:
        at = c.received_at.replace(tzinfo=UTC) if c.received_at.tzinfo is None else c.received_at
        if prev_start <= at < start:
            out.setdefault(c.category, Counter())["previous"] += 1
        if not start <= at < end:
            continue
        grade = c.grade
        for h in history:
            h_at = h.at.replace(tzinfo=UTC) if h.at.tzinfo is None else h.at
            if h.complaint_id == c.id and h_at < end:
                grade = h.to_grade
        k = out.setdefault(c.category, Counter())
        k["total"] += 1
        k[grade] += 1
        k["closed"] += c.state == "closed"
        mine = [d for d in duties if d.record_id == c.id]
        k["owed"] += any(d.state in ("open", "met") for d in mine)
        k["done"] += any(d.state == "met" for d in mine)
        results = [cb.satisfaction for cb in callbacks if cb.complaint_id == c.id and cb.satisfaction]
        k["surveyed"] += bool(results)
        k["satisfied"] += bool(results) and results[-1] in {x.value for x in SATISFIED_RESULTS}
    return out


def test_the_table_equals_counts_from_the_raw_rows(db_url, org, team, october):
    table = stats.generate(actor=team["director"], month=OCT, office_id=org.office_a, now=NOV_2 + H)
    want = _expected(db_url, org.office_a)
    got = {r.code: r for r in table.rows}
    for code, k in want.items():
        r = got[code]
        assert (r.counts.total, r.counts.major, r.counts.hot, r.counts.important, r.counts.general) == (
            k["total"], k["major"], k["hot"], k["important"], k["general"]), code
        assert (r.counts.closed, r.counts.callbacks_required, r.counts.callbacks_done) == (
            k["closed"], k["owed"], k["done"]), code
        assert (r.counts.surveyed, r.counts.satisfied, r.previous_total) == (k["surveyed"], k["satisfied"],
                                                                             k["previous"]), code
    assert table.rows[-1].counts.total == 6 == sum(k["total"] for k in want.values())
    assert got["engineering"].previous_total == 1 and got["engineering"].counts.closed == 2
    assert got["fees"].counts.hot == 1  # four complainants at once: the complaint rules made it 热点
    assert got["parking"].counts.important == 0 and got["parking"].counts.general == 2  # raised in November
    assert got["parking"].callback_rate == 0.0 and got["engineering"].satisfaction_rate == 1.0
    # consolidated over both offices for headquarters
    company = stats.generate(actor=team["hq"], month=OCT, office_id=None, now=NOV_2 + H)
    assert company.rows[-1].counts.total == 7
    # every cell opens the complaints it counts
    cell = stats.cell_complaints(actor=team["director"], month=OCT, office_id=org.office_a, category="engineering",
                                 column="closed", now=NOV_2 + H)
    assert cell.total == 2 and {c.id for c in cell.rows} == {october[0].id, october[1].id}
    prev = stats.cell_complaints(actor=team["director"], month=OCT, office_id=org.office_a, category="",
                                 column="previous_total", now=NOV_2 + H)
    assert prev.total == 1
    with pytest.raises(DomainError, match="比率"):
        stats.cell_complaints(actor=team["director"], month=OCT, office_id=org.office_a, category="",
                              column="callback_rate", now=NOV_2 + H)


def test_submitted_table_is_frozen_returned_with_reason_and_resubmitted(db_url, org, team, october):
    with pytest.raises(DomainError, match="尚未结束"):
        stats.submit(actor=team["director"], office_id=org.office_a, month=OCT, request_id="early",
                     now=datetime(2026, 10, 31, 15, tzinfo=UTC))
    report = stats.submit(actor=team["director"], office_id=org.office_a, month=OCT, request_id="s1", now=NOV_2)
    again = stats.submit(actor=team["director"], office_id=org.office_a, month=OCT, request_id="s1", now=NOV_2)
    assert again.id == report.id and again.version == 1  # a double click writes one version
    with pytest.raises(DomainError, match="已报送"):
        stats.submit(actor=team["manager"], office_id=org.office_a, month=OCT, request_id="s2", now=NOV_2)
    # a complaint of October registered late, after the submission: the live table changes, the frozen one not
    _register(org, team["clerk"], T0 + 48 * H, 40)
    frozen = stats.frozen_table(actor=team["hq"], stats_report_id=report.id, now=NOV_2 + H)
    live = stats.generate(actor=team["hq"], month=OCT, office_id=org.office_a, now=NOV_2 + H)
    assert frozen.rows[-1].counts.total == 6 and live.rows[-1].counts.total == 7
    assert frozen.frozen_version == 1 and frozen.prepared_by == "李主任"
    with pytest.raises(DomainError, match="退回原因"):
        stats.return_for_correction(actor=team["hq"], stats_report_id=report.id, reason=" ", now=NOV_2 + 2 * H)
    stats.return_for_correction(actor=team["hq"], stats_report_id=report.id, reason="漏计补登的投诉", now=NOV_2 + 2 * H)
    second = stats.submit(actor=team["director"], office_id=org.office_a, month=OCT, request_id="s3", now=NOV_4)
    assert second.version == 2 and second.state == "submitted"
    kept = stats.versions(actor=team["director"], stats_report_id=report.id)
    assert [(v.version, v.rows[-1].counts.total, v.return_reason) for v in kept] == [(2, 7, ""), (1, 6, "漏计补登的投诉")]
    # the 报送 duty was met by the first submission, on time (a correction does not make it late)
    [status] = stats.statuses(actor=team["director"], month=OCT, now=NOV_4, office_id=org.office_a)
    assert (status.state, status.version, status.duty.value, status.submitted_by) == ("submitted", 2, "met_on_time",
                                                                                     "李主任")


def test_late_submission_and_the_due_day_from_the_policy_book(db_url, org, team, october):
    [before] = stats.statuses(actor=team["director"], month=OCT, now=NOV_4, office_id=org.office_a)
    assert before.report_id is None and before.duty.value == "overdue"  # due 3 Nov 23:59: overdue on the 4th
    policy_svc.set_value(actor=team["admin"], key=rules.DUE_DAY, value=5, effective_from=T0 - 30 * 24 * H,
                         reason="客服中心通知", now=T0 - 30 * 24 * H)
    [moved] = stats.statuses(actor=team["director"], month=OCT, now=NOV_4, office_id=org.office_a)
    assert moved.duty.value == "open" and moved.due_at.astimezone(ZoneInfo("Asia/Shanghai")).day == 5
    policy_svc.set_value(actor=team["admin"], key=rules.DUE_DAY, value=3, effective_from=T0 - 29 * 24 * H,
                         reason="恢复", now=T0 - 29 * 24 * H)
    stats.submit(actor=team["director"], office_id=org.office_a, month=OCT, request_id="late", now=NOV_4)
    [after] = stats.statuses(actor=team["director"], month=OCT, now=NOV_4, office_id=org.office_a)
    assert after.duty.value == "met_late"
    with Session(get_engine(db_url)) as s:
        duty = s.exec(select(Duty).where(Duty.duty == rules.SUBMIT.code)).one()
        assert duty.state == "met" and duty.breached


def test_the_monthly_job_opens_every_office_once_and_my_work_shows_it(db_url, org, team):
    first = stats.open_last_month(now=NOV_2)
    assert first == {"month": "2026-10-01", "opened": 2}
    assert stats.open_last_month(now=NOV_2 + H)["opened"] == 0  # idempotent
    with Session(get_engine(db_url)) as s:
        assert len(s.exec(select(Duty).where(Duty.duty == rules.SUBMIT.code, Duty.state == "open")).all()) == 2
    [item] = stats.stats_work(actor=team["director"], now=NOV_2)
    assert (item.title, item.count) == ("投诉分类统计表待报送", 1)
    assert stats.stats_work(actor=team["clerk"], now=NOV_2) == []


def test_another_office_cannot_submit_return_or_read(db_url, org, team, october):
    with pytest.raises(PermissionDenied):
        stats.submit(actor=team["director_b"], office_id=org.office_a, month=OCT, request_id="x", now=NOV_2)
    report = stats.submit(actor=team["director"], office_id=org.office_a, month=OCT, request_id="ok", now=NOV_2)
    with pytest.raises(PermissionDenied):
        stats.return_for_correction(actor=team["director"], stats_report_id=report.id, reason="自己退回", now=NOV_2)
    with pytest.raises(DomainError):  # out of scope reads as "no such record"
        stats.versions(actor=team["director_b"], stats_report_id=report.id)
    with pytest.raises(PermissionDenied):
        stats.generate(actor=team["director_b"], month=OCT, office_id=org.office_a, now=NOV_2)
    with Session(get_engine(db_url)) as s:
        assert s.exec(select(ComplaintStatsReport)).one().state == "submitted"
        assert len(s.exec(select(ComplaintStatsVersion)).all()) == 1


def test_the_quality_bulletin_of_a_quarter_carries_the_quarterly_analysis(db_url, org, team, october):
    from db.services import complaint_reports

    q4, q1 = datetime(2026, 9, 30, 16, tzinfo=UTC), datetime(2026, 12, 31, 16, tzinfo=UTC)  # 1 Oct – 1 Jan, Shanghai
    bulletin = complaint_reports.quality_bulletin(actor=team["hq"], since=q4, until=q1)
    total = bulletin.quarter[-1]
    assert (total.label, total.counts.total, total.previous_total) == ("合计", 8, 1)  # A: 6 + 1 in Nov, B: 1; Sep: 1
    parking = next(r for r in bulletin.quarter if r.code == "parking")
    assert parking.counts.important == 1  # raised on 2 Nov: at the quarter's end it is 重要 (the month's table: 一般)
    october_only = complaint_reports.quality_bulletin(actor=team["hq"], since=q4, until=datetime(2026, 10, 31, 16,
                                                                                                  tzinfo=UTC))
    assert october_only.quarter is None and october_only.cases == []


def test_the_monthly_report_for_headquarters(db_url, org, team, october, tmp_path):
    from db.services import complaint_monthly
    from tests import pdftools

    report = complaint_monthly.monthly_report(actor=team["hq"], month=OCT, now=NOV_2 + H)
    assert report.table[-1].counts.total == 7 and report.scope == "全公司"  # both offices, as the consolidated table
    october_index = report.trend_months.index(OCT)
    assert sum(v[october_index] for v in report.trend_by_category.values()) == 7
    assert sum(v[october_index - 1] for v in report.trend_by_grade.values()) == 1  # September
    assert sum(n for _, n in report.top_issues) <= 7 and report.top_issues[0][1] >= 1
    a = next(o for o in report.offices if o.office == "东方家园管理处")
    assert (a.received, a.closed, a.callback_rate) == (6, 2, "66.7%")  # 2 of the 3 owed callbacks done
    path = tmp_path / "monthly.pdf"
    path.write_bytes(complaint_monthly.report_pdf(report, prepared_by="吴专员", printed_at=NOV_2, tz=UTC))
    text = pdftools.layout_text(path)
    if text is not None:
        flat = text.replace(" ", "")
        assert "物业管理投诉月报" in flat and "YB-202610" in flat and "吴专员" in flat and "东方家园管理处" in flat
    own = complaint_monthly.monthly_report(actor=team["director"], month=OCT, now=NOV_2 + H)
    assert own.table[-1].counts.total == 6 and own.scope == "我的管理范围"  # an office reads only its own
