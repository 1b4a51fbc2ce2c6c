"""Change my password (also the only page while a password change is forced)."""

import streamlit as st

from core.errors import DomainError
from core.passwords import length_rule
from core.permissions import Action
from db.services.auth import change_own_password, min_password_length
from ui.auth_gate import ISSUED_KEY
from ui.context import page_header, require
from ui.fmt import now
from ui.forms import show_error

actor = require(Action.PASSWORD_CHANGE_OWN)
min_length = min_password_length(now=now())  # the policy book in force (系统参数 security.min_password_length)
page_header("修改密码", ":material/key:",
            f"至少 {min_length} 位，不要求字母数字组合，但不能使用常见密码；修改后其他设备上的登录将失效")

with st.form("change_password", clear_on_submit=True):
    old = st.text_input("原密码 *", type="password")
    new = st.text_input("新密码 *", type="password", help=length_rule(min_length))
    again = st.text_input("再次输入新密码 *", type="password")
    submitted = st.form_submit_button("保存新密码", type="primary")
if submitted:
    if new != again:
        st.error("两次输入的新密码不一致")
    else:
        try:
            moment = now()
            change_own_password(actor=actor, old_password=old, new_password=new, now=moment)
            st.session_state[ISSUED_KEY] = moment  # this session continues; the others have ended
            st.session_state["flash"] = "密码已修改。其他设备上的登录已失效。"
            st.rerun()
        except DomainError as exc:
            show_error(exc)
