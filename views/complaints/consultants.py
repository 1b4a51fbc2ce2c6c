"""专业顾问名录: the consultant contact list the HQ 客服中心 publishes and keeps (投诉顾问支持及责任划分 一.1–一.2)."""

import streamlit as st

from core.errors import DomainError
from core.permissions import Action
from db.services import complaint_consult
from ui.context import page_header, require
from ui.forms import form_token, new_form_token, show_error, submit_button
from ui.tables import frame
from ui.theme import PICK

actor = require(Action.COMPLAINT_CONSULTANT_MANAGE)
page_header("顾问名录", ":material/contacts:",
            "依据《顾客投诉处理制度(投诉顾问支持及责任划分)》一：客服中心公布专业顾问联系方式，联系不上时及时协调或指派临时顾问")

show_all = st.toggle("包括已停用的顾问", key="cons_all")
rows = complaint_consult.list_consultants(actor=actor, active_only=not show_all)
accounts = dict(complaint_consult.consultant_user_choices(actor=actor))
st.dataframe(frame(rows, {
    "姓名": lambda c: c.name, "专业": lambda c: c.speciality, "电话": lambda c: c.phone, "邮箱": lambda c: c.email,
    "单位": lambda c: c.unit, "系统账号": lambda c: accounts.get(c.user_id, "—") if c.user_id else "—",
    "状态": lambda c: "在册" if c.active else "停用",
}), hide_index=True, width="stretch")
st.caption(f"共 {len(rows)} 位。关联系统账号的顾问可在“顾问支持”页直接书面答复。")

by_id = {c.id: c for c in rows}
choice = st.selectbox("新增或修改", [None, *by_id], key="cons_pick",
                      format_func=lambda k: "新增顾问" if k is None else f"修改：{by_id[k].name}（{by_id[k].speciality}）", placeholder=PICK)
current = by_id.get(choice)
saved = st.session_state.get("cons_saved", 0)  # a new form after each save: the "新增" form starts empty
with st.form(f"consultant_{choice or 'new'}_{saved}"):
    c1, c2 = st.columns(2)
    name = c1.text_input("姓名 *", value=current.name if current else "")
    speciality = c2.text_input("专业 *", value=current.speciality if current else "", placeholder="法律、土建工程、电梯…")
    phone = c1.text_input("电话", value=current.phone if current else "")
    email = c2.text_input("邮箱", value=current.email if current else "")
    unit = c1.text_input("所在单位", value=current.unit if current else "")
    options = [None, *accounts]
    user_id = c2.selectbox("关联系统账号（可选）", options, format_func=lambda k: "—" if k is None else accounts[k],
                           index=options.index(current.user_id) if current and current.user_id in accounts else 0, placeholder=PICK)
    active = st.checkbox("在册（停用后不再出现在请求列表中）", value=current.active if current else True)
    if submit_button("consultant_form", "保存", type="primary", icon=":material/save:"):
        try:
            complaint_consult.save_consultant(actor=actor, consultant_id=choice, name=name, speciality=speciality, phone=phone,
                                              email=email, unit=unit, user_id=user_id, active=active,
                                              request_id=form_token("consultant_form"))
            new_form_token("consultant_form")
            st.session_state["flash"] = f"已保存顾问 {name.strip()}"
            st.session_state["cons_saved"] = saved + 1
            st.rerun()
        except DomainError as exc:
            show_error(exc)
