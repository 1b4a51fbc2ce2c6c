"""The pass lifecycle (《小区出入证管理规定》第5–9条): extend, report lost, return, confiscate, cancel — each one
transaction: load (office scope) → the rule's state check (core.passes) → the other inputs → the write, its
deposit entry, its duty and its timeline step. The daily job forfeits the deposit of a pass not returned within
the late-return window after its last day (第6条).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlmodel import Session, select

from core import money
from core import passes as rules
from core.deposits import EntryKind
from core.errors import DomainError
from core.permissions import Action, Actor
from core.policy import PolicyBook
from core.registry import daily_job
from db.models import AccessPass, PassRoom, Property
from db.services.pass_kernel import (
    cancel_return,
    load,
    meet_return,
    move_deposit,
    policy_for,
    record,
    return_due_at,
    rooms_of,
    set_return_duty,
    today,
)
from db.session import read_session, write_session


def _reason(text: str, what: str) -> str:
    value = (text or "").strip()
    if not value:
        raise DomainError(f"请填写{what}原因")
    if len(value) > 200:
        raise DomainError(f"{what}原因最多 200 字")
    return value


def _step(*, actor: Actor, pass_id: int, op: rules.Op, action: Action, now: datetime,
          apply: Callable[[Session, AccessPass, PolicyBook], str]) -> AccessPass:
    """load (scope) → state check → ``apply`` (inputs, fields, money, duty; returns the note) → timeline + audit."""
    with write_session() as s:
        p = load(s, actor, pass_id, action)
        to_state = rules.require(op, p.state, reissued=p.reissued_as_id is not None)
        before = {"state": p.state, "valid_to": str(p.valid_to), "deposit": p.deposit_state}
        from_state = p.state
        policy = policy_for(s, p, now)
        note = apply(s, p, policy)
        if to_state is not None and to_state != rules.State.ISSUED:
            p.state, p.closed_at = to_state.value, now
        record(s, p, actor=actor, action=op.value, now=now, note=note, from_state=from_state,
               citation=rules.STEPS[op][2], before=before,
               after={"state": p.state, "valid_to": str(p.valid_to), "deposit": p.deposit_state})
        return p


def extend(*, actor: Actor, pass_id: int, valid_to: date, requested_by_kind: str, requested_by: str,
           receipt_no: str, now: datetime, decoration_until: date | None = None) -> AccessPass:
    """续期 (第6、7条): asked by the owner or the contractor's person in charge, before the pass expires, within the
    purpose's limit; the extension fee is paid against a receipt."""

    def apply(s: Session, p: AccessPass, policy: PolicyBook) -> str:
        rules.check_extender(requested_by_kind)
        if not (requested_by or "").strip():
            raise DomainError("请填写续期申请人姓名", clause=rules.cite("第7条"))
        if today(now) > p.valid_to:
            raise DomainError("出入证已过期，不能续期：请退证后重新办理", clause=rules.cite("第6条"))
        if valid_to <= p.valid_to:
            raise DomainError(f"新的有效期应晚于原有效期（{p.valid_to:%Y-%m-%d}）")
        until = decoration_until or p.decoration_until
        rules.check_validity(policy, kind=p.kind, purpose=p.purpose, valid_from=p.valid_from, valid_to=valid_to,
                             decoration_until=until)
        fee = policy["pass.extension_fee"] if p.kind == "temporary" else 0
        if fee and not (receipt_no or "").strip():
            raise DomainError("续期须缴纳续期费，请填写收据号", clause=policy.cite("pass.extension_fee"))
        old = p.valid_to
        p.valid_to, p.decoration_until, p.fee = valid_to, until, p.fee + fee
        set_return_duty(s, p, policy, now=now)
        who = rules.APPLICANT_LABELS[rules.ApplicantKind(requested_by_kind)]
        return (f"续期：{old:%Y-%m-%d} → {valid_to:%Y-%m-%d}（{who} {requested_by.strip()} 申请"
                + (f"，续期费 {money.format_yuan(fee)}，收据 {receipt_no.strip()}" if fee else "") + "）")

    return _step(actor=actor, pass_id=pass_id, op=rules.Op.EXTEND, action=Action.PASS_MANAGE, now=now, apply=apply)


def include_rooms(*, actor: Actor, pass_id: int, room_ids: list[int], requested_by_kind: str, requested_by: str,
              now: datetime) -> AccessPass:
    """增加房屋 (第7条): asked by the owner or the contractor's person in charge; rooms of the pass's own office."""

    def apply(s: Session, p: AccessPass, policy: PolicyBook) -> str:
        rules.check_extender(requested_by_kind, "增加房屋")
        if not (requested_by or "").strip():
            raise DomainError("请填写申请人姓名", clause=rules.cite("第7条"))
        have = {pid for pid, _ in rooms_of(s, p.id)}
        wanted = [r for r in dict.fromkeys(room_ids) if r not in have]
        rules.check_added_rooms(p.kind, len(wanted))
        found = dict(s.exec(select(Property.id, Property.label).where(Property.id.in_(wanted),
                                                                      Property.office_id == p.office_id)).all())
        if len(found) != len(wanted):
            raise DomainError("所选房屋不属于该出入证的管理处")
        for pid in wanted:
            s.add(PassRoom(pass_id=p.id, property_id=pid))
        labels = [found[pid] for pid in wanted]
        p.rooms_label = "、".join([p.rooms_label, *labels])[:400]
        who = rules.APPLICANT_LABELS[rules.ApplicantKind(requested_by_kind)]
        return f"增加房屋：{'、'.join(labels)}（{who} {requested_by.strip()} 申请）"

    return _step(actor=actor, pass_id=pass_id, op=rules.Op.ADD_ROOMS, action=Action.PASS_MANAGE, now=now, apply=apply)


def report_lost(*, actor: Actor, pass_id: int, reason: str, now: datetime) -> AccessPass:
    """挂失 (第5条): the pass stops at once and its deposit is kept (forfeited); a new pass must be issued."""

    def apply(s: Session, p: AccessPass, policy: PolicyBook) -> str:
        why = _reason(reason, "挂失")
        kept = move_deposit(s, p, EntryKind.FORFEIT, actor=actor, at=now, reason=f"挂失：{why}")
        p.reason = why
        cancel_return(s, p, at=now, note="已挂失")
        return f"挂失：{why}" + (f"；押金 {money.format_yuan(kept)} 不予退还" if kept else "")

    return _step(actor=actor, pass_id=pass_id, op=rules.Op.REPORT_LOST, action=Action.PASS_MANAGE, now=now,
                 apply=apply)


def return_pass(*, actor: Actor, pass_id: int, receipt_no: str, now: datetime) -> AccessPass:
    """退证 (第6、7条): the pass and the deposit receipt come back; the deposit is refunded — unless the pass is
    back after the late-return window, when the deposit is forfeited."""

    def apply(s: Session, p: AccessPass, policy: PolicyBook) -> str:
        late = now > return_due_at(p, policy)
        if p.deposit_state == "held" and not late and (receipt_no or "").strip() != p.receipt_no:
            raise DomainError("退押金须同时交回出入证和押金收据：收据号不符", clause=rules.cite("第7条"))
        if late:
            moved = move_deposit(s, p, EntryKind.FORFEIT, actor=actor, at=now, reason="逾期退证")
            note = "逾期退证" + (f"；押金 {money.format_yuan(moved)} 不予退还（{policy.cite('pass.late_return_window')}）"
                               if moved else "")
        else:
            moved = move_deposit(s, p, EntryKind.REFUND, actor=actor, at=now, reason="退证退还押金",
                                 receipt_no=p.receipt_no)
            note = "退证" + (f"；退还押金 {money.format_yuan(moved)}（收据 {p.receipt_no}）" if moved else "")
        meet_return(s, p, at=now, by=actor.user_id)
        return note

    return _step(actor=actor, pass_id=pass_id, op=rules.Op.RETURN, action=Action.PASS_MANAGE, now=now, apply=apply)


def confiscate(*, actor: Actor, pass_id: int, reason: str, now: datetime) -> AccessPass:
    """没收 (第6、8、9条): by the guard at the gate, with the reason (expired, 串房, lent or altered); the pass is
    back in the office's hands and its deposit is forfeited."""

    def apply(s: Session, p: AccessPass, policy: PolicyBook) -> str:
        why = _reason(reason, "没收")
        kept = move_deposit(s, p, EntryKind.FORFEIT, actor=actor, at=now, reason=f"没收：{why}")
        p.reason = why
        meet_return(s, p, at=now, by=actor.user_id)
        return f"没收：{why}" + (f"；押金 {money.format_yuan(kept)} 不予退还" if kept else "")

    return _step(actor=actor, pass_id=pass_id, op=rules.Op.CONFISCATE, action=Action.PASS_CONFISCATE, now=now,
                 apply=apply)


def cancel(*, actor: Actor, pass_id: int, reason: str, now: datetime) -> AccessPass:
    """作废: a pass issued in error or no longer needed before use; its deposit is refunded."""

    def apply(s: Session, p: AccessPass, policy: PolicyBook) -> str:
        why = _reason(reason, "作废")
        moved = move_deposit(s, p, EntryKind.REFUND, actor=actor, at=now, reason=f"作废：{why}",
                             receipt_no=p.receipt_no)
        p.reason = why
        cancel_return(s, p, at=now, note="已作废")
        return f"作废：{why}" + (f"；退还押金 {money.format_yuan(moved)}" if moved else "")

    return _step(actor=actor, pass_id=pass_id, op=rules.Op.CANCEL, action=Action.PASS_MANAGE, now=now, apply=apply)


@daily_job("passes")
def forfeit_late(*, now: datetime) -> int:
    """第6条: a pass still out after its last day plus the late-return window forfeits its deposit (idempotent:
    a forfeited deposit is not held any more). Returns how many passes forfeited."""
    with read_session() as s:
        candidates = s.exec(select(AccessPass.id).where(AccessPass.state == rules.State.ISSUED.value,
                                                        AccessPass.valid_to < today(now),
                                                        AccessPass.deposit_state == "held")).all()
    done = 0
    for pass_id in candidates:
        with write_session() as s:
            p = s.exec(select(AccessPass).where(AccessPass.id == pass_id).with_for_update()).one()
            policy = policy_for(s, p, now)
            if p.state != rules.State.ISSUED or p.deposit_state != "held" or now <= return_due_at(p, policy):
                continue
            kept = move_deposit(s, p, EntryKind.FORFEIT, actor=None, at=now, reason="逾期未退证")
            record(s, p, actor=None, action="forfeit", now=now, citation=policy.cite("pass.late_return_window"),
                   note=f"有效期至 {p.valid_to:%Y-%m-%d}，逾期未退证，押金 {money.format_yuan(kept)} 不予退还")
            done += 1
    return done
