"""An access pass in a real Chromium, end to end through the real pages (《小区出入证管理规定》).

1. clerk1 issues a decoration worker's 临时出入证 on 办理出入证 (room found by search, the approved decoration period
   typed in, the deposit receipt);
2. prints it: the downloaded card shows the worker's Chinese name and the number, and its Code 39 barcode, rendered
   at 300 dpi, decodes with zbarimg to the pass number;
3. guard1 on the gate phone (390 px wide) scans the number (typed + Enter, as a handheld scanner does): 有效 · 放行;
4. clerk1 reports it lost on 出入证 and reissues it: a new number; at the gate the old number answers 已挂失, the
   new one 有效.
Screenshots (1280 px pages, the 390 px gate) go to ``shots_dir``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date, timedelta

import pytest

from core.identity import with_check_character
from tests import pdftools
from tests.demo_data import DEMO_PASSWORD
from tests.e2e.browser import click, expand, login, new_context, no_error, open_page, wait_idle

pytestmark = pytest.mark.e2e
if os.environ.get("CI"):
    from playwright.sync_api import expect
else:
    expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

WORKER = "赵铁柱"
WORKER_ID = with_check_character("34010219880808123")


def gate_lookup(page, text: str) -> None:
    box = page.get_by_role("textbox", name="出入证编号 / 姓名 / 证件号后 4 位以上", exact=True)
    box.fill(text)
    box.press("Enter")  # the scanner's Enter
    wait_idle(page)


def test_decoration_worker_pass_issued_printed_checked_at_the_gate_lost_and_reissued(desk, app_server, browser,
                                                                                    shots_dir, tmp_path):
    # 1. issue a decoration worker's pass
    desk.prefix = "pass"
    clerk = desk("clerk1")
    open_page(clerk, "/passes_issue")
    expect(clerk.get_by_role("heading", name="办理出入证")).to_be_visible()
    room = "东方苑 5幢 1单元 501"
    search = clerk.get_by_role("textbox", name="服务房屋（输入苑区/楼栋/房号搜索）", exact=True)
    search.fill("5幢")  # the typeahead matches any of the words typed; the first 30 rooms of 5幢 hold it
    search.press("Enter")
    wait_idle(clerk)
    picker = clerk.get_by_role("combobox", name=re.compile("服务房屋 \\*"))
    picker.click()
    picker.press_sequentially(room)
    clerk.get_by_role("option", name=re.compile(room)).first.click()
    clerk.keyboard.press("Escape")
    clerk.get_by_role("textbox", name="持证人姓名 *", exact=True).fill(WORKER)
    clerk.get_by_role("textbox", name="证件号 *", exact=True).fill(WORKER_ID)
    clerk.get_by_role("textbox", name="施工单位/装修公司", exact=True).fill("美居装饰")
    clerk.get_by_role("textbox", name="申请人姓名 *", exact=True).fill("李工头")
    until = clerk.locator('[data-testid="stDateInput"]').filter(has_text="批准装修期至").locator('input[type="date"]')
    until.fill((date.today() + timedelta(days=90)).isoformat())  # a native date input takes ISO
    wait_idle(clerk)
    clerk.get_by_role("textbox", name="收据号（收取工本费或押金时必填）", exact=True).fill("SJ2026001")
    desk.shot(clerk, "01_issue_form")
    click(clerk, "发放出入证")
    no_error(clerk)
    done = clerk.get_by_text(re.compile(r"已发放 CR-\d{4}-\d{6}"))
    expect(done).to_be_visible()
    number = re.search(r"CR-\d{4}-\d{6}", done.inner_text()).group(0)
    desk.shot(clerk, "02_issued")

    # 2. print it: Chinese name and number in the PDF, the barcode decodes to the number
    with clerk.expect_download() as info:
        clerk.get_by_role("button", name="打印出入证").click()
    pdf = tmp_path / "card.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = pdftools.layout_text(pdf)
    if text is not None:
        assert WORKER in text and number in text, text[:400]
    if pdftools.in_ci() or (shutil.which("zbarimg") and shutil.which("pdftoppm")):  # CI: required
        subprocess.run(["pdftoppm", "-png", "-r", "300", str(pdf), str(tmp_path / "card")], check=True)
        decoded = subprocess.run(["zbarimg", "-q", str(next(tmp_path.glob("card*.png")))], capture_output=True,
                                 text=True).stdout.strip()
        assert decoded == f"CODE-39:{number}", decoded

    # 3. the gate phone, 390 px wide: scan → 有效 · 放行
    phone_ctx = new_context(browser, app_server, viewport={"width": 390, "height": 844}, is_mobile=True,
                            has_touch=True)
    desk.contexts.append(phone_ctx)
    guard = phone_ctx.new_page()
    login(guard, "guard1", DEMO_PASSWORD)
    open_page(guard, "/passes_gate")
    gate_lookup(guard, number)
    expect(guard.get_by_text(re.compile("有效 · 放行"))).to_be_visible()
    expect(guard.get_by_text(WORKER).first).to_be_visible()
    no_error(guard)
    width = guard.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the gate page scrolls sideways at 390 px ({width} px)"
    guard.screenshot(path=str(shots_dir / "pass_03_gate_390.png"), full_page=True)
    open_page(clerk, "/passes_gate")  # the same page on the front desk's 1280 px screen
    gate_lookup(clerk, WORKER)
    expect(clerk.get_by_text(re.compile("有效 · 放行"))).to_be_visible()
    desk.shot(clerk, "03_gate_1280")

    # 4. lost → deposit kept; reissue → a new number
    open_page(clerk, "/passes_list")
    clerk.get_by_role("textbox", name="搜索编号、持证人姓名或证件号后几位", exact=True).fill(number)
    clerk.get_by_role("textbox", name="搜索编号、持证人姓名或证件号后几位", exact=True).press("Enter")
    wait_idle(clerk)
    expect(clerk.get_by_role("heading", name=re.compile(number))).to_be_visible()
    desk.shot(clerk, "04_list_detail")
    expand(clerk, "挂失")
    clerk.get_by_role("textbox", name="挂失原因", exact=True).fill("工人在工地遗失")
    click(clerk, "确认挂失")
    no_error(clerk)
    expect(clerk.get_by_text("已挂失，可补办新证")).to_be_visible()
    expand(clerk, "补办新证")
    clerk.get_by_role("textbox", name="新证收据号", exact=True).fill("SJ2026002")
    click(clerk, "确认补办")
    no_error(clerk)
    reissued = clerk.get_by_text(re.compile(r"已补办新证 CR-\d{4}-\d{6}"))
    expect(reissued).to_be_visible()
    new_number = re.search(r"CR-\d{4}-\d{6}", reissued.inner_text()).group(0)
    assert new_number != number
    desk.shot(clerk, "05_reissued")

    gate_lookup(guard, number)
    expect(guard.get_by_text(re.compile("已挂失：不得放行"))).to_be_visible()
    gate_lookup(guard, new_number)
    expect(guard.get_by_text(re.compile("有效 · 放行"))).to_be_visible()
    guard.screenshot(path=str(shots_dir / "pass_06_gate_390_reissued.png"), full_page=True)
