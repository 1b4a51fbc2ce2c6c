"""投诉月报 on screen (issue 15 item 2): headquarters generates last month's report and sees its five parts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.roles import Role
from db.services import complaints as svc
from tests.app.test_complaint_detail_pages import labelled, ok, run_page
from ui.fmt import TZ


def test_headquarters_generates_the_monthly_report(org, make_actor):
    received = (datetime.now(UTC).astimezone(TZ).replace(day=1) - timedelta(days=10)).astimezone(UTC)
    svc.register(actor=make_actor(Role.CLERK, org.office_a), request_id="m1", now=received, data=svc.ComplaintIn(
        office_id=org.office_a, channel="phone", category="engineering", title="电梯停运", description="电梯停运",
        occurred_at=received - timedelta(hours=1), received_at=received, complainant_name="张三"))
    at = run_page("views/complaints/monthly.py", make_actor(Role.HQ_HEAD, org.hq_id))
    ok(at)
    labelled(at.button, "生成月报").click()
    at.run()
    ok(at)
    headings = [h.value for h in at.subheader]
    assert any(h.startswith("一、") for h in headings) and any(h.startswith("五、") for h in headings)
    assert "电梯停运" in at.dataframe[1].value.to_string()  # the frequent issues
    assert "东方家园管理处" in at.dataframe[-1].value.to_string()  # each office's rates
