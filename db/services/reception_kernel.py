"""The reception kernel (客户来电、来访、来函处理作业规定, D1): what every reception feature builds on.

Load-and-lock with the office-scope check, the timeline step + audit row, the policy a contact is judged by, its
deadline columns written together with their duty rows, and who the actor is to a contact (the colleague or the
department it was routed to, a supervisor). Feature modules (``reception`` intake and detail, ``reception_flow``
the steps, ``reception_queues`` the lists, daily view and my work) import this module; it imports none of them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from core import reception as rules
from core.permissions import Action, Actor
from core.policy import PolicyBook
from db.models import Contact, Department, Staff, User, UserRole
from db.services.base import audit, load_scoped
from db.services.duties import cancel_duty, meet_duty, open_duty
from db.services.policy import policy_in
from db.services.timeline import record_event

ENTITY = RECORD_TYPE = rules.RECORD_TYPE.code
DESK_PAGE = "views/reception/desk.py"
ROUTED_PAGE = "views/reception/routed.py"
NOT_FOUND = "记录不存在或不在您的管理范围内"

# Each duty's due/met columns on the contact (the list queries read them; only the helpers below write them).
COLUMNS: dict[str, tuple[str, str]] = {
    rules.REPLY_DUTY.code: ("reply_due_at", "replied_at"),
    rules.CALLBACK_DUTY.code: ("callback_due_at", "callback_done_at"),
}


def policy_for(s: Session, c: Contact, now: datetime) -> PolicyBook:
    """The rules a contact is judged by: the version it was logged under, in force at ``now``."""
    return policy_in(s, at=now, version=c.policy_version)


def load(s: Session, actor: Actor, contact_id: int, action: Action, *, lock: bool = True) -> Contact:
    """The contact, locked for update, after checking ``action`` in its **current** office (another office's
    record: the same answer as a missing one, audited as a refusal)."""
    return load_scoped(s, Contact, contact_id, actor=actor, action=action, entity=ENTITY, lock=lock, missing=NOT_FOUND)


def visible(s: Session, actor: Actor, contact_id: int) -> Contact:
    return load(s, actor, contact_id, Action.RECEPTION_VIEW, lock=False)


def record_step(s: Session, c: Contact, *, actor: Actor | None, action: str, now: datetime, note: str = "",
           from_state: str | None = None, citation: str = "", after: Any = None) -> None:
    """The timeline step and the audit row, in the caller's transaction."""
    c.updated_at = now
    s.add(c)
    record_event(s, record_type=RECORD_TYPE, record_id=c.id, office_id=c.office_id, actor=actor, event=action, at=now,
                 note=note, citation=citation, from_state=from_state, to_state=c.state)
    audit(s, actor=actor, action=f"contact.{action}", entity=ENTITY, entity_id=c.id, office_id=c.office_id,
          summary=f"{c.number} {note}"[:500], after=after)


def set_deadline(s: Session, c: Contact, code: str, due_at: datetime | None, *, now: datetime, started_at: datetime,
                 clause: str, new_record: bool = False, note: str = "") -> None:
    """``c`` owes duty ``code`` by ``due_at``: its column and its duty row, together (None: no longer owed)."""
    setattr(c, COLUMNS[code][0], due_at)
    if due_at is None:
        if not new_record:
            cancel_duty(s, record_type=RECORD_TYPE, record_id=c.id, duty=code, at=now, note=note)
        return
    open_duty(s, record_type=RECORD_TYPE, record_id=c.id, office_id=c.office_id, duty=code, due_at=due_at, now=now,
              started_at=started_at, policy_version=c.policy_version, clause=clause,
              responsible_user_id=c.received_by, new_record=new_record)


def meet_deadline(s: Session, c: Contact, code: str, *, at: datetime, by: int | None) -> None:
    setattr(c, COLUMNS[code][1], at)
    meet_duty(s, record_type=RECORD_TYPE, record_id=c.id, duty=code, at=at, by=by)


def staff_of(s: Session, user_id: int | None) -> Staff | None:
    """The staff record of an account (its name, department, 可独立上岗)."""
    if user_id is None:
        return None
    staff_id = s.exec(select(User.staff_id).where(User.id == user_id)).first()
    return s.get(Staff, staff_id) if staff_id else None


def relation(s: Session, actor: Actor, c: Contact) -> rules.Relation:
    """Who the actor is to the contact: its routed colleague, a member of its routed department, a supervisor."""
    staff = staff_of(s, actor.user_id)
    return rules.Relation(user_id=actor.user_id, department_id=staff.department_id if staff else None,
                          supervisor=actor.can(Action.RECEPTION_SUPERVISE, c.office_id))


def works_in(s: Session, user_id: int, office_id: int) -> bool:
    """The account is active and holds a role in the office (a colleague a contact may be routed to)."""
    return s.exec(select(UserRole.id).join(User, User.id == UserRole.user_id).where(
        UserRole.user_id == user_id, UserRole.org_unit_id == office_id, User.active == True)).first() is not None  # noqa: E712


def routed_label(s: Session, c: Contact) -> str:
    """The colleague's or the department's name the contact is routed to ("" when not routed)."""
    if c.routed_user_id:
        return s.exec(select(User.display_name).where(User.id == c.routed_user_id)).first() or ""
    if c.routed_department_id:
        return s.exec(select(Department.name).where(Department.id == c.routed_department_id)).first() or ""
    return ""


def situation(s: Session, c: Contact, now: datetime) -> rules.Situation:
    return rules.Situation.of(c, policy_for(s, c, now))
