"""Office-visitor incidents (《XX物业客服中心来访接待流程》, domain-rules §20): class, script, deadlines, steps.

An unannounced visit to an office is graded by the policy book's table ``visitor.classes`` (A/B/C/D with the script the
clerk follows; the customer's own definitions are not yet known, so the shipped rows are inferred). A class's
``duties`` column says which deadlines it carries: 客服主任 receives an A-class visitor within
``visitor.a_receive_minutes`` and, if not calmed, the 管理处主任 is told within ``visitor.a_escalate_minutes``; a D-class
incident gets a written report within ``visitor.d_report``; a group is asked for at most ``visitor.b_representatives``
representatives. A group as large as the complaint module's collective threshold becomes a collective complaint through
the complaint intake, whose own rules then decide 热点/重大. Pure: the policy book and every moment come in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from core.complaints import cite, threshold_phrase
from core.duties import DutySpec, register_duty
from core.errors import DomainError
from core.policy import PARAMS, PolicyBook
from core.registry import RecordType, pairs, register_record_type
from core.roles import ROLE_LABELS, Role
from core.worktime import due_at

CLASSES = "visitor.classes"  # the policy book's table of classes and scripts
C_FLOW = cite("D20", "接待步骤")
C_CLASSES = PARAMS[CLASSES].citation


class State(StrEnum):
    LOGGED = "logged"
    RECEIVED = "received"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    CLOSED = "closed"


STATE_LABELS = {State.LOGGED: "已登记", State.RECEIVED: "已接待", State.ESCALATED: "已上报", State.RESOLVED: "已平息",
                State.CLOSED: "已结案"}
OPEN_STATES = frozenset({State.LOGGED, State.RECEIVED, State.ESCALATED})


class Level(StrEnum):
    """Who an incident is escalated to (来访接待流程 A类/B类)."""

    SUPERVISOR = Role.CS_SUPERVISOR.value
    DIRECTOR = Role.OFFICE_DIRECTOR.value


LEVEL_LABELS = {lv: ROLE_LABELS[Role(lv.value)] for lv in Level}


class Op(StrEnum):
    RECEIVE = "receive"
    ESCALATE = "escalate"
    RESOLVE = "resolve"
    REPORT = "report"
    CONVERT = "convert"
    CLOSE = "close"


OP_LABELS = {Op.RECEIVE: "接待", Op.ESCALATE: "上报", Op.RESOLVE: "记录处理结果", Op.REPORT: "提交书面报告",
             Op.CONVERT: "转为投诉", Op.CLOSE: "跟进结案"}

RECORD_TYPE = register_record_type(RecordType(
    "visitor_incident", "来访事件", page="views/reception/incidents.py",
    actions=(("visitor_incident.register", "登记来访事件"), *((f"visitor_incident.{op.value}", label)
                                                          for op, label in OP_LABELS.items()),
             ("visitor_incident.receive_breach", "接待超时"), ("visitor_incident.report_breach", "书面报告超时")),
    fields=(("number", "编号"), ("visit_class", "分类"), ("state", "状态"), ("people_count", "人数"),
            ("complaint_id", "投诉")),
    values=(("state", pairs(STATE_LABELS)),
            ("visit_class", pairs({r["code"]: r["label"] for r in PARAMS[CLASSES].default}))),
))

RECEIVE = register_duty(DutySpec(
    "visitor_incident.receive", RECORD_TYPE.code, "客服主任限时接待", PARAMS["visitor.a_receive_minutes"].citation,
    ("visitor.a_receive_minutes",), role=Role.CS_SUPERVISOR.value, breach_event="receive_breach"))
ESCALATE = register_duty(DutySpec(
    "visitor_incident.escalate", RECORD_TYPE.code, "未平息上报管理处主任", PARAMS["visitor.a_escalate_minutes"].citation,
    ("visitor.a_escalate_minutes",), role=Role.CS_SUPERVISOR.value))
REPORT = register_duty(DutySpec(
    "visitor_incident.report", RECORD_TYPE.code, "书面事件报告", PARAMS["visitor.d_report"].citation,
    ("visitor.d_report",), role=Role.CS_SUPERVISOR.value, breach_event="report_breach"))


# ----- classes ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitClass:
    code: str
    label: str
    definition: str
    script: str
    duties: frozenset[str]


def visit_class(policy: PolicyBook, code: str | None, *, active_only: bool = False) -> VisitClass | None:
    row = policy.row(CLASSES, code or "")
    if row is None or (active_only and not row["active"]):
        return None
    return VisitClass(row["code"], row["label"], row["definition"], row["script"], frozenset(row.get("duties") or ()))


def classes(policy: PolicyBook) -> list[VisitClass]:
    """The active classes, in the administrator's order (the intake's choices)."""
    return [visit_class(policy, r["code"]) for r in policy.rows(CLASSES)]


def class_label(policy: PolicyBook, code: str) -> str:
    return policy.row_label(CLASSES, code)


# ----- intake checks ---------------------------------------------------------------------------------------

MAX_PEOPLE = 10000


@dataclass(frozen=True)
class Intake:
    visit_class: str
    people_count: int
    representatives: int | None
    visitor_name: str
    purpose: str
    arrived_at: datetime


def check_intake(data: Intake, policy: PolicyBook, now: datetime) -> VisitClass:
    """The intake's own rules (the office, customer and room are checked against the database by the service)."""
    vc = visit_class(policy, data.visit_class, active_only=True)
    if vc is None:
        raise DomainError("请选择来访分类", field="visit_class", clause=C_CLASSES)
    if not (data.visitor_name or "").strip():
        raise DomainError("请填写来访人姓名（或选择客户）", field="visitor_name")
    if not (data.purpose or "").strip():
        raise DomainError("请填写来访事由", field="purpose")
    if len(data.purpose) > 2000:
        raise DomainError("来访事由最多 2000 字", field="purpose")
    if data.arrived_at.tzinfo is None:
        raise DomainError("时间缺少时区")
    if data.arrived_at > now + timedelta(minutes=5):
        raise DomainError("来访时间不能晚于现在", field="arrived_at")
    if not 1 <= int(data.people_count) <= MAX_PEOPLE:
        raise DomainError(f"来访人数应在 1 到 {MAX_PEOPLE} 之间", field="people_count")
    check_representatives(vc, int(data.people_count), data.representatives, policy)
    return vc


def check_representatives(vc: VisitClass, people: int, representatives: int | None, policy: PolicyBook) -> None:
    """A group is asked to choose at most ``visitor.b_representatives`` representatives (B类): a larger group must name
    how many talk in the meeting room, and never more than the limit."""
    limit = int(policy["visitor.b_representatives"])
    clause = policy.cite("visitor.b_representatives")
    if representatives is None:
        if "representatives" in vc.duties and people > limit:
            raise DomainError(f"{people}人来访超过代表人数上限 {limit} 人：请来访者推选代表，并填写代表人数",
                              field="representatives", clause=clause)
        return
    if representatives < 1 or representatives > people:
        raise DomainError("代表人数应在 1 到来访人数之间", field="representatives")
    if representatives > limit:
        raise DomainError(f"代表人数不能超过 {limit} 人", field="representatives", clause=clause)


def collective(people: int, policy: PolicyBook) -> bool:
    """A group this large is a collective complaint (投诉通报处理制度 一: the complaint module's threshold decides, and
    its own rules then class it 热点 or 重大)."""
    n = min(int(policy["complaint.hot_collective"]), int(policy["complaint.major_collective"]))
    return people >= n if policy["complaint.thresholds_inclusive"] else people > n


def collective_phrase(policy: PolicyBook) -> str:
    n = min(int(policy["complaint.hot_collective"]), int(policy["complaint.major_collective"]))
    return (f"{threshold_phrase(n, '人', inclusive=bool(policy['complaint.thresholds_inclusive']))}来访按集体投诉登记"
            f"（{policy.cite('complaint.hot_collective')}）")


# ----- deadlines ------------------------------------------------------------------------------------------


def receive_due(vc: VisitClass, arrived_at: datetime, policy: PolicyBook) -> datetime | None:
    if "receive" not in vc.duties:
        return None
    return arrived_at + timedelta(minutes=int(policy["visitor.a_receive_minutes"]))


def escalate_due(vc: VisitClass, arrived_at: datetime, policy: PolicyBook) -> datetime | None:
    if "escalate" not in vc.duties:
        return None
    return arrived_at + timedelta(minutes=int(policy["visitor.a_escalate_minutes"]))


def report_due(vc: VisitClass, arrived_at: datetime, policy: PolicyBook) -> datetime | None:
    if "report" not in vc.duties:
        return None
    amount, unit = policy.duration("visitor.d_report")
    return due_at(arrived_at, amount, unit, policy.calendar())


def calmed_in_time(*, resolved_at: datetime, escalate_due_at: datetime | None) -> bool:
    """Calmed before the 管理处主任 had to be told: that duty is no longer owed."""
    return escalate_due_at is not None and resolved_at <= escalate_due_at


# ----- the steps ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Situation:
    """What the step rules read of an incident."""

    state: State | str
    duties: frozenset[str]
    received: bool
    levels: frozenset[str]  # escalated to (Level codes)
    reported: bool
    complaint_linked: bool


_STATES_FOR = {
    Op.RECEIVE: frozenset({State.LOGGED, State.ESCALATED}),
    Op.ESCALATE: OPEN_STATES | {State.RESOLVED},
    Op.RESOLVE: OPEN_STATES,
    Op.REPORT: OPEN_STATES | {State.RESOLVED},
    Op.CONVERT: OPEN_STATES | {State.RESOLVED},
    Op.CLOSE: frozenset({State.RESOLVED}),
}


def in_state(op: Op, state: State | str) -> bool:
    """The incident's state allows ``op`` at all (its other conditions aside)."""
    return State(state) in _STATES_FOR[op]


def refusal(op: Op, sit: Situation) -> str | None:
    """Why ``op`` is not offered now (with the clause), or None when it is."""
    state = State(sit.state)
    if not in_state(op, state):
        return f"“{STATE_LABELS[state]}”的来访事件不能{OP_LABELS[op]}（{C_FLOW}）"
    if op is Op.RECEIVE and sit.received:
        return "已记录接待人"
    if op is Op.ESCALATE and sit.levels >= set(Level):
        return "已上报客服主任和管理处主任"
    if op is Op.REPORT:
        if "report" not in sit.duties:
            return f"该分类无需书面事件报告（{C_CLASSES}）"
        if sit.reported:
            return "书面事件报告已提交"
    if op is Op.RESOLVE and "receive" in sit.duties and not sit.received:
        return f"请先记录接待人和接待时间（{PARAMS['visitor.a_receive_minutes'].citation}）"
    if op is Op.CONVERT and sit.complaint_linked:
        return "已转为投诉"
    if op is Op.CLOSE and "report" in sit.duties and not sit.reported:
        return f"须先提交书面事件报告才能结案（{C_CLASSES}）"
    return None


def offered(op: Op, sit: Situation) -> bool:
    return refusal(op, sit) is None


def require(op: Op, sit: Situation) -> None:
    reason = refusal(op, sit)
    if reason:
        raise DomainError(reason, clause=C_FLOW)


def next_state(op: Op, state: State | str) -> State:
    state = State(state)
    return {Op.RECEIVE: State.RECEIVED if state is State.LOGGED else state,
            Op.ESCALATE: State.ESCALATED if state in OPEN_STATES else state,
            Op.RESOLVE: State.RESOLVED, Op.CLOSE: State.CLOSED}.get(op, state)


def check_moment(at: datetime, *, arrived_at: datetime, now: datetime, what: str) -> None:
    if at.tzinfo is None:
        raise DomainError("时间缺少时区")
    if at < arrived_at:
        raise DomainError(f"{what}不能早于来访时间", field="at")
    if at > now + timedelta(minutes=5):
        raise DomainError(f"{what}不能晚于现在", field="at")


def check_text(text: str, *, what: str, field: str, limit: int = 2000) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(f"请填写{what}", field=field)
    if len(text) > limit:
        raise DomainError(f"{what}最多 {limit} 字", field=field)
    return text
