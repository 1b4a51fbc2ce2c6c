"""投诉回访: complaints verified and awaiting the 客服主任's callback (投诉回访 第1–5条)."""

import streamlit as st

from core import complaints as rules
from core.errors import DomainError
from core.permissions import Action
from db.services import complaints as svc
from db.services.org import offices_for
from db.services.policy import policy_at
from ui.complaint_actions import action_panel
from ui.complaints import complaint_frame, show_detail
from ui.context import page_header, require
from ui.fmt import dt, now
from ui.forms import show_error
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
df = complaint_frame(result.rows, dict(offices_for(actor=actor, action=Action.COMPLAINT_VIEW)))
df["回访期限"] = [dt(c.callback_due_at) for c in result.rows]
picked = selectable_table(df, key="callbacks_table")
pager_footer("callbacks", result)
excel_button(lambda: df, "待回访投诉.xlsx", key="callbacks_xlsx")  # the workbook is built only when clicked
if picked is not None:
    detail = svc.detail(actor=actor, complaint_id=result.rows[picked].id, now=moment)
    left, right = st.columns([3, 2])
    with left:
        show_detail(detail)
    with right:
        action_panel(actor, detail, extra_exemptions=rules.extra_exemptions(policy_at(moment, detail.complaint.policy_version)))
