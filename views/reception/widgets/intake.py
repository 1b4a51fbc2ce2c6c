"""The desk's intake: find the customer (name, last 4 phone digits, room), the phone checklist, and the 登记 form.

Keyboard only: type in 查找客户 and press Enter (one hit is picked), then the form: 分类, 内容, Enter submits; the
defaults are now, my office, me as the receiver and 来电.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from core import reception as rules
from core.errors import DomainError
from core.permissions import Actor
from db.services import reception as svc
from db.services.policy import policy_at
from ui.customer_history import customer_history_panel
from ui.fmt import TZ
from ui.forms import form_token, new_form_token, show_error, submit_button
from ui.theme import PICK

FORM = "reception_new"
DONE = "reception_new_done"
FIND = "rc_find"


def phone_checklist(actor: Actor, moment: datetime) -> None:
    policy = policy_at(moment)
    with st.expander("接听电话要点（制度）", icon=":material/checklist:"):
        items = rules.phone_checklist(policy, company=svc.desk_company(actor=actor), staff_name=actor.name)
        for i, (item, clause) in enumerate(items):
            st.checkbox(f"{item}（{clause}）", key=f"rc_chk_{i}")


def find_customer(actor: Actor, office_id: int) -> svc.CustomerHit | None:
    text = st.text_input("查找客户（姓名 / 电话后4位 / 房号，回车查找）", key=FIND)
    hits = svc.find_customers(actor=actor, office_id=office_id, text=text) if text.strip() else []
    if text.strip() and not hits:
        st.caption("没有找到客户：可作为陌生来人，在下方填写姓名和电话。")
    if not hits:
        return None
    picked = st.selectbox("客户", list(range(len(hits))), format_func=lambda i: hits[i].label,
                          index=0, key=f"rc_pick_{office_id}_{text.strip()}")
    return hits[picked] if picked is not None else None


def intake(actor: Actor, office_id: int, moment: datetime) -> None:
    done = st.session_state.get(DONE)
    if done:
        st.success(done)
    phone_checklist(actor, moment)
    hit = find_customer(actor, office_id)
    customer_history_panel(actor, hit.customer_id if hit else None)
    policy = policy_at(moment)
    categories = {r["code"]: r["label"] for r in policy.rows(rules.CATEGORIES)}
    channels = list(rules.CHANNEL_LABELS)
    token = form_token(FORM)
    with st.form(f"{FORM}_{token}", border=True):
        c1, c2, c3, c4 = st.columns([1, 1, 1, 1])
        channel = c1.selectbox("渠道 *", channels, format_func=rules.CHANNEL_LABELS.get, index=0, placeholder=PICK)
        category = c2.selectbox("分类 *", list(categories), format_func=categories.get, index=None, placeholder=PICK)
        name = c3.text_input("来人姓名（陌生来人）")
        phone = c4.text_input("联系电话")
        content = st.text_input("内容 *（回车即登记）", max_chars=svc.MAX_CONTENT)
        with st.expander("当场答复 / 转办 / 回电 / 接听人"):
            result = st.text_input("当场答复内容（填写即为已答复）")
            e1, e2, e3 = st.columns(3)
            depts, users = svc.route_choices(actor=actor, office_id=office_id)
            dept = e1.selectbox("转办部门", [None, *dict(depts)], format_func=lambda i: "—" if i is None else
                                dict(depts)[i], placeholder=PICK)
            user = e2.selectbox("转办同事", [None, *dict(users)], format_func=lambda i: "—" if i is None else
                                dict(users)[i], placeholder=PICK)
            receivers = dict(svc.receiver_choices(actor=actor, office_id=office_id))
            receiver = e3.selectbox("接待/接听人（默认本人）", [None, *receivers],
                                    format_func=lambda i: "本人" if i is None else receivers[i], placeholder=PICK)
            f1, f2 = st.columns(2)
            rings = f1.number_input(f"响铃声数（制度：{rules.quote(policy, 'reception.max_rings')}内）", min_value=0,
                                    max_value=50, value=None, step=1)
            callback = f2.checkbox(f"需回电（期限 {rules.quote(policy, 'reception.callback_within')}）")
            g1, g2, g3 = st.columns(3)
            backdate = g1.checkbox("补录（受理时间不是现在，如来函收到日期）")
            local = moment.astimezone(TZ)
            day = g2.date_input("受理日期", value=local.date(), disabled=not backdate)
            clock = g3.time_input("受理时间", value=local.time().replace(second=0, microsecond=0), disabled=not backdate)
        st.caption(f"来函 {rules.quote(policy, 'reception.letter_reply')}内书面答复，最长不超过"
                   f"{rules.quote(policy, 'reception.letter_reply_max')}（{policy.cite('reception.letter_reply')}）；"
                   f"来电须由可独立上岗的员工接听（{rules.C_INDEPENDENT}）")
        submitted = submit_button(FORM, "登记", type="primary", icon=":material/save:")
    if not submitted:
        return
    st.session_state.pop(DONE, None)
    data = svc.ContactIn(office_id=office_id, channel=channel, category=category, content=content,
                         received_at=datetime.combine(day, clock, TZ) if backdate else None,
                         customer_id=hit.customer_id if hit else None, property_id=hit.property_id if hit else None,
                         caller_name=name, caller_phone=phone, receiver_staff_id=receiver,
                         rings=int(rings) if rings is not None else None, result=result, routed_department_id=dept,
                         routed_user_id=user, callback_needed=callback)
    try:
        c = svc.register_contact(actor=actor, data=data, request_id=token, now=moment)
    except DomainError as exc:
        show_error(exc)
        return
    st.session_state[DONE] = f"已登记 {c.number}（{rules.STATE_LABELS[rules.State(c.state)]}）"
    new_form_token(FORM)
    st.session_state.pop(FIND, None)
    st.rerun()
