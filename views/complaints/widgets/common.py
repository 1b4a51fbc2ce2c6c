"""Shared complaint widgets: labels, the detail view with its timeline, PDF download."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from core import complaint_workflow as wf
from core import complaints as rules
from core.masking import mask_phone
from core.pdf.complaint_forms import SheetData, callback_record, complaint_sheet
from core.policy import PolicyBook
from db.services import complaints as svc
from db.services.policy import policy_at
from ui.fmt import dt, now, yes_no
from ui.pdf import pdf_button
from ui.tables import frame

LIST_PAGE = "views/complaints/list.py"
POLICY_LINE = "依据《顾客投诉处理制度》：投诉通报处理、投诉回访、投诉顾问支持及责任划分、网上投诉处理"
GRADE_ICON = {"major": ":red[重大]", "hot": ":orange[热点]", "important": ":blue[重要]", "general": "一般"}


def complaint_link(complaint_id: int, label: str) -> None:
    """A link that opens the complaint on the 投诉处理 page (``?id=``)."""
    try:
        st.page_link(LIST_PAGE, label=label, icon=":material/open_in_new:", query_params={"id": str(complaint_id)})
    except StreamlitPageNotFoundError:  # the page script runs on its own, outside app.py's navigation
        st.caption(label)


def grade_label(code: str | None) -> str:
    return rules.GRADE_LABELS.get(code, code or "")


def state_label(code: str | None) -> str:
    return rules.STATE_LABELS.get(code, code or "")


def options(mapping: dict) -> list[str]:
    return [k.value if hasattr(k, "value") else k for k in mapping]


def category_labels() -> dict[str, str]:
    """Every category code (deactivated ones too: old complaints keep theirs) → its label, from the policy book's
    ``complaint.categories`` table in force now (one primary-key read when the book is cached)."""
    return {r["code"]: r["label"] for r in policy_at(now()).rows("complaint.categories", active_only=False)}


REPORT_KINDS = {"notice": "系统通报", "phone": "电话通报", "express": "快报", "special": "专题报告"}


def rule(policy: PolicyBook, key: str) -> str:
    """A policy-book value as the UI quotes it ("24小时", "30天"): every number on screen comes from the book."""
    return wf.quote(policy, key)


def kv_table(info: dict) -> None:
    """A record as two columns (项目/内容): fits a narrow column, where a wide one-row table would be cut off."""
    st.dataframe(pd.DataFrame([{"项目": k, "内容": str(v)} for k, v in info.items()]), hide_index=True,
                 width="stretch", height="content")


def show_header(d: svc.Detail) -> None:
    """Number, class with the trigger that decided it, state, deadlines, and the 通报 status."""
    c = d.complaint
    st.subheader(f"{c.number} · {c.title}")
    cols = st.columns(4)
    cols[0].markdown(f"**类别** {GRADE_ICON.get(c.grade, c.grade)}（{rules.GRADE_SOURCE_LABELS.get(c.grade_source, '')}）")
    cols[1].markdown(f"**状态** {state_label(c.state)}")
    cols[2].markdown(f"**处理期限** {dt(c.due_at) or '—'}")
    cols[3].markdown(f"**回访期限** {dt(c.callback_due_at) or '—'}")
    st.info(f"类别依据：{c.grade_trigger} → {grade_label(c.grade)}，{c.grade_citation}")
    for x in d.deadlines:  # the other deadlines (12345/住建 reply, 通报, online facts …), each judged now
        if x.label not in ("投诉处理", "投诉回访"):
            st.caption(f"{x.label}：期限 {dt(x.due_at)}，{x.status}（{x.clause}）")
    if c.grade_source == "rules" and d.classification.grade != c.grade:  # held: the rules now give less (二.5)
        st.caption(rules.lowering_note(c.grade, d.classification.grade))
    if d.age_clock and c.our_fault:
        label, moment, clause = d.age_clock
        st.caption(f"我方原因未解决时长自{label}（{dt(moment)}）起算，{clause}")
    if c.report_due_at and d.report is not None:
        r = d.report
        acks = f"已确认 {r.acknowledged}/{r.recipients} 人" + (f"（待确认：{'、'.join(r.waiting[:5])}）" if r.waiting else "")
        if c.reported_at:
            st.caption(f"通报：已于 {dt(c.reported_at)} 发出（时限 {dt(c.report_due_at)}）；对象：{r.to_whom or '—'}；{acks}"
                       f"（{rules.cite('D14', '二')}）")
        elif not d.report_pending:  # archived: no longer a call to act, the record still says it
            st.caption(f"通报：未在时限 {dt(c.report_due_at)} 前通报到每一对象（投诉已归档）；对象：{r.to_whom or '—'}；{acks}")
        else:
            st.warning(f"{grade_label(c.grade)}投诉须立即通报：通报时限 {dt(c.report_due_at)}，通报尚未完成"
                       f"（{r.to_whom or '尚未发出'}）；可记录电话通报补全；{acks}（{rules.cite('D14', '二')}）",
                       icon=":material/campaign:")


def show_overview(d: svc.Detail) -> None:
    c = d.complaint
    who = "匿名" if c.anonymous else f"{c.complainant_name} {mask_phone(c.complainant_phone)}"
    info = {
        "管理处": d.office_name, "房屋": d.property_label or "—", "投诉人": who, "投诉人数": c.complainant_count,
        "渠道": rules.CHANNEL_LABELS.get(c.channel, c.channel), "分类": category_labels().get(c.category, c.category),
        "发生时间": dt(c.occurred_at), "受理时间": dt(c.received_at), "责任部门": d.department_name or "—",
        "责任人": d.handler_name or "—", "我方原因": yes_no(c.our_fault), "同一事项": d.group_title or "—",
    }
    if c.first_received_at or c.contact_held_by:  # 责任划分 二.1: the hand-off to the office's 投诉接口
        info |= {"首次接到": dt(c.first_received_at) or "—", "投诉接口应收到": dt(c.contact_due_at) or "—",
                 "经手人": c.contact_held_by or "—"}
    kv_table(info)
    st.markdown("**投诉内容**")
    st.text(c.description)
    if c.handling_result:
        st.markdown("**处理结果**")
        st.text(c.handling_result)
    if c.exemption_kind:
        st.caption(f"免回访：{rules.EXEMPTION_LABELS.get(c.exemption_kind, '')}，理由：{c.exemption_reason}"
                   f"（决定人：{d.user_names.get(c.exempt_by, '—')}，{rules.C_EXEMPT}）")
    if d.callbacks:
        st.markdown("**回访记录**")
        st.dataframe(frame(d.callbacks, {
            "时间": lambda x: dt(x[0].at), "回访人": lambda x: x[1],
            "方式": lambda x: rules.CALLBACK_METHOD_LABELS.get(x[0].method, x[0].method),
            "联系上": lambda x: yes_no(x[0].reached),
            "满意度": lambda x: rules.SATISFACTION_LABELS.get(x[0].satisfaction, "—"), "意见": lambda x: x[0].comment,
            "后续措施": lambda x: x[0].follow_up,
        }), hide_index=True, width="stretch")


def show_timeline(d: svc.Detail) -> None:
    """Every change in order, as wrapping text (a table cuts the long notes off in the narrow column)."""
    for e in d.events:
        with st.container(border=True):
            st.markdown(f"**{dt(e.at)}** · {e.actor_name} · {state_label(e.to_state)}")
            st.text(e.note)
            if e.citation:
                st.caption(e.citation)
    if len(d.grades) > 1:
        st.markdown("**类别变化**")
        st.dataframe(frame(d.grades, {"时间": lambda g: dt(g.at), "原类别": lambda g: grade_label(g.from_grade) or "—",
                                      "新类别": lambda g: grade_label(g.to_grade),
                                      "来源": lambda g: rules.GRADE_SOURCE_LABELS.get(g.source, g.source),
                                      "触发情形": lambda g: g.trigger, "理由": lambda g: g.reason}),
                     hide_index=True, width="stretch")


def sheet_data(d: svc.Detail) -> SheetData:
    c = d.complaint
    names = d.user_names
    return SheetData(
        number=c.number, office=d.office_name, property_label=d.property_label,
        complainant="匿名" if c.anonymous else f"{c.complainant_name} {mask_phone(c.complainant_phone)}".strip(),
        complainant_count=c.complainant_count, channel=rules.CHANNEL_LABELS.get(c.channel, c.channel),
        category=category_labels().get(c.category, c.category), grade=grade_label(c.grade),
        grade_source=rules.GRADE_SOURCE_LABELS.get(c.grade_source, ""),
        grade_reason=f"{c.grade_trigger} → {grade_label(c.grade)}，{c.grade_citation}",
        occurred_at=dt(c.occurred_at), received_at=dt(c.received_at), due_at=dt(c.due_at),
        department=d.department_name, handler=d.handler_name, title=c.title, description=c.description,
        handling_result=c.handling_result,
        verified=f"验证合格：{dt(d.last_verified_at)} {d.last_verified_by}" if d.last_verified_at else "",
        state=state_label(c.state), timeline=[(dt(e.at), e.actor_name, e.note) for e in d.events],
        callbacks=[(dt(cb.at), who, rules.CALLBACK_METHOD_LABELS.get(cb.method, cb.method), cb.person_reached,
                    rules.SATISFACTION_LABELS.get(cb.satisfaction, "未联系上"), cb.comment, cb.follow_up)
                   for cb, who in d.callbacks],
        exemption=(f"{rules.EXEMPTION_LABELS.get(c.exemption_kind, '')}：{c.exemption_reason}（决定人："
                   f"{names.get(c.exempt_by, '')}）") if c.exemption_kind else "",
        callback_due=dt(d.last_callback_due_at),
    )


def pdf_buttons(d: svc.Detail) -> None:
    """One click renders and downloads (ui.pdf.pdf_button); the company name is master data."""
    key = f"pdf_{d.complaint.id}"
    forms = {"投诉处理单": complaint_sheet}
    if d.callbacks or d.complaint.exemption_kind:
        forms["投诉回访记录表"] = callback_record
    cols = st.columns(len(forms))
    for col, (name, build) in zip(cols, forms.items(), strict=True):
        pdf_button(f"打印 PDF：{name}", lambda build=build: build(sheet_data(d), company=d.company, printed_at=dt(now())),
                   f"{d.complaint.number}-{name}.pdf", key=f"{key}_{name}", container=col)
