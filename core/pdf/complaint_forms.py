"""Printable complaint forms: 投诉处理单 and 投诉回访记录表 (顾客投诉处理制度: 投诉回访 第4条).

Pure: callers pass plain data (``SheetData``) and the print time; no database, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core.pdf.base import FormPDF


@dataclass(frozen=True)
class SheetData:
    number: str
    office: str
    property_label: str
    complainant: str
    complainant_count: int
    channel: str
    category: str
    grade: str
    grade_source: str
    grade_reason: str  # trigger → class, citation
    occurred_at: str
    received_at: str
    due_at: str
    department: str
    handler: str
    title: str
    description: str
    handling_result: str = ""
    verified: str = ""  # "2026-11-27 14:05 王主管"
    state: str = ""
    timeline: list[tuple[str, str, str]] = field(default_factory=list)  # time, who, note
    callbacks: list[tuple[str, str, str, str, str, str]] = field(default_factory=list)  # time, by, method, person, satisfaction, comment
    exemption: str = ""
    callback_due: str = ""


def complaint_sheet(data: SheetData, *, company: str, printed_at: datetime | str) -> bytes:
    pdf = FormPDF(company, "KF-TS-01 投诉处理单", printed_at)
    pdf.title("顾客投诉处理单", f"编号 {data.number}")
    pdf.kv_grid([
        ("管理处", data.office), ("房屋", data.property_label or "—"),
        ("投诉人", data.complainant), ("投诉人数", str(data.complainant_count)),
        ("渠道", data.channel), ("分类", data.category),
        ("发生时间", data.occurred_at), ("受理时间", data.received_at),
        ("投诉类别", f"{data.grade}（{data.grade_source}）"), ("处理期限", data.due_at or "—"),
        ("责任部门", data.department or "—"), ("责任人", data.handler or "—"),
        ("类别依据", data.grade_reason),
    ])
    pdf.section("一、投诉内容")
    pdf.paragraph(f"{data.title}\n{data.description}" if data.title and data.title != data.description else data.description)
    pdf.section("二、处理过程")
    if data.timeline:
        pdf.table(["时间", "经办人", "记录"], [list(t) for t in data.timeline], col_widths=[22, 14, 64])
    pdf.section("三、处理结果")
    pdf.paragraph(data.handling_result or "（未填写）")
    pdf.section("四、验证")
    pdf.paragraph(data.verified or "验证结论：□合格  □不合格")
    pdf.paragraph(f"当前状态：{data.state}")
    pdf.signature_lines(["受理人", "处理人", "验证人(客服主任)"])
    return pdf.output_bytes()


def callback_record(data: SheetData, *, company: str, printed_at: datetime | str) -> bytes:
    pdf = FormPDF(company, "KF-TS-02 投诉回访记录表", printed_at)
    pdf.title("投诉回访记录表", f"投诉编号 {data.number}")
    pdf.kv_grid([
        ("管理处", data.office), ("房屋", data.property_label or "—"),
        ("投诉人", data.complainant), ("投诉类别", data.grade),
        ("验证", data.verified or "—"), ("回访期限", data.callback_due or "—"),
        ("投诉摘要", data.title),
    ])
    pdf.section("回访记录")
    rows = [list(cb) for cb in data.callbacks] or [["", "", "", "", "", ""]]
    pdf.table(["回访时间", "回访人", "方式", "受访人", "满意度", "顾客意见"], rows, col_widths=[20, 12, 8, 12, 12, 36])
    if data.exemption:
        pdf.section("免回访认定")
        pdf.paragraph(data.exemption)
    pdf.paragraph("说明：顾客不满意的，投诉重新进入处理流程（《顾客投诉处理制度(投诉回访)》第5条）。")
    pdf.signature_lines(["回访人", "客服主任", "管理处主任"])
    return pdf.output_bytes()
