"""待我审批 on the home page: every record type's requests waiting for me, opened, approved or rejected with a comment,
several approved at once (批量通过). The rules are core.approvals; the service is db.services.approvals."""

from __future__ import annotations

import streamlit as st

from core.errors import DomainError
from core.permissions import Actor
from db.services import approval_inbox as inbox
from db.services import approvals
from ui.fmt import dt, now
from ui.forms import show_error
from ui.tables import pager, pager_footer

KEY = "inbox"
FLASH = "inbox_flash"


def _pick_key(row) -> str:
    return f"{KEY}_pick_{row.id}_{row.step}"


def _clear(rows) -> None:
    for row in rows:
        st.session_state.pop(_pick_key(row), None)
    st.session_state.pop(f"{KEY}_comment", None)


def _done(rows, message: str) -> None:
    _clear(rows)
    st.session_state[FLASH] = message
    st.rerun()


def approval_inbox(actor: Actor) -> None:
    page, size = pager(KEY, page_size=20)
    result = inbox.pending_for(actor=actor, page=page, page_size=size)
    st.subheader(f"待我审批（{result.total}）")
    if flash := st.session_state.pop(FLASH, None):
        st.success(flash)
    if not result.rows:
        st.caption("没有等待您审批的申请。")
        return
    for row in result.rows:
        with st.container(border=True):
            left, right = st.columns([5, 1])
            left.checkbox(f"{row.type_label} · {row.title}", key=_pick_key(row))
            left.caption(f"{row.office_name} · {row.submitted_by_name} 提交于 {dt(row.submitted_at)} · "
                         f"第{row.step}/{row.steps}步：{row.step_label}")
            if row.page and row.page_id:
                right.page_link(row.page, label="打开", icon=":material/open_in_new:",
                                query_params={"id": str(row.page_id)})
    pager_footer(KEY, result)
    picked = [row for row in result.rows if st.session_state.get(_pick_key(row))]
    comment = st.text_area("审批意见", key=f"{KEY}_comment", placeholder="通过可不填；退回必须写明意见",
                           max_chars=1000)
    c1, c2, c3 = st.columns(3)
    one = picked[0] if len(picked) == 1 else None
    try:
        if c1.button("通过", key=f"{KEY}_approve", type="primary", disabled=one is None):
            r = approvals.approve(actor=actor, approval_id=one.id, comment=comment, step=one.step, now=now())
            _done(result.rows, f"已通过：{one.title}（{r.state_label}）")
        if c2.button("退回", key=f"{KEY}_reject", disabled=one is None):
            approvals.reject(actor=actor, approval_id=one.id, comment=comment, step=one.step, now=now())
            _done(result.rows, f"已退回：{one.title}，提交人将修改后重新提交")
        if c3.button(f"批量通过（{len(picked)}）", key=f"{KEY}_bulk", disabled=len(picked) < 2):
            items = approvals.bulk_approve(actor=actor, approval_ids=[r.id for r in picked], comment=comment,
                                           now=now())
            titles = {r.id: r.title for r in picked}
            failed = [f"{titles[i.approval_id]}：{i.message}" for i in items if not i.ok]
            message = f"批量通过 {sum(i.ok for i in items)} 项" + (f"；未通过 {len(failed)} 项：" + "；".join(failed)
                                                                 if failed else "")
            _done(result.rows, message)
    except DomainError as exc:
        show_error(exc)
