"""投诉回访: complaints verified and awaiting the 客服主任's callback (投诉回访 第1–5条)."""

import streamlit as st

from core.errors import DomainError
from core.permissions import Action
from db.services import complaints as svc
from ui.complaint_detail import load_detail, show_complaint
from ui.complaints import complaint_frame, picked_complaint
from ui.context import page_header, require
from ui.fmt import dt, now
from ui.forms import show_error
from ui.pickers import cached_offices
from ui.tables import excel_button, pager, pager_footer, selectable_table

actor = require(Action.COMPLAINT_CALLBACK)
page_header("投诉回访", ":material/call:", "依据《顾客投诉处理制度(投诉回访)》：验证合格后由客服主任及时回访；不满意的重新处理")
moment = now()
page, size = pager("callbacks", page_size=30)
try:
    result = svc.search(actor=actor, now=moment, queue="callback", page=page, page_size=size)
except DomainError as exc:
    show_error(exc)
    st.stop()
st.metric("待回访", result.total)
df = complaint_frame(result.rows, dict(cached_offices(actor, Action.COMPLAINT_VIEW)))
df["回访期限"] = [dt(c.callback_due_at) for c in result.rows]
picked = selectable_table(df, key="callbacks_table")
pager_footer("callbacks", result)
excel_button(lambda: df, "待回访投诉.xlsx", key="callbacks_xlsx")  # the workbook is built only when clicked
complaint_id = picked_complaint(result.rows, picked)
if complaint_id is not None and (detail := load_detail(actor, complaint_id, moment)) is not None:
    st.divider()
    show_complaint(actor, detail, moment)
