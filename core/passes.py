"""Access-pass rules (《小区出入证管理规定》, domain-rules §2): the states and legal steps, the issue-time checks, the
validity limits, what the gate answers, and the clauses they cite.

A pass is 有效 (issued) until it is returned, reported lost, confiscated or cancelled; an issued pass whose
``valid_to`` day has passed **shows** as 已过期 (computed from the date, never a flag a sweep must set). Pure: the
policy book and ``today`` come from the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from core.errors import DomainError
from core.policy import DOCS, PolicyBook
from core.registry import RecordType, pairs, register_record_type
from core.worktime import add_months

DOC = "D2"
TYPES = "pass.types"  # the policy book's table of pass types
PURPOSES = "pass.purposes"  # and of purposes
NUMBER_PREFIX = "CR"  # 出入证 numbers: CR-<year>-<n>, Code 39 safe


def cite(clause: str) -> str:
    return f"依据《{DOCS[DOC]}》{clause}"


class State(StrEnum):
    ISSUED = "issued"
    RETURNED = "returned"
    LOST = "lost"
    CONFISCATED = "confiscated"
    CANCELLED = "cancelled"


STATE_LABELS = {State.ISSUED: "有效", State.RETURNED: "已退证", State.LOST: "已挂失", State.CONFISCATED: "已没收",
                State.CANCELLED: "已作废"}


class Status(StrEnum):
    """What a pass **is** at a moment (the gate's answer): the state, with 已过期 derived from the date."""

    VALID = "valid"
    EXPIRED = "expired"
    RETURNED = "returned"
    LOST = "lost"
    CONFISCATED = "confiscated"
    CANCELLED = "cancelled"


STATUS_LABELS = {Status.VALID: "有效", Status.EXPIRED: "已过期", Status.RETURNED: "已退证", Status.LOST: "已挂失",
                 Status.CONFISCATED: "已没收", Status.CANCELLED: "已作废"}
# The gate's answer at a glance: may the holder come in, and what the guard does (第3、5、6条).
GATE_ADVICE = {
    Status.VALID: ("放行", "success"),
    Status.EXPIRED: ("已过期：不得放行，收回出入证（第6条）", "error"),
    Status.LOST: ("已挂失：不得放行，收回出入证（第5条）", "error"),
    Status.CONFISCATED: ("已没收：不得放行（第8、9条）", "error"),
    Status.RETURNED: ("已退证：不得放行", "error"),
    Status.CANCELLED: ("已作废：不得放行", "error"),
}


def status(state: str, valid_to: date, today: date) -> Status:
    if state == State.ISSUED:
        return Status.EXPIRED if today > valid_to else Status.VALID
    return Status(state)


class Op(StrEnum):
    EXTEND = "extend"
    REPORT_LOST = "report_lost"
    RETURN = "return"
    CONFISCATE = "confiscate"
    CANCEL = "cancel"
    REISSUE = "reissue"
    ADD_ROOMS = "add_rooms"


OP_LABELS = {Op.EXTEND: "续期", Op.REPORT_LOST: "挂失", Op.RETURN: "退证", Op.CONFISCATE: "没收", Op.CANCEL: "作废",
             Op.REISSUE: "补办", Op.ADD_ROOMS: "增加房屋"}
# The state an op needs, the state it leads to, and the clause it follows.
STEPS: dict[Op, tuple[frozenset[State], State | None, str]] = {
    Op.EXTEND: (frozenset({State.ISSUED}), State.ISSUED, cite("第6、7条")),
    Op.REPORT_LOST: (frozenset({State.ISSUED}), State.LOST, cite("第5条")),
    Op.RETURN: (frozenset({State.ISSUED}), State.RETURNED, cite("第6、7条")),
    Op.CONFISCATE: (frozenset({State.ISSUED}), State.CONFISCATED, cite("第6、8、9条")),
    Op.CANCEL: (frozenset({State.ISSUED}), State.CANCELLED, cite("3.1 出入证的办理制度（作废：推定，待客户确认）")),
    Op.REISSUE: (frozenset({State.LOST}), None, cite("第5条")),
    Op.ADD_ROOMS: (frozenset({State.ISSUED}), State.ISSUED, cite("第7条")),
}
WHY_NOT = {
    State.RETURNED: "已退证", State.LOST: "已挂失", State.CONFISCATED: "已没收", State.CANCELLED: "已作废",
    State.ISSUED: "仍有效",
}


def offered(op: Op, state: str, *, reissued: bool = False) -> str | None:
    """None when ``op`` is legal in ``state``, else why not (Chinese, with the clause)."""
    allowed, _, clause = STEPS[op]
    if State(state) not in allowed:
        return f"该出入证{WHY_NOT[State(state)]}，不能{OP_LABELS[op]}（{clause}）"
    if op is Op.REISSUE and reissued:
        return f"该出入证已补办过新证，不能再次补办（{clause}）"
    return None


def require(op: Op, state: str, *, reissued: bool = False) -> State | None:
    """The next state, or a ``DomainError`` saying why ``op`` is not allowed now."""
    why = offered(op, state, reissued=reissued)
    if why:
        raise DomainError(why)
    return STEPS[op][1]


class ApplicantKind(StrEnum):
    OWNER = "owner"
    CONTRACTOR_HEAD = "contractor_head"
    DECORATION_HEAD = "decoration_head"
    DEPARTMENT = "department"


APPLICANT_LABELS = {ApplicantKind.OWNER: "业主", ApplicantKind.CONTRACTOR_HEAD: "施工单位负责人",
                    ApplicantKind.DECORATION_HEAD: "装修公司负责人", ApplicantKind.DEPARTMENT: "接待部门"}
# 第7条: only the owner or the contractor's person in charge may extend a pass, swap the holder or add a room.
MAY_EXTEND = frozenset({ApplicantKind.OWNER, ApplicantKind.CONTRACTOR_HEAD, ApplicantKind.DECORATION_HEAD})


def check_extender(kind: str, what: str = "续期") -> None:
    if kind not in MAY_EXTEND:
        raise DomainError(f"{what}只能由业主或施工单位负责人申请", clause=cite("第7条"))


def check_added_rooms(kind: str, new_rooms: int) -> None:
    """第7条: rooms are added to a worker's pass; a 住户卡 serves its one household (第1条)."""
    if kind == "resident":
        raise DomainError("住户卡只对应本户房屋，不能增加房屋", clause=cite("第1条"))
    if new_rooms < 1:
        raise DomainError("请选择要增加的房屋（已在出入证上的房屋不重复增加）")


@dataclass(frozen=True)
class Terms:
    """What the rules decide for a pass at issue: the kind of pass, its fee and deposit (int 分)."""

    kind: str  # "temporary" | "resident"
    fee: int
    deposit: int


def type_row(policy: PolicyBook, code: str, *, active_only: bool = True) -> dict:
    row = policy.row(TYPES, code)
    if row is None or (active_only and not row["active"]):
        raise DomainError("请选择出入证类型", field="pass_type")
    return row


def terms(policy: PolicyBook, pass_type: str) -> Terms:
    """临时出入证: the policy book's fee and deposit (第2条); 住户卡: none (第1条)."""
    kind = type_row(policy, pass_type)["kind"]
    if kind == "temporary":
        return Terms(kind, policy["pass.worker_fee"], policy["pass.worker_deposit"])
    return Terms(kind, 0, 0)


def check_validity(policy: PolicyBook, *, kind: str, purpose: str, valid_from: date, valid_to: date,
                   decoration_until: date | None) -> str:
    """Refuse a validity the rules do not allow; returns the clause the limit follows."""
    if valid_to < valid_from:
        raise DomainError("有效期截止日不能早于起始日", field="valid_to", clause=cite("第10条"))
    if kind == "resident":
        return cite("第1条")
    row = policy.row(PURPOSES, purpose)
    if row is None or not row["active"]:
        raise DomainError("请选择办证事由", field="purpose")
    limit = row["limit"]
    if limit == "decoration_period":
        if decoration_until is None:
            raise DomainError("装修人员出入证须填写批准的装修期截止日", field="decoration_until", clause=cite("第10条"))
        if valid_to > decoration_until:
            raise DomainError(f"有效期不能超过批准的装修期（截至 {decoration_until:%Y-%m-%d}）", field="valid_to",
                              clause=cite("第10条"))
    elif limit == "casual_months":
        months = policy["pass.casual_worker_max_months"]
        if valid_to > add_months_date(valid_from, months):
            raise DomainError(f"钟点工/保姆出入证有效期最长 {months} 个月", field="valid_to",
                              clause=policy.cite("pass.casual_worker_max_months"))
        return policy.cite("pass.casual_worker_max_months")
    elif limit == "same_day":
        if valid_to != valid_from:
            raise DomainError("访客出入证仅限当日有效", field="valid_to", clause=cite("第10条"))
    elif limit == "temporary_max":
        days = policy["pass.temporary_max_days"]
        if (valid_to - valid_from).days + 1 > days:
            raise DomainError(f"临时出入证有效期最长 {days} 天", field="valid_to",
                              clause=policy.cite("pass.temporary_max_days"))
        return policy.cite("pass.temporary_max_days")
    return cite("第10条")


def add_months_date(day: date, months: int) -> date:
    return add_months(datetime(day.year, day.month, day.day, tzinfo=UTC), months).date()


def check_household(policy: PolicyBook, cards_held: int) -> None:
    """住户卡 per household (第1条): at most the policy book's number of cards active at once."""
    limit = policy["pass.resident_cards_per_household"]
    if cards_held >= limit:
        raise DomainError(f"该房屋已有 {cards_held} 张有效住户卡，每户最多 {limit} 张",
                          clause=policy.cite("pass.resident_cards_per_household"))


def check_one_per_person(active_number: str | None) -> None:
    """第4条: one pass per person (by ID number) at a time."""
    if active_number:
        raise DomainError(f"该证件号已有有效出入证 {active_number}，每人只能持有一张（请先退证或挂失）",
                          field="id_number", clause=cite("第4条"))


def return_due(valid_to: date, policy: PolicyBook) -> timedelta:
    """How long after the end of the ``valid_to`` day the pass must be back (第6条): the late-return window."""
    amount, unit = policy.duration("pass.late_return_window")
    return {"hours": timedelta(hours=amount), "weeks": timedelta(weeks=amount)}.get(unit, timedelta(days=amount))


def expiring(state: str, valid_to: date, today: date, policy: PolicyBook) -> bool:
    """Still valid, and its last day is within the policy book's reminder window."""
    return state == State.ISSUED and today <= valid_to <= today + timedelta(days=policy["pass.expiring_days"])


def gate_query(text: str) -> tuple[str, str]:
    """What the guard typed (or the scanner sent): ("number", CR-…), ("id_tail", digits) or ("name", text)."""
    value = (text or "").strip().upper().replace(" ", "")
    if not value:
        return "", ""
    if value.startswith(NUMBER_PREFIX + "-") or value.startswith("*" + NUMBER_PREFIX):
        return "number", value.strip("*")
    if len(value) <= 8 and all(c.isdigit() or c == "X" for c in value):
        if len(value) < 4:
            raise DomainError("请输入证件号后 4 位以上")
        return "id_tail", value
    return "name", (text or "").strip()


RECORD_TYPE = register_record_type(RecordType(
    "pass", "出入证", page="views/passes/list.py",
    actions=(("pass.issue", "发放出入证"), ("pass.extend", "续期"), ("pass.report_lost", "挂失"),
             ("pass.return", "退证"), ("pass.confiscate", "没收"), ("pass.cancel", "作废"),
             ("pass.reissue", "补办"), ("pass.forfeit", "逾期未退没收押金"), ("pass.attachment", "上传照片"),
             ("pass.return_breach", "逾期未退证"), ("pass.add_rooms", "增加房屋")),
    fields=(("number", "出入证编号"), ("state", "状态"), ("holder_name", "持证人"), ("id_number", "证件号"),
            ("valid_to", "有效期至"), ("deposit", "押金"), ("reason", "原因")),
    values=(("state", pairs(STATE_LABELS)),),
    masked=("id_number",),
))
