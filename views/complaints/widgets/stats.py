"""The monthly 《顾客投诉分类统计表》 screen pieces: the table, each office's submission, a cell's complaints."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import complaint_stats as rules
from core.errors import DomainError
from core.permissions import Action, Actor
from db.services import complaint_stats as stats
from ui.fmt import TZ, dt, now
from ui.forms import button, new_form_token, show_error
from ui.pdf import pdf_button
from ui.tables import excel_button, pager, pager_footer, reset_pager
from ui.theme import PICK
from views.complaints.widgets.listing import complaint_table


def table_key(month, office_id: int | None) -> str:
    """Where the page keeps the generated table between reruns (cleared when the office's table changes state)."""
    return f"stats_table_{month:%Y%m}_{office_id or 0}"


def table_frame(table: stats.StatsTable) -> pd.DataFrame:
    """The table as shown and exported (one row per category, the total last)."""
    return pd.DataFrame([{"投诉分类": r.label, **{label: rules.cell(r, key) for key, label in rules.COLUMNS}}
                         for r in table.rows]).astype(str)


# Shorter headings on screen so the fifteen columns fit 1280 px (the PDF and the Excel file keep the full ones).
SCREEN_HEADINGS = {"本月受理": "受理", "已结案": "结案", "未结案": "未结", "上月受理": "上月", "环比增减": "环比"}


def show_table(table: stats.StatsTable, *, status_line: str, key: str) -> None:
    shown = table_frame(table).rename(columns=SCREEN_HEADINGS)
    widths = {c: st.column_config.TextColumn(c, width=50) for c in shown.columns[1:]}
    widths["投诉分类"] = st.column_config.TextColumn("投诉分类", width=120)
    st.dataframe(shown, hide_index=True, column_config=widths, height=35 * (len(shown) + 1) + 3)
    st.caption(rules.DENOMINATORS)
    c1, c2, _ = st.columns([1, 2, 2])
    with c1:
        excel_button(lambda: table_frame(table), f"顾客投诉分类统计表-{table.number}.xlsx", key=f"{key}_xlsx")
    pdf_button("打印 PDF：投诉分类统计表", lambda: stats.table_pdf(table, status_line=status_line, printed_at=now(), tz=TZ),
               f"顾客投诉分类统计表-{table.number}.pdf", key=f"{key}_pdf", container=c2)


def status_frame(rows: list[stats.ReportStatus]) -> pd.DataFrame:
    return pd.DataFrame([{"管理处": r.office, "状态": r.state_label, "版本": r.version or "—", "报送期限": dt(r.due_at),
                          "报送时间": dt(r.submitted_at), "报送人": r.submitted_by or "—",
                          "是否按时": stats.DUTY_LABELS[r.duty]} for r in rows])


def submit_action(actor: Actor, status: stats.ReportStatus, month) -> None:
    """报送 (or submit the corrected table) for one office, when the month is over."""
    if not actor.can(Action.COMPLAINT_STATS_SUBMIT, status.office_id) or status.state == rules.ReportState.SUBMITTED:
        return
    label = "报送更正后的统计表" if status.state == rules.ReportState.RETURNED else "报送统计表"
    key = f"stats_submit_{status.office_id}_{month:%Y%m}"
    if button(key, label, type="primary", icon=":material/send:"):
        try:
            report = stats.submit(actor=actor, office_id=status.office_id, month=month,
                                  request_id=st.session_state[f"_token_{key}"], now=now())
        except DomainError as exc:
            show_error(exc)
            return
        new_form_token(key)
        st.session_state.pop(table_key(month, status.office_id), None)  # show the frozen version now
        st.session_state["stats_saved"] = f"已报送第 {report.version} 版，报送后统计表冻结，后续修改投诉不再改变它。"
        st.rerun()


def return_action(actor: Actor, status: stats.ReportStatus, month) -> None:
    """总部退回更正 with a reason."""
    if status.report_id is None or status.state != rules.ReportState.SUBMITTED:
        return
    if not actor.can(Action.COMPLAINT_STATS_RETURN, status.office_id):
        return
    with st.form(f"stats_return_{status.report_id}", clear_on_submit=False):
        reason = st.text_area("退回原因", key=f"stats_reason_{status.report_id}", max_chars=500,
                              placeholder="例如：工程维修类漏计了转办投诉，请核对后重新报送")
        if st.form_submit_button("退回更正", icon=":material/undo:"):
            try:
                stats.return_for_correction(actor=actor, stats_report_id=status.report_id, reason=reason, now=now())
            except DomainError as exc:
                show_error(exc)
                return
            st.session_state.pop(table_key(month, status.office_id), None)
            st.session_state["stats_saved"] = f"已退回{status.office}的统计表，等待其更正后重新报送。"
            st.rerun()


def show_versions(actor: Actor, status: stats.ReportStatus) -> None:
    if status.report_id is None or not status.version:
        return
    with st.expander(f"已报送的版本（{status.version}）"):
        for v in stats.versions(actor=actor, stats_report_id=status.report_id):
            line = f"第 {v.version} 版 · {dt(v.submitted_at)} · 报送人 {v.submitted_by}"
            if v.returned_at:
                line += f" · {dt(v.returned_at)} 被 {v.returned_by} 退回：{v.return_reason}"
            st.write(line)


def drilldown(actor: Actor, table: stats.StatsTable, office_id: int | None, office_names: dict[int, str]) -> None:
    """Every cell opens the complaints it counts: pick the row and the column."""
    st.subheader("查看单元格对应的投诉")
    c1, c2 = st.columns(2)
    codes = [r.code for r in table.rows]
    labels = {r.code: r.label for r in table.rows}
    category = c1.selectbox("投诉分类（行）", codes, format_func=labels.get, key="stats_cell_row", placeholder=PICK,
                            on_change=reset_pager, args=("stats_cell",))
    column = c2.selectbox("统计项（列）", list(rules.DRILL_COLUMNS), format_func=rules.DRILL_COLUMNS.get,
                          key="stats_cell_col", placeholder=PICK, on_change=reset_pager, args=("stats_cell",))
    page, size = pager("stats_cell", page_size=20)
    try:
        result = stats.cell_complaints(actor=actor, month=table.month, office_id=office_id, category=category,
                                       column=column, page=page, page_size=size, now=now())
    except DomainError as exc:
        show_error(exc)
        return
    shown, widths = complaint_table(result.rows, office_names, show_office=office_id is None)
    st.dataframe(shown, hide_index=True, column_config=widths, width="stretch")
    pager_footer("stats_cell", result)
