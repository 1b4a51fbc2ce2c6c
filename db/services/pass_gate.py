"""The gate lookup for 保安 (《小区出入证管理规定》第3、5、6条): find a pass by its number (typed or scanned), the
holder's name, or the last digits of the ID number, and answer at a glance — valid, expired, lost, confiscated —
with the photo, the rooms and the last valid day. Reads only indexes (number, name prefix, reversed ID tail) and
at most ``LIMIT`` rows, in the offices where the actor may check passes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import select

from core import passes as rules
from core.permissions import Action, Actor
from db.models import AccessPass, Attachment
from db.services.attachments import IMAGE_MIMES
from db.services.base import authorize, scope_filter
from db.services.pass_kernel import RECORD_TYPE, today
from db.services.policy import policy_in
from db.session import read_session

LIMIT = 10
_COLUMNS = (AccessPass.id, AccessPass.number, AccessPass.holder_name, AccessPass.state, AccessPass.valid_to,
            AccessPass.rooms_label, AccessPass.pass_type, AccessPass.employer, AccessPass.replaces_id,
            AccessPass.id_number)


def _rows(s, kind: str, value: str, scope) -> list:
    """At most ``LIMIT`` rows, each query read in its index's order: a name's newest passes first (the exact name,
    else names starting with what was typed), the last digits of an ID number, or the number itself."""
    def run(*where, order):
        stmt = scope_filter(select(*_COLUMNS).where(*where), AccessPass.office_id, scope)
        return s.exec(stmt.order_by(*order).limit(LIMIT)).all()

    if kind == "number":
        return run(AccessPass.number == value, order=[AccessPass.id])
    if kind == "id_tail":
        key = value[::-1]
        return run(AccessPass.id_rtail >= key, AccessPass.id_rtail < key + "~", order=[AccessPass.valid_to.desc()])
    exact = run(AccessPass.holder_name == value, order=[AccessPass.valid_to.desc()])
    return exact or run(AccessPass.holder_name > value, AccessPass.holder_name < value + "\uffff",
                        order=[AccessPass.holder_name, AccessPass.valid_to.desc()])


@dataclass(frozen=True)
class GateHit:
    id: int
    number: str
    holder_name: str
    status: rules.Status
    status_label: str
    advice: str
    tone: str  # "success" | "error"
    rooms: str
    valid_to: date
    type_label: str
    employer: str
    id_tail: str  # the last 4 characters only
    photo_id: int | None


def lookup(*, actor: Actor, text: str, now: datetime) -> list[GateHit]:
    """Passes matching what the guard typed, the valid ones first, then the newest."""
    authorize(actor, Action.PASS_GATE)
    kind, value = rules.gate_query(text)
    if not kind:
        return []
    scope = actor.scope(Action.PASS_GATE)
    with read_session() as s:
        rows = _rows(s, kind, value, scope)
        if not rows:
            return []
        owners = {r.id: r.id for r in rows} | {r.replaces_id: r.id for r in rows if r.replaces_id}
        photos = dict(s.exec(select(Attachment.record_id, func.min(Attachment.id)).where(
            Attachment.record_type == RECORD_TYPE, Attachment.record_id.in_(list(owners)),
            Attachment.mime.in_(sorted(IMAGE_MIMES))).group_by(Attachment.record_id)).all())
        policy = policy_in(s, at=now)
    day = today(now)
    hits = []
    for r in rows:
        status = rules.status(r.state, r.valid_to, day)
        advice, tone = rules.GATE_ADVICE[status]
        photo = photos.get(r.id) or (photos.get(r.replaces_id) if r.replaces_id else None)
        hits.append(GateHit(r.id, r.number, r.holder_name, status, rules.STATUS_LABELS[status], advice, tone,
                            r.rooms_label, r.valid_to, policy.row_label(rules.TYPES, r.pass_type), r.employer,
                            r.id_number[-4:], photo))
    hits.sort(key=lambda h: h.status is not rules.Status.VALID)
    return hits
