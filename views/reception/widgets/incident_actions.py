"""The steps an office-visitor incident allows now (core.visitor_incidents.refusal), each a small form; a step not
offered shows why, with its clause."""

from __future__ import annotations

import streamlit as st

from core import visitor_incidents as rules
from core.errors import DomainError
from core.permissions import Action, Actor
from db.services import visitor_incident_flow as flow
from db.services import visitor_incidents as svc
from db.services.policy import policy_at
from ui.fmt import now
from ui.forms import show_error
from ui.theme import PICK
from views.reception.widgets.incidents import when_input

Op = rules.Op
ACTION_OF = {Op.CLOSE: Action.VISITOR_INCIDENT_CLOSE}


def _run(label: str, fn, **kwargs) -> None:
    try:
        fn(now=now(), **kwargs)
    except DomainError as exc:
        show_error(exc)
        return
    st.session_state["vi_flash"] = f"已{label}"
    st.rerun()


def action_panel(actor: Actor, d: svc.IncidentDetail) -> None:
    r = d.incident
    allowed = {op: reason for op, reason in d.offered.items()
               if actor.can(ACTION_OF.get(op, Action.VISITOR_INCIDENT_HANDLE), r.office_id)}
    open_ops = [op for op, reason in allowed.items() if reason is None]
    for op, reason in allowed.items():  # allowed in this state but not yet: say why, with the clause
        if reason is not None and rules.in_state(op, r.state):
            st.caption(f"{rules.OP_LABELS[op]}：{reason}")
    if not open_ops:
        st.caption("当前没有可执行的操作。")
        return
    labels = {op: rules.OP_LABELS[op] for op in open_ops}
    op = st.radio("操作", open_ops, format_func=labels.get, key=f"vi_op_{r.id}", horizontal=True)
    forms = {Op.RECEIVE: _receive, Op.ESCALATE: _escalate, Op.RESOLVE: _resolve, Op.REPORT: _report,
             Op.CONVERT: _convert, Op.CLOSE: _close}
    forms[op](actor, d)


def _receive(actor: Actor, d: svc.IncidentDetail) -> None:
    r = d.incident
    people = dict(svc.receiver_choices(actor=actor, office_id=r.office_id))
    with st.form(f"vi_receive_{r.id}"):
        who = st.selectbox("接待人 *", list(people), format_func=people.get, placeholder=PICK, index=None)
        at = when_input("接待时间", key=f"vi_rcv_at_{r.id}")
        if st.form_submit_button("记录接待", type="primary"):
            if who is None:
                st.error("请选择接待人")
                return
            _run("记录接待", flow.receive, actor=actor, incident_id=r.id, receiver_user_id=who, at=at)


def _escalate(actor: Actor, d: svc.IncidentDetail) -> None:
    r = d.incident
    told = {lv for lv, at in ((rules.Level.SUPERVISOR, r.supervisor_told_at), (rules.Level.DIRECTOR, r.director_told_at))
            if at}
    levels = [lv.value for lv in rules.Level if lv not in told]
    with st.form(f"vi_escalate_{r.id}"):
        level = st.selectbox("上报对象 *", levels, format_func=lambda v: rules.LEVEL_LABELS[rules.Level(v)],
                             placeholder=PICK)
        at = when_input("上报时间", key=f"vi_esc_at_{r.id}")
        note = st.text_input("说明", max_chars=200)
        if st.form_submit_button("记录上报", type="primary"):
            _run("记录上报", flow.escalate, actor=actor, incident_id=r.id, level=level, at=at, note=note)


def _resolve(actor: Actor, d: svc.IncidentDetail) -> None:
    r = d.incident
    with st.form(f"vi_resolve_{r.id}"):
        outcome = st.text_area("处理结果 *", height=80)
        at = when_input("平息/处理时间", key=f"vi_res_at_{r.id}")
        needed = st.checkbox("需要跟进")
        plan = st.text_input("跟进安排", max_chars=500)
        if st.form_submit_button("保存处理结果", type="primary"):
            _run("保存处理结果", flow.resolve, actor=actor, incident_id=r.id, outcome=outcome, at=at,
                 follow_up_needed=needed, follow_up_plan=plan)


def _report(actor: Actor, d: svc.IncidentDetail) -> None:
    r = d.incident
    with st.form(f"vi_report_{r.id}"):
        text = st.text_area("书面事件报告 *", height=120, help="经过、人员与财产损失、报警与处理情况")
        at = when_input("报告时间", key=f"vi_rep_at_{r.id}")
        if st.form_submit_button("提交报告", type="primary"):
            _run("提交书面报告", flow.file_report, actor=actor, incident_id=r.id, report=text, at=at)


def _convert(actor: Actor, d: svc.IncidentDetail) -> None:
    r = d.incident
    policy = policy_at(now(), r.policy_version)
    categories = {row["code"]: row["label"] for row in policy.rows("complaint.categories")}
    with st.form(f"vi_convert_{r.id}"):
        st.caption(f"由投诉处理按其制度判定类别（{rules.collective_phrase(policy)}）")
        category = st.selectbox("投诉分类 *", list(categories), format_func=categories.get, placeholder=PICK, index=None)
        if st.form_submit_button("转为投诉", type="primary"):
            _run("转为投诉", flow.convert_to_complaint, actor=actor, incident_id=r.id, category=category)


def _close(actor: Actor, d: svc.IncidentDetail) -> None:
    r = d.incident
    with st.form(f"vi_close_{r.id}"):
        if r.follow_up_needed:
            st.caption(f"跟进安排：{r.follow_up_plan}")
        result = st.text_input("跟进结果" + (" *" if r.follow_up_needed else ""), max_chars=500)
        if st.form_submit_button("结案", type="primary"):
            _run("结案", flow.close, actor=actor, incident_id=r.id, follow_up_result=result)
