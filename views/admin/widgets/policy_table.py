"""The 制度参数 page's table parameters: shown read-only with labels, edited with ``st.data_editor``.

Rows are only appended in the editor (``num_rows="add"``): a row is deactivated, never deleted, and an existing
row's code is read-only (``core.policy_tables.keep_codes`` puts back any code typed over).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import streamlit as st

from core.policy import Param
from core.policy_tables import Column, keep_codes


def table_frame(param: Param, rows: list[dict]) -> pd.DataFrame:
    """What a viewer reads (and what the Excel export holds): labels, not codes, except the code column."""
    spec = param.table
    return pd.DataFrame([{spec.code_label: r["code"], **{c.label: c.show(r.get(c.code)) for c in spec.columns},
                          "启用": "是" if r["active"] else "否"} for r in rows])


def _config(column: Column) -> Any:
    cfg = st.column_config
    if column.type == "multi":
        return cfg.MultiselectColumn(column.label, options=list(column.allowed or ()), required=column.required,
                                     format_func=(column.allowed or {}).get)
    if column.type == "choice":
        return cfg.SelectboxColumn(column.label, options=list(column.allowed or ()), required=column.required,
                                   format_func=(column.allowed or {}).get)
    if column.type == "int":
        return cfg.NumberColumn(column.label, step=1, format="%d", required=column.required)
    if column.type == "bool":
        return cfg.CheckboxColumn(column.label, default=False)
    return cfg.TextColumn(column.label, required=column.required, max_chars=column.max_len)


def _plain(value: Any) -> Any:
    """A cell as the editor returns it → JSON-friendly: NaN → None, 3.0 → 3, numpy scalars → Python."""
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()
    if isinstance(value, float):
        return None if math.isnan(value) else (int(value) if value.is_integer() else value)
    return value


def table_editor(param: Param, rows: list[dict], *, key: str) -> list[dict]:
    """The editor; returns the edited rows (existing codes kept, new rows active unless unticked)."""
    spec = param.table
    columns = ["code", *(c.code for c in spec.columns), "active"]
    df = pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=columns)
    config = {"code": st.column_config.TextColumn(spec.code_label, help="新增行填写英文小写代码；已有行的代码不可修改",
                                                  max_chars=32),
              **{c.code: _config(c) for c in spec.columns},
              "active": st.column_config.CheckboxColumn("启用", default=True, help="不再使用的行请取消勾选，不能删除")}
    edited = st.data_editor(df, column_config=config, num_rows="add", hide_index=True, key=key, width="stretch")
    records = [{k: _plain(v) for k, v in r.items()} for r in edited.to_dict("records")]
    for r in records:
        r["active"] = True if r.get("active") is None else bool(r["active"])
    kept = keep_codes(rows, records)
    if any(a.get("code") != b.get("code") for a, b in zip(records, kept, strict=False)):
        st.warning("已有行的代码不可修改，已保留原代码（如需停用请取消勾选“启用”）。")
    return kept
