"""Complaint workflow rules (顾客投诉处理制度, docs 12–14 and 17): which action a complaint offers, now, to whom.

One table, ``RULES``, says for every workflow action (派单, 处理, 验证, 回访, 归档, 顾问, 同一事项, 网上投诉, 通报,
类别 …) whether it is offered in the complaint's current state (and its consult request's or online post's
state) for this actor relation (the handler may not verify or call back), and if not, why, citing the clause.
Services call ``require`` after loading the row and refuse with that sentence; screens call ``offered`` to
decide what to show. Also here: ``is_overdue``, the reported classes, and the policy-worded sentences that
screens and timelines quote ("3人以上"/"超过3人", "已超过24小时时限"). Pure: no database, no clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from core import complaints as rules
from core.complaints import Grade, State, Step
from core.errors import DomainError
from core.permissions import Action, Actor
from core.policy import PolicyBook, format_value
from core.roles import COMPANY_WIDE_ROLES, ROLE_LABELS, Role


class Op(StrEnum):
    """Every action of the complaint workflow that a service performs on an existing complaint."""

    ASSIGN = "assign"
    NOTE = "note"
    HANDLE = "handle"
    VERIFY = "verify"
    VERIFY_FAIL = "verify_fail"
    CALLBACK = "callback"
    EXEMPT = "exempt"
    UNEXEMPT = "unexempt"
    CLOSE = "close"
    REOPEN = "reopen"
    CONSULT_REQUEST = "consult_request"
    CONSULT_UNREACHABLE = "consult_unreachable"
    CONSULT_FORWARDED = "consult_forwarded"
    CONSULT_FINAL_RESULT = "consult_final_result"
    CONSULT_REPLY = "consult_reply"
    SAME_ISSUE_LINK = "same_issue_link"
    SAME_ISSUE_UNLINK = "same_issue_unlink"
    ONLINE_POST = "online_post"
    ONLINE_NOTIFIED = "online_notified"
    ONLINE_FACTS = "online_facts"
    ONLINE_REPLY = "online_reply"
    ONLINE_RESULT = "online_result"
    PHONE_REPORT = "phone_report"
    EXPRESS = "express"
    SPECIAL_REPORT = "special_report"
    DECIDE_FINDING = "decide_finding"
    GRADE_RAISE = "grade_raise"
    GRADE_OVERRIDE = "grade_override"
    UPDATE_FACTS = "update_facts"
    ATTACHMENT = "attachment"


# The permission each action needs (any one of them); the office is the complaint's.
PERMISSION: dict[Op, tuple[Action, ...]] = {
    Op.ASSIGN: (Action.COMPLAINT_ASSIGN,),
    Op.NOTE: (Action.COMPLAINT_HANDLE,),
    Op.HANDLE: (Action.COMPLAINT_HANDLE,),
    Op.VERIFY: (Action.COMPLAINT_VERIFY,),
    Op.VERIFY_FAIL: (Action.COMPLAINT_VERIFY,),
    Op.CALLBACK: (Action.COMPLAINT_CALLBACK,),
    Op.EXEMPT: (Action.COMPLAINT_CALLBACK,),
    Op.UNEXEMPT: (Action.COMPLAINT_CALLBACK,),
    Op.CLOSE: (Action.COMPLAINT_CLOSE,),
    Op.REOPEN: (Action.COMPLAINT_ASSIGN,),
    Op.CONSULT_REQUEST: (Action.COMPLAINT_CONSULT_REQUEST,),
    Op.CONSULT_UNREACHABLE: (Action.COMPLAINT_CONSULT_REQUEST,),
    Op.CONSULT_FORWARDED: (Action.COMPLAINT_CONSULTANT_MANAGE,),
    Op.CONSULT_FINAL_RESULT: (Action.COMPLAINT_CONSULT_REQUEST,),
    Op.CONSULT_REPLY: (Action.COMPLAINT_CONSULT_REPLY,),
    Op.SAME_ISSUE_LINK: (Action.COMPLAINT_HANDLE,),
    Op.SAME_ISSUE_UNLINK: (Action.COMPLAINT_HANDLE,),
    Op.ONLINE_POST: (Action.COMPLAINT_HANDLE, Action.COMPLAINT_ONLINE_REPLY),
    Op.ONLINE_NOTIFIED: (Action.COMPLAINT_HANDLE,),
    Op.ONLINE_FACTS: (Action.COMPLAINT_HANDLE,),
    Op.ONLINE_REPLY: (Action.COMPLAINT_ONLINE_REPLY,),
    Op.ONLINE_RESULT: (Action.COMPLAINT_ONLINE_REPLY,),
    Op.PHONE_REPORT: (Action.COMPLAINT_REPORT,),
    Op.EXPRESS: (Action.COMPLAINT_REPORT,),
    Op.SPECIAL_REPORT: (Action.COMPLAINT_REPORT,),
    Op.DECIDE_FINDING: (Action.COMPLAINT_RESPONSIBILITY_CONFIRM,),
    Op.GRADE_RAISE: (Action.COMPLAINT_GRADE_RAISE,),
    Op.GRADE_OVERRIDE: (Action.COMPLAINT_GRADE_OVERRIDE_HQ,),
    Op.UPDATE_FACTS: (Action.COMPLAINT_FACTS_CORRECT,),
    Op.ATTACHMENT: (Action.COMPLAINT_HANDLE,),
}

# The state-machine steps, whose allowed states and refusals are ``core.complaints.TRANSITIONS``.
STEP_OF: dict[Op, Step] = {Op.ASSIGN: Step.ASSIGN, Op.HANDLE: Step.HANDLE, Op.VERIFY: Step.VERIFY,
                           Op.VERIFY_FAIL: Step.VERIFY_FAIL, Op.CALLBACK: Step.CALLBACK, Op.EXEMPT: Step.EXEMPT,
                           Op.UNEXEMPT: Step.UNEXEMPT, Op.CLOSE: Step.CLOSE, Op.REOPEN: Step.REOPEN}

C_CONSULT = rules.cite("D12", "一.1")
C_CONSULT_HQ = rules.cite("D12", "一.2")
C_CONSULT_REPLY = rules.cite("D12", "一.3")
C_SAME_ISSUE = rules.cite("D14", "一.2")
C_REPORT = rules.cite("D14", "二")
C_ONLINE_NOTIFY = rules.cite("D17", "第1条")
C_ONLINE_FACTS = rules.cite("D17", "第2条")
C_ONLINE_RESULT = rules.cite("D17", "第4条")
C_ONLINE_REPLY = rules.cite("D17", "第3条")


# ----- what the rules look at ----------------------------------------------------------------------


def _has(row: Any, name: str) -> bool:
    return getattr(row, name, None) is not None


@dataclass(frozen=True)
class Situation:
    """The complaint as the workflow rules see it."""

    state: State
    grade: Grade = Grade.GENERAL
    office_id: int | None = None
    hq_grade: Grade | None = None
    handler_user_id: int | None = None
    handled_by: int | None = None
    in_same_issue_group: bool = False
    report_due: bool = False  # a 通报 was due (the complaint is or was 重大/热点)

    @classmethod
    def of(cls, c: Any) -> Situation:
        """From a complaint record (any object with the complaint's fields)."""
        return cls(state=State(c.state), grade=Grade(c.grade), office_id=c.office_id,
                   hq_grade=Grade(c.hq_grade) if c.hq_grade else None, handler_user_id=c.handler_user_id,
                   handled_by=c.handled_by, in_same_issue_group=bool(c.same_issue_group_id),
                   report_due=_has(c, "report_due_at"))


@dataclass(frozen=True)
class ConsultSituation:
    """One request for a 专业顾问's support (投诉顾问支持及责任划分 一)."""

    replied: bool = False
    hq_asked: bool = False
    hq_forwarded: bool = False
    final_result_notified: bool = False

    @classmethod
    def of(cls, row: Any) -> ConsultSituation:
        return cls(replied=_has(row, "replied_at"), hq_asked=_has(row, "hq_asked_at"),
                   hq_forwarded=_has(row, "hq_forwarded_at"), final_result_notified=_has(row, "final_result_notified_at"))


@dataclass(frozen=True)
class OnlineSituation:
    """The online-post record of a complaint (网上投诉处理 第1–3条); ``registered`` is False when there is none."""

    registered: bool = False
    unit_notified: bool = False
    facts_submitted: bool = False
    publicly_replied: bool = False
    result_posted: bool = False  # the handling result is on the public thread (第4条)

    @classmethod
    def of(cls, post: Any | None) -> OnlineSituation:
        if post is None:
            return cls()
        return cls(True, _has(post, "unit_notified_at"), _has(post, "facts_at"), _has(post, "public_reply_at"),
                   _has(post, "result_posted_at"))


@dataclass(frozen=True)
class Verdict:
    """OK (``reason`` empty) or a refusal in Chinese with the clause it follows."""

    reason: str = ""
    clause: str | None = None

    @property
    def ok(self) -> bool:
        return not self.reason

    def __bool__(self) -> bool:
        return self.ok

    @property
    def message(self) -> str:
        return DomainError(self.reason, clause=self.clause).message if self.reason else ""

    def raise_if_refused(self) -> None:
        if self.reason:
            raise DomainError(self.reason, clause=self.clause)


OK = Verdict()


@dataclass(frozen=True)
class _Ask:
    c: Situation
    actor_user_id: int | None
    consult: ConsultSituation | None
    online: OnlineSituation | None


# ----- the rules, one per action ---------------------------------------------------------------------


def _step(op: Op) -> Callable[[_Ask], Verdict]:
    step = STEP_OF[op]

    def rule(a: _Ask) -> Verdict:
        if a.c.state in rules.TRANSITIONS[step]:
            return OK
        message, clause = rules.STEP_REFUSALS[step]
        return Verdict(f"{message}（当前状态：{rules.STATE_LABELS[a.c.state]}）", clause)

    return rule


def _is_handler(a: _Ask) -> bool:
    return a.actor_user_id is not None and a.actor_user_id in {a.c.handler_user_id, a.c.handled_by}


def _not_the_handler(op: Op, refusal: str, clause: str) -> Callable[[_Ask], Verdict]:
    """Four eyes (投诉回访 第1条): the state first, then the handler is refused ``op``."""
    def rule(a: _Ask) -> Verdict:
        state = _step(op)(a)
        if state and _is_handler(a):
            return Verdict(refusal, clause)
        return state

    return rule


_verify = _not_the_handler(Op.VERIFY, "验证人不能是该投诉的处理人", rules.C_CALLBACK)
_verify_fail = _not_the_handler(Op.VERIFY_FAIL, "验证人不能是该投诉的处理人", rules.C_CALLBACK)
_callback = _not_the_handler(Op.CALLBACK, "回访不能由该投诉的处理人进行", rules.C_CALLBACK)
# Exempting is deciding that no callback is owed: the handler may not decide it for his own complaint either.
_exempt = _not_the_handler(Op.EXEMPT, "免回访不能由该投诉的处理人认定", rules.C_EXEMPT)


def _while_open(what: str, clause: str) -> Callable[[_Ask], Verdict]:
    def rule(a: _Ask) -> Verdict:
        if a.c.state in rules.OPEN_STATES:
            return OK
        return Verdict(f"只有处理中的投诉可以{what}（当前状态：{rules.STATE_LABELS[a.c.state]}）", clause)

    return rule


def _consult_request(a: _Ask) -> Verdict:
    return _while_open("请求专业顾问支持", C_CONSULT)(a)


def _consult(a: _Ask) -> ConsultSituation:
    return a.consult or ConsultSituation()


def _consult_unreachable(a: _Ask) -> Verdict:
    r = _consult(a)
    if r.replied:
        return Verdict("顾问已答复，无须客服中心协调", C_CONSULT_HQ)
    if r.hq_asked:
        return Verdict("已请客服中心协调，请等待客服中心联系顾问或指派临时顾问", C_CONSULT_HQ)
    return _while_open("请客服中心协调顾问", C_CONSULT_HQ)(a)


def _consult_forwarded(a: _Ask) -> Verdict:
    r = _consult(a)
    if not r.hq_asked or r.hq_forwarded:
        return Verdict("该请求没有待客服中心转达的协调要求", C_CONSULT_HQ)
    return OK


def _consult_final_result(a: _Ask) -> Verdict:
    r = _consult(a)
    if not r.replied:
        return Verdict("顾问尚未答复，暂不能告知最终结果", C_CONSULT)
    if r.final_result_notified:
        return Verdict("已告知客服中心最终结果", C_CONSULT)
    if a.c.state != State.CLOSED:
        return Verdict(f"投诉处理结束（归档）后方可告知客服中心最终结果（当前状态：{rules.STATE_LABELS[a.c.state]}）",
                       C_CONSULT)
    return OK


def _consult_reply(a: _Ask) -> Verdict:
    return Verdict("该请求已答复", C_CONSULT_REPLY) if _consult(a).replied else OK


def _same_issue_unlink(a: _Ask) -> Verdict:
    return OK if a.c.in_same_issue_group else Verdict("该投诉未归入任何同一事项", C_SAME_ISSUE)


def _online(a: _Ask) -> OnlineSituation:
    return a.online or OnlineSituation()


def _online_notified(a: _Ask) -> Verdict:
    post = _online(a)
    if not post.registered:
        return Verdict("请先登记网上投诉信息", C_ONLINE_NOTIFY)
    return Verdict("已记录通知被投诉部门负责人", C_ONLINE_NOTIFY) if post.unit_notified else OK


def _online_facts(a: _Ask) -> Verdict:
    post = _online(a)
    if not post.registered:
        return Verdict("请先登记网上投诉信息", C_ONLINE_FACTS)
    return Verdict("书面事实报告已提交", C_ONLINE_FACTS) if post.facts_submitted else OK


# The states in which the handling result exists and the complaint is not yet archived.
RESULT_STATES = frozenset({State.HANDLED, State.VERIFIED, State.CALLBACK_DONE, State.CALLBACK_EXEMPT})


def _online_result(a: _Ask) -> Verdict:
    post = _online(a)
    if not post.registered:
        return Verdict("该投诉没有网上投诉记录", C_ONLINE_RESULT)
    if post.result_posted:
        return Verdict("处理结果已在原帖公布", C_ONLINE_RESULT)
    if a.c.state not in RESULT_STATES:
        return Verdict(f"投诉处理完成后方可在原帖公布处理结果（当前状态：{rules.STATE_LABELS[a.c.state]}）", C_ONLINE_RESULT)
    return OK


def _close(a: _Ask) -> Verdict:
    state = _step(Op.CLOSE)(a)
    post = _online(a)
    if state and post.registered and not post.result_posted:
        return Verdict("网上投诉须由总部客服中心在原帖公布处理结果（发布人、时间、链接）后方可归档", C_ONLINE_RESULT)
    return state


def _online_reply(a: _Ask) -> Verdict:
    post = _online(a)
    if not post.facts_submitted:
        return Verdict("须在收到单位书面事实报告后再公开回复", C_ONLINE_REPLY)
    return Verdict("已公开回复", C_ONLINE_REPLY) if post.publicly_replied else OK


def _phone_report(a: _Ask) -> Verdict:
    if a.c.report_due:
        return OK
    return Verdict(f"只有{classes_label()}投诉须立即通报，该投诉（{rules.GRADE_LABELS[a.c.grade]}）无须记录通报", C_REPORT)


def _express(a: _Ask) -> Verdict:
    if a.c.grade != Grade.MAJOR:
        return Verdict("只有重大投诉需要报送快报", rules.C_EXPRESS)
    if a.c.state == State.CLOSED:
        return Verdict("投诉已归档，请改写专题报告", rules.C_EXPRESS)
    return OK


def _special_report(a: _Ask) -> Verdict:
    if rules.special_kind(a.c.grade) is None:
        return Verdict("只有重大、热点投诉在处理结束后需写专题报告", rules.C_SPECIAL)
    if a.c.state != State.CLOSED:
        return Verdict("专题报告须在投诉处理结束（归档）后撰写", rules.C_SPECIAL)
    return OK


def _grade_raise(a: _Ask) -> Verdict:
    return Verdict("总部客服中心已认定该投诉类别，单位不能再调整", rules.C_HQ_FINAL) if a.c.hq_grade else OK


def _always(a: _Ask) -> Verdict:
    return OK


RULES: dict[Op, Callable[[_Ask], Verdict]] = {
    Op.ASSIGN: _step(Op.ASSIGN),
    Op.NOTE: _while_open("添加跟进记录", rules.C_FLOW),
    Op.HANDLE: _step(Op.HANDLE),
    Op.VERIFY: _verify,
    Op.VERIFY_FAIL: _verify_fail,
    Op.CALLBACK: _callback,
    Op.EXEMPT: _exempt,
    Op.UNEXEMPT: _step(Op.UNEXEMPT),
    Op.CLOSE: _close,  # an online complaint also needs its result on the public thread (网上投诉处理 第4条)
    Op.REOPEN: _step(Op.REOPEN),
    Op.CONSULT_REQUEST: _consult_request,
    Op.CONSULT_UNREACHABLE: _consult_unreachable,
    Op.CONSULT_FORWARDED: _consult_forwarded,
    Op.CONSULT_FINAL_RESULT: _consult_final_result,
    Op.CONSULT_REPLY: _consult_reply,
    Op.SAME_ISSUE_LINK: _always,  # a closed complaint still counts towards 热点 within the window (一.2)
    Op.SAME_ISSUE_UNLINK: _same_issue_unlink,
    Op.ONLINE_POST: _always,
    Op.ONLINE_NOTIFIED: _online_notified,
    Op.ONLINE_FACTS: _online_facts,
    Op.ONLINE_REPLY: _online_reply,
    Op.ONLINE_RESULT: _online_result,
    Op.PHONE_REPORT: _phone_report,
    Op.EXPRESS: _express,
    Op.SPECIAL_REPORT: _special_report,
    Op.DECIDE_FINDING: _always,  # findings follow missed deadlines, whatever the state (责任划分 二)
    Op.GRADE_RAISE: _grade_raise,
    Op.GRADE_OVERRIDE: _always,  # HQ has the final say at any time (投诉通报处理制度 二.5)
    Op.UPDATE_FACTS: _always,  # a lawsuit or media exposure may come after closing: the class follows
    Op.ATTACHMENT: _always,
}


def check(op: Op, c: Situation, *, actor_user_id: int | None = None, consult: ConsultSituation | None = None,
          online: OnlineSituation | None = None) -> Verdict:
    """Whether ``op`` is offered on complaint ``c`` (for this actor, consult request, online post); never raises."""
    return RULES[op](_Ask(c, actor_user_id, consult, online))


def require(op: Op, c: Situation, *, actor_user_id: int | None = None, consult: ConsultSituation | None = None,
            online: OnlineSituation | None = None) -> None:
    """The service's guard: a refusal becomes a ``DomainError`` in Chinese, citing the clause."""
    check(op, c, actor_user_id=actor_user_id, consult=consult, online=online).raise_if_refused()


def caller_check(actor: Actor, c: Situation, policy: PolicyBook) -> Verdict:
    """Who may call back a complaint of this class (投诉回访 第3条: 重大 by the 管理处主任 or headquarters): the roles
    of the class's row in the policy book's ``complaint.callback_callers``, held in the complaint's office (or
    company-wide, or as a deputy); a class without a row is called back by whoever may call back."""
    roles = rules.callback_roles(c.grade, policy)
    if roles is None:
        return OK
    held = [g for g in (*actor.grants, *actor.delegated) if g.role.value in roles
            and (g.role in COMPANY_WIDE_ROLES or g.office_id == c.office_id)]
    if held:
        return OK
    names = "、".join(ROLE_LABELS[Role(code)] for code in roles)
    return Verdict(f"{rules.GRADE_LABELS[c.grade]}投诉须由{names}回访", policy.cite("complaint.callback_callers"))


def permitted(actor: Actor, op: Op, office_id: int | None) -> bool:
    return any(actor.can(action, office_id) for action in PERMISSION[op])


def offered(actor: Actor, op: Op, c: Situation, *, consult: ConsultSituation | None = None,
            online: OnlineSituation | None = None) -> bool:
    """For screens: the actor holds the permission in the complaint's office and the rules allow it now."""
    return permitted(actor, op, c.office_id) and check(op, c, actor_user_id=actor.user_id, consult=consult,
                                                      online=online).ok


def offered_ops(actor: Actor, c: Situation) -> list[Op]:
    """The complaint-level actions (no consult request or online post needed) offered to ``actor`` now."""
    return [op for op in Op if offered(actor, op, c)]


# ----- deadlines, classes and the words that quote the policy ------------------------------------------


def is_overdue(due_at: datetime | None, now: datetime, *, state: State | str | None = None, done: bool = False) -> bool:
    """Past its deadline and not done; with ``state``, only an open complaint is overdue (handling deadline)."""
    if due_at is None or done:
        return False
    if state is not None and State(state) not in rules.OPEN_STATES:
        return False
    return due_at < now


def is_reported(grade: Grade | str | None) -> bool:
    """重大/热点 are reported at once (投诉通报处理制度 二)."""
    return grade is not None and Grade(grade) in rules.REPORTED_GRADES


def reported_classes(policy: PolicyBook | None = None) -> list[Grade]:
    """The reported classes, most severe first (by the policy's rank when given)."""
    order = rules.rank_order(policy) if policy is not None else list(Grade)
    return [g for g in order if g in rules.REPORTED_GRADES]


def classes_label(policy: PolicyBook | None = None) -> str:
    return "/".join(rules.GRADE_LABELS[g] for g in reported_classes(policy))


def quote(policy: PolicyBook, key: str) -> str:
    """A policy-book value as text is written ("24小时", "3人")."""
    return format_value(policy.param(key), policy[key]).replace(" ", "")


def at_least(policy: PolicyBook, key: str) -> str:
    """A threshold as the policy counts it: "3人以上" (含本数) or "超过3人" (complaint.thresholds_inclusive)."""
    param = policy.param(key)
    return rules.threshold_phrase(policy[key], param.unit, inclusive=bool(policy["complaint.thresholds_inclusive"]))


def late_note(policy: PolicyBook, key: str) -> str:
    """The timeline's "（已超过24小时时限）", with the deadline in force."""
    return f"（已超过{quote(policy, key)}时限）"


def consultant_late_note(policy: PolicyBook) -> str:
    return late_note(policy, "complaint.consultant_reply")
