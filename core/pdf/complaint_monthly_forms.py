"""物业管理投诉月报 on A4 landscape: the consolidated table, the last 12 months, the frequent issues, overdue and
reopened complaints, exemptions and each office's rates (知识管理: the HQ 客服中心's report for the leaders)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from core import complaint_stats as rules
from core.pdf.base import FormPDF


def monthly_report(*, company: str, scope: str, month: date, number: str, table: list[rules.StatsRow],
                   trend_months: Sequence[date], trend_by_grade: dict[str, list[int]],
                   top_issues: Sequence[tuple[str, int]], overdue: int, reopened: int,
                   exemptions: Sequence[tuple[str, int]], offices: Sequence[Sequence[str]], prepared_by: str,
                   printed_at: datetime | str) -> bytes:
    pdf = FormPDF(company, "KF-TS-08 物业管理投诉月报", printed_at, landscape=True)
    pdf.title("物业管理投诉月报", f"{scope} · {month:%Y年%m月} · 编号 {number} · 编制 {prepared_by}")
    pdf.section("一、顾客投诉分类统计（汇总）")
    pdf.table(["投诉分类", *(label for _, label in rules.COLUMNS)],
              [[r.label, *(str(rules.cell(r, k)) for k, _ in rules.COLUMNS)] for r in table],
              col_widths=[16, *([6] * len(rules.COLUMNS))])
    pdf.paragraph(rules.DENOMINATORS)
    pdf.section("二、近 12 个月受理量（按分级）")
    pdf.table(["分级", *(f"{m:%y.%m}" for m in trend_months)],
              [[label, *(str(n) for n in counts)] for label, counts in trend_by_grade.items()],
              col_widths=[10, *([7] * len(trend_months))])
    pdf.section("三、本月集中反映的问题")
    pdf.table(["问题", "件数"], [[t, str(n)] for t, n in top_issues] or [["（无）", "0"]], col_widths=[85, 15])
    pdf.section("四、超期、重新处理与免回访")
    pdf.kv_grid([("处理超期", f"{overdue} 件"), ("重新处理", f"{reopened} 件"),
                 ("免回访", "，".join(f"{k} {n} 件" for k, n in exemptions) or "无")], columns=3)
    pdf.section("五、各管理处回访率与满意率")
    pdf.table(["管理处", "本月受理", "已结案", "结案率", "回访率", "满意率"], [list(o) for o in offices],
              col_widths=[30, 14, 14, 14, 14, 14])
    return pdf.output_bytes()
