"""The approval chain end to end (db.services.approvals) on SQLite and PostgreSQL: requests, decisions, audit rows,
office scope, deputies, the inbox, bulk approval, idempotency and two approvers at once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from core import approvals as rules
from core.errors import DomainError, PermissionDenied
from core.roles import Role
from db.engine import get_engine
from db.models import ApprovalDecision, ApprovalRequest
from db.services import approval_inbox, approvals, users
from db.services.auth import build_actor
from db.session import write_session
from tests.db.world import audit_rows, table_snapshot

PLAN = "test_db_plan"
APPRAISAL = "test_db_appraisal"
rules.register_default_chain(PLAN, [({Role.OFFICE_DIRECTOR}, "管理处主任审批")], clause="《培训实施作业规程》工作流程2")
rules.register_default_chain(APPRAISAL, [({Role.CS_MANAGER}, "客服部经理审核"),
                                         ({Role.OFFICE_DIRECTOR, Role.HQ_HEAD}, "管理处主任审批")],
                             clause="《员工考核规程》考核周期与角色")

DECIDED: list[tuple[str, int, str]] = []


@approvals.on_decision(PLAN)
def _plan_decided(s, request, outcome, actor, now):
    DECIDED.append((request.record_type, request.record_id, outcome.state.value))


_ids = iter(range(1000, 10**6))


def open_(actor, office, *, record_type=PLAN, now, submit=True, record_id=None) -> int:
    with write_session() as s:
        req = approvals.open_request(s, actor=actor, record_type=record_type, record_id=record_id or next(_ids),
                                     office_id=office, title="2026年12月培训计划", now=now, submit=submit)
        return int(req.id)


def request(url, approval_id) -> ApprovalRequest:
    with Session(get_engine(url)) as s:
        return s.get(ApprovalRequest, approval_id)


def decisions(url, approval_id) -> list[ApprovalDecision]:
    with Session(get_engine(url)) as s:
        return list(s.exec(select(ApprovalDecision).where(ApprovalDecision.approval_id == approval_id)
                           .order_by(ApprovalDecision.id)).all())


@pytest.fixture
def people(org, make_actor):
    return {
        "assistant": make_actor(Role.ASSISTANT, org.office_a, name="助理小王"),
        "director": make_actor(Role.OFFICE_DIRECTOR, org.office_a, name="主任老李"),
        "director2": make_actor(Role.OFFICE_DIRECTOR, org.office_a, name="主任老赵"),
        "manager": make_actor(Role.CS_MANAGER, org.office_a, name="经理老周"),
        "director_b": make_actor(Role.OFFICE_DIRECTOR, org.office_b, name="B主任"),
        "hq_head": make_actor(Role.HQ_HEAD, org.hq_id, name="总部主任"),
        "clerk": make_actor(Role.CLERK, org.office_a, name="前台小陈"),
        "admin": make_actor(Role.SYSADMIN, org.hq_id, name="管理员"),
    }


def test_submit_then_approve_closes_with_decision_rows_audit_and_the_hook(db_url, org, people, now):
    p = people
    aid = open_(p["assistant"], org.office_a, now=now)
    req = request(db_url, aid)
    assert (req.state, req.step, req.submitted_by) == ("submitted", 1, p["assistant"].user_id)
    result = approvals.approve(actor=p["director"], approval_id=aid, comment="同意", now=now + timedelta(hours=1))
    assert (result.state, result.clause) == ("approved", "《培训实施作业规程》工作流程2")
    req = request(db_url, aid)
    assert req.state == "approved" and req.closed_at is not None and req.step_roles == ""
    rows = decisions(db_url, aid)
    assert [(d.decision, d.step, d.actor_user_id, d.comment) for d in rows] == [
        ("submit", 1, p["assistant"].user_id, ""), ("approve", 1, p["director"].user_id, "同意")]
    assert all(d.clause == "《培训实施作业规程》工作流程2" for d in rows)
    assert [a.entity_id for a in audit_rows(db_url, "approval.approve")] == [str(aid)]
    assert (PLAN, req.record_id, "approved") in DECIDED
    detail = approvals.history(actor=p["assistant"], approval_id=aid)
    assert [d.decision_label for d in detail.decisions] == ["提交", "通过"] and detail.state_label == "已通过"


def test_self_approval_is_refused_and_audited(db_url, org, people, now):
    director = people["director"]
    aid = open_(director, org.office_a, now=now)
    before = table_snapshot(db_url)
    with pytest.raises(PermissionDenied, match="自己提交"):
        approvals.approve(actor=director, approval_id=aid, now=now)
    assert table_snapshot(db_url) == before
    refusal = audit_rows(db_url, "permission.denied", actor_user_id=director.user_id)
    assert len(refusal) == 1 and refusal[0].entity == "approval" and "自己提交" in refusal[0].summary


def test_another_offices_director_is_refused_and_audited(db_url, org, people, now):
    aid = open_(people["assistant"], org.office_a, now=now)
    before = table_snapshot(db_url)
    for call in (lambda a: approvals.approve(actor=a, approval_id=aid, now=now),
                 lambda a: approvals.reject(actor=a, approval_id=aid, comment="不同意", now=now),
                 lambda a: approvals.history(actor=a, approval_id=aid)):
        with pytest.raises(PermissionDenied):
            call(people["director_b"])
    assert table_snapshot(db_url) == before
    assert len(audit_rows(db_url, "permission.denied", actor_user_id=people["director_b"].user_id)) == 3


def test_a_role_outside_the_step_is_refused_and_audited(db_url, org, people, now):
    aid = open_(people["assistant"], org.office_a, now=now)
    with pytest.raises(PermissionDenied, match="管理处主任"):
        approvals.approve(actor=people["clerk"], approval_id=aid, now=now)
    assert len(audit_rows(db_url, "permission.denied", actor_user_id=people["clerk"].user_id)) == 1
    assert request(db_url, aid).state == "submitted"


def test_a_deputy_acts_for_the_absent_director_and_is_recorded(db_url, org, people, now):
    p = people
    users.set_deputy(actor=p["admin"], user_id=p["director"].user_id, deputy_user_id=p["clerk"].user_id,
                     until=now + timedelta(days=3), now=now)
    deputy = build_actor(p["clerk"].user_id, now=now)
    assert deputy.delegated
    aid = open_(p["assistant"], org.office_a, now=now)
    assert [r.id for r in approval_inbox.pending_for(actor=deputy).rows] == [aid]
    approvals.approve(actor=deputy, approval_id=aid, comment="代主任审批", now=now)
    last = decisions(db_url, aid)[-1]
    assert (last.actor_user_id, last.on_behalf_of, last.on_behalf_name) == (
        p["clerk"].user_id, p["director"].user_id, "主任老李")
    assert "代 主任老李" in audit_rows(db_url, "approval.approve")[-1].summary
    assert approvals.history(actor=p["assistant"], approval_id=aid).decisions[-1].on_behalf_name == "主任老李"


def test_a_deputy_whose_delegation_ended_is_refused(db_url, org, people, now):
    p = people
    users.set_deputy(actor=p["admin"], user_id=p["director"].user_id, deputy_user_id=p["clerk"].user_id,
                     until=now + timedelta(hours=1), now=now)
    deputy = build_actor(p["clerk"].user_id, now=now)  # built while the delegation ran …
    aid = open_(p["assistant"], org.office_a, now=now)
    with pytest.raises(PermissionDenied, match="代理关系已失效"):
        approvals.approve(actor=deputy, approval_id=aid, now=now + timedelta(hours=2))  # … used after it ended
    assert request(db_url, aid).state == "submitted"


def test_a_deputy_does_not_approve_the_principals_own_submission(db_url, org, people, now):
    p = people
    users.set_deputy(actor=p["admin"], user_id=p["director"].user_id, deputy_user_id=p["clerk"].user_id,
                     until=now + timedelta(days=1), now=now)
    aid = open_(p["director"], org.office_a, now=now)
    with pytest.raises(PermissionDenied):
        approvals.approve(actor=build_actor(p["clerk"].user_id, now=now), approval_id=aid, now=now)


def test_reject_needs_a_comment_then_revise_and_resubmit_runs_the_chain_again(db_url, org, people, now):
    p = people
    aid = open_(p["assistant"], org.office_a, now=now)
    with pytest.raises(DomainError, match="退回必须写明意见"):
        approvals.reject(actor=p["director"], approval_id=aid, comment=" ", now=now)
    approvals.reject(actor=p["director"], approval_id=aid, comment="请补充课程安排", now=now)
    assert request(db_url, aid).state == "rejected"
    with pytest.raises(PermissionDenied, match="原提交人"):
        approvals.revise(actor=p["clerk"], approval_id=aid, now=now)
    assert approvals.revise(actor=p["assistant"], approval_id=aid, now=now).state == "revised"
    assert approval_inbox.pending_for(actor=p["director"]).total == 0
    assert approvals.submit(actor=p["assistant"], approval_id=aid, now=now).state == "submitted"
    approvals.approve(actor=p["director"], approval_id=aid, now=now)
    assert [d.decision for d in decisions(db_url, aid)] == ["submit", "reject", "revise", "submit", "approve"]


def test_resubmit_revises_and_submits_in_one_step_and_is_idempotent(db_url, org, people, now):
    p = people
    aid = open_(p["assistant"], org.office_a, now=now)
    approvals.reject(actor=p["director"], approval_id=aid, comment="日期冲突", now=now)
    first = approvals.resubmit(actor=p["assistant"], approval_id=aid, request_id="rs-1", now=now)
    again = approvals.resubmit(actor=p["assistant"], approval_id=aid, request_id="rs-1", now=now)
    assert first == again and first.state == "submitted"
    assert [d.decision for d in decisions(db_url, aid)] == ["submit", "reject", "revise", "submit"]


def test_a_two_step_chain_moves_from_manager_to_director(db_url, org, people, now):
    p = people
    aid = open_(p["assistant"], org.office_a, record_type=APPRAISAL, now=now)
    assert approval_inbox.pending_for(actor=p["director"]).total == 0
    assert [r.step_label for r in approval_inbox.pending_for(actor=p["manager"]).rows] == ["客服部经理审核"]
    with pytest.raises(PermissionDenied):
        approvals.approve(actor=p["director"], approval_id=aid, now=now)
    assert approvals.approve(actor=p["manager"], approval_id=aid, now=now).state == "submitted"
    assert approval_inbox.pending_for(actor=p["manager"]).total == 0
    inbox = approval_inbox.pending_for(actor=p["hq_head"]).rows  # 总部 reaches every office at step 2
    assert [(r.id, r.step, r.steps) for r in inbox] == [(aid, 2, 2)]
    assert approvals.approve(actor=p["director"], approval_id=aid, now=now).state == "approved"
    assert [d.step for d in decisions(db_url, aid)] == [1, 1, 2]


def test_inbox_is_scoped_by_office_and_role_paged_and_counted(db_url, org, people, now):
    p = people
    own = [open_(p["assistant"], org.office_a, now=now + timedelta(minutes=i)) for i in range(3)]
    other = open_(p["director_b"], org.office_b, now=now)
    mine = open_(p["director"], org.office_a, now=now)
    draft = open_(p["assistant"], org.office_a, now=now, submit=False)
    page1 = approval_inbox.pending_for(actor=p["director"], page=1, page_size=2)
    page2 = approval_inbox.pending_for(actor=p["director"], page=2, page_size=2)
    assert page1.total == 3 and [r.id for r in page1.rows + page2.rows] == own  # oldest first
    row = page1.rows[0]
    assert (row.type_label, row.office_name, row.submitted_by_name) == (PLAN, "东方家园管理处", "助理小王")
    assert {r.id for r in approval_inbox.pending_for(actor=p["director_b"]).rows} == set()  # B's only one is her own
    assert {r.id for r in approval_inbox.pending_for(actor=p["director2"]).rows} == {*own, mine}
    assert approval_inbox.pending_for(actor=p["clerk"]).total == 0
    assert approval_inbox.pending_for(actor=p["hq_head"]).total == 0  # not a role of this chain
    assert approval_inbox.pending_for(actor=p["director"], record_type="other").total == 0
    work = approval_inbox.inbox_work(actor=p["director"], now=now)
    assert [(w.title, w.count) for w in work] == [("待我审批", 3)]
    assert approval_inbox.inbox_work(actor=p["clerk"], now=now) == []
    assert request(db_url, draft).state == "draft" and other


def test_bulk_approval_checks_each_item_and_answers_per_item(db_url, org, people, now):
    p = people
    good = [open_(p["assistant"], org.office_a, now=now) for _ in range(3)]
    own = open_(p["director"], org.office_a, now=now)
    elsewhere = open_(p["director_b"], org.office_b, now=now)
    result = approvals.bulk_approve(actor=p["director"], approval_ids=[*good, own, elsewhere, good[0]],
                                    comment="月末例行审批", now=now)
    assert [(r.approval_id, r.ok) for r in result] == [(good[0], True), (good[1], True), (good[2], True),
                                                        (own, False), (elsewhere, False)]
    assert "自己提交" in result[3].message and "不存在或不在您的管理范围内" in result[4].message
    assert all(request(db_url, a).state == "approved" for a in good)
    assert request(db_url, own).state == request(db_url, elsewhere).state == "submitted"
    assert len(audit_rows(db_url, "approval.approve")) == 3
    assert len(audit_rows(db_url, "permission.denied", actor_user_id=p["director"].user_id)) == 2


def test_opening_a_request_twice_for_one_record_gives_one_request(db_url, org, people, now):
    a = open_(people["assistant"], org.office_a, record_id=77, now=now)
    b = open_(people["assistant"], org.office_a, record_id=77, now=now)
    assert a == b and len(decisions(db_url, a)) == 1


def test_submit_of_a_draft_by_its_drafter_is_idempotent_per_form(db_url, org, people, now):
    aid = open_(people["assistant"], org.office_a, now=now, submit=False)
    with pytest.raises(PermissionDenied, match="起草人"):
        approvals.submit(actor=people["clerk"], approval_id=aid, now=now)
    first = approvals.submit(actor=people["assistant"], approval_id=aid, request_id="sub-1", now=now)
    second = approvals.submit(actor=people["assistant"], approval_id=aid, request_id="sub-1", now=now)
    assert first == second and [d.decision for d in decisions(db_url, aid)] == ["submit"]


def test_the_approver_who_saw_an_older_step_is_told_to_refresh(db_url, org, people, now):
    aid = open_(people["assistant"], org.office_a, now=now)
    approvals.approve(actor=people["director"], approval_id=aid, step=1, now=now)
    with pytest.raises(DomainError, match="已被他人处理"):
        approvals.approve(actor=people["director2"], approval_id=aid, step=1, now=now)


def test_two_approvers_at_once_make_one_decision(db_url, org, people, now):
    aid = open_(people["assistant"], org.office_a, now=now)
    barrier, outcomes = threading.Barrier(2), []

    def decide(actor, approve):
        barrier.wait()
        try:
            if approve:
                approvals.approve(actor=actor, approval_id=aid, step=1, now=now)
            else:
                approvals.reject(actor=actor, approval_id=aid, step=1, comment="不同意", now=now)
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.message)

    threads = [threading.Thread(target=decide, args=(people["director"], True)),
               threading.Thread(target=decide, args=(people["director2"], False))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1, outcomes
    assert [d.decision for d in decisions(db_url, aid)][1:] in (["approve"], ["reject"])
    assert request(db_url, aid).state in ("approved", "rejected")
