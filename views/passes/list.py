"""出入证: queues, filters, the paged list with exports and the register, and the selected pass with its actions."""

import streamlit as st

from core import passes as rules
from core.errors import DomainError
from core.permissions import Action
from db.services import pass_registers as registers
from db.services.base import EXPORT_LIMIT
from db.services.policy import policy_at
from ui.context import page_header, require
from ui.fmt import now, period_bounds
from ui.forms import show_error
from ui.pdf import pdf_button
from ui.pickers import cached_offices, office_picker
from ui.tables import excel_button, pager, pager_footer, reset_pager, selectable_table, table, to_excel
from ui.theme import PICK
from views.passes.widgets.common import POLICY_LINE, WIDTHS, list_columns, pass_frame, register_frame
from views.passes.widgets.detail import show_pass

actor = require(Action.PASS_VIEW)
page_header("出入证", ":material/badge:", POLICY_LINE)
moment = now()
policy = policy_at(moment)


def changed() -> None:
    reset_pager("passes")
    st.query_params.pop("id", None)


queue = st.segmented_control("队列", list(registers.QUEUES), format_func=registers.QUEUES.get, default="", key="pq",
                             on_change=changed) or ""
types = {r["code"]: r["label"] for r in policy.rows(rules.TYPES, active_only=False)}
with st.container(border=True):
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        office_id = office_picker(actor, Action.PASS_VIEW, key="p_office", on_change=changed)
    status = c2.selectbox("状态", [None, *rules.STATUS_LABELS], key="p_status", on_change=changed, placeholder=PICK,
                          format_func=lambda x: "全部" if x is None else rules.STATUS_LABELS[x])
    pass_type = c3.selectbox("类型", [None, *types], key="p_type", on_change=changed, placeholder=PICK,
                             format_func=lambda x: "全部" if x is None else types[x])
    period = c4.date_input("发证日期", value=(), key="p_period", on_change=changed)
    text = st.text_input("搜索编号、持证人姓名或证件号后几位", key="p_text", on_change=changed)

since, until, period_label = period_bounds(period)
filters = {"office_id": office_id, "status": status, "pass_type": pass_type, "text": text, "queue": queue,
           "since": since, "until": until}
page, size = pager("passes", page_size=30)
try:
    result = registers.search(actor=actor, now=moment, page=page, page_size=size, **filters)
except DomainError as exc:
    show_error(exc)
    st.stop()
names = dict(cached_offices(actor, Action.PASS_VIEW))
columns = list_columns(types, names, moment, screen=True)
if office_id is not None or len(names) <= 1:
    columns.pop("管理处")
picked = selectable_table(table(result.rows, columns), key="passes_table", ids=[p.id for p in result.rows],
                          context=(tuple(filters.values()), result.page), column_config=WIDTHS)
pager_footer("passes", result)

e1, e2, e3 = st.columns(3)
with e1:
    excel_button(lambda: pass_frame(registers.search(actor=actor, now=moment, page=1, page_size=EXPORT_LIMIT,
                                                     **filters).rows, types, names, moment),
                 "出入证列表.xlsx", key="passes_xlsx")
if actor.can(Action.PASS_EXPORT):
    with e2:
        pdf_button("登记表 PDF", lambda: registers.roster_pdf(actor=actor, now=moment, office_id=office_id,
                                                              since=since, until=until, period=period_label),
                   "出入证发放登记表.pdf", key="passes_roster_pdf")
    with e3:
        st.download_button("登记表 Excel", data=lambda: to_excel(register_frame(registers.roster_rows(
            actor=actor, now=moment, office_id=office_id, since=since, until=until)), "出入证发放登记表"),
            file_name="出入证发放登记表.xlsx", key="passes_register_xlsx", icon=":material/download:",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

wanted = st.query_params.get("id", "")
if picked is not None and picked < len(result.rows):
    pass_id = result.rows[picked].id
elif wanted.isdigit():
    pass_id = int(wanted)
else:
    pass_id = result.rows[0].id if len(result.rows) == 1 else None
if pass_id is None:
    st.caption("在表格中选中一张出入证，查看详情和可执行的操作。")
    st.stop()
st.divider()
show_pass(actor, pass_id, moment)
