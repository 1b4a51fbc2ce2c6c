"""Complaints (顾客投诉处理制度): list and queues with detail, intake, callbacks, consultant replies."""

from core.permissions import Action
from core.registry import PageSpec

PAGES = [
    PageSpec("views/complaints/list.py", "投诉处理", ":material/report:", "投诉处理", Action.COMPLAINT_VIEW, order=100),
    PageSpec("views/complaints/new.py", "登记投诉", ":material/add_comment:", "投诉处理", Action.COMPLAINT_CREATE, order=101),
    PageSpec("views/complaints/callbacks.py", "投诉回访", ":material/call:", "投诉处理", Action.COMPLAINT_CALLBACK, order=102),
    PageSpec("views/complaints/consult.py", "顾问支持", ":material/support:", "投诉处理", Action.COMPLAINT_CONSULT_REPLY,
             order=103),
    PageSpec("views/complaints/consultants.py", "顾问名录", ":material/contacts:", "投诉处理",
             Action.COMPLAINT_CONSULTANT_MANAGE, order=104),
    PageSpec("views/complaints/cases.py", "投诉案例库", ":material/library_books:", "投诉处理",
             Action.COMPLAINT_CASE_VIEW, order=106),
    PageSpec("views/complaints/disclosure.py", "投诉公示", ":material/campaign:", "投诉处理", Action.COMPLAINT_EXPORT,
             order=107),
    PageSpec("views/complaints/monthly.py", "投诉月报", ":material/monitoring:", "投诉处理", Action.COMPLAINT_EXPORT,
             order=108),
    PageSpec("views/complaints/stats.py", "投诉分类统计表", ":material/table_chart:", "投诉处理", Action.COMPLAINT_EXPORT,
             order=105),
]
