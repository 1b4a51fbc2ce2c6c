"""《顾客投诉分类统计表》 on A4 landscape: the company header, the month and 管理处, one row per category (知识管理 第2条)."""

from __future__ import annotations

from datetime import date, datetime

from core import complaint_stats as rules
from core.pdf.base import FormPDF


def stats_number(month: date, office_code: str) -> str:
    """The table's number as printed and exported: month and 管理处 code (``TJ-202610-S01``; ``ALL`` consolidated)."""
    return f"TJ-{month:%Y%m}-{office_code or 'ALL'}"


def stats_table(rows: list[rules.StatsRow], *, company: str, scope: str, month: date, number: str, prepared_by: str,
                status_line: str, due_line: str, printed_at: datetime | str) -> bytes:
    pdf = FormPDF(company, "KF-TS-06 顾客投诉分类统计表", printed_at, landscape=True)
    pdf.title("顾客投诉分类统计表", f"{scope} · {month:%Y年%m月} · 编号 {number}")
    pdf.kv_grid([("统计单位", scope), ("统计月份", f"{month:%Y年%m月}"), ("制表/报送", prepared_by),
                 ("状态", status_line)], columns=2)
    headers = ["投诉分类", *(label for _, label in rules.COLUMNS)]
    body = [[r.label, *(str(rules.cell(r, key)) for key, _ in rules.COLUMNS)] for r in rows]
    pdf.table(headers, body, col_widths=[16, *([6] * len(rules.COLUMNS))])
    pdf.paragraph(rules.DENOMINATORS)
    pdf.paragraph(f"报送期限：{due_line}（{rules.CLAUSE}）")
    return pdf.output_bytes()
