"""Pass PDFs: the card shows the Chinese name and the number, and its Code 39 barcode decodes (zbarimg, from a
300 dpi rendering) to the pass number; the register shows its title, the number and the name."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from core.pdf.pass_forms import CardData, RegisterRow, barcode_text, issue_register, pass_card
from tests import pdftools


def text_of(pdf: bytes, tool: str) -> str:
    return subprocess.run([tool, "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()

CARD = CardData("CR-2026-000123", "临时出入证", "张建国", "3301**********1234", "美居装饰", "东方家园 3幢 1单元 502",
                "装修", "2026-11-27", "2026-12-31", "东方家园管理处")


def test_barcode_text_has_start_and_stop():
    assert barcode_text("cr-2026-1") == "*CR-2026-1*"


def test_card_shows_name_and_number(pdftotext_required):
    text = text_of(pass_card(CARD, company="示范物业公司", printed_at="2026-11-27 10:00"), pdftotext_required)
    assert "张建国" in text and "CR-2026-000123" in text and "示范物业公司" in text


@pytest.mark.skipif(not pdftools.in_ci() and not (shutil.which("zbarimg") and shutil.which("pdftoppm")),
                    reason="zbar-tools / poppler missing (in CI the test runs and fails without them)")
def test_card_barcode_decodes_to_the_number(tmp_path):
    pdf = tmp_path / "card.pdf"
    pdf.write_bytes(pass_card(CARD, company="示范物业公司", printed_at="2026-11-27 10:00"))
    subprocess.run(["pdftoppm", "-png", "-r", "300", str(pdf), str(tmp_path / "card")], check=True)
    png = next(tmp_path.glob("card*.png"))
    out = subprocess.run(["zbarimg", "-q", str(png)], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "CODE-39:CR-2026-000123"


def test_register_shows_title_number_and_name(pdftotext_required):
    row = RegisterRow("CR-2026-000123", "临时出入证", "张建国", "3301**********1234", "美居装饰", "东方家园 3幢",
                      "施工单位负责人 李工头", "2026-11-27", "2026-12-31", "¥0.00", "¥50.00", "SJ1", "", "押金在押", "",
                      "王前台")
    text = text_of(issue_register([row], company="示范物业公司", office="东方家园管理处", period="2026-11",
                                  printed_at="2026-11-27 10:00"), pdftotext_required)
    assert "出入证发放登记表" in text and "CR-2026-000123" in text.replace("\n", "") and "张建国" in text
