"""The policy book: defaults with citations, validation, versions with effective-from dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core import policy as book
from core.errors import DomainError

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def test_every_parameter_cites_a_known_document_and_a_valid_default():
    for key, param in book.PARAMS.items():
        assert param.doc in book.DOCS, key
        assert param.provenance in ("seed", "found", "found-variant", "comparable", "inferred"), key
        assert book.validate(key, param.default) == param.default, key
        assert param.citation.startswith("公司设定" if param.doc == book.COMPANY_SETTING else "依据《")


def test_inferred_values_need_customer_confirmation():
    assert book.PARAMS["complaint.report_at_once"].needs_confirmation
    assert not book.PARAMS["complaint.consultant_reply"].needs_confirmation


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("complaint.major_collective", 1, "不能小于"),
        ("complaint.major_collective", "十", "无效"),
        ("complaint.major_collective", 2.5, "无效"),
        ("complaint.thresholds_inclusive", "yes", "无效"),
        ("decoration.work_start", "25:00", "时间格式"),
        ("complaint.callback_within", {"amount": 3, "unit": "lightyears"}, "无效"),
        ("complaint.callback_within", {"amount": -1, "unit": "days"}, "无效"),
        ("no.such.key", 1, "未知"),
    ],
)
def test_invalid_values_are_refused_in_chinese(key, value, message):
    with pytest.raises(DomainError, match=message):
        book.validate(key, value)


def test_latest_effective_change_wins_and_versions_freeze_the_past():
    changes = [
        book.Change(1, "complaint.hot_collective", 4, T0),
        book.Change(2, "complaint.hot_collective", 5, T0 + timedelta(days=10)),
        book.Change(3, "complaint.hot_collective", 6, T0 + timedelta(days=5)),
    ]
    assert book.resolve(changes, version=None, at=T0 - timedelta(days=1))["complaint.hot_collective"] == 3
    assert book.resolve(changes, version=None, at=T0 + timedelta(days=6))["complaint.hot_collective"] == 6
    assert book.resolve(changes, version=None, at=T0 + timedelta(days=11))["complaint.hot_collective"] == 5
    assert book.resolve(changes, version=1, at=T0 + timedelta(days=11))["complaint.hot_collective"] == 4
    assert book.resolve(changes, version=None, at=T0).version == 3


def test_format_value_reads_like_the_policy():
    assert book.format_value(book.PARAMS["complaint.consultant_reply"], {"amount": 24, "unit": "hours"}) == "24 小时"
    assert book.format_value(book.PARAMS["pass.worker_deposit"], 5000) == "¥50.00 /证"


# ----- money parameters: int 分, validated and shown by core.money --------------------------------


def test_money_parameters_are_int_fen():
    param = book.PARAMS["pass.worker_deposit"]
    assert param.default == 5000 and type(param.default) is int
    assert param.maximum == 1_000_000
    assert all(type(p.default) is int for p in book.PARAMS.values() if p.kind == "money")


@pytest.mark.parametrize(("value", "expected"), [("12.5", 1250), ("1,234.00", 123400), ("¥8", 800), (5000, 5000)])
def test_money_parameters_accept_yuan_text_and_fen(value, expected):
    assert book.validate("decoration.home_deposit", value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [("-5", "不能为负数"), ("1.234", "两位小数"), ("五十", "格式不正确"), (50.0, "以分计的整数"), (True, "以分计的整数"),
     ("10001", "不能大于 ¥10,000.00")],
)
def test_money_parameters_refuse_in_chinese(value, message):
    with pytest.raises(DomainError, match=message):
        book.validate("pass.worker_deposit", value)


def test_legacy_money_values_stored_in_yuan_read_as_fen():
    assert book.decode("pass.worker_deposit", "50.0") == 5000
    assert book.decode("pass.worker_deposit", "12.35") == 1235
    assert book.decode("pass.worker_deposit", "0.1") == 10
    assert book.decode("pass.worker_deposit", book.encode("pass.worker_deposit", 1235)) == 1235
    assert book.decode("reception.nail_max_mm", "1.5") == 1.5
    assert book.format_stored("pass.worker_deposit", "12.5") == "¥12.50 /证"


def test_an_order_parameter_shows_labels_never_codes():
    param = book.PARAMS["complaint.rank"]
    assert param.kind == "order"
    assert book.format_value(param, param.default) == "重大 > 热点 > 重要 > 一般"
    assert book.format_stored("complaint.rank", '"hot>major>important>general"') == "热点 > 重大 > 重要 > 一般"


def test_an_order_parameter_holds_the_same_codes_and_labels_as_the_complaint_classes():
    from core.complaints import GRADE_LABELS

    assert dict(book.PARAMS["complaint.rank"].choices) == {g.value: label for g, label in GRADE_LABELS.items()}


def test_an_order_must_name_every_choice_once():
    assert book.validate("complaint.rank", ["hot", "major", "important", "general"]) == "hot>major>important>general"
    assert book.validate("complaint.rank", " major > hot>important>general") == "major>hot>important>general"
    for bad in ("major>hot>important", "major>hot>hot>general", "major>hot>important>general>x", ""):
        with pytest.raises(DomainError, match="须把 重大、热点、重要、一般 各列一次"):
            book.validate("complaint.rank", bad)
