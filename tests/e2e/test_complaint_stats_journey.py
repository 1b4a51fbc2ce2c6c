"""投诉分类统计表 in the browser (issue 15 item 1): a 管理处主任 generates last month's table for her office, submits
it, and opens the PDF (Chinese text and the table's number); headquarters sees the office as submitted."""

from __future__ import annotations

import re

import pytest

from tests import pdftools
from tests.e2e.browser import choose, click, no_error, open_page

pytestmark = pytest.mark.e2e


def test_director_generates_submits_and_prints_last_months_table(desk, tmp_path, names):
    director = desk("director2")  # the demo leaves last month's table of office 2 to submit
    open_page(director, "/complaints_stats")
    main = director.get_by_test_id("stMain")
    office = re.search(r"(\S+管理处)：待报送", main.inner_text())
    assert office, main.inner_text()[:400]
    click(director, "生成统计表")
    no_error(director)
    assert "按当时记录生成（未冻结）" in main.inner_text()  # the table itself is a canvas (st.dataframe)
    desk.shot(director, "stats_01_generated")
    click(director, "报送统计表")
    no_error(director)
    assert "已报送第 1 版" in main.inner_text() and "已冻结" in main.inner_text()
    with director.expect_download() as info:  # one click renders and downloads (ui.pdf.pdf_button)
        director.get_by_role("button", name="打印 PDF：投诉分类统计表").click()
    pdf = tmp_path / "stats.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = pdftools.layout_text(pdf)  # None only locally without pdftotext; CI fails instead
    if text is not None:
        assert "顾客投诉分类统计表" in text and "TJ-" in text and names["director2"] in text, text[:600]
    desk.shot(director, "stats_02_submitted")

    hq = desk("hq_kf")
    open_page(hq, "/complaints_stats")
    choose(hq, "管理处（全部 = 全公司汇总）", office.group(1))
    assert f"{office.group(1)}：已报送" in hq.get_by_test_id("stMain").inner_text()
    desk.shot(hq, "stats_03_hq")
