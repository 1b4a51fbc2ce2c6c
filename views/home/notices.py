"""Notices: 指派给我, 待我审批, 需确认的通报 — read and acknowledge."""

import streamlit as st

from core.errors import DomainError
from core.labels import NOTICE_KIND
from core.permissions import Action
from db.services import notices
from ui.context import page_header, require
from ui.fmt import dt, now
from ui.forms import show_error
from ui.tables import pager, pager_footer

actor = require(Action.NOTICE_VIEW_OWN)
page_header("通知与通报", ":material/notifications:", "系统内通知：指派、审批与通报均需在此确认")

counts = notices.open_counts(actor=actor)
c1, c2 = st.columns([5, 1], vertical_alignment="bottom")  # the five choices fit on one line at 1280 px
kind = c1.segmented_control("类别", options=[None, *NOTICE_KIND], format_func=lambda k: "全部" if k is None
                            else f"{NOTICE_KIND[k]}（{counts.get(k, 0)}）", default=None)
open_only = c2.toggle("只看未确认", value=True)
page, size = pager("notices", page_size=20)
result = notices.my_notices(actor=actor, kind=kind, open_only=open_only, page=page, page_size=size)
if not result.rows:
    st.info("没有符合条件的通知。")
for n in result.rows:
    with st.container(border=True):
        st.markdown(f"**[{NOTICE_KIND.get(n.kind, n.kind)}] {n.title}**")
        st.caption(f"{dt(n.created_at)}" + (f" · 期限 {dt(n.due_at)}" if n.due_at else ""))
        if n.body:
            st.text(n.body)
        cols = st.columns([1, 1, 4])
        if n.page:
            cols[0].page_link(n.page, label="打开", icon=":material/open_in_new:",
                              query_params={"id": n.entity_id} if n.entity_id.isdigit() else None)
        if n.acked_at:
            cols[2].caption(f"已确认于 {dt(n.acked_at)}")
        elif cols[1].button("确认", key=f"ack_{n.id}", type="primary" if n.requires_ack else "secondary"):
            try:
                notices.acknowledge(actor=actor, notice_id=n.id, now=now())
                st.rerun()
            except DomainError as exc:
                show_error(exc)
pager_footer("notices", result)
