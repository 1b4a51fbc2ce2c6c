"""顾客投诉案例库: published cases for everyone; the unit writes up its archived 重大/热点/重要 complaints; the HQ
客服中心 publishes them (顾客投诉处理制度(投诉整理分析) 第1、3条)."""

import pandas as pd
import streamlit as st

from core import complaint_cases as rules
from core import complaints as crules
from core.errors import DomainError
from core.permissions import Action
from db.services import complaint_cases as cases
from ui.context import page_header, require
from ui.fmt import dt, now
from ui.forms import new_form_token, show_error
from ui.tables import pager, pager_footer, reset_pager, selectable_table
from ui.theme import PICK
from views.complaints.widgets.cases import (
    CASE_WIDTHS,
    SAVED,
    case_form,
    case_frame,
    edit_and_submit,
    publish_or_return,
    show_case,
)
from views.complaints.widgets.common import category_labels

actor = require(Action.COMPLAINT_CASE_VIEW)
page_header("投诉案例库", ":material/library_books:",
            f"{rules.C_SCOPE}：各单位整理典型案例（包括但不限于重大、热点、重要投诉），报总部客服中心建立案例库全公司共享")
if saved := st.session_state.pop(SAVED, None):
    st.success(saved)
moment = now()
labels = category_labels()
views = {"library": "案例库"}
if actor.can(Action.COMPLAINT_CASE_WRITE) or actor.can(Action.COMPLAINT_CASE_PUBLISH):
    views["mine"] = "本单位案例" if not actor.can(Action.COMPLAINT_CASE_PUBLISH) else "各单位提交的案例"
if actor.can(Action.COMPLAINT_CASE_WRITE):
    views["owed"] = "待编写"
linked = st.query_params.get("complaint", "")  # 编写案例 of one complaint (a link from my work or the complaint)
default = "owed" if linked.isdigit() and "owed" in views else "library"
if (switch := st.session_state.pop("case_view_next", None)) in views:
    st.session_state["case_view"] = switch  # set before the control is drawn (Streamlit refuses it after)
view = st.segmented_control("查看", list(views), format_func=views.get, default=default, key="case_view") or default


def open_case(complaint_case_id: int) -> None:
    try:
        d = cases.detail(actor=actor, complaint_case_id=complaint_case_id)
    except DomainError as exc:
        show_error(exc)
        return
    st.divider()
    show_case(d, labels)
    if d.may_edit:
        edit_and_submit(actor, d)
    if d.may_publish:
        publish_or_return(actor, d)


if view == "library":
    c1, c2, c3, c4 = st.columns([3, 2, 2, 2])
    text = c1.text_input("搜索（概要、原因、经验教训…）", key="case_text", on_change=reset_pager, args=("cases",))
    tag = c2.text_input("标签", key="case_tag", on_change=reset_pager, args=("cases",))
    category = c3.selectbox("分类", [None, *labels], format_func=lambda x: "全部" if x is None else labels[x],
                            key="case_cat", placeholder=PICK, on_change=reset_pager, args=("cases",))
    grade = c4.selectbox("分级", [None, *crules.GRADE_LABELS], key="case_grade", placeholder=PICK, on_change=reset_pager,
                         args=("cases",), format_func=lambda g: "全部" if g is None else crules.GRADE_LABELS[g])
    page, size = pager("cases", page_size=20)
    result = cases.library(actor=actor, text=text, tag=tag, category=category, grade=grade, page=page, page_size=size)
    context = (text, tag, category, grade, result.page)
elif view == "mine":
    state = st.selectbox("状态", [None, *rules.STATE_LABELS], key="case_state", placeholder=PICK, on_change=reset_pager,
                         args=("cases",), format_func=lambda x: "全部" if x is None else rules.STATE_LABELS[x])
    page, size = pager("cases", page_size=20)
    result = cases.office_cases(actor=actor, state=state, page=page, page_size=size)
    context = (state, result.page)
else:
    page, size = pager("owed", page_size=20)
    owed = cases.owed(actor=actor, now=moment, page=page, page_size=size)
    st.caption(f"已归档的重大、热点、重要投诉须在{rules.CLAUSE.removeprefix('依据')}规定的期限内提交案例。")
    frame = [{"投诉编号": o.number, "标题": o.title, "分级": crules.GRADE_LABELS[crules.Grade(o.grade)],
              "归档时间": dt(o.closed_at), "提交期限": dt(o.due_at), "超期": "是" if o.overdue else "",
              "案例": rules.STATE_LABELS[rules.CaseState(o.case_state)] if o.case_state else "未编写"} for o in owed.rows]
    picked = selectable_table(pd.DataFrame(frame, columns=["投诉编号", "标题", "分级", "归档时间", "提交期限", "超期",
                                                           "案例"]),
                              key="owed_table", ids=[o.complaint_id for o in owed.rows], context=owed.page)
    pager_footer("owed", owed)
    if picked is None and not linked.isdigit():
        st.caption("选中一件投诉，编写它的案例（已有草稿的，打开草稿继续修改）。")
        st.stop()
    if picked is not None and owed.rows[picked].case_id:  # a draft exists: continue it
        open_case(owed.rows[picked].case_id)
        st.stop()
    complaint_id = owed.rows[picked].complaint_id if picked is not None else int(linked)
    key = f"case_new_{complaint_id}"
    try:
        start = cases.draft_from(actor=actor, complaint_id=complaint_id, now=moment)
    except DomainError as exc:
        show_error(exc)
        st.stop()
    st.subheader(f"编写案例：投诉 {start.complaint_number}")
    text = case_form(key, start.text, label="保存草稿")
    if text is not None:
        try:
            case = cases.create(actor=actor, complaint_id=complaint_id, text=text,
                                request_id=st.session_state[f"_token_{key}"], now=moment)
        except DomainError as exc:
            show_error(exc)
            st.stop()
        new_form_token(key)
        st.session_state[SAVED] = f"已保存案例草稿 {case.number}：可继续修改，完成后提交总部客服中心"
        st.session_state["case_view_next"] = "mine"  # the draft opens where it is edited and submitted
        st.query_params.clear()
        st.query_params["id"] = str(case.id)
        st.rerun()
    st.stop()

picked = selectable_table(case_frame(result.rows, labels), key="cases_table", ids=[c.id for c in result.rows],
                          context=context, column_config=CASE_WIDTHS)
pager_footer("cases", result)
if picked is not None:
    open_case(result.rows[picked].id)
elif st.query_params.get("id", "").isdigit():
    open_case(int(st.query_params["id"]))
else:
    st.caption("选中一条案例查看全文。")
