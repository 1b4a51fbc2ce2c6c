"""The shared customer-history panel: a customer's earlier records of every process (db.services.customer_history).

Any page that opens a customer calls ``customer_history_panel``; the processes add their rows through the registry
(``@history_provider``), so this widget never changes when a process is added.
"""

from __future__ import annotations

import streamlit as st

from core.errors import DomainError
from core.permissions import Actor
from db.services.customer_history import history
from ui.fmt import short_dt
from ui.tables import table, text_column


def customer_history_panel(actor: Actor, customer_id: int | None, *, limit: int = 10) -> None:
    if not customer_id:
        return
    try:
        found = history(actor=actor, customer_id=customer_id, limit=limit)
    except DomainError as exc:
        st.caption(exc.message)
        return
    with st.container(border=True):
        st.markdown(f"**客户历史：{found.customer_name}**")
        if found.failed:
            st.warning(f"部分记录暂时无法读取：{'、'.join(found.failed)}")
        if not found.rows:
            st.caption("该客户没有以往的来电来访、投诉等记录。")
            return
        st.dataframe(table(found.rows, {"时间": lambda r: short_dt(r.at), "类型": lambda r: r.kind,
                                        "编号": lambda r: r.number, "内容": lambda r: r.summary,
                                        "状态": lambda r: r.state}),
                     hide_index=True, width="stretch",
                     column_config={"时间": text_column("时间", 110), "类型": text_column("类型", 60),
                                    "编号": text_column("编号", 140), "状态": text_column("状态", 80)})
