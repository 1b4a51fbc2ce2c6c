"""The case library's screen pieces (顾客投诉案例库): the write-up form, one case, the lists."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import complaint_cases as rules
from core import complaints as crules
from core.errors import DomainError
from core.permissions import Actor
from db.services import complaint_cases as cases
from ui.fmt import dt, now, short_dt
from ui.forms import button, new_form_token, show_error, submit_button
from ui.tables import text_column

SAVED = "case_saved"


# Fits 1280 px: the summary takes what is left (its full text opens below the list).
CASE_WIDTHS = {"编号": text_column("编号", 112), "管理处": text_column("管理处", 100), "分级": text_column("分级", 44),
               "分类": text_column("分类", 90), "状态": text_column("状态", 72), "概要": text_column("概要", 180),
               "标签": text_column("标签", 90), "发布/更新": text_column("发布/更新", 80)}


def case_frame(rows: list[cases.CaseRow], labels: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame([{"编号": r.number, "管理处": r.office, "分级": crules.GRADE_LABELS[crules.Grade(r.grade)],
                          "分类": labels.get(r.category, r.category), "状态": rules.STATE_LABELS[rules.CaseState(r.state)],
                          "概要": r.summary, "标签": "、".join(r.tags),
                          "发布/更新": short_dt(r.published_at or r.updated_at)} for r in rows],
                        columns=["编号", "管理处", "分级", "分类", "状态", "概要", "标签", "发布/更新"])


def case_form(key: str, start: rules.CaseText, *, label: str) -> rules.CaseText | None:
    """The six parts of a case and its tags; returns what was typed when the form is submitted."""
    with st.form(key, clear_on_submit=False, enter_to_submit=False):
        st.caption("案例须匿名化：不得出现投诉人的姓名、电话和房号（如写“某业主”“××室”），保存时会检查。")
        values = {k: st.text_area(f"{lab}{'（必填）' if k in rules.REQUIRED else ''}", value=getattr(start, k),
                                  key=f"{key}_{k}", max_chars=rules.MAX_TEXT, height=90)
                  for k, lab in rules.TEXT_FIELDS}
        tags = st.text_input("标签（用逗号或顿号分隔，最多 8 个）", value="、".join(start.tags), key=f"{key}_tags")
        if submit_button(key, label, type="primary"):
            return rules.CaseText(**values, tags=tags)
    return None


def show_case(d: cases.CaseDetail, labels: dict[str, str]) -> None:
    c = d.case
    st.subheader(f"{c.number} · {crules.GRADE_LABELS[crules.Grade(c.grade)]} · {labels.get(c.category, c.category)}")
    st.caption(f"{d.office} · 来源投诉 {d.complaint_number} · {rules.STATE_LABELS[rules.CaseState(c.state)]}"
               + (f" · {dt(c.published_at)} 由 {d.published_by} 发布" if c.published_at else "")
               + (f" · 提交人 {d.submitted_by}" if d.submitted_by else ""))
    if c.state == rules.CaseState.RETURNED and c.return_reason:
        st.warning(f"总部退回修改：{c.return_reason}")
    for key, label in rules.TEXT_FIELDS:
        text = getattr(c, key)
        if text:
            st.markdown(f"**{label}**")
            st.text(text)
    if c.tags:
        st.caption("标签：" + "、".join(rules.tags_of(c.tags)))


def edit_and_submit(actor: Actor, d: cases.CaseDetail) -> None:
    c = d.case
    key = f"case_edit_{c.id}"
    stored = rules.CaseText(summary=c.summary, cause=c.cause, handling=c.handling, result=c.result, lessons=c.lessons,
                            prevention=c.prevention, tags=rules.tags_of(c.tags))
    text = case_form(key, stored, label="保存修改")
    if text is not None:
        try:
            cases.update(actor=actor, complaint_case_id=c.id, text=text, now=now())
        except DomainError as exc:
            show_error(exc)
            return
        new_form_token(key)
        st.session_state[SAVED] = f"已保存 {c.number}"
        st.rerun()
    if button(f"case_submit_{c.id}", "提交总部客服中心", type="primary", icon=":material/send:"):
        try:
            cases.submit(actor=actor, complaint_case_id=c.id, now=now())
        except DomainError as exc:
            show_error(exc)
            return
        new_form_token(f"case_submit_{c.id}")
        st.session_state[SAVED] = f"{c.number} 已提交总部客服中心"
        st.rerun()


def publish_or_return(actor: Actor, d: cases.CaseDetail) -> None:
    c = d.case
    c1, c2 = st.columns([1, 3])
    if c1.button("发布到案例库", key=f"case_publish_{c.id}", type="primary", icon=":material/publish:"):
        try:
            cases.publish(actor=actor, complaint_case_id=c.id, now=now())
        except DomainError as exc:
            show_error(exc)
            return
        st.session_state[SAVED] = f"{c.number} 已发布，全公司可查"
        st.rerun()
    with c2.form(f"case_return_{c.id}"):
        reason = st.text_input("退回原因", key=f"case_reason_{c.id}", max_chars=500)
        if st.form_submit_button("退回修改"):
            try:
                cases.return_case(actor=actor, complaint_case_id=c.id, reason=reason, now=now())
            except DomainError as exc:
                show_error(exc)
                return
            st.session_state[SAVED] = f"{c.number} 已退回修改"
            st.rerun()
