"""Table parameters of the policy book: lists a process configures row by row (intake categories, report routing,
approval chains, later pass types and rule catalogues), versioned like single values.

A table is stored as one policy-book value (a JSON list of rows), so it has the same versions, effective-from
dates, provenance, clause and audit as a number. Each row carries a stable ``code`` that records store and that
never changes when the label does, and an ``active`` flag: a row is deactivated, never removed, so every record
that names it stays readable. The checks below speak Chinese to the administrator.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.errors import DomainError

COLUMN_TYPES = ("text", "int", "bool", "choice", "multi")  # choice: one allowed code; multi: a list of them
CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
MAX_ROWS = 500


@dataclass(frozen=True)
class Column:
    code: str
    label: str
    type: str = "text"
    required: bool = False
    allowed: Mapping[str, str] | None = None  # code → Chinese label, for "choice" and "multi"
    max_len: int = 64

    def show(self, value: Any) -> str:
        """A cell as a clerk reads it: codes as labels."""
        if self.type == "multi":
            return "、".join(self.allowed.get(v, v) for v in value or ()) if self.allowed else "、".join(value or ())
        if self.type == "choice" and self.allowed:
            return self.allowed.get(value, value or "")
        if self.type == "bool":
            return "是" if value else "否"
        return "" if value is None else str(value)


Check = Callable[[list[dict]], None]  # a table-level rule; raises DomainError


@dataclass(frozen=True)
class TableSpec:
    """The columns of a table parameter (``code`` and ``active`` come with every table)."""

    columns: tuple[Column, ...]
    code_label: str = "代码"
    row_noun: str = "行"
    required_codes: frozenset[str] = field(default=frozenset())  # rows that must exist and stay active
    checks: tuple[Check, ...] = ()

    def column(self, code: str) -> Column:
        return next(c for c in self.columns if c.code == code)

    @property
    def title_column(self) -> Column:
        """The column that names a row in messages (``label`` where the table has one)."""
        return next((c for c in self.columns if c.code == "label"), self.columns[0])


def _name(spec: TableSpec, row: Mapping[str, Any], index: int) -> str:
    title = row.get(spec.title_column.code) if spec.title_column.type == "text" else None
    return f"第{index + 1}{spec.row_noun}" + (f"“{title}”" if title else "")


def _cell(column: Column, value: Any, where: str) -> Any:
    missing = value is None or value == "" or (column.type == "multi" and not value)
    if missing:
        if column.required:
            raise DomainError(f"{where}的“{column.label}”不能为空")
        return [] if column.type == "multi" else (False if column.type == "bool" else (None if column.type == "int"
                                                                                       else ""))
    if column.type == "text":
        text = str(value).strip()
        if len(text) > column.max_len:
            raise DomainError(f"{where}的“{column.label}”不能超过 {column.max_len} 个字")
        if not text and column.required:
            raise DomainError(f"{where}的“{column.label}”不能为空")
        return text
    if column.type == "int":
        if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip().lstrip("-").isdigit():
            raise DomainError(f"{where}的“{column.label}”应为整数")
        return int(value)
    if column.type == "bool":
        if not isinstance(value, bool):
            raise DomainError(f"{where}的“{column.label}”应为是或否")
        return value
    values = list(value) if column.type == "multi" and isinstance(value, list | tuple) else [value]
    if column.type == "multi" and not isinstance(value, list | tuple):
        raise DomainError(f"{where}的“{column.label}”应为多选")
    for v in values:
        if column.allowed is not None and v not in column.allowed:
            raise DomainError(f"{where}的“{column.label}”中的“{v}”不是可选的值")
    if column.type == "multi":
        if len(set(values)) != len(values):
            raise DomainError(f"{where}的“{column.label}”有重复的选项")
        return values
    return values[0]


def validate_rows(spec: TableSpec, value: Any, *, known: Iterable[Mapping[str, Any]] = ()) -> list[dict]:
    """Normalised rows or a Chinese ``DomainError``.

    ``known`` are the rows of earlier versions (and the shipped defaults): a code once used may not disappear
    (records name it), only be deactivated.
    """
    if not isinstance(value, list | tuple):
        raise DomainError("表格参数应为若干行")
    if len(value) > MAX_ROWS:
        raise DomainError(f"表格最多 {MAX_ROWS} 行")
    rows: list[dict] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(value):
        if not isinstance(raw, Mapping):
            raise DomainError(f"第{index + 1}{spec.row_noun}格式无效")
        where = _name(spec, raw, index)
        code = str(raw.get("code") or "").strip()
        if not code:
            raise DomainError(f"{where}缺少{spec.code_label}")
        if not CODE_RE.match(code):
            raise DomainError(f"{where}的{spec.code_label}“{code}”无效：请用小写英文字母开头，只含小写字母、数字和下划线")
        if code in seen:
            raise DomainError(f"{spec.code_label}“{code}”重复（第{seen[code] + 1}行与第{index + 1}行）")
        seen[code] = index
        active = raw.get("active", True)
        if not isinstance(active, bool):
            raise DomainError(f"{where}的“启用”应为是或否")
        row = {"code": code}
        for column in spec.columns:
            row[column.code] = _cell(column, raw.get(column.code), where)
        row["active"] = active
        rows.append(row)
    present = {r["code"] for r in rows}
    known = list(known)
    for old in known:
        if old["code"] not in present:
            title = old.get(spec.title_column.code) or old["code"]
            raise DomainError(f"不能删除“{title}”（{old['code']}）：已有记录引用它，请改为停用")
    for code in sorted(spec.required_codes):
        row = next((r for r in rows if r["code"] == code), None)
        if row is None or not row["active"]:
            named = row or next((r for r in known if r["code"] == code), {})
            title = named.get(spec.title_column.code) or code
            raise DomainError(f"“{title}”是制度要求的{spec.row_noun}，不能缺少或停用")
    for check in spec.checks:
        check(rows)
    return rows


def keep_codes(previous: Sequence[Mapping[str, Any]], edited: Sequence[Mapping[str, Any]]) -> list[dict]:
    """An editor's rows with the codes of the first ``len(previous)`` rows put back: an existing row's code is
    read-only (the editor only appends rows, so positions of existing rows do not move)."""
    rows = [dict(r) for r in edited]
    for row, old in zip(rows, previous, strict=False):
        row["code"] = old["code"]
    return rows


def active(rows: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [r for r in rows if r.get("active", True)]


def summary(spec: TableSpec, rows: Sequence[Mapping[str, Any]]) -> str:
    on = len(active(rows))
    return f"{len(rows)} {spec.row_noun}" + (f"（启用 {on}）" if on != len(rows) else "")
