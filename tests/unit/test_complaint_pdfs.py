"""Complaint PDFs (投诉处理单, 投诉回访记录表): Chinese text extracts in order, every glyph is covered."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from core.pdf.complaint_forms import SheetData, callback_record, complaint_sheet
from tests.pdftools import needs_pdftotext
from tests.unit.test_pdf_base import pdf_text

DATA = SheetData(
    number="TS-2026-000123", office="东方家园管理处", property_label="东方苑 3幢 1单元 502", complainant="王业主 138****5678",
    complainant_count=4, channel="来访", category="环境清洁绿化", grade="热点", grade_source="制度判定",
    grade_reason="3人以上集体投诉（4人） → 热点，依据《顾客投诉处理制度(投诉通报处理制度)》一.2",
    occurred_at="2026-11-26 20:52", received_at="2026-11-27 09:05", due_at="2026-12-02 09:05", department="环境部",
    handler="李前台", title="北门垃圾站异味严重", description="北门垃圾站异味严重，清运不及时。" * 6,
    handling_result="已清运并消毒", verified="验证合格：2026-11-27 14:05 王主管", state="已回访",
    timeline=[("2026-11-27 09:05", "李前台", "受理登记（来访，环境清洁绿化）")] * 3,
    callbacks=[("2026-11-28 10:00", "赵组长", "电话", "王业主", "满意", "处理及时", "一周后复查垃圾站")],
)


@needs_pdftotext
def test_complaint_sheet_text(tmp_path):
    text = pdf_text(complaint_sheet(DATA, company="物业服务有限公司", printed_at="2026-11-27 15:00"), tmp_path)
    for expected in ["顾客投诉处理单", "编号TS-2026-000123", "投诉类别热点（制度判定）", "一.2", "二、处理过程",
                     "验证合格：2026-11-2714:05王主管", "验证人(客服主任)："]:
        assert expected in text, expected


@needs_pdftotext
def test_callback_record_text(tmp_path):
    text = pdf_text(callback_record(DATA, company="物业服务有限公司", printed_at="2026-11-27 15:00"), tmp_path)
    for expected in ["投诉回访记录表", "赵组长", "满意", "处理及时", "回访人：", "后续措施", "一周后复查垃圾站"]:
        assert expected in text, expected


@needs_pdftotext
def test_complaint_sheets_rendered_concurrently(tmp_path):
    """Several users print 投诉处理单 at once: every sheet holds its own complaint, embedded as two cut fonts."""
    people = ["王业主", "李业主", "张业主", "赵业主", "孙业主", "周业主"]

    def render(i: int) -> bytes:
        data = replace(DATA, number=f"TS-2026-{i:06d}", complainant=people[i], handling_result=f"{people[i]}的问题已处理")
        return complaint_sheet(data, company="物业服务有限公司", printed_at="2026-11-27 15:00")

    with ThreadPoolExecutor(len(people)) as pool:
        sheets = list(pool.map(render, range(len(people))))
    for i, sheet in enumerate(sheets):
        assert sheet.count(b"/FontFile2") == 2 and len(sheet) < 100_000  # regular + bold, only the used glyphs
        out = tmp_path / str(i)
        out.mkdir()
        text = pdf_text(sheet, out)
        assert f"编号TS-2026-{i:06d}" in text and f"{people[i]}的问题已处理" in text, i
        assert not any(p in text for p in people if p != people[i]), i
