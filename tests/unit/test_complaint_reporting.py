"""通报 rules (投诉通报处理制度 二): 快报 timing and refusals, 专题报告 kinds and required parts, 质量简报 notability;
and the PDFs of 快报, 专题报告 and 质量简报 (Chinese text extracts, every glyph covered)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from core import complaints as r
from core.complaints import ClosedCase, Grade, Satisfaction
from core.errors import DomainError
from core.pdf import complaint_forms as forms
from core.policy import resolve
from tests.pdftools import needs_pdftotext
from tests.unit.test_complaint_pdfs import DATA
from tests.unit.test_pdf_base import pdf_text

T0 = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def book(**overrides):
    policy = resolve([], version=0, at=T0)
    return replace(policy, values={**policy.values, **overrides})


def test_express_is_due_a_policy_period_after_the_last_one():
    assert r.express_due(T0, book()) == T0 + timedelta(days=7)
    every_three = book(**{"complaint.express_bulletin_every": {"amount": 3, "unit": "days"}})
    assert r.express_due(T0, every_three) == T0 + timedelta(days=3)


def test_express_needs_this_periods_progress():
    with pytest.raises(DomainError, match="本期进展"):
        r.check_express("  ")
    r.check_express("本周已完成排水泵更换")


def test_special_report_kind_and_required_parts():
    parts = dict(part_a="经过", part_b="原因", part_c="措施")
    assert r.check_special_report(Grade.MAJOR, **parts) == "three_part"
    assert r.check_special_report(Grade.HOT, part_a="始末", part_b="", part_c="") == "brief"
    for missing in ("part_a", "part_b", "part_c"):
        with pytest.raises(DomainError, match=r.SPECIAL_PARTS[missing]):
            r.check_special_report(Grade.MAJOR, **{**parts, missing: " "})


@pytest.mark.parametrize(("case", "reasons"), [
    (ClosedCase(Grade.GENERAL), []),
    (ClosedCase(Grade.GENERAL, callback_satisfaction=Satisfaction.SATISFIED), []),
    (ClosedCase(Grade.GENERAL, callback_satisfaction=Satisfaction.BASIC), ["回访仅基本满意"]),
    (ClosedCase(Grade.GENERAL, reopen_count=2), ["回访不满意或二次投诉重新处理 2 次"]),
    (ClosedCase(Grade.GENERAL, consulted=True, closed_late=True), ["曾请专业顾问支持", "超过处理期限"]),
])
def test_notable_general_complaints(case, reasons):
    assert r.notable_reasons(case) == reasons


@needs_pdftotext
def test_express_bulletin_pdf(tmp_path):
    data = forms.ExpressData(sheet=DATA, issue=2, sent_at="2026-12-04 10:00", text="本期进展：已更换排水泵\n下一步：加装挡水坎",
                             changes=[("2026-12-01 09:00", "王主管", "类别 热点 → 重大（制度判定：已被媒体曝光）")],
                             next_due="2026-12-11 10:00", citation=r.C_EXPRESS)
    text = pdf_text(forms.express_bulletin(data, company="物业服务有限公司", printed_at="2026-12-04 10:05"), tmp_path)
    for expected in ["重大投诉快报", "第2期", "TS-2026-000123", "已更换排水泵", "已被媒体曝光",
                     "下次快报应于2026-12-1110:00前报送总部客服中心", "二.1"]:
        assert expected in text, expected


@needs_pdftotext
def test_special_report_pdf_three_parts_and_brief(tmp_path):
    three = forms.SpecialData(sheet=DATA, kind="three_part", part_a="全过程𠮷", part_b="排水泵老化未及时更换",
                              part_c="每月巡检排水泵", written_at="2026-12-10 09:00", timeline=DATA.timeline)
    text = pdf_text(forms.special_report(three, company="物业服务有限公司", printed_at="2026-12-10 09:05"), tmp_path)
    for expected in ["重大投诉专题报告", "一、投诉的全过程及处理情况", "全过程𠮷", "二、投诉产生及升级的原因",
                     "排水泵老化未及时更换", "三、防止再次发生的措施", "每月巡检排水泵", "附：处理时间线"]:
        assert expected in text, expected
    brief = forms.SpecialData(sheet=DATA, kind="brief", part_a="始末", part_b="", part_c="", written_at="2026-12-10")
    text = pdf_text(forms.special_report(brief, company="物业服务有限公司", printed_at="2026-12-10 09:05"), tmp_path)
    assert "热点投诉专题报告（简要）" in text and "投诉始末" in text and "二、投诉产生及升级的原因" not in text


@needs_pdftotext
def test_quality_bulletin_pdf(tmp_path):
    entry = forms.BulletinEntry("TS-2026-000200", "东方家园管理处", "重要", "工程维修", "电梯困人",
                                "电梯困人20分钟；处理：更换门机板", "满意")
    notable = forms.BulletinEntry("TS-2026-000201", "康乐苑管理处", "一般", "环境清洁绿化", "楼道灯", "x", "基本满意",
                                  "回访仅基本满意")
    data = forms.BulletinData(scope="全部（我的范围）", period="2026-11-01至2026-11-30", received=40, closed=35,
                              by_grade={"重大": 1, "热点": 3, "重要": 6, "一般": 30}, callbacks=30, satisfied=27,
                              important=[entry], notable=[notable], citation=r.cite("D14", "二"))
    text = pdf_text(forms.quality_bulletin(data, company="物业服务有限公司", printed_at="2026-12-01 09:00"), tmp_path)
    for expected in ["投诉质量简报", "2026-11-01至2026-11-30", "本期受理40件", "重大1，热点3，重要6，一般30",
                     "满意及基本满意90%", "一、重要投诉（1件）", "电梯困人", "更换门机板", "二、一般投诉点评（1件）",
                     "回访仅基本满意"]:
        assert expected in text, expected
    empty = forms.BulletinData(scope="东方家园管理处", period="2026-10", received=0, closed=0, by_grade={}, callbacks=0,
                               satisfied=0, important=[], notable=[], citation="")
    text = pdf_text(forms.quality_bulletin(empty, company="物业服务有限公司", printed_at="2026-12-01 09:00"), tmp_path)
    assert "本期无结案的重要投诉" in text and "满意及基本满意—" in text
    capped = forms.BulletinData(scope="全部（我的范围）", period="2026-11", received=150, closed=150, by_grade={},
                                callbacks=0, satisfied=0, important=[entry], notable=[], citation="", important_total=120)
    text = pdf_text(forms.quality_bulletin(capped, company="物业服务有限公司", printed_at="2026-12-01 09:00"), tmp_path)
    assert "一、重要投诉（120件）" in text and "以上列出前1件，其余119件见投诉列表导出" in text
