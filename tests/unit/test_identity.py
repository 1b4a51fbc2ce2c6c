"""core.identity: GB 11643 check characters and birth dates, the other ID types' formats, phone numbers."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import DomainError
from core.identity import (
    ID_TYPES,
    birth_date,
    check_id,
    check_phone,
    guess_id_type,
    parse_phone,
    resident_id_check_character,
    with_check_character,
)

# The GB 11643-1999 annex example, one built here, and the test world's.
VALID = ["11010519491231002X", with_check_character("44052419800101001"), "330102199001011234"]


@pytest.mark.parametrize("number", VALID)
def test_valid_resident_ids(number):
    assert check_id("resident_id", number) == number
    assert check_id("resident_id", number.lower().replace("x", "ｘ")) == number  # full-width, lower case
    assert check_id("resident_id", f" {number[:6]} {number[6:]} ") == number


@pytest.mark.parametrize(
    ("number", "message"),
    [("110105194912310021", "校验位不符"), ("11010519491231002", "应为 18 位"), ("1101051949123100XX", "应为 18 位"),
     (with_check_character("11010519490231002"), "出生日期无效"), (with_check_character("11010518491231002"), "不合理"),
     (with_check_character("99010519491231002"), "地区码“990105”无效"),
     (with_check_character("81000019900101123"), "请选择“港澳台居民居住证”")],
)
def test_invalid_resident_ids_are_refused_in_chinese(number, message):
    with pytest.raises(DomainError, match=re.escape(message)):
        check_id("resident_id", number)


def test_a_birth_date_after_today_is_refused_when_today_is_given():
    number = with_check_character("11010520300101002")
    assert check_id("resident_id", number) == number
    with pytest.raises(DomainError, match="不合理"):
        check_id("resident_id", number, today=date(2026, 11, 30))


def test_check_character_and_birth_date():
    assert resident_id_check_character("11010519491231002") == "X"
    assert birth_date("11010519491231002X") == date(1949, 12, 31)


@given(st.from_regex(r"\A[1-6][1-5][0-9]{4}(19[5-9][0-9]|20[01][0-9])(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}\Z"))
def test_every_number_with_its_check_character_passes_and_any_other_last_character_fails(first17):
    if int(first17[:2]) not in {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
                                51, 52, 53, 54, 61, 62, 63, 64, 65}:
        return
    good = with_check_character(first17)
    assert check_id("resident_id", good) == good
    for wrong in "0123456789X":
        if wrong != good[-1]:
            with pytest.raises(DomainError, match="校验位"):
                check_id("resident_id", first17 + wrong)


@pytest.mark.parametrize(
    ("id_type", "number", "ok"),
    [("hkmt_residence", with_check_character("81000019900101123"), True),
     ("hkmt_residence", with_check_character("83000019900101123"), True),
     ("hkmt_residence", with_check_character("33010219900101123"), False),
     ("hk_macau_permit", "H12345678", True), ("hk_macau_permit", "m1234567801", True),
     ("hk_macau_permit", "C12345678", False), ("hk_macau_permit", "H1234567", False),
     ("taiwan_permit", "12345678", True), ("taiwan_permit", "1234567", False), ("taiwan_permit", "A2345678", False),
     ("passport", "E12345678", True), ("passport", "EA1234567", True), ("passport", "X1234", True),
     ("passport", "ABCDEFGH", False), ("passport", "E1234567890123456789", False),
     ("other", "军字第123456号", False), ("other", "JUN-123456", True)],
)
def test_other_id_types_have_their_formats(id_type, number, ok):
    if ok:
        assert check_id(id_type, number) == number.upper()
    else:
        with pytest.raises(DomainError, match=ID_TYPES[id_type]):
            check_id(id_type, number)


def test_empty_and_unknown_type():
    assert check_id("passport", "  ") == ""
    with pytest.raises(DomainError, match="请选择证件类型"):
        check_id("driving_licence", "123")


def test_guess_id_type_for_stored_numbers():
    assert guess_id_type("11010519491231002X") == "resident_id"
    assert guess_id_type(with_check_character("82000019900101123")) == "hkmt_residence"
    assert guess_id_type("H12345678") == "hk_macau_permit"
    assert guess_id_type("abc") == "other"


@pytest.mark.parametrize(
    ("text", "kind", "number"),
    [("13812345678", "mobile", "13812345678"), ("+86 138 1234 5678", "mobile", "13812345678"),
     ("8613912345678", "mobile", "13912345678"), ("199-1234-5678", "mobile", "19912345678"),
     ("0571-88888888", "landline", "0571-88888888"), ("(0571)88888888", "landline", "0571-88888888"),
     ("010 6234 5678", "landline", "010-62345678"), ("0571-88888888-123", "landline", "0571-88888888-123"),
     ("021-6123456", "landline", "021-6123456"), ("０５７１－８８８８８８８８", "landline", "0571-88888888")],
)
def test_phone_numbers(text, kind, number):
    phone = parse_phone(text)
    assert (phone.kind, phone.number) == (kind, number)


@pytest.mark.parametrize(
    ("text", "message"),
    [("12812345678", "手机号应为 11 位"), ("1381234567", "手机号应为 11 位"), ("138123456789", "手机号应为 11 位"),
     ("057188888888", "区号-号码"), ("0571-1888888", "区号-号码"), ("0571-88888888-1234567", "区号-号码"),
     ("电话", "区号-号码"), ("1", "手机号")],
)
def test_bad_phone_numbers_are_refused_in_chinese(text, message):
    with pytest.raises(DomainError, match=message):
        check_phone(text)
    assert check_phone("") == "" and parse_phone(None) is None
