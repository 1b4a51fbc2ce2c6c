"""One contact: its fields, the complaint it became, its deadlines and timeline, and the steps offered now."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from core import reception as rules
from core.errors import DomainError
from core.permissions import Action, Actor
from db.services import reception as svc
from db.services import reception_flow as flow
from db.services.policy import policy_at
from db.services.reception_attachments import RECORD_TYPE as ATTACHMENTS
from ui.attachments import attachments_section
from ui.fmt import TZ, dt, now, yes_no
from ui.forms import form_token, new_form_token, show_error
from ui.theme import PICK
from views.complaints.widgets.common import complaint_link
from views.reception.widgets.common import channel_label, state_label

RESULT = "reception_action_result"


def load_detail(actor: Actor, contact_id: int, moment: datetime) -> svc.Detail | None:
    try:
        return svc.detail(actor=actor, contact_id=contact_id, now=moment)
    except DomainError as exc:
        show_error(exc)
        return None


def show_contact(actor: Actor, d: svc.Detail, moment: datetime) -> None:
    c = d.contact
    done = st.session_state.pop(RESULT, None)
    if done:
        st.success(done)
    st.subheader(f"{c.number} · {channel_label(c.channel)} · {state_label(c.state)}")
    cols = st.columns(4)
    cols[0].markdown(f"**受理时间** {dt(c.received_at)}")
    cols[1].markdown(f"**客户/来人** {d.customer_name or '—'}")
    cols[2].markdown(f"**房屋** {d.property_label or '—'}")
    cols[3].markdown(f"**电话** {c.caller_phone or '—'}")
    cols = st.columns(4)
    cols[0].markdown(f"**分类** {d.category_label}")
    cols[1].markdown(f"**接待人** {d.receiver_name or '—'}")
    cols[2].markdown(f"**登记人** {d.clerk_name or '—'}")
    cols[3].markdown(f"**转办** {d.routed_to or '—'}")
    st.markdown(f"**内容** {c.content}")
    if c.result:
        st.markdown(f"**处理结果** {c.result}")
    if c.late_pickup:
        st.warning(f"接听晚于制度规定的响铃次数（{c.rings}声）；{rules.cite('来电第1条')}")
    if d.complaint_number:
        st.info(f"已转为投诉 {d.complaint_number}（{d.complaint_state}）")
        complaint_link(c.complaint_id, f"打开投诉 {d.complaint_number}")
    if c.channel == rules.Channel.LETTER.value:
        reply = (f"已于 {dt(c.replied_at)} 以{rules.REPLY_METHODS.get(c.reply_method, c.reply_method)}答复"
                 f"，复印件{'已' if c.reply_copy_kept else '未'}存档") if c.replied_at else "尚未答复"
        line = f"书面答复期限 {dt(c.reply_due_at)}；{reply}（{rules.C_LETTER}）"
        (st.error if d.reply_overdue else st.caption)(("已超期：" if d.reply_overdue else "") + line)
    if c.callback_needed:
        line = f"需回电，期限 {dt(c.callback_due_at)}；" + (f"已于 {dt(c.callback_done_at)} 回电" if c.callback_done_at
                                                      else "尚未回电")
        (st.error if d.callback_overdue else st.caption)(("已超期：" if d.callback_overdue else "") + line)
    _actions(actor, d, moment)
    with st.expander("附件（来函扫描件、书面答复复印件）", icon=":material/attach_file:"):
        attachments_section(actor, key=f"rc_files_{c.id}", record_type=ATTACHMENTS, record_id=c.id, now=moment,
                            can_add=actor.can(Action.RECEPTION_LOG, c.office_id))
    with st.expander(f"处理记录（{len(d.events)}）", icon=":material/timeline:"):
        for e in d.events:
            st.markdown(f"- {dt(e.at)} {e.actor_name}：{e.note}")


def _done(message: str) -> None:
    st.session_state[RESULT] = message
    st.rerun()


def _run(call, message: str) -> None:
    try:
        call()
    except DomainError as exc:
        show_error(exc)
    else:
        _done(message)


def _actions(actor: Actor, d: svc.Detail, moment: datetime) -> None:
    c = d.contact
    ops = rules.offered_ops(actor, d.situation, d.relation)
    if not ops:
        if c.state != rules.State.CLOSED.value:
            st.caption("当前没有您可以执行的操作。")
        return
    st.markdown("**可执行的操作**")
    tabs = st.tabs([rules.OP_LABELS[op] for op in ops])
    for tab, op in zip(tabs, ops, strict=True):
        with tab:
            PANELS[op](actor, d, moment)


def _text_step(label: str, call, message: str, key: str, button: str):
    def panel(actor: Actor, d: svc.Detail, moment: datetime) -> None:
        text = st.text_area(label, key=f"{key}_{d.contact.id}", height=80)
        if st.button(button, key=f"{key}_btn_{d.contact.id}", type="primary"):
            _run(lambda: call(actor, d.contact.id, text), message)
    return panel


def _dispatch(actor: Actor, d: svc.Detail, moment: datetime) -> None:
    depts, users = svc.route_choices(actor=actor, office_id=d.contact.office_id)
    targets = [("d", i, n) for i, n in depts] + [("u", i, n) for i, n in users]
    labels = {f"{k}{i}": ("部门：" if k == "d" else "同事：") + n for k, i, n in targets}
    pick = st.selectbox("转办给", list(labels), format_func=labels.get, index=None, placeholder=PICK,
                        key=f"rc_route_{d.contact.id}")
    if st.button("转办", key=f"rc_route_btn_{d.contact.id}", type="primary"):
        dept = int(pick[1:]) if pick and pick[0] == "d" else None
        user = int(pick[1:]) if pick and pick[0] == "u" else None
        _run(lambda: flow.dispatch(actor=actor, contact_id=d.contact.id, department_id=dept, user_id=user, now=now()),
             "已转办")


def _convert(actor: Actor, d: svc.Detail, moment: datetime) -> None:
    policy = policy_at(now())
    cats = {r["code"]: r["label"] for r in policy.rows("complaint.categories")}
    st.caption("转入投诉处理流程（投诉登记由投诉模块完成：编号、类别、时限与通报均按投诉制度）；已登记的内容、客户、房屋、电话一并带入。")
    cat = st.selectbox("投诉分类", list(cats), format_func=cats.get, index=None, placeholder=PICK,
                       key=f"rc_conv_cat_{d.contact.id}")
    token = form_token(f"rc_convert_{d.contact.id}")
    if st.button("转为投诉", key=f"rc_conv_btn_{d.contact.id}_{token}", type="primary"):
        try:
            flow.convert_to_complaint(actor=actor, contact_id=d.contact.id, complaint_category=cat or "", now=now())
        except DomainError as exc:
            show_error(exc)
        else:
            new_form_token(f"rc_convert_{d.contact.id}")
            _done("已转为投诉")


def _reply(actor: Actor, d: svc.Detail, moment: datetime) -> None:
    key = d.contact.id
    c1, c2 = st.columns(2)
    day = c1.date_input("答复日期", value=moment.astimezone(TZ).date(), key=f"rc_reply_day_{key}")
    method = c2.selectbox("答复方式", list(rules.REPLY_METHODS), format_func=rules.REPLY_METHODS.get, index=None,
                          placeholder=PICK, key=f"rc_reply_method_{key}")
    kept = st.checkbox("复印件已存入顾客档案", key=f"rc_reply_kept_{key}")
    if st.button("登记答复", key=f"rc_reply_btn_{key}", type="primary"):
        local = moment.astimezone(TZ)
        at = datetime.combine(day, local.time(), TZ) if day != local.date() else moment
        _run(lambda: flow.reply_letter(actor=actor, contact_id=key, replied_at=at, method=method or "",
                                       copy_kept=kept, now=now()), "已登记书面答复")


def _close(actor: Actor, d: svc.Detail, moment: datetime) -> None:
    st.caption(f"回电：{yes_no(d.contact.callback_needed)}；关闭后不能再修改。")
    if st.button("关闭", key=f"rc_close_btn_{d.contact.id}", type="primary"):
        _run(lambda: flow.close(actor=actor, contact_id=d.contact.id, now=now()), "已关闭")


PANELS = {
    rules.Op.ANSWER: _text_step("答复内容", lambda a, i, t: flow.answer(actor=a, contact_id=i, result=t, now=now()),
                                "已答复", "rc_answer", "答复"),
    rules.Op.DISPATCH: _dispatch,
    rules.Op.COMPLETE: _text_step("办理结果", lambda a, i, t: flow.complete(actor=a, contact_id=i, result=t, now=now()),
                                  "已办结", "rc_complete", "办结"),
    rules.Op.CONVERT: _convert,
    rules.Op.FOLLOW_UP: _text_step("跟进情况", lambda a, i, t: flow.follow_up(actor=a, contact_id=i, note=t, now=now()),
                                   "已跟进", "rc_follow", "跟进"),
    rules.Op.CLOSE: _close,
    rules.Op.REPLY: _reply,
    rules.Op.CALLBACK: _text_step("回电情况", lambda a, i, t: flow.callback_done(actor=a, contact_id=i, note=t, now=now()),
                                  "已登记回电", "rc_callback", "已回电"),
}
