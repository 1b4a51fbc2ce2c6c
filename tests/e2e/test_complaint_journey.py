"""A complaint in a real Chromium: the clerk logs in, registers a collective complaint through the form,
sees its number and 热点 class, and finds it in the 投诉处理 list. Uses the shared e2e fixtures."""

from __future__ import annotations

import os

import pytest

from tests.demo_data import DEMO_PASSWORD
from tests.e2e.browser import login, wait_idle

pytestmark = pytest.mark.e2e
if os.environ.get("CI"):
    from playwright.sync_api import expect
else:
    expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


def test_clerk_registers_a_collective_complaint_and_finds_it(page, shots_dir):
    login(page, "clerk1", DEMO_PASSWORD)
    page.get_by_role("link", name="登记投诉").click()
    expect(page.get_by_role("heading", name="登记投诉")).to_be_visible()
    wait_idle(page)
    page.get_by_label("投诉人姓名").fill("浏览器测试业主")
    page.get_by_label("投诉人数", exact=True).fill("4")
    page.get_by_label("投诉内容 *").fill("三户业主反映地下车库积水严重，车辆无法进出")
    page.get_by_role("button", name="登记投诉").click()
    success = page.get_by_text("已登记 TS-")
    expect(success).to_be_visible(timeout=30_000)
    text = success.inner_text()
    assert "热点" in text
    number = text.split("已登记 ")[1].split("，")[0]
    page.screenshot(path=str(shots_dir / "complaint_registered.png"), full_page=True)
    page.get_by_role("link", name="投诉处理").click()
    expect(page.get_by_role("heading", name="投诉处理")).to_be_visible()
    wait_idle(page)
    page.get_by_label("搜索编号或内容").fill(number)
    page.get_by_label("搜索编号或内容").press("Enter")
    wait_idle(page)
    expect(page.get_by_text("共 1 条")).to_be_visible()
    page.screenshot(path=str(shots_dir / "complaint_list.png"), full_page=True)
