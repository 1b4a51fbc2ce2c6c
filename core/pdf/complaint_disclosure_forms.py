"""投诉处理情况公示 on A4: the company header, the 管理处 and month, the complaints about common areas, disputes
between owners and shared problems with how they were handled — anonymised (顾客投诉规范 第1–3条)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from core.complaint_disclosure import C_PERSONAL, CLAUSE
from core.pdf.base import FormPDF


def disclosure_notice(*, items: Sequence[tuple[str, str, str, str, str]], company: str, office: str, month: date,
                      number: str, printed_at: datetime | str) -> bytes:
    pdf = FormPDF(company, "KF-TS-07 投诉处理情况公示", printed_at)
    pdf.title(f"{office}投诉处理情况公示", f"{month:%Y年%m月} · 编号 {number}")
    pdf.paragraph(f"尊敬的各位业主、住户：现将{month:%Y年%m月}本管理处受理的涉及公共区域与公共利益、业主之间纠纷及共性问题的"
                  f"投诉处理情况公示如下（{CLAUSE}）。涉及个人的投诉不予公示（{C_PERSONAL}）。如有意见，欢迎致电或到访管理处。")
    if items:
        pdf.table(["编号", "分类", "投诉事项", "处理情况", "状态"], [list(i) for i in items], col_widths=[17, 12, 30, 31, 10])
    else:
        pdf.paragraph("本月无需要公示的投诉。")
    pdf.paragraph(f"{office}　{printed_at if isinstance(printed_at, str) else f'{printed_at:%Y年%m月%d日}'}")
    return pdf.output_bytes()
