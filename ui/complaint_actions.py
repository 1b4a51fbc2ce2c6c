"""The actions a complaint allows in its current state, each citing the clause it follows."""

from __future__ import annotations

import streamlit as st

from core import complaints as rules
from core.complaints import State, Step
from core.errors import DomainError
from core.permissions import Action, Actor
from db.services import complaint_flow as flow
from db.services import complaint_support as support
from db.services import complaints as svc
from ui.complaints import options
from ui.fmt import now
from ui.forms import show_error


def _run(label: str, fn, **kwargs) -> None:
    try:
        fn(now=now(), **kwargs)
        st.session_state["flash"] = f"已{label}"
        st.rerun()
    except DomainError as exc:
        show_error(exc)


def _callback_form(actor: Actor, c) -> None:
    with st.form(f"cb_{c.id}"):
        st.caption(rules.C_CALLBACK + "；不满意的重新处理（" + rules.C_REOPEN + "）")
        col1, col2 = st.columns(2)
        method = col1.selectbox("回访方式", options(rules.CALLBACK_METHOD_LABELS), format_func=rules.CALLBACK_METHOD_LABELS.get)
        reached = col2.checkbox("已联系上顾客", value=True)
        person = col1.text_input("受访人", value=c.complainant_name)
        satisfaction = col2.selectbox("满意度", options(rules.SATISFACTION_LABELS), format_func=rules.SATISFACTION_LABELS.get)
        comment = st.text_area("顾客意见")
        if st.form_submit_button("保存回访记录", type="primary"):
            _run("保存回访", flow.record_callback, actor=actor, complaint_id=c.id, method=method, reached=reached,
                 person_reached=person, satisfaction=satisfaction if reached else None, comment=comment, follow_up="")


def _exempt_form(actor: Actor, c, extra: list[str]) -> None:
    with st.form(f"ex_{c.id}"):
        st.caption(rules.C_EXEMPT + "：须填写理由，记录决定人")
        kind = st.selectbox("免回访情形", options(rules.EXEMPTION_LABELS), format_func=rules.EXEMPTION_LABELS.get)
        case = st.selectbox("其他情形（选“其他情形”时）", [""] + extra)
        reason = st.text_input("理由 *")
        if st.form_submit_button("认定免回访"):
            _run("认定免回访", flow.exempt_callback, actor=actor, complaint_id=c.id, kind=kind, reason=reason,
                 extra_case=case if kind == "other" else "")


def action_panel(actor: Actor, d: svc.Detail, *, extra_exemptions: list[str]) -> None:
    c = d.complaint
    office = c.office_id
    steps = set(d.steps)
    st.markdown("**可执行的操作**")
    if Step.ASSIGN in steps and actor.can(Action.COMPLAINT_ASSIGN, office):
        with st.expander("派单", icon=":material/assignment_ind:"):
            handlers = dict(svc.handler_choices(actor=actor, office_id=office))
            depts = dict(svc.department_choices(actor=actor, office_id=office))
            with st.form(f"assign_{c.id}"):
                st.caption(rules.C_FLOW)
                handler = st.selectbox("责任人 *", list(handlers), format_func=handlers.get)
                dept = st.selectbox("责任部门", [None, *depts], format_func=lambda x: "—" if x is None else depts[x])
                note = st.text_input("派单说明")
                if st.form_submit_button("派单", type="primary"):
                    _run("派单", flow.assign, actor=actor, complaint_id=c.id, handler_user_id=handler, department_id=dept,
                         note=note)
    if Step.HANDLE in steps and actor.can(Action.COMPLAINT_HANDLE, office):
        with st.expander("登记处理结果", icon=":material/build:"):
            with st.form(f"handle_{c.id}"):
                result = st.text_area("处理结果 *")
                if st.form_submit_button("处理完成", type="primary"):
                    _run("登记处理结果", flow.mark_handled, actor=actor, complaint_id=c.id, result=result)
    if Step.VERIFY in steps and actor.can(Action.COMPLAINT_VERIFY, office):
        with st.expander("验证", icon=":material/fact_check:"):
            st.caption(rules.C_CALLBACK + "：验证人不能是处理人")
            note = st.text_input("验证意见", key=f"vnote_{c.id}")
            if st.button("验证合格", key=f"verify_{c.id}", type="primary"):
                _run("验证", flow.verify, actor=actor, complaint_id=c.id, note=note)
    if State(c.state) == State.VERIFIED and actor.can(Action.COMPLAINT_CALLBACK, office):
        with st.expander("回访 / 免回访", icon=":material/call:"):
            _callback_form(actor, c)
            _exempt_form(actor, c, extra_exemptions)
    if Step.CLOSE in steps and actor.can(Action.COMPLAINT_CLOSE, office):
        if st.button("归档", key=f"close_{c.id}", icon=":material/inventory_2:"):
            _run("归档", flow.close, actor=actor, complaint_id=c.id, note="")
    if Step.REOPEN in steps and actor.can(Action.COMPLAINT_ASSIGN, office):
        with st.expander("二次投诉 · 重新处理", icon=":material/replay:"):
            st.caption(rules.C_REOPEN)
            reason = st.text_input("原因 *", key=f"reopen_{c.id}")
            if st.button("重新处理", key=f"reopen_btn_{c.id}"):
                _run("重新处理", flow.reopen, actor=actor, complaint_id=c.id, reason=reason)
    if State(c.state) in rules.OPEN_STATES and actor.can(Action.COMPLAINT_HANDLE, office):
        with st.expander("跟进记录", icon=":material/edit_note:"):
            note = st.text_area("记录", key=f"note_{c.id}")
            if st.button("添加记录", key=f"note_btn_{c.id}"):
                _run("添加记录", flow.add_note, actor=actor, complaint_id=c.id, note=note)
    grade_panel(actor, d)


def grade_panel(actor: Actor, d: svc.Detail) -> None:
    c = d.complaint
    grades = options(rules.GRADE_LABELS)
    can_raise = actor.can(Action.COMPLAINT_GRADE_RAISE, c.office_id) and not c.hq_grade
    can_hq = actor.can(Action.COMPLAINT_GRADE_OVERRIDE_HQ, c.office_id)
    if can_raise or can_hq:
        with st.expander("调整类别", icon=":material/priority_high:"):
            st.caption(rules.C_HQ_FINAL + "：单位可说明理由提高类别，不得低于制度判定；总部客服中心可双向认定")
            grade = st.selectbox("类别", grades, format_func=rules.GRADE_LABELS.get, key=f"grade_{c.id}")
            reason = st.text_input("理由 *", key=f"greason_{c.id}")
            if can_raise and st.button("单位提级", key=f"raise_{c.id}"):
                _run("提高类别", svc.raise_grade, actor=actor, complaint_id=c.id, grade=grade, reason=reason)
            if can_hq and st.button("总部认定", key=f"hq_{c.id}"):
                _run("认定类别", svc.override_grade, actor=actor, complaint_id=c.id, grade=grade, reason=reason)
    if c.report_due_at and actor.can(Action.COMPLAINT_REPORT, c.office_id):
        with st.expander("电话通报记录", icon=":material/campaign:"):
            st.caption(rules.cite("D14", "二") + "：重大/热点投诉须立即通报")
            to_whom = st.text_input("通报对象 *", key=f"rep_to_{c.id}", placeholder="总部客服中心 周主任")
            if st.button("记录已电话通报", key=f"rep_{c.id}"):
                _run("记录通报", svc.record_phone_report, actor=actor, complaint_id=c.id, at=now(), to_whom=to_whom, note="")
    if c.report_due_at:
        if st.button("确认收到通报", key=f"ack_{c.id}", icon=":material/done_all:"):
            _run("确认通报", svc.acknowledge_report, actor=actor, complaint_id=c.id)
    consult_panel(actor, d)


def consult_panel(actor: Actor, d: svc.Detail) -> None:
    c = d.complaint
    if State(c.state) not in rules.OPEN_STATES or not actor.can(Action.COMPLAINT_CONSULT_REQUEST, c.office_id):
        return
    with st.expander("请求专业顾问支持", icon=":material/support:"):
        consultants = {x.id: f"{x.name}（{x.speciality}）" for x in support.list_consultants(actor=actor)}
        if not consultants:
            st.caption("顾问名录为空，请联系总部客服中心。")
            return
        st.caption(rules.cite("D12", "一.3") + "：顾问须在24小时内书面答复")
        cid = st.selectbox("顾问", list(consultants), format_func=consultants.get, key=f"cons_{c.id}")
        question = st.text_area("需要支持的问题 *", key=f"q_{c.id}")
        temporary = actor.can(Action.COMPLAINT_CONSULTANT_MANAGE) and st.checkbox("临时顾问（总部指派）", key=f"tmp_{c.id}")
        if st.button("发送请求", key=f"cons_btn_{c.id}"):
            _run("请求顾问支持", support.request_consult, actor=actor, complaint_id=c.id, consultant_id=cid,
                 question=question, temporary=temporary)
