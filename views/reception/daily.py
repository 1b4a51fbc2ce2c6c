"""接待日报: the day's entries, open items, overdue replies and callbacks by clerk; the printable register and the
Excel export of any filtered list."""

from datetime import timedelta

import streamlit as st

from core import reception as rules
from core.errors import DomainError
from core.permissions import Action
from db.services import reception_queues as queues
from ui.context import page_header, require
from ui.fmt import TZ, local_to_utc, now
from ui.forms import show_error
from ui.pickers import office_picker
from ui.tables import excel_button, reset_pager, table, text_column
from ui.theme import PICK
from views.reception.widgets.common import POLICY_LINE, category_labels, daily_pdf_button, export_frame
from views.reception.widgets.incidents import daily_section
from views.reception.widgets.listing import list_with_detail

actor = require(Action.RECEPTION_VIEW)
page_header("接待日报", ":material/today:", POLICY_LINE)
moment = now()


def changed() -> None:
    reset_pager("rc_daily")


c1, c2, c3 = st.columns([2, 1, 1])
with c1:
    office_id = office_picker(actor, Action.RECEPTION_VIEW, key="rd_office", on_change=changed)
day = c2.date_input("日期", value=moment.astimezone(TZ).date(), key="rd_day", on_change=changed)
queue = c3.selectbox("队列", list(queues.QUEUES), format_func=queues.QUEUES.get, key="rd_queue", on_change=changed,
                    placeholder=PICK)
since = local_to_utc(day)
until = since + timedelta(days=1)
try:
    summary = queues.day_summary(actor=actor, now=moment, since=since, until=until, office_id=office_id)
except DomainError as exc:
    show_error(exc)
    st.stop()
m = st.columns(4)
m[0].metric("当日登记", summary.entries)
m[1].metric("未关闭", summary.open_items)
m[2].metric("来函答复超期", summary.reply_overdue)
m[3].metric("回电超期", summary.callback_overdue)
if summary.by_clerk:
    st.dataframe(table(summary.by_clerk, {"登记人": lambda r: r[1], "当日登记": lambda r: r[2], "其中未关闭": lambda r: r[3]}),
                 hide_index=True, column_config={"登记人": text_column("登记人", 160)})
clerks = {uid: name for uid, name, _, _ in summary.by_clerk if uid}

f1, f2, f3, f4 = st.columns(4)
categories = category_labels()
channel = f1.selectbox("渠道", [None, *rules.CHANNEL_LABELS], format_func=lambda x: "全部" if x is None else
                       rules.CHANNEL_LABELS[x], key="rd_channel", on_change=changed, placeholder=PICK)
category = f2.selectbox("分类", [None, *categories], format_func=lambda x: "全部" if x is None else categories[x],
                        key="rd_category", on_change=changed, placeholder=PICK)
clerk = f3.selectbox("登记人", [None, *clerks], format_func=lambda x: "全部" if x is None else clerks[x],
                     key="rd_clerk", on_change=changed, placeholder=PICK)
text = f4.text_input("搜索编号/姓名/内容", key="rd_text", on_change=changed)
whole_day = not queue
filters = {"office_id": office_id, "channel": channel, "category": category, "clerk_id": clerk, "text": text,
           "queue": queue or "", "since": since if whole_day else None, "until": until if whole_day else None}

buttons = iter(st.columns([1, 1, 3]))
if actor.can(Action.RECEPTION_EXPORT, office_id):
    with next(buttons):
        excel_button(lambda: export_frame(queues.export_rows(actor=actor, now=moment, **filters), categories),
                     f"来电来访登记_{day:%Y%m%d}.xlsx", key="rd_xlsx")
with next(buttons):
    if office_id:
        daily_pdf_button(actor, office_id=office_id, day=day, key="rd_pdf")
    else:
        st.caption("选择一个管理处后可打印登记表")

list_with_detail(actor, key="rc_daily", moment=moment, filters=filters, page_size=30,
                 hint="选中一条记录，查看详情和可执行的操作。")

st.divider()
daily_section(actor, day, office_ids={office_id} if office_id else None)  # 来访事件 of the day and still open
