"""Money as integer 分 (fen), end to end: parsing what a clerk types, arithmetic, and 元 for display.

Every amount in the product — policy-book fees and deposits (《小区出入证管理规定》, 《住宅室内装饰装修管理服务协议》),
fines (《物业客服中心员工奖惩规程》), compensation, the deposit ledger — is an ``int`` number of 分. Floats never
enter: text is parsed with ``Decimal``, products with a ratio are rounded explicitly (ROUND_HALF_UP, the rounding
a cashier applies), and 元 exist only on screen and paper (``format_yuan``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from core.errors import DomainError

FEN_PER_YUAN = 100
# Plenty for a deposit ledger's total; refuses typos like 1e30 before they reach a database integer column.
MAX_FEN = 10**15

_YUAN_TEXT = re.compile(r"^(?P<sign>-)?(?:¥|￥|RMB)?(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d*))?(?:元)?$")


def _check(fen: int, name: str) -> int:
    if abs(fen) > MAX_FEN:
        raise DomainError(f"{name}超出允许范围", field=name)
    return fen


def parse_yuan(text: str | int | Decimal, *, name: str = "金额", allow_negative: bool = False) -> int:
    """What a clerk typed in 元 ("12.5", "1,234.00", "¥8", "8元") → 分; Chinese errors for anything else.

    An ``int`` or ``Decimal`` is taken as 元 too (a spreadsheet cell); a float is refused, never guessed.
    """
    if isinstance(text, bool) or isinstance(text, float):
        raise DomainError(f"{name}应为文字或整数（不接受浮点数）", field=name)
    if isinstance(text, int):
        text = str(text)
    if isinstance(text, Decimal):
        if not text.is_finite():
            raise DomainError(f"{name}不是有效的金额", field=name)
        text = format(text, "f")
    raw = str(text).strip().replace(" ", "").replace("，", ",").replace("．", ".")
    if not raw:
        raise DomainError(f"请填写{name}", field=name)
    if raw.startswith("-") and not allow_negative:
        raise DomainError(f"{name}不能为负数", field=name)
    match = _YUAN_TEXT.match(raw)
    if match is None:
        raise DomainError(f"{name}格式不正确，请填写如 12.50 或 1,234.00 的金额", field=name)
    frac = match["frac"] or ""
    if len(frac) > 2:
        raise DomainError(f"{name}最多保留两位小数（到分）", field=name)
    fen = int(match["int"].replace(",", "")) * FEN_PER_YUAN + int(frac.ljust(2, "0"))
    return _check(-fen if match["sign"] else fen, name)


def yuan(amount: int | str | Decimal) -> int:
    """A literal in 元 written in code (policy defaults, tests): ``yuan(50)`` → 5000, ``yuan("0.5")`` → 50."""
    return parse_yuan(amount, allow_negative=True)


def require_fen(value: object, *, name: str = "金额") -> int:
    """A stored or computed amount must already be whole 分: an ``int`` (``bool`` and float refused)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError(f"{name}应为以分计的整数", field=name)
    return _check(value, name)


def from_legacy_yuan(value: int | Decimal | str) -> int:
    """An amount stored in 元 by an older version (JSON number such as ``50.0``) → 分, ROUND_HALF_UP.

    Read with ``json.loads(..., parse_float=Decimal)`` so the digits never pass through a float.
    """
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise DomainError("历史金额数据无法识别") from exc
    if not amount.is_finite():
        raise DomainError("历史金额数据无法识别")
    return _check(int((amount * FEN_PER_YUAN).quantize(Decimal(1), rounding=ROUND_HALF_UP)), "金额")


def add(*amounts: int) -> int:
    return total(amounts)


def total(amounts: Iterable[int]) -> int:
    """The sum of amounts in 分 (each checked to be an int, so a float slipping in fails loudly)."""
    result = 0
    for amount in amounts:
        result += require_fen(amount)
    return _check(result, "合计金额")


def multiply(fen: int, factor: int | str | Decimal | Fraction, *, rounding: str = ROUND_HALF_UP) -> int:
    """``fen × factor`` in whole 分: an integer count exactly, a ratio ("0.8", ``Fraction(2, 3)``) rounded
    explicitly (default ROUND_HALF_UP; pass ``decimal.ROUND_DOWN`` etc. where a rule says so)."""
    require_fen(fen)
    if isinstance(factor, bool) or isinstance(factor, float):
        raise DomainError("倍数应为整数、分数或十进制文字（不接受浮点数）")
    if isinstance(factor, int):
        return _check(fen * factor, "金额")
    ratio = Fraction(factor) if not isinstance(factor, Fraction) else factor
    exact = Fraction(fen) * ratio
    quotient = Decimal(exact.numerator) / Decimal(exact.denominator) if exact.denominator != 1 else Decimal(
        exact.numerator)
    # Decimal division keeps 28 significant digits: exact for every amount below MAX_FEN at one-分 resolution.
    return _check(int(quotient.quantize(Decimal(1), rounding=rounding)), "金额")


def to_yuan_text(fen: int) -> str:
    """``123450`` → ``"1234.50"``: the value put back into an edit field (no separators, no sign of currency)."""
    require_fen(fen)
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), FEN_PER_YUAN)
    return f"{sign}{whole}.{cents:02d}"


def format_yuan(fen: int) -> str:
    """``123400`` → ``"¥1,234.00"``; negative amounts as ``"-¥12.50"`` (design.md §9)."""
    require_fen(fen)
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), FEN_PER_YUAN)
    return f"{sign}¥{whole:,}.{cents:02d}"
