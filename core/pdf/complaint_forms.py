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
    # time, by, method, person, satisfaction, comment, follow-up action (投诉回访 第4条)
    callbacks: list[tuple[str, str, str, str, str, str, str]] = field(default_factory=list)
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
    rows = [list(cb) for cb in data.callbacks] or [["", "", "", "", "", "", ""]]
    pdf.table(["回访时间", "回访人", "方式", "受访人", "满意度", "顾客意见", "后续措施"], rows,
              col_widths=[19, 10, 8, 10, 9, 24, 20])
    if data.exemption:
        pdf.section("免回访认定")
        pdf.paragraph(data.exemption)
    pdf.paragraph("说明：顾客不满意的，投诉重新进入处理流程（《顾客投诉处理制度(投诉回访)》第5条）。")
    pdf.signature_lines(["回访人", "客服主任", "管理处主任"])
    return pdf.output_bytes()


def _basics(pdf: FormPDF, data: SheetData) -> None:
    pdf.kv_grid([
        ("管理处", data.office), ("房屋", data.property_label or "—"),
        ("投诉人", data.complainant), ("投诉人数", str(data.complainant_count)),
        ("分类", data.category), ("受理时间", data.received_at),
        ("投诉类别", f"{data.grade}（{data.grade_source}）"), ("当前状态", data.state),
        ("责任部门", data.department or "—"), ("责任人", data.handler or "—"),
        ("类别依据", data.grade_reason),
    ])


@dataclass(frozen=True)
class ExpressData:
    """One 快报 of an open 重大 complaint (投诉通报处理制度 二.1: at least weekly and on significant change)."""

    sheet: SheetData
    issue: int
    sent_at: str
    text: str  # 本期进展 / 下一步
    changes: list[tuple[str, str, str]]  # significant changes: time, who, note
    next_due: str
    citation: str


def express_bulletin(data: ExpressData, *, company: str, printed_at: datetime | str) -> bytes:
    pdf = FormPDF(company, "KF-TS-03 重大投诉快报", printed_at)
    pdf.title("重大投诉快报", f"第 {data.issue} 期 · 投诉编号 {data.sheet.number} · 报送时间 {data.sent_at}")
    _basics(pdf, data.sheet)
    pdf.section("一、投诉概况")
    pdf.paragraph(data.sheet.description)
    pdf.section("二、本期进展及下一步")
    pdf.paragraph(data.text)
    pdf.section("三、重大变化")
    if data.changes:
        pdf.table(["时间", "经办人", "变化"], [list(c) for c in data.changes], col_widths=[22, 14, 64])
    else:
        pdf.paragraph("本期无重大变化。")
    pdf.section("四、下次快报")
    pdf.paragraph(f"下次快报应于 {data.next_due} 前报送总部客服中心（{data.citation}）。")
    pdf.signature_lines(["报送人", "管理处主任"])
    return pdf.output_bytes()


@dataclass(frozen=True)
class SpecialData:
    """专题报告 after closing: 重大 three parts (A/B/C), 热点 brief (A only)."""

    sheet: SheetData
    kind: str  # three_part | brief
    part_a: str
    part_b: str
    part_c: str
    written_at: str
    timeline: list[tuple[str, str, str]] = field(default_factory=list)


def special_report(data: SpecialData, *, company: str, printed_at: datetime | str) -> bytes:
    three = data.kind == "three_part"
    pdf = FormPDF(company, "KF-TS-04 投诉专题报告", printed_at)
    pdf.title("重大投诉专题报告" if three else "热点投诉专题报告（简要）",
              f"投诉编号 {data.sheet.number} · 报送时间 {data.written_at}")
    _basics(pdf, data.sheet)
    pdf.section("一、投诉的全过程及处理情况" if three else "投诉始末")
    pdf.paragraph(data.part_a)
    if three:
        pdf.section("二、投诉产生及升级的原因")
        pdf.paragraph(data.part_b)
        pdf.section("三、防止再次发生的措施")
        pdf.paragraph(data.part_c)
    if data.timeline:
        pdf.section("附：处理时间线")
        pdf.table(["时间", "经办人", "记录"], [list(t) for t in data.timeline], col_widths=[22, 14, 64])
    pdf.paragraph("依据《顾客投诉处理制度(投诉通报处理制度)》二：重大投诉处理结束后写出详细专题报告（全过程及处理、"
                  "产生及升级原因、防止再发措施）；热点投诉处理结束后写出简要专题报告。")
    pdf.signature_lines(["撰写人", "管理处主任", "客服中心"])
    return pdf.output_bytes()


@dataclass(frozen=True)
class BulletinEntry:
    number: str
    office: str
    grade: str
    category: str
    title: str
    account: str
    callback: str
    reasons: str = ""


@dataclass(frozen=True)
class BulletinData:
    scope: str
    period: str
    received: int
    closed: int
    by_grade: dict[str, int]
    callbacks: int
    satisfied: int
    important: list[BulletinEntry]
    notable: list[BulletinEntry]
    citation: str
    important_total: int = 0  # all 重要 complaints closed in the period (``important`` may list fewer)
    cases: list[tuple[str, str, str, str]] = field(default_factory=list)  # (number · office, class · category, summary, lessons)
    quarter: list[list[str]] | None = None  # the quarterly analysis: a row per category (see QUARTER_HEADERS)


QUARTER_HEADERS = ["投诉分类", "受理", "重大", "重要", "热点", "一般", "结案率", "回访率", "满意率", "上季度", "环比"]


def quality_bulletin(data: BulletinData, *, company: str, printed_at: datetime | str) -> bytes:
    pdf = FormPDF(company, "KF-TS-05 投诉质量简报", printed_at)
    pdf.title("投诉质量简报", f"{data.period} · {data.scope}")
    rate = f"{data.satisfied / data.callbacks:.0%}" if data.callbacks else "—"
    pdf.kv_grid([
        ("本期受理", f"{data.received} 件"), ("本期结案", f"{data.closed} 件"),
        ("受理类别", "，".join(f"{k} {v}" for k, v in data.by_grade.items())),
        ("结案回访", f"{data.callbacks} 件，满意及基本满意 {rate}"),
    ])
    total = max(data.important_total, len(data.important))
    pdf.section(f"一、重要投诉（{total} 件）")
    if not data.important:
        pdf.paragraph("本期无结案的重要投诉。")
    for i, e in enumerate(data.important, start=1):
        pdf.paragraph(f"{i}. {e.number} {e.title}（{e.office}·{e.category}）\n{e.account}\n回访：{e.callback}")
    if total > len(data.important):
        pdf.paragraph(f"以上列出前 {len(data.important)} 件，其余 {total - len(data.important)} 件见投诉列表导出（按结案时间）。")
    pdf.section(f"二、一般投诉点评（{len(data.notable)} 件）")
    if data.notable:
        pdf.table(["编号", "管理处", "摘要", "值得关注之处", "回访"],
                  [[e.number, e.office, e.title, e.reasons, e.callback] for e in data.notable],
                  col_widths=[18, 16, 30, 26, 10])
    else:
        pdf.paragraph("本期一般投诉无需特别点评。")
    pdf.section(f"三、参考案例（{len(data.cases)} 件，本期发布于案例库）")
    if data.cases:
        pdf.table(["案例", "类别", "概要", "经验教训"], [list(c) for c in data.cases], col_widths=[20, 16, 34, 30])
    else:
        pdf.paragraph("本期案例库未发布新案例。")
    if data.quarter is not None:
        pdf.section("四、季度投诉分析（总部客服中心）")
        pdf.table(QUARTER_HEADERS, data.quarter, col_widths=[16, *([8.4] * (len(QUARTER_HEADERS) - 1))])
        pdf.paragraph("按受理时间统计本季度全部投诉，分级为季末时的分级，与上一季度比较；结案率、回访率、满意率口径同《顾客投诉分类统计表》。")
    pdf.paragraph(f"说明：重要投诉结案后在质量简报中单列并简述；一般投诉中有参考价值的予以点评（{data.citation}）。")
    pdf.signature_lines(["编制", "审核"])
    return pdf.output_bytes()
