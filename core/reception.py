"""Reception desk rules (客户来电、来访、来函处理作业规定, D1): the contact register of calls, visits, letters and
online messages.

One record type (``contact``) for every channel; the states and the legal steps between them; the categories come
from the policy book's ``reception.categories`` table; the deadlines (a letter's written reply, a promised
callback) are duties from the moment the contact is logged; the phone rules (3 rings, the greeting, only staff
cleared to work alone answer calls) as the checklist shown to the clerk. ``RULES[Op]`` says whether a step is
offered in the contact's state (and for this actor relation) and, if not, why with the clause: services call
``require`` right after loading the row, screens call ``offered``. Pure: no database, no clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from core.complaint_workflow import OK, Verdict
from core.duties import DutySpec, register_duty
from core.errors import DomainError
from core.permissions import Action, Actor
from core.policy import DOCS, PolicyBook, format_value
from core.registry import RecordType, pairs, register_record_type
from core.roles import Role
from core.worktime import due_at


def cite(clause: str, doc: str = "D1") -> str:
    return f"依据《{DOCS[doc]}》{clause}"


C_REGISTER = cite("来电第5条、来访第10条、来函第11条")
C_CLASSIFY = cite("受理分类")
C_FOLLOW = cite("受理分类（跟进至顾客满意）")
C_INDEPENDENT = cite("来电第8条")
C_CALLBACK = cite("来电第3条")
C_LETTER = cite("来函第11条")
CATEGORIES = "reception.categories"


class Channel(StrEnum):
    PHONE = "phone"
    VISIT = "visit"
    LETTER = "letter"
    ONLINE = "online"


CHANNEL_LABELS = {Channel.PHONE: "来电", Channel.VISIT: "来访", Channel.LETTER: "来函", Channel.ONLINE: "网络"}


class State(StrEnum):
    LOGGED = "logged"
    ANSWERED = "answered"
    DISPATCHED = "dispatched"
    DONE = "done"
    CONVERTED = "converted"
    FOLLOWED_UP = "followed_up"
    CLOSED = "closed"


STATE_LABELS = {State.LOGGED: "已登记", State.ANSWERED: "已答复", State.DISPATCHED: "已转办", State.DONE: "已办结",
                State.CONVERTED: "已转投诉", State.FOLLOWED_UP: "已跟进", State.CLOSED: "已关闭"}
OPEN_STATES = frozenset(set(State) - {State.CLOSED})


class Op(StrEnum):
    ANSWER = "answer"
    DISPATCH = "dispatch"
    COMPLETE = "complete"
    CONVERT = "convert"
    FOLLOW_UP = "follow_up"
    CLOSE = "close"
    REPLY = "reply"
    CALLBACK = "callback"


OP_LABELS = {Op.ANSWER: "答复", Op.DISPATCH: "转办", Op.COMPLETE: "办结", Op.CONVERT: "转为投诉", Op.FOLLOW_UP: "跟进",
             Op.CLOSE: "关闭", Op.REPLY: "书面答复", Op.CALLBACK: "已回电"}

PERMISSION: dict[Op, Action] = {
    Op.ANSWER: Action.RECEPTION_LOG, Op.DISPATCH: Action.RECEPTION_LOG, Op.COMPLETE: Action.RECEPTION_HANDLE,
    Op.CONVERT: Action.RECEPTION_LOG, Op.FOLLOW_UP: Action.RECEPTION_LOG, Op.CLOSE: Action.RECEPTION_LOG,
    Op.REPLY: Action.RECEPTION_LOG, Op.CALLBACK: Action.RECEPTION_LOG,
}

# The state-machine steps: the states a step starts from, and the state it leads to (None: the state stays).
TRANSITIONS: dict[Op, tuple[frozenset[State], State | None]] = {
    Op.ANSWER: (frozenset({State.LOGGED}), State.ANSWERED),
    Op.DISPATCH: (frozenset({State.LOGGED, State.ANSWERED}), State.DISPATCHED),
    Op.COMPLETE: (frozenset({State.DISPATCHED}), State.DONE),
    Op.CONVERT: (frozenset({State.LOGGED, State.ANSWERED, State.DISPATCHED}), State.CONVERTED),
    Op.FOLLOW_UP: (frozenset({State.ANSWERED, State.DONE, State.CONVERTED}), State.FOLLOWED_UP),
    Op.CLOSE: (frozenset({State.FOLLOWED_UP}), State.CLOSED),
    Op.REPLY: (OPEN_STATES, None),
    Op.CALLBACK: (OPEN_STATES, None),
}
REFUSALS = {
    Op.ANSWER: "只有刚登记的记录可以直接答复",
    Op.DISPATCH: "只有已登记或已答复的记录可以转办",
    Op.COMPLETE: "只有已转办的记录可以办结",
    Op.CONVERT: "已办结、已跟进或已关闭的记录不能再转为投诉",
    Op.FOLLOW_UP: "答复、办结或转投诉之后才能跟进",
    Op.CLOSE: "跟进之后才能关闭",
    Op.REPLY: "已关闭的记录不能再登记书面答复",
    Op.CALLBACK: "已关闭的记录不能再登记回电",
}

RECORD_TYPE = register_record_type(RecordType(
    "contact", "来电来访来函", page="views/reception/desk.py",
    actions=(("contact.register", "登记来电来访来函"), ("contact.attachment", "上传附件"),
             *((f"contact.{op.value}", label) for op, label in OP_LABELS.items())),
    fields=(("number", "编号"), ("channel", "渠道"), ("category", "分类"), ("state", "状态"), ("result", "处理结果")),
    values=(("channel", pairs(CHANNEL_LABELS)), ("state", pairs(STATE_LABELS))),
))

REPLY_DUTY = register_duty(DutySpec("contact.reply", RECORD_TYPE.code, "来函书面答复", C_LETTER,
                                    ("reception.letter_reply", "reception.letter_reply_max"), role=Role.CLERK.value))
CALLBACK_DUTY = register_duty(DutySpec("contact.callback", RECORD_TYPE.code, "来电回电", C_CALLBACK,
                                       ("reception.callback_within",), role=Role.CLERK.value))

REPLY_METHODS = {"letter": "书面信函", "email": "电子邮件", "visit": "当面递交", "post": "公告张贴"}


# ----- the rules, one per step ------------------------------------------------------------------------


@dataclass(frozen=True)
class Situation:
    """The contact as the rules see it."""

    state: State
    channel: Channel = Channel.PHONE
    to_complaint: bool = False  # its category is handed over to the complaint workflow (policy-book table)
    routed_user_id: int | None = None
    routed_department_id: int | None = None
    callback_needed: bool = False
    callback_done: bool = False
    replied: bool = False
    office_id: int | None = None

    @classmethod
    def of(cls, row: Any, policy: PolicyBook) -> Situation:
        category = policy.row(CATEGORIES, row.category) or {}
        return cls(state=State(row.state), channel=Channel(row.channel), to_complaint=bool(category.get("to_complaint")),
                   routed_user_id=row.routed_user_id, routed_department_id=row.routed_department_id,
                   callback_needed=bool(row.callback_needed), callback_done=row.callback_done_at is not None,
                   replied=row.replied_at is not None, office_id=row.office_id)


@dataclass(frozen=True)
class Relation:
    """Who the actor is to the contact: the colleague it was routed to, a member of its department, a supervisor."""

    user_id: int | None = None
    department_id: int | None = None
    supervisor: bool = False




def _state(op: Op, c: Situation) -> Verdict:
    starts, _ = TRANSITIONS[op]
    if c.state in starts:
        return OK
    return Verdict(f"{REFUSALS[op]}（当前状态：{STATE_LABELS[c.state]}）", C_FOLLOW)


def _complete(c: Situation, who: Relation) -> Verdict:
    verdict = _state(Op.COMPLETE, c)
    if not verdict or who.supervisor:
        return verdict
    if c.routed_user_id is not None and who.user_id == c.routed_user_id:
        return OK
    if c.routed_department_id is not None and who.department_id == c.routed_department_id:
        return OK
    return Verdict("只有被转办的同事或部门（或客服主任）可以办结", C_FOLLOW)


def _convert(c: Situation, who: Relation) -> Verdict:
    if not c.to_complaint:
        return Verdict("只有分类为“投诉”的记录可以转为投诉", C_CLASSIFY)
    return _state(Op.CONVERT, c)


def _close(c: Situation, who: Relation) -> Verdict:
    verdict = _state(Op.CLOSE, c)
    if verdict and c.channel == Channel.LETTER and not c.replied:
        return Verdict("来函须先登记书面答复（日期、方式、存档）才能关闭", C_LETTER)
    if verdict and c.callback_needed and not c.callback_done:
        return Verdict("需要回电的来电须先回电才能关闭", C_CALLBACK)
    return verdict


def _reply(c: Situation, who: Relation) -> Verdict:
    if c.channel != Channel.LETTER:
        return Verdict("只有来函需要登记书面答复", C_LETTER)
    if c.replied:
        return Verdict("该来函已登记书面答复", C_LETTER)
    return _state(Op.REPLY, c)


def _callback(c: Situation, who: Relation) -> Verdict:
    if not c.callback_needed:
        return Verdict("该记录没有需要回电的约定", C_CALLBACK)
    if c.callback_done:
        return Verdict("已登记回电", C_CALLBACK)
    return _state(Op.CALLBACK, c)


def _plain(op: Op) -> Callable[[Situation, Relation], Verdict]:
    return lambda c, who: _state(op, c)


RULES: dict[Op, Callable[[Situation, Relation], Verdict]] = {
    Op.ANSWER: _plain(Op.ANSWER),
    Op.DISPATCH: _plain(Op.DISPATCH),
    Op.COMPLETE: _complete,
    Op.CONVERT: _convert,
    Op.FOLLOW_UP: _plain(Op.FOLLOW_UP),
    Op.CLOSE: _close,
    Op.REPLY: _reply,
    Op.CALLBACK: _callback,
}


def check(op: Op, c: Situation, who: Relation | None = None) -> Verdict:
    return RULES[op](c, who or Relation())


def require(op: Op, c: Situation, who: Relation | None = None) -> None:
    check(op, c, who).raise_if_refused()


def next_state(op: Op, c: Situation) -> State:
    return TRANSITIONS[op][1] or c.state


def offered(actor: Actor, op: Op, c: Situation, who: Relation | None = None) -> bool:
    """For screens: the permission in the contact's office and the rules allow the step now."""
    return actor.can(PERMISSION[op], c.office_id) and check(op, c, who).ok


def offered_ops(actor: Actor, c: Situation, who: Relation | None = None) -> list[Op]:
    return [op for op in Op if offered(actor, op, c, who)]


# ----- intake checks, deadlines, phone rules -----------------------------------------------------------


def category_row(policy: PolicyBook, code: str | None) -> dict:
    """The active row of the policy book's category table, or the Chinese refusal."""
    row = policy.row(CATEGORIES, code) if code else None
    if row is None or not row["active"]:
        raise DomainError("请选择分类", field="category", clause=C_CLASSIFY)
    return row


def receiver_check(channel: Channel | str, *, independent_on_post: bool, name: str = "") -> Verdict:
    """来电第8条: staff not yet cleared to work alone (未独立上岗) may not answer customer calls."""
    if Channel(channel) == Channel.PHONE and not independent_on_post:
        return Verdict(f"{name or '该员工'}未获准独立上岗，不能接听客户来电，请由可独立上岗的同事接听登记", C_INDEPENDENT)
    return OK


def late_pickup(rings: int | None, policy: PolicyBook) -> bool:
    """来电第1条: answered after the policy book's number of rings."""
    return rings is not None and int(rings) > int(policy["reception.max_rings"])


def reply_due(received_at: datetime, policy: PolicyBook) -> datetime:
    """A letter's written reply: the policy's term, never later than its maximum (来函第11条)."""
    cal = policy.calendar()
    amount, unit = policy.duration("reception.letter_reply")
    most, most_unit = policy.duration("reception.letter_reply_max")
    return min(due_at(received_at, amount, unit, cal), due_at(received_at, most, most_unit, cal))


def callback_due(received_at: datetime, policy: PolicyBook) -> datetime:
    amount, unit = policy.duration("reception.callback_within")
    return due_at(received_at, amount, unit, policy.calendar())


def _aware(moment: datetime | None) -> datetime | None:
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


def is_overdue(due: datetime | None, done_at: datetime | None, now: datetime) -> bool:
    """A deadline passed and not met (a stored naive time is UTC)."""
    return due is not None and done_at is None and _aware(due) < now


def reminders(c: Any, now: datetime) -> str:
    """The list's 提醒 cell: a letter's reply or a promised callback overdue."""
    late = []
    if is_overdue(c.reply_due_at, c.replied_at, now):
        late.append("答复超期")
    if is_overdue(c.callback_due_at, c.callback_done_at, now):
        late.append("回电超期")
    return "、".join(late)


def quote(policy: PolicyBook, key: str) -> str:
    return format_value(policy.param(key), policy[key]).replace(" ", "")


def greeting(policy: PolicyBook, *, company: str, staff_name: str) -> str:
    """来电第2条: greeting + company name (+ staff name), from the policy book's wording."""
    return str(policy["reception.greeting"]).replace("{公司}", company or "本公司").replace("{姓名}", staff_name or "")


def phone_checklist(policy: PolicyBook, *, company: str, staff_name: str) -> list[tuple[str, str]]:
    """The phone rules as the clerk's checklist: (what to do, the clause)."""
    return [
        (f"铃响{quote(policy, 'reception.max_rings')}内接听（通常第2–3声）", policy.cite("reception.max_rings")),
        (f"问候：“{greeting(policy, company=company, staff_name=staff_name)}”", policy.cite("reception.greeting")),
        ("不能即时答复：请来电人稍候并询问同事；仍无答案则记下电话，得到答案后回电",
         f"{C_CALLBACK}；回电期限{quote(policy, 'reception.callback_within')}"),
        ("找不在岗的同事：记下来电人电话并转告留言", cite("来电第4条")),
        ("通话中有访客到前台：礼貌记下来电人姓名电话，先接待访客再回电", cite("来电第6条")),
        ("通话结束：待客户先挂机，再轻放话筒；前台电话不打私人电话", cite("来电第7条、第8a条")),
    ]
