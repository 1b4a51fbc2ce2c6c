"""The office-visitor incident's printable record: 来访接待登记表/事件记录 (来访接待流程, domain-rules §20).

The fields in the order §20 lists them (time, visitors, number of people, class, issue, who received them, actions,
outcome, follow-up), on A4 under the company header. Pure: callers pass plain data and the print time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core.pdf.base import FormPDF


@dataclass(frozen=True)
class IncidentSheet:
    number: str
    office: str = ""
    arrived_at: str = ""
    visitor: str = ""  # name, phone, room
    people: str = ""  # "12人（代表 3人）"
    visit_class: str = ""  # "A类：definition"
    purpose: str = ""
    received: str = ""  # "2026-11-27 10:05 王主任"
    escalations: str = ""
    script: str = ""  # the actions the class's script asks for
    outcome: str = ""
    follow_up: str = ""
    report: str = ""
    complaint: str = ""
    state: str = ""
    timeline: list[tuple[str, str, str]] = field(default_factory=list)  # time, who, note


def incident_form(data: IncidentSheet, *, company: str, printed_at: datetime | str) -> bytes:
    pdf = FormPDF(company, "KF-LF-01 来访接待登记表", printed_at)
    pdf.title("来访接待登记表（事件记录）", f"编号 {data.number}")
    pdf.kv_grid([
        ("管理处", data.office), ("来访时间", data.arrived_at),
        ("来访人", data.visitor), ("人数", data.people),
        ("事件分类", data.visit_class), ("当前状态", data.state),
    ], columns=1)
    pdf.section("一、来访事由")
    pdf.paragraph(data.purpose or "（未填写）")
    pdf.section("二、接待与上报")
    pdf.kv_grid([("接待人", data.received or "—"), ("上报", data.escalations or "—"),
                 ("转为投诉", data.complaint or "—")], columns=1)
    pdf.section("三、应对措施")
    pdf.paragraph(data.script or "—")
    if data.timeline:
        pdf.table(["时间", "经办人", "记录"], [list(t) for t in data.timeline], col_widths=[22, 14, 64])
    pdf.section("四、处理结果")
    pdf.paragraph(data.outcome or "（未填写）")
    pdf.section("五、跟进")
    pdf.paragraph(data.follow_up or "—")
    if data.report:
        pdf.section("六、书面事件报告")
        pdf.paragraph(data.report)
    pdf.signature_lines(["登记人", "接待人", "客服主任"])
    return pdf.output_bytes()
