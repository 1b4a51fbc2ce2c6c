"""转办给我: contacts routed to me or my department, still to be done; the result is recorded here (办结)."""

import streamlit as st

from core.errors import DomainError
from core.permissions import Action
from ui.context import page_header, require
from ui.fmt import now
from ui.forms import show_error
from views.reception.widgets.common import POLICY_LINE
from views.reception.widgets.detail import load_detail, show_contact
from views.reception.widgets.listing import register_list

actor = require(Action.RECEPTION_HANDLE)
page_header("转办给我", ":material/assignment_ind:", POLICY_LINE)
moment = now()
try:
    result, contact_id = register_list(actor, key="rc_routed", moment=moment, filters={"queue": "routed_me"})
except DomainError as exc:
    show_error(exc)
    st.stop()
if contact_id is None:
    st.caption("选中一条记录，填写办理结果后办结；前台会看到结果并跟进。")
    st.stop()
detail = load_detail(actor, contact_id, moment)
if detail is not None:
    st.divider()
    show_contact(actor, detail, moment)
