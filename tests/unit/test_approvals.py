"""The approval chain's rules (core.approvals): every legal and illegal transition, the approver checks, the chain's
source (policy book table or the process's default)."""

from __future__ import annotations

import pytest

from core import approvals as rules
from core.approvals import Decision, Snapshot, State
from core.errors import DomainError, PermissionDenied
from core.permissions import Actor, Grant
from core.policy import PolicyBook
from core.roles import Role

OWN, OTHER = 11, 22
TWO_STEP = rules.register_default_chain("test_two_step", [({Role.CS_MANAGER}, "客服部经理审核"),
                                                          ({Role.OFFICE_DIRECTOR, Role.HQ_HEAD}, "管理处主任审批")],
                                        clause="《测试制度》第1条")
ONE_STEP = rules.register_default_chain("test_one_step", [({Role.OFFICE_DIRECTOR}, "")], clause="《测试制度》第2条")

SUBMITTER = 1


def actor(uid: int, *grants: tuple[Role, int], delegated: tuple[tuple[Role, int], ...] = ()) -> Actor:
    return Actor(uid, f"u{uid}", f"用户{uid}", tuple(Grant(r, o) for r, o in grants),
                 tuple(Grant(r, o) for r, o in delegated))


MANAGER = actor(2, (Role.CS_MANAGER, OWN))
DIRECTOR = actor(3, (Role.OFFICE_DIRECTOR, OWN))
OTHER_DIRECTOR = actor(4, (Role.OFFICE_DIRECTOR, OTHER))
HQ_HEAD = actor(5, (Role.HQ_HEAD, 999))
CLERK = actor(6, (Role.CLERK, OWN))
DEPUTY = actor(7, (Role.CLERK, OWN), delegated=((Role.OFFICE_DIRECTOR, OWN),))
FAR_DEPUTY = actor(8, (Role.CLERK, OWN), delegated=((Role.OFFICE_DIRECTOR, OTHER),))


def snap(state: State = State.SUBMITTED, step: int = 1, submitted_by: int | None = SUBMITTER,
         approved_by: frozenset[int] = frozenset()) -> Snapshot:
    return Snapshot(office_id=OWN, state=state, step=step, submitted_by=submitted_by, approved_by=approved_by)


# ----- where the chain comes from ---------------------------------------------------------------------------------

def test_without_policy_rows_the_process_default_applies_with_its_clause():
    for source in (None, [], {}, PolicyBook(version=1, values={})):
        chain = rules.chain_for(source, "test_two_step")
        assert chain == TWO_STEP and chain.source == "default" and chain.clause == "《测试制度》第1条"


def test_policy_rows_replace_the_default_in_step_order_and_inactive_rows_are_ignored():
    rows = [
        {"code": "b", "record_type": "test_two_step", "step": 2, "roles": ["hq_head"], "label": "总部", "active": True},
        {"code": "a", "record_type": "test_two_step", "step": 1, "roles": ["office_director"], "label": "主任",
         "active": True},
        {"code": "x", "record_type": "test_two_step", "step": 3, "roles": ["leader"], "label": "停用", "active": False},
        {"code": "o", "record_type": "other_type", "step": 1, "roles": ["clerk"], "label": "别的", "active": True},
    ]
    for source in (rows, {rules.CHAINS_KEY: rows}):
        chain = rules.chain_for(source, "test_two_step")
        assert chain.source == "policy"
        assert [(s.number, s.roles, s.label) for s in chain.steps] == [
            (1, frozenset({Role.OFFICE_DIRECTOR}), "主任"), (2, frozenset({Role.HQ_HEAD}), "总部")]


def test_only_inactive_or_unknown_role_rows_fall_back_to_the_default():
    rows = [{"code": "a", "record_type": "test_one_step", "step": 1, "roles": ["nobody"], "label": "", "active": True},
            {"code": "b", "record_type": "test_two_step", "step": 1, "roles": ["clerk"], "label": "", "active": False}]
    assert rules.chain_for(rows, "test_one_step") == ONE_STEP
    assert rules.chain_for(rows, "test_two_step") == TWO_STEP


def test_a_record_type_without_any_chain_is_refused_in_chinese():
    with pytest.raises(DomainError, match="尚未配置审批流程"):
        rules.chain_for(None, "no_such_type")


def test_a_default_chain_is_registered_once_and_needs_roles():
    assert rules.register_default_chain("test_one_step", [({Role.OFFICE_DIRECTOR}, "")], clause="《测试制度》第2条") \
        == ONE_STEP
    with pytest.raises(ValueError):
        rules.register_default_chain("test_one_step", [({Role.CS_MANAGER}, "")], clause="《测试制度》第2条")
    with pytest.raises(ValueError):
        rules.register_default_chain("test_empty", [], clause="x")
    with pytest.raises(ValueError):
        rules.register_default_chain("test_no_roles", [(set(), "空")], clause="x")


def test_a_chain_survives_storage_on_the_request():
    assert rules.Chain.from_json(TWO_STEP.to_json()) == TWO_STEP


# ----- submit -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("before", [None, snap(State.DRAFT, 0), snap(State.REVISED, 0)])
def test_submit_from_draft_or_revised_starts_at_step_one(before):
    out = rules.submit(before, TWO_STEP, submitter_id=SUBMITTER)
    assert (out.decision, out.state, out.step, out.clause) == (Decision.SUBMIT, State.SUBMITTED, 1, "《测试制度》第1条")


@pytest.mark.parametrize("state", [State.SUBMITTED, State.APPROVED, State.REJECTED])
def test_submit_from_any_other_state_is_refused(state):
    with pytest.raises(DomainError, match="不能执行此操作"):
        rules.submit(snap(state), TWO_STEP, submitter_id=SUBMITTER)


def test_only_the_submitter_submits_a_draft_or_revised_request_again():
    for state in (State.DRAFT, State.REVISED):
        with pytest.raises(PermissionDenied, match="只有(起草人|原提交人)"):
            rules.submit(snap(state, 0), TWO_STEP, submitter_id=99)


# ----- approve --------------------------------------------------------------------------------------------------------

def test_approving_a_middle_step_moves_to_the_next_and_the_last_step_closes():
    first = rules.approve(snap(step=1), TWO_STEP, MANAGER, "同意")
    assert (first.state, first.step, first.closed, first.comment) == (State.SUBMITTED, 2, False, "同意")
    last = rules.approve(snap(step=2, approved_by=frozenset({MANAGER.user_id})), TWO_STEP, DIRECTOR)
    assert (last.state, last.step, last.closed, last.as_deputy) == (State.APPROVED, 2, True, False)
    assert last.clause == "《测试制度》第1条"


def test_one_step_chain_closes_on_the_first_approval():
    assert rules.approve(snap(), ONE_STEP, DIRECTOR).closed


def test_nobody_approves_their_own_submission():
    with pytest.raises(PermissionDenied, match="自己提交"):
        rules.approve(snap(submitted_by=DIRECTOR.user_id), ONE_STEP, DIRECTOR)
    with pytest.raises(PermissionDenied, match="自己提交"):
        rules.reject(snap(submitted_by=DIRECTOR.user_id), ONE_STEP, DIRECTOR, "不同意")


def test_an_approver_of_an_earlier_step_does_not_approve_a_later_one():
    both = actor(9, (Role.CS_MANAGER, OWN), (Role.OFFICE_DIRECTOR, OWN))
    with pytest.raises(PermissionDenied, match="上一步"):
        rules.approve(snap(step=2, approved_by=frozenset({both.user_id})), TWO_STEP, both)


def test_the_approver_needs_a_role_of_the_current_step():
    with pytest.raises(PermissionDenied, match="客服部经理"):
        rules.approve(snap(step=1), TWO_STEP, DIRECTOR)  # step 1 is the manager's
    with pytest.raises(PermissionDenied, match="管理处主任"):
        rules.approve(snap(step=2), TWO_STEP, MANAGER)
    with pytest.raises(PermissionDenied):
        rules.approve(snap(), ONE_STEP, CLERK)


def test_the_role_must_be_held_in_the_records_office_unless_company_wide():
    with pytest.raises(PermissionDenied):
        rules.approve(snap(), ONE_STEP, OTHER_DIRECTOR)
    assert rules.approve(snap(step=2), TWO_STEP, HQ_HEAD).closed  # 总部 reaches every office


def test_a_deputy_acts_for_the_absent_approver_of_this_office_and_is_marked():
    out = rules.approve(snap(), ONE_STEP, DEPUTY)
    assert out.as_deputy and out.deputy_roles == {Role.OFFICE_DIRECTOR} and out.closed
    rej = rules.reject(snap(), ONE_STEP, DEPUTY, "材料不全")
    assert rej.as_deputy and rej.state == State.REJECTED
    with pytest.raises(PermissionDenied):
        rules.approve(snap(), ONE_STEP, FAR_DEPUTY)


def test_without_delegation_of_approvals_a_deputy_is_refused(monkeypatch):
    from core import permissions

    monkeypatch.setattr(permissions, "DELEGABLE", set())
    monkeypatch.setattr(rules, "DELEGABLE", set())
    with pytest.raises(PermissionDenied):
        rules.approve(snap(), ONE_STEP, DEPUTY)
    assert not rules.may_decide(snap(), ONE_STEP, DEPUTY)


def test_own_role_wins_over_a_delegated_one():
    both = actor(10, (Role.OFFICE_DIRECTOR, OWN), delegated=((Role.OFFICE_DIRECTOR, OWN),))
    assert not rules.approve(snap(), ONE_STEP, both).as_deputy


@pytest.mark.parametrize("state", [State.DRAFT, State.APPROVED, State.REJECTED, State.REVISED])
def test_approve_or_reject_outside_submitted_is_refused(state):
    with pytest.raises(DomainError, match="不能执行此操作"):
        rules.approve(snap(state), ONE_STEP, DIRECTOR)
    with pytest.raises(DomainError, match="不能执行此操作"):
        rules.reject(snap(state), ONE_STEP, DIRECTOR, "不同意")
    assert not rules.may_decide(snap(state), ONE_STEP, DIRECTOR)


def test_a_step_outside_the_chain_is_refused():
    with pytest.raises(DomainError, match="步骤不存在"):
        rules.approve(snap(step=3), TWO_STEP, DIRECTOR)


# ----- reject, revise -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("comment", ["", "  ", "不"])
def test_reject_needs_a_comment(comment):
    with pytest.raises(DomainError, match="退回必须写明意见") as exc:
        rules.reject(snap(), ONE_STEP, DIRECTOR, comment)
    assert exc.value.field == "comment"


def test_reject_returns_the_request_to_the_submitter():
    out = rules.reject(snap(step=2, approved_by=frozenset({MANAGER.user_id})), TWO_STEP, DIRECTOR, " 预算不明确 ")
    assert (out.decision, out.state, out.step, out.comment) == (Decision.REJECT, State.REJECTED, 2, "预算不明确")


def test_reject_by_someone_who_is_not_the_approver_is_refused():
    with pytest.raises(PermissionDenied):
        rules.reject(snap(), ONE_STEP, CLERK, "不同意")


def test_revise_by_the_submitter_only_and_only_after_a_rejection():
    out = rules.revise(snap(State.REJECTED), ONE_STEP, actor_id=SUBMITTER)
    assert (out.state, out.step) == (State.REVISED, 0)
    with pytest.raises(PermissionDenied, match="原提交人"):
        rules.revise(snap(State.REJECTED), ONE_STEP, actor_id=DIRECTOR.user_id)
    for state in (State.DRAFT, State.SUBMITTED, State.APPROVED, State.REVISED):
        with pytest.raises(DomainError, match="不能执行此操作"):
            rules.revise(snap(state), ONE_STEP, actor_id=SUBMITTER)


def test_a_rejected_software_proposal_stays_rejected():
    with pytest.raises(DomainError, match="系统提出"):
        rules.revise(snap(State.REJECTED, submitted_by=None), ONE_STEP, actor_id=SUBMITTER)


def test_a_full_round_reject_revise_resubmit_approve():
    s = snap()
    out = rules.reject(s, TWO_STEP, MANAGER, "补充培训预算")
    s = Snapshot(OWN, out.state, out.step, SUBMITTER)
    out = rules.revise(s, TWO_STEP, actor_id=SUBMITTER)
    s = Snapshot(OWN, out.state, out.step, SUBMITTER)
    out = rules.submit(s, TWO_STEP, submitter_id=SUBMITTER)
    s = Snapshot(OWN, out.state, out.step, SUBMITTER)
    out = rules.approve(s, TWO_STEP, MANAGER)
    s = Snapshot(OWN, out.state, out.step, SUBMITTER, frozenset({MANAGER.user_id}))
    assert rules.approve(s, TWO_STEP, DIRECTOR).closed


def test_labels_are_chinese_for_every_code():
    assert {rules.state_label(s) for s in State} == set(rules.STATE_LABELS.values())
    assert {rules.decision_label(d) for d in Decision} == set(rules.DECISION_LABELS.values())
    assert rules.state_label("unknown") == "unknown"
    assert rules.step_roles_key([Role.OFFICE_DIRECTOR, Role.HQ_HEAD]) == ",hq_head,office_director,"
