"""The steps of a contact (客户来电、来访、来函处理作业规定, D1): answer, route (转办), done by whoever it was routed
to, 转为投诉 through the complaint module's own intake, letter reply, callback, follow-up, close.

Every step: load the row (office scope first) → ``core.reception.require`` → check the other inputs → write the
new state, its timeline step, audit row and duty rows in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import Session

from core import reception as rules
from core.errors import DomainError
from core.permissions import Action, Actor
from db.models import Contact, Customer, Department
from db.models.base import as_utc
from db.services import complaints
from db.services.base import authorize, load_scoped
from db.services.reception_kernel import (
    load,
    meet_deadline,
    record_step,
    relation,
    routed_label,
    situation,
    works_in,
)
from db.session import write_session

MAX_TEXT = 4000


def _text(value: str, what: str, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError(f"请填写{what}", field=what)
    if len(text) > MAX_TEXT:
        raise DomainError(f"{what}最多 {MAX_TEXT} 字", field=what)
    return text


def _step(*, actor: Actor, contact_id: int, op: rules.Op, now: datetime, apply: Callable[[Session, Contact], str],
         citation: str = rules.C_FOLLOW) -> Contact:
    """load (scope) → require(op) → apply (input checks, fields; returns the timeline note) → new state → record."""
    with write_session() as s:
        c = load(s, actor, contact_id, rules.PERMISSION[op])
        current = situation(s, c, now)
        rules.require(op, current, relation(s, actor, c))
        before = c.state
        note = apply(s, c)
        c.state = rules.next_state(op, current).value
        record_step(s, c, actor=actor, action=op.value, now=now, from_state=before, note=note, citation=citation)
        return c


def answer(*, actor: Actor, contact_id: int, result: str, now: datetime) -> Contact:
    """答复: the clerk answered the enquiry."""
    def apply(s, c):
        c.result = _text(result, "答复内容")
        return f"答复：{c.result}"
    return _step(actor=actor, contact_id=contact_id, op=rules.Op.ANSWER, now=now, apply=apply)


def dispatch(*, actor: Actor, contact_id: int, department_id: int | None, user_id: int | None, now: datetime) -> Contact:
    """转办: to a department of the contact's office, or to a colleague working there."""
    def apply(s, c):
        # the department is a row of an office: scoped first (another office's is an audited refusal)
        dept = load_scoped(s, Department, department_id, actor=actor, action=Action.RECEPTION_LOG, entity="department",
                           lock=False, missing="转办部门不存在") if department_id else None
        if bool(department_id) == bool(user_id):
            raise DomainError("请选择一个转办对象：部门或同事", field="department_id")
        if dept is not None:
            if dept.org_unit_id != c.office_id or not dept.active:
                raise DomainError("转办部门不属于该记录的管理处", field="department_id")
        if user_id and not works_in(s, user_id, c.office_id):
            raise DomainError("转办同事不在该记录的管理处工作", field="user_id")
        c.routed_department_id, c.routed_user_id = department_id, user_id
        return f"转办：{routed_label(s, c)}"
    return _step(actor=actor, contact_id=contact_id, op=rules.Op.DISPATCH, now=now, apply=apply)


def complete(*, actor: Actor, contact_id: int, result: str, now: datetime) -> Contact:
    """办结: the department or colleague it was routed to (or a 客服主任) records the result."""
    def apply(s, c):
        c.result, c.done_at = _text(result, "办理结果"), now
        return f"办结：{c.result}"
    return _step(actor=actor, contact_id=contact_id, op=rules.Op.COMPLETE, now=now, apply=apply)


def follow_up(*, actor: Actor, contact_id: int, note: str, now: datetime) -> Contact:
    """跟进: the clerk checked back with the customer (受理分类: follow up until the customer is satisfied)."""
    def apply(s, c):
        c.follow_up_note = _text(note, "跟进情况")[:500]
        return f"跟进：{c.follow_up_note}"
    return _step(actor=actor, contact_id=contact_id, op=rules.Op.FOLLOW_UP, now=now, apply=apply)


def close(*, actor: Actor, contact_id: int, now: datetime) -> Contact:
    def apply(s, c):
        c.closed_at = now
        return "关闭"
    return _step(actor=actor, contact_id=contact_id, op=rules.Op.CLOSE, now=now, apply=apply)


def reply_letter(*, actor: Actor, contact_id: int, replied_at: datetime, method: str, copy_kept: bool,
                 now: datetime) -> Contact:
    """来函书面答复: date, method, and the copy kept in the customer's file; meets the reply duty (late if late)."""
    def apply(s, c):
        if method not in rules.REPLY_METHODS:
            raise DomainError("请选择答复方式", field="method", clause=rules.C_LETTER)
        if replied_at.tzinfo is None:
            raise DomainError("时间缺少时区")
        if replied_at < as_utc(c.received_at):
            raise DomainError("答复日期不能早于收函日期", field="replied_at", clause=rules.C_LETTER)
        if replied_at > now + timedelta(minutes=5):
            raise DomainError("答复日期不能晚于现在", field="replied_at")
        if not copy_kept:
            raise DomainError("书面答复须留存复印件于顾客档案，请确认已存档", field="copy_kept", clause=rules.C_LETTER)
        c.reply_method, c.reply_copy_kept = method, True
        meet_deadline(s, c, rules.REPLY_DUTY.code, at=replied_at, by=actor.user_id)
        late = as_utc(c.reply_due_at) is not None and replied_at > as_utc(c.reply_due_at)
        return f"书面答复（{rules.REPLY_METHODS[method]}，已存档）" + ("，已超过答复期限" if late else "")
    return _step(actor=actor, contact_id=contact_id, op=rules.Op.REPLY, now=now, apply=apply, citation=rules.C_LETTER)


def callback_done(*, actor: Actor, contact_id: int, note: str, now: datetime) -> Contact:
    """回电: the promised callback was made (来电第3条); meets the callback duty."""
    def apply(s, c):
        text = _text(note, "回电情况")
        meet_deadline(s, c, rules.CALLBACK_DUTY.code, at=now, by=actor.user_id)
        return f"回电：{text}"
    return _step(actor=actor, contact_id=contact_id, op=rules.Op.CALLBACK, now=now, apply=apply,
                citation=rules.C_CALLBACK)


# ----- 转为投诉 ----------------------------------------------------------------------------------------


def convert_to_complaint(*, actor: Actor, contact_id: int, complaint_category: str, now: datetime) -> Contact:
    """转为投诉: the complaint module's own intake (``complaints.register_in``) with everything typed at the desk, in
    the same transaction as the contact's step, so the complaint and the link are saved together or not at all.
    Idempotent by the contact itself: a second click finds the complaint named (and the intake's request id is the
    contact's)."""
    with write_session() as s:
        c = load(s, actor, contact_id, Action.RECEPTION_LOG)
        if c.complaint_id:
            return c
        current = situation(s, c, now)
        rules.require(rules.Op.CONVERT, current, relation(s, actor, c))
        authorize(actor, Action.COMPLAINT_CREATE, c.office_id, in_transaction=True, entity="contact", entity_id=c.id)
        name = c.caller_name or (s.get(Customer, c.customer_id).name if c.customer_id else "")
        data = complaints.ComplaintIn(
            office_id=c.office_id, channel=c.channel, category=complaint_category, description=c.content,
            occurred_at=as_utc(c.received_at), received_at=as_utc(c.received_at), property_id=c.property_id,
            customer_id=c.customer_id, complainant_name=name, complainant_phone=c.caller_phone,
            title=c.content[:40])
        made = complaints.register_in(s, actor=actor, data=data, request_id=f"contact-{contact_id}-complaint", now=now)
        before = c.state
        c.complaint_id, c.state = made.id, rules.next_state(rules.Op.CONVERT, current).value
        record_step(s, c, actor=actor, action="convert", now=now, from_state=before, note=f"转为投诉 {made.number}",
                    citation=rules.C_CLASSIFY, after={"complaint": made.number})
        return c
        current = situation(s, c, now)
        rules.require(rules.Op.CONVERT, current, relation(s, actor, c))
        before = c.state
        c.complaint_id, c.state = made.id, rules.next_state(rules.Op.CONVERT, current).value
        record_step(s, c, actor=actor, action="convert", now=now, from_state=before, note=f"转为投诉 {made.number}",
               citation=rules.C_CLASSIFY, after={"complaint": made.number})
        return c

