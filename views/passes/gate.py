"""门岗查验 (保安): type or scan the pass number (a handheld scanner types it and presses Enter), a name, or the last
digits of the ID number; the answer at a glance — may the holder come in — with photo, rooms and last valid day;
没收 with a reason. Built for a phone at the gate (390 px wide)."""

import streamlit as st

from core import passes as rules
from core.errors import DomainError
from core.permissions import Action
from db.services import attachments, pass_flow, pass_gate
from ui.context import require
from ui.fmt import now
from ui.forms import form_token, new_form_token, show_error

LAST = "gate_last"  # the text last looked up
actor = require(Action.PASS_GATE)
st.title(":material/qr_code_scanner: 门岗查验")
moment = now()
flash = st.session_state.pop("gate_flash", None)
if flash:
    st.success(flash)
# A form: the scanner's Enter submits it even when the same number comes twice (a text box alone reruns only on a
# change), and the box empties for the next scan; the answer stays for the number last looked up.
with st.form("gate_form", clear_on_submit=True, border=False):
    typed = st.text_input("出入证编号 / 姓名 / 证件号后 4 位以上", key="gate_q", placeholder="扫码或输入后按回车",
                          help="依据《小区出入证管理规定》第3条：进入小区须佩戴有效出入证")
    if st.form_submit_button("查询", icon=":material/search:"):
        st.session_state[LAST] = typed
query = st.session_state.get(LAST, "")
if not query.strip():
    st.caption("扫描出入证条码，或输入编号、姓名、证件号后几位查询。")
    st.stop()
try:
    hits = pass_gate.lookup(actor=actor, text=query, now=moment)
except DomainError as exc:
    show_error(exc)
    st.stop()
if not hits:
    st.error("查无此证：不得放行，请到管理处办理出入证（第3条）。")
    st.stop()

for hit in hits:
    with st.container(border=True):
        (st.success if hit.tone == "success" else st.error)(f"**{hit.status_label}** · {hit.advice}")
        photo_col, info_col = st.columns([1, 2])
        with photo_col:
            if hit.photo_id:
                try:
                    st.image(attachments.open(actor=actor, attachment_id=hit.photo_id).data, width=120)
                except DomainError:
                    st.caption("照片无法打开")
            else:
                st.caption("无照片")
        with info_col:
            st.markdown(f"### {hit.holder_name}")
            st.markdown(f"{hit.type_label} **{hit.number}**  \n有效期至 **{hit.valid_to:%Y-%m-%d}**  \n"
                        f"房屋：{hit.rooms}  \n单位：{hit.employer or '—'} · 证件尾号 {hit.id_tail}")
        may = actor.can(Action.PASS_CONFISCATE) and hit.status in (rules.Status.VALID, rules.Status.EXPIRED)
        if may:
            with st.expander("没收出入证", icon=":material/block:"):
                reason = st.text_input("没收原因", key=f"gate_reason_{hit.id}",
                                       placeholder="过期未退 / 串房 / 转借 / 涂改")
                key = f"gate_conf_{hit.id}"
                if st.button("确认没收", key=f"{key}_{form_token(key)}", type="primary"):
                    try:
                        pass_flow.confiscate(actor=actor, pass_id=hit.id, reason=reason, now=moment)
                    except DomainError as exc:
                        show_error(exc)
                    else:
                        new_form_token(key)
                        st.session_state["gate_flash"] = f"已没收 {hit.number}"
                        st.rerun()
