"""The policy book: every configurable rule with its clause and provenance; versioned edits; holidays."""

from datetime import date, datetime, time

import pandas as pd
import streamlit as st

from core import money
from core import policy as book
from core.errors import DomainError
from core.labels import HOLIDAY_KIND, PROVENANCE
from core.permissions import Action
from core.worktime import UNITS
from db.services import policy as policy_service
from ui.context import page_header, require
from ui.fmt import TZ, dt, now
from ui.forms import show_error
from ui.tables import excel_button, text_column
from ui.theme import PICK
from views.admin.widgets.policy_table import table_editor, table_frame

actor = require(Action.POLICY_VIEW)
page_header("制度参数", ":material/gavel:", "公司客服制度中的期限、金额、阈值与豁免均在此维护；每次修改形成新版本，记录按其生成时的版本判定")
can_edit = actor.can(Action.POLICY_EDIT)
current = policy_service.policy_book(actor=actor, now=now())
st.caption(f"当前版本：{current.version}（0 = 出厂默认值）")

tab_params, tab_calendar, tab_history = st.tabs(["参数", "节假日日历", "修改记录"])
with tab_params:
    groups = sorted({p.group for p in book.PARAMS.values()}, key=list(book.GROUP_LABELS).index)
    group = st.segmented_control("类别", groups, format_func=lambda g: book.GROUP_LABELS.get(g, g), default=groups[0])
    params = [p for p in book.PARAMS.values() if p.group == group]
    df = pd.DataFrame([{
        "参数": p.label,
        "当前值": book.format_value(p, current[p.key]) + ("（已修改）" if p.key in current.overridden else ""),
        "出厂默认": book.format_value(p, p.default), "依据": p.citation,
        "来源": PROVENANCE[p.provenance] + ("（待客户确认）" if p.needs_confirmation else ""),
    } for p in params])
    # Fixed widths fit 1280 px; a long value or clause shows in full on hover and in the Excel export.
    widths = {"参数": text_column("参数", 200), "当前值": text_column("当前值", 150),
              "出厂默认": text_column("出厂默认", 110), "依据": text_column("依据", 230), "来源": text_column("来源", 90)}
    st.dataframe(df, hide_index=True, width="stretch", column_config=widths)
    excel_button(lambda: df, "制度参数.xlsx", key="policy_xlsx")  # the workbook is built only when clicked
    for p in (p for p in params if p.kind == "table"):  # tables: every row, read-only, with labels
        with st.expander(f"{p.label}（{book.format_value(p, current[p.key])}）"):
            st.caption(f"{p.citation} · 来源：{PROVENANCE[p.provenance]}")
            st.dataframe(table_frame(p, current[p.key]), hide_index=True, width="stretch")
            excel_button(lambda p=p: table_frame(p, current[p.key]), f"{p.label}.xlsx", key=f"policy_xlsx_{p.key}")
    if can_edit and params:
        st.markdown("**修改参数**")
        labels = {p.key: p.label for p in params}
        key = st.selectbox("参数", list(labels), format_func=labels.get, placeholder=PICK)  # outside the form: the inputs follow it
        param = book.PARAMS[key]
        st.caption(f"{param.citation} · 来源：{PROVENANCE[param.provenance]}"
                   + (" · 待客户确认" if param.needs_confirmation else ""))
        with st.form(f"policy_edit_{key}"):
            # A table first, full width; the effective date and the reason under it, as for a single value.
            value = table_editor(param, current[key], key=f"policy_table_{key}") if param.kind == "table" else None
            c1, c2 = st.columns(2)
            if param.kind == "table":
                pass
            elif param.kind == "duration":
                amount = c1.number_input("数值", min_value=0.0, value=float(current[key]["amount"]))
                unit = c2.selectbox("单位", list(UNITS), format_func=UNITS.get, index=list(UNITS).index(current[key]["unit"]),
                                    placeholder=PICK)
                value = {"amount": amount, "unit": unit}
            elif param.kind == "bool":
                value = c1.checkbox("启用", value=bool(current[key]))
            elif param.kind == "int":
                value = c1.number_input(f"数值（{param.unit}）" if param.unit else "数值", value=int(current[key]), step=1)
            elif param.kind == "money":  # typed in 元, parsed to 分 by core.money in the service
                value = c1.text_input(f"金额（{param.unit}）", value=money.to_yuan_text(current[key]),
                                      placeholder="例如 50 或 1,234.50")
            elif param.kind == "order":  # picked in order, most important first; the service checks all are named
                labels_of = dict(param.choices)
                value = c1.multiselect("次序（从重到轻依次选择）", list(labels_of), format_func=labels_of.get,
                                       default=book.order_codes(param, current[key]), placeholder=PICK)
            elif param.kind == "float":
                value = c1.number_input(f"数值（{param.unit}）" if param.unit else "数值", value=float(current[key]))
            else:
                value = c1.text_input("取值", value=str(current[key]))
            eff_day = c1.date_input("生效日期", value=date.today())
            reason = c2.text_area("修改原因 *", placeholder="例如：客户确认 2026-11 会议纪要第3项")
            if st.form_submit_button("保存为新版本", type="primary"):
                try:
                    version = policy_service.set_value(actor=actor, key=key, value=value, reason=reason, now=now(),
                                                       effective_from=datetime.combine(eff_day, time(0), TZ))
                    st.session_state["flash"] = f"已保存，版本 {version}"
                    st.rerun()
                except DomainError as exc:
                    show_error(exc)

with tab_calendar:
    year = st.number_input("年份", min_value=2020, max_value=2100, value=date.today().year, step=1)
    rows = policy_service.holidays(actor=actor, year=int(year))
    st.dataframe(pd.DataFrame([{"日期": h.day, "类型": HOLIDAY_KIND[h.kind], "名称": h.name} for h in rows]),
                 hide_index=True, width="stretch")
    if not rows:
        st.warning(f"{int(year)} 年的节假日尚未录入：工作日期限将只按周末计算。")
    if can_edit:
        with st.form("holiday_form", clear_on_submit=True):
            c1, c2, c3 = st.columns(3)
            day = c1.date_input("日期")
            kind = c2.selectbox("类型", list(HOLIDAY_KIND), format_func=HOLIDAY_KIND.get, placeholder=PICK)
            name = c3.text_input("名称", placeholder="例如 春节")
            add, remove = st.columns(2)
            if add.form_submit_button("保存日期"):
                try:
                    policy_service.set_holiday(actor=actor, day=day, kind=kind, name=name)
                    st.rerun()
                except DomainError as exc:
                    show_error(exc)
            if remove.form_submit_button("从日历删除该日期"):
                try:
                    policy_service.remove_holiday(actor=actor, day=day)
                    st.rerun()
                except DomainError as exc:
                    show_error(exc)

with tab_history:
    changes = policy_service.history(actor=actor)
    st.dataframe(pd.DataFrame([{
        "版本": c.id, "参数": book.PARAMS[c.key].label if c.key in book.PARAMS else c.key,
        "取值": book.format_stored(c.key, c.value_json),
        "生效": dt(c.effective_from), "原因": c.reason, "修改时间": dt(c.created_at)} for c in changes]),
        hide_index=True, width="stretch")
