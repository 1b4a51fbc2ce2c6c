"""Passwords, masking, spreadsheet cells."""

from __future__ import annotations

import pytest

from core.errors import DomainError
from core.export import neutralise_cell
from core.masking import mask_id_number, mask_phone
from core.passwords import check_new_password


def test_password_rules_length_bytes_and_common_list():
    check_new_password("a long passphrase", min_length=8)
    check_new_password("物业客服台密码", min_length=7)
    for bad, message in [("short", "至少"), ("12345678", "常见"), ("password123", "常见"), ("密" * 25, "72"),
                         (" padded pw ", "空格")]:
        with pytest.raises(DomainError, match=message):
            check_new_password(bad, min_length=8)
    with pytest.raises(DomainError, match="用户名"):
        check_new_password("zhangsan-2026", min_length=8, username="zhangsan")


def test_masking_keeps_only_the_ends():
    assert mask_id_number("330106199001011234") == "3301**********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("") == "" and mask_phone(None) == ""


@pytest.mark.parametrize("cell", ["=1+1", "+SUM(A1)", "-2", "@cmd", "\t=x"])
def test_formula_cells_are_neutralised(cell):
    assert neutralise_cell(cell) == "'" + cell


def test_plain_cells_are_untouched():
    assert neutralise_cell("张三") == "张三" and neutralise_cell(5) == 5
