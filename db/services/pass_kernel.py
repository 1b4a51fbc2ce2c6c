"""The access-pass kernel (《小区出入证管理规定》): what every pass feature builds on.

Load-and-lock with the office-scope check, the timeline step + audit row, the policy a pass is judged by, its
return duty (opened at issue, moved by an extension, met by the return), its deposit postings, and "today" in the
estate's time zone (a pass is valid through its ``valid_to`` day). Feature modules (``passes`` issue and detail,
``pass_flow`` the lifecycle and the daily forfeiture, ``pass_gate`` the gate lookup, ``pass_registers`` lists, the
register, printing and the home page) import this module; it imports none of them.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from core import pass_duties as duty
from core import passes as rules
from core.deposits import EntryKind
from core.permissions import Action, Actor
from core.policy import PolicyBook
from db.models import AccessPass, PassRoom, Property
from db.services import deposits
from db.services.base import audit, load_scoped
from db.services.duties import cancel_duty, meet_duty, open_duty
from db.services.policy import policy_in
from db.services.timeline import record_event

ENTITY = RECORD_TYPE = rules.RECORD_TYPE.code  # "pass"
LIST_PAGE = "views/passes/list.py"
GATE_PAGE = "views/passes/gate.py"
NOT_FOUND = "出入证不存在或不在您的管理范围内"
TZ = ZoneInfo("Asia/Shanghai")  # the estates' day: a pass is valid through the whole of its valid_to day


def today(now: datetime) -> date:
    return now.astimezone(TZ).date()


def end_of(day: date) -> datetime:
    """The first moment after ``day`` in the estate's time zone."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=TZ)


def policy_for(s: Session, p: AccessPass, now: datetime) -> PolicyBook:
    return policy_in(s, at=now, version=p.policy_version)


def load(s: Session, actor: Actor | None, pass_id: int | None, action: Action, *, lock: bool = True) -> AccessPass:
    """The pass, locked for update, after checking ``action`` in its **current** office (another office's pass:
    an audited ``OutOfScope`` with the same sentence as a missing one)."""
    return load_scoped(s, AccessPass, pass_id, actor=actor, action=action, entity=ENTITY, lock=lock, missing=NOT_FOUND)


def record(s: Session, p: AccessPass, *, actor: Actor | None, action: str, now: datetime, note: str = "",
           from_state: str | None = None, citation: str = "", before: Any = None, after: Any = None) -> None:
    """The timeline step and the audit row, in the caller's transaction."""
    p.updated_at = now
    if p not in s:
        s.add(p)
    record_event(s, record_type=RECORD_TYPE, record_id=p.id, office_id=p.office_id, actor=actor, event=action, at=now,
                 note=note, citation=citation, from_state=from_state, to_state=p.state)
    audit(s, actor=actor, action=f"pass.{action}", entity=ENTITY, entity_id=p.id, office_id=p.office_id,
          summary=f"{p.number} {p.holder_name} {note}"[:500], before=before, after=after)


def return_due_at(p: AccessPass, policy: PolicyBook) -> datetime:
    return end_of(p.valid_to) + rules.return_due(p.valid_to, policy)


def set_return_duty(s: Session, p: AccessPass, policy: PolicyBook, *, now: datetime, new_record: bool = False) -> None:
    """The pass must be back by the end of its last day plus the late-return window (第6条)."""
    open_duty(s, record_type=RECORD_TYPE, record_id=p.id, office_id=p.office_id, duty=duty.RETURN.code,
              started_at=now, due_at=return_due_at(p, policy), now=now, policy_version=p.policy_version,
              responsible_user_id=p.issued_by, clause=policy.cite("pass.late_return_window"), new_record=new_record)


def meet_return(s: Session, p: AccessPass, *, at: datetime, by: int | None) -> None:
    meet_duty(s, record_type=RECORD_TYPE, record_id=p.id, duty=duty.RETURN.code, at=at, by=by)


def cancel_return(s: Session, p: AccessPass, *, at: datetime, note: str) -> None:
    cancel_duty(s, record_type=RECORD_TYPE, record_id=p.id, duty=duty.RETURN.code, at=at, note=note)


def held(s: Session, p: AccessPass) -> int:
    return deposits.balance(deposits.account_of(s, record_type=RECORD_TYPE, record_id=p.id)).held


def move_deposit(s: Session, p: AccessPass, kind: EntryKind, *, actor: Actor | None, at: datetime, reason: str,
                 receipt_no: str = "") -> int:
    """Refund or forfeit what the pass still holds (nothing held: nothing posted); returns the amount moved."""
    amount = held(s, p)
    if amount <= 0:
        return 0
    deposits.post(s, record_type=RECORD_TYPE, record_id=p.id, office_id=p.office_id, kind=kind, amount=amount, at=at,
                  actor=actor, reason=reason, receipt_no=receipt_no)
    p.deposit_state = "refunded" if kind is EntryKind.REFUND else "forfeited"
    return amount


def rooms_of(s: Session, pass_id: int) -> list[tuple[int, str]]:
    return [(pid, label) for pid, label in s.exec(
        select(Property.id, Property.label).join(PassRoom, PassRoom.property_id == Property.id)
        .where(PassRoom.pass_id == pass_id).order_by(PassRoom.id)).all()]
