"""Audit trail search: who did what, when, with the values before and after."""

from datetime import date, timedelta

import streamlit as st

from core.permissions import Action
from db.services import audit_log
from db.services.base import EXPORT_LIMIT
from ui.context import page_header, require
from ui.fmt import dt, local_to_utc
from ui.tables import excel_button, frame, pager, pager_footer, reset_pager, selectable_table

actor = require(Action.AUDIT_VIEW)
page_header("审计日志", ":material/history:", "所有业务写入与登录事件的只增不改记录")

c1, c2, c3, c4 = st.columns([2, 1, 1, 1])
text = c1.text_input("搜索（摘要、操作人、记录编号）", key="audit_text", on_change=reset_pager, args=("audit",))
prefixes = {"": "全部", "auth.": "登录与会话", "user.": "账号", "policy.": "制度参数", "permission.": "越权拒绝",
            "pii.": "个人信息查看", "complaint.": "投诉"}
prefix = c2.selectbox("类别", list(prefixes), format_func=prefixes.get, on_change=reset_pager, args=("audit",))
since = c3.date_input("从", value=date.today() - timedelta(days=30))
until = c4.date_input("到", value=date.today())
page, size = pager("audit", page_size=50)
filters = dict(text=text, action_prefix=prefix, since=local_to_utc(since), until=local_to_utc(until + timedelta(days=1)))
result = audit_log.search(actor=actor, page=page, page_size=size, **filters)
columns = {"时间": lambda r: dt(r.at), "操作人": lambda r: r.actor_name, "操作": lambda r: r.action,
           "对象": lambda r: f"{r.entity} {r.entity_id}".strip(), "摘要": lambda r: r.summary, "来源": lambda r: r.source}
picked = selectable_table(frame(result.rows, columns), key="audit_table", ids=[r.id for r in result.rows])
pager_footer("audit", result)
excel_button(lambda: frame(audit_log.search(actor=actor, page_size=EXPORT_LIMIT, **filters).rows, columns),
             "审计日志.xlsx", key="audit_xlsx")
if picked is not None:
    row = result.rows[picked]
    left, right = st.columns(2)
    left.caption("修改前")
    left.code(row.before_json or "—", language="json")
    right.caption("修改后")
    right.code(row.after_json or "—", language="json")
