"""Property: random sequences of complaint workflow actions by random actors (the handler, another 客服主任, the
管理处主任, the HQ 客服中心) through the real services never get past the rules of core.complaint_workflow.

After every step: an accepted action was offered by core (permission, state, consult request, online post,
actor relation) in the state before it; a refused one left the complaint, its timeline, its consult requests
and its online record exactly as they were. SQLite only (the rules are the same on PostgreSQL; the service
suites run there)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from core import complaint_workflow as wf
from core.complaint_workflow import Op
from core.errors import DomainError
from core.roles import Role
from db.engine import get_engine
from db.models import Complaint, Consultant, ConsultRequest, OnlinePost, RecordEvent
from db.services import complaint_consult, complaint_groups, complaint_online
from db.services import complaint_flow as flow
from db.services import complaint_grades as grades
from db.services import complaint_reports as reports
from db.services import complaints as svc
from db.services.complaints import ComplaintIn

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
ACTORS = ("handler", "supervisor", "director", "hq")
GRADES = ("major", "hot", "important", "general")


def _call(op: Op, who, c_id: int, consult_id: int | None, ctx, arg, now) -> None:
    """Perform ``op`` through its public service, with plausible input."""
    a = dict(actor=who, now=now)
    calls = {
        Op.ASSIGN: lambda: flow.assign(complaint_id=c_id, handler_user_id=ctx["handler"].user_id, department_id=None,
                                       note="", **a),
        Op.NOTE: lambda: flow.add_note(complaint_id=c_id, note="跟进", **a),
        Op.HANDLE: lambda: flow.mark_handled(complaint_id=c_id, result="已处理", **a),
        Op.VERIFY: lambda: flow.verify(complaint_id=c_id, note="", **a),
        Op.VERIFY_FAIL: lambda: flow.fail_verification(complaint_id=c_id, reason="仍漏水", **a),
        Op.CALLBACK: lambda: flow.record_callback(complaint_id=c_id, method="phone", reached=True, person_reached="张",
                                                  satisfaction=("satisfied", "unsatisfied")[arg % 2], comment="",
                                                  follow_up="", **a),
        Op.EXEMPT: lambda: flow.exempt_callback(complaint_id=c_id, kind="sensitive", reason="敏感投诉", **a),
        Op.UNEXEMPT: lambda: flow.unexempt_callback(complaint_id=c_id, reason="顾客仍有意见", **a),
        Op.CLOSE: lambda: flow.close(complaint_id=c_id, note="", **a),
        Op.REOPEN: lambda: flow.reopen(complaint_id=c_id, reason="二次投诉", **a),
        Op.CONSULT_REQUEST: lambda: complaint_consult.request_consult(complaint_id=c_id, consultant_id=ctx["consultant"],
                                                            question="是否属保修", **a),
        Op.CONSULT_UNREACHABLE: lambda: complaint_consult.consultant_unreachable(consult_id=consult_id, **a),
        Op.CONSULT_FORWARDED: lambda: complaint_consult.hq_forwarded(consult_id=consult_id, **a),
        Op.CONSULT_FINAL_RESULT: lambda: complaint_consult.final_result_notified(consult_id=consult_id, **a),
        Op.CONSULT_REPLY: lambda: complaint_consult.reply_consult(consult_id=consult_id, reply="属保修范围", **a),
        Op.SAME_ISSUE_LINK: lambda: complaint_groups.link_same_issue(complaint_id=c_id, title="同一事项", **a),
        Op.SAME_ISSUE_UNLINK: lambda: complaint_groups.unlink_same_issue(complaint_id=c_id, reason="误归", **a),
        Op.ONLINE_POST: lambda: complaint_online.save_online_post(complaint_id=c_id, platform="业主论坛", url="", poster_handle="",
                                                         posted_at=None, viral=False, **a),
        Op.ONLINE_NOTIFIED: lambda: complaint_online.online_department_notified(complaint_id=c_id, **a),
        Op.ONLINE_FACTS: lambda: complaint_online.online_facts(complaint_id=c_id, facts_text="经查属实", **a),
        Op.ONLINE_REPLY: lambda: complaint_online.online_public_reply(complaint_id=c_id, reply_text="已处理", **a),
        Op.ONLINE_RESULT: lambda: complaint_online.online_result_posted(complaint_id=c_id, url="https://bbs.example.com/t/1",
                                                                        **a),
        Op.PHONE_REPORT: lambda: reports.record_phone_report(complaint_id=c_id, at=now, to_whom="总部客服中心", note="", **a),
        Op.EXPRESS: lambda: reports.record_express(complaint_id=c_id, progress="本周进展", next_steps="", **a),
        Op.SPECIAL_REPORT: lambda: reports.write_special_report(complaint_id=c_id, part_a="经过", part_b="原因",
                                                                part_c="措施", **a),
        Op.GRADE_RAISE: lambda: grades.raise_grade(complaint_id=c_id, grade=GRADES[arg % 4], reason="提级", **a),
        Op.GRADE_OVERRIDE: lambda: grades.override_grade(complaint_id=c_id, grade=GRADES[arg % 4], reason="认定", **a),
        Op.UPDATE_FACTS: lambda: grades.update_facts(complaint_id=c_id, changes={"complainant_count": (1, 4, 12)[arg % 3]},
                                                  reason="更正人数", **a),
    }
    calls[op]()


DRIVEN = [op for op in Op if op not in (Op.DECIDE_FINDING, Op.ATTACHMENT)]  # no state rule; need files/findings
CONSULT_OPS = {Op.CONSULT_UNREACHABLE, Op.CONSULT_FORWARDED, Op.CONSULT_FINAL_RESULT, Op.CONSULT_REPLY}


def _state(url: str, c_id: int):
    """Everything a refused action must leave alone, and what core needs to judge the next one."""
    with Session(get_engine(url)) as s:
        c = s.get(Complaint, c_id)
        events = [(e.id, e.event) for e in s.exec(select(RecordEvent).where(RecordEvent.record_type == "complaint", RecordEvent.record_id == c_id)
                                                   .order_by(RecordEvent.id)).all()]
        consults = list(s.exec(select(ConsultRequest).where(ConsultRequest.complaint_id == c_id)
                               .order_by(ConsultRequest.id)).all())
        post = s.exec(select(OnlinePost).where(OnlinePost.complaint_id == c_id)).first()
        frozen = (c.model_dump(), events, [r.model_dump() for r in consults], post.model_dump() if post else None)
        return c, (consults[-1] if consults else None), post, frozen


@pytest.fixture
def ctx(db_url, org, make_actor):
    with Session(get_engine(db_url)) as s:
        row = Consultant(name="冯顾问", speciality="法律", phone="1")
        s.add(row)
        s.commit()
        consultant = row.id
    return {"handler": make_actor(Role.CS_SUPERVISOR, org.office_a, name="处理人"),
            "supervisor": make_actor(Role.CS_SUPERVISOR, org.office_a),
            "director": make_actor(Role.OFFICE_DIRECTOR, org.office_a),
            "hq": make_actor(Role.HQ_SPECIALIST, org.hq_id),
            "clerk": make_actor(Role.CLERK, org.office_a),
            "consultant": consultant, "url": db_url, "office": org.office_a, "n": [0]}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_transition_the_rules_forbid_is_ever_accepted(ctx, now, data):
    ctx["n"][0] += 1
    c = svc.register(actor=ctx["clerk"], request_id=f"prop-{ctx['n'][0]}", now=now, data=ComplaintIn(
        office_id=ctx["office"], channel="phone", category="engineering", description="地下车库积水",
        occurred_at=now - timedelta(hours=2), complainant_name="张业主", complainant_phone="13800000001",
        sensitive=True))
    moment = now
    for _ in range(data.draw(st.integers(1, 30), label="steps")):
        moment += timedelta(hours=1)
        row, consult, post, before = _state(ctx["url"], c.id)
        who = data.draw(st.sampled_from(ACTORS), label="actor")
        actor, arg = ctx[who], data.draw(st.integers(0, 11), label="arg")
        here = wf.Situation.of(row)
        consult_view = wf.ConsultSituation.of(consult) if consult is not None else None
        online = wf.OnlineSituation.of(post)
        usable = [op for op in DRIVEN if consult is not None or op not in CONSULT_OPS]
        # Half the steps pick among the actions core offers (so sequences reach verification, callback and
        # closing), half among all of them (so every state also meets actions it must refuse).
        guided = [op for op in usable if wf.offered(actor, op, here, consult=consult_view, online=online)]
        pool = guided if guided and data.draw(st.booleans(), label="guided") else usable
        op = data.draw(st.sampled_from(pool), label="op")
        offered = wf.offered(actor, op, here, consult=consult_view, online=online)
        note(f"{op} by {who} ({arg}) in {here.state}/{here.grade}: offered={offered}")
        try:
            _call(op, actor, c.id, consult.id if consult is not None else None, ctx, arg, moment)
        except DomainError as exc:
            after = _state(ctx["url"], c.id)[3]
            assert after == before, f"refused {op} ({exc.message}) still changed the complaint"
            event("refused")
            continue
        event(f"accepted {op}")
        assert offered, f"{op} by {who} was accepted in state {here.state} although core does not offer it: " \
                        f"{wf.check(op, here, actor_user_id=actor.user_id, consult=consult_view).message or '无权限'}"
