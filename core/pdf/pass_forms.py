"""Printable pass forms (《小区出入证管理规定》): the pass itself as a card with its number as a Code 39 barcode
(a handheld scanner at the gate types it into the lookup), and the 《施工、装饰人员出入证发放登记表》 register, its
fields in the order domain-rules §2 lists them (A4 landscape, the company header).

Pure: callers pass plain data and the print time; no database, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple, dataclass
from datetime import datetime

from core.pdf.base import FAMILY, FormPDF

CARD_W, CARD_H = 100.0, 66.0  # mm, cut out along the frame
BAR_NARROW = 0.25  # mm: 3 px at 300 dpi, read by handheld scanners and zbarimg


@dataclass(frozen=True)
class CardData:
    number: str
    type_label: str
    holder_name: str
    id_masked: str
    employer: str
    rooms: str
    purpose: str
    valid_from: str
    valid_to: str
    office: str


def barcode_text(number: str) -> str:
    """Code 39 with its start/stop characters (fpdf2 does not add them)."""
    return f"*{number.upper()}*"


def pass_card(data: CardData, *, company: str, printed_at: datetime | str) -> bytes:
    pdf = FormPDF(company, "KF-CR-01 出入证", printed_at)
    x0, y0 = pdf.l_margin, pdf.t_margin + 2
    pdf.set_line_width(0.4)
    pdf.rect(x0, y0, CARD_W, CARD_H)
    pdf.set_xy(x0, y0 + 2)
    pdf.set_font(FAMILY, "B", 13)
    pdf.cell(CARD_W, 7, f"{data.office} {data.type_label}", align="C")
    lines = [("编号", data.number), ("持证人", data.holder_name), ("证件号", data.id_masked),
             ("单位", data.employer or "—"), ("房屋", data.rooms), ("事由", data.purpose),
             ("有效期", f"{data.valid_from} 至 {data.valid_to}")]
    y = y0 + 10
    for label, value in lines:
        pdf.set_xy(x0 + 3, y)
        pdf.set_font(FAMILY, "B", 9)
        pdf.cell(14, 4.6, label)
        pdf.set_font(FAMILY, "", 9)
        pdf.cell(CARD_W - 20, 4.6, value[:40])
        y += 4.6
    text = barcode_text(data.number)
    width = len(text) * (3 * 3 * BAR_NARROW + 7 * BAR_NARROW)  # per character: 3 wide (3×), 6 narrow, 1 gap
    pdf.code39(text, x=x0 + (CARD_W - width) / 2, y=y0 + CARD_H - 15, w=3 * BAR_NARROW, h=9)
    pdf.set_xy(x0, y0 + CARD_H - 5.5)
    pdf.set_font(FAMILY, "", 7)
    pdf.cell(CARD_W, 4, "本证限本人使用，不得转借、涂改；遗失请即挂失；到期请退证或续期。", align="C")
    pdf.set_y(y0 + CARD_H + 6)
    pdf.set_font(FAMILY, "", 9)
    pdf.paragraph("沿边框剪下使用。凭出入证和押金收据办理退证、退押金（《小区出入证管理规定》第7条）。")
    return pdf.output_bytes()


# 《施工、装饰人员出入证发放登记表》: the register's fields in the order domain-rules §2 lists them.
REGISTER_HEADERS = ("出入证编号", "类型", "持证人", "证件号", "施工单位/装修公司", "服务房屋", "申请人", "发证日期",
                    "有效期至", "工本费", "押金", "收据号", "退证日期", "押金处理", "原因", "经办人")
REGISTER_WIDTHS = (25, 11, 11, 21, 14, 18, 14, 16, 16, 10, 11, 14, 16, 11, 11, 9)  # fits 8 pt on A4 landscape


@dataclass(frozen=True)
class RegisterRow:
    number: str
    type_label: str
    holder_name: str
    id_masked: str
    employer: str
    rooms: str
    applicant: str
    issued_on: str
    valid_to: str
    fee: str
    deposit: str
    receipt_no: str
    returned_on: str
    deposit_state: str
    reason: str
    issued_by: str

    def cells(self) -> tuple[str, ...]:
        return astuple(self)


def issue_register(rows: Sequence[RegisterRow], *, company: str, office: str, period: str,
                   printed_at: datetime | str) -> bytes:
    pdf = FormPDF(company, "KF-CR-02 出入证发放登记表", printed_at, landscape=True)
    pdf.title("施工、装饰人员出入证发放登记表", f"{office}　{period}　共 {len(rows)} 张")
    pdf.table(REGISTER_HEADERS, [r.cells() for r in rows] or [[""] * len(REGISTER_HEADERS)],
              col_widths=REGISTER_WIDTHS, font_size=8)
    pdf.signature_lines(["登记人", "管理处主任"])
    return pdf.output_bytes()
