"""The complaint kernel (顾客投诉处理制度, docs 12–14): what every complaint feature builds on.

Load-and-lock with the office-scope check, the timeline event + audit row, the policy a complaint is judged by,
the classification (re-run whenever facts change, with class history, deadlines and 通报), and the people a
complaint's notices go to. Feature modules (``complaints`` intake/lists/detail, ``complaint_flow``,
``complaint_grades``, ``complaint_reports``, ``complaint_consult``, ``complaint_groups``, ``complaint_online``,
``complaint_attachments``, ``complaint_findings``) import this module; it imports none of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, insert, or_
from sqlmodel import Session, select

from core import complaint_duties as duty
from core import complaints as rules
from core.complaint_facts import classification_facts
from core.complaints import Grade, GradeSource, State
from core.permissions import Action, Actor
from core.policy import REPORT_RECIPIENTS, PolicyBook
from core.roles import Role
from db.models import (
    Callback,
    Complaint,
    ComplaintGradeHistory,
    ComplaintReport,
    ConsultRequest,
    Department,
    Notice,
    OrgUnit,
    Staff,
    User,
    UserRole,
)
from db.models.base import as_utc
from db.services.base import audit, load_scoped
from db.services.duties import assign_duties, cancel_duty, meet_duty, open_duty
from db.services.notices import notify
from db.services.policy import policy_in
from db.services.timeline import record_event

LIST_PAGE = "views/complaints/list.py"
ENTITY = "complaint"
RECORD_TYPE = rules.RECORD_TYPE.code
NOT_FOUND = "投诉不存在或不在您的管理范围内"


def policy_for(s: Session, c: Complaint, now: datetime) -> PolicyBook:
    """The rules a complaint is judged by: the version it was made under, in force at ``now``."""
    return policy_in(s, at=now, version=c.policy_version)


def load(s: Session, actor: Actor, complaint_id: int, action: Action, *, lock: bool = True) -> Complaint:
    """The complaint, locked for update, after checking ``action`` in its **current** office.

    Another office's complaint is refused with the same sentence as a missing one (no probing), audited as the
    refusal it is (``db.services.base.load_scoped``). Every complaint service loads its row here **before** it
    validates any other input, so the office is the first thing a call is judged by.
    """
    return load_scoped(s, Complaint, complaint_id, actor=actor, action=action, entity=ENTITY, lock=lock,
                       missing=NOT_FOUND)


def visible(s: Session, actor: Actor, complaint_id: int) -> Complaint:
    """The complaint for a read, if the actor may view it (another office's record: an audited ``OutOfScope``)."""
    return load(s, actor, complaint_id, Action.COMPLAINT_VIEW, lock=False)


def record(s: Session, c: Complaint, *, actor: Actor | None, action: str, now: datetime, note: str = "",
           from_state: str | None = None, citation: str = "", before: Any = None, after: Any = None) -> None:
    """The timeline step (``db.services.timeline``) and the audit row, in the caller's transaction.

    Both rows are plain INSERTs sent at once (not objects flushed at commit): they were most of a registration's
    CPU (issue 5).
    """
    if c.updated_at is not now:  # a new complaint carries it already: leave it clean, no flush at commit
        c.updated_at = now
    if c not in s:
        s.add(c)
    record_event(s, record_type=RECORD_TYPE, record_id=c.id, office_id=c.office_id, actor=actor, event=action, at=now,
                 note=note, citation=citation, from_state=from_state, to_state=c.state)
    audit(s, actor=actor, action=f"complaint.{action}", entity=ENTITY, entity_id=c.id, office_id=c.office_id,
          summary=f"{c.number} {note}"[:500], before=before, after=after)


# ----- deadlines: the duty rows and the complaint's deadline columns, written together -------------------------

# Each duty's due/met columns, on the complaint or (consult reply, HQ forwarding) its consult request or (online
# facts and reply) its online post. The columns stay for the list queries (已超期/即将超期 read the
# ``ix_complaint_state_due_handled`` index without a join) and the screens; only the helpers below write them.
COLUMNS: dict[str, tuple[str, str | None]] = {
    duty.HANDLE.code: ("due_at", None),
    duty.REPORT.code: ("report_due_at", "reported_at"),
    duty.HOTLINE.code: ("hotline_due_at", None),
    duty.CALLBACK.code: ("callback_due_at", None),
    duty.CONSULT_REPLY.code: ("due_at", "replied_at"),
    duty.HQ_FORWARD.code: ("hq_forward_due_at", "hq_forwarded_at"),
    duty.ONLINE_FACTS.code: ("facts_due_at", "facts_at"),
    duty.ONLINE_REPLY.code: ("public_reply_due_at", "public_reply_at"),
}


def _key(row: Any) -> str:
    """Parallel duties of one kind on a complaint: one per consult request."""
    return str(row.id) if isinstance(row, ConsultRequest) else ""


def set_deadline(s: Session, c: Complaint, code: str, due_at: datetime | None, *, now: datetime, row: Any = None,
                 started_at: datetime | None = None, clause: str = "", note: str = "", new_record: bool = False) -> None:
    """``c`` owes duty ``code`` by ``due_at``: its column (on ``row``, default the complaint) and its duty row.

    ``due_at`` None: no longer owed (the open duty is cancelled, with ``note``). Moving an open duty keeps one row.
    """
    target = c if row is None else row
    column = COLUMNS.get(code, (None, None))[0]
    if column is not None and getattr(target, column) != due_at:  # unchanged: no UPDATE of a just-inserted row
        setattr(target, column, due_at)
    if due_at is None:
        if not new_record:
            cancel_duty(s, record_type=RECORD_TYPE, record_id=c.id, duty=code, key=_key(target), at=now, note=note)
        return
    open_duty(s, record_type=RECORD_TYPE, record_id=c.id, office_id=c.office_id, duty=code, due_at=due_at, now=now,
              started_at=started_at or now, key=_key(target), policy_version=c.policy_version, clause=clause,
              responsible_user_id=c.handler_user_id if code in duty.HANDLER_DUTIES else None, new_record=new_record)


def meet_deadline(s: Session, c: Complaint, code: str, *, at: datetime, by: int | None = None, row: Any = None) -> None:
    """Duty ``code`` was met at ``at``: its met column (the earliest time wins) and its duty row."""
    target = c if row is None else row
    column = COLUMNS.get(code, (None, None))[1]
    if column is not None:
        current = as_utc(getattr(target, column))
        if current is None or at < current:
            setattr(target, column, at)
    meet_duty(s, record_type=RECORD_TYPE, record_id=c.id, duty=code, key=_key(target), at=at, by=by)


def track_express(s: Session, c: Complaint, policy: PolicyBook, *, now: datetime, new_record: bool = False) -> None:
    """A 重大 complaint owes a 快报 every period until it is archived (投诉通报处理制度 二.1; then a 专题报告)."""
    if c.grade == Grade.MAJOR.value and State(c.state) != State.CLOSED:
        set_deadline(s, c, duty.EXPRESS.code, rules.express_due(now, policy), now=now, new_record=new_record,
                     clause=policy.cite("complaint.express_bulletin_every"))
    elif not new_record:
        set_deadline(s, c, duty.EXPRESS.code, None, now=now, note="不再是处理中的重大投诉")
    if not new_record:
        track_special(s, c, policy, now=now)


def track_special(s: Session, c: Complaint, policy: PolicyBook, *, now: datetime) -> None:
    """An archived 重大/热点 complaint owes its 专题报告 (二: three parts / brief) within the policy book's days of
    archiving, unless written already; reopened, it owes none until archived again."""
    closed = State(c.state) == State.CLOSED and c.closed_at is not None
    if closed and rules.special_kind(c.grade) is not None:
        written = s.exec(select(ComplaintReport.id).where(ComplaintReport.complaint_id == c.id,
                                                          ComplaintReport.kind == "special",
                                                          ComplaintReport.at >= c.closed_at)).first()
        if written is None:
            set_deadline(s, c, duty.SPECIAL.code, rules.special_due(as_utc(c.closed_at), policy), now=now,
                         started_at=as_utc(c.closed_at), clause=policy.cite("complaint.special_report_within"))
            return
    set_deadline(s, c, duty.SPECIAL.code, None, now=now, note="投诉未归档或已无须专题报告")


def assign_deadlines(s: Session, c: Complaint, *, at: datetime) -> None:
    """The handler now answers for the handling duties (派单)."""
    assign_duties(s, record_type=RECORD_TYPE, record_id=c.id, responsible_user_id=c.handler_user_id,
                  duties=duty.HANDLER_DUTIES, at=at)


_GRADE_INSERT = insert(ComplaintGradeHistory)


def record_grade(s: Session, c: Complaint, *, at: datetime, from_grade: str | None, source: str,
                   reason: str = "", actor: Actor | None) -> None:
    """One row of the class history (a plain INSERT, like the timeline event)."""
    s.connection().execute(_GRADE_INSERT, {
        "complaint_id": c.id, "at": at, "from_grade": from_grade, "to_grade": c.grade, "source": source,
        "trigger": c.grade_trigger, "reason": reason[:500], "actor_user_id": actor.user_id if actor else None})


def _complainant_key(c: Complaint) -> str:
    if c.customer_id:
        return f"c{c.customer_id}"
    if c.complainant_phone:
        return f"p{c.complainant_phone}"
    if c.complainant_name and not c.anonymous:
        return f"n{c.complainant_name}"
    return f"id{c.id}"


def same_issue_count(s: Session, c: Complaint, policy: PolicyBook, now: datetime) -> int:
    """Distinct complainants of the same issue within one window holding this complaint, on the complaints' own
    dates (this complaint included; ``core.complaints.same_issue_distinct``)."""
    if not c.same_issue_group_id:
        return 1
    rows = s.exec(select(Complaint).where(Complaint.same_issue_group_id == c.same_issue_group_id,
                                          Complaint.id != c.id)).all()
    return rules.same_issue_distinct((as_utc(c.received_at), _complainant_key(c)),
                                     [(as_utc(r.received_at), _complainant_key(r)) for r in rows], policy)


def facts_of(s: Session, c: Complaint, policy: PolicyBook, now: datetime) -> rules.Facts:
    """The classification inputs of a complaint as it stands (core.complaint_facts names which facts count)."""
    has_consult = c.id is not None and s.exec(
        select(func.count()).select_from(ConsultRequest).where(ConsultRequest.complaint_id == c.id)).one() > 0
    _, clock = rules.age_clock(policy, occurred_at=as_utc(c.occurred_at), received_at=as_utc(c.received_at))
    return classification_facts(
        c, as_of=now, arose_at=clock, same_issue_distinct_complainants=same_issue_count(s, c, policy, now),
        resolved=State(c.state) not in rules.UNRESOLVED_STATES,
        repeat_after_close=c.reopen_count > 0 or c.repeat_of_id is not None, has_consult=has_consult)


def reclassify(s: Session, c: Complaint, *, actor: Actor | None, now: datetime, reason: str = "") -> bool:
    """Re-evaluate the triggers; on a change of class write history, move deadlines and report if due."""
    policy = policy_for(s, c, now)
    result = rules.classify(facts_of(s, c, policy, now), policy)
    c.rules_grade = result.grade.value
    old = c.grade
    grade, source = rules.effective_grade(result.grade, raised_to=c.raised_grade and Grade(c.raised_grade),
                                          hq_grade=c.hq_grade and Grade(c.hq_grade), policy=policy,
                                          held=Grade(old) if old else None)
    if source is None:  # the rules give less than the class held: it stays until HQ lowers it (二.5)
        s.add(c)
        return False
    if source == GradeSource.RULES:
        c.grade_trigger, c.grade_citation = result.trigger_label[:200], result.citation[:200]
    c.grade_source = source.value
    if old == grade.value:
        s.add(c)
        return False
    c.grade = grade.value
    record_grade(s, c, at=now, from_grade=old, source=source.value, reason=reason, actor=actor)
    if State(c.state) in rules.OPEN_STATES:
        set_deadline(s, c, duty.HANDLE.code, rules.handling_due(grade, as_utc(c.received_at), policy), now=now,
                     started_at=as_utc(c.received_at), clause=policy.cite(f"complaint.due_{grade.value}"))
    if grade in rules.REPORTED_GRADES and rules.rises(old, grade, policy):
        # every rise into a reported class is reported anew, by the new class's own deadline (issue 11 item 1)
        c.reported_at = None
        set_deadline(s, c, duty.REPORT.code, rules.report_due(grade, now, policy), now=now,
                     clause=policy.cite("complaint.report_at_once"))
        send_reports(s, c, now=now)
    if Grade.MAJOR.value in (old, grade.value):
        track_express(s, c, policy, now=now)
    label_old = rules.GRADE_LABELS[Grade(old)] if old else "—"
    record(s, c, actor=actor, action="grade", now=now, citation=c.grade_citation,
           note=f"类别 {label_old} → {rules.GRADE_LABELS[grade]}（{rules.GRADE_SOURCE_LABELS[source]}：{c.grade_trigger}）"
                + (f"；理由：{reason}" if reason else ""))
    return True


def recipients(s: Session, *, roles: Sequence[str] = (), office_roles: Sequence[str] = (), office_id: int | None,
               department_kinds: Sequence[str] = ()) -> list[int]:
    """Active accounts holding one of ``roles`` (any unit), one of ``office_roles`` in ``office_id``, or heading a
    department of one of ``department_kinds``: one query, returning only those accounts (ordered by id)."""
    held = [User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(roles)))] if roles else []
    if office_roles and office_id is not None:
        held.append(User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(office_roles),
                                                                UserRole.org_unit_id == office_id)))
    if department_kinds:
        held.append(User.staff_id.in_(select(Department.head_staff_id).where(
            Department.kind.in_(department_kinds), Department.head_staff_id != None)))  # noqa: E711
    if not held:
        return []
    return list(s.exec(select(User.id).where(User.active == True, or_(*held)).order_by(User.id)).all())  # noqa: E712


def _held_by(code: str, c: Complaint):
    """The SQL condition on ``app_user`` for one recipient of the routing table (core.policy.REPORT_RECIPIENTS);
    ``None`` when it names nobody for this complaint (no responsible department yet)."""
    def roles(*held: Role, office_id: int | None = None):
        stmt = select(UserRole.user_id).where(UserRole.role.in_([r.value for r in held]))
        return User.id.in_(stmt.where(UserRole.org_unit_id == office_id) if office_id is not None else stmt)

    def heads(*where):
        return User.staff_id.in_(select(Department.head_staff_id).where(Department.head_staff_id != None, *where))  # noqa: E711

    if code == "hq_cs":
        return roles(Role.HQ_HEAD, Role.HQ_SPECIALIST)
    if code == "leaders":
        return roles(Role.LEADER)
    if code == "leader_in_charge" and c.responsible_department_id:  # the department's 分管领导 (组织与房屋)
        return User.staff_id.in_(select(Department.leader_staff_id).where(
            Department.id == c.responsible_department_id, Department.leader_staff_id != None))  # noqa: E711
    if code == "office_director":
        return roles(Role.OFFICE_DIRECTOR, office_id=c.office_id)
    if code == "pr_admin_head":
        return heads(Department.kind == "pr_admin")
    if code == "dept_head" and c.responsible_department_id:
        return heads(Department.id == c.responsible_department_id)
    return None


NOBODY = "无人（请在组织与房屋或用户与角色中设置）"
BY_DEPARTMENT = frozenset({"dept_head", "leader_in_charge"})  # known once the complaint has a responsible department


def report_recipients(s: Session, c: Complaint, policy: PolicyBook) -> list[tuple[str, list[tuple[int, str]], str]]:
    """Who is told of this complaint's class: (recipient label, active accounts as (id, name), why nobody) per
    recipient of the routing row for its class (policy book ``complaint.report_routing``, 投诉通报处理制度 二).

    One query over the accounts, a flag per recipient, so only the accounts told are read (issue 9 §5). Nobody
    holding a post is said on the report, not skipped (issue 11 item 2)."""
    row = policy.row("complaint.report_routing", c.grade)
    if row is None or not row["active"]:
        return []
    codes = list(row["recipients"])
    conditions = {code: cond for code in codes if (cond := _held_by(code, c)) is not None}
    found: list = []
    if conditions:
        flags = [case((cond, 1), else_=0) for cond in conditions.values()]
        found = s.exec(select(User.id, User.display_name, *flags)
                       .where(User.active == True, or_(*conditions.values())).order_by(User.id)).all()  # noqa: E712
    told_by = {code: [(r[0], r[1]) for r in found if r[2 + i]] for i, code in enumerate(conditions)}
    return [(REPORT_RECIPIENTS.get(code, code), told_by.get(code, []),
             "尚未指定责任部门" if code in BY_DEPARTMENT and not c.responsible_department_id else NOBODY)
            for code in codes]


def told(recipients: list[tuple[str, list[tuple[int, str]], str]]) -> str:
    """The report's 对象: each recipient with the names told, or why nobody was."""
    parts = [f"{label}：{'、'.join(name for _, name in users) if users else nobody}" for label, users, nobody in recipients]
    text = "；".join(parts)
    count = len({i for _, users, _ in recipients for i, _ in users})
    return text if len(text) <= 200 else text[:190] + f"…共{count}人"


def send_reports(s: Session, c: Complaint, *, now: datetime, supplement: bool = False) -> None:
    """The system report of a 重大/热点 complaint, to the recipients the routing table names for its class.

    "Reported" means sent (issue 11 item 4): the 通报 duty is met when every recipient of the routing row was told
    (the report row names them, or says why nobody); acknowledgement is tracked apart, on the notices. A recipient
    with nobody leaves the duty open (the 通报 is completed by phone, or later). ``supplement``: only those of this
    class not yet told (a responsible department named after the report); nothing when there are none.
    """
    recipients = report_recipients(s, c, policy_for(s, c, now))
    label = rules.GRADE_LABELS[Grade(c.grade)]
    title = f"【{label}投诉通报】{c.number} {c.title or ''}".strip()
    user_ids = list(dict.fromkeys(i for _, users, _ in recipients for i, _ in users))
    if supplement:
        before = set(s.exec(select(Notice.recipient_user_id).where(
            Notice.entity == ENTITY, Notice.entity_id == str(c.id), Notice.kind == "report",
            Notice.title.startswith(f"【{label}投诉通报】"))).all())
        user_ids = [i for i in user_ids if i not in before]
        if not user_ids:
            return
    notify(s, recipient_user_ids=user_ids, kind="report", title=title,
           body=f"{c.grade_trigger}。{c.description[:300]}", page=LIST_PAGE, entity=ENTITY, entity_id=str(c.id),
           office_id=c.office_id, requires_ack=True, due_at=c.report_due_at, now=now)
    s.add(ComplaintReport(complaint_id=c.id, kind="notice", at=now, to_whom=told(recipients),
                          note=("补充通报：" if supplement else "") + c.grade_trigger))
    if recipients and all(users for _, users, _ in recipients) and c.report_due_at is not None:
        meet_deadline(s, c, duty.REPORT.code, at=now)


def contact_person(s: Session, office_id: int) -> str:
    office = s.get(OrgUnit, office_id)
    staff = s.get(Staff, office.complaint_contact_staff_id) if office and office.complaint_contact_staff_id else None
    # Saving an office requires its contact person (org.save_unit); an office never saved since says so plainly.
    return staff.name if staff else "（本管理处未指定投诉接口负责人）"


def callback_result():
    """The complaint's callback result as a correlated scalar subquery: the satisfaction of its last callback that
    recorded one (质量简报 and the monthly statistics table read it the same way)."""
    return (select(Callback.satisfaction).where(Callback.complaint_id == Complaint.id, Callback.satisfaction != None)  # noqa: E711
            .order_by(Callback.at.desc(), Callback.id.desc()).limit(1).correlate(Complaint).scalar_subquery())


def company_name(s: Session) -> str:
    """The company's name as printed on its forms: the OrgUnit of kind "company" (master data, 组织与房屋)."""
    return s.exec(select(OrgUnit.name).where(OrgUnit.kind == "company").order_by(OrgUnit.id)).first() or ""


def hq_user_ids(s) -> list[int]:
    """Active accounts of the HQ 客服中心 (head and specialists)."""
    return recipients(s, roles=(Role.HQ_HEAD.value, Role.HQ_SPECIALIST.value), office_id=None)


def user_names(s: Session, user_ids) -> dict[int, str]:
    """Display names of the given accounts only (one IN query; none for no ids)."""
    ids = sorted({i for i in user_ids if i is not None})
    return dict(s.exec(select(User.id, User.display_name).where(User.id.in_(ids))).all()) if ids else {}
