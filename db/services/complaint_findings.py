"""Responsibility for missed deadlines (投诉顾问支持及责任划分 二): proposed findings from the deadlines and who
held them, and the manual, reasoned decision that confirms or sets one aside (never a fine by itself).

A finding the software proposes is stored (``ComplaintFinding`` with decision ``proposed``) with an approval request
of record type ``complaint_finding`` submitted by nobody (core.complaint_findings: the 管理处主任 of the complaint's
office or the HQ 客服中心 head), so it waits in their 待我审批 inbox. The hourly sweep proposes what the deadlines
show; ``decide_finding`` (the complaint page) decides through the approvals service in its own transaction; the
``on_decision`` hook records the decision on the finding and the complaint's timeline, whichever screen decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, exists, or_
from sqlmodel import Session, select

from core import approvals as chain_rules
from core import complaint_findings as frules
from core import complaint_workflow as wf
from core import complaints as rules
from core.errors import DomainError
from core.permissions import Action, Actor
from core.registry import daily_job
from core.roles import Role
from db.models import Complaint, ComplaintFinding, Consultant, ConsultRequest, User, UserRole
from db.models.base import as_utc
from db.services import approvals, job_runs
from db.services.complaint_kernel import contact_person, load, record, user_names, visible
from db.session import read_session, write_session


def hq_head_name(s) -> str:
    """The head of the HQ 客服中心 (责任划分 二.2 names the post; the account shows who holds it)."""
    name = s.exec(select(User.display_name).join(UserRole, UserRole.user_id == User.id).where(
        UserRole.role == Role.HQ_HEAD.value, User.active == True).order_by(User.id).limit(1)).first()  # noqa: E712
    return f"客服中心负责人 {name}" if name else "客服中心负责人"


def _findings(s, c: Complaint, now: datetime) -> list[rules.Finding]:
    rows = s.exec(select(ConsultRequest, Consultant.name).join(Consultant)
                  .where(ConsultRequest.complaint_id == c.id)).all()
    consults = tuple(rules.ConsultTimes(consultant_name=n, requested_at=as_utc(r.requested_at),
                                        reply_due_at=as_utc(r.due_at), replied_at=as_utc(r.replied_at),
                                        hq_asked_at=as_utc(r.hq_asked_at), hq_forward_due_at=as_utc(r.hq_forward_due_at),
                                        hq_forwarded_at=as_utc(r.hq_forwarded_at)) for r, n in rows)
    facts = rules.ResponsibilityFacts(as_of=now, handling_due_at=as_utc(c.due_at), handled_at=as_utc(c.handled_at),
                                      contact_person=contact_person(s, c.office_id), hq_head=hq_head_name(s),
                                      intake_due_at=as_utc(c.contact_due_at), contact_received_at=as_utc(c.received_at),
                                      intake_delayed_by=c.contact_held_by, consults=consults)
    return rules.attribute_responsibility(facts)


def responsibility(*, actor: Actor, complaint_id: int, now: datetime) -> list[rules.Finding]:
    """Who answers for a missed deadline (责任划分 二): a finding to act on manually, never a fine by itself."""
    with read_session() as s:
        c = visible(s, actor, complaint_id)
        return _findings(s, c, now)


@dataclass
class FindingView:
    finding: rules.Finding
    decision: ComplaintFinding | None = None  # the confirmation or setting-aside; None while it waits
    decided_by_name: str = ""
    approval: approvals.ApprovalDetail | None = None  # the chain's state (None: not yet proposed by the sweep)


def findings(*, actor: Actor, complaint_id: int, now: datetime) -> list[FindingView]:
    """The proposed findings with any recorded decision and the approval chain's state, plus stored findings no
    longer proposed by the deadlines."""
    with read_session() as s:
        c = visible(s, actor, complaint_id)
        stored = {(d.clause, d.person): d for d in s.exec(
            select(ComplaintFinding).where(ComplaintFinding.complaint_id == c.id).order_by(ComplaintFinding.id)).all()}
        names = user_names(s, [d.decided_by for d in stored.values()])
        pairs = [(f, stored.pop((f.clause, f.person), None)) for f in _findings(s, c, now)]
        pairs += [(rules.Finding(d.clause, d.person, d.reason, d.citation), d) for d in stored.values()]
        views = []
        for f, row in pairs:
            decided = row if row is not None and row.decision != frules.PROPOSED else None
            req = approvals.request_of(s, frules.RECORD_TYPE.code, row.id) if row is not None else None
            views.append(FindingView(f, decided, names.get(decided.decided_by, "") if decided else "",
                                     approvals.detail_in(s, req) if req is not None else None))
        return views


FINDING_DECISIONS = {"confirmed": "确认责任", "rejected": "不予认定"}


def _propose(s: Session, c: Complaint, finding: rules.Finding, now: datetime) -> ComplaintFinding:
    """The stored proposal of ``finding`` and its approval request (submitted by nobody: the software proposed it),
    created in the caller's transaction; the stored row when it exists already."""
    row = s.exec(select(ComplaintFinding).where(ComplaintFinding.complaint_id == c.id,
                                                ComplaintFinding.clause == finding.clause,
                                                ComplaintFinding.person == finding.person[:64])).first()
    if row is None:
        row = ComplaintFinding(complaint_id=c.id, clause=finding.clause, person=finding.person[:64],
                               reason=finding.reason[:200], citation=finding.citation[:200], decision=frules.PROPOSED)
        s.add(row)
        s.flush()
    if row.decision == frules.PROPOSED:
        approvals.open_request(s, actor=None, record_type=frules.RECORD_TYPE.code, record_id=int(row.id),
                               office_id=c.office_id, page_id=c.id, now=now,
                               title=f"{c.number} 责任认定：{finding.clause} {finding.person}")
    return row


def propose_findings(*, complaint_id: int, now: datetime) -> int:
    """Store the findings the deadlines show for one complaint and open their approval requests; how many are new."""
    with read_session() as s:
        c = s.get(Complaint, complaint_id)
        if c is None:
            return 0
        known = set(s.exec(select(ComplaintFinding.clause, ComplaintFinding.person)
                           .where(ComplaintFinding.complaint_id == c.id)).all())
        new = [f for f in _findings(s, c, now) if (f.clause, f.person[:64]) not in known]
    if not new:
        return 0
    with write_session() as s:
        c = s.exec(select(Complaint).where(Complaint.id == complaint_id).with_for_update()).one()
        for f in new:
            _propose(s, c, f, now)
    return len(new)


# The first run (a new install, or an upgrade over years of complaints) looks back one day: findings start from the
# install, not retroactively for every complaint ever late (at company scale 14 days back meant 6,430 approval
# requests at once). Every later run looks at the deadlines that passed since the previous successful run (minus a
# margin for the clocks of several processes), however long the app was stopped.
FIRST_LOOKBACK = timedelta(days=1)
OVERLAP = timedelta(hours=1)


def _may_have_findings(since: datetime, at: datetime):
    """Complaints with a deadline that passed in [since, at): the handling deadline before they were handled, or a
    consultant's, or registered then after a late hand-off (a superset of those with findings: ``_findings`` judges)."""
    late = and_(Complaint.due_at >= since, Complaint.due_at < at,
                or_(Complaint.handled_at == None, Complaint.handled_at > Complaint.due_at))  # noqa: E711
    consult = exists().where(ConsultRequest.complaint_id == Complaint.id, or_(
        and_(ConsultRequest.due_at >= since, ConsultRequest.due_at < at),
        and_(ConsultRequest.hq_forward_due_at >= since, ConsultRequest.hq_forward_due_at < at)))
    # 二.1: a hand-off to the 投诉接口 already late when registered (its deadline passed before the intake)
    late_hand_off = and_(Complaint.created_at >= since, Complaint.created_at < at,
                         Complaint.contact_due_at < Complaint.received_at)
    return or_(late, consult, late_hand_off)


@daily_job("complaint_findings")
def propose_sweep(*, now: datetime) -> int:
    """Hourly: propose the findings the deadlines missed since the last run show (each complaint in its own short
    transaction). Bounded by the time since the last run, not by the number of complaints ever late."""
    at = now.astimezone(UTC)
    last = job_runs.last_ok("complaint_findings")
    since = (last - OVERLAP) if last is not None else at - FIRST_LOOKBACK
    with read_session() as s:
        ids = list(s.exec(select(Complaint.id).where(_may_have_findings(since, at)).order_by(Complaint.id)).all())
    return sum(propose_findings(complaint_id=cid, now=now) for cid in ids)


def decide_finding(*, actor: Actor, complaint_id: int, clause: str, person: str, decision: str, note: str,
                   now: datetime) -> int:
    """The manual, reasoned step: confirm or set aside a proposed finding through its approval request (audited;
    one decision per finding). The ``on_decision`` hook below records it, as for a decision from the inbox."""
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_RESPONSIBILITY_CONFIRM)
        wf.require(wf.Op.DECIDE_FINDING, wf.Situation.of(c))
        if decision not in FINDING_DECISIONS:
            raise DomainError("请选择“确认责任”或“不予认定”", field="decision")
        note = (note or "").strip()
        if len(note) < frules.MIN_NOTE:
            raise DomainError("请写明认定理由（至少4个字）", clause=rules.C_RESP, field="note")
        proposed = {(f.clause, f.person): f for f in _findings(s, c, now)}
        finding = proposed.get((clause, person))
        if finding is None:
            raise DomainError("该责任认定建议已不成立（时限情况已变化），请刷新后再认定", clause=rules.C_RESP)
        row = _propose(s, c, finding, now)
        if row.decision != frules.PROPOSED:
            raise DomainError("该责任已认定，不能重复认定", clause=rules.C_RESP)
        req = approvals.request_of(s, frules.RECORD_TYPE.code, int(row.id))
        approvals.decide_in(s, actor=actor, approval_id=int(req.id), approve=decision == "confirmed", comment=note,
                            now=now)
        return int(row.id)


@approvals.on_decision(frules.RECORD_TYPE.code)
def _decided(s: Session, req, outcome: chain_rules.Outcome, actor: Actor, now: datetime) -> None:
    """A step of a finding's chain was decided (the complaint page or the 待我审批 inbox): approved → confirmed,
    rejected → set aside (final: the software proposed it), with the reason on the complaint's timeline."""
    if not (outcome.closed or outcome.state == chain_rules.State.REJECTED):
        return
    note = outcome.comment.strip()
    if len(note) < frules.MIN_NOTE:
        raise DomainError("请写明认定理由（至少4个字）", clause=rules.C_RESP, field="comment")
    row = s.exec(select(ComplaintFinding).where(ComplaintFinding.id == req.record_id).with_for_update()).one()
    if row.decision != frules.PROPOSED:
        raise DomainError("该责任已认定，不能重复认定", clause=rules.C_RESP)
    c = s.get(Complaint, row.complaint_id)
    if outcome.closed and (row.clause, row.person) not in {(f.clause, f.person[:64]) for f in _findings(s, c, now)}:
        raise DomainError("该责任认定建议已不成立（时限情况已变化），只能不予认定", clause=rules.C_RESP)
    decision = "confirmed" if outcome.closed else "rejected"
    row.decision, row.note, row.decided_by, row.decided_at = decision, note[:1000], actor.user_id, now
    s.add(row)
    record(s, c, actor=actor, action="responsibility", now=now, citation=row.citation,
           note=f"责任认定（{row.clause}，{row.person}）：{FINDING_DECISIONS[decision]}。理由：{note[:300]}",
           after={"clause": row.clause, "person": row.person, "decision": decision, "note": note[:300],
                  "approval_id": req.id})
