"""Complaint workflow steps: 派单, 处理, 验证, 回访 (or 免回访), 归档 and 重新处理 (投诉处理流程, 投诉回访).

Each step asks ``core.complaint_workflow`` whether it is offered (the state machine of ``core.complaints`` and the
people rules: the verifier and the caller are never the handler), then writes the complaint, a timeline event and
an audit row in one transaction: the shape every step shares is ``step`` (load and lock in the office scope → the
workflow guard → remember the state → next state → the step's own checks and fields → event + audit → what
follows, e.g. reclassification). A new step is an ``apply`` function, not a copy.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from core import complaint_duties as duty
from core import complaint_workflow as wf
from core import complaints as rules
from core.complaint_workflow import Op
from core.complaints import Grade, State
from core.errors import DomainError
from core.fields import clean_text
from core.permissions import Action, Actor
from db.models import Callback, Complaint, Department, User, UserRole
from db.services import complaint_cases
from db.services.base import Page, already_done, authorize, load_scoped, paginate, remember, scope_filter
from db.services.complaint_kernel import (
    ENTITY,
    assign_deadlines,
    load,
    meet_deadline,
    policy_for,
    reclassify,
    record,
    send_reports,
    set_deadline,
    track_express,
)
from db.services.complaint_online import online_post_of
from db.services.notices import close_notices, notify
from db.session import read_session, write_session

DETAIL_PAGE = "views/complaints/list.py"


def step(*, actor: Actor, complaint_id: int, action: Action, op: Op, event: str, citation: str, now: datetime,
         apply: Callable[[Session, Complaint], str], then: Callable[[Session, Complaint], None] | None = None) -> Complaint:
    """One workflow step in its own transaction.

    Loads and locks the complaint (office scope first, ``action``), asks ``core.complaint_workflow`` whether ``op``
    is offered to this actor now (a refusal is a Chinese DomainError citing the clause), remembers the state and
    moves to the next one, lets ``apply`` validate the step's input and set its fields (it returns the timeline
    note), records the event and audit row, then runs ``then`` (e.g. reclassify).
    """
    with write_session() as s:
        c = load(s, actor, complaint_id, action)
        # archiving an online complaint also looks at its online record (网上投诉处理 第4条)
        online = wf.OnlineSituation.of(online_post_of(s, c)) if op == Op.CLOSE else None
        wf.require(op, wf.Situation.of(c), actor_user_id=actor.user_id, online=online)
        before = c.state
        c.state = rules.next_state(c.state, wf.STEP_OF[op]).value
        note = apply(s, c)
        record(s, c, actor=actor, action=event, now=now, from_state=before, citation=citation, note=note)
        if then is not None:
            then(s, c)
        return c


def callback_queue(*, actor: Actor, now: datetime, office_id: int | None = None, page: int = 1,
                   page_size: int = 30, overdue: bool = False) -> Page:
    """投诉回访's queue: verified complaints awaiting their callback, in the offices where the actor calls back;
    ``overdue``: only those past their callback deadline (投诉回访 第3条)."""
    authorize(actor, Action.COMPLAINT_CALLBACK, office_id)
    with read_session() as s:
        stmt = scope_filter(select(Complaint), Complaint.office_id, actor.scope(Action.COMPLAINT_CALLBACK))
        stmt = stmt.where(Complaint.state == State.VERIFIED.value)
        if overdue:
            stmt = stmt.where(Complaint.callback_due_at < now)
        if office_id:
            stmt = stmt.where(Complaint.office_id == office_id)
        return paginate(s, stmt, page=page, page_size=page_size,
                        order_by=[Complaint.received_at.desc(), Complaint.id.desc()])


def _with_note(text: str, note: str) -> str:
    return text + (f"：{note.strip()}" if (note or "").strip() else "")


def assign(*, actor: Actor, complaint_id: int, handler_user_id: int, department_id: int | None, note: str,
           now: datetime) -> Complaint:
    def apply(s: Session, c: Complaint) -> str:
        if department_id is not None:  # another office's department: refused like another office's complaint
            dept = load_scoped(s, Department, department_id, actor=actor, action=Action.COMPLAINT_ASSIGN,
                               entity="department", lock=False, missing="责任部门不存在或不在您的管理范围内")
            if dept.org_unit_id != c.office_id:
                raise DomainError("责任部门不属于本管理处", field="department")
        in_office = s.exec(select(UserRole.id).where(UserRole.user_id == handler_user_id,
                                                     UserRole.org_unit_id == c.office_id)).first()
        handler = s.get(User, handler_user_id)
        if handler is None or not handler.active or in_office is None:
            raise DomainError("责任人须是本管理处的在职账号", field="handler")
        department_named = department_id is not None and department_id != c.responsible_department_id
        c.handler_user_id, c.responsible_department_id = handler_user_id, department_id
        assign_deadlines(s, c, at=now)
        if department_named and Grade(c.grade) in rules.REPORTED_GRADES:  # its head and 分管领导 are told now (二)
            send_reports(s, c, now=now, supplement=True)
        notify(s, recipient_user_ids=[handler_user_id], kind="assigned", title=f"投诉派单：{c.number} {c.title}",
               body=note, page=DETAIL_PAGE, entity=ENTITY, entity_id=str(c.id), office_id=c.office_id,
               due_at=c.due_at, now=now)
        return _with_note(f"派单给 {handler.display_name}", note)

    return step(actor=actor, complaint_id=complaint_id, action=Action.COMPLAINT_ASSIGN, op=Op.ASSIGN, event="assign",
                citation=rules.C_FLOW, now=now, apply=apply)


def add_note(*, actor: Actor, complaint_id: int, note: str, now: datetime, request_id: str | None = None) -> None:
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_HANDLE)
        if already_done(s, request_id, "complaint_note"):
            return
        wf.require(Op.NOTE, wf.Situation.of(c))
        record(s, c, actor=actor, action="note", now=now, note=clean_text(note, "跟进记录", max_len=2000))
        remember(s, request_id, "complaint_note", c.id)  # the note is a timeline event of this complaint


def mark_handled(*, actor: Actor, complaint_id: int, result: str, now: datetime) -> Complaint:
    def apply(s: Session, c: Complaint) -> str:
        text = clean_text(result, "处理结果", max_len=4000)
        c.handled_at, c.handled_by, c.handling_result = now, actor.user_id, text
        if c.hotline_due_at is not None:  # the result is the answer the hotline / 住建 is owed
            meet_deadline(s, c, duty.HOTLINE.code, at=now, by=actor.user_id)
        return f"处理完成：{text}"

    return step(actor=actor, complaint_id=complaint_id, action=Action.COMPLAINT_HANDLE, op=Op.HANDLE, event="handle",
                citation=rules.C_FLOW, now=now, apply=apply,
                then=lambda s, c: reclassify(s, c, actor=None, now=now))


def exemption_facts(c: Complaint, *, failed_attempts: int = 0) -> rules.ExemptionFacts:
    return rules.ExemptionFacts(resolved_on_spot=c.resolved_on_spot, satisfied_on_spot=c.satisfied_on_spot,
                                anonymous=c.anonymous, online=c.channel == rules.Channel.ONLINE.value,
                                contact_available=c.contact_available, sensitive=c.sensitive,
                                failed_attempts=failed_attempts, reopened=c.reopen_count > 0)


def failed_attempts(s: Session, c: Complaint) -> int:
    """Callback attempts since the (last) verification that did not reach the customer (投诉回访 第4条 records each)."""
    stmt = select(func.count()).select_from(Callback).where(Callback.complaint_id == c.id, Callback.reached.is_(False))
    if c.verified_at is not None:
        stmt = stmt.where(Callback.at >= c.verified_at)
    return s.exec(stmt).one()


def verify(*, actor: Actor, complaint_id: int, note: str, now: datetime) -> Complaint:
    """验证合格 by someone other than the handler; the callback becomes due (投诉回访 第1、3条) unless the facts
    recorded at intake exempt it (第2条 (a)(b)): then the complaint is 免回访 at once, reason and clause recorded,
    and a 客服主任 may reverse it (``unexempt_callback``)."""
    by_facts: rules.Exemption | None = None

    def apply(s: Session, c: Complaint) -> str:
        nonlocal by_facts
        c.verified_at, c.verified_by = now, actor.user_id
        meet_deadline(s, c, duty.HANDLE.code, at=now, by=actor.user_id)  # resolved: out of the handling states
        by_facts = rules.exemption_by_facts(exemption_facts(c)) if c.callback_required else None
        if by_facts is None:
            policy = policy_for(s, c, now)
            set_deadline(s, c, duty.CALLBACK.code, rules.callback_due(now, policy), now=now,
                         clause=policy.cite("complaint.callback_within"))
        return _with_note("验证合格", note)

    def then(s: Session, c: Complaint) -> None:
        if by_facts is None:
            return
        c.state = rules.next_state(c.state, rules.Step.EXEMPT).value
        c.callback_required, c.exemption_kind, c.exempt_by = False, by_facts.value, actor.user_id
        c.exemption_reason = rules.exemption_by_facts_reason(by_facts)
        record(s, c, actor=actor, action="exempt", now=now, from_state=State.VERIFIED.value, citation=rules.C_EXEMPT,
               note=f"免回访（{rules.EXEMPTION_LABELS[by_facts]}）：{c.exemption_reason}")

    return step(actor=actor, complaint_id=complaint_id, action=Action.COMPLAINT_VERIFY, op=Op.VERIFY, event="verify",
                citation=rules.C_CALLBACK, now=now, apply=apply, then=then)


def fail_verification(*, actor: Actor, complaint_id: int, reason: str, now: datetime) -> Complaint:
    """验证不合格: back to handling (已派单) with the reason, the handler told; the handling deadline runs on."""
    def apply(s: Session, c: Complaint) -> str:
        text = clean_text(reason, "验证不合格原因", max_len=500)
        c.handled_at = c.handled_by = None
        if c.handler_user_id:
            notify(s, recipient_user_ids=[c.handler_user_id], kind="assigned", title=f"投诉验证不合格，请重新处理：{c.number}",
                   body=text, page=DETAIL_PAGE, entity=ENTITY, entity_id=str(c.id), office_id=c.office_id,
                   due_at=c.due_at, now=now)
        return f"验证不合格：{text}"

    return step(actor=actor, complaint_id=complaint_id, action=Action.COMPLAINT_VERIFY, op=Op.VERIFY_FAIL,
                event="verify_fail", citation=rules.C_CALLBACK, now=now, apply=apply)


def record_callback(*, actor: Actor, complaint_id: int, method: str, reached: bool, person_reached: str,
                    satisfaction: str | None, comment: str, follow_up: str, now: datetime,
                    request_id: str | None = None) -> Complaint:
    """One callback attempt; with a result, 满意/基本满意 → 已回访, 不满意 → 重新处理 (at least 重要).

    A repeat of the same request returns the complaint as the first left it (before the workflow guard: the first
    call has moved the state on).
    """
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_CALLBACK)
        if already_done(s, request_id, "callback"):
            return c
        wf.require(Op.CALLBACK, wf.Situation.of(c), actor_user_id=actor.user_id)
        wf.caller_check(actor, wf.Situation.of(c), policy_for(s, c, now)).raise_if_refused()
        if method not in rules.CallbackMethod._value2member_map_:
            raise DomainError("请选择回访方式", field="method")
        if reached and satisfaction not in rules.Satisfaction._value2member_map_:
            raise DomainError("已联系上顾客时请选择满意度", field="satisfaction")
        row = Callback(complaint_id=c.id, at=now, by_user_id=actor.user_id, method=method, reached=reached,
                       person_reached=(person_reached or "").strip()[:64], comment=(comment or "").strip()[:1000],
                       follow_up=(follow_up or "").strip()[:500], satisfaction=satisfaction if reached else None)
        before = c.state
        s.add(row)
        s.flush()
        remember(s, request_id, "callback", row.id)
        if not reached:
            record(s, c, actor=actor, action="callback_attempt", now=now, from_state=before, citation=rules.C_CALLBACK,
                   note=_with_note(f"回访未联系上（第{failed_attempts(s, c)}次，"
                                   f"{rules.CALLBACK_METHOD_LABELS[rules.CallbackMethod(method)]}）", row.comment))
            return c
        target = rules.after_callback(satisfaction)
        c.state = target.value
        meet_deadline(s, c, duty.CALLBACK.code, at=now, by=actor.user_id)
        label = rules.SATISFACTION_LABELS[rules.Satisfaction(satisfaction)]
        if target == State.REOPENED:
            row.reopened = True
            c.reopen_count += 1
            c.verified_at = c.verified_by = c.handled_at = c.handled_by = None
            set_deadline(s, c, duty.CALLBACK.code, None, now=now)  # met above: only the column is cleared
            record(s, c, actor=actor, action="callback", now=now, from_state=before, citation=rules.C_REOPEN,
                   note=f"回访：{label}，重新处理。{row.comment}")
            reclassify(s, c, actor=None, now=now, reason="回访不满意重新处理")
            _handling_again(s, c, now)
            if c.handler_user_id:
                notify(s, recipient_user_ids=[c.handler_user_id], kind="assigned", title=f"投诉回访不满意，重新处理：{c.number}",
                       body=row.comment, page=DETAIL_PAGE, entity=ENTITY, entity_id=str(c.id), office_id=c.office_id,
                       now=now)
        else:
            record(s, c, actor=actor, action="callback", now=now, from_state=before, citation=rules.C_CALLBACK,
                   note=f"回访：{label}。{row.comment}")
        return c


def exempt_callback(*, actor: Actor, complaint_id: int, kind: str, reason: str, now: datetime,
                    extra_case: str = "") -> Complaint:
    def apply(s: Session, c: Complaint) -> str:
        rules.check_exemption(kind, exemption_facts(c, failed_attempts=failed_attempts(s, c)), reason=reason, decider_user_id=actor.user_id, policy=policy_for(s, c, now),
                              extra_case=extra_case)
        c.callback_required, c.exemption_kind, c.exempt_by = False, kind, actor.user_id
        c.exemption_reason = (f"{extra_case}：" if extra_case else "") + reason.strip()[:450]
        set_deadline(s, c, duty.CALLBACK.code, None, now=now, note="免回访")
        return f"免回访（{rules.EXEMPTION_LABELS[rules.Exemption(kind)]}）：{c.exemption_reason}"

    return step(actor=actor, complaint_id=complaint_id, action=Action.COMPLAINT_CALLBACK, op=Op.EXEMPT, event="exempt",
                citation=rules.C_EXEMPT, now=now, apply=apply)


def unexempt_callback(*, actor: Actor, complaint_id: int, reason: str, now: datetime) -> Complaint:
    """A 客服主任 reverses an exemption (by hand or by the intake facts): the callback is owed again, due from now."""
    def apply(s: Session, c: Complaint) -> str:
        text = clean_text(reason, "撤销免回访原因", max_len=500)
        was = rules.EXEMPTION_LABELS.get(c.exemption_kind, c.exemption_kind or "")
        c.callback_required, c.exemption_kind, c.exemption_reason, c.exempt_by = True, None, "", None
        policy = policy_for(s, c, now)
        set_deadline(s, c, duty.CALLBACK.code, rules.callback_due(now, policy), now=now,
                     clause=policy.cite("complaint.callback_within"))
        return f"撤销免回访（原认定：{was}）：{text}"

    return step(actor=actor, complaint_id=complaint_id, action=Action.COMPLAINT_CALLBACK, op=Op.UNEXEMPT,
                event="unexempt", citation=rules.C_EXEMPT, now=now, apply=apply)


def _handling_again(s: Session, c: Complaint, now: datetime) -> None:
    """Back in handling (回访不满意, 二次投诉): a new handling period from now; a 重大 one owes 快报 again."""
    policy = policy_for(s, c, now)
    set_deadline(s, c, duty.HANDLE.code, rules.handling_due(Grade(c.grade), now, policy), now=now,
                 clause=policy.cite(f"complaint.due_{c.grade}"))
    track_express(s, c, policy, now=now)


def close(*, actor: Actor, complaint_id: int, note: str, now: datetime) -> Complaint:
    def apply(s: Session, c: Complaint) -> str:
        c.closed_at = now
        return _with_note("归档", note)

    def then(s: Session, c: Complaint) -> None:
        track_express(s, c, policy_for(s, c, now), now=now)  # 专题报告 instead of 快报
        close_notices(s, entity=ENTITY, entity_id=str(c.id), at=now)  # its 通报 no longer await acknowledgement
        complaint_cases.owe_case(s, c, now)  # 投诉整理分析 第3条: its case within the window

    return step(actor=actor, complaint_id=complaint_id, action=Action.COMPLAINT_CLOSE, op=Op.CLOSE, event="close",
                citation=rules.C_CALLBACK, now=now, apply=apply, then=then)


def reopen(*, actor: Actor, complaint_id: int, reason: str, now: datetime) -> Complaint:
    """二次投诉 after close: back to handling, at least 重要 (投诉通报处理制度 一.3)."""
    def apply(s: Session, c: Complaint) -> str:
        nonlocal reason  # validated once the complaint is in scope and may be reopened
        reason = clean_text(reason, "重新处理原因", max_len=500)
        c.reopen_count += 1
        c.closed_at = c.verified_at = c.verified_by = c.handled_at = c.handled_by = None
        set_deadline(s, c, duty.CALLBACK.code, None, now=now, note="重新处理")
        c.callback_required, c.exemption_kind, c.exemption_reason, c.exempt_by = True, None, "", None
        return f"重新处理：{reason}"

    def then(s: Session, c: Complaint) -> None:
        reclassify(s, c, actor=None, now=now, reason=reason)
        _handling_again(s, c, now)
        complaint_cases.case_not_owed(s, c, now, "重新处理")  # owed again when archived again

    return step(actor=actor, complaint_id=complaint_id, action=Action.COMPLAINT_ASSIGN, op=Op.REOPEN, event="reopen",
                citation=rules.C_REOPEN, now=now, apply=apply, then=then)
