"""Printable reception forms: the daily 《客户来电来访登记表》 (客户来电、来访、来函处理作业规定, D1).

The fields in the order domain-rules §1 lists them (channel, received, customer, unit/room, phone, content,
category, handler, routed to, result, callback needed, callback at, closed at), on A4 landscape with the company
header. Pure: callers pass plain rows and the print time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from core.pdf.base import FormPDF

COLUMNS = ("编号", "渠道", "受理时间", "客户", "房屋", "电话", "内容", "分类", "接待人", "转办", "处理结果", "需回电",
           "回电时间", "关闭时间")
WIDTHS = (11.5, 4, 5, 6, 9, 10, 13.5, 6, 5, 6, 10, 4, 5, 5)


@dataclass(frozen=True)
class RegisterLine:
    number: str
    channel: str
    received_at: str
    customer: str
    room: str
    phone: str
    content: str
    category: str
    handler: str
    routed_to: str
    result: str
    callback_needed: str
    callback_at: str
    closed_at: str

    def cells(self) -> list[str]:
        return [self.number, self.channel, self.received_at, self.customer, self.room, self.phone, self.content,
                self.category, self.handler, self.routed_to, self.result, self.callback_needed, self.callback_at,
                self.closed_at]


def daily_register(lines: Sequence[RegisterLine], *, company: str, office: str, day: str, printed_at: datetime | str,
                   total: int | None = None, clerk: str = "") -> bytes:
    pdf = FormPDF(company, "KF-JD-01 客户来电来访登记表", printed_at, landscape=True)
    subtitle = f"{office}　{day}" + (f"　接待：{clerk}" if clerk else "")
    pdf.title("客户来电来访登记表", subtitle)
    rows = [line.cells() for line in lines] or [["（当日无登记）", *[""] * (len(COLUMNS) - 1)]]
    pdf.table(COLUMNS, rows, col_widths=WIDTHS)
    shown = len(lines)
    if total is not None and total > shown:
        pdf.paragraph(f"共 {total} 条，本表列出前 {shown} 条；其余请按条件导出 Excel。")
    else:
        pdf.paragraph(f"共 {shown} 条。")
    pdf.signature_lines(["登记人", "客服主任审核"])
    return pdf.output_bytes()
