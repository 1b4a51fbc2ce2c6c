"""投诉分类统计表 on screen (issue 15 item 1): a 管理处主任 generates last month's table and submits it; headquarters
picks the office and returns it with a reason; the office sees it returned and submits the corrected version."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from core.roles import Role
from db.engine import get_engine
from db.models import ComplaintStatsReport, ComplaintStatsVersion
from db.services import complaints as svc
from tests.app.test_complaint_detail_pages import labelled, ok, run_page
from ui.fmt import TZ

PAGE = "views/complaints/stats.py"


@pytest.fixture
def last_month_complaint(org, make_actor):
    today = datetime.now(UTC).astimezone(TZ)
    received = (today.replace(day=1) - timedelta(days=10)).astimezone(UTC)  # in the month before this one
    clerk = make_actor(Role.CLERK, org.office_a)
    return svc.register(actor=clerk, request_id="last-month", now=received, data=svc.ComplaintIn(
        office_id=org.office_a, channel="phone", category="engineering", description="地下车库积水",
        occurred_at=received - timedelta(hours=2), received_at=received, complainant_name="张业主",
        complainant_phone="13800000001"))


def _report() -> ComplaintStatsReport | None:
    with Session(get_engine()) as s:
        return s.exec(select(ComplaintStatsReport)).first()


def test_generate_submit_return_and_resubmit(org, make_actor, last_month_complaint):
    director = make_actor(Role.OFFICE_DIRECTOR, org.office_a, name="李主任")
    at = run_page(PAGE, director)
    ok(at)
    assert "待报送" in at.dataframe[0].value.to_string()  # the office's row in 报送情况
    labelled(at.button, "生成统计表").click()
    at.run()
    ok(at)
    table = at.dataframe[1].value
    assert list(table["投诉分类"])[-1] == "合计" and list(table["受理"])[-1] == "1"
    labelled(at.button, "报送统计表").click()
    at.run()
    ok(at)
    assert any("已报送第 1 版" in s.value for s in at.success)
    assert _report().state == "submitted"
    assert any("冻结" in i.value for i in at.info)  # the page now shows the frozen version

    hq = make_actor(Role.HQ_SPECIALIST, org.hq_id)
    at = run_page(PAGE, hq)
    ok(at)
    at.selectbox(key="stats_office").set_value(org.office_a).run()
    reason = at.text_area(key=f"stats_reason_{_report().id}")
    labelled(at.button, "退回更正").click()  # no reason: refused, nothing written
    at.run()
    assert any("退回原因" in e.value for e in at.error) and _report().state == "submitted"
    reason = at.text_area(key=f"stats_reason_{_report().id}")
    reason.input("工程维修类漏计转办投诉")
    labelled(at.button, "退回更正").click()
    at.run()
    ok(at)
    assert _report().state == "returned"

    at = run_page(PAGE, director)
    assert "已退回待更正" in at.dataframe[0].value.to_string()
    labelled(at.button, "报送更正后的统计表").click()
    at.run()
    ok(at)
    with Session(get_engine()) as s:
        versions = s.exec(select(ComplaintStatsVersion).order_by(ComplaintStatsVersion.version)).all()
    assert [(v.version, v.return_reason) for v in versions] == [(1, "工程维修类漏计转办投诉"), (2, "")]
