"""core.money: integer 分 end to end, Chinese errors, explicit rounding."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import money
from core.errors import DomainError


@pytest.mark.parametrize(
    ("text", "fen"),
    [("12.5", 1250), ("1,234.00", 123400), ("¥8", 800), ("￥8.05", 805), ("8元", 800), (" 0.01 ", 1), ("3.", 300),
     ("1，000", 100000), (12, 1200), (Decimal("1.5"), 150), ("1234567", 123456700)],
)
def test_parse_yuan(text, fen):
    assert money.parse_yuan(text) == fen


@pytest.mark.parametrize(
    ("text", "message"),
    [("-1", "不能为负数"), ("1.234", "两位小数"), ("abc", "格式不正确"), ("", "请填写"), ("1,23", "格式不正确"),
     ("1e5", "格式不正确"), (1.5, "不接受浮点数"), (True, "不接受浮点数"), ("9" * 20, "超出")],
)
def test_parse_yuan_refuses_in_chinese(text, message):
    with pytest.raises(DomainError, match=message):
        money.parse_yuan(text)


def test_negative_only_when_allowed():
    assert money.parse_yuan("-12.50", allow_negative=True) == -1250


@pytest.mark.parametrize(("fen", "text"), [(0, "¥0.00"), (5, "¥0.05"), (123400, "¥1,234.00"), (-1250, "-¥12.50"),
                                          (100000000, "¥1,000,000.00")])
def test_format_yuan(fen, text):
    assert money.format_yuan(fen) == text


def test_sum_and_add_refuse_floats():
    assert money.total([100, 250, 5]) == 355
    assert money.add(1, 2, 3) == 6
    with pytest.raises(DomainError):
        money.total([100, 2.5])


@pytest.mark.parametrize(
    ("fen", "factor", "expected"),
    [(1000, 3, 3000), (1000, "0.333", 333), (5, "0.5", 3), (-5, "0.5", -3), (100, Fraction(2, 3), 67),
     (1, Fraction(1, 2), 1), (250, Decimal("2.5"), 625)],
)
def test_multiply_rounds_half_up(fen, factor, expected):
    assert money.multiply(fen, factor) == expected


def test_multiply_rounding_is_explicit_and_floats_refused():
    assert money.multiply(5, "0.5", rounding=ROUND_DOWN) == 2
    with pytest.raises(DomainError, match="浮点数"):
        money.multiply(100, 0.5)


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_text_round_trip(fen):
    assert money.parse_yuan(money.to_yuan_text(fen), allow_negative=True) == fen
    assert money.parse_yuan(money.format_yuan(fen), allow_negative=True) == fen


def test_legacy_yuan_conversion():
    assert money.from_legacy_yuan(Decimal("50.0")) == 5000
    assert money.from_legacy_yuan("0.005") == 1
