"""《顾客投诉分类统计表》 (issue 15 item 1): generated from the complaint records in one query per month, submitted by
each 管理处 by the policy book's due day (a duty), frozen when submitted, returned by headquarters for correction.

Counts: complaints received in the month (company time zone), by category, under their class at the month's end
(``complaint_grade_history``); callbacks from the complaint's own callback duty (owed unless exempted, done when
met) and satisfaction from its callback result (``complaint_kernel.callback_result``), the rates by the complaint
rules' formulas — the same sources the 回访率 and the 质量简报 read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func
from sqlmodel import Session, select

from core import complaint_duties as cduty
from core import complaint_stats as rules
from core import complaints as crules
from core.complaints import Grade, State
from core.duties import DutyStatus, status
from core.errors import DomainError
from core.pdf.complaint_stats_forms import stats_number, stats_table
from core.permissions import Action, Actor
from core.policy import PolicyBook
from core.registry import WorkItem, daily_job, work_provider
from core.roles import Role
from db.models import (
    Complaint,
    ComplaintGradeHistory,
    ComplaintStatsReport,
    ComplaintStatsVersion,
    Duty,
    OrgUnit,
)
from db.models.base import as_utc
from db.services.base import (
    Page,
    already_done,
    audit,
    authorize,
    load_scoped,
    paginate,
    remember,
    scope_filter,
)
from db.services.complaint_kernel import callback_result, company_name, recipients, user_names
from db.services.duties import meet_duty, open_duty
from db.services.notices import notify
from db.services.policy import current_policy, policy_in
from db.services.timeline import record_event
from db.session import read_session, write_session

ENTITY = rules.RECORD_TYPE.code
VIEW = Action.COMPLAINT_EXPORT  # the monthly table is a report: who may export complaints may read it
_SATISFIED = sorted(x.value for x in crules.SATISFIED_RESULTS)


def _grade_at(end: datetime):
    """The complaint's class at ``end``: the last entry of its class history before then (every complaint has one
    from its registration; the current class for a row written before the history existed)."""
    last = (select(ComplaintGradeHistory.to_grade)
            .where(ComplaintGradeHistory.complaint_id == Complaint.id, ComplaintGradeHistory.at < end)
            .order_by(ComplaintGradeHistory.at.desc(), ComplaintGradeHistory.id.desc()).limit(1)
            .correlate(Complaint).scalar_subquery())
    return func.coalesce(last, Complaint.grade)


def _callback_duty(*states: str):
    return (select(Duty.id).where(Duty.record_type == crules.RECORD_TYPE.code, Duty.record_id == Complaint.id,
                                  Duty.duty == cduty.CALLBACK.code, Duty.state.in_(states))
            .correlate(Complaint).exists())


_OWED = _callback_duty("open", "met")  # a cancelled callback duty was exempted: not owed
_DONE = _callback_duty("met")


def _received(start: datetime, end: datetime, offices: frozenset[int] | None):
    stmt = select(Complaint.id).where(Complaint.received_at >= start, Complaint.received_at < end)
    return scope_filter(stmt, Complaint.office_id, offices)


def counts_by(s: Session, start: datetime, end: datetime, offices: frozenset[int] | None,
              by=Complaint.category) -> dict:
    """The table's counters of the complaints received in [start, end), grouped by ``by`` (the category; the office
    for the monthly report's per-office rates), classes as they were at ``end``."""
    base = _received(start, end, offices).subquery()
    per = (select(by.label("key"), _grade_at(end).label("grade"), Complaint.state.label("state"),
                  _OWED.label("owed"), _DONE.label("done"), callback_result().label("sat"))
           .where(Complaint.id.in_(select(base.c.id)))).subquery()

    def n(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    stmt = select(per.c.key, func.count(), *(n(per.c.grade == g.value) for g in
                                             (Grade.MAJOR, Grade.HOT, Grade.IMPORTANT, Grade.GENERAL)),
                  n(per.c.state == State.CLOSED.value), n(per.c.owed), n(per.c.done), func.count(per.c.sat),
                  n(per.c.sat.in_(_SATISFIED))).group_by(per.c.key)
    return {row[0]: rules.Counts(*(int(x) for x in row[1:])) for row in s.exec(stmt).all()}


def _previous(s: Session, start: datetime, end: datetime, offices: frozenset[int] | None) -> dict[str, int]:
    stmt = scope_filter(select(Complaint.category, func.count()).where(
        Complaint.received_at >= start, Complaint.received_at < end), Complaint.office_id, offices)
    return {code: int(total) for code, total in s.exec(stmt.group_by(Complaint.category)).all()}


def compute(s: Session, month: date, policy: PolicyBook, offices: frozenset[int] | None) -> list[rules.StatsRow]:
    """The table of ``month`` over ``offices`` (``None``: every office), as the records say now."""
    start, end = rules.month_range(month, policy)
    return compute_period(s, start, end, rules.month_range(rules.previous_month(month), policy)[0], policy, offices)


def compute_period(s: Session, start: datetime, end: datetime, previous_start: datetime, policy: PolicyBook,
                   offices: frozenset[int] | None) -> list[rules.StatsRow]:
    """The same table for any period [start, end) (a quarter for the 质量简报's analysis), compared with
    [previous_start, start); classes as they were at ``end``."""
    return rules.build_rows(counts_by(s, start, end, offices), _previous(s, previous_start, start, offices), policy)


# ----- reading ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StatsTable:
    month: date
    scope: str  # the office's name, or "全公司（汇总）"
    rows: list[rules.StatsRow]
    generated_at: datetime
    company: str
    number: str  # core.pdf.complaint_stats_forms.stats_number
    prepared_by: str  # who generated it (live) or submitted it (frozen)
    due_at: datetime
    frozen_version: int = 0  # >0: the submitted version shown, not the live records


def _offices(actor: Actor, office_id: int | None) -> frozenset[int] | None:
    authorize(actor, VIEW, office_id)
    return frozenset({office_id}) if office_id else actor.scope(VIEW)


def generate(*, actor: Actor, month: date, office_id: int | None, now: datetime) -> StatsTable:
    """生成: the month's table from the records, for one office or consolidated over the actor's offices."""
    offices = _offices(actor, office_id)
    month = rules.first_of_month(month)
    with read_session() as s:
        policy = policy_in(s, at=now)
        if now < rules.month_range(month, policy)[0]:
            raise DomainError("不能统计尚未开始的月份", field="month")
        rows = compute(s, month, policy, offices)
        unit = s.get(OrgUnit, office_id) if office_id else None
        return StatsTable(month, unit.name if unit else "全公司（汇总）", rows, now, company_name(s),
                          stats_number(month, unit.code if unit else ""), actor.name, rules.due_at(month, policy))


@dataclass(frozen=True)
class ReportStatus:
    office_id: int
    office: str
    report_id: int | None  # None: the month's report is not opened yet (the month is not over)
    state: str
    state_label: str
    version: int
    due_at: datetime
    submitted_at: datetime | None
    submitted_by: str
    duty: DutyStatus  # the 报送 duty at ``now``: on time, late, overdue or not yet due
    clause: str


DUTY_LABELS = {DutyStatus.OPEN: "未到期", DutyStatus.OVERDUE: "已逾期未报送", DutyStatus.MET_ON_TIME: "按时报送",
               DutyStatus.MET_LATE: "逾期报送", DutyStatus.CANCELLED: "无需报送"}


def statuses(*, actor: Actor, month: date, now: datetime, office_id: int | None = None) -> list[ReportStatus]:
    """Each office's table of ``month``: state, version, due, submitted when and by whom, on time or late."""
    offices = _offices(actor, office_id)
    month = rules.first_of_month(month)
    with read_session() as s:
        policy = policy_in(s, at=now)
        due = rules.due_at(month, policy)
        units = s.exec(scope_filter(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.kind == "office"),
                                    OrgUnit.id, offices).order_by(OrgUnit.code)).all()
        reports = {r.office_id: r for r in s.exec(scope_filter(select(ComplaintStatsReport).where(
            ComplaintStatsReport.month == month), ComplaintStatsReport.office_id, offices)).all()}
        names = user_names(s, {r.submitted_by for r in reports.values() if r.submitted_by})
    out = []
    for uid, name in units:
        r = reports.get(uid)
        report_due = as_utc(r.due_at) if r else due
        met = as_utc(r.first_submitted_at) if r else None
        state = rules.ReportState(r.state) if r else rules.ReportState.PENDING
        out.append(ReportStatus(uid, name, r.id if r else None, state.value, rules.STATE_LABELS[state],
                                r.version if r else 0, report_due, as_utc(r.submitted_at) if r else None,
                                names.get(r.submitted_by, "") if r and r.submitted_by else "",
                                status(due_at=report_due, met_at=met, now=now), rules.CLAUSE))
    return out


@dataclass(frozen=True)
class StatsVersion:
    version: int
    rows: list[rules.StatsRow]
    submitted_at: datetime
    submitted_by: str
    returned_at: datetime | None
    returned_by: str
    return_reason: str


def versions(*, actor: Actor, stats_report_id: int) -> list[StatsVersion]:
    """Every submitted version of a report, newest first (a returned one stays as it was sent)."""
    with read_session() as s:
        load_scoped(s, ComplaintStatsReport, stats_report_id, actor=actor, action=VIEW, entity=ENTITY, lock=False)
        rows = s.exec(select(ComplaintStatsVersion).where(ComplaintStatsVersion.report_id == stats_report_id)
                      .order_by(ComplaintStatsVersion.version.desc())).all()
        names = user_names(s, {x for v in rows for x in (v.submitted_by, v.returned_by) if x})
    return [StatsVersion(v.version, rules.from_json(json.loads(v.rows_json)), as_utc(v.submitted_at),
                         names.get(v.submitted_by, ""), as_utc(v.returned_at), names.get(v.returned_by, ""),
                         v.return_reason) for v in rows]


def frozen_table(*, actor: Actor, stats_report_id: int, now: datetime) -> StatsTable:
    """The latest submitted version as it was sent (the PDF of a submitted table prints this)."""
    latest = versions(actor=actor, stats_report_id=stats_report_id)
    if not latest:
        raise DomainError("该统计表尚未报送")
    with read_session() as s:
        report = s.get(ComplaintStatsReport, stats_report_id)
        unit = s.get(OrgUnit, report.office_id)
        return StatsTable(report.month, unit.name, latest[0].rows, latest[0].submitted_at, company_name(s),
                          stats_number(report.month, unit.code), latest[0].submitted_by, as_utc(report.due_at),
                          frozen_version=latest[0].version)


# ----- the cells' complaints --------------------------------------------------------------------------------------

def cell_complaints(*, actor: Actor, month: date, office_id: int | None, category: str, column: str,
                    page: int = 1, page_size: int = 30, now: datetime) -> Page:
    """The complaints a cell counts (``column`` of ``rules.DRILL_COLUMNS``; ``category`` "" = the total row)."""
    if column not in rules.DRILL_COLUMNS:
        raise DomainError("该列是比率，请查看它的分子或分母所在的列", field="column")
    offices = _offices(actor, office_id)
    month = rules.first_of_month(month)
    with read_session() as s:
        policy = policy_in(s, at=now)
        counted = rules.previous_month(month) if column == "previous_total" else month
        start, end = rules.month_range(counted, policy)
        stmt = scope_filter(select(Complaint).where(Complaint.received_at >= start, Complaint.received_at < end),
                            Complaint.office_id, offices)
        if category:
            stmt = stmt.where(Complaint.category == category)
        condition = {
            "major": _grade_at(end) == Grade.MAJOR.value, "hot": _grade_at(end) == Grade.HOT.value,
            "important": _grade_at(end) == Grade.IMPORTANT.value, "general": _grade_at(end) == Grade.GENERAL.value,
            "closed": Complaint.state == State.CLOSED.value, "open": Complaint.state != State.CLOSED.value,
            "callbacks_required": _OWED, "callbacks_done": _DONE}.get(column)
        if condition is not None:
            stmt = stmt.where(condition)
        return paginate(s, stmt, page=page, page_size=page_size, order_by=(Complaint.received_at, Complaint.id))


# ----- submitting and returning -----------------------------------------------------------------------------------

def _open_report(s: Session, office_id: int, month: date, policy: PolicyBook, now: datetime) -> ComplaintStatsReport:
    """The office's report of ``month``, locked; opened (with its 报送 duty) when the month is over and it has none."""
    stmt = select(ComplaintStatsReport).where(ComplaintStatsReport.office_id == office_id,
                                              ComplaintStatsReport.month == month)
    report = s.exec(stmt.with_for_update()).first()
    if report is not None:
        return report
    month_end = rules.month_range(month, policy)[1]
    report = ComplaintStatsReport(office_id=office_id, month=month, due_at=rules.due_at(month, policy),
                                  policy_version=policy.version, created_at=now, updated_at=now)
    s.add(report)
    s.flush()
    open_duty(s, record_type=ENTITY, record_id=report.id, office_id=office_id, duty=rules.SUBMIT.code,
              started_at=month_end, due_at=report.due_at, now=now, policy_version=policy.version, new_record=True)
    return report


def submit(*, actor: Actor, office_id: int, month: date, request_id: str | None, now: datetime) -> ComplaintStatsReport:
    """报送: the table as the records say now, frozen as the next version; meets the 报送 duty the first time."""
    authorize(actor, Action.COMPLAINT_STATS_SUBMIT, office_id)
    month = rules.first_of_month(month)
    with write_session() as s:
        done = already_done(s, request_id, ENTITY)
        if done:
            return s.get(ComplaintStatsReport, int(done))
        if s.exec(select(OrgUnit.kind).where(OrgUnit.id == office_id)).first() != "office":
            raise DomainError("请选择管理处", field="office_id")
        policy = current_policy(s, at=now)
        report = _open_report(s, office_id, month, policy, now)
        rules.check_submittable(report.state, month, now, policy)
        rows = compute(s, month, policy, frozenset({office_id}))
        report.version += 1
        s.add(ComplaintStatsVersion(report_id=report.id, version=report.version, submitted_at=now,
                                    submitted_by=actor.user_id, rows_json=json.dumps(rules.to_json(rows),
                                                                                    ensure_ascii=False)))
        before = report.state
        report.state, report.submitted_at, report.submitted_by = rules.ReportState.SUBMITTED.value, now, actor.user_id
        report.first_submitted_at = report.first_submitted_at or now
        report.updated_at = now
        if report.version == 1:
            meet_duty(s, record_type=ENTITY, record_id=report.id, duty=rules.SUBMIT.code, at=now, by=actor.user_id)
        total = rows[-1].counts.total
        note = f"{month:%Y年%m月} 第{report.version}版，本月受理 {total} 件"
        _record(s, report, actor=actor, action="complaint_stats.submit", now=now, note=note, from_state=before)
        remember(s, request_id, ENTITY, report.id)
        return report


def return_for_correction(*, actor: Actor, stats_report_id: int, reason: str, now: datetime) -> ComplaintStatsReport:
    """退回更正 by headquarters, with a reason: the sent version stays; the office submits a corrected one."""
    with write_session() as s:
        report = load_scoped(s, ComplaintStatsReport, stats_report_id, actor=actor, action=Action.COMPLAINT_STATS_RETURN,
                             entity=ENTITY)
        reason = rules.check_returnable(report.state, reason)
        latest = s.exec(select(ComplaintStatsVersion).where(ComplaintStatsVersion.report_id == report.id,
                                                            ComplaintStatsVersion.version == report.version)).one()
        latest.returned_at, latest.returned_by, latest.return_reason = now, actor.user_id, reason
        report.state, report.updated_at = rules.ReportState.RETURNED.value, now
        _record(s, report, actor=actor, action="complaint_stats.return", now=now, note=f"第{report.version}版退回：{reason}",
                from_state=rules.ReportState.SUBMITTED.value)
        notify(s, recipient_user_ids=recipients(s, office_roles=(Role.OFFICE_DIRECTOR.value, Role.CS_MANAGER.value),
                                                office_id=report.office_id),
               kind="info", title=f"{report.month:%Y年%m月}投诉分类统计表被总部退回更正", body=reason,
               page=rules.PAGE, entity=ENTITY, entity_id=str(report.id), office_id=report.office_id, now=now)
        return report


def _record(s: Session, report: ComplaintStatsReport, *, actor: Actor, action: str, now: datetime, note: str,
            from_state: str) -> None:
    """The timeline step (event ``submit``/``return``) and the audit row (``action``: the full code)."""
    record_event(s, record_type=ENTITY, record_id=report.id, office_id=report.office_id, actor=actor,
                 event=action.removeprefix(f"{ENTITY}."), at=now, note=note, citation=rules.CLAUSE,
                 from_state=from_state, to_state=report.state)
    audit(s, actor=actor, action=action, entity=ENTITY, entity_id=report.id, office_id=report.office_id,
          summary=note[:500], after={"state": report.state, "version": report.version})


# ----- the month's duties and my work -----------------------------------------------------------------------------

@daily_job("complaint_stats")
def open_last_month(*, now: datetime) -> dict:
    """Once a month is over, every 管理处 owes its table: open the reports (and their 报送 duties) it lacks."""
    with write_session() as s:
        policy = current_policy(s, at=now)
        month = rules.previous_month(rules.first_of_month(now.astimezone(policy.calendar().tz).date()))
        have = set(s.exec(select(ComplaintStatsReport.office_id).where(ComplaintStatsReport.month == month)).all())
        offices = [i for i in s.exec(select(OrgUnit.id).where(OrgUnit.kind == "office", OrgUnit.active)).all()
                   if i not in have]
        for office_id in offices:
            _open_report(s, office_id, month, policy, now)
    return {"month": month.isoformat(), "opened": len(offices)}


@work_provider("complaint_stats")
def stats_work(*, actor: Actor, now: datetime) -> list[WorkItem]:
    """投诉分类统计表待报送 (or returned for correction) in the offices where the actor submits it."""
    if not actor.can(Action.COMPLAINT_STATS_SUBMIT):
        return []
    stmt = scope_filter(select(func.count(), func.min(ComplaintStatsReport.due_at)).where(
        ComplaintStatsReport.state.in_((rules.ReportState.PENDING.value, rules.ReportState.RETURNED.value))),
        ComplaintStatsReport.office_id, actor.scope(Action.COMPLAINT_STATS_SUBMIT))
    with read_session() as s:
        n, due = s.exec(stmt).one()
    if not n:
        return []
    return [WorkItem("投诉分类统计表待报送", int(n), rules.PAGE, due_at=as_utc(due), severity="warning",
                     source="complaint_stats")]


def table_pdf(table: StatsTable, *, status_line: str, printed_at: datetime, tz) -> bytes:
    """The table as the paper form (PDF), live or as submitted."""
    due = table.due_at.astimezone(tz)
    return stats_table(table.rows, company=table.company, scope=table.scope, month=table.month, number=table.number,
                       prepared_by=table.prepared_by, status_line=status_line,
                       due_line=f"{due:%Y年%m月%d日 %H:%M} 前", printed_at=printed_at.astimezone(tz))
