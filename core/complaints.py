"""Complaint rules (顾客投诉处理制度, docs 12–14 and 17): classes, the state machine, callbacks, responsibility.

Implements 《投诉通报处理制度》 (four classes and their triggers, HQ's final say, reporting at once for
重大/热点), 《投诉回访》 (callback after verification, exemptions, reopen on 不满意) and 《投诉顾问支持及
责任划分》 (24-hour written reply, the three responsibility clauses). Pure: every number comes from the
policy book passed in, every moment from the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from enum import StrEnum
from zoneinfo import ZoneInfo

from core.errors import DomainError
from core.policy import DOCS, PolicyBook
from core.registry import RecordType
from core.worktime import add_months, due_at


def cite(doc: str, clause: str) -> str:
    return f"依据《{DOCS[doc]}》{clause}"


# The complaint as every shared mechanism names it (timeline, duties, audit page, approvals). Registered, with its
# audit actions and field labels, in core/complaint_facts.py (which needs this module's labels and the facts').
RECORD_TYPE = RecordType("complaint", "投诉", page="views/complaints/list.py")


class Channel(StrEnum):
    PHONE = "phone"
    VISIT = "visit"
    LETTER = "letter"
    ONLINE = "online"
    HOME_VISIT = "home_visit"
    HQ_FORWARD = "hq_forward"
    MEDIA = "media"
    HOTLINE_12345 = "hotline_12345"
    HOUSING_BUREAU = "housing_bureau"


CHANNEL_LABELS = {
    Channel.PHONE: "电话", Channel.VISIT: "来访", Channel.LETTER: "来函", Channel.ONLINE: "网络",
    Channel.HOME_VISIT: "家访", Channel.HQ_FORWARD: "总部转呈", Channel.MEDIA: "媒体",
    Channel.HOTLINE_12345: "政府热线12345", Channel.HOUSING_BUREAU: "住建转办",
}
HOTLINE_CHANNELS = frozenset({Channel.HOTLINE_12345, Channel.HOUSING_BUREAU})


class Category(StrEnum):
    """The codes of the shipped rows of the policy book's ``complaint.categories`` table (demo and scale data,
    tests). Intake, labels and checks read the table: administrators add, rename and deactivate rows there."""

    ENGINEERING = "engineering"
    SECURITY = "security"
    ENVIRONMENT = "environment"
    ATTITUDE = "attitude"
    FEES = "fees"
    PARKING = "parking"
    DECORATION = "decoration"
    NEIGHBOUR = "neighbour"
    BUILDING_QUALITY = "building_quality"
    OTHER = "other"



class Grade(StrEnum):
    MAJOR = "major"
    HOT = "hot"
    IMPORTANT = "important"
    GENERAL = "general"


GRADE_LABELS = {Grade.MAJOR: "重大", Grade.HOT: "热点", Grade.IMPORTANT: "重要", Grade.GENERAL: "一般"}
REPORTED_GRADES = frozenset({Grade.MAJOR, Grade.HOT})


class GradeSource(StrEnum):
    RULES = "rules"
    UNIT_RAISE = "unit_raise"
    HQ = "hq"


GRADE_SOURCE_LABELS = {GradeSource.RULES: "制度判定", GradeSource.UNIT_RAISE: "单位提级", GradeSource.HQ: "总部认定"}


class State(StrEnum):
    RECEIVED = "received"
    ASSIGNED = "assigned"
    HANDLED = "handled"
    VERIFIED = "verified"
    CALLBACK_DONE = "callback_done"
    CALLBACK_EXEMPT = "callback_exempt"
    CLOSED = "closed"
    REOPENED = "reopened"


STATE_LABELS = {
    State.RECEIVED: "已受理", State.ASSIGNED: "已派单", State.HANDLED: "已处理", State.VERIFIED: "验证合格",
    State.CALLBACK_DONE: "已回访", State.CALLBACK_EXEMPT: "免回访", State.CLOSED: "已归档", State.REOPENED: "重新处理",
}
OPEN_STATES = frozenset({State.RECEIVED, State.ASSIGNED, State.HANDLED, State.REOPENED})
# "Effectively resolved" for the age triggers: verified as up to standard and not reopened since.
UNRESOLVED_STATES = OPEN_STATES


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"
    BASIC = "basic"
    UNSATISFIED = "unsatisfied"


SATISFACTION_LABELS = {Satisfaction.SATISFIED: "满意", Satisfaction.BASIC: "基本满意", Satisfaction.UNSATISFIED: "不满意"}


class CallbackMethod(StrEnum):
    PHONE = "phone"
    VISIT = "visit"
    WRITTEN = "written"


CALLBACK_METHOD_LABELS = {CallbackMethod.PHONE: "电话", CallbackMethod.VISIT: "上门（家访）", CallbackMethod.WRITTEN: "书面"}


class Exemption(StrEnum):
    ON_SPOT = "on_spot"
    NO_CONTACT = "no_contact"
    SENSITIVE = "sensitive"
    UNREACHABLE = "unreachable"  # a named complainant not reached after complaint.callback_attempts attempts
    OTHER = "other"  # the list ends with "等": further cases come from the policy book


EXEMPTION_LABELS = {
    Exemption.ON_SPOT: "当场解决且顾客当场确认满意",
    Exemption.NO_CONTACT: "匿名投诉或无有效联系方式的网上投诉",
    Exemption.SENSITIVE: "敏感投诉，不宜回访",
    Exemption.UNREACHABLE: "多次回访均未能联系上顾客",
    Exemption.OTHER: "其他情形（制度参数列明）",
}

C_CALLBACK = cite("D13", "第1条")
C_EXEMPT = cite("D13", "第2条")
C_REOPEN = cite("D13", "第5条")
C_CLASSES = cite("D14", "一")
C_HQ_FINAL = cite("D14", "二.5")
# 《投诉处理流程》 is a procedure of its own, named in 《网上投诉处理》第1条; none of the four documents holds it.
C_FLOW = f"依据《投诉处理流程》（见《{DOCS['D17']}》第1条）"
C_RESP = cite("D12", "二")


# ----- classification ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What the classification engine looks at (投诉通报处理制度 一)."""

    as_of: datetime
    arose_at: datetime
    complainant_count: int = 1
    lawsuit: bool = False
    media_exposed: bool = False
    media_or_lawsuit_risk: bool = False
    same_issue_distinct_complainants: int = 1  # within the window, this complaint included
    our_fault: bool = False
    resolved: bool = False
    repeat_after_close: bool = False  # 二次投诉, including a reopen after an unsatisfied callback
    needs_help: bool = False  # consultant (doc 12) or another group company


@dataclass(frozen=True)
class Trigger:
    grade: Grade
    label: str
    citation: str


@dataclass(frozen=True)
class Classification:
    grade: Grade
    trigger_label: str
    citation: str
    all_triggers: tuple[Trigger, ...] = field(default=())

    @property
    def explanation(self) -> str:
        return f"{self.trigger_label} → {GRADE_LABELS[self.grade]}，{self.citation}"


def rank_order(policy: PolicyBook) -> list[Grade]:
    """Most severe first, from the policy book (one public CRM ranks 热点 below 重要)."""
    try:
        order = [Grade(code.strip()) for code in str(policy["complaint.rank"]).split(">")]
    except ValueError as exc:
        raise DomainError("制度参数“投诉类别严重程度次序”无效", clause=policy.cite("complaint.rank")) from exc
    if sorted(order) != sorted(Grade):
        raise DomainError("制度参数“投诉类别严重程度次序”须列出全部四个类别", clause=policy.cite("complaint.rank"))
    return order


def severity(grade: Grade | str, policy: PolicyBook) -> int:
    """Higher is more severe."""
    order = rank_order(policy)
    return len(order) - order.index(Grade(grade))


def threshold_phrase(n: float, unit: str, *, inclusive: bool) -> str:
    """"3人以上" when 以上 includes the number (complaint.thresholds_inclusive), else "超过3人"."""
    return f"{n:g}{unit}以上" if inclusive else f"超过{n:g}{unit}"


def _at_least(value: float, threshold: float, inclusive: bool) -> bool:
    return value >= threshold if inclusive else value > threshold


def classify(facts: Facts, policy: PolicyBook) -> Classification:
    """Evaluate every trigger; the most severe one (by the policy's rank) decides."""
    inclusive = bool(policy["complaint.thresholds_inclusive"])
    cal = policy.calendar()
    triggers: list[Trigger] = []
    major, hot = policy.cite("complaint.major_collective"), policy.cite("complaint.hot_collective")
    if facts.lawsuit:
        triggers.append(Trigger(Grade.MAJOR, "已被起诉", major))
    if facts.media_exposed:
        triggers.append(Trigger(Grade.MAJOR, "已被媒体曝光", major))
    n = policy["complaint.major_collective"]
    if _at_least(facts.complainant_count, n, inclusive):
        triggers.append(Trigger(Grade.MAJOR, f"{threshold_phrase(n, '人', inclusive=inclusive)}集体投诉（{facts.complainant_count}人）", major))
    unresolved_ours = facts.our_fault and not facts.resolved

    def aged(key: str) -> bool:
        amount, unit = policy.duration(key)
        limit = due_at(facts.arose_at, amount, unit, cal)
        return facts.as_of >= limit if inclusive else facts.as_of > limit

    if unresolved_ours and aged("complaint.major_unresolved"):
        amount, unit = policy.duration("complaint.major_unresolved")
        triggers.append(Trigger(Grade.MAJOR, f"因我方原因{_span(amount, unit)}未有效解决",
                                policy.cite("complaint.major_unresolved")))
    if facts.media_or_lawsuit_risk:
        triggers.append(Trigger(Grade.HOT, "可能引起诉讼或媒体曝光", hot))
    n = policy["complaint.hot_same_issue"]
    if _at_least(facts.same_issue_distinct_complainants, n, inclusive):
        amount, unit = policy.duration("complaint.same_issue_window")
        triggers.append(Trigger(Grade.HOT, f"{_span(amount, unit)}内同一事项{threshold_phrase(n, '位', inclusive=inclusive)}不同投诉人投诉"
                                f"（{facts.same_issue_distinct_complainants}位）", policy.cite("complaint.hot_same_issue")))
    n = policy["complaint.hot_collective"]
    if _at_least(facts.complainant_count, n, inclusive):
        triggers.append(Trigger(Grade.HOT, f"{threshold_phrase(n, '人', inclusive=inclusive)}集体投诉（{facts.complainant_count}人）", hot))
    if unresolved_ours and aged("complaint.hot_unresolved"):
        amount, unit = policy.duration("complaint.hot_unresolved")
        triggers.append(Trigger(Grade.HOT, f"因我方原因{_span(amount, unit)}未解决", policy.cite("complaint.hot_unresolved")))
    if facts.repeat_after_close and policy["complaint.important_on_repeat"]:
        triggers.append(Trigger(Grade.IMPORTANT, "处理结案后二次投诉（含回访不满意重新处理）",
                                policy.cite("complaint.important_on_repeat")))
    if facts.needs_help and policy["complaint.important_on_help"]:
        triggers.append(Trigger(Grade.IMPORTANT, "需专业顾问支持或集团其他公司协助", policy.cite("complaint.important_on_help")))
    if not triggers:
        general = Trigger(Grade.GENERAL, "未触发重大/热点/重要情形", C_CLASSES)
        return Classification(Grade.GENERAL, general.label, general.citation, (general,))
    order = rank_order(policy)
    ordered = tuple(sorted(triggers, key=lambda t: order.index(t.grade)))
    top = ordered[0]
    return Classification(top.grade, top.label, top.citation, ordered)


def media_exposure(channel: Channel | str, viral_post: bool) -> bool:
    """一.1 "被媒体（报纸、外部网站等）曝光": a complaint through the media, or an online post that drew wide attention
    (viral), is media exposure (重大), not a mere risk of it (issue 11 item 6)."""
    return Channel(channel) == Channel.MEDIA or bool(viral_post)


AGE_CLOCKS = {"occurred": "投诉产生（问题发生）时", "received": "受理时"}


def age_clock(policy: PolicyBook, *, occurred_at: datetime, received_at: datetime) -> tuple[str, datetime]:
    """When the "我方原因未解决" clock starts (一.1/一.2 count from when the complaint arose; the policy book may
    choose receipt instead): ("occurred"|"received", the moment)."""
    if policy["complaint.age_clock_from_receipt"]:
        return "received", received_at
    return "occurred", occurred_at


def _span(amount: float, unit: str) -> str:
    from core.worktime import UNITS

    if unit == "months" and amount == 1:
        return "一个月"
    if unit == "days" and amount == 7:
        return "一周"
    return f"{amount:g}{UNITS.get(unit, unit)}"


def effective_grade(rules: Grade, *, raised_to: Grade | None, hq_grade: Grade | None,
                    policy: PolicyBook, held: Grade | None = None) -> tuple[Grade, GradeSource | None]:
    """HQ has the final say; otherwise the highest of the rules, the unit's raise and the class ``held`` now.

    A class never drops by itself (二.5: only the HQ 客服中心 lowers one, with a reason): when the rules now give
    less, the held class stays and the source is ``None`` (the class, its trigger and clause are unchanged).
    """
    if hq_grade is not None:
        return Grade(hq_grade), GradeSource.HQ
    if raised_to is not None and severity(raised_to, policy) > severity(rules, policy):
        best, source = Grade(raised_to), GradeSource.UNIT_RAISE
    else:
        best, source = Grade(rules), GradeSource.RULES
    if held is not None and severity(held, policy) > severity(best, policy):
        return Grade(held), None
    return best, source


def rises(old: Grade | str | None, new: Grade | str, policy: PolicyBook) -> bool:
    """A change to a more severe class (or the first class): it brings the duties of the new class."""
    return old is None or severity(new, policy) > severity(old, policy)


def lowering_note(held: Grade | str, rules: Grade | str) -> str:
    """Said on the complaint when the rules now give less than the class it keeps."""
    return (f"按现有事实制度判定为“{GRADE_LABELS[Grade(rules)]}”，低于现类别“{GRADE_LABELS[Grade(held)]}”；"
            f"类别不自行降低，降级须由总部客服中心认定（{C_HQ_FINAL}）")


def check_unit_raise(*, current: Grade, rules: Grade, new: Grade, reason: str, policy: PolicyBook) -> None:
    """A unit may raise the class with a reason, never set it below what the rules give."""
    if not (reason or "").strip():
        raise DomainError("提高投诉类别须填写理由", clause=C_HQ_FINAL, field="reason")
    if severity(new, policy) < severity(rules, policy):
        raise DomainError(f"单位不得将投诉类别降至制度判定的“{GRADE_LABELS[Grade(rules)]}”以下", clause=C_HQ_FINAL)
    if severity(new, policy) <= severity(current, policy):
        raise DomainError(f"当前已是“{GRADE_LABELS[Grade(current)]}”，单位只能提高类别；降级须由总部客服中心认定",
                          clause=C_HQ_FINAL)


def check_hq_override(*, reason: str) -> None:
    if not (reason or "").strip():
        raise DomainError("总部认定投诉类别须填写理由", clause=C_HQ_FINAL, field="reason")


# ----- state machine -------------------------------------------------------------------------------


class Step(StrEnum):
    ASSIGN = "assign"
    HANDLE = "handle"
    VERIFY = "verify"
    CALLBACK = "callback"
    EXEMPT = "exempt"
    CLOSE = "close"
    REOPEN = "reopen"
    VERIFY_FAIL = "verify_fail"
    UNEXEMPT = "unexempt"


STEP_LABELS = {Step.ASSIGN: "派单", Step.HANDLE: "处理完成", Step.VERIFY: "验证合格", Step.CALLBACK: "回访",
               Step.EXEMPT: "免回访", Step.CLOSE: "归档", Step.REOPEN: "重新处理", Step.VERIFY_FAIL: "验证不合格",
               Step.UNEXEMPT: "撤销免回访"}

TRANSITIONS: dict[Step, dict[State, State]] = {
    Step.ASSIGN: {State.RECEIVED: State.ASSIGNED, State.ASSIGNED: State.ASSIGNED, State.REOPENED: State.ASSIGNED},
    Step.HANDLE: {State.ASSIGNED: State.HANDLED},
    Step.VERIFY: {State.HANDLED: State.VERIFIED},
    Step.CALLBACK: {State.VERIFIED: State.CALLBACK_DONE},  # 不满意 → REOPENED (see after_callback)
    Step.EXEMPT: {State.VERIFIED: State.CALLBACK_EXEMPT},
    Step.CLOSE: {State.CALLBACK_DONE: State.CLOSED, State.CALLBACK_EXEMPT: State.CLOSED},
    Step.REOPEN: {State.CLOSED: State.REOPENED, State.CALLBACK_DONE: State.REOPENED},
    Step.VERIFY_FAIL: {State.HANDLED: State.ASSIGNED},  # 验证不合格: back to the handler, with the reason
    Step.UNEXEMPT: {State.CALLBACK_EXEMPT: State.VERIFIED},  # a 客服主任 reverses an exemption: the callback is owed
}

STEP_REFUSALS: dict[Step, tuple[str, str]] = {
    Step.ASSIGN: ("只有已受理或重新处理中的投诉可以派单", C_FLOW),
    Step.HANDLE: ("投诉须先派单给责任部门/责任人，才能登记处理结果", C_FLOW),
    Step.VERIFY: ("只有已处理的投诉可以验证", C_CALLBACK),
    Step.CALLBACK: ("投诉须经处理并验证合格后方可回访", C_CALLBACK),
    Step.EXEMPT: ("投诉须经处理并验证合格后方可认定免回访", C_EXEMPT),
    Step.CLOSE: ("投诉须经处理、验证合格并完成回访（或认定免回访）后方可归档", C_CALLBACK),
    Step.REOPEN: ("只有已归档或已回访的投诉可以因二次投诉重新处理", C_REOPEN),
    Step.VERIFY_FAIL: ("只有已处理的投诉可以验证", C_CALLBACK),
    Step.UNEXEMPT: ("只有已认定免回访（尚未归档）的投诉可以撤销免回访", C_EXEMPT),
}


def next_state(state: State | str, step: Step) -> State:
    """The state after ``step``, or a Chinese refusal citing the clause."""
    target = TRANSITIONS[step].get(State(state))
    if target is None:
        message, clause = STEP_REFUSALS[step]
        raise DomainError(f"{message}（当前状态：{STATE_LABELS[State(state)]}）", clause=clause)
    return target


def allowed_steps(state: State | str) -> list[Step]:
    return [step for step, table in TRANSITIONS.items() if State(state) in table]


def callback_roles(grade: Grade | str, policy: PolicyBook) -> tuple[str, ...] | None:
    """The role codes that call back a complaint of ``grade`` (投诉回访 第3条), or None: whoever may call back."""
    row = policy.row("complaint.callback_callers", Grade(grade).value)
    return tuple(row["roles"]) if row and row.get("active", True) else None


def after_callback(satisfaction: Satisfaction | str) -> State:
    """不满意 → reopened (and at least 重要); otherwise callback done."""
    return State.REOPENED if Satisfaction(satisfaction) == Satisfaction.UNSATISFIED else State.CALLBACK_DONE


def callback_rate(done: int, required: int) -> float | None:
    """回访率 = callbacks done ÷ complaints needing one (投诉回访 第6条); None when none was needed."""
    return done / required if required else None


SATISFIED_RESULTS = frozenset({Satisfaction.SATISFIED, Satisfaction.BASIC})  # 满意 and 基本满意 count as satisfied


def satisfaction_rate(satisfied: int, surveyed: int) -> float | None:
    """满意率 = 满意与基本满意 ÷ callbacks with a satisfaction value; None when nobody was asked."""
    return satisfied / surveyed if surveyed else None


def meets_callback_target(rate: float | None, policy: PolicyBook) -> bool:
    """At or above ``complaint.callback_target_pct`` (nothing needed counts as met)."""
    return rate is None or rate * 100 >= policy["complaint.callback_target_pct"]


@dataclass(frozen=True)
class ExemptionFacts:
    resolved_on_spot: bool = False
    satisfied_on_spot: bool = False
    anonymous: bool = False
    online: bool = False
    contact_available: bool = True
    sensitive: bool = False
    failed_attempts: int = 0  # callback attempts since verification that did not reach the customer
    reopened: bool = False  # handled again after 不满意 or a 二次投诉: the on-the-spot satisfaction no longer holds


def exemption_by_facts(facts: ExemptionFacts) -> Exemption | None:
    """The exemption the facts recorded at intake already give (投诉回访 第2条 (a)(b)), or None.

    Applied at verification: a complaint fixed on the spot to the customer's satisfaction, or anonymous / an online
    one without a usable contact, owes no callback, and nobody should have to exempt it by hand.
    """
    if facts.resolved_on_spot and facts.satisfied_on_spot and not facts.reopened:
        return Exemption.ON_SPOT
    if facts.anonymous or (facts.online and not facts.contact_available):
        return Exemption.NO_CONTACT
    return None


def exemption_by_facts_reason(kind: Exemption) -> str:
    return f"受理时已记录“{EXEMPTION_LABELS[kind]}”，验证合格时依据登记事实认定免回访"


def suggested_exemption(facts: ExemptionFacts, policy: PolicyBook) -> Exemption | None:
    """The case the exemption form starts on: the one the facts support (never a case they refute)."""
    if (by_facts := exemption_by_facts(facts)) is not None:
        return by_facts
    if facts.failed_attempts >= policy["complaint.callback_attempts"]:
        return Exemption.UNREACHABLE
    return Exemption.SENSITIVE if facts.sensitive else None


def extra_exemptions(policy: PolicyBook) -> list[str]:
    """The configurable part of the exemption list (the text ends with "等")."""
    text = str(policy["complaint.callback_exempt_extra"])
    return [part.strip() for part in text.replace(";", "；").split("；") if part.strip()]


def check_exemption(kind: Exemption | str, facts: ExemptionFacts, *, reason: str, decider_user_id: int | None,
                    policy: PolicyBook, extra_case: str = "") -> None:
    """Refuse an exemption that the callback rules do not allow; a reason and a decider are mandatory."""
    kind = Exemption(kind)
    if not (reason or "").strip():
        raise DomainError("认定免回访必须填写理由", clause=C_EXEMPT, field="reason")
    if decider_user_id is None:
        raise DomainError("认定免回访必须记录决定人", clause=C_EXEMPT)
    if kind == Exemption.ON_SPOT and not (facts.resolved_on_spot and facts.satisfied_on_spot):
        raise DomainError("只有当场解决且顾客当场确认满意的投诉才可按此项免回访", clause=C_EXEMPT)
    if kind == Exemption.NO_CONTACT and not (facts.anonymous or (facts.online and not facts.contact_available)):
        raise DomainError("只有匿名投诉或无有效联系方式的网上投诉才可按此项免回访", clause=C_EXEMPT)
    if kind == Exemption.SENSITIVE and not facts.sensitive:
        raise DomainError("该投诉未标记为敏感投诉，不能按“不宜回访”免回访", clause=C_EXEMPT)
    if kind == Exemption.UNREACHABLE and facts.failed_attempts < (needed := policy["complaint.callback_attempts"]):
        raise DomainError(f"须先记录{needed}次未联系上顾客的回访（时间、方式、结果），才可按“联系不上”免回访"
                          f"（已记录{facts.failed_attempts}次）", clause=policy.cite("complaint.callback_attempts"))
    if kind == Exemption.OTHER and extra_case not in extra_exemptions(policy):
        raise DomainError("请选择制度参数中列明的其他免回访情形", clause=policy.cite("complaint.callback_exempt_extra"))


# ----- deadlines -----------------------------------------------------------------------------------


def _due(policy: PolicyBook, key: str, start: datetime) -> datetime:
    amount, unit = policy.duration(key)
    return due_at(start, amount, unit, policy.calendar())


def handling_due(grade: Grade | str, received_at: datetime, policy: PolicyBook) -> datetime:
    return _due(policy, f"complaint.due_{Grade(grade).value}", received_at)


def report_due(grade: Grade | str, classified_at: datetime, policy: PolicyBook) -> datetime | None:
    """重大/热点 are reported "at once" to HQ (and, for 重大, 行政公关部 and company leaders)."""
    return _due(policy, "complaint.report_at_once", classified_at) if Grade(grade) in REPORTED_GRADES else None


def contact_due(first_received_at: datetime, policy: PolicyBook) -> datetime:
    """When the office's 投诉接口 should have had the complaint (责任划分 二.1; the time is 推定)."""
    return _due(policy, "complaint.contact_within", first_received_at)


def consultant_due(requested_at: datetime, policy: PolicyBook) -> datetime:
    return _due(policy, "complaint.consultant_reply", requested_at)


def hq_forward_due(asked_at: datetime, policy: PolicyBook) -> datetime:
    return _due(policy, "complaint.hq_forward_within", asked_at)


def handling_overdue(*, state: State | str, due_at: datetime | None, handled_at: datetime | None, now: datetime) -> bool:
    """已超期 on the 处理期限: an open complaint whose result came after it, or that has no result and the deadline
    has passed. A result recorded in time is not late while it waits for verification (issue 11 item 23)."""
    if due_at is None or State(state) not in OPEN_STATES:
        return False
    return (handled_at or now) > due_at


def report_pending(*, state: State | str, report_due_at: datetime | None, reported_at: datetime | None) -> bool:
    """The "须立即通报 … 尚未确认收到" call to act: a reported class not yet received by HQ, while not archived."""
    return report_due_at is not None and reported_at is None and State(state) != State.CLOSED


def callback_due(verified_at: datetime, policy: PolicyBook) -> datetime:
    return _due(policy, "complaint.callback_within", verified_at)


def hotline_due(channel: Channel | str, received_at: datetime, policy: PolicyBook) -> datetime | None:
    return _due(policy, "complaint.hotline_reply", received_at) if Channel(channel) in HOTLINE_CHANNELS else None


def online_facts_due(received_at: datetime, *, viral: bool, policy: PolicyBook) -> datetime:
    return _due(policy, "complaint.online_facts_viral" if viral else "complaint.online_facts", received_at)


def same_issue_window_end(start: datetime, policy: PolicyBook) -> datetime:
    amount, unit = policy.duration("complaint.same_issue_window")
    if unit == "months":
        return add_months(start, int(amount))
    return due_at(start, amount, unit, policy.calendar())


def same_issue_distinct(own: tuple[datetime, str], others: list[tuple[datetime, str]], policy: PolicyBook) -> int:
    """Distinct complainants of one issue within one window (一.2 "一个月内") that holds this complaint, counted on
    the complaints' own dates (received), not back from today: the most any such window holds (issue 11 item 8).

    ``own`` and ``others`` are (received at, complainant key); a window starts at a complaint's date."""
    when, key = own
    everyone = [*others, own]
    best = 1
    for start, _ in everyone:
        if start > when or same_issue_window_end(start, policy) < when:
            continue  # a window starting there does not hold this complaint
        end = same_issue_window_end(start, policy)
        best = max(best, len({k for d, k in everyone if start <= d <= end} | {key}))
    return best



# ----- responsibility (责任划分) ------------------------------------------------------------------


@dataclass(frozen=True)
class ConsultTimes:
    consultant_name: str
    requested_at: datetime
    reply_due_at: datetime
    replied_at: datetime | None = None
    hq_asked_at: datetime | None = None  # the unit could not reach the consultant and asked HQ
    hq_forward_due_at: datetime | None = None
    hq_forwarded_at: datetime | None = None


@dataclass(frozen=True)
class ResponsibilityFacts:
    as_of: datetime
    handling_due_at: datetime
    contact_person: str  # 投诉接口负责人
    hq_head: str  # 客服中心负责人
    intake_due_at: datetime | None = None  # when the contact point should have had the complaint
    contact_received_at: datetime | None = None
    intake_delayed_by: str = ""
    consults: tuple[ConsultTimes, ...] = ()
    handled_at: datetime | None = None  # the result of the current handling period (None: not yet handled)
    tz: tzinfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))  # how the reason prints the deadline


@dataclass(frozen=True)
class Finding:
    clause: str
    person: str
    reason: str
    citation: str


def _missed(deadline: str, due: datetime, done: datetime | None, tz: tzinfo, *, done_word: str, undone: str) -> str:
    """"错过投诉处理期限（2026-11-30 18:00，处理完成于 …）": which deadline, when, and what happened (item 23)."""
    when = f"{done_word}于 {done.astimezone(tz):%Y-%m-%d %H:%M}" if done else undone
    return f"错过{deadline}（{due.astimezone(tz):%Y-%m-%d %H:%M}，{when}）："


def attribute_responsibility(facts: ResponsibilityFacts) -> list[Finding]:
    """Who answers for a missed deadline, by the three clauses of 《投诉顾问支持及责任划分》二; each reason names the
    deadline missed, when it fell due and when (or whether) it was met."""
    tz = facts.tz
    findings: list[Finding] = []
    if facts.intake_due_at and (facts.contact_received_at or facts.as_of) > facts.intake_due_at:
        findings.append(Finding("第1条", facts.intake_delayed_by or "（延误人待查明）",
                                _missed("投诉接口收件期限", facts.intake_due_at, facts.contact_received_at, tz,
                                        done_word="投诉接口收到", undone="投诉接口尚未收到")
                                + "投诉接口未及时收到投诉信息，由造成延误者负责", cite("D12", "二.1")))
    for c in facts.consults:
        if c.hq_asked_at and c.hq_forward_due_at and (c.hq_forwarded_at or facts.as_of) > c.hq_forward_due_at:
            findings.append(Finding("第2条", facts.hq_head,
                                    _missed("客服中心转达期限", c.hq_forward_due_at, c.hq_forwarded_at, tz,
                                            done_word="转达", undone="尚未转达")
                                    + "客服中心未及时转达求助信息，由客服中心负责人负责", cite("D12", "二.2")))
        if (c.replied_at or facts.as_of) > c.reply_due_at:
            findings.append(Finding("第2条", c.consultant_name,
                                    _missed("顾问书面答复期限", c.reply_due_at, c.replied_at, tz,
                                            done_word="答复", undone="尚未答复")
                                    + "专业顾问未及时提供支持，由该顾问负责", cite("D12", "二.2")))
    if (facts.handled_at or facts.as_of) > facts.handling_due_at and not findings:
        findings.append(Finding("第3条", facts.contact_person,
                                _missed("投诉处理期限", facts.handling_due_at, facts.handled_at, tz,
                                        done_word="处理完成", undone="尚未处理完成")
                                + "投诉接口收到投诉后未能妥善解决，由投诉接口负责人负责", cite("D12", "二.3")))
    return findings


# ----- reporting artefacts (通报: 快报, 专题报告, 质量简报) -------------------------------------------------

C_EXPRESS = cite("D14", "二.1")
C_SPECIAL = cite("D14", "二")
# Timeline actions that count as a "significant change" and call for a 快报 before the weekly one is due.
MAJOR_CHANGE_ACTIONS = frozenset({"grade", "facts", "reopen", "callback", "online", "online_reply", "same_issue",
                                  "consult_reply", "report_breach"})


def express_due(since: datetime, policy: PolicyBook) -> datetime:
    """The next 快报 for an open 重大 complaint: at least every ``complaint.express_bulletin_every``."""
    return _due(policy, "complaint.express_bulletin_every", since)


def special_due(closed_at: datetime, policy: PolicyBook) -> datetime:
    """The 专题报告 of a closed 重大/热点 complaint: ``complaint.special_report_within`` after archiving."""
    return _due(policy, "complaint.special_report_within", closed_at)


def check_express(progress: str) -> None:
    """The 快报's text; whether one is due now is ``core.complaint_workflow`` (Op.EXPRESS)."""
    if not (progress or "").strip():
        raise DomainError("请填写本期进展", field="progress")


def special_kind(grade: Grade | str) -> str | None:
    """重大 → three-part 专题报告; 热点 → a brief one; other classes need none."""
    return {Grade.MAJOR: "three_part", Grade.HOT: "brief"}.get(Grade(grade))


SPECIAL_PARTS = {"part_a": "一、投诉的全过程及处理情况", "part_b": "二、投诉产生及升级的原因", "part_c": "三、防止再次发生的措施"}


def check_special_report(grade: Grade | str, *, part_a: str, part_b: str, part_c: str) -> str:
    """Refuse a 专题报告 with a required part empty; return its kind.

    Whether one is due (class, closed) is ``core.complaint_workflow`` (Op.SPECIAL_REPORT), checked first.
    """
    kind = special_kind(grade)
    if kind is None:
        raise ValueError(f"no special report for class {grade}")
    required = ["part_a"] + (["part_b", "part_c"] if kind == "three_part" else [])
    values = {"part_a": part_a, "part_b": part_b, "part_c": part_c}
    for key in required:
        if not (values[key] or "").strip():
            raise DomainError(f"请填写“{SPECIAL_PARTS[key]}”", clause=C_SPECIAL, field=key)
    return kind


@dataclass(frozen=True)
class ClosedCase:
    """What the 质量简报 needs to know about a closed complaint."""

    grade: Grade
    reopen_count: int = 0
    callback_satisfaction: Satisfaction | None = None
    consulted: bool = False
    closed_late: bool = False


def notable_reasons(case: ClosedCase) -> list[str]:
    """Why a 一般 complaint is worth a comment in the 质量简报 (cases of reference value, 知识管理)."""
    reasons = []
    if case.reopen_count:
        reasons.append(f"回访不满意或二次投诉重新处理 {case.reopen_count} 次")
    if case.callback_satisfaction == Satisfaction.BASIC:
        reasons.append("回访仅基本满意")
    if case.consulted:
        reasons.append("曾请专业顾问支持")
    if case.closed_late:
        reasons.append("超过处理期限")
    return reasons
