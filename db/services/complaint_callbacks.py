"""投诉回访's figures (顾客投诉处理制度(投诉回访) 第3、6条): the callback rate per 管理处 and month against the policy
book's target, from the callback duties (``complaint.callback``: opened at verification, met by a callback that
reached the customer, cancelled by an exemption, so an exempted complaint is not counted as needing one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlmodel import select

from core import complaint_duties as duty
from core import complaints as rules
from core.permissions import Action, Actor
from db.models import OrgUnit
from db.services.base import authorize
from db.services.duties import duties
from db.services.policy import policy_in
from db.session import read_session


@dataclass(frozen=True)
class CallbackRate:
    office_id: int
    office: str
    required: int  # complaints whose callback fell due in the month (exempted ones are not owed)
    done: int  # called back (the customer reached), on time or late
    late: int  # of ``done``, after the deadline
    overdue: int  # due, not yet called back
    rate: float | None
    target_pct: int
    meets_target: bool
    citation: str

    @property
    def rate_label(self) -> str:
        return "—" if self.rate is None else f"{self.rate:.0%}"


def callback_rates(*, actor: Actor, month: date, now: datetime, tz: tzinfo,
                   office_id: int | None = None) -> list[CallbackRate]:
    """回访率 per office for the callbacks that fell due in ``month`` (local calendar month in ``tz``), in the offices
    the actor may view, judged against ``complaint.callback_target_pct`` in force at ``now``."""
    authorize(actor, Action.COMPLAINT_VIEW, office_id)
    scope = actor.scope(Action.COMPLAINT_VIEW)
    offices = {office_id} if office_id else scope
    with read_session() as s:
        policy = policy_in(s, at=now)
        tallies = duties(s, month=month, tz=tz, now=now, office_ids=offices, duty_codes=[duty.CALLBACK.code],
                         by=("office",))
        ids = [t.office_id for t in tallies]
        names = dict(s.exec(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(ids))).all()) if ids else {}
    target = int(policy["complaint.callback_target_pct"])
    out = []
    for t in tallies:
        done = t.met_on_time + t.met_late
        rate = rules.callback_rate(done, t.total)
        out.append(CallbackRate(office_id=t.office_id, office=names.get(t.office_id, ""), required=t.total, done=done,
                                late=t.met_late, overdue=t.overdue, rate=rate, target_pct=target,
                                meets_target=rules.meets_callback_target(rate, policy),
                                citation=policy.cite("complaint.callback_target_pct")))
    return out
