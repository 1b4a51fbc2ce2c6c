"""来访事件 (来访接待流程): log and grade an unannounced visit with its script, then the list with filters and the
selected incident with the steps its state allows."""

from datetime import timedelta

import streamlit as st

from core import visitor_incidents as rules
from core.errors import DomainError
from core.permissions import Action
from db.services import visitor_incident_queues as queues
from db.services import visitor_incidents as svc
from db.services.base import EXPORT_LIMIT
from db.services.policy import policy_at
from ui.context import page_header, require
from ui.fmt import local_to_utc, now
from ui.forms import show_error
from ui.pickers import cached_offices, office_picker
from ui.tables import excel_button, pager, pager_footer, reset_pager, selectable_table
from ui.theme import PICK
from views.reception.widgets.incident_actions import action_panel
from views.reception.widgets.incidents import (
    POLICY_LINE,
    incident_frame,
    incident_table,
    intake,
    show_incident,
)

actor = require(Action.VISITOR_INCIDENT_VIEW)
page_header("来访事件", ":material/emergency_home:", POLICY_LINE)
moment = now()
policy = policy_at(moment)
flash = st.session_state.pop("vi_flash", None)
if flash:
    st.success(flash)

if actor.can(Action.VISITOR_INCIDENT_CREATE):
    with st.expander("登记来访事件", expanded=True, icon=":material/add:"):
        intake(actor)


def changed() -> None:
    reset_pager("incidents")
    st.session_state.pop("vi_open", None)


classes = {r["code"]: r["label"] for r in policy.rows(rules.CLASSES, active_only=False)}
states = {"open": "未平息", **{s.value: label for s, label in rules.STATE_LABELS.items()}}
with st.container(border=True):
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        office_id = office_picker(actor, Action.VISITOR_INCIDENT_VIEW, key="vi_f_office", on_change=changed)
    visit_class = c2.selectbox("分类", [None, *classes], key="vi_f_class", on_change=changed, placeholder=PICK,
                               format_func=lambda x: "全部" if x is None else classes[x])
    state = c3.selectbox("状态", [None, *states], key="vi_f_state", on_change=changed, placeholder=PICK,
                         format_func=lambda x: "全部" if x is None else states[x])
    period = c4.date_input("来访日期", value=(), key="vi_f_period", on_change=changed)
since = until = None
if isinstance(period, tuple) and len(period) == 2:
    since, until = local_to_utc(period[0]), local_to_utc(period[1]) + timedelta(days=1)

page, size = pager("incidents", page_size=30)
filters = {"office_id": office_id, "visit_class": visit_class, "state": state, "since": since, "until": until}
try:
    result = queues.search(actor=actor, page=page, page_size=size, **filters)
except DomainError as exc:
    show_error(exc)
    st.stop()
names = dict(cached_offices(actor, Action.VISITOR_INCIDENT_VIEW))
shown, widths = incident_table(result.rows, policy, names, show_office=office_id is None and len(names) > 1)
picked = selectable_table(shown, key="incidents_table", ids=[r.id for r in result.rows],
                          context=(tuple(filters.values()), result.page), column_config=widths)
pager_footer("incidents", result)
if actor.can(Action.VISITOR_INCIDENT_EXPORT):
    excel_button(lambda: incident_frame(queues.search(actor=actor, page=1, page_size=EXPORT_LIMIT, **filters).rows,
                                        policy, names), "来访事件.xlsx", key="incidents_xlsx")

incident_id = result.rows[picked].id if picked is not None else st.session_state.get("vi_open")
wanted = st.query_params.get("id", "")
if incident_id is None and wanted.isdigit():
    incident_id = int(wanted)
if incident_id is None:
    st.caption("在表格中选中一条来访事件，查看记录和可执行的操作。")
    st.stop()
try:
    detail = svc.detail(actor=actor, incident_id=incident_id, now=moment)
except DomainError as exc:
    show_error(exc)
    st.stop()
st.divider()
left, right = st.columns([3, 2])
with left:
    show_incident(actor, detail)
with right:
    action_panel(actor, detail)
