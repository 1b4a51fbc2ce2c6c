"""Home: who I am, my offices, and "my work" gathered from every process module."""

import streamlit as st

from core.labels import NOTICE_KIND
from core.permissions import Action
from core.roles import role_label
from db.services import mywork, notices
from ui.context import page_header, require
from ui.fmt import dt, now
from ui.pickers import cached_units
from views.home.widgets import approval_inbox

actor = require(Action.HOME_VIEW)
page_header("首页", ":material/home:", "物业客服台 · 客服中心日常工作")

units = {u.id: u.name for u in cached_units(actor)} if actor.can(Action.ORG_VIEW) else {}
with st.container(border=True):
    st.subheader(f"{actor.name}，您好")
    for grant in actor.grants:
        st.write(f"- {role_label(grant.role)} · {units.get(grant.office_id, '本单位')}")
    if actor.delegated:
        st.caption("代理中：" + "、".join(sorted({role_label(g.role) for g in actor.delegated})))

st.subheader("我的待办")
items, failed = mywork.collect(actor=actor, now=now())
if not items:
    st.success("目前没有待办事项。")
else:
    cols = st.columns(min(4, len(items)))
    for i, item in enumerate(sorted(items, key=lambda w: (w.severity != "danger", w.severity != "warning", w.title))):
        with cols[i % len(cols)].container(border=True):
            st.metric(item.title, item.count)
            if item.due_at:
                st.caption(f"最早到期：{dt(item.due_at)}")
            st.page_link(item.page, label="去处理", icon=":material/arrow_forward:")
for name in failed:
    st.warning(f"“{name}”待办暂时无法加载，请稍后刷新。")

approval_inbox(actor)

st.subheader("最新通知")
latest = notices.my_notices(actor=actor, open_only=True, page=1, page_size=5)
if not latest.rows:
    st.caption("没有未确认的通知。")
for n in latest.rows:
    st.write(f"**[{NOTICE_KIND.get(n.kind, n.kind)}]** {n.title} · {dt(n.created_at)}")
if latest.total > len(latest.rows):
    st.page_link("views/home/notices.py", label=f"查看全部 {latest.total} 条", icon=":material/notifications:")
