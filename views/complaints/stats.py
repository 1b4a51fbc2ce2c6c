"""顾客投诉分类统计表: generate the month's table, submit it by the due day, headquarters returns it for correction."""

from datetime import date

import streamlit as st

from core import complaint_stats as rules
from core.errors import DomainError
from core.permissions import Action
from db.services import complaint_stats as stats
from ui.context import page_header, require
from ui.fmt import TZ, dt, now
from ui.forms import show_error
from ui.pickers import cached_offices, office_picker
from ui.theme import PICK
from views.complaints.widgets.stats import (
    drilldown,
    return_action,
    show_table,
    show_versions,
    status_frame,
    submit_action,
    table_key,
)

actor = require(Action.COMPLAINT_EXPORT)
page_header("投诉分类统计表", ":material/table_chart:",
            f"{rules.CLAUSE}：各管理处按分类填写《顾客投诉分类统计表》，次月规定日期前报送总部客服中心")
if saved := st.session_state.pop("stats_saved", None):
    st.success(saved)
moment = now()
this_month = rules.first_of_month(moment.astimezone(TZ).date())
months = [this_month]
for _ in range(23):
    months.append(rules.previous_month(months[-1]))
c1, c2 = st.columns(2)
month: date = c1.selectbox("统计月份", months, index=1, format_func=lambda m: f"{m:%Y年%m月}", key="stats_month", placeholder=PICK)
with c2:
    office_id = office_picker(actor, Action.COMPLAINT_EXPORT, key="stats_office", label="管理处（全部 = 全公司汇总）")
names = dict(cached_offices(actor, Action.COMPLAINT_EXPORT))
try:
    statuses = stats.statuses(actor=actor, month=month, now=moment, office_id=office_id)
except DomainError as exc:
    show_error(exc)
    st.stop()

st.subheader("报送情况")
st.dataframe(status_frame(statuses), hide_index=True, width="stretch")
one = statuses[0] if office_id is not None and statuses else None
if one is not None:
    submitted = f" · 第 {one.version} 版 {dt(one.submitted_at)} 由 {one.submitted_by} 报送" if one.version else ""
    st.markdown(f"**{one.office}：{one.state_label}**{submitted} · 报送期限 {dt(one.due_at)} · "
                f"{stats.DUTY_LABELS[one.duty]}")
    submit_action(actor, one, month)
    return_action(actor, one, month)
    show_versions(actor, one)

st.subheader(f"{month:%Y年%m月} · {names.get(office_id, '全公司（汇总）') if office_id else '全公司（汇总）'}")
key = table_key(month, office_id)
frozen = one is not None and one.state == rules.ReportState.SUBMITTED
live_wanted = st.button("按当前记录生成统计表" if frozen else "生成统计表", icon=":material/calculate:",
                        type="secondary" if frozen else "primary")
try:
    if live_wanted:
        with st.spinner("正在统计本月投诉…"):
            st.session_state[key] = stats.generate(actor=actor, month=month, office_id=office_id, now=moment)
    elif frozen and key not in st.session_state:
        st.session_state[key] = stats.frozen_table(actor=actor, stats_report_id=one.report_id, now=moment)
except DomainError as exc:
    show_error(exc)
    st.stop()
table = st.session_state.get(key)
if table is None:
    st.caption("点击“生成统计表”按受理月份从投诉记录统计；生成结果在本页保留，报送时按报送时刻的记录冻结。")
    st.stop()
if table.frozen_version:
    status_line = f"已报送第 {table.frozen_version} 版（冻结）"
    st.info(f"显示的是{dt(table.generated_at)}报送的第 {table.frozen_version} 版（已冻结），不随之后的投诉修改而变化。")
else:
    status_line = f"{dt(table.generated_at)} 按当时记录生成（未冻结）"
    st.caption(f"{status_line} · 制表 {table.prepared_by}")
show_table(table, status_line=status_line, key=key)
drilldown(actor, table, office_id, names)
