"""An A-class office-visitor incident in a real Chromium (来访接待流程): the clerk picks A类 and sees its script with the
receiving and escalation deadlines, logs the visit with the keyboard, records who received the visitor and the
escalation to the 管理处主任, and finds the incident in the list filtered to 已上报. The lead may fold this into the
reception process's single journey."""

from __future__ import annotations

import os
import re

import pytest

from tests.e2e.browser import choose, click, no_error, open_page, wait_idle
from tests.e2e.test_every_page_chinese import OVERFLOW_JS

pytestmark = pytest.mark.e2e
if os.environ.get("CI"):
    from playwright.sync_api import expect
else:
    expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

PAGE = "/reception_incidents"


def test_a_class_incident_logged_escalated_and_listed(desk, names):
    clerk = desk("clerk1")
    open_page(clerk, PAGE)
    expect(clerk.get_by_role("heading", name="来访事件")).to_be_visible()
    clerk.get_by_test_id("stButtonGroup").get_by_text("A类", exact=True).click()
    wait_idle(clerk)
    script = clerk.get_by_text(re.compile("A类应对话术"))
    expect(script).to_be_visible()
    expect(clerk.get_by_text(re.compile(r"客服主任须在 10 分钟内接待"))).to_be_visible()
    clerk.get_by_label("来访人姓名 *").fill("周女士")
    clerk.get_by_label("联系电话").fill("13900002222")
    clerk.get_by_label("来访事由 *").fill("未预约来访，情绪激动，要求见领导：家中漏水报修三次无人处理")
    click(clerk, "登记")
    success = clerk.get_by_text(re.compile(r"已登记 LF-\d{4}-\d{6}"))
    expect(success).to_be_visible()
    number = re.search(r"LF-\d{4}-\d{6}", success.inner_text()).group(0)
    expect(clerk.get_by_role("heading", name=re.compile(f"{number} · A类 · 已登记"))).to_be_visible()
    desk.shot(clerk, "incident_logged")

    # 接待: the 客服主任 received them
    clerk.get_by_test_id("stRadio").get_by_text("接待", exact=True).click()
    wait_idle(clerk)
    choose(clerk, "接待人 *", names["supervisor1"])
    click(clerk, "记录接待")
    no_error(clerk)
    expect(clerk.get_by_text("已记录接待")).to_be_visible()

    # 上报管理处主任, with the time it happened
    clerk.get_by_test_id("stRadio").get_by_text("上报", exact=True).click()
    wait_idle(clerk)
    choose(clerk, "上报对象 *", "管理处主任")
    clerk.get_by_label("说明").fill("来访者坚持要见管理处主任")
    click(clerk, "记录上报")
    no_error(clerk)
    expect(clerk.get_by_role("heading", name=re.compile(f"{number} · A类 · 已上报"))).to_be_visible()

    # the list, filtered to 已上报, holds it first (newest first): ticking its row opens it again
    choose(clerk, "状态", "已上报")
    no_error(clerk)
    expect(clerk.get_by_text("在表格中选中一条来访事件，查看记录和可执行的操作。")).to_be_visible()
    box = clerk.locator('[data-testid="stDataFrame"]').first.bounding_box()
    clerk.mouse.click(box["x"] + 16, box["y"] + 35 + 17)  # the first row's selection box, under the header
    wait_idle(clerk)
    expect(clerk.get_by_role("heading", name=re.compile(f"{number} · A类 · 已上报"))).to_be_visible()
    desk.shot(clerk, "incident_escalated")
    clerk.locator("summary").filter(has_text="时间线").first.click()
    wait_idle(clerk)
    assert clerk.evaluate(OVERFLOW_JS) == [], "a table needs sideways scrolling at 1280 px"

    # the day's register (接待日报) shows the incident beside the calls, visits and letters of the day
    open_page(clerk, "/reception_daily")
    expect(clerk.get_by_role("heading", name=re.compile("来访事件"))).to_be_visible()
    expect(clerk.get_by_text(number).first).to_be_attached()  # a dataframe cell (drawn on a canvas)
    desk.shot(clerk, "incident_in_daily_view")
