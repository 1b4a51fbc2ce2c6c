"""The complaint lists (投诉处理, 投诉回访): the columns a clerk needs on screen at 1280 px, every column in the Excel
export, and which complaint the page opens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pandas as pd
import streamlit as st

from core import complaint_workflow as wf
from core import complaints as rules
from ui.fmt import dt, now, short_dt
from ui.tables import frame, reset_pager, table, text_column
from views.complaints.widgets.common import category_labels, grade_label, state_label

# Screen widths in px: with the row-selection column they add up to less than the 1280 px page's content box
# (818 px with the menu open); 摘要 takes what is left (tests/e2e/test_every_page_chinese.py measures it).
_WIDTHS = {"编号": 118, "管理处": 84, "受理时间": 92, "类别": 48, "分类": 92, "状态": 72, "期限": 92, "超期": 48}
_SUMMARY_WIDTH = {True: 124, False: 208}  # with / without the 管理处 column


def filters_changed() -> None:
    """A new search or queue: back to page 1, and a deep link's ``?id=`` no longer decides what is open."""
    reset_pager("complaints")
    st.query_params.pop("id", None)


def picked_complaint(rows, picked: int | None) -> int | None:
    """The complaint to show: the selected row; else a deep link ``?id=`` (a notice's 打开); else the only row."""
    if picked is not None and picked < len(rows):
        return rows[picked].id
    wanted = st.query_params.get("id", "")
    if wanted.isdigit():
        return int(wanted)
    return rows[0].id if len(rows) == 1 else None


def _export_columns(office_names: dict[int, str]) -> dict:
    moment = now()
    categories = category_labels()
    return {
        "编号": lambda c: c.number,
        "管理处": lambda c: office_names.get(c.office_id, ""),
        "受理时间": lambda c: dt(c.received_at),
        "类别": lambda c: grade_label(c.grade),
        "分类": lambda c: categories.get(c.category, c.category),
        "渠道": lambda c: rules.CHANNEL_LABELS.get(c.channel, c.channel),
        "摘要": lambda c: c.title,
        "状态": lambda c: state_label(c.state),
        "处理期限": lambda c: dt(c.due_at),
        "超期": lambda c: "已超期" if _late(c, moment) else "",
    }


def complaint_frame(rows, office_names: dict[int, str]) -> pd.DataFrame:
    """Every column of the list as a pandas frame: what the Excel export writes."""
    return frame(rows, _export_columns(office_names))


def handling_due(moment: datetime) -> tuple[str, Callable[[Any], Any], Callable[[Any], bool]]:
    """The 投诉处理 list's deadline column: the handling deadline, late while the complaint is open."""
    return "处理期限", lambda c: c.due_at, lambda c: _late(c, moment)


def _late(c, moment: datetime) -> bool:
    return rules.handling_overdue(state=c.state, due_at=c.due_at, handled_at=c.handled_at, now=moment)


def callback_due(moment: datetime) -> tuple[str, Callable[[Any], Any], Callable[[Any], bool]]:
    """The 投诉回访 queue's deadline column: the callback deadline (every row in the queue is still to call)."""
    return "回访期限", lambda c: c.callback_due_at, lambda c: wf.is_overdue(c.callback_due_at, moment)


def complaint_table(rows, office_names: dict[int, str], *, show_office: bool, due=None,
                    categories: dict[str, str] | None = None) -> tuple[Any, dict]:
    """The screen's columns (渠道 and the full times live in the detail and the export) and their widths.

    ``show_office``: only when the list spans several 管理处; ``due``: ``handling_due`` (default) or ``callback_due``;
    ``categories``: the labels when the page has read them already (one policy-book read per run).
    """
    categories = categories if categories is not None else category_labels()
    due_label, due_at, late = due or handling_due(now())
    columns: dict[str, Callable[[Any], Any]] = {"编号": lambda c: c.number}
    if show_office:
        columns["管理处"] = lambda c: office_names.get(c.office_id, "")
    columns |= {
        "受理时间": lambda c: short_dt(c.received_at),
        "类别": lambda c: grade_label(c.grade),
        "分类": lambda c: categories.get(c.category, c.category),
        "摘要": lambda c: c.title,
        "状态": lambda c: state_label(c.state),
        due_label: lambda c: short_dt(due_at(c)),
        "超期": lambda c: "超期" if late(c) else "",
    }
    widths = {name: text_column(name, _WIDTHS.get(name, _WIDTHS["期限"])) for name in columns if name != "摘要"}
    widths["摘要"] = text_column("摘要", _SUMMARY_WIDTH[show_office])
    return table(rows, columns), widths


def rate_table(rates) -> None:
    """本月回访率 per 管理处 against the policy book's target (投诉回访 第6条), within the page's width."""
    if not rates:
        st.caption("本月尚无到期的回访。")
        return
    st.caption(f"本月回访率（已回访 ÷ 应回访，免回访不计）：目标 {rates[0].target_pct}%，{rates[0].citation}")
    st.dataframe(table(rates, {
        "管理处": lambda r: r.office, "应回访": lambda r: r.required, "已回访": lambda r: r.done,
        "超期未回访": lambda r: r.overdue, "回访率": lambda r: r.rate_label,
        "达标": lambda r: "达标" if r.meets_target else "未达标",
    }), hide_index=True, width="stretch", column_config={"管理处": text_column("管理处", 160)})
