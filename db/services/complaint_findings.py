"""Responsibility for missed deadlines (投诉顾问支持及责任划分 二): proposed findings from the deadlines and who
held them, and the manual, reasoned decision that confirms or sets one aside (never a fine by itself).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select

from core import complaint_workflow as wf
from core import complaints as rules
from core.errors import DomainError
from core.permissions import Action, Actor
from core.roles import Role
from db.models import Complaint, ComplaintFinding, Consultant, ConsultRequest, User, UserRole
from db.models.base import as_utc
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
    resolved = as_utc(c.verified_at or c.closed_at) if rules.State(c.state) not in rules.UNRESOLVED_STATES else None
    facts = rules.ResponsibilityFacts(as_of=now, handling_due_at=as_utc(c.due_at), resolved_at=resolved,
                                      contact_person=contact_person(s, c.office_id), hq_head=hq_head_name(s),
                                      consults=consults)
    return rules.attribute_responsibility(facts)


def responsibility(*, actor: Actor, complaint_id: int, now: datetime) -> list[rules.Finding]:
    """Who answers for a missed deadline (责任划分 二): a finding to act on manually, never a fine by itself."""
    with read_session() as s:
        c = visible(s, actor, complaint_id)
        return _findings(s, c, now)


@dataclass
class FindingView:
    finding: rules.Finding
    decision: ComplaintFinding | None = None
    decided_by_name: str = ""


def findings(*, actor: Actor, complaint_id: int, now: datetime) -> list[FindingView]:
    """The proposed findings with any recorded decision, plus decisions on findings no longer proposed."""
    with read_session() as s:
        c = visible(s, actor, complaint_id)
        decided = {(d.clause, d.person): d for d in s.exec(
            select(ComplaintFinding).where(ComplaintFinding.complaint_id == c.id).order_by(ComplaintFinding.id)).all()}
        names = user_names(s, [d.decided_by for d in decided.values()])
        views = [FindingView(f, decided.pop((f.clause, f.person), None)) for f in _findings(s, c, now)]
        views += [FindingView(rules.Finding(d.clause, d.person, d.reason, d.citation), d) for d in decided.values()]
        for v in views:
            v.decided_by_name = names.get(v.decision.decided_by, "") if v.decision else ""
        return views


FINDING_DECISIONS = {"confirmed": "确认责任", "rejected": "不予认定"}


def decide_finding(*, actor: Actor, complaint_id: int, clause: str, person: str, decision: str, note: str,
                   now: datetime) -> int:
    """The manual, reasoned step: confirm or set aside a proposed finding (audited; one decision per finding)."""
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_RESPONSIBILITY_CONFIRM)
        wf.require(wf.Op.DECIDE_FINDING, wf.Situation.of(c))
        if decision not in FINDING_DECISIONS:
            raise DomainError("请选择“确认责任”或“不予认定”", field="decision")
        note = (note or "").strip()
        if len(note) < 4:
            raise DomainError("请写明认定理由（至少4个字）", clause=rules.C_RESP, field="note")
        proposed = {(f.clause, f.person): f for f in _findings(s, c, now)}
        finding = proposed.get((clause, person))
        if finding is None:
            raise DomainError("该责任认定建议已不成立（时限情况已变化），请刷新后再认定", clause=rules.C_RESP)
        done = s.exec(select(ComplaintFinding.id).where(ComplaintFinding.complaint_id == c.id,
                                                        ComplaintFinding.clause == clause,
                                                        ComplaintFinding.person == person)).first()
        if done is not None:
            raise DomainError("该责任已认定，不能重复认定", clause=rules.C_RESP)
        row = ComplaintFinding(complaint_id=c.id, clause=clause, person=person[:64], reason=finding.reason[:200],
                               citation=finding.citation[:200], decision=decision, note=note[:1000],
                               decided_by=actor.user_id, decided_at=now)
        s.add(row)
        s.flush()
        record(s, c, actor=actor, action="responsibility", now=now, citation=finding.citation,
               note=f"责任认定（{clause}，{person}）：{FINDING_DECISIONS[decision]}。理由：{note[:300]}",
               after={"clause": clause, "person": person, "decision": decision, "note": note[:300]})
        return int(row.id)
