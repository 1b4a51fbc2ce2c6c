"""The complaint workflow table (core.complaint_workflow): every action offered or refused by state, consult
request, online post and actor relation; refusals in Chinese citing the clause; overdue; policy-worded text."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from core import complaint_workflow as wf
from core import complaints as r
from core.complaint_workflow import ConsultSituation, OnlineSituation, Op, Situation
from core.complaints import Grade, State
from core.errors import DomainError
from core.permissions import Actor, Grant
from core.policy import resolve
from core.roles import Role

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
POLICY = resolve([], version=0, at=NOW)
HANDLER, OTHER = 5, 7


def book(**overrides):
    return replace(POLICY, values={**POLICY.values, **overrides})


def sit(state: State, **kw) -> Situation:
    return Situation(state=state, office_id=1, handler_user_id=HANDLER, **kw)


def refused(verdict: wf.Verdict) -> str:
    assert not verdict.ok
    assert "依据《" in verdict.message, verdict.message  # every refusal cites its clause (or 《投诉处理流程》)
    return verdict.reason


def test_every_action_has_a_rule_and_a_permission():
    assert set(wf.RULES) == set(Op) == set(wf.PERMISSION)


# ----- state-machine steps: the table is core.complaints.TRANSITIONS ---------------------------------------------

STEP_OPS = list(wf.STEP_OF)
LEGAL = [(op, src) for op in STEP_OPS for src in r.TRANSITIONS[wf.STEP_OF[op]]]
ILLEGAL = [(op, src) for op in STEP_OPS for src in State if src not in r.TRANSITIONS[wf.STEP_OF[op]]]


@pytest.mark.parametrize(("op", "src"), LEGAL)
def test_legal_steps_are_offered(op, src):
    assert wf.check(op, sit(src), actor_user_id=OTHER).ok


@pytest.mark.parametrize(("op", "src"), ILLEGAL)
def test_illegal_steps_are_refused_with_the_state_and_clause(op, src):
    reason = refused(wf.check(op, sit(src), actor_user_id=OTHER))
    assert r.STATE_LABELS[src] in reason
    with pytest.raises(DomainError) as err:
        wf.require(op, sit(src))
    assert err.value.clause and err.value.clause in err.value.message


@pytest.mark.parametrize("user", [HANDLER, 6])
def test_the_handler_may_neither_verify_nor_call_back(user):
    handled = Situation(state=State.HANDLED, handler_user_id=HANDLER, handled_by=6)
    verified = replace(handled, state=State.VERIFIED)
    assert "验证人不能是该投诉的处理人" in refused(wf.check(Op.VERIFY, handled, actor_user_id=user))
    assert "回访不能由该投诉的处理人进行" in refused(wf.check(Op.CALLBACK, verified, actor_user_id=user))
    assert wf.check(Op.VERIFY, handled, actor_user_id=OTHER).ok
    assert wf.check(Op.CALLBACK, verified, actor_user_id=OTHER).ok
    # exempting decides that no callback is owed: four eyes too (issue 11 item 21), and so is a failed verification
    assert "免回访不能由该投诉的处理人认定" in refused(wf.check(Op.EXEMPT, verified, actor_user_id=user))
    assert "验证人不能是该投诉的处理人" in refused(wf.check(Op.VERIFY_FAIL, handled, actor_user_id=user))
    assert wf.check(Op.EXEMPT, verified, actor_user_id=OTHER).ok
    assert wf.check(Op.VERIFY_FAIL, handled, actor_user_id=OTHER).ok


def test_state_refusal_comes_before_the_people_rule():
    reason = refused(wf.check(Op.VERIFY, sit(State.ASSIGNED), actor_user_id=HANDLER))
    assert "只有已处理的投诉可以验证" in reason


@pytest.mark.parametrize("state", list(State))
def test_notes_and_consultants_only_while_open(state):
    for op in (Op.NOTE, Op.CONSULT_REQUEST, Op.CONSULT_UNREACHABLE):
        verdict = wf.check(op, sit(state))
        if state in r.OPEN_STATES:
            assert verdict.ok
        else:
            assert r.STATE_LABELS[state] in refused(verdict)


# ----- consult requests -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("op", "state", "consult", "expected"), [
    (Op.CONSULT_UNREACHABLE, State.ASSIGNED, ConsultSituation(), None),
    (Op.CONSULT_UNREACHABLE, State.ASSIGNED, ConsultSituation(replied=True), "顾问已答复"),
    (Op.CONSULT_UNREACHABLE, State.ASSIGNED, ConsultSituation(hq_asked=True), "已请客服中心协调"),
    (Op.CONSULT_UNREACHABLE, State.CLOSED, ConsultSituation(), "只有处理中的投诉可以请客服中心协调顾问"),
    (Op.CONSULT_FORWARDED, State.ASSIGNED, ConsultSituation(hq_asked=True), None),
    (Op.CONSULT_FORWARDED, State.CLOSED, ConsultSituation(hq_asked=True), None),
    (Op.CONSULT_FORWARDED, State.ASSIGNED, ConsultSituation(), "没有待客服中心转达"),
    (Op.CONSULT_FORWARDED, State.ASSIGNED, ConsultSituation(hq_asked=True, hq_forwarded=True), "没有待客服中心转达"),
    (Op.CONSULT_FINAL_RESULT, State.CLOSED, ConsultSituation(replied=True), None),
    (Op.CONSULT_FINAL_RESULT, State.ASSIGNED, ConsultSituation(replied=True), "归档）后方可告知"),
    (Op.CONSULT_FINAL_RESULT, State.CALLBACK_DONE, ConsultSituation(replied=True), "归档）后方可告知"),
    (Op.CONSULT_FINAL_RESULT, State.CLOSED, ConsultSituation(), "顾问尚未答复"),
    (Op.CONSULT_FINAL_RESULT, State.CLOSED, ConsultSituation(replied=True, final_result_notified=True), "已告知"),
    (Op.CONSULT_REPLY, State.ASSIGNED, ConsultSituation(), None),
    (Op.CONSULT_REPLY, State.ASSIGNED, ConsultSituation(replied=True), "已答复"),
])
def test_consult_request_rules(op, state, consult, expected):
    verdict = wf.check(op, sit(state), consult=consult)
    if expected is None:
        assert verdict.ok
    else:
        assert expected in refused(verdict)


# ----- online posts, same issue, 通报, classes ----------------------------------------------------------------------


@pytest.mark.parametrize(("op", "post", "expected"), [
    (Op.ONLINE_NOTIFIED, OnlineSituation(), "请先登记"),
    (Op.ONLINE_NOTIFIED, OnlineSituation(registered=True), None),
    (Op.ONLINE_NOTIFIED, OnlineSituation(registered=True, unit_notified=True), "已记录"),
    (Op.ONLINE_FACTS, OnlineSituation(), "请先登记"),
    (Op.ONLINE_FACTS, OnlineSituation(registered=True), None),
    (Op.ONLINE_FACTS, OnlineSituation(registered=True, facts_submitted=True), "已提交"),
    (Op.ONLINE_REPLY, OnlineSituation(registered=True), "书面事实报告后"),
    (Op.ONLINE_REPLY, OnlineSituation(registered=True, facts_submitted=True), None),
    (Op.ONLINE_REPLY, OnlineSituation(registered=True, facts_submitted=True, publicly_replied=True), "已公开回复"),
])
def test_online_post_rules(op, post, expected):
    verdict = wf.check(op, sit(State.ASSIGNED), online=post)
    assert verdict.ok if expected is None else expected in refused(verdict)


def test_unlink_only_when_grouped_and_raise_only_before_hq():
    assert "未归入" in refused(wf.check(Op.SAME_ISSUE_UNLINK, sit(State.ASSIGNED)))
    assert wf.check(Op.SAME_ISSUE_UNLINK, sit(State.ASSIGNED, in_same_issue_group=True)).ok
    assert "总部客服中心已认定" in refused(wf.check(Op.GRADE_RAISE, sit(State.ASSIGNED, hq_grade=Grade.GENERAL)))
    assert wf.check(Op.GRADE_RAISE, sit(State.CLOSED)).ok
    assert wf.check(Op.GRADE_OVERRIDE, sit(State.CLOSED, hq_grade=Grade.HOT)).ok


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("grade", list(Grade))
def test_reports_by_class_and_state(grade, state):
    c = sit(state, grade=grade, report_due=wf.is_reported(grade))
    express, special = wf.check(Op.EXPRESS, c), wf.check(Op.SPECIAL_REPORT, c)
    assert express.ok == (grade == Grade.MAJOR and state != State.CLOSED)
    assert special.ok == (grade in (Grade.MAJOR, Grade.HOT) and state == State.CLOSED)
    assert wf.check(Op.PHONE_REPORT, c).ok == (grade in (Grade.MAJOR, Grade.HOT))
    for verdict in (express, special):
        if not verdict.ok:
            refused(verdict)


def test_phone_report_refusal_names_the_reported_classes():
    assert "只有重大/热点投诉须立即通报" in refused(wf.check(Op.PHONE_REPORT, sit(State.ASSIGNED)))


# ----- what a screen asks: permission and rule together -------------------------------------------------------------


def actor(role: Role, office: int = 1, user_id: int = OTHER) -> Actor:
    return Actor(user_id=user_id, username="u", name="u", grants=(Grant(role, office),))


def test_offered_combines_permission_office_and_rule():
    handled = sit(State.HANDLED)
    assert wf.offered(actor(Role.CS_SUPERVISOR), Op.VERIFY, handled)
    assert not wf.offered(actor(Role.CS_SUPERVISOR, user_id=HANDLER), Op.VERIFY, handled)  # the handler
    assert not wf.offered(actor(Role.CLERK), Op.VERIFY, handled)  # no permission
    assert not wf.offered(actor(Role.CS_SUPERVISOR, office=2), Op.VERIFY, handled)  # another office
    assert not wf.offered(actor(Role.CS_SUPERVISOR), Op.CLOSE, handled)  # not in this state
    assert wf.offered(actor(Role.HQ_SPECIALIST, office=99), Op.GRADE_OVERRIDE, handled)  # company-wide
    assert Op.VERIFY in wf.offered_ops(actor(Role.CS_SUPERVISOR), handled)
    assert Op.CLOSE not in wf.offered_ops(actor(Role.CS_SUPERVISOR), handled)


# ----- overdue, reported classes, policy words ---------------------------------------------------------------------


def test_is_overdue():
    past, future = NOW - timedelta(minutes=1), NOW + timedelta(minutes=1)
    assert wf.is_overdue(past, NOW, state=State.ASSIGNED)
    assert not wf.is_overdue(NOW, NOW, state=State.ASSIGNED)  # due at this very minute: not yet late
    assert not wf.is_overdue(future, NOW, state=State.ASSIGNED)
    assert not wf.is_overdue(past, NOW, state=State.VERIFIED)  # handled in time or not, no longer open
    assert not wf.is_overdue(None, NOW, state=State.ASSIGNED)
    assert wf.is_overdue(past, NOW) and not wf.is_overdue(past, NOW, done=True)


def test_reported_classes_follow_the_rank():
    assert wf.reported_classes(POLICY) == [Grade.MAJOR, Grade.HOT]
    assert wf.reported_classes(book(**{"complaint.rank": "hot>major>important>general"})) == [Grade.HOT, Grade.MAJOR]
    assert wf.is_reported("hot") and not wf.is_reported("important") and not wf.is_reported(None)


def test_threshold_wording_follows_thresholds_inclusive():
    assert wf.at_least(POLICY, "complaint.hot_collective") == "3人以上"
    exclusive = book(**{"complaint.thresholds_inclusive": False})
    assert wf.at_least(exclusive, "complaint.hot_collective") == "超过3人"
    assert wf.at_least(book(**{"complaint.major_collective": 20}), "complaint.major_collective") == "20人以上"
    label = r.classify(r.Facts(as_of=NOW, arose_at=NOW, complainant_count=4), exclusive).trigger_label
    assert label.startswith("超过3人集体投诉")


def test_late_notes_quote_the_deadline_in_force():
    assert wf.consultant_late_note(POLICY) == "（已超过24小时时限）"
    longer = book(**{"complaint.consultant_reply": {"amount": 2, "unit": "working_days"}})
    assert wf.consultant_late_note(longer) == "（已超过2个工作日时限）"
