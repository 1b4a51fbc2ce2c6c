"""Password rules (OWASP ASVS 5.0 V6): length only, no composition rules, common passwords refused.

bcrypt (the authenticator's only scheme) ignores bytes past 72, so longer passwords are refused with a
clear message instead of being silently truncated.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from core.errors import DomainError

BCRYPT_MAX_BYTES = 72
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parents[1] / "assets" / "common-passwords.txt"


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    if not COMMON_PASSWORDS_FILE.exists():
        return frozenset()
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def length_rule(min_length: int) -> str:
    """The length rule as the screens state it, for the minimum in force (policy ``security.min_password_length``)."""
    return f"至少 {min_length} 个字符，最多 {BCRYPT_MAX_BYTES} 字节（约 {BCRYPT_MAX_BYTES // 3} 个汉字）"


def check_new_password(password: str, *, min_length: int = 8, username: str = "") -> None:
    if password is None or password != password.strip():
        raise DomainError("密码首尾不能有空格", field="password")
    if len(password) < min_length:
        raise DomainError(f"密码至少需要 {min_length} 个字符", field="password")
    if len(password.encode("utf-8")) > BCRYPT_MAX_BYTES:
        raise DomainError(f"密码过长：最多 {BCRYPT_MAX_BYTES} 个字节（约 {BCRYPT_MAX_BYTES // 3} 个汉字或 "
                          f"{BCRYPT_MAX_BYTES} 个英文字符）", field="password")
    lowered = password.lower()
    if lowered in _common_passwords():
        raise DomainError("该密码过于常见，容易被猜中，请换一个", field="password")
    if username and username.lower() in lowered:
        raise DomainError("密码不能包含用户名", field="password")
