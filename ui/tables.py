"""Paged tables and Excel export (design.md §9: every list pages in SQL and exports to Excel)."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import pyarrow as pa
import streamlit as st

from core.export import neutralise_cell


def pager(key: str, *, page_size: int = 50) -> tuple[int, int]:
    """Current page number for a list; the list calls ``pager_footer`` after rendering."""
    return int(st.session_state.get(f"{key}_page", 1)), page_size


def _go_to(key: str, page: int) -> None:
    st.session_state[f"{key}_page"] = page


def pager_footer(key: str, result) -> None:
    """上一页/下一页 set the page in a callback: the click's own run shows the new page (no second run), also
    inside an ``st.fragment``."""
    cols = st.columns([1, 1, 4])
    cols[0].button("上一页", key=f"{key}_prev", disabled=result.page <= 1, on_click=_go_to, args=(key, result.page - 1))
    cols[1].button("下一页", key=f"{key}_next", disabled=result.page >= result.pages, on_click=_go_to,
                   args=(key, result.page + 1))
    cols[2].caption(f"共 {result.total} 条，第 {result.page}/{result.pages} 页")


def reset_pager(key: str) -> None:
    st.session_state[f"{key}_page"] = 1


def frame(rows: Sequence[Any], columns: dict[str, Callable[[Any], Any]]) -> pd.DataFrame:
    """Build a display frame from service rows: ``columns`` maps a Chinese header to a getter."""
    return pd.DataFrame([{name: get(r) for name, get in columns.items()} for r in rows], columns=list(columns))


def table(rows: Sequence[Any], columns: dict[str, Callable[[Any], Any]]) -> pa.Table | pd.DataFrame:
    """Like ``frame`` but for display only: an Arrow table, which ``st.dataframe`` sends as is.

    A pandas frame costs ~1.4 ms to build and ~1.1 ms to convert to Arrow for 50 rows on every rerun; the
    Arrow table ~0.1 ms in all (scripts/bench.py). Columns whose values Arrow cannot type (mixed kinds) fall
    back to ``frame``.
    """
    data = {name: [get(r) for r in rows] for name, get in columns.items()}
    try:
        result = pa.table(data)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pd.DataFrame(data, columns=list(columns))
    for i, f in enumerate(result.schema):  # an all-empty column: show it as text, not as the Arrow null type
        if pa.types.is_null(f.type):
            result = result.set_column(i, f.name, pa.nulls(result.num_rows, pa.string()))
    return result


def to_excel(df: pd.DataFrame, sheet: str = "导出") -> bytes:
    safe = df.copy()
    for col in safe.columns:
        safe[col] = safe[col].map(neutralise_cell)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe.to_excel(writer, index=False, sheet_name=sheet[:31])
    return buffer.getvalue()


def excel_button(df: pd.DataFrame | Callable[[], pd.DataFrame], filename: str, *, key: str) -> None:
    """A download of the whole filtered list: pass a callable so the export runs only when clicked."""
    data = (lambda: to_excel(df())) if callable(df) else to_excel(df)
    st.download_button("导出 Excel", data=data, file_name=filename, key=key,
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       icon=":material/download:")


def text_column(label: str, width: int | str) -> Any:
    """A column of a fixed width in pixels (or "small"/"medium"/"large"): lists fit 1280 px (design.md §9)."""
    return st.column_config.TextColumn(label, width=width)


def selectable_table(df: pd.DataFrame | pa.Table, *, key: str, ids: Sequence[Any], context: Any = None,
                     column_config: dict[str, Any] | None = None) -> int | None:
    """Show a table with single-row selection; returns the selected row's position in ``ids`` or None.

    Streamlit keeps a table's selection as a row *position*: after a filter change, a page turn or an action that
    takes a row out of the list, the same position points at another record. Here the selection follows the record
    the user clicked (``ids``: the rows' ids, in order), and is dropped — never moved to another record — when
    ``context`` (e.g. the filters and page) changes or that record is no longer listed.
    """
    ss, pick_key, gen_key, shown = st.session_state, f"{key}__picked", f"{key}__gen", list(ids)
    widget_key = f"{key}~{ss[gen_key]}" if ss.get(gen_key) else key
    remembered = ss.get(pick_key)
    if remembered is not None:
        before = list(((ss.get(widget_key) or {}).get("selection") or {}).get("rows") or [])
        stale = remembered[1] != context or remembered[0] not in shown
        moved = not stale and bool(before) and before != [shown.index(remembered[0])]  # tick on another row
        if stale or moved:
            # Streamlit would keep ticking the old position: a fresh table (new key) shows no stale tick.
            ss[gen_key] = ss.get(gen_key, 0) + 1
            widget_key = f"{key}~{ss[gen_key]}"
        if stale:
            ss[pick_key] = remembered = None

    def remember_pick() -> None:  # runs on the click, with the rows the user was looking at
        state = ss.get(widget_key) or {}
        selected = list((state.get("selection") or {}).get("rows") or [])
        ss[pick_key] = (shown[selected[0]], context) if selected and selected[0] < len(shown) else None

    event = st.dataframe(df, key=widget_key, hide_index=True, on_select=remember_pick, selection_mode="single-row",
                         width="stretch", column_config=column_config)
    if remembered is not None:
        return shown.index(remembered[0])
    if pick_key in ss:  # clicked, then cleared (or dropped above)
        return None
    rows = event.selection.rows if event and event.selection else []  # set without a click (a test): by position
    return rows[0] if rows and rows[0] < len(shown) else None
