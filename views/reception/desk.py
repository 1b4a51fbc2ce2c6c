"""前台接待: log a call, visit, letter or online message (keyboard only), today's register, and the picked contact."""

from datetime import timedelta

import streamlit as st

from core.permissions import Action
from db.services import reception_queues as queues
from ui.context import page_header, require
from ui.fmt import TZ, local_to_utc, now
from ui.pickers import office_picker
from views.reception.widgets.common import POLICY_LINE
from views.reception.widgets.intake import intake
from views.reception.widgets.listing import list_with_detail

actor = require(Action.RECEPTION_VIEW)
page_header("前台接待", ":material/support_agent:", POLICY_LINE)
moment = now()

if actor.can(Action.RECEPTION_LOG):
    office_id = office_picker(actor, Action.RECEPTION_LOG, key="rc_office", allow_all=False)
    intake(actor, office_id, moment)
else:
    office_id = office_picker(actor, Action.RECEPTION_VIEW, key="rc_office")

st.divider()
queue = st.segmented_control("列表", list(queues.QUEUES)[:5], format_func=queues.QUEUES.get, default="",
                             key="rc_queue") or ""
today = local_to_utc(moment.astimezone(TZ).date())
filters = {"office_id": office_id, "queue": queue,
           "since": today if not queue else None, "until": today + timedelta(days=1) if not queue else None}
st.caption("今日登记" if not queue else queues.QUEUES[queue])
list_with_detail(actor, key="rc_desk", moment=moment, filters=filters,
                 hint="在表格中选中一条记录，查看详情和可执行的操作。")
