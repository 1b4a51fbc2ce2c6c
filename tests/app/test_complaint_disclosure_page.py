"""投诉公示 on screen (issue 15 item 4): the office's supervisor sees last month's task and its anonymised list,
a publication without a photo or link is refused with the form kept, one with a link completes the month."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.roles import Role
from db.services import complaint_disclosure as disclosure
from db.services import complaints as svc
from tests.app.test_complaint_detail_pages import labelled, ok, run_page
from ui.fmt import TZ

PAGE = "views/complaints/disclosure.py"


@pytest.fixture
def last_month_task(org, make_actor):
    today = datetime.now(UTC).astimezone(TZ)
    received = (today.replace(day=1) - timedelta(days=10)).astimezone(UTC)
    clerk = make_actor(Role.CLERK, org.office_a)
    svc.register(actor=clerk, request_id="pub", now=received, data=svc.ComplaintIn(
        office_id=org.office_a, channel="phone", category="engineering", description="赵六反映地库积水", common_area=True,
        occurred_at=received - timedelta(hours=2), received_at=received, complainant_name="赵六"))
    disclosure.open_last_month(now=datetime.now(UTC))


def test_publish_last_months_disclosure(org, make_actor, last_month_task):
    sup = make_actor(Role.CS_SUPERVISOR, org.office_a)
    at = run_page(PAGE, sup)
    ok(at)
    listed = at.dataframe[1].value.to_string()
    assert "地库积水" in listed and "赵六" not in listed  # anonymised
    labelled(at.button, "登记公示").click()
    at.run()
    assert any("公示渠道" in e.value for e in at.error)
    [task] = disclosure.tasks(actor=sup, month=disclosure.months.previous_month(
        disclosure.months.first_of_month(datetime.now(UTC).astimezone(TZ).date())), now=datetime.now(UTC))
    key = f"dc_publish_{task.id}"
    at.selectbox(key=f"{key}_channel").set_value("website")
    at.text_input(key=f"{key}_link").input("https://estate.example.cn/notice/1")
    labelled(at.button, "登记公示").click()
    at.run()
    ok(at)
    assert any("本月公示已完成" in s.value for s in at.success)
