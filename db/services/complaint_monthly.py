"""物业管理投诉月报 (issue 15 item 2; 知识管理: the HQ 客服中心 consolidates the units' tables into one report for the
leaders): the consolidated 《顾客投诉分类统计表》, the last 12 months by category and class, the most frequent
issues, overdue and reopened complaints, the callback exemptions used, and each office's rates — for the offices
the reader may see, each figure by the same counters as the monthly table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, or_
from sqlmodel import select

from core import complaint_stats as rules
from core import complaints as crules
from core.pdf.complaint_monthly_forms import monthly_report as monthly_form
from core.permissions import Action, Actor
from db.models import Complaint, OrgUnit
from db.models.base import as_utc
from db.services.base import authorize, scope_filter
from db.services.complaint_kernel import company_name
from db.services.complaint_stats import compute, counts_by
from db.services.policy import policy_in
from db.session import read_session

VIEW = Action.COMPLAINT_EXPORT
TREND_MONTHS = 12
TOP_ISSUES = 10
LIST_LIMIT = 20


@dataclass(frozen=True)
class OfficeRates:
    office: str
    received: int
    closed: int
    closure_rate: str
    callback_rate: str
    satisfaction_rate: str


@dataclass(frozen=True)
class Listed:
    number: str
    office: str
    title: str
    note: str


@dataclass(frozen=True)
class MonthlyReport:
    month: date
    scope: str
    company: str
    table: list[rules.StatsRow]
    trend_months: list[date]
    trend_by_category: dict[str, list[int]]  # category label → count per month (oldest first)
    trend_by_grade: dict[str, list[int]]  # class label → count per month (class as it is now)
    top_issues: list[tuple[str, int]]
    overdue: int
    overdue_items: list[Listed]
    reopened: int
    reopened_items: list[Listed]
    exemptions: list[tuple[str, int]]
    offices: list[OfficeRates]
    citation: str


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1%}"


def monthly_report(*, actor: Actor, month: date, now: datetime) -> MonthlyReport:
    """The month's report over the actor's offices (headquarters: the whole company)."""
    authorize(actor, VIEW)
    scope = actor.scope(VIEW)
    month = rules.first_of_month(month)
    with read_session() as s:
        policy = policy_in(s, at=now)
        start, end = rules.month_range(month, policy)
        table = compute(s, month, policy, scope)
        # 12 months by category and class: one pass over the year, bucketed by month in SQL
        months = [month]
        for _ in range(TREND_MONTHS - 1):
            months.insert(0, rules.previous_month(months[0]))
        bounds = [rules.month_range(m, policy)[1] for m in months]
        bucket = case(*((Complaint.received_at < b, i) for i, b in enumerate(bounds)), else_=len(bounds))
        year = scope_filter(select(bucket.label("m"), Complaint.category, Complaint.grade, func.count()).where(
            Complaint.received_at >= rules.month_range(months[0], policy)[0], Complaint.received_at < end),
            Complaint.office_id, scope).group_by(bucket, Complaint.category, Complaint.grade)
        by_category: dict[str, list[int]] = {}
        by_grade: dict[str, list[int]] = {crules.GRADE_LABELS[g]: [0] * len(months) for g in crules.Grade}
        for m, category, grade, n in s.exec(year).all():
            label = policy.row_label("complaint.categories", category)
            by_category.setdefault(label, [0] * len(months))[int(m)] += int(n)
            by_grade[crules.GRADE_LABELS[crules.Grade(grade)]][int(m)] += int(n)

        def of_month(stmt):
            return scope_filter(stmt.where(Complaint.received_at >= start, Complaint.received_at < end),
                                Complaint.office_id, scope)

        issue = func.coalesce(func.nullif(Complaint.title, ""), func.substr(Complaint.description, 1, 20))
        top = s.exec(of_month(select(issue, func.count())).group_by(issue)
                     .order_by(func.count().desc(), issue).limit(TOP_ISSUES)).all()
        late = or_(and_(Complaint.handled_at.is_not(None), Complaint.handled_at > Complaint.due_at),
                   and_(Complaint.handled_at.is_(None), Complaint.due_at < now))
        overdue_where = (Complaint.due_at.is_not(None), late)
        overdue = s.exec(of_month(select(func.count()).select_from(Complaint)).where(*overdue_where)).one()
        names = dict(s.exec(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.kind == "office")).all())
        overdue_rows = s.exec(of_month(select(Complaint.number, Complaint.office_id, Complaint.title, Complaint.due_at))
                              .where(*overdue_where).order_by(Complaint.due_at).limit(LIST_LIMIT)).all()
        reopened = s.exec(of_month(select(func.count()).select_from(Complaint)).where(Complaint.reopen_count > 0)).one()
        reopened_rows = s.exec(of_month(select(Complaint.number, Complaint.office_id, Complaint.title,
                                               Complaint.reopen_count)).where(Complaint.reopen_count > 0)
                               .order_by(Complaint.reopen_count.desc(), Complaint.id).limit(LIST_LIMIT)).all()
        exemptions = s.exec(of_month(select(Complaint.exemption_kind, func.count())).where(
            Complaint.exemption_kind.is_not(None)).group_by(Complaint.exemption_kind)
            .order_by(func.count().desc())).all()
        per_office = counts_by(s, start, end, scope, by=Complaint.office_id)
        company = company_name(s)
    tz = policy.calendar().tz
    offices = []
    for office_id, c in sorted(per_office.items(), key=lambda kv: names.get(kv[0], "")):
        row = rules.StatsRow("", names.get(office_id, ""), c, 0)
        offices.append(OfficeRates(row.label, c.total, c.closed, _pct(row.closure_rate), _pct(row.callback_rate),
                                   _pct(row.satisfaction_rate)))
    return MonthlyReport(
        month, "全公司" if scope is None else "我的管理范围", company, table, months, by_category, by_grade,
        [(str(t), int(n)) for t, n in top], int(overdue),
        [Listed(n, names.get(o, ""), t, f"处理期限 {as_utc(d).astimezone(tz):%m-%d %H:%M}") for n, o, t, d in overdue_rows],
        int(reopened), [Listed(n, names.get(o, ""), t, f"重新处理 {k} 次") for n, o, t, k in reopened_rows],
        [(crules.EXEMPTION_LABELS.get(crules.Exemption(k), k) if k in crules.Exemption._value2member_map_ else k,
          int(n)) for k, n in exemptions],
        offices, rules.CLAUSE)


def report_pdf(report: MonthlyReport, *, prepared_by: str, printed_at: datetime, tz) -> bytes:
    """The month's report as the paper form (PDF)."""
    return monthly_form(company=report.company, scope=report.scope, month=report.month, number=f"YB-{report.month:%Y%m}",
                table=report.table, trend_months=report.trend_months, trend_by_grade=report.trend_by_grade,
                top_issues=report.top_issues, overdue=report.overdue, reopened=report.reopened,
                exemptions=report.exemptions, prepared_by=prepared_by, printed_at=printed_at.astimezone(tz),
                offices=[(o.office, str(o.received), str(o.closed), o.closure_rate, o.callback_rate,
                          o.satisfaction_rate) for o in report.offices])
