"""Complaint 通报 (顾客投诉处理制度(投诉通报处理制度) 二): the phone report and the recipients' acknowledgement, and the
artefacts: the 快报 for an open 重大 complaint (at least
weekly and on every significant change), the 专题报告 after closing (重大: three parts A/B/C; 热点: brief), and the
period's 质量简报 (重要 items with a short account, 一般 items of reference value).

Writing a 快报 or 专题报告 is a recorded 通报 (ComplaintReport row, timeline event, audit row). The PDFs are built
from the data these functions return (core.pdf.complaint_forms), outside any transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, select

from core import complaint_duties as duty
from core import complaint_workflow as wf
from core import complaints as rules
from core.complaint_stats import StatsRow
from core.complaints import Grade, State
from core.errors import DomainError
from core.permissions import Action, Actor
from core.roles import Role
from core.worktime import add_months
from db.models import (
    Complaint,
    ComplaintCase,
    ComplaintReport,
    ComplaintSpecialReport,
    ConsultRequest,
    Notice,
    OrgUnit,
)
from db.models.base import as_utc
from db.services.base import already_done, authorize, remember, scope_filter
from db.services.complaint_kernel import (
    ENTITY,
    RECORD_TYPE,
    callback_result,
    company_name,
    hq_user_ids,
    load,
    meet_deadline,
    policy_for,
    record,
    set_deadline,
    user_names,
    visible,
)
from db.services.complaint_stats import compute_period
from db.services.notices import notify, on_acknowledge
from db.services.policy import policy_in
from db.services.timeline import events_of
from db.session import read_session, write_session

PAGE = "views/complaints/list.py"
HQ_CENTRE = "总部客服中心"


# ----- 快报 -------------------------------------------------------------------------------------------


@dataclass
class ExpressStatus:
    """Where a 重大 complaint stands with its 快报: how many, the last, the next due, changes since the last."""

    required: bool
    count: int = 0
    last_at: datetime | None = None
    next_due_at: datetime | None = None
    changes_since: list[str] = field(default_factory=list)  # timeline notes of significant changes
    citation: str = ""


def express_status_in(s, c: Complaint, now: datetime) -> ExpressStatus:
    if not wf.check(wf.Op.EXPRESS, wf.Situation.of(c)):
        return ExpressStatus(False)
    policy = policy_for(s, c, now)
    rows = s.exec(select(ComplaintReport.at).where(ComplaintReport.complaint_id == c.id,
                                                   ComplaintReport.kind == "express").order_by(ComplaintReport.at)).all()
    last = as_utc(rows[-1]) if rows else None
    if last is None:  # the first 快报 is due a period after the complaint became 重大 (the at-once report)
        since = s.exec(select(func.min(ComplaintReport.at)).where(ComplaintReport.complaint_id == c.id)).one()
        last_or_start = as_utc(since) or as_utc(c.received_at)
    else:
        last_or_start = last
    events = events_of(s, record_type=RECORD_TYPE, record_id=c.id, events=rules.MAJOR_CHANGE_ACTIONS, since=last_or_start)
    return ExpressStatus(True, len(rows), last, rules.express_due(last_or_start, policy),
                         [f"{e.note}"[:200] for e in events], policy.cite("complaint.express_bulletin_every"))


def express_status(*, actor: Actor, complaint_id: int, now: datetime) -> ExpressStatus:
    with read_session() as s:
        c = visible(s, actor, complaint_id)
        return express_status_in(s, c, now)


def record_express(*, actor: Actor, complaint_id: int, progress: str, next_steps: str, now: datetime,
                   request_id: str | None = None) -> int:
    """Send the 快报 to the HQ 客服中心: this period's progress and next steps; returns the report id."""
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_REPORT)
        if done := already_done(s, request_id, "complaint_report"):
            return int(done)
        wf.require(wf.Op.EXPRESS, wf.Situation.of(c))
        rules.check_express(progress)
        status = express_status_in(s, c, now)
        text = f"本期进展：{progress.strip()}" + (f"\n下一步：{next_steps.strip()}" if (next_steps or "").strip() else "")
        row = ComplaintReport(complaint_id=c.id, kind="express", at=now, by_user_id=actor.user_id, to_whom=HQ_CENTRE,
                              note=text[:2000])
        s.add(row)
        s.flush()
        late = status.next_due_at is not None and now > status.next_due_at
        policy = policy_for(s, c, now)
        notify(s, recipient_user_ids=hq_user_ids(s), kind="info", title=f"【重大投诉快报 第{status.count + 1}期】{c.number}",
               body=text[:1000], page=PAGE, entity="complaint", entity_id=str(c.id), office_id=c.office_id, now=now)
        record(s, c, actor=actor, action="report_express", now=now, citation=rules.C_EXPRESS,
               note=f"报送快报第{status.count + 1}期" + (wf.late_note(policy, "complaint.express_bulletin_every") if late else "")
                    + f"：{progress.strip()[:200]}")
        meet_deadline(s, c, duty.EXPRESS.code, at=now, by=actor.user_id)
        set_deadline(s, c, duty.EXPRESS.code, rules.express_due(now, policy), now=now,
                     clause=policy.cite("complaint.express_bulletin_every"))
        remember(s, request_id, "complaint_report", row.id)
        return int(row.id)


@dataclass
class ExpressIssue:
    number: int
    at: datetime
    text: str


def express_issues(*, actor: Actor, complaint_id: int) -> list[ExpressIssue]:
    with read_session() as s:
        c = visible(s, actor, complaint_id)
        rows = s.exec(select(ComplaintReport).where(ComplaintReport.complaint_id == c.id,
                                                    ComplaintReport.kind == "express").order_by(ComplaintReport.at)).all()
        return [ExpressIssue(i, as_utc(r.at), r.note) for i, r in enumerate(rows, start=1)]


# ----- 专题报告 -----------------------------------------------------------------------------------------


def special_report(*, actor: Actor, complaint_id: int) -> ComplaintSpecialReport | None:
    """The latest 专题报告 written for the complaint, if any."""
    with read_session() as s:
        c = visible(s, actor, complaint_id)
        return s.exec(select(ComplaintSpecialReport).where(ComplaintSpecialReport.complaint_id == c.id)
                      .order_by(ComplaintSpecialReport.id.desc())).first()


def write_special_report(*, actor: Actor, complaint_id: int, part_a: str, part_b: str, part_c: str,
                         now: datetime, request_id: str | None = None) -> int:
    """After closing: 重大 → A/B/C all required; 热点 → a brief account (A). A rewrite keeps the earlier version."""
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_REPORT)
        if done := already_done(s, request_id, "complaint_special_report"):
            return int(done)
        wf.require(wf.Op.SPECIAL_REPORT, wf.Situation.of(c))
        kind = rules.check_special_report(c.grade, part_a=part_a, part_b=part_b, part_c=part_c)
        row = ComplaintSpecialReport(complaint_id=c.id, kind=kind, part_a=part_a.strip()[:8000],
                                     part_b=(part_b or "").strip()[:8000] if kind == "three_part" else "",
                                     part_c=(part_c or "").strip()[:8000] if kind == "three_part" else "",
                                     written_at=now, written_by=actor.user_id)
        s.add(row)
        s.flush()
        label = "专题报告（三部分）" if kind == "three_part" else "简要专题报告"
        s.add(ComplaintReport(complaint_id=c.id, kind="special", at=now, by_user_id=actor.user_id, to_whom=HQ_CENTRE,
                              note=label))
        notify(s, recipient_user_ids=hq_user_ids(s), kind="info", title=f"【{label}】{c.number} {c.title}",
               body=row.part_a[:500], page=PAGE, entity="complaint", entity_id=str(c.id), office_id=c.office_id, now=now)
        policy = policy_for(s, c, now)
        late = c.closed_at is not None and now > rules.special_due(as_utc(c.closed_at), policy)
        record(s, c, actor=actor, action="report_special", now=now, citation=rules.C_SPECIAL,
               note=f"已报送{label}" + (wf.late_note(policy, "complaint.special_report_within") if late else ""))
        meet_deadline(s, c, duty.SPECIAL.code, at=now, by=actor.user_id)
        remember(s, request_id, "complaint_special_report", row.id)
        return int(row.id)


# ----- 质量简报 -----------------------------------------------------------------------------------------


@dataclass
class BulletinItem:
    number: str
    office: str
    grade: str
    category: str
    title: str
    account: str  # the short account: what happened and how it was handled
    callback: str
    reasons: list[str] = field(default_factory=list)  # why a 一般 complaint is notable


@dataclass
class QualityBulletin:
    scope: str
    since: datetime
    until: datetime
    received: int
    closed: int
    by_grade: dict[str, int]  # received in the period, per class
    callbacks: int
    satisfied: int
    important: list[BulletinItem]
    notable: list[BulletinItem]
    citation: str
    company: str = ""  # printed on the bulletin (the company unit's name, master data)
    important_total: int = 0  # 重要 complaints closed in the period (``important`` lists up to IMPORTANT_LIMIT)
    cases: list[CaseItem] = field(default_factory=list)  # 案例库 cases published in the period (reference value)
    quarter: list[StatsRow] | None = None  # a calendar quarter: the quarterly analysis of all its complaints


@dataclass(frozen=True)
class CaseItem:
    number: str
    office: str
    grade: str
    category: str
    summary: str
    lessons: str


NOTABLE_LIMIT = 20
CASES_LIMIT = 20
IMPORTANT_LIMIT = 100  # 重要 items printed with their account; the heading counts them all (important_total)
_SATISFIED = tuple(sorted(x.value for x in rules.SATISFIED_RESULTS))


def quality_bulletin(*, actor: Actor, since: datetime, until: datetime, office_id: int | None = None) -> QualityBulletin:
    """The period's 质量简报: counts, the 重要 complaints closed in the period, and 一般 ones worth a comment.

    Counted in SQL; only the items printed are loaded, and only the columns printed (was every closed complaint
    of the period as a full row, and every callback of them: issue 9 §5).
    """
    authorize(actor, Action.COMPLAINT_EXPORT, office_id)
    if since.tzinfo is None or until.tzinfo is None or until <= since:
        raise DomainError("请选择有效的起止日期", field="period")
    scope = actor.scope(Action.COMPLAINT_EXPORT)

    def scoped(stmt):
        stmt = scope_filter(stmt, Complaint.office_id, scope)
        return stmt.where(Complaint.office_id == office_id) if office_id else stmt

    closed_in_period = (Complaint.closed_at >= since, Complaint.closed_at < until, Complaint.state == State.CLOSED.value)
    # the result of the callback: the last one with a satisfaction value
    satisfaction = callback_result()
    consulted = select(ConsultRequest.id).where(ConsultRequest.complaint_id == Complaint.id).correlate(Complaint).exists()
    # Late means handled after the 处理期限: archiving comes after verification and the callback (issue 11 item 18).
    late = and_(Complaint.due_at != None, Complaint.handled_at != None, Complaint.handled_at > Complaint.due_at)  # noqa: E711
    with read_session() as s:
        company = company_name(s)
        received = s.exec(scoped(select(Complaint.grade, func.count()).where(
            Complaint.received_at >= since, Complaint.received_at < until)).group_by(Complaint.grade)).all()
        closed = scoped(select(Complaint.grade, satisfaction.label("satisfaction")).where(*closed_in_period)).subquery()
        totals = s.exec(select(func.count(), func.count(closed.c.satisfaction),
                               func.coalesce(func.sum(case((closed.c.satisfaction.in_(_SATISFIED), 1), else_=0)), 0),
                               func.coalesce(func.sum(case((closed.c.grade == Grade.IMPORTANT.value, 1), else_=0)), 0))
                        ).one()
        columns = (Complaint.number, Complaint.office_id, Complaint.grade, Complaint.category, Complaint.title,
                   func.substr(Complaint.description, 1, 120), func.substr(Complaint.handling_result, 1, 160),
                   Complaint.exemption_kind, Complaint.reopen_count, satisfaction, consulted, late)
        order = (Complaint.closed_at, Complaint.id)
        important = s.exec(scoped(select(*columns).where(*closed_in_period, Complaint.grade == Grade.IMPORTANT.value))
                           .order_by(*order).limit(IMPORTANT_LIMIT)).all()
        # core.complaints.notable_reasons in SQL (a superset is fine: the rule itself decides below)
        notable = s.exec(scoped(select(*columns).where(*closed_in_period, Complaint.grade == Grade.GENERAL.value, or_(
            Complaint.reopen_count > 0, satisfaction == rules.Satisfaction.BASIC.value, consulted, late)))
            .order_by(*order).limit(NOTABLE_LIMIT)).all()
        offices = {r.office_id for r in (*important, *notable)} | ({office_id} if office_id else set())
        names = dict(s.exec(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(offices))).all()) if offices else {}
        categories = policy_in(s, at=until)  # labels of the category codes (the table keeps deactivated rows)
        cases = s.exec(scope_filter(select(ComplaintCase, OrgUnit.name).join(OrgUnit, OrgUnit.id == ComplaintCase.office_id)
                                    .where(ComplaintCase.state == "published", ComplaintCase.published_at >= since,
                                           ComplaintCase.published_at < until), ComplaintCase.office_id, scope)
                       .where(*([ComplaintCase.office_id == office_id] if office_id else []))
                       .order_by(ComplaintCase.published_at, ComplaintCase.id).limit(CASES_LIMIT)).all()
        local_since = since.astimezone(categories.calendar().tz)
        quarter = (compute_period(s, since, until, add_months(local_since, -3), categories,
                                  frozenset({office_id}) if office_id else scope)
                   if quarter_of(since, until, categories) else None)
    by_grade = {g.value: 0 for g in Grade}
    for grade, n in received:
        by_grade[grade] = int(n)

    def item(r) -> BulletinItem:
        number, office, grade, category, title, description, result, exemption, reopen, sat, was_consulted, was_late = r
        entry = BulletinItem(
            number, names.get(office, ""), rules.GRADE_LABELS[Grade(grade)], categories.row_label("complaint.categories", category),
            title, f"{description}；处理：{result or '（未填写）'}", rules.SATISFACTION_LABELS.get(sat, "免回访" if exemption else "—"))
        if grade == Grade.GENERAL.value:
            entry.reasons = rules.notable_reasons(rules.ClosedCase(
                Grade.GENERAL, reopen, rules.Satisfaction(sat) if sat else None, bool(was_consulted), bool(was_late)))
        return entry

    notable_items = [x for x in map(item, notable) if x.reasons]
    n_closed, n_callbacks, n_satisfied, n_important = (int(x) for x in totals)
    case_items = [CaseItem(c.number, office, rules.GRADE_LABELS[Grade(c.grade)],
                           categories.row_label("complaint.categories", c.category), c.summary[:160], c.lessons[:160])
                  for c, office in cases]
    return QualityBulletin(names.get(office_id, "全部（我的范围）") if office_id else "全部（我的范围）", since, until,
                           sum(by_grade.values()), n_closed, by_grade, n_callbacks, n_satisfied,
                           [item(r) for r in important], notable_items, rules.cite("D14", "二"), company=company,
                           important_total=n_important, cases=case_items, quarter=quarter)


def quarter_of(since: datetime, until: datetime, policy) -> bool:
    """Whether [since, until) is exactly one calendar quarter in the company's time zone (知识管理: HQ analyses
    all complaints once a quarter)."""
    tz = policy.calendar().tz
    start, end = since.astimezone(tz), until.astimezone(tz)
    return (start.day == 1 and start.month in (1, 4, 7, 10) and start.hour == start.minute == 0
            and end == add_months(start, 3))


# ----- 通报 by phone and its acknowledgement ---------------------------------------------------------


def record_phone_report(*, actor: Actor, complaint_id: int, at: datetime, to_whom: str, note: str,
                        now: datetime, request_id: str | None = None) -> int:
    """“已电话通报 at …, to …”: meets the report-at-once deadline when made in time; returns the report id."""
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_REPORT)
        if done := already_done(s, request_id, "complaint_report"):
            return int(done)
        wf.require(wf.Op.PHONE_REPORT, wf.Situation.of(c))
        if not (to_whom or "").strip():
            raise DomainError("请填写通报对象", field="to_whom")
        if at.tzinfo is None or at > now + timedelta(minutes=5):
            raise DomainError("通报时间不能晚于现在", field="at")
        row = ComplaintReport(complaint_id=c.id, kind="phone", at=at, by_user_id=actor.user_id, to_whom=to_whom.strip()[:200],
                              note=note.strip()[:2000])
        s.add(row)
        s.flush()
        if c.report_due_at:
            meet_deadline(s, c, duty.REPORT.code, at=at, by=actor.user_id)
        late = c.report_due_at is not None and at > as_utc(c.report_due_at)
        record(s, c, actor=actor, action="report_phone", now=now, citation=rules.cite("D14", "二"),
               note=f"已电话通报（{to_whom.strip()}）" + ("，已超过立即通报时限" if late else ""))
        remember(s, request_id, "complaint_report", row.id)
        return int(row.id)


@dataclass
class ReportStatus:
    """A complaint's 通报: when the report of its class was sent and to whom (the report row); apart from that, who
    of the accounts told has acknowledged it (issue 11 item 4)."""

    sent_at: datetime | None
    to_whom: str
    recipients: int  # accounts told of the current class
    acknowledged: int
    acknowledged_by: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)


def report_status(*, actor: Actor, complaint_id: int) -> ReportStatus:
    with read_session() as s:
        c = visible(s, actor, complaint_id)
        return report_status_in(s, c)


def report_status_in(s: Session, c: Complaint, sent: list[ComplaintReport] | None = None) -> ReportStatus:
    """``sent``: the complaint's report rows when the caller has read them already (the detail page)."""
    label = rules.GRADE_LABELS.get(Grade(c.grade), "") if c.grade else ""
    if sent is None:
        sent = list(s.exec(select(ComplaintReport).where(ComplaintReport.complaint_id == c.id)).all())
    notices_sent = sorted((r for r in sent if r.kind == "notice"), key=lambda r: (as_utc(r.at), r.id or 0))
    last = notices_sent[-1] if notices_sent else None
    rows = s.exec(select(Notice.recipient_user_id, Notice.acked_at).where(
        Notice.entity == ENTITY, Notice.entity_id == str(c.id), Notice.kind == "report",
        Notice.title.startswith(f"【{label}投诉通报】"))).all()
    names = user_names(s, [uid for uid, _ in rows])
    acked = [names.get(uid, "") for uid, at in rows if at is not None]
    return ReportStatus(as_utc(c.reported_at) if c.reported_at else None, last.to_whom if last else "", len(rows),
                        len(acked), acked, [names.get(uid, "") for uid, at in rows if at is None])


def acknowledge_report(*, actor: Actor, complaint_id: int, now: datetime) -> int:
    """The recipient confirms the 通报 (tracked apart from sending: being told is not being reported)."""
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_VIEW)
        rows = s.exec(select(Notice).where(Notice.recipient_user_id == actor.user_id, Notice.entity == ENTITY,
                                           Notice.entity_id == str(c.id), Notice.acked_at == None)).all()  # noqa: E711
        if not rows:
            raise DomainError("没有需要您确认的通报")
        for n in rows:
            n.acked_at = now
            s.add(n)
        _report_received(s, c, actor, now)
        return len(rows)


def _report_received(s: Session, c: Complaint, actor: Actor, now: datetime) -> None:
    hq = {Role.HQ_HEAD, Role.HQ_SPECIALIST} & actor.roles
    record(s, c, actor=actor, action="report_ack", now=now, citation=rules.cite("D14", "二"),
           note="确认收到通报" + ("（总部客服中心）" if hq else ""))


@on_acknowledge(ENTITY)
def _on_notice_ack(s: Session, notice: Notice, actor: Actor, now: datetime) -> None:
    """Acknowledging a 通报 under 通知与通报 counts as on the complaint page."""
    if notice.kind != "report":
        return
    c = s.exec(select(Complaint).where(Complaint.id == int(notice.entity_id)).with_for_update()).first()
    if c is not None:
        _report_received(s, c, actor, now)
