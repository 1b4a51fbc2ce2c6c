"""Identity documents and phone numbers, checked in one place: master data now; passes, archive and imports later.

居民身份证 numbers follow GB 11643-1999 (公民身份号码): 6-digit region code, 8-digit birth date, 3-digit sequence
and an ISO 7064 MOD 11-2 check character. 港澳台居民居住证 use the same 18-character scheme under the region codes
810000 / 820000 / 830000. The travel permits and passports have their own formats. Phone numbers: mainland
mobiles (1[3-9] and 9 digits) and landlines written 区号-号码[-分机]. Every refusal is a Chinese sentence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from core.errors import DomainError

ID_TYPES = {
    "resident_id": "居民身份证",
    "hkmt_residence": "港澳台居民居住证",
    "hk_macau_permit": "港澳居民来往内地通行证",
    "taiwan_permit": "台湾居民来往大陆通行证",
    "passport": "护照",
    "other": "其他证件",
}
DEFAULT_ID_TYPE = "resident_id"

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # 2^(17-i) mod 11
_CHECK = "10X98765432"
# GB/T 2260 province-level codes (first two digits) of 居民身份证; 81/82/83 are the 居住证 of HK/Macau/Taiwan.
_PROVINCES = frozenset({11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51,
                        52, 53, 54, 61, 62, 63, 64, 65, 71})
_RESIDENCE_PREFIXES = ("810000", "820000", "830000")
_EIGHTEEN = re.compile(r"^[0-9]{17}[0-9X]$")
_FORMATS = {
    # 回乡证: H (香港) / M (澳门) and 8 digits; cards before 2013 carried 10 digits.
    "hk_macau_permit": (re.compile(r"^[HM][0-9]{8}([0-9]{2})?$"), "应为 H 或 M 加 8 位数字，例如 H12345678"),
    # 台胞证: 8 digits since 2015 (the older booklets: 10 digits, sometimes a letter in brackets, dropped here).
    "taiwan_permit": (re.compile(r"^[0-9]{8}([0-9]{2})?$"), "应为 8 位数字，例如 12345678"),
    # Chinese passports E/G + 8 characters; foreign passports 5–17 letters and digits.
    "passport": (re.compile(r"^(?=.*[0-9])[A-Z0-9]{5,17}$"), "应为 5–17 位字母和数字，例如 E12345678"),
    "other": (re.compile(r"^[A-Z0-9()\-]{4,32}$"), "应为 4–32 位字母、数字"),
}


def _plain(text: str | None) -> str:
    """Full-width letters and digits to ASCII, spaces dropped, upper case (a trailing ｘ is an X)."""
    return unicodedata.normalize("NFKC", text or "").replace(" ", "").upper()


def resident_id_check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits (``"X"`` stands for 10)."""
    if not re.fullmatch(r"[0-9]{17}", first17):
        raise DomainError("身份证号前 17 位应为数字")
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def with_check_character(first17: str) -> str:
    """Demo data and tests: a valid 18-character number from its first 17 digits."""
    return first17 + resident_id_check_character(first17)


def birth_date(number: str) -> date:
    """The birth date inside an 18-character number (characters 7–14)."""
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise DomainError("身份证号中的出生日期无效") from exc


def _eighteen(number: str, label: str, *, today: date | None) -> str:
    if not _EIGHTEEN.match(number):
        raise DomainError(f"{label}号码应为 18 位，前 17 位为数字，最后一位为数字或 X")
    if resident_id_check_character(number[:17]) != number[17]:
        raise DomainError(f"{label}号码校验位不符，请核对是否抄错")
    born = birth_date(number)
    if born.year < 1900 or (today is not None and born > today):
        raise DomainError(f"{label}号码中的出生日期不合理")
    return number


def check_id(id_type: str, number: str | None, *, today: date | None = None) -> str:
    """The number normalised (upper case, no spaces) or a Chinese ``DomainError``; ``""`` stays ``""``.

    ``today`` (optional; core reads no clock) refuses a birth date in the future.
    """
    if id_type not in ID_TYPES:
        raise DomainError("请选择证件类型", field="证件类型")
    value = _plain(number)
    if not value:
        return ""
    label = ID_TYPES[id_type]
    try:
        if id_type == "resident_id":
            value = _eighteen(value, label, today=today)
            if int(value[:2]) not in _PROVINCES:
                raise DomainError(f"{label}号码的地区码“{value[:6]}”无效"
                                  + ("（港澳台居民请选择“港澳台居民居住证”）" if value[:2] in ("81", "82", "83") else ""))
        elif id_type == "hkmt_residence":
            value = _eighteen(value, label, today=today)
            if not value.startswith(_RESIDENCE_PREFIXES):
                raise DomainError(f"{label}号码应以 810000（香港）、820000（澳门）或 830000（台湾）开头")
        else:
            pattern, hint = _FORMATS[id_type]
            if not pattern.match(value):
                raise DomainError(f"{label}号码格式不正确：{hint}")
    except DomainError as exc:
        raise DomainError(exc.message, field="证件号") from None
    return value


def guess_id_type(number: str | None) -> str:
    """The likely type of a stored number (old rows, imports): 18 characters by their prefix, else ``other``."""
    value = _plain(number)
    if _EIGHTEEN.match(value):
        return "hkmt_residence" if value.startswith(_RESIDENCE_PREFIXES) else "resident_id"
    for id_type in ("hk_macau_permit", "taiwan_permit", "passport"):
        if _FORMATS[id_type][0].match(value):
            return id_type
    return "other"


# ----- phone numbers --------------------------------------------------------------------------------

PHONE_CHARS = frozenset("0123456789+-() ")  # a search text made only of these is a phone number (people list)
_MOBILE = re.compile(r"^(?:\+?86)?(1[3-9][0-9]{9})$")
_LANDLINE = re.compile(r"^(0[0-9]{2,3})-([2-9][0-9]{6,7})(?:-([0-9]{1,6}))?$")


@dataclass(frozen=True)
class Phone:
    kind: str  # "mobile" | "landline"
    number: str  # normalised: 13812345678 / 0571-88888888[-123]


def parse_phone(text: str | None, *, name: str = "电话") -> Phone | None:
    """A mainland mobile or a landline (区号-号码[-分机]); ``None`` for an empty text; Chinese errors."""
    raw = unicodedata.normalize("NFKC", text or "").strip()
    if not raw:
        return None
    mobile = _MOBILE.match(re.sub(r"[\s\-()]", "", raw))
    if mobile:
        return Phone("mobile", mobile.group(1))
    # (0571) 8888 8888 → 0571-88888888: brackets and spaces separate the parts like a dash; the area code and
    # the number must be separated (0108888888 could be 010-8888888 or 0108-888888).
    dashed = re.sub(r"-+", "-", re.sub(r"[()\s]+", "-", raw)).strip("-")
    parts = dashed.split("-")
    if len(parts) >= 3 and len(parts[1]) == 4 and len(parts[2]) == 4:  # 0571-8888-8888
        dashed = "-".join([parts[0], parts[1] + parts[2], *parts[3:]])
    landline = _LANDLINE.match(dashed)
    if landline:
        area, number, ext = landline.groups()
        return Phone("landline", f"{area}-{number}" + (f"-{ext}" if ext else ""))
    if re.sub(r"\D", "", raw).startswith("1"):
        raise DomainError(f"{name}：手机号应为 11 位，以 13–19 开头，例如 13812345678", field=name)
    raise DomainError(f"{name}格式不正确：手机号 11 位（如 13812345678），座机写作 区号-号码[-分机]（如 0571-88888888）",
                      field=name)


def check_phone(text: str | None, *, name: str = "电话") -> str:
    """The normalised number, or ``""`` for an empty text."""
    phone = parse_phone(text, name=name)
    return phone.number if phone else ""
