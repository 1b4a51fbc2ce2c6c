"""Masking of personal data in lists (PIPL): the full value only for roles that need it, and logged."""

from __future__ import annotations


def mask_id_number(value: str | None) -> str:
    """``330102199001011234`` → ``3301**********1234``."""
    if not value:
        return ""
    value = value.strip()
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    """``13812345678`` → ``138****5678``."""
    if not value:
        return ""
    value = value.strip()
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
