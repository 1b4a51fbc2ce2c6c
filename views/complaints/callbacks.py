"""投诉回访: complaints verified and awaiting the 客服主任's callback (投诉回访 第1–5条)."""

import streamlit as st

from core.errors import DomainError
from core.permissions import Action
from db.services import complaint_callbacks as callbacks
from db.services import complaint_flow as flow
from db.services.base import EXPORT_LIMIT
from ui.context import page_header, require
from ui.fmt import TZ, dt, now
from ui.forms import show_error
from ui.pickers import cached_offices
from ui.tables import excel_button, pager, pager_footer, reset_pager, selectable_table
from views.complaints.widgets.actions import SAVED_KEY, saved_result
from views.complaints.widgets.detail import load_detail, show_complaint
from views.complaints.widgets.listing import (
    callback_due,
    complaint_frame,
    complaint_table,
    rate_table,
)

actor = require(Action.COMPLAINT_CALLBACK)
page_header("投诉回访", ":material/call:", "依据《顾客投诉处理制度(投诉回访)》：验证合格后由客服主任及时回访；不满意的重新处理")
moment = now()
page, size = pager("callbacks", page_size=30)
overdue_only = st.toggle("只看回访超期", key="callbacks_overdue", on_change=lambda: reset_pager("callbacks"))
try:
    result = flow.callback_queue(actor=actor, now=moment, page=page, page_size=size, overdue=overdue_only)
    late = flow.callback_queue(actor=actor, now=moment, page=1, page_size=1, overdue=True).total
    waiting = flow.callback_queue(actor=actor, now=moment, page=1, page_size=1).total if overdue_only else result.total
    rates = callbacks.callback_rates(actor=actor, month=moment.astimezone(TZ).date().replace(day=1), now=moment, tz=TZ)
except DomainError as exc:
    show_error(exc)
    st.stop()
m1, m2, _ = st.columns([1, 1, 3])
m1.metric("待回访", waiting)
m2.metric("回访超期", late)
rate_table(rates)
names = dict(cached_offices(actor, Action.COMPLAINT_VIEW))


def callback_frame(rows):
    df = complaint_frame(rows, names)
    df["回访期限"] = [dt(c.callback_due_at) for c in rows]
    return df


# A recorded callback takes the complaint out of this queue: the selection follows the complaint, not the row.
shown, widths = complaint_table(result.rows, names, show_office=len(names) > 1, due=callback_due(moment))
picked = selectable_table(shown, key="callbacks_table", ids=[c.id for c in result.rows],
                          context=(result.page, overdue_only), column_config=widths)
pager_footer("callbacks", result)
excel_button(lambda: callback_frame(flow.callback_queue(actor=actor, now=moment, page=1, page_size=EXPORT_LIMIT).rows),
             "待回访投诉.xlsx", key="callbacks_xlsx")  # the whole queue, built only when clicked
# Only a click opens a complaint here (never "the only row left"): after a callback is saved the page stays on the
# complaint just recorded and shows its result, so the next one cannot be recorded on by mistake.
complaint_id = result.rows[picked].id if picked is not None and picked < len(result.rows) else None
saved = st.session_state.get(SAVED_KEY)
if complaint_id is not None and complaint_id != saved:
    st.session_state.pop(SAVED_KEY, None)
elif complaint_id is None and saved is not None:
    complaint_id = saved
elif complaint_id is None and st.query_params.get("id", "").isdigit():  # a link to one complaint
    complaint_id = int(st.query_params["id"])
if complaint_id is None:
    st.caption("在表格中选中一条投诉，查看详情并记录回访。")
elif (detail := load_detail(actor, complaint_id, moment)) is not None:
    st.divider()
    if complaint_id == saved:
        saved_result(detail)
    show_complaint(actor, detail, moment)
