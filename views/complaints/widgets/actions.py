"""The actions a complaint allows in its current state, each citing the clause it follows."""

from __future__ import annotations

import streamlit as st

from core import complaint_workflow as wf
from core import complaints as rules
from core.complaint_facts import EDITABLE_FACTS, FACT_LABELS
from core.complaint_workflow import Op
from core.errors import DomainError
from core.permissions import Actor
from core.policy import PolicyBook
from db.services import complaint_flow as flow
from db.services import complaint_grades
from db.services import complaint_reports as reports
from db.services import complaints as svc
from ui.fmt import now
from ui.forms import button, form_token, new_form_token, show_error, submit_button
from ui.theme import PICK
from views.complaints.widgets.common import options

SAVED_KEY = "callback_saved"  # the complaint whose callback was just saved: 投诉回访 stays on it


def run_action(label: str, fn, form: str | None = None, after=None, **kwargs) -> None:
    """Call a service with ``now``; on success flash "已…" and rerun, else show the Chinese refusal.

    ``form``: a create form's key; its request id (``ui.forms.form_token``) makes a double click write one row.
    ``after``: runs on success, before the rerun.
    """
    try:
        fn(now=now(), **kwargs, **({"request_id": form_token(form)} if form else {}))
        if after is not None:
            after()
        if form:
            new_form_token(form)
        st.session_state["flash"] = f"已{label}"
        st.rerun()
    except DomainError as exc:
        show_error(exc)


def _callback_form(actor: Actor, c) -> None:
    with st.form(f"cb_{c.id}"):
        st.caption(rules.C_CALLBACK + "；不满意的重新处理（" + rules.C_REOPEN + "）")
        col1, col2 = st.columns(2)
        method = col1.selectbox("回访方式", options(rules.CALLBACK_METHOD_LABELS), format_func=rules.CALLBACK_METHOD_LABELS.get, placeholder=PICK)
        reached = col2.checkbox("已联系上顾客", value=True)
        person = col1.text_input("受访人", value=c.complainant_name)
        satisfaction = col2.selectbox("满意度", options(rules.SATISFACTION_LABELS), format_func=rules.SATISFACTION_LABELS.get, placeholder=PICK)
        comment = st.text_area("顾客意见")
        follow_up = st.text_input("后续措施", help="如：安排复查、转责任部门跟进（《投诉回访记录表》）")
        if submit_button(f"cb_{c.id}", "保存回访记录", type="primary"):
            run_action("保存回访", flow.record_callback, form=f"cb_{c.id}", actor=actor, complaint_id=c.id, method=method,
                       reached=reached, person_reached=person, satisfaction=satisfaction if reached else None,
                       comment=comment, follow_up=follow_up, after=lambda: st.session_state.update({SAVED_KEY: c.id}))


def saved_result(d: svc.Detail) -> None:
    """The callback just saved, on the complaint it was saved on (投诉回访 stays here until another row is clicked)."""
    c = d.complaint
    if not d.callbacks:
        return
    cb, who = d.callbacks[-1]
    result = rules.SATISFACTION_LABELS.get(cb.satisfaction, "未联系上顾客") if cb.reached else "未联系上顾客"
    st.success(f"已保存 {c.number} 的回访（{who}，{rules.CALLBACK_METHOD_LABELS.get(cb.method, cb.method)}）：{result}；"
               f"当前状态：{rules.STATE_LABELS.get(c.state, c.state)}。在表格中点选下一条投诉继续回访。",
               icon=":material/check_circle:")


def _exempt_form(actor: Actor, d: svc.Detail, policy: PolicyBook) -> None:
    c, kinds, extra = d.complaint, options(rules.EXEMPTION_LABELS), rules.extra_exemptions(policy)
    # the case the facts support (intake facts, attempts that did not reach the customer), else none
    suggested = rules.suggested_exemption(flow.exemption_facts(c, failed_attempts=d.failed_attempts), policy)
    with st.form(f"ex_{c.id}"):
        st.caption(f"{rules.C_EXEMPT}：须填写理由，记录决定人；未联系上顾客已回访 {d.failed_attempts} 次，"
                   f"满 {wf.quote(policy, 'complaint.callback_attempts')} 可按“联系不上”免回访")
        kind = st.selectbox("免回访情形", kinds, format_func=rules.EXEMPTION_LABELS.get, placeholder=PICK,
                            index=kinds.index(suggested.value) if suggested else None)
        case = st.selectbox("其他情形（选“其他情形”时）", [""] + extra, placeholder=PICK)
        reason = st.text_input("理由 *")
        if st.form_submit_button("认定免回访"):
            run_action("认定免回访", flow.exempt_callback, actor=actor, complaint_id=c.id, kind=kind, reason=reason,
                 extra_case=case if kind == "other" else "")


def action_panel(actor: Actor, d: svc.Detail, *, policy: PolicyBook) -> None:
    c = d.complaint
    office = c.office_id
    here = wf.Situation.of(c)
    st.markdown("**可执行的操作**")
    if wf.offered(actor, Op.ASSIGN, here):
        with st.expander("派单", icon=":material/assignment_ind:"):
            handlers = dict(svc.handler_choices(actor=actor, office_id=office))
            depts = dict(svc.department_choices(actor=actor, office_id=office))
            with st.form(f"assign_{c.id}"):
                st.caption(rules.C_FLOW)
                handler = st.selectbox("责任人 *", list(handlers), format_func=handlers.get, placeholder=PICK)
                dept = st.selectbox("责任部门", [None, *depts], format_func=lambda x: "—" if x is None else depts[x], placeholder=PICK)
                note = st.text_input("派单说明")
                if st.form_submit_button("派单", type="primary"):
                    run_action("派单", flow.assign, actor=actor, complaint_id=c.id, handler_user_id=handler, department_id=dept,
                         note=note)
    if wf.offered(actor, Op.HANDLE, here):
        with st.expander("登记处理结果", icon=":material/build:"):
            with st.form(f"handle_{c.id}"):
                result = st.text_area("处理结果 *")
                if st.form_submit_button("处理完成", type="primary"):
                    run_action("登记处理结果", flow.mark_handled, actor=actor, complaint_id=c.id, result=result)
    if wf.check(Op.VERIFY, here).ok and wf.permitted(actor, Op.VERIFY, office):
        with st.expander("验证", icon=":material/fact_check:"):
            st.caption(rules.C_CALLBACK + "：验证人不能是处理人")
            if not (verdict := wf.check(Op.VERIFY, here, actor_user_id=actor.user_id)):
                st.info(f"您是本投诉的处理人，须由其他客服主任验证（{verdict.clause}）", icon=":material/person_off:")
            else:
                note = st.text_input("验证意见 / 不合格原因", key=f"vnote_{c.id}")
                ok_col, fail_col = st.columns(2)
                if ok_col.button("验证合格", key=f"verify_{c.id}", type="primary"):
                    run_action("验证", flow.verify, actor=actor, complaint_id=c.id, note=note)
                if fail_col.button("验证不合格", key=f"verify_fail_{c.id}", help="退回责任人重新处理，须填写原因"):
                    run_action("退回重新处理", flow.fail_verification, actor=actor, complaint_id=c.id, reason=note)
    if wf.check(Op.EXEMPT, here).ok and wf.permitted(actor, Op.EXEMPT, office):
        with st.expander(f"回访 / 免回访 · {c.number}", icon=":material/call:"):  # names the complaint recorded on
            if not (verdict := wf.check(Op.EXEMPT, here, actor_user_id=actor.user_id)):
                st.info(f"您是本投诉的处理人，回访和免回访认定须由他人进行（{verdict.clause}）", icon=":material/person_off:")
            else:
                caller = wf.caller_check(actor, here, policy)
                if caller:
                    _callback_form(actor, c)
                else:
                    st.info(f"{caller.reason}（{caller.clause}），可上门（家访）回访", icon=":material/person_off:")
                _exempt_form(actor, d, policy)
    if wf.offered(actor, Op.UNEXEMPT, here):
        with st.expander("撤销免回访", icon=":material/undo:"):
            st.caption(f"{rules.C_EXEMPT}：撤销后须按期回访")
            reason = st.text_input("撤销原因 *", key=f"unexempt_{c.id}")
            if st.button("撤销免回访", key=f"unexempt_btn_{c.id}"):
                run_action("撤销免回访", flow.unexempt_callback, actor=actor, complaint_id=c.id, reason=reason)
    online = wf.OnlineSituation.of(d.online)
    if wf.offered(actor, Op.CLOSE, here, online=online):
        if st.button("归档", key=f"close_{c.id}", icon=":material/inventory_2:"):
            run_action("归档", flow.close, actor=actor, complaint_id=c.id, note="")
    elif wf.check(Op.CLOSE, here).ok and wf.permitted(actor, Op.CLOSE, office):  # why not yet (网上投诉处理 第4条)
        st.caption(wf.check(Op.CLOSE, here, online=online).message)
    if wf.offered(actor, Op.REOPEN, here):
        with st.expander("二次投诉 · 重新处理", icon=":material/replay:"):
            st.caption(rules.C_REOPEN)
            reason = st.text_input("原因 *", key=f"reopen_{c.id}")
            if st.button("重新处理", key=f"reopen_btn_{c.id}"):
                run_action("重新处理", flow.reopen, actor=actor, complaint_id=c.id, reason=reason)
    if wf.offered(actor, Op.NOTE, here):
        with st.expander("跟进记录", icon=":material/edit_note:"):
            note = st.text_area("记录", key=f"note_{c.id}")
            if button(f"note_btn_{c.id}", "添加记录"):
                run_action("添加记录", flow.add_note, form=f"note_btn_{c.id}", actor=actor, complaint_id=c.id, note=note)
    grade_panel(actor, d)


def _facts_form(actor: Actor, c) -> None:
    """更正投诉情况: the facts the class is judged by, with a reason; a rise applies at once, a lowering waits for HQ."""
    with st.expander("更正投诉情况", icon=":material/rule:"):
        with st.form(f"facts_{c.id}"):
            st.caption(f"{rules.C_CLASSES}：更正后立即重新判定类别；判定结果较低时维持现类别，由总部客服中心认定降级"
                       f"（{rules.C_HQ_FINAL}）")
            changes: dict = {"complainant_count": st.number_input(
                FACT_LABELS["complainant_count"], min_value=1, max_value=10000, value=int(c.complainant_count), step=1)}
            cols = st.columns(2)
            for i, name in enumerate(n for n in EDITABLE_FACTS if n != "complainant_count"):
                changes[name] = cols[i % 2].checkbox(FACT_LABELS[name], value=bool(getattr(c, name)), key=f"fact_{c.id}_{name}")
            reason = st.text_input("更正理由 *")
            if st.form_submit_button("保存更正"):
                changed = {k: v for k, v in changes.items() if v != getattr(c, k)}
                run_action("更正投诉情况", complaint_grades.update_facts, actor=actor, complaint_id=c.id,
                           changes=changed, reason=reason)


def grade_panel(actor: Actor, d: svc.Detail) -> None:
    c = d.complaint
    grades = options(rules.GRADE_LABELS)
    can_raise = wf.offered(actor, Op.GRADE_RAISE, wf.Situation.of(c))
    can_hq = wf.offered(actor, Op.GRADE_OVERRIDE, wf.Situation.of(c))
    if can_raise or can_hq:
        with st.expander("调整类别", icon=":material/priority_high:"):
            st.caption(rules.C_HQ_FINAL + "：单位可说明理由提高类别，不得低于制度判定；总部客服中心可双向认定")
            grade = st.selectbox("类别", grades, format_func=rules.GRADE_LABELS.get, key=f"grade_{c.id}", placeholder=PICK)
            reason = st.text_input("理由 *", key=f"greason_{c.id}")
            if can_raise and st.button("单位提级", key=f"raise_{c.id}"):
                run_action("提高类别", complaint_grades.raise_grade, actor=actor, complaint_id=c.id, grade=grade, reason=reason)
            if can_hq and st.button("总部认定", key=f"hq_{c.id}"):
                run_action("认定类别", complaint_grades.override_grade, actor=actor, complaint_id=c.id, grade=grade, reason=reason)
    if wf.offered(actor, Op.UPDATE_FACTS, wf.Situation.of(c)):
        _facts_form(actor, c)
    if c.report_due_at and d.awaiting_my_ack:
        if st.button("确认收到通报", key=f"ack_{c.id}", icon=":material/done_all:", type="primary"):
            run_action("确认通报", reports.acknowledge_report, actor=actor, complaint_id=c.id)
