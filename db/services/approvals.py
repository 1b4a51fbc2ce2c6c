"""Approval chains (审批, core.approvals) for every record type and their history (待我审批 inbox: ``approval_inbox``).

A process opens a request for its record inside its own transaction (``open_request``: the record's state and the
request change together) and hooks in with ``@on_decision("<record_type>")`` to act when a step is decided (the
complaint finding records the decision on the complaint's timeline). People then ``approve``, ``reject`` (with a
comment), ``revise`` and ``resubmit`` by the request's id; ``bulk_approve`` takes the routine items of a month end
one by one. Every write: one transaction, the request loaded and locked and its office checked
(``load_scoped``), the rule of ``core.approvals`` applied, a decision row citing the chain's clause, an audit row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, false, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from core import approvals as rules
from core.errors import DomainError
from core.permissions import Action, Actor
from core.registry import RecordType, record_types, register_record_type
from core.roles import COMPANY_WIDE_ROLES
from db.models import ApprovalDecision, ApprovalRequest, User, UserRole
from db.models.base import as_utc
from db.services.base import already_done, audit, load_scoped, refused, remember
from db.services.policy import policy_in
from db.session import read_session, write_session

ENTITY = "approval"
HOME = "views/home/home.py"
NOT_FOUND = "审批申请不存在或不在您的管理范围内"

RECORD_TYPE = register_record_type(RecordType(ENTITY, "审批申请", HOME, actions=(("approval.open", "建立审批申请"), *(
    (f"approval.{d.value}", f"审批{label}") for d, label in rules.DECISION_LABELS.items()))))

# ----- hooks: what a process does when a step of its record is decided ----------------------------------------

DecisionHook = Callable[[Session, ApprovalRequest, rules.Outcome, Actor, datetime], None]
_HOOKS: dict[str, DecisionHook] = {}


def on_decision(record_type: str) -> Callable[[DecisionHook], DecisionHook]:
    """Decorator: ``@on_decision("complaint_finding")`` on ``def _decided(s, request, outcome, actor, now)``.

    Runs inside the deciding transaction after each approve or reject (``outcome.closed`` on the last approval,
    ``outcome.state == REJECTED`` on a rejection), so the record and the request never disagree.
    """

    def register(func: DecisionHook) -> DecisionHook:
        _HOOKS[record_type] = func
        return func

    return register


# ----- inside a process's transaction ---------------------------------------------------------------------------


def request_of(s: Session, record_type: str, record_id: int) -> ApprovalRequest | None:
    return s.exec(select(ApprovalRequest).where(ApprovalRequest.record_type == record_type,
                                                ApprovalRequest.record_id == record_id)).first()


def open_request(s: Session, *, actor: Actor | None, record_type: str, record_id: int, office_id: int, title: str,
                 now: datetime, page_id: int | None = None, submit: bool = True) -> ApprovalRequest:
    """The approval request of a record, created (and submitted, unless ``submit=False`` keeps it a draft) in the
    caller's transaction; the request already open for that record otherwise. ``actor=None``: proposed by the
    software (nobody can then revise it after a rejection). The caller has checked its own permission."""
    existing = request_of(s, record_type, record_id)
    if existing is not None:
        return existing
    chain = rules.chain_for(policy_in(s, at=now), record_type)
    owner = actor.user_id if actor else None
    req = ApprovalRequest(record_type=record_type, record_id=record_id, page_id=page_id, office_id=office_id,
                          title=title[:200], state=rules.State.DRAFT.value, chain_json=chain.to_json(),
                          submitted_by=owner, created_by=owner, created_at=now, updated_at=now)
    try:
        with s.begin_nested():
            s.add(req)
            s.flush()
    except IntegrityError:  # opened by a concurrent transaction first
        found = request_of(s, record_type, record_id)
        if found is None:
            raise
        return found
    audit(s, actor=actor, action="approval.open", entity=ENTITY, entity_id=req.id, office_id=office_id,
          summary=f"{type_label(record_type)} {req.title}：建立审批申请", after={"record_type": record_type,
                                                                             "record_id": record_id})
    if submit:
        _apply(s, req, rules.submit(_snapshot(s, req), chain, submitter_id=owner), actor=actor, now=now)
    return req


# ----- the rules applied to a stored request ----------------------------------------------------------------------


def type_label(code: str) -> str:
    spec = record_types().get(code)
    return spec.label if spec else code


def chain_of(req: ApprovalRequest) -> rules.Chain:
    return rules.Chain.from_json(req.chain_json)


def _round_approvers(s: Session, req: ApprovalRequest) -> frozenset[int]:
    """Who approved a step since the request was last submitted (they may not approve a later step of it)."""
    last_submit = s.exec(select(func.max(ApprovalDecision.id)).where(
        ApprovalDecision.approval_id == req.id, ApprovalDecision.decision == rules.Decision.SUBMIT.value)).one()
    rows = s.exec(select(ApprovalDecision.actor_user_id, ApprovalDecision.on_behalf_of).where(
        ApprovalDecision.approval_id == req.id, ApprovalDecision.decision == rules.Decision.APPROVE.value,
        ApprovalDecision.id > (last_submit or 0))).all()
    return frozenset(u for pair in rows for u in pair if u is not None)


def _snapshot(s: Session, req: ApprovalRequest) -> rules.Snapshot:
    return rules.Snapshot(office_id=req.office_id, state=rules.State(req.state), step=req.step,
                          submitted_by=req.submitted_by, approved_by=_round_approvers(s, req))


def _principal(s: Session, req: ApprovalRequest, outcome: rules.Outcome, actor: Actor, now: datetime,
               snap: rules.Snapshot) -> tuple[int, str]:
    """The absent approver a deputy acts for: someone who named the actor deputy until now or later and holds a role
    of this step in the request's office (not the submitter, not an earlier approver of this round)."""
    company_wide = [r.value for r in outcome.deputy_roles if r in COMPANY_WIDE_ROLES]
    local = [r.value for r in outcome.deputy_roles if r not in COMPANY_WIDE_ROLES]
    role_match = or_(UserRole.role.in_(company_wide) if company_wide else false(),
                     and_(UserRole.role.in_(local), UserRole.org_unit_id == req.office_id) if local else false())
    rows = s.exec(select(User.id, User.display_name, User.deputy_until).join(UserRole, UserRole.user_id == User.id)
                  .where(User.deputy_user_id == actor.user_id, User.active == True, role_match)  # noqa: E712
                  .order_by(User.id)).all()
    for uid, name, until in rows:
        if until is not None and as_utc(until) >= now and uid != req.submitted_by and uid not in snap.approved_by:
            return int(uid), name
    raise refused(rules.NotApprover("代理关系已失效或被代理人不是本步骤的审批人，不能代为审批", clause=outcome.clause),
                  actor, Action.APPROVAL_DECIDE, req.office_id, entity=ENTITY, entity_id=req.id)


def _apply(s: Session, req: ApprovalRequest, outcome: rules.Outcome, *, actor: Actor | None, now: datetime,
           on_behalf: tuple[int | None, str] = (None, "")) -> ApprovalDecision:
    chain = chain_of(req)
    decided_step = req.step if outcome.decision in (rules.Decision.APPROVE, rules.Decision.REJECT) else outcome.step
    req.state = outcome.state.value
    req.step = outcome.step
    req.step_roles = rules.step_roles_key(chain.step(outcome.step).roles) if outcome.state == rules.State.SUBMITTED \
        else ""
    req.updated_at = now
    if outcome.decision == rules.Decision.SUBMIT:
        req.submitted_at = now
        if actor is not None:
            req.submitted_by = actor.user_id
        req.closed_at = None
    if outcome.closed:
        req.closed_at = now
    s.add(req)
    row = ApprovalDecision(approval_id=req.id, step=decided_step, decision=outcome.decision.value,
                           from_state=outcome.from_state.value, to_state=outcome.state.value,
                           actor_user_id=actor.user_id if actor else None, actor_name=actor.name if actor else "系统",
                           on_behalf_of=on_behalf[0], on_behalf_name=on_behalf[1][:64], comment=outcome.comment[:1000],
                           clause=outcome.clause[:200], at=now)
    s.add(row)
    s.flush()
    deputy = f"（代 {on_behalf[1]}）" if on_behalf[0] else ""
    audit(s, actor=actor, action=f"approval.{outcome.decision.value}", entity=ENTITY, entity_id=req.id,
          office_id=req.office_id, summary=f"{type_label(req.record_type)} {req.title}：第{row.step}步"
          f"{rules.decision_label(outcome.decision)}{deputy}" + (f"。意见：{outcome.comment[:200]}" if outcome.comment
                                                                else ""),
          before={"state": outcome.from_state.value}, after={"state": req.state, "step": req.step,
                                                              "on_behalf_of": on_behalf[0], "clause": outcome.clause})
    if outcome.decision in (rules.Decision.APPROVE, rules.Decision.REJECT) and req.record_type in _HOOKS:
        _HOOKS[req.record_type](s, req, outcome, actor, now)
    return row


def _load(s: Session, actor: Actor, approval_id: int, action: Action, *, lock: bool = True) -> ApprovalRequest:
    return load_scoped(s, ApprovalRequest, approval_id, actor=actor, action=action, entity=ENTITY, lock=lock,
                       missing=NOT_FOUND)


def _rule(req: ApprovalRequest, actor: Actor, call: Callable[[], rules.Outcome]) -> rules.Outcome:
    """A transition of core.approvals; a refusal by the rules (not an approver, own submission) is audited."""
    try:
        return call()
    except rules.NotApprover as exc:
        raise refused(exc, actor, Action.APPROVAL_DECIDE, req.office_id, entity=ENTITY, entity_id=req.id) from None


def _check_step(req: ApprovalRequest, step: int | None) -> None:
    if step is not None and (req.state != rules.State.SUBMITTED.value or req.step != step):
        raise DomainError("该申请已被他人处理（审批步骤已变化），请刷新后再审批", clause=chain_of(req).clause)


@dataclass(frozen=True)
class Result:
    approval_id: int
    state: str
    step: int
    decision_id: int
    clause: str

    @property
    def state_label(self) -> str:
        return rules.state_label(self.state)


def _result(req: ApprovalRequest, row: ApprovalDecision) -> Result:
    return Result(int(req.id), req.state, req.step, int(row.id), row.clause)


def decide_in(s: Session, *, actor: Actor, approval_id: int, approve: bool, comment: str, now: datetime,
              step: int | None = None) -> Result:
    """Approve or reject the step waiting, inside the caller's transaction (a process deciding from its own page, as
    the complaint finding does): the same checks, decision row, audit and hook as ``approve`` / ``reject``."""
    req = _load(s, actor, approval_id, Action.APPROVAL_DECIDE)
    _check_step(req, step)
    chain, snap = chain_of(req), _snapshot(s, req)
    if approve:
        outcome = _rule(req, actor, lambda: rules.approve(snap, chain, actor, comment))
    else:
        outcome = _rule(req, actor, lambda: rules.reject(snap, chain, actor, comment))
    on_behalf = _principal(s, req, outcome, actor, now, snap) if outcome.as_deputy else (None, "")
    return _result(req, _apply(s, req, outcome, actor=actor, now=now, on_behalf=on_behalf))


# ----- what people do -----------------------------------------------------------------------------------------------


def approve(*, actor: Actor, approval_id: int, now: datetime, comment: str = "", step: int | None = None) -> Result:
    """Approve the step waiting (``step``: the one the approver saw; another approver got there first → refused)."""
    with write_session() as s:
        return decide_in(s, actor=actor, approval_id=approval_id, approve=True, comment=comment, step=step, now=now)


def reject(*, actor: Actor, approval_id: int, comment: str, now: datetime, step: int | None = None) -> Result:
    """Reject with a comment: the request goes back to its submitter for revision."""
    with write_session() as s:
        return decide_in(s, actor=actor, approval_id=approval_id, approve=False, comment=comment, step=step, now=now)


def submit(*, actor: Actor, approval_id: int, now: datetime, request_id: str | None = None) -> Result:
    """Submit a draft or a revised request (its owner only); a double click returns the first submission."""
    with write_session() as s:
        req = _load(s, actor, approval_id, Action.APPROVAL_VIEW)
        if (done := already_done(s, request_id, "approval_decision")) is not None:
            return _result(req, s.get(ApprovalDecision, int(done)))
        chain = rules.chain_for(policy_in(s, at=now), req.record_type)  # a new submission: the chain in force now
        req.chain_json = chain.to_json()
        outcome = _rule(req, actor, lambda: rules.submit(_snapshot(s, req), chain, submitter_id=actor.user_id))
        row = _apply(s, req, outcome, actor=actor, now=now)
        remember(s, request_id, "approval_decision", row.id)
        return _result(req, row)


def revise(*, actor: Actor, approval_id: int, now: datetime) -> Result:
    """Take a rejected request back for revision (its submitter only)."""
    with write_session() as s:
        req = _load(s, actor, approval_id, Action.APPROVAL_VIEW)
        snap = _snapshot(s, req)
        outcome = _rule(req, actor, lambda: rules.revise(snap, chain_of(req), actor_id=actor.user_id))
        return _result(req, _apply(s, req, outcome, actor=actor, now=now))


def resubmit(*, actor: Actor, approval_id: int, now: datetime, request_id: str | None = None) -> Result:
    """Revise and submit again in one step (a rejected or revised request; its submitter only)."""
    with write_session() as s:
        req = _load(s, actor, approval_id, Action.APPROVAL_VIEW)
        if (done := already_done(s, request_id, "approval_decision")) is not None:
            return _result(req, s.get(ApprovalDecision, int(done)))
        if req.state == rules.State.REJECTED.value:
            snap = _snapshot(s, req)
            _apply(s, req, _rule(req, actor, lambda: rules.revise(snap, chain_of(req), actor_id=actor.user_id)),
                   actor=actor, now=now)
        chain = rules.chain_for(policy_in(s, at=now), req.record_type)
        req.chain_json = chain.to_json()
        outcome = _rule(req, actor, lambda: rules.submit(_snapshot(s, req), chain, submitter_id=actor.user_id))
        row = _apply(s, req, outcome, actor=actor, now=now)
        remember(s, request_id, "approval_decision", row.id)
        return _result(req, row)


@dataclass(frozen=True)
class BulkItem:
    approval_id: int
    ok: bool
    message: str  # the new state, or why this item was not approved (Chinese)


def bulk_approve(*, actor: Actor, approval_ids: list[int], now: datetime, comment: str = "") -> list[BulkItem]:
    """批量通过 at month end: each item is checked and written on its own (one transaction each), and the answer says
    per item what happened. Per item rather than all-or-nothing: the routine items should not wait for one that
    another approver took first or that needs a look, and each refusal is still audited on its own."""
    results = []
    for approval_id in dict.fromkeys(int(i) for i in approval_ids):
        try:
            r = approve(actor=actor, approval_id=approval_id, now=now, comment=comment)
            results.append(BulkItem(approval_id, True, r.state_label))
        except DomainError as exc:
            results.append(BulkItem(approval_id, False, exc.message))
    return results


# ----- the history --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionRow:
    at: datetime
    step: int
    decision: str
    decision_label: str
    actor_name: str
    on_behalf_name: str
    comment: str
    clause: str


@dataclass(frozen=True)
class ApprovalDetail:
    id: int
    record_type: str
    type_label: str
    title: str
    office_id: int
    state: str
    state_label: str
    step: int
    steps: tuple[rules.Step, ...]
    clause: str
    decisions: tuple[DecisionRow, ...]


def detail_in(s: Session, req: ApprovalRequest) -> ApprovalDetail:
    """A request with its decisions, inside the caller's session (a process showing its record's chain)."""
    chain = chain_of(req)
    rows = s.exec(select(ApprovalDecision).where(ApprovalDecision.approval_id == req.id)
                  .order_by(ApprovalDecision.id)).all()
    decisions = tuple(DecisionRow(as_utc(d.at), d.step, d.decision, rules.decision_label(d.decision), d.actor_name,
                                  d.on_behalf_name, d.comment, d.clause) for d in rows)
    return ApprovalDetail(int(req.id), req.record_type, type_label(req.record_type), req.title, req.office_id,
                          req.state, rules.state_label(req.state), req.step, chain.steps, chain.clause, decisions)


def history(*, actor: Actor, approval_id: int) -> ApprovalDetail:
    """The request, its chain and every decision on it (who, for whom, what, when, the clause)."""
    with read_session() as s:
        return detail_in(s, _load(s, actor, approval_id, Action.APPROVAL_VIEW, lock=False))
