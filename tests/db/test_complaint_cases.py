"""顾客投诉案例库 through the services (issue 15 item 3), on SQLite and PostgreSQL: archiving a 重要 complaint opens
its 案例提交 duty (a 一般 one does not); the draft is anonymised and a text naming the complainant is refused; the
unit submits (meeting the duty), headquarters returns with a reason or publishes; a user of another office finds
the published case by tag; reopening the complaint cancels the duty; the window is the policy book's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from core import complaint_cases as rules
from core.errors import DomainError, PermissionDenied
from core.roles import Role
from db.engine import get_engine
from db.models import ComplaintCase, Duty
from db.services import complaint_cases as cases
from db.services import complaint_flow as flow
from db.services import complaint_grades, complaint_reports
from db.services import complaints as svc
from db.services import org as org_svc
from db.services import policy as policy_svc
from db.services.complaints import ComplaintIn

H = timedelta(hours=1)
D = timedelta(days=1)
T0 = datetime(2026, 11, 2, 2, tzinfo=UTC)


@pytest.fixture
def team(org, make_actor):
    return {
        "clerk": make_actor(Role.CLERK, org.office_a),
        "sup": make_actor(Role.CS_SUPERVISOR, org.office_a),
        "sup2": make_actor(Role.CS_SUPERVISOR, org.office_a),
        "manager": make_actor(Role.CS_MANAGER, org.office_a, name="王经理"),
        "director": make_actor(Role.OFFICE_DIRECTOR, org.office_a),
        "manager_b": make_actor(Role.CS_MANAGER, org.office_b),
        "clerk_b": make_actor(Role.CLERK, org.office_b),
        "hq": make_actor(Role.HQ_SPECIALIST, org.hq_id),
        "admin": make_actor(Role.SYSADMIN, org.hq_id),
    }


def _archived(org, team, n: int, *, important: bool = True):
    admin = team["admin"]
    zone = org_svc.save_zone(actor=admin, zone_id=None, office_id=org.office_a, name=f"东苑{n}")
    building = org_svc.save_building(actor=admin, building_id=None, zone_id=zone, name="3幢")
    prop = org_svc.save_property(actor=admin, property_id=None, building_id=building, unit_no="1", room=f"5{n:02d}",
                                 area_m2=None, kind="residential", key_household=False)
    c = svc.register(actor=team["clerk"], request_id=f"c{n}", now=T0, data=ComplaintIn(
        office_id=org.office_a, channel="phone", category="engineering", property_id=prop,
        description=f"张建国（13800001234）反映3幢1单元5{n:02d}卫生间漏水，第{n}次来电", occurred_at=T0 - 2 * H,
        complainant_name="张建国", complainant_phone="13800001234"))
    if important:
        complaint_grades.raise_grade(actor=team["director"], complaint_id=c.id, grade="important", reason="多次来电",
                                     now=T0 + H)
    flow.assign(actor=team["sup"], complaint_id=c.id, handler_user_id=team["clerk"].user_id, department_id=None,
                note="", now=T0 + H)
    flow.mark_handled(actor=team["clerk"], complaint_id=c.id, result="更换张建国家的防水层，已不漏", now=T0 + 2 * H)
    flow.verify(actor=team["sup"], complaint_id=c.id, note="合格", now=T0 + 3 * H)
    flow.record_callback(actor=team["sup2"], complaint_id=c.id, method="phone", reached=True, person_reached="业主",
                         satisfaction="satisfied", comment="", follow_up="", now=T0 + 4 * H)
    flow.close(actor=team["sup"], complaint_id=c.id, note="归档", now=T0 + 5 * H)
    return c


def _duty(db_url, complaint_id) -> Duty | None:
    with Session(get_engine(db_url)) as s:
        return s.exec(select(Duty).where(Duty.duty == rules.SUBMIT.code, Duty.record_id == complaint_id)).first()


def _text(**kw) -> rules.CaseText:
    base = dict(summary="某业主卫生间漏水多次投诉", cause="防水层老化，首次维修未找准漏点", handling="更换防水层并闭水试验",
                result="不再渗漏，业主满意", lessons="漏水先做闭水试验再维修", prevention="每年雨季前巡检", tags="漏水、防水")
    return rules.CaseText(**(base | kw))


def test_the_whole_life_of_a_case(db_url, org, team):
    general = _archived(org, team, 1, important=False)
    assert _duty(db_url, general.id) is None  # a 一般 complaint owes no case (it may still have one)
    c = _archived(org, team, 2)
    duty = _duty(db_url, c.id)
    assert duty.state == "open" and duty.due_at.replace(tzinfo=UTC) == T0 + 5 * H + 7 * D
    draft = cases.draft_from(actor=team["manager"], complaint_id=c.id, now=T0 + 6 * H).text
    assert "张建国" not in draft.summary and "13800001234" not in draft.summary and "502" not in draft.summary
    assert "张建国" not in draft.handling and "工程维修" in draft.tags
    with pytest.raises(DomainError, match="姓名"):  # the clerk typed the name back: refused, nothing written
        cases.create(actor=team["manager"], complaint_id=c.id, text=_text(summary="张建国家漏水"), request_id="x",
                     now=T0 + 6 * H)
    with pytest.raises(DomainError, match="房号"):
        cases.create(actor=team["manager"], complaint_id=c.id, text=_text(cause="东苑2 3幢 1单元 502的防水层老化"),
                     request_id="x", now=T0 + 6 * H)
    case = cases.create(actor=team["manager"], complaint_id=c.id, text=_text(lessons=""), request_id="k1",
                        now=T0 + 6 * H)
    again = cases.create(actor=team["manager"], complaint_id=c.id, text=_text(), request_id="k1", now=T0 + 6 * H)
    assert again.id == case.id and case.number.startswith("AL-2026-") and case.state == "draft"
    with pytest.raises(DomainError, match="经验教训"):
        cases.submit(actor=team["manager"], complaint_case_id=case.id, now=T0 + 7 * H)
    cases.update(actor=team["manager"], complaint_case_id=case.id, text=_text(), now=T0 + 7 * H)
    cases.submit(actor=team["manager"], complaint_case_id=case.id, now=T0 + 2 * D)
    assert _duty(db_url, c.id).state == "met" and not _duty(db_url, c.id).breached  # within the week
    with pytest.raises(DomainError, match="不能修改"):
        cases.update(actor=team["manager"], complaint_case_id=case.id, text=_text(), now=T0 + 2 * D)
    with pytest.raises(DomainError, match="退回原因"):
        cases.return_case(actor=team["hq"], complaint_case_id=case.id, reason="", now=T0 + 3 * D)
    cases.return_case(actor=team["hq"], complaint_case_id=case.id, reason="预防措施写得太笼统", now=T0 + 3 * D)
    cases.update(actor=team["manager"], complaint_case_id=case.id, text=_text(prevention="雨季前逐户检查防水"),
                 now=T0 + 3 * D)
    cases.submit(actor=team["manager"], complaint_case_id=case.id, now=T0 + 3 * D)
    # not published yet: another office finds nothing
    assert cases.library(actor=team["clerk_b"], tag="防水").total == 0
    cases.publish(actor=team["hq"], complaint_case_id=case.id, now=T0 + 4 * D)
    found = cases.library(actor=team["clerk_b"], tag="防水")
    assert [r.number for r in found.rows] == [case.number]
    assert cases.library(actor=team["clerk_b"], tag="防").total == 0  # whole tags only
    assert cases.library(actor=team["clerk_b"], text="闭水试验").total == 1
    # the 质量简报 of the period lists it as a case of reference value
    bulletin = complaint_reports.quality_bulletin(actor=team["hq"], since=T0, until=T0 + 10 * D)
    assert [c.number for c in bulletin.cases] == [case.number] and bulletin.cases[0].lessons.startswith("漏水")
    detail = cases.detail(actor=team["clerk_b"], complaint_case_id=case.id)
    assert detail.office and not detail.may_edit and not detail.may_publish
    with Session(get_engine(db_url)) as s:
        row = s.get(ComplaintCase, case.id)
        text = " ".join(getattr(row, k) for k, _ in rules.TEXT_FIELDS)
    assert "张建国" not in text and "13800001234" not in text and "502" not in text


def test_late_submission_reopening_and_the_window_from_the_policy_book(db_url, org, team):
    policy_svc.set_value(actor=team["admin"], key=rules.WITHIN, value={"amount": 3, "unit": "days"},
                         effective_from=T0 - 30 * D, reason="总部要求三天内提交", now=T0 - 30 * D)
    c = _archived(org, team, 3)
    assert _duty(db_url, c.id).due_at.replace(tzinfo=UTC) == T0 + 5 * H + 3 * D  # the parameter decides
    case = cases.create(actor=team["manager"], complaint_id=c.id, text=_text(), request_id="k", now=T0 + 6 * H)
    cases.submit(actor=team["manager"], complaint_case_id=case.id, now=T0 + 5 * D)
    assert _duty(db_url, c.id).breached  # submitted after the three days: met late
    d = _archived(org, team, 4)
    flow.reopen(actor=team["sup"], complaint_id=d.id, reason="业主称又漏了", now=T0 + D)
    assert _duty(db_url, d.id).state == "cancelled"  # owed again only when archived again


def test_another_office_can_neither_write_nor_read_a_draft(db_url, org, team):
    c = _archived(org, team, 5)
    with pytest.raises(PermissionDenied):
        cases.create(actor=team["manager_b"], complaint_id=c.id, text=_text(), request_id="b", now=T0 + 6 * H)
    case = cases.create(actor=team["manager"], complaint_id=c.id, text=_text(), request_id="a", now=T0 + 6 * H)
    with pytest.raises(PermissionDenied):
        cases.update(actor=team["manager_b"], complaint_case_id=case.id, text=_text(), now=T0 + 6 * H)
    with pytest.raises(DomainError):
        cases.detail(actor=team["clerk_b"], complaint_case_id=case.id)  # a draft: not in the library
    with pytest.raises(PermissionDenied):
        cases.publish(actor=team["manager"], complaint_case_id=case.id, now=T0 + 6 * H)
    open_one = svc.register(actor=team["clerk"], request_id="open", now=T0, data=ComplaintIn(
        office_id=org.office_a, channel="phone", category="fees", description="账单有误", occurred_at=T0 - H,
        complainant_name="李四"))
    with pytest.raises(DomainError, match="已归档"):
        cases.create(actor=team["manager"], complaint_id=open_one.id, text=_text(), request_id="o", now=T0 + 6 * H)
    [item] = cases.case_work(actor=team["hq"], now=T0) or [None]
    assert item is None  # nothing submitted yet
    assert [(w.title, w.count) for w in cases.case_work(actor=team["manager"], now=T0)] == [("典型案例待编写", 1)]
