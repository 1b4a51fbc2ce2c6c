"""Audit trail search: who did what, when, with the values before and after — in words, not codes."""

from datetime import date, timedelta

import streamlit as st

from core.permissions import Action
from db.services import audit_log
from db.services.base import EXPORT_LIMIT
from ui.context import page_header, require
from ui.fmt import dt, local_to_utc
from ui.tables import excel_button, frame, pager, pager_footer, reset_pager, selectable_table, text_column
from ui.theme import PICK

actor = require(Action.AUDIT_VIEW)
page_header("审计日志", ":material/history:", "所有业务写入与登录事件的只增不改记录")

c1, c2, c3, c4 = st.columns([2, 1, 1, 1])
text = c1.text_input("搜索（摘要、操作人、记录编号）", key="audit_text", on_change=reset_pager, args=("audit",))
categories = {"": "全部", **audit_log.categories()}  # the registered record types (core.registry)
category = c2.selectbox("类别", list(categories), format_func=lambda c: categories.get(c, c), on_change=reset_pager,
                        args=("audit",), key="audit_category",
                        placeholder=PICK)
since = c3.date_input("从", value=date.today() - timedelta(days=30))
until = c4.date_input("到", value=date.today())
page, size = pager("audit", page_size=50)
filters = dict(text=text, category=category, since=local_to_utc(since), until=local_to_utc(until + timedelta(days=1)))
result = audit_log.search(actor=actor, page=page, page_size=size, **filters)


def _frame(rows):
    shown = audit_log.rows_for_display(rows)
    columns = {"时间": lambda x: dt(x[0].at), "操作人": lambda x: x[0].actor_name or "系统", "操作": lambda x: x[1]["action"],
               "对象": lambda x: x[1]["subject"], "摘要": lambda x: x[1]["summary"], "来源": lambda x: x[1]["source"]}
    return frame(list(zip(rows, shown, strict=True)), columns)


widths = {"时间": text_column("时间", 125), "操作人": text_column("操作人", 70), "操作": text_column("操作", 100),
          "对象": text_column("对象", 140), "摘要": text_column("摘要", 250), "来源": text_column("来源", 90)}
picked = selectable_table(_frame(result.rows), key="audit_table", ids=[r.id for r in result.rows],
                          context=(text, category, since, until, page), column_config=widths)
pager_footer("audit", result)
excel_button(lambda: _frame(audit_log.search(actor=actor, page_size=EXPORT_LIMIT, **filters).rows),
             "审计日志.xlsx", key="audit_xlsx")
if picked is not None:
    row = result.rows[picked]
    shown = audit_log.rows_for_display([row])[0]
    st.subheader(f"{shown['action']} · {shown['subject']}")
    st.caption(f"{dt(row.at)} · {row.actor_name or '系统'} · 来源 {shown['source']}")
    if shown["summary"]:
        st.write(shown["summary"])
    changed, unlabeled = audit_log.changes(row)
    if changed:
        st.dataframe([{"项目": c.field, "修改前": c.before, "修改后": c.after} for c in changed], hide_index=True,
                     width="stretch")
    elif not unlabeled:
        st.caption("此操作没有记录修改前后的内容。")
    if unlabeled:
        with st.expander(f"其他技术字段（{len(unlabeled)} 项，原始记录）"):
            st.code(f"修改前：{row.before_json or '—'}\n修改后：{row.after_json or '—'}", language=None)
