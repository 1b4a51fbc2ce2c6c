"""物业管理投诉月报: the HQ 客服中心's monthly report for the leaders — the consolidated table, 12-month trends, the
frequent issues, overdue and reopened complaints, exemptions and each office's rates (顾客投诉处理制度(知识管理))."""

from datetime import date

import pandas as pd
import streamlit as st

from core import complaint_stats as rules
from core.errors import DomainError
from core.permissions import Action
from db.services import complaint_monthly as monthly
from ui.context import page_header, require
from ui.fmt import TZ, now
from ui.forms import show_error
from ui.pdf import pdf_button
from ui.tables import text_column
from ui.theme import PICK
from views.complaints.widgets.stats import SCREEN_HEADINGS

actor = require(Action.COMPLAINT_EXPORT)
page_header("投诉月报", ":material/monitoring:", f"{rules.CLAUSE}：总部客服中心汇总各管理处的统计表，形成物业管理投诉月报报公司领导")
moment = now()
this_month = rules.first_of_month(moment.astimezone(TZ).date())
choices = [rules.previous_month(this_month)]
for _ in range(23):
    choices.append(rules.previous_month(choices[-1]))
month: date = st.selectbox("月份", choices, format_func=lambda m: f"{m:%Y年%m月}", key="mr_month", placeholder=PICK)
key = f"monthly_report_{month:%Y%m}"
if st.button("生成月报", icon=":material/calculate:", type="primary"):
    try:
        with st.spinner("正在汇总本月与近 12 个月的投诉…"):
            st.session_state[key] = monthly.monthly_report(actor=actor, month=month, now=moment)
    except DomainError as exc:
        show_error(exc)
report: monthly.MonthlyReport | None = st.session_state.get(key)
if report is None:
    st.caption("点击“生成月报”从投诉记录汇总（生成结果在本页保留）。")
    st.stop()

pdf_button("打印 PDF：物业管理投诉月报",
           lambda: monthly.report_pdf(report, prepared_by=actor.name, printed_at=now(), tz=TZ),
           f"物业管理投诉月报-{report.month:%Y%m}.pdf", key=f"{key}_pdf")
st.subheader(f"一、{report.month:%Y年%m月} 顾客投诉分类统计（{report.scope}）")
frame = pd.DataFrame([{"投诉分类": r.label, **{label: rules.cell(r, k) for k, label in rules.COLUMNS}}
                      for r in report.table]).astype(str).rename(columns=SCREEN_HEADINGS)
widths = {c: st.column_config.TextColumn(c, width=50) for c in frame.columns[1:]}
widths["投诉分类"] = st.column_config.TextColumn("投诉分类", width=120)
st.dataframe(frame, hide_index=True, column_config=widths, height=35 * (len(frame) + 1) + 3)
st.caption(rules.DENOMINATORS)

st.subheader("二、近 12 个月趋势")
labels = [f"{m:%y.%m}" for m in report.trend_months]
c1, c2 = st.columns(2)
c1.caption("按分类")
c1.line_chart(pd.DataFrame(report.trend_by_category, index=labels))
c2.caption("按分级（当前分级）")
c2.bar_chart(pd.DataFrame(report.trend_by_grade, index=labels))

st.subheader("三、本月集中反映的问题")
st.dataframe(pd.DataFrame(report.top_issues, columns=["问题", "件数"]), hide_index=True,
             column_config={"问题": text_column("问题", 420)})

st.subheader("四、超期、重新处理与免回访")
m1, m2, m3 = st.columns(3)
m1.metric("处理超期", report.overdue)
m2.metric("重新处理", report.reopened)
m3.metric("免回访", sum(n for _, n in report.exemptions))
for title, items in (("处理超期（最早到期的 20 件）", report.overdue_items), ("重新处理（次数最多的 20 件）", report.reopened_items)):
    if items:
        with st.expander(title):
            st.dataframe(pd.DataFrame([{"编号": i.number, "管理处": i.office, "摘要": i.title, "说明": i.note}
                                       for i in items]), hide_index=True,
                         column_config={"编号": text_column("编号", 130), "摘要": text_column("摘要", 300)})
if report.exemptions:
    st.caption("免回访：" + "，".join(f"{k} {n} 件" for k, n in report.exemptions))

st.subheader("五、各管理处回访率与满意率")
st.dataframe(pd.DataFrame([{"管理处": o.office, "本月受理": o.received, "已结案": o.closed, "结案率": o.closure_rate,
                            "回访率": o.callback_rate, "满意率": o.satisfaction_rate} for o in report.offices]),
             hide_index=True, column_config={"管理处": text_column("管理处", 160)})
