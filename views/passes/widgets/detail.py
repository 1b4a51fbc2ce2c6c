"""One pass on screen: its status and record, the deposit ledger, the timeline, the holder's photo, the printed
card, and the lifecycle actions its state allows (each citing its clause)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import streamlit as st

from core import money
from core import passes as rules
from core.deposits import ENTRY_LABELS, EntryKind
from core.errors import DomainError
from core.masking import mask_id_number
from core.permissions import Action, Actor
from db.services import pass_flow, pass_registers, passes
from db.services.org import find_properties
from ui.attachments import attachments_section
from ui.fmt import dt
from ui.forms import form_token, new_form_token, show_error
from ui.pdf import pdf_button
from ui.theme import PICK
from views.passes.widgets.common import STATUS_ICON

FLASH = "pass_flash"


def show_pass(actor: Actor, pass_id: int, moment: datetime) -> None:
    try:
        d = passes.detail(actor=actor, pass_id=pass_id, now=moment)
    except DomainError as exc:
        show_error(exc)
        return
    flash = st.session_state.pop(FLASH, None)
    if flash:
        st.success(flash)
    p = d.row
    left, right = st.columns([2, 1])
    with left:
        st.subheader(f"{STATUS_ICON[d.status]} {p.number} · {p.holder_name} · {rules.STATUS_LABELS[d.status]}")
        tabs = st.tabs(["概况", f"押金（{len(d.entries)}）", f"时间线（{len(d.events)}）", f"照片（{len(d.files)}）"])
        with tabs[0]:
            _overview(d)
        with tabs[1]:
            _ledger(d)
        with tabs[2]:
            for e in d.events:
                st.markdown(f"**{dt(e.at)}** {e.actor_name}：{e.note}")
                if e.citation:
                    st.caption(e.citation)
        with tabs[3]:
            attachments_section(actor, key=f"pass_files_{p.id}", record_type="pass", record_id=p.id, now=moment,
                                items=d.files, can_add=actor.can(Action.PASS_ISSUE, p.office_id))
    with right:
        pdf_button("打印出入证", lambda: pass_registers.card_pdf(actor=actor, pass_id=p.id, now=moment),
                   f"出入证_{p.number}.pdf", key=f"pass_card_{p.id}")
        _actions(actor, d, moment)


def _overview(d: passes.PassDetail) -> None:
    p = d.row
    pairs = [("类型", d.type_label), ("事由", d.purpose_label), ("证件号", mask_id_number(p.id_number)),
             ("电话", p.phone or "—"), ("施工单位/装修公司", p.employer or "—"),
             ("申请人", f"{rules.APPLICANT_LABELS.get(p.applicant_kind, p.applicant_kind)} {p.applicant_name}"),
             ("服务房屋", "、".join(label for _, label in d.rooms)),
             ("有效期", f"{p.valid_from:%Y-%m-%d} 至 {p.valid_to:%Y-%m-%d}"),
             ("批准装修期至", f"{p.decoration_until:%Y-%m-%d}" if p.decoration_until else "—"),
             ("工本费/续期费", money.format_yuan(p.fee)), ("押金", money.format_yuan(p.deposit)),
             ("收据号", p.receipt_no or "—"), ("发证时间", dt(p.issued_at))]
    if p.kind == "resident":
        pairs.append(("原件已核验", "是" if p.original_verified else "否"))
    if p.reason:
        pairs.append(("原因", p.reason))
    if d.replaces_number:
        pairs.append(("补办自", d.replaces_number))
    if d.reissued_number:
        pairs.append(("已补办新证", d.reissued_number))
    for label, value in pairs:
        st.markdown(f"**{label}**：{value}")
    for duty in d.duties:
        state = {"open": "未完成", "met": "已完成", "cancelled": "已取消"}.get(duty.state, duty.state)
        st.caption(f"{duty.label}：期限 {dt(duty.due_at)}，{state}（{duty.clause}）")


def _ledger(d: passes.PassDetail) -> None:
    b = d.balance
    st.markdown(f"收取 {money.format_yuan(b.collected)} ＝ 退还 {money.format_yuan(b.refunded)} ＋ 没收 "
                f"{money.format_yuan(b.forfeited)} ＋ 扣除 {money.format_yuan(b.deducted)} ＋ 在押 "
                f"**{money.format_yuan(b.held)}**")
    for e in d.entries:
        receipt = f"，收据 {e.receipt_no}" if e.receipt_no else ""
        st.markdown(f"{dt(e.at)} {ENTRY_LABELS[EntryKind(e.kind)]} {money.format_yuan(e.amount)}：{e.reason}{receipt}")
    if not d.entries:
        st.caption("该出入证没有押金。")


def _run(key: str, label: str, call: Callable[[], object], done: str | Callable[[object], str]) -> object | None:
    """A confirm button keyed by its request id: runs ``call``, flashes ``done`` and reruns; refusals shown."""
    if not st.button(label, key=f"{key}_{form_token(key)}", type="primary"):
        return None
    try:
        result = call()
    except DomainError as exc:
        show_error(exc)
        return None
    new_form_token(key)
    st.session_state[FLASH] = done(result) if callable(done) else done
    return result


def _expander(title: str, op: rules.Op, icon: str):
    """An action's expander; its clause is the first line inside (the label stays short at 1280 px)."""
    box = st.expander(title, icon=icon)
    box.caption(rules.STEPS[op][2])
    return box


# The steps that need only a reason: title, icon, a hint, the service, the flash.
REASONED = {
    rules.Op.REPORT_LOST: ("挂失", ":material/report:", "挂失后押金不予退还，须补办新证（重新缴费）。",
                           pass_flow.report_lost, "已挂失，可补办新证"),
    rules.Op.CONFISCATE: ("没收", ":material/block:", "", pass_flow.confiscate, "已没收"),
    rules.Op.CANCEL: ("作废", ":material/cancel:", "押金按收据退还。", pass_flow.cancel, "已作废，押金已退还"),
}


def _actions(actor: Actor, d: passes.PassDetail, moment: datetime) -> None:
    p, office = d.row, d.row.office_id
    may = {op: d.offered[op] is None and actor.can(
        Action.PASS_CONFISCATE if op is rules.Op.CONFISCATE else Action.PASS_MANAGE, office) for op in rules.Op}
    if not any(may.values()):
        st.caption(f"该出入证{rules.STATE_LABELS[rules.State(p.state)]}，没有可执行的操作。")
        return
    if may[rules.Op.EXTEND]:
        with _expander("续期", rules.Op.EXTEND, ":material/update:"):
            kinds = [k.value for k in rules.MAY_EXTEND]
            kind = st.selectbox("申请人身份", kinds, key=f"ext_kind_{p.id}",
                                format_func=lambda k: rules.APPLICANT_LABELS[rules.ApplicantKind(k)], placeholder=PICK)
            who = st.text_input("申请人姓名", key=f"ext_who_{p.id}", value=p.applicant_name)
            to = st.date_input("新的有效期至", key=f"ext_to_{p.id}", value=p.valid_to + timedelta(days=30))
            until = st.date_input("批准装修期至（延长装修期时填写）", key=f"ext_until_{p.id}", value=p.decoration_until)
            fee = d.policy["pass.extension_fee"] if p.kind == "temporary" else 0
            receipt = st.text_input(f"续期费收据号（续期费 {money.format_yuan(fee)}）", key=f"ext_receipt_{p.id}")
            if _run(f"pass_extend_{p.id}", "确认续期", lambda: pass_flow.extend(
                    actor=actor, pass_id=p.id, valid_to=to, requested_by_kind=kind, requested_by=who,
                    receipt_no=receipt, now=moment, decoration_until=until), "已续期"):
                st.rerun()
    if may[rules.Op.ADD_ROOMS] and p.kind != "resident":
        with _expander("增加房屋", rules.Op.ADD_ROOMS, ":material/add_home:"):
            text = st.text_input("搜索房屋（苑区/楼栋/房号）", key=f"room_q_{p.id}")
            found = dict(find_properties(actor=actor, text=text, office_id=office, limit=30)) if text.strip() else {}
            rooms = st.multiselect("增加的房屋", list(found), format_func=found.get, key=f"room_add_{p.id}",
                                   placeholder=PICK)
            kind = st.selectbox("申请人身份", [k.value for k in rules.MAY_EXTEND], key=f"room_kind_{p.id}",
                                format_func=lambda k: rules.APPLICANT_LABELS[rules.ApplicantKind(k)], placeholder=PICK)
            who = st.text_input("申请人姓名", key=f"room_who_{p.id}", value=p.applicant_name)
            if _run(f"pass_rooms_{p.id}", "确认增加", lambda: pass_flow.include_rooms(
                    actor=actor, pass_id=p.id, room_ids=list(rooms), requested_by_kind=kind, requested_by=who,
                    now=moment), "已增加房屋"):
                st.rerun()
    if may[rules.Op.RETURN]:
        with _expander("退证", rules.Op.RETURN, ":material/assignment_return:"):
            st.caption("凭出入证和押金收据退还押金；过期超过宽限期的押金不予退还。")
            receipt = st.text_input("押金收据号", key=f"ret_receipt_{p.id}")
            if _run(f"pass_return_{p.id}", "确认退证", lambda: pass_flow.return_pass(
                    actor=actor, pass_id=p.id, receipt_no=receipt, now=moment), "已退证"):
                st.rerun()
    for op, (title, icon, hint, step, done) in REASONED.items():
        if may[op]:
            with _expander(title, op, icon):
                if hint:
                    st.caption(hint)
                reason = st.text_input(f"{title}原因", key=f"{op.value}_reason_{p.id}")
                if _run(f"pass_{op.value}_{p.id}", f"确认{title}", lambda step=step, reason=reason: step(
                        actor=actor, pass_id=p.id, reason=reason, now=moment), done):
                    st.rerun()
    if may[rules.Op.REISSUE]:
        with _expander("补办新证", rules.Op.REISSUE, ":material/autorenew:"):
            receipt = st.text_input("新证收据号", key=f"reissue_receipt_{p.id}")
            key = f"pass_reissue_{p.id}"
            new = _run(key, "确认补办", lambda: passes.reissue(actor=actor, pass_id=p.id, receipt_no=receipt,
                                                             request_id=form_token(key), now=moment),
                       lambda made: f"已补办新证 {made.number}")
            if new:
                st.query_params["id"] = str(new.id)
                st.rerun()
