"""Approval chains (审批): one mechanism for every record that needs a superior's signature.

Training plans (培训实施作业规程 工作流程2), sanction cases (奖惩规程 审批流程 1–2), assessment forms (考核规程: 客服部经理
may review, 管理处主任 approves) and decoration applications (装修管理服务协议: submitted → approved | rejected →
resubmitted) all go ``draft → submitted → approved | rejected (with a comment) → revised → submitted …``. A chain is
one or more steps per record type, each naming the roles that may approve it; it comes from the policy book's table
``approval.chains`` and, until a process's rows exist there, from the default the process registers here with the
clause it follows. Rules: nobody approves their own submission (nor a step after one they approved); the approver
holds a role of the current step in the record's office (company-wide roles reach every office); a deputy (代理)
acts for an absent approver; approving the last step closes the request; rejecting returns it to the submitter.
Pure: no database, no clock.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from core.errors import DomainError, PermissionDenied
from core.permissions import DELEGABLE, Action, Actor, Grant
from core.roles import COMPANY_WIDE_ROLES, Role, role_label

CHAINS_KEY = "approval.chains"  # the policy book's table: rows {code, record_type, step, roles, label, active}
POLICY_CLAUSE = "审批流程表（政策库 approval.chains）"
MIN_REJECT_COMMENT = 2


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    REVISED = "revised"


STATE_LABELS = {State.DRAFT: "草稿", State.SUBMITTED: "审批中", State.APPROVED: "已通过", State.REJECTED: "已退回",
                State.REVISED: "修改中"}


class Decision(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    REVISE = "revise"


DECISION_LABELS = {Decision.SUBMIT: "提交", Decision.APPROVE: "通过", Decision.REJECT: "退回",
                   Decision.REVISE: "修改"}


def state_label(code: str) -> str:
    try:
        return STATE_LABELS[State(code)]
    except ValueError:
        return code


def decision_label(code: str) -> str:
    try:
        return DECISION_LABELS[Decision(code)]
    except ValueError:
        return code


@dataclass(frozen=True)
class Step:
    number: int  # 1-based
    roles: frozenset[Role]
    label: str = ""

    @property
    def roles_label(self) -> str:
        return "、".join(role_label(r) for r in sorted(self.roles))


@dataclass(frozen=True)
class Chain:
    record_type: str
    steps: tuple[Step, ...]
    clause: str
    source: str = "default"  # "default" (registered by the process) | "policy" (the policy book's table)

    def step(self, number: int) -> Step:
        if not 1 <= number <= len(self.steps):
            raise DomainError("审批步骤不存在，请刷新后重试", clause=self.clause)
        return self.steps[number - 1]

    @property
    def last(self) -> int:
        return len(self.steps)

    def to_json(self) -> str:
        """The chain a request was submitted under, kept on the request (a later policy change does not move it)."""
        return json.dumps({"record_type": self.record_type, "clause": self.clause, "source": self.source,
                           "steps": [{"number": s.number, "roles": sorted(s.roles), "label": s.label}
                                     for s in self.steps]}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Chain:
        data = json.loads(text)
        steps = tuple(Step(s["number"], frozenset(Role(r) for r in s["roles"]), s.get("label", ""))
                      for s in data["steps"])
        return cls(data["record_type"], steps, data["clause"], data.get("source", "default"))


_DEFAULT_CHAINS: dict[str, Chain] = {}


def register_default_chain(record_type: str, steps: Iterable[tuple[Iterable[Role], str]], *, clause: str) -> Chain:
    """A process's fallback chain, with the clause it follows: ``[({Role.OFFICE_DIRECTOR}, "管理处主任审批")]``."""
    chain = Chain(record_type, tuple(Step(i, frozenset(roles), label) for i, (roles, label) in enumerate(steps, 1)),
                  clause)
    if not chain.steps or any(not s.roles for s in chain.steps):
        raise ValueError(f"default chain of {record_type!r} needs at least one step, each with a role")
    known = _DEFAULT_CHAINS.setdefault(record_type, chain)
    if known != chain:
        raise ValueError(f"default approval chain of {record_type!r} registered twice with different steps")
    return chain


def default_chains() -> dict[str, Chain]:
    return dict(_DEFAULT_CHAINS)


def _chain_rows(source: Any) -> tuple[list[Mapping], str]:
    """The rows of ``approval.chains`` from a policy book (or anything indexable by key), or the rows themselves."""
    if source is None:
        return [], POLICY_CLAUSE
    if isinstance(source, Mapping) or hasattr(source, "values") and hasattr(source, "cite"):
        try:
            rows = source[CHAINS_KEY]
        except (KeyError, TypeError):
            return [], POLICY_CLAUSE
        cite = getattr(source, "cite", None)
        try:
            clause = cite(CHAINS_KEY) if cite else POLICY_CLAUSE
        except KeyError:
            clause = POLICY_CLAUSE
        return list(rows or []), clause
    return list(source), POLICY_CLAUSE


def chain_for(book_values_or_rows: Any, record_type: str) -> Chain:
    """The approval chain of ``record_type``: the active rows of the policy book's ``approval.chains`` table when it
    has any for this type, else the default the process registered. The one place chains are read."""
    rows, clause = _chain_rows(book_values_or_rows)
    mine = sorted((r for r in rows if r.get("record_type") == record_type and r.get("active", True)),
                  key=lambda r: int(r["step"]))
    if mine:
        steps = tuple(Step(i, frozenset(Role(code) for code in r["roles"] if code in Role._value2member_map_),
                           str(r.get("label", ""))) for i, r in enumerate(mine, 1))
        if all(s.roles for s in steps):
            return Chain(record_type, steps, clause, source="policy")
    chain = _DEFAULT_CHAINS.get(record_type)
    if chain is None:
        raise DomainError("该类记录尚未配置审批流程，请联系系统管理员", clause=POLICY_CLAUSE)
    return chain


@dataclass(frozen=True)
class Snapshot:
    """What the rules need to know about a request as it stands."""

    office_id: int
    state: State
    step: int = 0  # the step waiting for a decision (0 before the first submission)
    submitted_by: int | None = None  # None: proposed by the software
    approved_by: frozenset[int] = field(default=frozenset())  # who approved earlier steps of this round


@dataclass(frozen=True)
class Outcome:
    """What a transition does: the new state and step, who acted (as deputy or not), and the clause cited."""

    decision: Decision
    from_state: State
    state: State
    step: int
    clause: str
    comment: str = ""
    as_deputy: bool = False
    deputy_roles: frozenset[Role] = field(default=frozenset())  # the principal's roles a deputy acted with

    @property
    def closed(self) -> bool:
        return self.state == State.APPROVED


class NotApprover(PermissionDenied):
    """The actor may not decide this step (not an approver here, own submission, already approved a step)."""


def _holds(grants: Iterable[Grant], roles: frozenset[Role], office_id: int) -> frozenset[Role]:
    return frozenset(g.role for g in grants
                     if g.role in roles and (g.role in COMPANY_WIDE_ROLES or g.office_id == office_id))


def deputy_allowed() -> bool:
    return Action.APPROVAL_DECIDE in DELEGABLE


def authority(snap: Snapshot, chain: Chain, actor: Actor) -> tuple[bool, frozenset[Role]]:
    """(as deputy?, the roles that qualify) for deciding the current step, or ``NotApprover`` with the reason."""
    step = chain.step(snap.step)
    if snap.submitted_by is not None and actor.user_id == snap.submitted_by:
        raise NotApprover("不能审批自己提交的申请", clause=chain.clause)
    if actor.user_id in snap.approved_by:
        raise NotApprover("您已审批过本申请的上一步，同一申请需由另一位审批人审批", clause=chain.clause)
    own = _holds(actor.grants, step.roles, snap.office_id)
    if own:
        return False, own
    delegated = _holds(actor.delegated, step.roles, snap.office_id) if deputy_allowed() else frozenset()
    if delegated:
        return True, delegated
    raise NotApprover(f"本步骤需由{step.roles_label}审批（第{step.number}步）", clause=chain.clause)


def may_decide(snap: Snapshot, chain: Chain, actor: Actor) -> bool:
    if snap.state != State.SUBMITTED:
        return False
    try:
        authority(snap, chain, actor)
    except DomainError:
        return False
    return True


def _expect(snap: Snapshot, chain: Chain, *states: State) -> None:
    if snap.state not in states:
        raise DomainError(f"该申请当前为“{state_label(snap.state)}”，不能执行此操作，请刷新后重试",
                          clause=chain.clause)


def submit(snap: Snapshot | None, chain: Chain, *, submitter_id: int | None) -> Outcome:
    """draft or revised → submitted, at step 1 (a revised request runs the whole chain again)."""
    state = snap.state if snap else State.DRAFT
    if snap is not None:
        _expect(snap, chain, State.DRAFT, State.REVISED)
        if snap.submitted_by is not None and submitter_id != snap.submitted_by:  # a draft's owner is its drafter
            raise NotApprover("只有原提交人可以重新提交" if state == State.REVISED else "只有起草人可以提交",
                              clause=chain.clause)
    return Outcome(Decision.SUBMIT, state, State.SUBMITTED, 1, chain.clause)


def approve(snap: Snapshot, chain: Chain, actor: Actor, comment: str = "") -> Outcome:
    """The current step approves: the next step waits, or the last step closes the request as approved."""
    _expect(snap, chain, State.SUBMITTED)
    as_deputy, roles = authority(snap, chain, actor)
    last = snap.step >= chain.last
    return Outcome(Decision.APPROVE, snap.state, State.APPROVED if last else State.SUBMITTED,
                   snap.step if last else snap.step + 1, chain.clause, (comment or "").strip(), as_deputy,
                   roles if as_deputy else frozenset())


def reject(snap: Snapshot, chain: Chain, actor: Actor, comment: str) -> Outcome:
    """The current step rejects, with a comment the submitter can act on: back to the submitter for revision."""
    _expect(snap, chain, State.SUBMITTED)
    comment = (comment or "").strip()
    if len(comment) < MIN_REJECT_COMMENT:
        raise DomainError("退回必须写明意见（至少2个字），以便提交人修改", clause=chain.clause, field="comment")
    as_deputy, roles = authority(snap, chain, actor)
    return Outcome(Decision.REJECT, snap.state, State.REJECTED, snap.step, chain.clause, comment, as_deputy,
                   roles if as_deputy else frozenset())


def revise(snap: Snapshot, chain: Chain, *, actor_id: int) -> Outcome:
    """rejected → revised, by the submitter (a software proposal that was rejected stays rejected: it was set aside)."""
    _expect(snap, chain, State.REJECTED)
    if snap.submitted_by is None:
        raise DomainError("系统提出的申请被退回即为不予认定，不能修改后重新提交", clause=chain.clause)
    if actor_id != snap.submitted_by:
        raise NotApprover("只有原提交人可以修改被退回的申请", clause=chain.clause)
    return Outcome(Decision.REVISE, snap.state, State.REVISED, 0, chain.clause)


def step_roles_key(roles: Iterable[Role | str]) -> str:
    """The current step's roles as stored for SQL matching: ``,office_director,hq_head,``."""
    return "," + ",".join(sorted(str(r) for r in roles)) + ","
