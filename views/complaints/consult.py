"""顾问支持: requests addressed to me as 专业顾问 (HQ sees all); written reply within 24 hours (一.3)."""

import streamlit as st

from core import complaint_workflow as wf
from core.errors import DomainError
from core.permissions import Action
from db.services import complaint_consult
from db.services.policy import policy_at
from ui.context import page_header, require
from ui.fmt import dt, now
from ui.forms import show_error
from ui.tables import frame, pager, pager_footer, selectable_table
from views.complaints.widgets.common import rule

actor = require(Action.COMPLAINT_CONSULT_REPLY)
policy = policy_at(now())
page_header("顾问支持", ":material/support:",
            f"{policy.cite('complaint.consultant_reply')}：顾问须在 {rule(policy, 'complaint.consultant_reply')} 内书面答复")
open_only = st.toggle("只看未答复", value=True, key="consult_open")
page, size = pager("consult", page_size=30)
result = complaint_consult.my_consult_requests(actor=actor, open_only=open_only, page=page, page_size=size)
moment = now()
df = frame(result.rows, {
    "投诉编号": lambda r: r[2], "摘要": lambda r: r[3], "顾问": lambda r: r[1] + ("（临时）" if r[0].is_temporary else ""),
    "请求时间": lambda r: dt(r[0].requested_at), "答复期限": lambda r: dt(r[0].due_at),
    "超时": lambda r: "已超时" if wf.is_overdue(r[0].due_at, moment, done=r[0].replied_at is not None) else "",
    "答复时间": lambda r: dt(r[0].replied_at),
})
picked = selectable_table(df, key="consult_table", ids=[r[0].id for r in result.rows])
pager_footer("consult", result)
wanted = st.query_params.get("id", "")  # a notice's 打开 link names the request
if picked is None:
    picked = next((i for i, r in enumerate(result.rows) if str(r[0].id) == wanted), 0 if len(result.rows) == 1 else None)
if picked is not None:
    req, _, number, title = result.rows[picked]
    st.subheader(f"{number} · {title}")
    st.caption(f"请求时间 {dt(req.requested_at)}，须在 {dt(req.due_at)} 前书面答复")
    st.markdown(f"**问题**：{req.question}")
    if req.replied_at:
        st.success(f"已于 {dt(req.replied_at)} 答复：{req.reply}")
    else:
        with st.form(f"reply_{req.id}"):
            reply = st.text_area("书面答复 *", height=150)
            if st.form_submit_button("提交答复", type="primary"):
                try:
                    complaint_consult.reply_consult(actor=actor, consult_id=req.id, reply=reply, now=now())
                    st.session_state["flash"] = "已提交答复"
                    st.rerun()
                except DomainError as exc:
                    show_error(exc)
