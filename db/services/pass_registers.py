"""Pass lists, the 《施工、装饰人员出入证发放登记表》 register (PDF and Excel rows), the printed pass card, and the
home page's pass items (expiring within the policy window, overdue returns, deposits held).

Every list pages in SQL within the actor's office scope; the home page counts in the offices where the actor
handles passes, with the same conditions the list's queues use.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import select

from core import money
from core import passes as rules
from core.masking import mask_id_number
from core.pdf.pass_forms import CardData, RegisterRow, issue_register, pass_card
from core.permissions import Action, Actor
from core.registry import WorkItem, work_provider
from db.models import AccessPass, OrgUnit, User
from db.services import deposits
from db.services.base import EXPORT_LIMIT, Page, authorize, paginate, scope_filter
from db.services.complaint_kernel import company_name
from db.services.pass_kernel import LIST_PAGE, RECORD_TYPE, TZ, load, policy_for, today
from db.services.policy import policy_in
from db.session import read_session

QUEUES = {"": "全部", "expiring": "即将到期", "overdue": "逾期未退", "out": "在外（未退证）"}
STATUS_FILTERS = rules.STATUS_LABELS
DEPOSIT_STATE_LABELS = {"": "无押金", "held": "押金在押", "refunded": "已退押金", "forfeited": "押金没收"}


def _cutoffs(policy, now: datetime) -> tuple[date, date, date]:
    """(today, the last day of the expiring window, the overdue cutoff: valid_to before it = not back in time)."""
    day = today(now)
    late = rules.return_due(day, policy)
    return day, day + timedelta(days=policy["pass.expiring_days"]), today(now - late)


def _queue(stmt, queue: str, policy, now: datetime):
    day, soon, overdue = _cutoffs(policy, now)
    issued = AccessPass.state == rules.State.ISSUED.value
    if queue == "expiring":
        return stmt.where(issued, AccessPass.valid_to >= day, AccessPass.valid_to <= soon)
    if queue == "overdue":
        return stmt.where(issued, AccessPass.valid_to < overdue)
    if queue == "out":
        return stmt.where(issued)
    return stmt


def _status(stmt, status: str | None, now: datetime):
    if not status:
        return stmt
    day = today(now)
    if status == rules.Status.VALID:
        return stmt.where(AccessPass.state == rules.State.ISSUED.value, AccessPass.valid_to >= day)
    if status == rules.Status.EXPIRED:
        return stmt.where(AccessPass.state == rules.State.ISSUED.value, AccessPass.valid_to < day)
    return stmt.where(AccessPass.state == status)


def _filtered(s, *, actor: Actor, action: Action, now: datetime, office_id, status, pass_type, text, queue, since,
              until):
    stmt = scope_filter(select(AccessPass), AccessPass.office_id, actor.scope(action))
    if office_id:
        stmt = stmt.where(AccessPass.office_id == office_id)
    stmt = _status(stmt, status, now)
    if pass_type:
        stmt = stmt.where(AccessPass.pass_type == pass_type)
    if since:
        stmt = stmt.where(AccessPass.issued_at >= since)
    if until:
        stmt = stmt.where(AccessPass.issued_at < until)
    value = (text or "").strip()
    if value:
        kind, key = rules.gate_query(value)
        if kind == "number":
            stmt = stmt.where(AccessPass.number == key)
        elif kind == "id_tail":
            stmt = stmt.where(AccessPass.id_rtail >= key[::-1], AccessPass.id_rtail < key[::-1] + "~")
        else:
            stmt = stmt.where(AccessPass.holder_name >= key, AccessPass.holder_name < key + "\uffff")
    if queue:
        stmt = _queue(stmt, queue, policy_in(s, at=now), now)
    return stmt


def search(*, actor: Actor, now: datetime, office_id: int | None = None, status: str | None = None,
           pass_type: str | None = None, text: str = "", queue: str = "", since: datetime | None = None,
           until: datetime | None = None, page: int = 1, page_size: int = 30) -> Page:
    """The pass list: filters, queues, newest issued first, paged in SQL."""
    authorize(actor, Action.PASS_VIEW, office_id)
    with read_session() as s:
        stmt = _filtered(s, actor=actor, action=Action.PASS_VIEW, now=now, office_id=office_id, status=status,
                         pass_type=pass_type, text=text, queue=queue, since=since, until=until)
        return paginate(s, stmt, page=page, page_size=page_size,
                        order_by=[AccessPass.issued_at.desc(), AccessPass.id.desc()])


def roster_rows(*, actor: Actor, now: datetime, office_id: int | None = None, since: datetime | None = None,
                  until: datetime | None = None, pass_type: str | None = None) -> list[RegisterRow]:
    """《施工、装饰人员出入证发放登记表》: the passes issued in the period (up to the export limit), oldest first."""
    authorize(actor, Action.PASS_EXPORT, office_id)
    with read_session() as s:
        stmt = _filtered(s, actor=actor, action=Action.PASS_EXPORT, now=now, office_id=office_id, status=None,
                         pass_type=pass_type, text="", queue="", since=since, until=until)
        rows = s.exec(stmt.order_by(AccessPass.issued_at, AccessPass.id).limit(EXPORT_LIMIT)).all()
        names = dict(s.exec(select(User.id, User.display_name).where(
            User.id.in_({r.issued_by for r in rows if r.issued_by} or {-1}))).all())
        policy = policy_in(s, at=now)
    return [_register_row(r, policy, names) for r in rows]


def _register_row(p: AccessPass, policy, names: dict[int, str]) -> RegisterRow:
    closed = p.closed_at.astimezone(TZ).strftime("%Y-%m-%d") if p.closed_at else ""
    return RegisterRow(
        p.number, policy.row_label(rules.TYPES, p.pass_type), p.holder_name, mask_id_number(p.id_number), p.employer,
        p.rooms_label, f"{rules.APPLICANT_LABELS.get(p.applicant_kind, p.applicant_kind)} {p.applicant_name}",
        p.issued_at.astimezone(TZ).strftime("%Y-%m-%d"), f"{p.valid_to:%Y-%m-%d}",
        money.format_yuan(p.fee), money.format_yuan(p.deposit), p.receipt_no,
        closed if p.state == rules.State.RETURNED else "", DEPOSIT_STATE_LABELS.get(p.deposit_state, p.deposit_state),
        p.reason or (rules.STATE_LABELS[rules.State(p.state)] if p.state != rules.State.ISSUED else ""),
        names.get(p.issued_by, ""))


def roster_pdf(*, actor: Actor, now: datetime, office_id: int | None, since: datetime | None,
                 until: datetime | None, period: str) -> bytes:
    rows = roster_rows(actor=actor, now=now, office_id=office_id, since=since, until=until)
    with read_session() as s:
        company = company_name(s)
        office = s.get(OrgUnit, office_id).name if office_id else "全部管理处"
    return issue_register(rows, company=company, office=office, period=period or "全部", printed_at=now)


def card_pdf(*, actor: Actor, pass_id: int, now: datetime) -> bytes:
    """The pass card (Chinese, number, holder, rooms, validity, the number as Code 39)."""
    with read_session() as s:
        p = load(s, actor, pass_id, Action.PASS_VIEW, lock=False)
        policy = policy_for(s, p, now)
        office = s.get(OrgUnit, p.office_id).name
        data = CardData(p.number, policy.row_label(rules.TYPES, p.pass_type), p.holder_name,
                        mask_id_number(p.id_number), p.employer, p.rooms_label,
                        policy.row_label(rules.PURPOSES, p.purpose) if p.purpose else "—",
                        f"{p.valid_from:%Y-%m-%d}", f"{p.valid_to:%Y-%m-%d}", office)
        company = company_name(s)
    return pass_card(data, company=company, printed_at=now)


@work_provider("passes")
def my_work(*, actor: Actor, now: datetime) -> list[WorkItem]:
    """Expiring within the policy window, overdue returns, deposits held — in the offices where the actor handles
    passes."""
    scope = actor.scope(Action.PASS_MANAGE)
    if scope is not None and not scope:
        return []
    with read_session() as s:
        policy = policy_in(s, at=now)
        items = []
        for queue, severity in (("expiring", "warning"), ("overdue", "danger")):
            stmt = _queue(scope_filter(select(func.count()).select_from(AccessPass), AccessPass.office_id, scope),
                          queue, policy, now)
            count = int(s.exec(stmt).one())
            if count:
                title = (f"出入证 {policy['pass.expiring_days']} 天内到期" if queue == "expiring"
                         else "出入证逾期未退")
                items.append(WorkItem(title, count, LIST_PAGE, severity=severity, source="passes"))
        accounts, held = deposits.held_total(s, record_type=RECORD_TYPE, office_ids=scope)
        if accounts:
            items.append(WorkItem(f"出入证押金在押 {money.format_yuan(held)}", accounts, LIST_PAGE, source="passes"))
        return items
