"""Issue 15 rules: 《顾客投诉分类统计表》 (core.complaint_stats) and the case library (core.complaint_cases)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from core import complaint_stats as rules
from core import policy as book
from core.errors import DomainError


def _book(**values) -> book.PolicyBook:
    policy = book.resolve([], version=0, at=datetime(2026, 11, 1, tzinfo=UTC))
    return replace(policy, values={**policy.values, **values})


def test_due_at_is_the_policy_day_of_the_next_month_at_2359_local():
    due = rules.due_at(date(2026, 12, 1), _book())
    assert due.isoformat() == "2027-01-03T23:59:00+08:00"
    assert rules.due_at(date(2026, 10, 1), _book(**{rules.DUE_DAY: 5})).day == 5  # the parameter decides


def test_month_arithmetic_crosses_years():
    assert rules.next_month(date(2026, 12, 1)) == date(2027, 1, 1)
    assert rules.previous_month(date(2027, 1, 1)) == date(2026, 12, 1)
    start, end = rules.month_range(date(2026, 10, 15), _book())
    assert start.astimezone(UTC) == datetime(2026, 9, 30, 16, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2026, 10, 31, 16, tzinfo=UTC)


def test_submit_only_after_the_month_and_not_twice():
    policy = _book()
    inside = datetime(2026, 10, 31, 15, 59, tzinfo=UTC)  # 23:59 in Shanghai, still October
    with pytest.raises(DomainError, match="尚未结束") as exc:
        rules.check_submittable("pending", date(2026, 10, 1), inside, policy)
    assert exc.value.clause == rules.CLAUSE
    after = datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    rules.check_submittable("pending", date(2026, 10, 1), after, policy)
    rules.check_submittable("returned", date(2026, 10, 1), after, policy)
    with pytest.raises(DomainError, match="已报送"):
        rules.check_submittable("submitted", date(2026, 10, 1), after, policy)


def test_return_needs_a_submitted_table_and_a_reason():
    with pytest.raises(DomainError, match="退回原因"):
        rules.check_returnable("submitted", "  ")
    with pytest.raises(DomainError, match="已报送"):
        rules.check_returnable("returned", "漏计")
    assert rules.check_returnable("submitted", " 漏计一件 ") == "漏计一件"


def test_rows_follow_the_category_table_and_total_adds_up():
    policy = _book()
    current = {"engineering": rules.Counts(total=4, major=1, general=3, closed=2, callbacks_required=2,
                                           callbacks_done=1, surveyed=1, satisfied=1),
               "retired_code": rules.Counts(total=1, general=1)}
    rows = rules.build_rows(current, {"engineering": 2, "fees": 3}, policy)
    codes = [r.code for r in rows]
    assert codes[: len(policy.rows(rules.CATEGORIES))] == [r["code"] for r in policy.rows(rules.CATEGORIES)]
    assert "retired_code" in codes and codes[-1] == ""
    total = rows[-1]
    assert (total.label, total.counts.total, total.previous_total, total.change) == ("合计", 5, 5, 0)
    eng = rows[0]
    assert (eng.open, eng.closure_rate, eng.callback_rate, eng.satisfaction_rate, eng.change) == (2, 0.5, 0.5, 1.0, 2)
    fees = next(r for r in rows if r.code == "fees")
    assert fees.closure_rate is None and rules.cell(fees, "closure_rate") == "—" and rules.cell(fees, "change") == "-3"
    assert rules.cell(eng, "callback_rate") == "50.0%" and rules.cell(eng, "previous_total") == 2


def test_frozen_form_round_trips():
    rows = rules.build_rows({"engineering": rules.Counts(total=2, hot=1, general=1)}, {"engineering": 1}, _book())
    assert rules.from_json(rules.to_json(rows)) == rows


# ----- 案例库 (core.complaint_cases) ---------------------------------------------------------------------------------

def test_a_case_never_holds_the_complainants_name_phone_or_room():
    from core import complaint_cases as cases

    secrets = cases.secrets_of(names=["张建国", "张"], phones=["138-0000-1234", "12"],
                               property_label="康乐苑 3幢 1单元 502", room="502")
    text = "张建国（13800001234）反映康乐苑 3幢 1单元 502 漏水，502室业主多次来电"
    assert cases.leaks(text, secrets) == ["姓名", "电话", "房号"]
    clean = cases.anonymise(text, secrets)
    assert cases.leaks(clean, secrets) == [] and "某业主" in clean
    assert cases.leaks("来电 138 0000 1234", secrets) == ["电话"]  # spaces do not hide a phone number
    draft = cases.CaseText(summary=text, cause="", handling="", result="", lessons="", prevention="", tags=())
    with pytest.raises(DomainError, match="姓名、电话、房号") as exc:
        cases.check_text(draft, secrets, for_submit=False)
    assert exc.value.field == "summary"


def test_submitting_needs_the_required_parts_and_tags_are_whole_words():
    from core import complaint_cases as cases

    draft = cases.CaseText(summary="某业主反映楼道灯不亮", cause="", handling="", result="", lessons="", prevention="",
                           tags="照明，楼道、 照明")
    saved = cases.check_text(draft, cases.Secrets(), for_submit=False)
    assert saved.tags == ("照明", "楼道") and cases.stored_tags(saved.tags) == ",照明,楼道,"
    with pytest.raises(DomainError, match="原因分析"):
        cases.check_text(draft, cases.Secrets(), for_submit=True)
    with pytest.raises(DomainError, match="最多 8 个"):
        cases.parse_tags("a b c d e f g h i")


def test_which_complaints_owe_a_case_and_by_when():
    from core import complaint_cases as cases

    assert cases.owes_case("major") and cases.owes_case("hot") and cases.owes_case("important")
    assert not cases.owes_case("general")
    closed = datetime(2026, 11, 2, 2, tzinfo=UTC)
    assert cases.submit_due(closed, _book()) == closed + timedelta(weeks=1)
    longer = _book(**{cases.WITHIN: {"amount": 2, "unit": "weeks"}})
    assert cases.submit_due(closed, longer) == closed + timedelta(weeks=2)  # the parameter decides


# ----- 投诉公示 (core.complaint_disclosure) --------------------------------------------------------------------------

def test_what_is_published_and_by_when():
    from core import complaint_disclosure as disclosure

    assert disclosure.publishable(common_area=True, category="attitude", same_issue=False)
    assert disclosure.publishable(common_area=False, category="neighbour", same_issue=False)  # between owners
    assert disclosure.publishable(common_area=False, category="fees", same_issue=True)  # a shared problem
    assert not disclosure.publishable(common_area=False, category="attitude", same_issue=False)  # personal
    assert disclosure.due_at(date(2026, 10, 1), _book()).isoformat() == "2026-12-01T00:00:00+08:00"
    twice = _book(**{disclosure.PER_MONTH: 2})
    assert disclosure.state_after(1, _book()) == "done" and disclosure.state_after(1, twice) == "pending"


def test_a_publication_needs_a_channel_a_sensible_date_and_evidence():
    from core import complaint_disclosure as disclosure

    ok = disclosure.Publication(date(2026, 11, 5), "notice_board", "", "")
    oct_ = date(2026, 10, 1)
    assert disclosure.check_publication(ok, month=oct_, today=date(2026, 11, 30), has_photo=True).channel == "notice_board"
    with pytest.raises(DomainError, match="照片或填写网页链接"):
        disclosure.check_publication(ok, month=oct_, today=date(2026, 11, 30), has_photo=False)
    with pytest.raises(DomainError, match="公示渠道"):
        disclosure.check_publication(disclosure.Publication(date(2026, 11, 5), "wechat", "", ""), month=oct_,
                                     today=date(2026, 11, 30), has_photo=True)
    with pytest.raises(DomainError, match="之后"):
        disclosure.check_publication(disclosure.Publication(date(2026, 10, 31), "website", "https://x.cn/a", ""),
                                     month=oct_, today=date(2026, 11, 30), has_photo=False)
    with pytest.raises(DomainError, match="晚于今天"):
        disclosure.check_publication(disclosure.Publication(date(2026, 12, 5), "website", "https://x.cn/a", ""),
                                     month=oct_, today=date(2026, 11, 30), has_photo=False)
    with pytest.raises(DomainError, match="http"):
        disclosure.check_publication(disclosure.Publication(date(2026, 11, 5), "website", "x.cn/a", ""),
                                     month=oct_, today=date(2026, 11, 30), has_photo=False)


def test_the_quarterly_bulletin_prints_its_cases_and_analysis(tmp_path):
    from core.pdf import complaint_forms as forms
    from tests import pdftools

    data = forms.BulletinData(scope="全部", period="2026年第4季度", received=8, closed=2, by_grade={"一般": 8},
                              callbacks=2, satisfied=2, important=[], notable=[], citation="依据测试",
                              cases=[("AL-2026-00001 · 东方家园管理处", "重要 · 工程维修", "某业主卫生间漏水", "先做闭水试验")],
                              quarter=[["工程维修", "5", "0", "1", "0", "4", "40.0%", "50.0%", "100.0%", "3", "+2"]])
    path = tmp_path / "bulletin.pdf"
    path.write_bytes(forms.quality_bulletin(data, company="测试物业", printed_at="2026-12-01 10:00"))
    text = pdftools.layout_text(path)
    if text is not None:
        flat = text.replace(" ", "")
        assert "三、参考案例" in flat and "AL-2026-00001" in flat and "四、季度投诉分析" in flat and "闭水试验" in flat
