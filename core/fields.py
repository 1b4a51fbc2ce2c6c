"""Plain input checks every form shares: trimmed text with a required flag and a length limit, in Chinese.

One definition for every process (master data, complaint steps, and the processes to come), so a clerk meets the
same sentence for the same mistake on every screen.
"""

from __future__ import annotations

from typing import Any

from core.errors import DomainError


def clean_text(value: Any, label: str, *, required: bool = True, max_len: int = 64) -> str:
    """``value`` trimmed; ``DomainError`` naming the field when it is missing or longer than ``max_len``."""
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not value:
        raise DomainError(f"请填写{label}", field=label)
    if len(value) > max_len:
        raise DomainError(f"{label}最多 {max_len} 个字", field=label)
    return value
