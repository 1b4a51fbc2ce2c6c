"""The front desk in a real Chromium (客户来电、来访、来函处理作业规定, issue 12).

1. clerk1 logs a call with the keyboard only: the customer found by the last 4 digits of the phone (Enter), then
   分类 and 内容 — three inputs beyond the defaults (now, my office, me) — and Enter in 内容 submits;
2. a visit by a stranger (keyboard) and a letter, sent with a double click on 登记: one entry;
3. the daily view shows the three among today's entries; the daily register PDF renders Chinese (pdftotext shows
   the number and the customer's name; pdftoppm draws it).
Screenshots go to ``shots_dir``.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess

import pytest

from tests import pdftools
from tests.demo_data import DB_FILE
from tests.e2e.browser import Desk, no_error, open_page, wait_idle

pytestmark = pytest.mark.e2e
if os.environ.get("CI"):
    from playwright.sync_api import expect
else:
    expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

DESK, DAILY = "/reception_desk", "/reception_daily"


@pytest.fixture
def reception_desk(browser, app_server, shots_dir):
    d = Desk(browser, app_server, shots_dir, prefix="reception")
    yield d
    d.close()


def _customer(demo_template) -> tuple[str, str]:
    """A customer of the first demo office whose phone's last 4 digits are unique there: (name, last 4)."""
    with sqlite3.connect(demo_template / DB_FILE) as conn:
        return conn.execute(
            "SELECT c.name, substr(c.phone, -4) FROM customer c JOIN org_unit o ON o.id = c.office_id "
            "WHERE o.code = 'DF' AND c.phone <> '' AND substr(c.phone, -4) IN (SELECT substr(x.phone, -4) "
            "FROM customer x WHERE x.office_id = c.office_id GROUP BY substr(x.phone, -4) HAVING count(*) = 1) "
            "ORDER BY c.id LIMIT 1").fetchone()


def _type(page, label: str, text: str, *, enter: bool = False) -> None:
    """Focus a field by its label (as Tab would), type, optionally press Enter: no mouse."""
    field = page.get_by_label(label, exact=True)
    field.focus()
    page.keyboard.type(text)
    if enter:
        page.keyboard.press("Enter")
    wait_idle(page)


def _pick(page, label: str, option: str) -> None:
    """A selectbox from the keyboard: focus it, type to filter, Enter takes the highlighted option."""
    box = page.get_by_role("combobox", name=label, exact=True)
    box.focus()
    page.keyboard.type(option)
    page.keyboard.press("Enter")
    wait_idle(page)


def _logged(page) -> str:
    success = page.get_by_text(re.compile(r"已登记 JD-\d{4}-\d{6}"))
    expect(success).to_be_visible()
    no_error(page)
    return re.search(r"JD-\d{4}-\d{6}", success.inner_text()).group(0)


def test_calls_visits_and_letters_logged_from_the_keyboard_and_seen_in_the_daily_view(reception_desk, demo_template,
                                                                                    tmp_path):
    name, last4 = _customer(demo_template)
    clerk = reception_desk("clerk1")
    open_page(clerk, DESK)
    expect(clerk.get_by_role("heading", name="前台接待")).to_be_visible()

    # 1. a call: the customer by the last 4 digits, 分类, 内容, Enter
    _type(clerk, "查找客户（姓名 / 电话后4位 / 房号，回车查找）", last4, enter=True)
    expect(clerk.get_by_text(f"客户历史：{name}")).to_be_visible()
    _pick(clerk, "分类 *", "事务咨询")
    _type(clerk, "内容 *（回车即登记）", "询问本周六电梯检修时间", enter=True)
    call = _logged(clerk)
    reception_desk.shot(clerk, "01_call_logged")

    # 2. a visit by a stranger, and a letter
    _pick(clerk, "渠道 *", "来访")
    _type(clerk, "来人姓名（陌生来人）", "赵来访")
    _pick(clerk, "分类 *", "事务求助")
    _type(clerk, "内容 *（回车即登记）", "快递柜无法取件，请协助", enter=True)
    visit = _logged(clerk)
    _pick(clerk, "渠道 *", "来函")
    _type(clerk, "来人姓名（陌生来人）", "钱写信")
    _pick(clerk, "分类 *", "建议/意见")
    _type(clerk, "内容 *（回车即登记）", "来函建议增加夜间巡逻")
    clerk.get_by_role("button", name="登记", exact=True).dblclick()  # a double click writes one entry
    wait_idle(clerk)
    letter = _logged(clerk)
    assert len({call, visit, letter}) == 3
    after_letter = f"{letter[:-6]}{int(letter[-6:]) + 1:06d}"

    # 3. the daily view: today's entries hold all three; the register prints in Chinese
    open_page(clerk, DAILY)
    expect(clerk.get_by_role("heading", name="接待日报")).to_be_visible()
    for number in (call, visit, letter):
        expect(clerk.get_by_text(number).first).to_be_attached()  # dataframe cells (drawn on a canvas)
    expect(clerk.get_by_text(after_letter)).to_have_count(0)
    reception_desk.shot(clerk, "02_daily_view")
    with clerk.expect_download() as info:
        clerk.get_by_role("button", name="打印登记表").click()
    pdf = tmp_path / "register.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = pdftools.layout_text(pdf)
    if text is not None:
        flat = text.replace(" ", "")
        assert "客户来电来访登记表" in flat and name in flat and "赵来访" in flat
        assert call[-6:] in flat, flat[:800]
    # the first demo contact of the office, followed up: its detail and the step offered now (关闭)
    open_page(clerk, f"{DESK}?id=1")
    expect(clerk.get_by_role("heading", name=re.compile(r"JD-\d{4}-\d{6} · 来电"))).to_be_visible()
    expect(clerk.get_by_role("tab", name="关闭")).to_be_visible()
    reception_desk.shot(clerk, "03_contact_detail")
    open_page(clerk, "/reception_routed")  # 转办给我: what others routed to this clerk
    expect(clerk.get_by_role("heading", name="转办给我")).to_be_visible()
    reception_desk.shot(clerk, "04_routed_to_me")
    drawn = subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                           capture_output=True)
    assert drawn.returncode == 0 and list(tmp_path.glob("page*.png"))
