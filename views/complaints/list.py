"""投诉处理: queues, filter bar, paged list, and the selected complaint's detail with its allowed actions."""

import streamlit as st

from core import complaints as rules
from core.errors import DomainError
from core.permissions import Action
from db.services import complaint_queues as queues
from db.services.base import EXPORT_LIMIT
from ui.context import page_header, require
from ui.fmt import now, period_bounds
from ui.forms import show_error
from ui.pickers import cached_offices, office_picker
from ui.tables import excel_button, pager, pager_footer, selectable_table
from ui.theme import PICK
from views.complaints.widgets.common import POLICY_LINE, category_labels, options
from views.complaints.widgets.detail import load_detail, show_complaint
from views.complaints.widgets.listing import (
    complaint_frame,
    complaint_table,
    filters_changed,
    picked_complaint,
)
from views.complaints.widgets.reports import quality_bulletin_button

actor = require(Action.COMPLAINT_VIEW)
page_header("投诉处理", ":material/report:", POLICY_LINE)
moment = now()

queue = st.segmented_control("队列", list(queues.QUEUES), format_func=queues.QUEUES.get, default="", key="cq",
                             on_change=filters_changed) or ""
with st.container(border=True):
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        office_id = office_picker(actor, Action.COMPLAINT_VIEW, key="c_office", on_change=filters_changed)
    state = c2.selectbox("状态", [None, *options(rules.STATE_LABELS)], key="c_state", on_change=filters_changed,
                         format_func=lambda x: "全部" if x is None else rules.STATE_LABELS[x], placeholder=PICK)
    grade = c3.selectbox("类别", [None, *options(rules.GRADE_LABELS)], key="c_grade", on_change=filters_changed,
                         format_func=lambda x: "全部" if x is None else rules.GRADE_LABELS[x], placeholder=PICK)
    categories = category_labels()
    category = c4.selectbox("分类", [None, *categories], key="c_cat", on_change=filters_changed,
                            format_func=lambda x: "全部" if x is None else categories.get(x, x), placeholder=PICK)
    c5, c6 = st.columns([1, 2])
    period = c5.date_input("受理日期", value=(), key="c_period", on_change=filters_changed)
    text = c6.text_input("搜索编号或内容", key="c_text", on_change=filters_changed)

since, until, period_label = period_bounds(period)

page, size = pager("complaints", page_size=30)
filters = {"office_id": office_id, "state": state, "grade": grade, "category": category, "since": since,
           "until": until, "text": text, "queue": queue}
try:
    result = queues.search(actor=actor, now=moment, page=page, page_size=size, **filters)
except DomainError as exc:
    show_error(exc)
    st.stop()
names = dict(cached_offices(actor, Action.COMPLAINT_VIEW))
shown, widths = complaint_table(result.rows, names, show_office=office_id is None and len(names) > 1,
                                categories=categories)
picked = selectable_table(shown, key="complaints_table", ids=[c.id for c in result.rows],
                          context=(tuple(filters.values()), result.page), column_config=widths)
pager_footer("complaints", result)


def whole_list():
    """Every complaint the filters match (up to the export limit), not only the page on screen."""
    rows = queues.search(actor=actor, now=moment, page=1, page_size=EXPORT_LIMIT, **filters).rows
    return complaint_frame(rows, names)


if actor.can(Action.COMPLAINT_EXPORT):
    e1, e2 = st.columns([1, 3])
    with e1:
        excel_button(whole_list, "投诉列表.xlsx", key="complaints_xlsx")  # the workbook is built only when clicked
    with e2:
        quality_bulletin_button(actor, office_id=office_id, since=since, until=until,
                                period_label=period_label)

complaint_id = picked_complaint(result.rows, picked)  # selected row, else ?id=, else the only row
if complaint_id is None:
    st.caption("在表格中选中一条投诉，查看详情和可执行的操作。")
    st.stop()
detail = load_detail(actor, complaint_id, moment)
if detail is None:
    st.stop()
st.divider()
show_complaint(actor, detail, moment)
